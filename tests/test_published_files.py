"""Every file the site publishes is the one the commands write, byte for byte.

The site is built for real (``build_site``, strict mkdocs); the templates are then
written again by ``esr-schemas template NAME@VERSION`` in this process and compared.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import REPO
from esr_schemas.cli import main
from esr_schemas.datapackage import FILENAME, build_descriptor
from esr_schemas.jsonutil import dumps_canonical
from esr_schemas.loader import load_registry


@pytest.fixture(scope="module")
def site(repo_site: Path) -> Path:
    return repo_site


def _published() -> list[tuple[str, str]]:
    registry = load_registry(REPO)
    return [
        (entry.name, version.version)
        for entry in registry.schemas.values()
        for version in entry.published
    ]


@pytest.mark.parametrize(("name", "version"), _published())
def test_site_templates_are_the_command_output(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, version: str
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["template", f"{name}@{version}", "-o", str(tmp_path)]) == 0
    written = sorted(tmp_path.iterdir())
    assert [p.suffix for p in written] == [".csv", ".xlsx"]
    for path in written:
        published = site / "schemas" / name / version / path.name
        assert published.read_bytes() == path.read_bytes(), published
        if version == _latest(name):
            latest = site / "schemas" / name / "latest" / path.name
            assert latest.read_bytes() == path.read_bytes(), latest


def _latest(name: str) -> str | None:
    latest = load_registry(REPO).schemas[name].latest_published
    return latest.version if latest else None


def test_offre_formation_site_workbook_has_the_type_diplome_dropdown(site: Path) -> None:
    """The symptom of issue 13: the site's workbook lacked the code-list dropdowns."""
    path = next((site / "schemas" / "offre-formation" / "latest").glob("modele-*.xlsx"))
    sheet = load_workbook(path)["Données"]
    header = [cell.value for cell in sheet[1]]
    letter = sheet.cell(row=1, column=header.index("type_diplome") + 1).column_letter
    lists = [
        dv
        for dv in sheet.data_validations.dataValidation
        if dv.type == "list" and any(str(r).startswith(f"{letter}2") for r in dv.sqref.ranges)
    ]
    assert lists, "pas de liste déroulante sur type_diplome"


def test_site_datapackages_are_the_library_output(site: Path) -> None:
    registry = load_registry(REPO)
    for entry in registry.schemas.values():
        for version in entry.published:
            published = site / "schemas" / entry.name / version.version / FILENAME
            expected = dumps_canonical(build_descriptor(entry, version)).encode("utf-8")
            assert published.read_bytes() == expected, published
