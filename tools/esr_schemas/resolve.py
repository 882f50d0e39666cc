"""Which version of a registry schema a name designates: the one lookup of every command.

- ``NAME``: the newest published version, or the working copy
  (``schemas/NAME/schema.json``) while nothing is published;
- ``NAME@VERSION``: that published snapshot (``schemas/NAME/versions/VERSION/``).

A name the registry does not hold, a version it has not published or a schema.json it
cannot read raise :class:`ResolveError`, with one French message for each case, listing
what exists. Callers (templates, validation, versioning, commands) wrap the
:class:`SchemaVersion` in their own types and the error in their own exception.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .loader import altered_files
from .model import PublishedVersion, Registry, SchemaEntry


class ResolveError(Exception):
    """The schema or version asked for is unknown or unreadable; the message is French."""


@dataclass(frozen=True)
class SchemaVersion:
    """One version of a registry schema: a published snapshot or the working copy."""

    entry: SchemaEntry
    version: str | None
    """The version number (None for a working copy without one)."""
    descriptor: dict[str, Any]
    folder: Path
    """``schemas/NAME`` for the working copy, ``schemas/NAME/versions/X.Y.Z`` otherwise."""
    readme: str
    valid_examples: list[Path] = field(default_factory=list)
    published: PublishedVersion | None = None
    """The published snapshot; None for the working copy."""

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def working(self) -> bool:
        return self.published is None

    @property
    def date(self) -> str | None:
        return self.published.date if self.published is not None else None


def split_spec(spec: str) -> tuple[str, str | None]:
    """``NAME@VERSION`` → (NAME, VERSION); ``NAME`` → (NAME, None)."""
    name, _, version = spec.partition("@")
    return name, version or None


def unknown_schema_message(registry: Registry, names: Iterable[str]) -> str:
    """The one French message for schema names the registry does not hold."""
    unknown = list(names)
    shown = ", ".join(f"« {name} »" for name in unknown)
    known = ", ".join(sorted(registry.schemas)) or "aucun"
    if len(unknown) == 1:
        return f"Schéma {shown} inconnu du registre. Schémas du registre : {known}."
    return f"Schémas {shown} inconnus du registre. Schémas du registre : {known}."


def unknown_version_message(entry: SchemaEntry, version: str) -> str:
    """The one French message for a version of ``entry`` that is not published."""
    versions = ", ".join(p.version for p in entry.published) or "aucune"
    return (
        f"La version « {version} » de « {entry.name} » n'est pas publiée "
        f"(versions publiées : {versions})."
    )


def unreadable_message(entry: SchemaEntry, version: PublishedVersion | None) -> str:
    """The one French message for a schema.json that is missing or unreadable."""
    if version is None:
        what = f"la version de travail de « {entry.name} »"
        path = entry.schema_file
    else:
        what = f"la version publiée {version.version} de « {entry.name} »"
        path = version.path / "schema.json"
    return (
        f"Le schema.json de {what} est absent ou illisible ({_shown(entry, path)}) : "
        f"lancez « esr-schemas check {entry.name} » pour le détail."
    )


def unverified_message(entry: SchemaEntry, version: PublishedVersion) -> str:
    """The one French message for a published snapshot that fails its recorded hashes."""
    folder = _shown(entry, version.path)
    if not version.recorded_hashes:
        return (
            f"La version {version.version} de « {entry.name} » n'est pas inscrite dans "
            f"versions/index.json : son contenu ne peut pas être vérifié, elle n'est pas "
            f"utilisée. Une version se publie avec « esr-schemas release {entry.name} »."
        )
    files = ", ".join(version.altered_files)
    return (
        f"La version publiée {version.version} de « {entry.name} » a été modifiée depuis sa "
        f"publication ({files} ne correspond plus à l'empreinte enregistrée dans "
        "versions/index.json) : elle n'est pas utilisée. Dans une copie du dépôt, "
        f"restaurez-la (« git checkout -- {folder} ») ; si c'est le registre fourni avec "
        "l'outil, réinstallez l'outil ; si c'est la copie d'un site, relancez la commande "
        "une fois connecté : la version sera téléchargée à nouveau."
    )


def _shown(entry: SchemaEntry, path: Path) -> str:
    """``path`` from the repository root (the parent of ``schemas/``) when inside it."""
    try:
        return path.relative_to(entry.path.parent.parent).as_posix()
    except ValueError:
        return str(path)


def schema_entry(registry: Registry, name: str) -> SchemaEntry:
    """The registry's schema ``name``."""
    entry = registry.schemas.get(name)
    if entry is None:
        raise ResolveError(unknown_schema_message(registry, [name]))
    return entry


def working_copy(entry: SchemaEntry) -> SchemaVersion:
    """The working copy: ``schemas/NAME/schema.json`` and what lies next to it."""
    if entry.descriptor is None:
        raise ResolveError(unreadable_message(entry, None))
    return SchemaVersion(
        entry=entry,
        version=entry.version,
        descriptor=entry.descriptor,
        folder=entry.path,
        readme=entry.readme or "",
        valid_examples=list(entry.valid_examples),
    )


def published_version(entry: SchemaEntry, version: str, *, verify: bool = True) -> SchemaVersion:
    """The published snapshot ``version`` of ``entry``, checked against the hashes
    recorded when it was published (``verify``; only ``check``'s own rules, which report
    every difference, read an altered snapshot)."""
    published = entry.published_version(version)
    if published is None:
        raise ResolveError(unknown_version_message(entry, version))
    if not published.verified:
        raise ResolveError(unverified_message(entry, published))
    if published.descriptor is None:
        raise ResolveError(unreadable_message(entry, published))
    # read again: files may have changed since the registry was loaded (a long-running
    # service loads it once)
    altered = altered_files(published.path, published.recorded_hashes) if verify else []
    if altered:
        shown = ", ".join(altered[:5]) + (" …" if len(altered) > 5 else "")
        raise ResolveError(
            f"La version publiée {entry.name} {version} ne correspond plus à ce qui a été publié "
            f"(fichiers modifiés, ajoutés ou supprimés depuis la publication : {shown}) : elle "
            "n'est pas utilisée. Restaurez le dossier "
            f"{_shown(entry, published.path)} depuis git (git checkout -- {_shown(entry, published.path)}), "
            "puis relancez la commande ; « esr-schemas check » détaille chaque différence."
        )
    return SchemaVersion(
        entry=entry,
        version=published.version,
        descriptor=published.descriptor,
        folder=published.path,
        readme=published.readme,
        valid_examples=list(published.valid_examples),
        published=published,
    )


def schema_version(entry: SchemaEntry, version: str | None = None) -> SchemaVersion:
    """Published ``version``; without one, the newest published version or the working copy."""
    if version is None and entry.latest_published is not None:
        version = entry.latest_published.version
    if version is None:
        return working_copy(entry)
    return published_version(entry, version)


def lookup(registry: Registry, spec: str) -> SchemaVersion:
    """The version ``NAME`` or ``NAME@VERSION`` designates in ``registry``."""
    name, version = split_spec(spec)
    return schema_version(schema_entry(registry, name), version)
