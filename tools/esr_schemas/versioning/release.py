"""Publishing the working version of a schema (``esr-schemas release``).

:func:`refusals` says why a release would be refused (each reason in French, with its
fix); :func:`release` writes the immutable snapshot once nothing refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import semver
from ..dates import is_iso_date
from ..model import Registry, SchemaEntry
from ..resolve import unverified_message
from ..snapshot import write_snapshot
from . import VersionNotFound, compare_latest
from .report import change_line

CHECK_ERRORS_SHOWN = 20


class ReleaseRefused(Exception):
    """The release cannot happen; ``reasons`` says why, in French."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("\n".join(reasons))
        self.reasons = reasons


@dataclass
class Released:
    version: str
    date: str
    folder: Path


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
    links = [
        p
        for p in (
            entry.path / "versions",
            entry.path / "versions" / version,
            entry.versions_index_file,
        )
        if p.is_symlink()
    ]
    for link in links:
        reasons.append(
            f"{link.relative_to(entry.path.parent.parent).as_posix()} est un lien symbolique"
            f"{' vers un fichier absent' if not link.exists() else ''} : une publication n'écrit "
            "que dans de vrais dossiers et fichiers. Supprimez ce lien, puis relancez la commande."
        )
    if links:
        return reasons, warnings
    if entry.published_version(version) is not None or (entry.path / "versions" / version).exists():
        reasons.append(
            f"La version {version} est déjà publiée : une version publiée ne change plus. "
            "Augmentez le numéro « version » de schema.json et ajoutez son entrée au CHANGELOG."
        )
    reasons += [unverified_message(entry, p) for p in entry.published if p.altered_files]
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
    elif date is None and not is_iso_date(changelog.date):
        reasons.append(
            f"L'entrée « ## {version} » du CHANGELOG n'a pas de date AAAA-MM-JJ : écrivez "
            f"« ## {version} (AAAA-MM-JJ) » ou passez --date."
        )
    try:
        comparison = compare_latest(registry, entry)
    except VersionNotFound as exc:  # the latest published version was altered
        reasons.append(str(exc))
        comparison = None
    if comparison is not None and comparison.new.version != comparison.old.version:
        if comparison.bump_too_small:
            bump = comparison.bump
            lines = "\n".join(
                f"      {change_line(c)}"
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
        shown = "\n".join(
            f"      {f.location} [{f.rule}] {f.message}" for f in errors[:CHECK_ERRORS_SHOWN]
        )
        more = (
            f"\n      … et {len(errors) - CHECK_ERRORS_SHOWN} autre(s)."
            if len(errors) > CHECK_ERRORS_SHOWN
            else ""
        )
        reasons.append(
            f"« esr-schemas check {entry.name} » signale {len(errors)} erreur(s) :\n{shown}{more}"
        )
    return reasons, warnings


def release(entry: SchemaEntry, date: str | None = None) -> Released:
    """Writes the snapshot of the working version, dated ``date`` or its CHANGELOG entry's.

    Call :func:`refusals` first: this only refuses what would make the snapshot wrong.
    """
    version = entry.version
    changelog = next((c for c in entry.changelog if c.version == version), None)
    if version is None or changelog is None:
        raise ReleaseRefused([f"La version {version!r} n'a pas d'entrée dans le CHANGELOG."])
    day = date or changelog.date
    if day is None:
        raise ReleaseRefused([f"L'entrée « ## {version} » du CHANGELOG n'a pas de date."])
    return Released(version, day, write_snapshot(entry, version, day))
