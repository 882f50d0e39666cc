"""Workbooks read as frictionless reads them: every row of the sheet's used range at the
sheet's width, and each cell's type (dates, numbers, text codes) kept.

Each workbook is written with openpyxl, then validated by our engine and by
frictionless-py; both must report the same multiset of (type, row, field).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from differential.harness import same_errors
from openpyxl.styles import Font

from esr_schemas.validation import UnusableInput, validate_file
from esr_schemas.validation.reading import open_source

SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "code", "type": "string", "constraints": {"pattern": "[0-9]{5}"}},
        {"name": "nombre", "type": "integer"},
        {"name": "taux", "type": "number"},
        {"name": "jour", "type": "date"},
        {"name": "moment", "type": "datetime"},
        {"name": "actif", "type": "boolean"},
    ]
}
NAMES = [f["name"] for f in SCHEMA["fields"]]


def _save(tmp_path: Path, rows: list[list[Any]], name: str = "classeur.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_a_blank_trailing_header_cell_is_a_blank_label(tmp_path: Path) -> None:
    rows = [NAMES + [None], ["01234", 1, 2.5, None, None, True, "hors en-tête"]]
    errors = same_errors(_save(tmp_path, rows), SCHEMA)
    assert errors[("blank-label", 0, "")] + errors[("extra-label", 0, "")] >= 1
    assert not [e for e in errors if e[0] in ("missing-label", "missing-cell")]


def test_trailing_empty_cells_are_empty_not_missing(tmp_path: Path) -> None:
    rows = [NAMES, ["01234", 1], ["75001", None, 3.5], ["75002", 3, 1.5, dt.date(2024, 1, 2)]]
    errors = same_errors(_save(tmp_path, rows), SCHEMA)
    assert not errors


def test_a_wide_sheet_gives_no_spurious_missing_cells(tmp_path: Path) -> None:
    """One cell far right widens every row: the empty cells between are empty, not
    missing, and the header cells above them are blank labels."""
    rows = [NAMES, ["01234", 1, 2.5, dt.date(2024, 1, 2), None, False] + [None] * 6 + ["x"]]
    rows += [["75001", 2]] * 20
    errors = same_errors(_save(tmp_path, rows), SCHEMA)
    assert not [e for e in errors if e[0] == "missing-cell"]
    assert sum(n for e, n in errors.items() if e[0] in ("blank-label", "extra-label")) >= 7


def test_an_empty_header_row_gives_header_errors(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for column, value in enumerate(["01234", 1, 2.5, None, None, True], start=1):
        sheet.cell(row=2, column=column, value=value)
    path = tmp_path / "sans-entete.xlsx"
    workbook.save(path)
    errors = same_errors(path, SCHEMA)
    assert sum(n for e, n in errors.items() if e[0].endswith("-label")) >= len(NAMES)


def test_formatted_empty_cells_inside_the_used_range(tmp_path: Path) -> None:
    """Cells with a style but no value (what a spreadsheet leaves after a deletion)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(NAMES)
    sheet.append(["01234", 1, 2.5, dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4), True])
    for row in range(3, 6):
        for column in range(1, 9):
            sheet.cell(row=row, column=column).font = Font(bold=True)
    sheet.cell(row=4, column=1, value="75001")
    path = tmp_path / "styles.xlsx"
    workbook.save(path)
    same_errors(path, SCHEMA)


