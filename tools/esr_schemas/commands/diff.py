"""``esr-schemas diff``: the classified changes between two versions of a schema."""

from __future__ import annotations

import argparse
import json
import sys

from ._common import UsageError, add_command, load, schema_entry

# the name of the working version (``versioning.WORKING``, checked by a test): the
# versioning package loads the validation engine, too heavy for every command's parser
WORKING = "courante"

DESCRIPTION = f"""\
Liste les changements entre deux versions d'un schéma, chacun classé selon la
compatibilité des données :
  patch   texte seul (titre, description, exemple…) ;
  mineur  tout fichier valide avec l'ancienne version reste valide ;
  majeur  un fichier valide avec l'ancienne version peut être rejeté.

Par défaut : de la dernière version publiée à la version de travail
(« {WORKING} », le fichier schemas/NOM/schema.json). Un registre sans version de
travail (la copie d'un site publié) compare ses deux dernières versions publiées.

Exemple :
  esr-schemas diff effectifs-etudiants
  esr-schemas diff effectifs-etudiants 1.0.0 1.1.0 --format json
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "diff",
        help="liste et classe (patch, mineur, majeur) les changements entre deux versions",
        description=DESCRIPTION,
        run=run,
        reads_registry=True,
    )
    parser.add_argument("name", metavar="NOM", help="nom du schéma (dossier de schemas/)")
    parser.add_argument(
        "old", metavar="DE", nargs="?", help="version de départ (par défaut : dernière publiée)"
    )
    parser.add_argument(
        "new", metavar="VERS", nargs="?", help=f"version d'arrivée (par défaut : « {WORKING} »)"
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="format de sortie (défaut : text)",
    )


def run(args: argparse.Namespace) -> int:
    from ..versioning import VersionNotFound, compare, side
    from ..versioning.report import comparison_json, comparison_text

    registry = load(args)
    entry = schema_entry(registry, args.name)
    old_ref, new_ref = args.old, args.new
    if old_ref is None and new_ref is None and entry.raw is None:
        if len(entry.published) < 2:
            raise UsageError(
                f"Ce registre ne contient que les versions publiées de « {entry.name} » "
                f"({', '.join(p.version for p in entry.published) or 'aucune'}) et pas sa "
                "version de travail : rien à comparer."
            )
        old_ref, new_ref = entry.published[-2].version, entry.published[-1].version
    if old_ref is None:
        latest = entry.latest_published
        if latest is None:
            raise UsageError(
                f"« {entry.name} » n'a encore aucune version publiée : rien à comparer. "
                "Donnez deux versions, ou publiez d'abord avec « esr-schemas release »."
            )
        old_ref = latest.version
    try:
        comparison = compare(registry, entry.name, side(entry, old_ref), side(entry, new_ref))
    except VersionNotFound as exc:
        raise UsageError(str(exc)) from exc
    if args.format == "json":
        text = json.dumps(comparison_json(comparison), ensure_ascii=False, indent=2) + "\n"
    else:
        text = comparison_text(comparison)
    sys.stdout.write(text)
    return 0
