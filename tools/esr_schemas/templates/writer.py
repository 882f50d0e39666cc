"""Writes ``modele-<name>-<version>.xlsx`` and ``.csv``; the publishing producer."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from .cells import delimiter
from .source import TemplateSource

if TYPE_CHECKING:
    from ..model import PublishedVersion, SchemaEntry
    from ..publish import PublishContext


def header_csv(source: TemplateSource) -> bytes:
    """The header-only CSV template: UTF-8 without BOM, the schema's delimiter."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter(source.descriptor), lineterminator="\n").writerow(
        source.field_names
    )
    return out.getvalue().encode("utf-8")


def template_paths(source: TemplateSource, out_dir: Path) -> tuple[Path, Path]:
    stem = f"modele-{source.slug}"
    return out_dir / f"{stem}.xlsx", out_dir / f"{stem}.csv"


def write_templates(
    source: TemplateSource, out_dir: Path, *, overwrite: bool = True
) -> tuple[Path, Path]:
    """Both templates in ``out_dir``; an existing file is replaced only with
    ``overwrite`` (raises ``safe_write.WriteRefused`` otherwise, before writing anything)."""
    from ..safe_write import check_target, write_file
    from .workbook import build_workbook

    xlsx_path, csv_path = template_paths(source, out_dir)
    for path in (xlsx_path, csv_path):
        check_target(path, overwrite=overwrite)
    write_file(xlsx_path, build_workbook(source), overwrite=overwrite)
    write_file(csv_path, header_csv(source), overwrite=overwrite)
    return xlsx_path, csv_path


def version_templates(
    ctx: PublishContext, entry: SchemaEntry, version: PublishedVersion, dest: Path
) -> None:
    """Publishing producer: both templates in every published version's folder.

    The source comes from ``from_registry``, the very function ``esr-schemas template
    NAME@VERSION`` resolves through, so the site's files equal the command's byte for
    byte (the registry's référentiels included: they give the code-list dropdowns).
    """
    if version.descriptor is None or not isinstance(version.descriptor.get("fields"), list):
        return  # ``check`` reports the unreadable snapshot
    if not version.descriptor["fields"]:
        return
    from .source import from_registry

    source = from_registry(ctx.registry, f"{entry.name}@{version.version}", ctx.base_url)
    write_templates(source, dest)
