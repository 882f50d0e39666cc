"""``esr-schemas diff``: the classified changes between two versions of a schema."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..loader import find_root, load_registry
from ..versioning import WORKING, Comparison, Level, VersionNotFound, compare, side

DESCRIPTION = f"""\
Liste les changements entre deux versions d'un schéma, chacun classé selon la
compatibilité des données :
  patch   texte seul (titre, description, exemple…) ;
  mineur  tout fichier valide avec l'ancienne version reste valide ;
  majeur  un fichier valide avec l'ancienne version peut être rejeté.

Par défaut : de la dernière version publiée à la version de travail
(« {WORKING} », le fichier schemas/NOM/schema.json).

Exemple :
  esr-schemas diff effectifs-etudiants
  esr-schemas diff effectifs-etudiants 1.0.0 1.1.0 --format json
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="liste et classe (patch, mineur, majeur) les changements entre deux versions",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    parser.add_argument("--root", type=Path, help="dossier du dépôt (par défaut : détecté)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        root = args.root or find_root()
    except FileNotFoundError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    registry = load_registry(root)
    entry = registry.schemas.get(args.name)
    if entry is None:
        known = ", ".join(registry.schemas) or "aucun"
        sys.stderr.write(f"Schéma « {args.name} » inconnu. Schémas du registre : {known}.\n")
        return 2
    old_ref = args.old
    if old_ref is None:
        latest = entry.latest_published
        if latest is None:
            sys.stderr.write(
                f"« {entry.name} » n'a encore aucune version publiée : rien à comparer. "
                "Donnez deux versions, ou publiez d'abord avec « esr-schemas release ».\n"
            )
            return 2
        old_ref = latest.version
    try:
        comparison = compare(registry, entry.name, side(entry, old_ref), side(entry, args.new))
    except VersionNotFound as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if args.format == "json":
        sys.stdout.write(json.dumps(to_json(comparison), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(to_text(comparison))
    return 0


def to_json(comparison: Comparison) -> dict[str, Any]:
    bump = comparison.bump
    return {
        "schema": comparison.name,
        "de": comparison.old.version,
        "vers": comparison.new.version,
        "vers_version_courante": comparison.new.working,
        "niveau_requis": comparison.level.label,
        "niveau_annonce": bump.label if bump is not None else None,
        "increment_suffisant": not comparison.bump_too_small and bump is not None,
        "changements": [c.to_dict() for c in comparison.changes],
    }


def to_text(comparison: Comparison) -> str:
    lines = [f"« {comparison.name} » : {comparison.old.label} → {comparison.new.label}"]
    if not comparison.changes:
        lines.append("Aucun changement.")
        return "\n".join(lines) + "\n"
    level = comparison.level
    lines.append(f"Changement requis : {level.label} ({_explain(level)}).")
    bump = comparison.bump
    if bump is None:
        lines.append(
            f"Numéro de version : {comparison.new.version} n'est pas supérieur à "
            f"{comparison.old.version}."
        )
    elif bump < level:
        lines.append(
            f"Numéro de version : {comparison.old.version} → {comparison.new.version} annonce un "
            f"changement {bump.label}, insuffisant : il faut un changement {level.label}."
        )
    else:
        lines.append(
            f"Numéro de version : {comparison.old.version} → {comparison.new.version} "
            f"({bump.label}), suffisant."
        )
    lines.append("")
    for change in sorted(comparison.changes, key=lambda c: -c.level):
        where = change.file + (f" {change.pointer}" if change.pointer else "")
        lines.append(f"  [{change.level.label}] {where} : {change.message}")
    warnings = comparison.warnings
    if warnings:
        lines.append("")
        lines.append("Avertissements :")
        lines += [f"  - {w}" for w in warnings]
    return "\n".join(lines) + "\n"


def _explain(level: Level) -> str:
    return {
        Level.PATCH: "texte seul, aucun effet sur la validation",
        Level.MINOR: "les fichiers déjà valides restent valides",
        Level.MAJOR: "des fichiers déjà valides peuvent être rejetés",
        Level.NONE: "aucun",
    }[level]
