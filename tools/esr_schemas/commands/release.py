"""``esr-schemas release``: publishes the working version as an immutable snapshot."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from .. import semver
from ..loader import find_root, load_registry
from ..model import Registry, SchemaEntry
from ..snapshot import write_snapshot
from ..versioning import compare_latest

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

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
    parser = subparsers.add_parser(
        "release",
        help="publie la version de travail d'un schéma (copie figée et empreintes)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", metavar="NOM", help="nom du schéma (dossier de schemas/)")
    parser.add_argument(
        "--date", metavar="AAAA-MM-JJ", help="date de publication (défaut : celle du CHANGELOG)"
    )
    parser.add_argument("--root", type=Path, help="dossier du dépôt (par défaut : détecté)")
    parser.set_defaults(handler=run)


def refusals(
    registry: Registry, entry: SchemaEntry, date: str | None
) -> tuple[list[str], list[str]]:
    """(reasons to refuse, warnings) for releasing the working version of ``entry``."""
    reasons: list[str] = []
    warnings: list[str] = []
    version = entry.version
    if version is None or not semver.is_semver(version):
        reasons.append(
            f"schema.json n'a pas de numéro « version » valide (X.Y.Z) : {version!r}. "
            "Corrigez-le avant de publier."
        )
        return reasons, warnings
    if entry.published_version(version) is not None or (entry.path / "versions" / version).exists():
        reasons.append(
            f"La version {version} est déjà publiée : une version publiée ne change plus. "
            "Augmentez le numéro « version » de schema.json et ajoutez son entrée au CHANGELOG."
        )
    latest = entry.latest_published
    if (
        latest is not None
        and latest.version != version
        and semver.sort_key(version) <= semver.sort_key(latest.version)
    ):
        reasons.append(
            f"La version {version} n'est pas supérieure à la dernière publiée ({latest.version})."
        )
    changelog = next((c for c in entry.changelog if c.version == version), None)
    if changelog is None:
        reasons.append(
            f"CHANGELOG.md n'a pas d'entrée pour la version {version} : ajoutez en tête une "
            f"section « ## {version} (AAAA-MM-JJ) » qui décrit les changements."
        )
    elif date is None and not (changelog.date and DATE_RE.match(changelog.date)):
        reasons.append(
            f"L'entrée « ## {version} » du CHANGELOG n'a pas de date AAAA-MM-JJ : écrivez "
            f"« ## {version} (AAAA-MM-JJ) » ou passez --date."
        )
    comparison = compare_latest(registry, entry)
    if comparison is not None and comparison.new.version != comparison.old.version:
        if comparison.bump_too_small:
            bump = comparison.bump
            lines = "\n".join(
                f"      [{c.level.label}] {c.file}{' ' + c.pointer if c.pointer else ''} : {c.message}"
                for c in comparison.changes
                if bump is not None and c.level > bump
            )
            reasons.append(
                f"Incrément insuffisant : {comparison.old.version} → {version} annonce un "
                f"changement {bump.label if bump else '?'}, mais les changements exigent un "
                f"changement {comparison.level.label} :\n{lines}"
            )
        warnings += comparison.warnings
    from ..check import run_check

    errors = run_check(registry, names=[entry.name]).errors
    if errors:
        shown = "\n".join(f"      {f.location} [{f.rule}] {f.message}" for f in errors[:20])
        more = f"\n      … et {len(errors) - 20} autre(s)." if len(errors) > 20 else ""
        reasons.append(
            f"« esr-schemas check {entry.name} » signale {len(errors)} erreur(s) :\n{shown}{more}"
        )
    return reasons, warnings


def run(args: argparse.Namespace) -> int:
    try:
        root = args.root or find_root()
    except FileNotFoundError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if args.date is not None and not DATE_RE.match(args.date):
        sys.stderr.write(
            f"Date invalide « {args.date} » : attendu AAAA-MM-JJ, par exemple 2026-09-01.\n"
        )
        return 2
    registry = load_registry(root)
    entry = registry.schemas.get(args.name)
    if entry is None:
        known = ", ".join(registry.schemas) or "aucun"
        sys.stderr.write(f"Schéma « {args.name} » inconnu. Schémas du registre : {known}.\n")
        return 2
    reasons, warnings = refusals(registry, entry, args.date)
    for warning in warnings:
        sys.stderr.write(f"Avertissement : {warning}\n")
    if reasons:
        sys.stderr.write(
            f"Publication de « {entry.name} » {entry.version or ''} refusée :\n"
            + "".join(f"  - {reason}\n" for reason in reasons)
        )
        return 1
    version = entry.version
    assert version is not None
    changelog = next(c for c in entry.changelog if c.version == version)
    date = args.date or changelog.date
    assert date is not None
    dest = write_snapshot(entry, version, date)
    sys.stdout.write(
        f"Version {version} de « {entry.name} » publiée ({date}) dans {registry.rel(dest)}/.\n"
        "Ajoutez ce dossier et versions/index.json à votre commit.\n"
    )
    return 0
