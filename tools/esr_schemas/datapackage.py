"""A Data Package (``datapackage.json``) for each published schema version.

The package references the version's ``schema.json`` by relative path and lists the
version's example files as tabular resources (relative paths too), so the folder can be
downloaded, moved or served from anywhere and still open in frictionless-py
(``Package("…/datapackage.json")``) or in older Data Package readers.

Invalid examples are listed as well, each with the error it is meant to produce: they
document the schema's constraints. Only the valid example is expected to validate.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .jsonutil import dumps_canonical
from .model import PublishedVersion, SchemaEntry

FILENAME = "datapackage.json"
CSV_DIALECT = {"delimiter": ",", "header": True}


def _resource_name(text: str) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-")
    return name or "exemple"


def _resource(path: str, name: str, title: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "title": title,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": dict(CSV_DIALECT),
        "schema": "schema.json",
    }


def build_descriptor(entry: SchemaEntry, version: PublishedVersion) -> dict[str, Any]:
    """The datapackage.json content for one published version (paths relative to it)."""
    schema = version.descriptor or {}
    resources: list[dict[str, Any]] = []
    for path in version.valid_examples:
        rel = path.relative_to(version.path).as_posix()
        resources.append(
            _resource(
                rel,
                _resource_name(f"exemple-{path.stem}"),
                "Exemple valide",
                f"Fichier conforme au schéma « {entry.title} » {version.version}.",
            )
        )
    for example in version.invalid_examples:
        rel = example.path.relative_to(version.path).as_posix()
        slug = example.path.stem.split("__", 1)[-1]
        resources.append(
            _resource(
                rel,
                _resource_name(f"exemple-invalide-{slug}"),
                f"Exemple invalide : {slug.replace('-', ' ')}",
                f"Fichier volontairement non conforme : sa validation doit produire l'erreur "
                f"« {example.expected_error} ».",
            )
        )
    descriptor: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": _resource_name(entry.name),
        "title": schema.get("title", entry.title),
        "description": schema.get("description", ""),
        "version": version.version,
    }
    for key in ("homepage", "licenses", "sources", "contributors", "keywords"):
        if schema.get(key):
            descriptor[key] = schema[key]
    if version.date:
        descriptor["created"] = f"{version.date}T00:00:00Z"
    descriptor["resources"] = resources
    return descriptor


def write_datapackage(ctx: Any, entry: SchemaEntry, version: PublishedVersion, dest: Path) -> None:
    """``VERSION_PRODUCERS`` hook: writes ``datapackage.json`` into the version folder."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / FILENAME).write_text(
        dumps_canonical(build_descriptor(entry, version)), encoding="utf-8"
    )
