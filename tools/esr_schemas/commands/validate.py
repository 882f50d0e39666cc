"""``esr-schemas validate``: checks a CSV or XLSX file against a schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..model import Registry
from ..validation import UnusableInput, resolve_schema, validate_file
from ..validation.report import render_json, render_text
from ._common import EXIT_USAGE, UsageError, add_command, load

DESCRIPTION = """Valide un fichier CSV ou XLSX contre un schéma du registre.

SCHÉMA peut être un nom du registre (dernière version publiée), nom@X.Y.Z (une version
publiée), le chemin d'un schema.json ou l'adresse http(s) d'un schéma.

Codes de sortie : 0 fichier valide, 1 fichier invalide, 2 fichier ou schéma inutilisable.

Exemple :
  esr-schemas validate inscriptions.csv --schema effectifs-etudiants
  esr-schemas validate export.xlsx --schema offre-formation@1.0.0 --sheet Feuil1 --format json
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "validate",
        help="valide un fichier CSV ou XLSX contre un schéma",
        description=DESCRIPTION,
        run=run,
    )
    parser.add_argument("file", type=Path, metavar="FICHIER", help="fichier CSV ou XLSX à valider")
    parser.add_argument(
        "--schema",
        required=True,
        metavar="SCHÉMA",
        help="nom, nom@version, chemin ou URL du schéma",
    )
    parser.add_argument(
        "--sheet", metavar="FEUILLE", help="feuille du classeur XLSX (par défaut : la première)"
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="format du rapport (text par défaut)",
    )
    parser.add_argument(
        "--limit-errors",
        type=_count,
        metavar="N",
        help="n'affiche que les N premières erreurs (le décompte reste complet)",
    )
    parser.add_argument(
        "--no-extra-checks",
        action="store_true",
        help="désactive les contrôles propres au registre (codes de contrôle, secret statistique)",
    )
    parser.add_argument(
        "--referentiels",
        action="store_true",
        help="vérifie aussi que les codes appartiennent aux référentiels déclarés (x-esr.codeList)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="le secret statistique devient une erreur (au lieu d'un avertissement)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="délai d'attente d'un schéma distant, en secondes (10 par défaut)",
    )


def _count(text: str) -> int:
    """A number of errors to show: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"« {text} » n'est pas un nombre entier (exemple : --limit-errors 50)"
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"« {text} » est négatif : donnez 0 ou plus (exemple : --limit-errors 50)"
        )
    return value


def _registry(args: argparse.Namespace) -> Registry | None:
    """The repository's registry; None outside a repository (files and URLs still work)."""
    try:
        return load(args)
    except (UsageError, OSError):
        return None


def run(args: argparse.Namespace) -> int:
    registry = _registry(args)
    try:
        descriptor = resolve_schema(args.schema, registry, timeout=args.timeout)
        name = (
            args.schema
            if not args.schema.startswith(("http://", "https://"))
            and not args.schema.endswith(".json")
            else descriptor.get("name")
        )
        report = validate_file(
            args.file,
            descriptor,
            sheet=args.sheet,
            registry=registry,
            extra_checks=not args.no_extra_checks,
            strict=args.strict,
            check_code_lists=args.referentiels,
            schema_name=name,
        )
    except UnusableInput as problem:
        raise UsageError(f"Fichier ou schéma inutilisable : {problem.message}") from None
    if report.stats.get("rows", 0) == 0:
        # no verdict on a file without data: no report saying it is valid
        sys.stderr.write(
            f"Fichier inutilisable : {args.file.name} ne contient que la ligne d'en-tête, aucune "
            "ligne de données à valider. Ajoutez vos données sous l'en-tête.\n"
        )
        return EXIT_USAGE
    render = render_json if args.format == "json" else render_text
    sys.stdout.write(render(report, args.limit_errors))
    return 0 if report.valid else 1
