"""``esr-schemas template``: the Excel and CSV templates of a schema version."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import add_command, names_a_schema, registry_source


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "template",
        help="écrit le modèle Excel (et le modèle CSV) d'un schéma, à remplir par les producteurs",
        description=(
            "Écrit modele-<nom>-<version>.xlsx (feuilles Données, Notice, Exemple ; listes\n"
            "déroulantes et contrôles de saisie en français) et modele-<nom>-<version>.csv\n"
            "(ligne d'en-tête seule).\n\n"
            "SCHEMA est un nom du registre (dernière version publiée, ou version de travail\n"
            "si rien n'est publié), NOM@VERSION (une version publiée), ou le chemin d'un\n"
            "fichier schema.json.\n\n"
            "Exemple :\n"
            "  esr-schemas template effectifs-etudiants\n"
            "  esr-schemas template effectifs-etudiants@1.0.0 -o modeles/\n"
            "  esr-schemas template chemin/vers/schema.json"
        ),
        run=run,
        reads_registry=True,
    )
    parser.add_argument(
        "schema", metavar="SCHEMA", help="NOM, NOM@VERSION ou chemin d'un schema.json"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("."),
        metavar="DOSSIER",
        help="dossier de sortie (par défaut : dossier courant)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="remplace les modèles de même nom déjà présents dans le dossier",
    )


def run(args: argparse.Namespace) -> int:
    from ..safe_write import WriteRefused
    from ..templates import SourceError, resolve, write_templates

    root = registry_source(args).root if names_a_schema(args.schema) else None
    try:
        source = resolve(args.schema, root)
    except SourceError as exc:
        sys.stderr.write(f"Erreur : {exc}\n")
        return 2
    if args.output.exists() and not args.output.is_dir():
        sys.stderr.write(
            f"Erreur : « {args.output} » existe et n'est pas un dossier ; -o attend un dossier.\n"
        )
        return 2
    try:
        xlsx_path, csv_path = write_templates(source, args.output, overwrite=args.force)
    except WriteRefused as exc:
        sys.stderr.write(f"Erreur : {exc}\n")
        return 2
    from ..templates.workbook import dropdown_count

    lists = dropdown_count(source)
    sys.stdout.write(
        f"Modèle Excel écrit : {xlsx_path} ({len(source.fields)} colonnes, {lists} listes déroulantes).\n"
        f"Modèle CSV écrit : {csv_path}.\n"
    )
    return 0
