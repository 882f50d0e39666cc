"""Versions of a schema: comparing them, classifying the change, judging a bump.

``diff`` compares two descriptors; this module adds what a descriptor comparison
cannot see (README and example files) and the proof by data: the older version's
valid examples must still validate under the newer one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import semver
from ..model import Registry, SchemaEntry
from ..resolve import ResolveError, published_version, unknown_version_message, working_copy
from ..validation.error_types import error_type_name
from .diff import Change, Level, diff_descriptors, required_level

__all__ = [
    "WORKING",
    "Change",
    "Comparison",
    "Level",
    "Side",
    "VersionNotFound",
    "bump_level",
    "compare",
    "compare_latest",
    "diff_descriptors",
    "required_level",
    "side",
]

WORKING = "courante"
"""Name of the working copy (``schemas/<name>/schema.json``) on the command line."""


class VersionNotFound(Exception):
    """A version asked for does not exist or is unreadable; the message is French."""


@dataclass
class Side:
    label: str
    version: str | None
    descriptor: dict[str, Any]
    readme: str
    folder: Path
    valid_examples: list[Path]
    working: bool = False

    def example_hashes(self) -> dict[str, str]:
        folder = self.folder / "exemples"
        if not folder.is_dir():
            return {}
        return {
            p.relative_to(self.folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }


@dataclass
class Comparison:
    name: str
    old: Side
    new: Side
    changes: list[Change] = field(default_factory=list)

    @property
    def level(self) -> Level:
        return required_level(self.changes)

    @property
    def bump(self) -> Level | None:
        return bump_level(self.old.version, self.new.version)

    @property
    def bump_too_small(self) -> bool:
        bump = self.bump
        return bump is not None and bump < self.level

    @property
    def warnings(self) -> list[str]:
        return [c.warning for c in self.changes if c.warning]


def bump_level(old: str | None, new: str | None) -> Level | None:
    """The level a version change announces; None when ``new`` is not above ``old``."""
    a = semver.parse(old or "")
    b = semver.parse(new or "")
    if a is None or b is None or b <= a:
        return Level.NONE if a is not None and a == b else None
    if b[0] > a[0]:
        return Level.MAJOR
    if b[1] > a[1]:
        return Level.MINOR
    return Level.PATCH


def side(entry: SchemaEntry, ref: str | None, *, verify: bool = True) -> Side:
    """The working copy (``ref`` None or ``courante``) or a published version."""
    try:
        if (
            ref is None
            or ref == WORKING
            or (ref == entry.version and entry.published_version(ref) is None)
        ):
            found = working_copy(entry)
        elif entry.published_version(ref) is None:
            raise VersionNotFound(
                f"{unknown_version_message(entry, ref)} Donnez un numéro publié, "
                f"ou « {WORKING} » pour la version de travail."
            )
        else:
            found = published_version(entry, ref, verify=verify)
    except ResolveError as exc:
        raise VersionNotFound(str(exc)) from None
    return Side(
        label=(
            f"version courante ({found.version or 'sans numéro'})"
            if found.working
            else f"version {found.version}"
        ),
        version=found.version,
        descriptor=found.descriptor,
        readme=found.readme,
        folder=found.folder,
        valid_examples=found.valid_examples,
        working=found.working,
    )


def compare(
    registry: Registry | None, name: str, old: Side, new: Side, prove: bool = True
) -> Comparison:
    changes = diff_descriptors(old.descriptor, new.descriptor)
    changes += _file_changes(old, new)
    if prove:
        changes += _data_proof(registry, old, new)
    return Comparison(name=name, old=old, new=new, changes=changes)


def compare_latest(
    registry: Registry | None, entry: SchemaEntry, prove: bool = True, verify: bool = True
) -> Comparison | None:
    """Latest published version → working copy; None when nothing is published yet, or
    when that version was edited since (``published-version-modified`` says so)."""
    latest = entry.latest_published
    if latest is None or latest.descriptor is None or entry.descriptor is None:
        return None
    if not latest.verified:
        return None
    return compare(
        registry, entry.name, side(entry, latest.version, verify=verify), side(entry, None), prove
    )


def _file_changes(old: Side, new: Side) -> list[Change]:
    changes: list[Change] = []
    if old.readme.strip() != new.readme.strip():
        changes.append(
            Change(
                Level.PATCH,
                "readme-changed",
                "",
                "Documentation (README.md) modifiée.",
                file="README.md",
            )
        )
    before, after = old.example_hashes(), new.example_hashes()
    for path in sorted(set(before) | set(after)):
        if before.get(path) == after.get(path):
            continue
        verb = "ajouté" if path not in before else "supprimé" if path not in after else "modifié"
        changes.append(
            Change(
                Level.PATCH,
                "example-changed",
                "",
                f"Fichier d'exemple {verb} : les exemples documentent le schéma sans changer sa "
                "validation.",
                file=path,
            )
        )
    return changes


def _data_proof(registry: Registry | None, old: Side, new: Side) -> list[Change]:
    """Each of the old version's valid examples that the new version rejects: a major change."""
    from ..examples import example_errors

    changes: list[Change] = []
    for path in old.valid_examples:
        rel = (
            path.relative_to(old.folder).as_posix()
            if path.is_relative_to(old.folder)
            else str(path)
        )
        try:
            errors = example_errors(path, new.descriptor, registry)
        except Exception as exc:  # a broken descriptor must not crash the diff
            changes.append(
                Change(
                    Level.MAJOR,
                    "example-rejected",
                    "",
                    f"L'exemple valide {rel} de la {old.label} n'a pas pu être validé avec la "
                    f"{new.label} ({_reason(exc)}).",
                    file=rel,
                )
            )
            continue
        if not errors:
            continue
        first = errors[0]
        where = []
        if first.row is not None:
            where.append(f"ligne {first.row}")
        if first.field:
            where.append(f"colonne « {first.field} »")
        label = error_type_name(first.type)
        detail = f"{label} ({first.type})" if label else f"{first.type} : {first.message}"
        more = f" ; et {len(errors) - 1} autre(s) erreur(s)" if len(errors) > 1 else ""
        changes.append(
            Change(
                Level.MAJOR,
                "example-rejected",
                "",
                f"Preuve par les données : l'exemple valide {rel} de la {old.label} est rejeté par "
                f"la {new.label} : {detail}{', ' + ', '.join(where) if where else ''}{more}.",
                file=rel,
            )
        )
    return changes


def _reason(error: Exception) -> str:
    """Our own French message; never the English text of someone else's exception."""
    if type(error).__module__.startswith("esr_schemas"):
        return str(error)
    return "erreur inattendue lors de la validation"