@pytest.mark.parametrize("mixed", [False, True], ids=["one-kind-per-column", "mixed-columns"])
def test_dates_numbers_and_text_codes(tmp_path: Path, mixed: bool) -> None:
    """Dates, numbers and codes typed as text (leading zeros): one kind of cell per
    column (our fast reading), or kinds mixed in a column (cell by cell)."""
    rows: list[list[Any]] = [NAMES]
    for i in range(1, 60):
        rows.append(
            [
                f"{i:05d}",
                i * 3,
                i / 8,
                dt.date(2024, 1 + i % 12, 1 + i % 28),
                dt.datetime(2024, 1 + i % 12, 1 + i % 28, i % 24, i % 60, i % 7),
                i % 2 == 0,
            ]
        )
    rows.append(["0750", 2**40, 1e-7, dt.date(1999, 12, 31), dt.datetime(2000, 1, 1), False])
    rows.append(
        ["abcde", -4, -0.0, dt.date(2024, 2, 29), dt.datetime(2024, 2, 29, 23, 59, 59), True]
    )
    if mixed:
        rows += [
            [1234, "12", "3.5", "2024-03-12", "2024-03-12T10:30:00", "true"],
            ["01234", 12.5, True, dt.datetime(2024, 3, 12, 10, 30), dt.date(2024, 3, 12), 1],
            [dt.date(2024, 1, 1), "x", "3,5", "12/03/2024", "hier", "oui"],
        ]
    errors = same_errors(_save(tmp_path, rows), SCHEMA)
    assert errors[("constraint-error", 61, "code")] == 1  # "0750": a text code kept as typed
    if mixed:
        assert errors[("type-error", 63, "code")] == 1  # a code typed as a number
        assert errors[("type-error", 64, "actif")] == 1  # a number in a boolean column
        assert errors[("type-error", 64, "jour")] == 1  # a date-time in a date column


def test_date_times_in_mixed_columns_of_every_kind_of_field(tmp_path: Path) -> None:
    """Columns mixing date-times with a text cell, which fastexcel writes out as text
    (rewritten from that text, or parsed when a fraction of a second is there): at
    midnight or not, under date, date-time (with and without a format), text and
    ``any`` fields; times alone under a time field. (Left out, where we differ from
    frictionless: a time alone under a date-time field, midnight alone under a time
    field, a fraction of a second under a date-time format without one.)"""
    schema: dict[str, Any] = {
        "fields": [
            {"name": "jour", "type": "date"},
            {"name": "moment", "type": "datetime"},
            {"name": "moment_iso", "type": "datetime", "format": "%Y-%m-%dT%H:%M:%S"},
            {"name": "texte", "type": "string"},
            {"name": "libre", "type": "any"},
            {"name": "heure", "type": "time"},
        ]
    }
    moments = [
        dt.datetime(2024, 3, 12),
        dt.datetime(2024, 3, 12, 14, 30, 5),
        dt.datetime(1999, 12, 31, 23, 59, 59),
        dt.datetime(2024, 3, 12, 14, 30, 5, 250000),
    ]
    rows: list[list[Any]] = [[f["name"] for f in schema["fields"]]]
    for i in range(48):
        moment = moments[i % len(moments)]
        whole = moment.replace(microsecond=0)
        clock = dt.time(9 + i % 3, 15, 30 + i % 2)
        rows.append([moment, moment, whole, moment, moment, clock])
    rows.append(["inconnu"] * len(schema["fields"]))  # every column becomes mixed
    errors = same_errors(_save(tmp_path, rows), schema)
    assert errors[("type-error", 50, "jour")] == 1  # the text cell
    assert errors[("type-error", 3, "jour")] == 1  # a date-time in a date field
    assert errors[("type-error", 3, "moment_iso")] == 0  # 14:30:05 in the format
    assert errors[("type-error", 3, "texte")] == 1  # a date-time in a text field
    assert not any(f in ("heure", "libre") and row < 50 for _, row, f in errors)


