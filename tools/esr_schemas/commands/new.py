"""``esr-schemas new``: scaffolds a schema folder with placeholders to complete."""

from __future__ import annotations

import argparse
import sys
from datetime import date as date_type

from ..scaffold import NAME_RE, PLACEHOLDER, scaffold
from ._common import UsageError, add_command, iso_date, repo_root

DESCRIPTION = f"""\
Crée le dossier schemas/NOM/ d'un nouveau schéma : schema.json, README.md,
CHANGELOG.md, exemples/valide.csv et exemples/invalide/. Les textes à écrire sont
marqués « {PLACEHOLDER} » : « esr-schemas check NOM » les signale (règle
placeholder-left) tant qu'ils restent.

Le nom est en minuscules, sans accent, mots séparés par des tirets.

Exemple :
  esr-schemas new insertion-professionnelle
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "new",
        help="crée le squelette d'un nouveau schéma à compléter",
        description=DESCRIPTION,
        run=run,
    )
    parser.add_argument("name", metavar="NOM", help="nom du schéma, ex. insertion-professionnelle")
    parser.add_argument(
        "--date", metavar="AAAA-MM-JJ", help="date de création (défaut : aujourd'hui)"
    )


MAX_NAME = 80
"""Characters of a schema name: it names a folder, files and URLs."""


def run(args: argparse.Namespace) -> int:
    from ..config import site_url
    from ..loader import load_registry

    root = repo_root(args)
    name = args.name
    if not NAME_RE.match(name):
        raise UsageError(
            f"Nom de schéma invalide « {name} » : minuscules sans accent, chiffres et tirets, "
            "commençant par une lettre (ex. insertion-professionnelle)."
        )
    if len(name) > MAX_NAME:
        raise UsageError(
            f"Nom de schéma trop long ({len(name)} caractères, au plus {MAX_NAME}) : choisissez "
            "un nom court et parlant (ex. insertion-professionnelle)."
        )
    day = iso_date(args.date) if args.date is not None else date_type.today().isoformat()
    folder = root / "schemas" / name
    if folder.exists():
        raise UsageError(
            f"Le dossier schemas/{name}/ existe déjà : choisissez un autre nom, ou modifiez ce "
            "schéma directement."
        )
    common = load_registry(root).common_fields
    written = scaffold(folder, name, day, site_url(root), common)
    sys.stdout.write(f"Schéma « {name} » créé dans schemas/{name}/ :\n")
    for path in written:
        sys.stdout.write(f"  {path.relative_to(root).as_posix()}\n")
    sys.stdout.write(
        f"Remplacez chaque « {PLACEHOLDER} », décrivez les vraies colonnes, puis lancez "
        f"« esr-schemas check {name} ».\n"
    )
    return 0
