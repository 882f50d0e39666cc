"""``esr-schemas release``: publishes the working version as an immutable snapshot."""

from __future__ import annotations

import argparse
import sys

from ._common import add_command, iso_date, load_repository, schema_entry

DESCRIPTION = """\
Publie la version de travail d'un schéma (le numéro « version » de schema.json) :
copie figée dans schemas/NOM/versions/X.Y.Z/ et empreintes dans versions/index.json.

La publication est refusée, avec la raison, quand :
  - cette version est déjà publiée ;
  - « esr-schemas check NOM » signale des erreurs ;
  - CHANGELOG.md n'a pas d'entrée « ## X.Y.Z (AAAA-MM-JJ) » pour cette version ;
  - l'incrément de version est plus petit que ce qu'exige le changement
    (voir « esr-schemas diff NOM »).

La date est celle de l'entrée du CHANGELOG, ou celle de --date : jamais l'horloge.

Exemple :
  esr-schemas release effectifs-etudiants
  esr-schemas release effectifs-etudiants --date 2026-09-01
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "release",
        help="publie la version de travail d'un schéma (copie figée et empreintes)",
        description=DESCRIPTION,
        run=run,
    )
    parser.add_argument("name", metavar="NOM", help="nom du schéma (dossier de schemas/)")
    parser.add_argument(
        "--date", metavar="AAAA-MM-JJ", help="date de publication (défaut : celle du CHANGELOG)"
    )


def run(args: argparse.Namespace) -> int:
    from ..versioning.release import refusals, release

    date = iso_date(args.date) if args.date is not None else None
    registry = load_repository(args)
    entry = schema_entry(registry, args.name)
    reasons, warnings = refusals(registry, entry, date)
    for warning in warnings:
        sys.stderr.write(f"Avertissement : {warning}\n")
    if reasons:
        sys.stderr.write(
            f"Publication de « {entry.name} » {entry.version or ''} refusée :\n"
            + "".join(f"  - {reason}\n" for reason in reasons)
        )
        return 1
    released = release(entry, date)
    sys.stdout.write(
        f"Version {released.version} de « {entry.name} » publiée ({released.date}) dans "
        f"{registry.rel(released.folder)}/.\n"
        "Ajoutez ce dossier et versions/index.json à votre commit.\n"
    )
    return 0