def test_excel_error_cells_are_reported_not_blank(tmp_path: Path) -> None:
    """Excel keeps ``#N/A`` and ``#DIV/0!`` as error cells; both readers would give an
    empty cell. Here they are errors (frictionless would read the code as text)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(NAMES)
    sheet.append(["01234", 1, 2.5, dt.date(2024, 1, 2), None, True])
    sheet.append(["01235", 2, 2.5, dt.date(2024, 1, 2), None, True])
    for ref, code in (("B3", "#N/A"), ("C2", "#DIV/0!")):
        sheet[ref] = code
        sheet[ref].data_type = "e"
    path = tmp_path / "erreurs.xlsx"
    workbook.save(path)
    report = validate_file(path, SCHEMA)
    found = sorted((e.row_number, e.field_name, e.cell) for e in report.errors)
    assert found == [(2, "taux", "#DIV/0!"), (3, "nombre", "#N/A")]
    assert all("erreur de formule Excel" in e.message for e in report.errors)
    assert "Ligne 3, colonne « nombre »" in report.errors[-1].message or any(
        "Ligne 3, colonne « nombre »" in e.message for e in report.errors
    )


def test_ods_workbooks_are_read(tmp_path: Path) -> None:
    """An OpenDocument spreadsheet (LibreOffice's own format), converted by LibreOffice."""
    import shutil
    import subprocess

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) absent")
    source = _save(
        tmp_path,
        [NAMES, ["01234", 1, 2.5, dt.date(2024, 1, 2), None, None], ["1234", "x", 1, None]],
    )
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "ods", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    path = tmp_path / "classeur.ods"
    assert zipfile.is_zipfile(path)
    report = validate_file(path, SCHEMA)
    found = sorted((e.type, e.row_number, e.field_name) for e in report.errors)
    assert found == [("constraint-error", 3, "code"), ("type-error", 3, "nombre")], found
    assert open_source(path).labels == NAMES


