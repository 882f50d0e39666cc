"""``esr-schemas validate``: checks a CSV or XLSX file against a schema."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .. import netfetch
from ..model import Registry
from ..validation import UnusableInput, resolve_schema, validate_file
from ..validation.report import render_json, render_text
from ._common import EXIT_USAGE, UsageError, add_command, load

DESCRIPTION = """Valide un fichier CSV ou XLSX contre un schéma du registre.

FICHIER peut être un chemin ou l'adresse http(s) d'un fichier publié : il est alors
téléchargé dans un dossier temporaire (effacé ensuite), dans le délai --timeout et dans
la limite de 5 Go. Les adresses du réseau local sont permises (la commande tourne sur
votre poste).

SCHÉMA peut être un nom du registre (dernière version publiée), nom@X.Y.Z (une version
publiée), le chemin d'un schema.json ou l'adresse http(s) d'un schéma.

Codes de sortie : 0 fichier valide, 1 fichier invalide, 2 fichier ou schéma inutilisable.

Exemple :
  esr-schemas validate inscriptions.csv --schema effectifs-etudiants
  esr-schemas validate export.xlsx --schema offre-formation@1.0.0 --sheet Feuil1 --format json
  esr-schemas validate https://exemple.fr/donnees/formations.csv --schema offre-formation
"""

MAX_DOWNLOAD_BYTES = 5 * 1024 * 1024 * 1024


def _seconds(text: str) -> float:
    """A finite, positive number of seconds (argparse type)."""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"« {text} » n'est pas un nombre de secondes (exemple : 10)"
        ) from None
    try:
        return netfetch.check_timeout(value)
    except netfetch.FetchError as error:
        raise argparse.ArgumentTypeError(error.message) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "validate",
        help="valide un fichier CSV ou XLSX contre un schéma",
        description=DESCRIPTION,
        run=run,
    )
    parser.add_argument(
        "file", metavar="FICHIER", help="fichier CSV ou XLSX à valider (chemin ou adresse http(s))"
    )
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
        type=int,
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
        type=_seconds,
        default=10.0,
        metavar="SECONDES",
        help="délai total de chaque téléchargement (schéma ou fichier distant), en secondes "
        "(10 par défaut)",
    )


def _registry(args: argparse.Namespace) -> Registry | None:
    """The repository's registry; None outside a repository (files and URLs still work)."""
    try:
        return load(args)
    except (UsageError, OSError):
        return None


def run(args: argparse.Namespace) -> int:
    if args.file.startswith(("http://", "https://")):
        with tempfile.TemporaryDirectory(prefix="esr-validate-") as folder:
            try:
                fetched = netfetch.download(
                    args.file,
                    Path(folder),
                    timeout=args.timeout,
                    max_bytes=MAX_DOWNLOAD_BYTES,
                    allow_private=True,
                )
            except netfetch.FetchError as error:
                raise UsageError(f"Fichier inutilisable : {error.message}") from None
            return _validate(args, fetched.path, shown_as=args.file)
    return _validate(args, Path(args.file), shown_as=None)


def _validate(args: argparse.Namespace, path: Path, shown_as: str | None) -> int:
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
            path,
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
    if shown_as is not None:
        report.path = shown_as
    render = render_json if args.format == "json" else render_text
    sys.stdout.write(render(report, args.limit_errors))
    if report.stats.get("rows", 0) == 0:
        sys.stderr.write(
            "Fichier inutilisable : il ne contient que la ligne d'en-tête, aucune donnée à valider.\n"
        )
        return EXIT_USAGE
    return 0 if report.valid else 1
