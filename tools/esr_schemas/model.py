"""The registry as plain objects. Every output (check, validate, templates, site,
catalog) is a function of this model; nothing else re-reads the repository files."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .findings import Finding


@dataclass
class ChangelogEntry:
    version: str
    date: str | None
    body: str
    line: int


@dataclass
class InvalidExample:
    path: Path
    expected_error: str
    """The error type the file must fail with: a frictionless code or one of ours."""


@dataclass
class PublishedVersion:
    """An immutable snapshot under ``schemas/<name>/versions/<version>/``."""

    version: str
    path: Path
    date: str | None
    descriptor: dict[str, Any] | None
    recorded_hashes: dict[str, str]
    """Relative file path -> sha256, as recorded at release time in versions/index.json."""
    readme: str = ""
    changelog_section: str = ""
    valid_examples: list[Path] = field(default_factory=list)
    invalid_examples: list[InvalidExample] = field(default_factory=list)
    altered_files: list[str] = field(default_factory=list)
    """Files (relative paths) added, removed or changed since the hashes were recorded."""

    @property
    def verified(self) -> bool:
        """Recorded in versions/index.json and unchanged since: safe to read."""
        return bool(self.recorded_hashes) and not self.altered_files


@dataclass
class SchemaEntry:
    name: str
    path: Path
    schema_file: Path
    raw: bytes | None
    descriptor: dict[str, Any] | None
    """None when schema.json is missing or unreadable: see ``load_findings``."""
    readme: str | None
    changelog: list[ChangelogEntry]
    changelog_file: Path
    valid_examples: list[Path]
    invalid_examples: list[InvalidExample]
    published: list[PublishedVersion]
    versions_index_file: Path
    load_findings: list[Finding] = field(default_factory=list)

    @property
    def version(self) -> str | None:
        if self.descriptor is None:
            return None
        value = self.descriptor.get("version")
        return value if isinstance(value, str) else None

    @property
    def fields(self) -> list[dict[str, Any]]:
        if self.descriptor is None:
            return []
        fields = self.descriptor.get("fields")
        if not isinstance(fields, list):
            return []
        return [f for f in fields if isinstance(f, dict)]

    @property
    def title(self) -> str:
        if self.descriptor and isinstance(self.descriptor.get("title"), str):
            return str(self.descriptor["title"])
        return self.name

    def published_version(self, version: str) -> PublishedVersion | None:
        return next((p for p in self.published if p.version == version), None)

    @property
    def latest_published(self) -> PublishedVersion | None:
        return self.published[-1] if self.published else None


@dataclass
class Referentiel:
    """A shipped code list: ``referentiels/<name>.csv`` plus ``<name>.json`` metadata."""

    name: str
    csv_path: Path
    meta_path: Path
    metadata: dict[str, Any]
    columns: list[str]
    loaded_rows: list[dict[str, str]] | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[dict[str, str]]:
        """The rows, read from ``csv_path`` on first use: a command that never looks at
        a référentiel's codes (``validate`` of most files, ``--help``) does not pay for
        reading the longer ones (48,401 diplomas: 0.3 s)."""
        if self.loaded_rows is None:
            text = self.csv_path.read_text(encoding="utf-8-sig")
            self.loaded_rows = [dict(row) for row in csv.DictReader(io.StringIO(text))]
        return self.loaded_rows

    @property
    def codes(self) -> list[str]:
        return [row["code"] for row in self.rows]

    @property
    def partial(self) -> bool:
        """An extract of a longer official list (``"partiel": true``): a code it does not
        list may still be valid, so it never rejects one."""
        return self.metadata.get("partiel") is True

    @property
    def title(self) -> str:
        return str(self.metadata.get("title", self.name))


@dataclass
class Registry:
    root: Path
    schemas: dict[str, SchemaEntry]
    referentiels: dict[str, Referentiel]
    common_fields: list[dict[str, Any]]
    common_fields_file: Path
    exceptions_file: Path
    exceptions: list[dict[str, Any]]
    load_findings: list[Finding] = field(default_factory=list)

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def get(self, name: str) -> SchemaEntry:
        return self.schemas[name]