def test_a_zip_that_is_no_workbook(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("lisez-moi.txt", "rien")
    with pytest.raises(UnusableInput):
        validate_file(path, SCHEMA)


@pytest.mark.parametrize("mixed", [False, True], ids=["numbers", "numbers-and-text"])
def test_years_typed_as_numbers(tmp_path: Path, mixed: bool) -> None:
    """frictionless takes a whole number 0..9999 in a year column as a year (24 too)."""
    schema = {"fields": [{"name": "annee", "type": "year"}, {"name": "n", "type": "integer"}]}
    rows: list[list[Any]] = [["annee", "n"], [2024, 1], [24, 2], [20245, 3], [-1, 4], [2.5, 5]]
    if mixed:
        rows += [["2024", 6], ["24", 7]]
    errors = same_errors(_save(tmp_path, rows), schema)
    assert errors[("type-error", 3, "annee")] == 0
    assert errors[("type-error", 4, "annee")] == 1


def _mixed_far_down(tmp_path: Path) -> Path:
    """3,000 rows, so that the kinds seen in the sheet's first rows (what the reader
    samples to choose which cells to look for) are not those of the exceptions further
    down: codes typed as text that look like numbers, with a few typed as numbers; numbers
    with a few typed as text; booleans with a « oui »."""
    rows: list[list[Any]] = [NAMES]
    for i in range(1, 3001):
        rows.append(
            [
                f"{10000 + i}",  # text that fastexcel's numbers look like
                i,
                i / 4,
                dt.date(2024, 1 + i % 12, 1 + i % 28),
                dt.datetime(2024, 1 + i % 12, 1 + i % 28, i % 24),
                i % 2 == 0,
            ]
        )
    rows[1500][0] = 11499  # the same code typed as a number
    rows[2000][1] = "2000"  # a number typed as text
    rows[2500][5] = "oui"
    rows[2700][3] = "2024-03-12"  # a date typed as text
    return _save(tmp_path, rows)


def test_mixed_columns_whose_exceptions_lie_far_down(tmp_path: Path) -> None:
    errors = same_errors(_mixed_far_down(tmp_path), SCHEMA)
    assert errors[("type-error", 1501, "code")] == 1
    assert errors[("type-error", 2501, "actif")] == 1
    assert sum(errors.values()) == 2, errors


@pytest.mark.parametrize("late", ["texte", "nombre"])
def test_mixed_columns_with_as_many_kinds_in_the_first_rows(tmp_path: Path, late: str) -> None:
    """Columns whose first rows hold as many text cells as others (the header, one
    number, then nothing): nothing tells which kind will be rare, and they are searched
    once fastexcel is done. Further down, mostly one kind with one exception: a text
    among numbers, a number among codes typed as text."""
    rows: list[list[Any]] = [NAMES]
    for i in range(1, 3001):
        code: Any = f"{20000 + i}" if i > 1500 else 10000 + i if i == 1 else None
        nombre: Any = i if i > 1500 or i == 1 else None
        rows.append([code, nombre, i / 4, dt.date(2024, 1, 1 + i % 28), None, True])
    if late == "texte":
        rows[2200][1] = "douze"
    else:
        rows[2200][0] = 22199
    errors = same_errors(_save(tmp_path, rows), SCHEMA)
    assert errors[("type-error", 2, "code")] == 1  # the number of the first rows
    field = "nombre" if late == "texte" else "code"
    assert errors[("type-error", 2201, field)] == 1
    assert sum(errors.values()) == 2, errors


def test_the_xml_the_guard_kept_reads_as_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader searches the XML the workbook guard kept, or decompresses the sheet
    again when the guard kept nothing (a sheet beyond ``XLSX_KEEP_XML``): same report."""
    from esr_schemas import guards

    path = _mixed_far_down(tmp_path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    sheet["B40"] = "#N/A"
    sheet["B40"].data_type = "e"
    workbook.save(path)

    def triples() -> list[tuple[str, int | None, str | None, str]]:
        report = validate_file(path, SCHEMA)
        return [(e.type, e.row_number, e.field_name, e.message) for e in report.errors]

    kept = triples()
    assert guards.check_workbook(path).xml
    monkeypatch.setattr(guards, "XLSX_KEEP_XML", 0)
    assert not guards.check_workbook(path).xml
    assert triples() == kept
    assert [(t, r, f) for t, r, f, _ in kept] == [
        ("type-error", 40, "nombre"),
        ("type-error", 1501, "code"),
        ("type-error", 2501, "actif"),
    ]


def test_an_empty_cell_written_open_and_closed(tmp_path: Path) -> None:
    """``<c r="A3" s="1"></c>`` (no value) in a column of codes with a number: empty, as
    openpyxl reads it, not a number."""
    rows: list[list[Any]] = [NAMES, ["01234", 1], ["01235", 2], [1234, 3], ["01236", 4]]
    path = _save(tmp_path, rows)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    start = xml.index(b'<c r="A3"')
    end = xml.index(b"</c>", start) + 4
    parts["xl/worksheets/sheet1.xml"] = xml[:start] + b'<c r="A3" t="n"></c>' + xml[end:]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    errors = same_errors(path, SCHEMA)
    assert errors[("type-error", 4, "code")] == 1
    assert errors[("type-error", 3, "code")] == 0


@pytest.mark.parametrize("kept", [True, False])
@pytest.mark.parametrize("first", ["nombres", "booleens"])
def test_booleans_among_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str, kept: bool
) -> None:
    """fastexcel makes a column of numbers and booleans a column of numbers (TRUE is
    1.0): the booleans are found in the XML and judged as frictionless judges them, in
    every type of field. The rare kind comes early (row 3) or late (row 2,000). (Not
    in a ``year`` field: frictionless takes TRUE there for the year 1, Python's
    ``True == 1``; we refuse it, in a column of booleans as among numbers.)"""
    from esr_schemas import guards

    types = ["integer", "number", "boolean", "string", "any"]
    schema = {"fields": [{"name": t, "type": t} for t in types]}
    rows: list[list[Any]] = [types]
    for i in range(1, 2501):
        rare = i in (2, 1999)
        boolean = (first == "nombres") == rare
        rows.append([bool(i % 2) if boolean else i % 3 for _ in types])
    if not kept:
        monkeypatch.setattr(guards, "XLSX_KEEP_XML", 0)
    errors = same_errors(_save(tmp_path, rows), schema)
    booleans = 2 if first == "nombres" else 2498
    assert errors[("type-error", 3, "integer")] == (first == "nombres")
    assert sum(v for (_, _, f), v in errors.items() if f == "integer") == booleans
    assert sum(v for (_, _, f), v in errors.items() if f == "boolean") == 2500 - booleans
    assert not any(f == "any" for _, _, f in errors)
