"""``esr-schemas check``: runs every rule and prints every finding."""

from __future__ import annotations

import argparse
import sys

from ..render import FORMATS
from ._common import UsageError, add_command, load_repository, repo_root

DESCRIPTION = """Vérifie les schémas du registre : spécification Table Schema, métadonnées,
champs, exemples, CHANGELOG, format JSON, versions publiées. Affiche tous les constats.

Codes de sortie : 0 aucun problème, 1 constats d'erreur, 2 erreur d'utilisation.

Exemples :
  esr-schemas check
  esr-schemas check offre-formation --format json
  esr-schemas check --fix
  esr-schemas check --base origin/main --format github"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "check",
        help="vérifie les schémas (spécification, règles du registre, exemples)",
        description=DESCRIPTION,
        run=run,
    )
    parser.add_argument(
        "names", nargs="*", metavar="NOM", help="schémas à vérifier (par défaut : tous)"
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="format de sortie (défaut : text)"
    )
    parser.add_argument(
        "--fix", action="store_true", help="corrige ce qui peut l'être (format JSON, bloc commun)"
    )
    parser.add_argument(
        "--base",
        metavar="REF",
        help="révision git de comparaison (ex. origin/main) pour les vérifications de pull request",
    )


def run(args: argparse.Namespace) -> int:
    from ..check import UnknownSchemaError, run_check
    from ..render import render
    from ..rules.history import BaseRefError

    root = repo_root(args)
    if not (root / "schemas").is_dir():
        raise UsageError(
            f"{root} n'est pas un registre de schémas (aucun dossier « schemas/ ») : lancez la "
            "commande depuis le dépôt, ou passez --root vers le dépôt."
        )
    registry = load_repository(args)
    try:
        result = run_check(registry, args.names or None, fix=args.fix, base=args.base)
    except (UnknownSchemaError, BaseRefError, FileNotFoundError) as exc:
        sys.stderr.write(f"esr-schemas check : {exc}\n")
        return 2
    for path in result.fixed:
        sys.stderr.write(f"Corrigé : {path}\n")
    checked = len(args.names) if args.names else len(registry.schemas)
    sys.stdout.write(render(result.findings, args.format, checked=checked))
    return 1 if result.errors else 0
