"""``esr-schemas export``: a filled Excel template -> the validated canonical CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import add_command, names_a_schema, registry_source

MAX_SHOWN = 50


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "export",
        help="transforme un modèle Excel rempli en fichier CSV validé, prêt à publier",
        description=(
            "Lit la feuille « Données » d'un modèle rempli et écrit le CSV attendu par le\n"
            "schéma : UTF-8, séparateur du schéma (virgule par défaut), dates AAAA-MM-JJ,\n"
            "point décimal, codes tels que saisis. Le fichier est validé au passage : s'il\n"
            "contient des erreurs, rien n'est écrit (sauf avec --force) et chaque erreur est\n"
            "listée avec sa ligne et sa colonne. Le classeur n'est jamais modifié.\n\n"
            "Codes de sortie : 0 fichier valide écrit ; 1 fichier invalide ;\n"
            "2 classeur ou schéma inutilisable.\n\n"
            "Exemple :\n"
            "  esr-schemas export effectifs-2024.xlsx --schema effectifs-etudiants -o effectifs-2024.csv"
        ),
        run=run,
        reads_registry=True,
    )
    parser.add_argument("workbook", metavar="CLASSEUR.xlsx", type=Path, help="le modèle rempli")
    parser.add_argument(
        "--schema",
        metavar="SCHEMA",
        help="NOM, NOM@VERSION ou chemin d'un schema.json (par défaut : celui indiqué dans le modèle)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="SORTIE.csv",
        help="fichier CSV à écrire (par défaut : CLASSEUR.csv à côté du classeur)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help=(
            "écrit le CSV même s'il est invalide (les erreurs restent listées) et remplace "
            "le fichier de sortie s'il existe déjà"
        ),
    )


def run(args: argparse.Namespace) -> int:
    from ..safe_write import WriteRefused, check_target
    from ..templates import SourceError
    from ..templates.export import ExportError, describe, export, read_filled, write_csv
    from ..templates.source import for_workbook

    workbook: Path = args.workbook
    out: Path = args.output or workbook.with_suffix(".csv")
    try:
        sheet = read_filled(workbook)
        by_name = args.schema is None or names_a_schema(args.schema)
        root = registry_source(args).root if by_name else None
        source = for_workbook(args.schema, sheet.marker, root)
    except (ExportError, SourceError) as exc:
        sys.stderr.write(f"Erreur : {exc}\n")
        return 2
    if out.resolve() == workbook.resolve():
        sys.stderr.write("Erreur : le fichier de sortie ne peut pas être le classeur lui-même.\n")
        return 2
    try:  # before the export's work: refuse an output that would not be written
        check_target(out, overwrite=args.force)
    except WriteRefused as exc:
        sys.stderr.write(f"Erreur : {exc} Aucun fichier écrit.\n")
        return 2
    if sheet.marker is not None and sheet.marker[1] and sheet.marker[1] != source.version:
        sys.stderr.write(
            f"Attention : ce classeur est le modèle de la version {sheet.marker[1]} ; il est "
            f"validé avec la version {source.version}.\n"
        )
    result = export(sheet, source)
    for note in result.notes:
        sys.stderr.write(f"Attention : {note}\n")
    problems = result.header_problems + result.errors
    label = f"« {workbook.name} », feuille « Données »"
    if problems:
        sys.stderr.write(
            f"{label} : {len(problems)} erreur(s) au regard du schéma {source.name} {source.version} :\n"
        )
        for problem in problems[:MAX_SHOWN]:
            sys.stderr.write(f"  - {describe(problem, sheet.header)}\n")
        if len(problems) > MAX_SHOWN:
            sys.stderr.write(f"  … et {len(problems) - MAX_SHOWN} autres.\n")
        if result.header_problems:
            sys.stderr.write(
                "  La ligne d'en-tête doit reprendre exactement les colonnes du modèle : les autres "
                "erreurs ne sont cherchées qu'une fois l'en-tête corrigé.\n"
            )
        if not args.force:
            sys.stderr.write(
                "Aucun fichier écrit. Corrigez le classeur (les numéros de ligne sont ceux du tableur), "
                "puis relancez la commande ; --force écrit le CSV malgré les erreurs.\n"
            )
            return 1
    try:
        write_csv(result.csv_text, out, overwrite=args.force)
    except WriteRefused as exc:
        sys.stderr.write(f"Erreur : {exc} Aucun fichier écrit.\n")
        return 2
    if problems:
        sys.stdout.write(
            f"CSV écrit malgré les erreurs (--force) : {out} ({result.row_count} lignes).\n"
        )
        return 1
    sys.stdout.write(
        f"CSV valide écrit : {out} ({result.row_count} lignes, schéma {source.name} {source.version}).\n"
    )
    return 0
