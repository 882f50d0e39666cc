"""Writes and verifies immutable published snapshots (``schemas/<name>/versions/``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from . import semver
from .jsonutil import dumps_canonical
from .loader import changelog_section, snapshot_files
from .model import SchemaEntry
from .safe_write import write_file

__all__ = ["SNAPSHOT_FILES", "snapshot_files", "write_snapshot"]

SNAPSHOT_FILES = ("schema.json", "README.md")


def write_snapshot(entry: SchemaEntry, version: str, date: str) -> Path:
    """Copies the working version into ``versions/<version>/`` and records its hashes.

    The caller refuses bad releases first (``versioning.release.refusals``).
    """
    dest = entry.path / "versions" / version
    if dest.exists() or dest.is_symlink():
        raise FileExistsError(f"La version {version} de « {entry.name} » est déjà publiée.")
    dest.mkdir(parents=True)
    for name in SNAPSHOT_FILES:
        source = entry.path / name
        if source.is_file():
            shutil.copyfile(source, dest / name)
    if (entry.path / "exemples").is_dir():
        shutil.copytree(entry.path / "exemples", dest / "exemples")
    text = (
        entry.changelog_file.read_text(encoding="utf-8") if entry.changelog_file.is_file() else ""
    )
    write_file(dest / "CHANGELOG.md", changelog_section(text, version), release=True)
    index_file = entry.versions_index_file
    index = json.loads(index_file.read_text(encoding="utf-8")) if index_file.is_file() else {}
    index[version] = {"date": date, "files": snapshot_files(dest)}
    ordered = dict(sorted(index.items(), key=lambda item: semver.sort_key(item[0])))
    write_file(index_file, dumps_canonical(ordered), overwrite=True)
    return dest
