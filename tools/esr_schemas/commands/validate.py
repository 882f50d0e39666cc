"""``esr-schemas validate``: checks a CSV or XLSX file against a schema."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import EXIT_USAGE, UsageError, add_command, load, names_a_schema

if TYPE_CHECKING:
    from ..model import Registry

DESCRIPTION = """Valide un fichier CSV, XLSX ou ODS contre un schéma du registre.

FICHIER peut être un chemin ou l'adresse http(s) d'un fichier publié : il est alors
téléchargé dans un dossier temporaire (effacé ensuite), dans le délai --timeout et dans
la limite de 5 Go. Les adresses du réseau local sont permises (la commande tourne sur
votre poste).

SCHÉMA peut être un nom du registre (dernière version publiée), nom@X.Y.Z (une version
publiée), le chemin d'un schema.json ou l'adresse http(s) d'un schéma.

Les règles entre colonnes et le secret statistique (effectif sous le seuil, statut de
diffusion, taux tiré de trop petits effectifs) sont des erreurs : un fichier qui ne les
respecte pas n'est pas publiable. Pour vérifier un brouillon sans le secret statistique,
ajoutez --brouillon : le rapport dit alors que ce contrôle n'a pas été fait.

Codes de sortie : 0 fichier valide, 1 fichier invalide, 2 fichier ou schéma inutilisable.

Exemple :
  esr-schemas validate inscriptions.csv --schema effectifs-etudiants
  esr-schemas validate inscriptions.csv --schema effectifs-etudiants --details
  esr-schemas validate export.xlsx --schema offre-formation@1.0.0 --sheet Feuil1 --format json
  esr-schemas validate brouillon.csv --schema insertion-professionnelle --brouillon
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
    from .. import netfetch

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
        reads_registry=True,
    )
    parser.add_argument(
        "file",
        metavar="FICHIER",
        help="fichier CSV, XLSX ou ODS à valider (chemin ou adresse http(s))",
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
        type=_count,
        metavar="N",
        help="n'affiche que les N premières erreurs (le décompte reste complet)",
    )
    parser.add_argument(
        "--details",
        action="store_true",
        help="liste chaque ligne en erreur (par défaut : une ligne par colonne et type de problème, "
        "avec un exemple, dès qu'il y a plus de 20 problèmes)",
    )
    parser.add_argument(
        "--no-extra-checks",
        action="store_true",
        help="désactive les contrôles propres au registre (clés de contrôle, règles entre "
        "colonnes, secret statistique) ; le rapport le signale",
    )
    parser.add_argument(
        "--referentiels",
        action="store_true",
        help="vérifie aussi que les codes appartiennent aux référentiels que le schéma cite (non fait par défaut)",
    )
    parser.add_argument(
        "--brouillon",
        action="store_true",
        help="vérifie un brouillon sans les règles du secret statistique ; le rapport le "
        "signale, et le fichier ne doit pas être publié en l'état",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="tout avertissement devient une erreur (par exemple un taux publié sans son "
        "effectif) ; le secret statistique, lui, est toujours une erreur",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=10.0,
        metavar="SECONDES",
        help="délai total de chaque téléchargement (schéma ou fichier distant), en secondes "
        "(10 par défaut)",
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
    """The registry a schema name is looked up in; for a file or an address, the one its
    référentiels come from, or None when there is none (the schema still works)."""
    if names_a_schema(args.schema):
        return load(args)
    try:
        return load(args, quiet=True, with_schemas=False)  # the référentiels only
    except (UsageError, OSError):
        return None


def run(args: argparse.Namespace) -> int:
    if args.file.startswith(("http://", "https://")):
        from .. import netfetch  # http, ssl: only for an address

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
    from ..validation import UnusableInput, resolve_schema, validate_file
    from ..validation.report import render_json, render_text

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
            secrecy=not args.brouillon,
            check_code_lists=args.referentiels,
            schema_name=name,
        )
    except UnusableInput as problem:
        raise UsageError(f"Fichier ou schéma inutilisable : {problem.message}") from None
    if shown_as is not None:
        report.path = shown_as
    if report.stats.get("rows", 0) == 0:
        # no verdict on a file without data: no report saying it is valid
        sys.stderr.write(
            f"Fichier inutilisable : {path.name} ne contient que la ligne d'en-tête, aucune "
            "ligne de données à valider. Ajoutez vos données sous l'en-tête.\n"
        )
        return EXIT_USAGE
    if args.format == "json":
        sys.stdout.write(render_json(report, args.limit_errors))
    else:
        sys.stdout.write(render_text(report, args.limit_errors, details=args.details))
    return 0 if report.valid else 1
