"""The machine-readable outputs for reusers: the catalog and the feed of releases.

- ``schemas.json``: the catalog in the opendataschema v1 format, the one
  schema.data.gouv.fr publishes and Validata reads. Only published versions are
  listed; every URL is absolute, derived from the one base URL, and points at a file
  :func:`esr_schemas.publish.publish` writes.
- ``feed.xml``: an Atom feed with one entry per published version, dated from
  ``versions/index.json`` (never the clock), newest first.

Both are deterministic: same registry and base URL, same bytes.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from . import semver
from .dates import is_iso_date
from .jsonutil import dumps_canonical
from .model import PublishedVersion, Registry, SchemaEntry

CATALOG_FILE = "schemas.json"
FEED_FILE = "feed.xml"
CATALOG_SCHEMA_URL = "https://opendataschema.frama.io/catalog/schema-catalog.json"
"""The ``$schema`` value consumers expect; a local description of the format ships in
``data/schema-catalog.json`` so that tests validate without network."""
LABEL = "Enseignement supérieur et recherche"
ATOM_NS = "http://www.w3.org/2005/Atom"


def catalog_schema_path() -> Path:
    """Path of the JSON Schema describing the catalog format (shipped in the package)."""
    return Path(str(resources.files("esr_schemas") / "data" / "schema-catalog.json"))


def schema_url(base_url: str, name: str, version: str) -> str:
    return f"{base_url}schemas/{name}/{version}/schema.json"


def _contact(entry: SchemaEntry, descriptor: dict[str, Any], base_url: str) -> str:
    contributors = descriptor.get("contributors")
    if isinstance(contributors, list):
        for contributor in contributors:
            if isinstance(contributor, dict) and isinstance(contributor.get("email"), str):
                return str(contributor["email"])
    return base_url


def _examples(base_url: str, entry: SchemaEntry, latest: PublishedVersion) -> list[dict[str, str]]:
    examples = []
    for path in latest.valid_examples:
        relpath = path.relative_to(latest.path).as_posix()
        examples.append(
            {
                "title": f"Exemple de fichier valide ({path.name})",
                "path": f"{base_url}schemas/{entry.name}/latest/{relpath}",
            }
        )
    return examples


def catalog(registry: Registry, base_url: str) -> dict[str, Any]:
    """The opendataschema v1 catalog of every schema with at least one published version."""
    schemas: list[dict[str, Any]] = []
    for name in sorted(registry.schemas):
        entry = registry.schemas[name]
        published = sorted(entry.published, key=lambda p: semver.sort_key(p.version))
        published = [p for p in published if p.descriptor is not None and p.path.is_dir()]
        if not published:
            continue
        latest = published[-1]
        descriptor = latest.descriptor or {}
        keywords = descriptor.get("keywords")
        labels = [LABEL] + [k for k in keywords or [] if isinstance(k, str)]
        schemas.append(
            {
                "name": name,
                "title": str(descriptor.get("title") or name),
                "description": str(descriptor.get("description") or ""),
                "schema_url": schema_url(base_url, name, "latest"),
                "schema_type": "tableschema",
                "contact": _contact(entry, descriptor, base_url),
                "examples": _examples(base_url, entry, latest),
                "labels": labels,
                "consolidation_dataset_id": None,
                "versions": [
                    {"version_name": p.version, "schema_url": schema_url(base_url, name, p.version)}
                    for p in published
                ],
                "external_doc": f"{base_url}schemas/{name}/",
                "external_tool": None,
                "homepage": f"{base_url}schemas/{name}/",
            }
        )
    return {"$schema": CATALOG_SCHEMA_URL, "version": 1, "schemas": schemas}


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    element.text = text
    return element


def _timestamp(date: str | None) -> str:
    if is_iso_date(date):
        return f"{date}T00:00:00Z"
    return "1970-01-01T00:00:00Z"


def feed(registry: Registry, base_url: str) -> bytes:
    """An Atom feed of every published version, newest first."""
    releases: list[tuple[SchemaEntry, PublishedVersion]] = [
        (entry, version) for entry in registry.schemas.values() for version in entry.published
    ]
    releases.sort(
        key=lambda item: (_timestamp(item[1].date), item[0].name, semver.sort_key(item[1].version)),
        reverse=True,
    )
    ET.register_namespace("", ATOM_NS)
    root = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "fr"})
    _text(root, "id", f"{base_url}{FEED_FILE}")
    _text(root, "title", "Registre des schémas ESR : nouvelles versions publiées")
    _text(
        root,
        "subtitle",
        "Chaque version publiée d'un schéma de données de l'enseignement supérieur et de la "
        "recherche, avec ses changements.",
    )
    _text(root, "updated", max((_timestamp(v.date) for _, v in releases), default=_timestamp(None)))
    ET.SubElement(root, f"{{{ATOM_NS}}}link", {"rel": "self", "href": f"{base_url}{FEED_FILE}"})
    ET.SubElement(root, f"{{{ATOM_NS}}}link", {"rel": "alternate", "href": base_url})
    author = ET.SubElement(root, f"{{{ATOM_NS}}}author")
    _text(author, "name", "Registre des schémas ESR")
    for entry, version in releases:
        item = ET.SubElement(root, f"{{{ATOM_NS}}}entry")
        title = (version.descriptor or {}).get("title") or entry.name
        _text(item, "id", schema_url(base_url, entry.name, version.version))
        _text(item, "title", f"{title} — version {version.version}")
        _text(item, "updated", _timestamp(version.date))
        _text(item, "published", _timestamp(version.date))
        ET.SubElement(
            item,
            f"{{{ATOM_NS}}}link",
            {"rel": "alternate", "href": f"{base_url}schemas/{entry.name}/{version.version}/"},
        )
        ET.SubElement(
            item,
            f"{{{ATOM_NS}}}link",
            {
                "rel": "enclosure",
                "type": "application/json",
                "href": schema_url(base_url, entry.name, version.version),
            },
        )
        ET.SubElement(item, f"{{{ATOM_NS}}}category", {"term": entry.name})
        summary = version.changelog_section.strip() or f"Version {version.version} de {entry.name}."
        _text(item, "content", summary, type="text")
    ET.indent(root)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(root, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )


def write_catalog(ctx: Any) -> None:
    """Registry producer: ``schemas.json`` at the root of the output folder."""
    data = catalog(ctx.registry, ctx.base_url)
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    (ctx.out_dir / CATALOG_FILE).write_text(dumps_canonical(data), encoding="utf-8")


def write_feed(ctx: Any) -> None:
    """Registry producer: ``feed.xml`` (Atom) at the root of the output folder."""
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    (ctx.out_dir / FEED_FILE).write_bytes(feed(ctx.registry, ctx.base_url))


def load_catalog_schema() -> dict[str, Any]:
    data = json.loads(catalog_schema_path().read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data
