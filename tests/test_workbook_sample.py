"""fastexcel types each column from its first rows (``sheet_reader.SAMPLE_ROWS``); a
cell of another kind further down comes out empty. The reader finds such cells in the
XML: text cells are read there, anything else makes it read every row again. Either way
the sheet's text must be what reading every row gives, cell for cell.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from esr_schemas import guards
from esr_schemas.validation import sheet_reader, workbook
from esr_schemas.validation.reading import XLSX_MAX_CELLS

ROWS = 1300  # beyond the first 1,000 data rows fastexcel types from
HEADER = ["nombre", "taux", "jour", "actif", "code", "moment"]
TYPES = [
    ["integer", "number", "date", "boolean", "string", "datetime"],
    ["string"] * 6,
    ["any"] * 6,
    ["number", "integer", "datetime", "string", "integer", "date"],
]


def _rows() -> list[list[Any]]:
    rows: list[list[Any]] = [list(HEADER)]
    for i in range(1, ROWS + 1):
        rows.append(
            [
                i,
                i / 8,
                dt.date(2024, 1 + i % 12, 1 + i % 28),
                i % 3 == 0,
                f"{10000 + i}",
                dt.datetime(2024, 1 + i % 12, 1 + i % 28, i % 24, i % 60),
            ]
        )
    return rows


def _save(path: Path, rows: list[list[Any]], cells: dict[tuple[int, int], Any]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for (row, column), value in cells.items():
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            cell.number_format = "General"  # a number, even where a date was
    book.save(path)
    return path


def _rewrite_cells(path: Path, cells: dict[str, str]) -> None:
    """Replace whole cell elements of the sheet's XML (reference -> new element)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info.filename) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            if info.filename == "xl/worksheets/sheet1.xml":
                for reference, element in cells.items():
                    cell = re.compile(rf'<c r="{reference}"[^>]*?(?:/>|>.*?</c>)'.encode(), re.S)
                    data, count = cell.subn(element.encode(), data, count=1)
                    assert count == 1, reference
            archive.writestr(info, data)


def _load(path: Path, sample_rows: int | None) -> workbook.LoadedSheet:
    scan = guards.check_workbook(path)
    reader = sheet_reader.open_reader(path)
    return workbook.load_sheet(
        path, reader, reader.sheet_names[0], XLSX_MAX_CELLS, False, scan, sample_rows=sample_rows
    )


def _text(loaded: workbook.LoadedSheet, types: list[str]) -> tuple[Any, ...]:
    text = workbook.sheet_text(loaded, types)

    def masks(masks: dict[int, np.ndarray]) -> dict[int, list[int]]:
        return {c: np.flatnonzero(m).tolist() for c, m in masks.items() if m.any()}

    return (
        text.labels,
        text.frame.rows(),
        text.counts.tolist(),
        masks(text.forced),
        masks(text.formula_errors),
    )


def _same_as_every_row(path: Path) -> workbook.LoadedSheet:
    """The sheet read from its first rows, checked against every row read."""
    sampled = _load(path, sheet_reader.SAMPLE_ROWS)
    every = _load(path, None)
    for types in TYPES:
        assert _text(sampled, types) == _text(every, types), types
    return sampled


TEXTS = [
    "NC",
    "  espaces autour  ",
    "a & b <c> \"d\" 'e'",
    "deux\nlignes",
    "é€ — 😀",
    "12",
    "2024-03-12",
    "true",
    "# dièse",
]


def test_text_cells_far_down_are_read_from_the_xml(tmp_path: Path) -> None:
    """Text cells past the first rows in columns of numbers, dates, booleans and
    date-times: read from the XML, no second reading of the sheet."""
    cells = {}
    for k, value in enumerate(TEXTS):
        for column in (1, 2, 3, 4, 6):
            cells[(1010 + 10 * k + column, column)] = value
    path = _save(tmp_path / "textes.xlsx", _rows(), cells)
    sampled = _same_as_every_row(path)
    assert sampled.typed is not None
    assert sorted(sampled.texts) == [0, 1, 2, 3, 5]  # no column typed as text
    found = {(c, int(r)) for c, (rows, _) in sampled.texts.items() for r in rows}
    assert found == {(column - 1, row - 2) for row, column in cells}


def test_rich_inline_and_formula_text_cells(tmp_path: Path) -> None:
    rich = CellRichText(["gras ", TextBlock(InlineFont(b=True), "et"), " maigre"])
    path = _save(tmp_path / "riches.xlsx", _rows(), {(1100, 1): rich, (1101, 2): "partagé"})
    _rewrite_cells(
        path,
        {
            "A1102": '<c r="A1102" t="inlineStr"><is><t xml:space="preserve"> en ligne </t></is></c>',
            "B1103": '<c r="B1103" t="inlineStr"><is><r><t>deux</t></r><r><t> runs</t></r></is></c>',
            "C1104": '<c r="C1104" t="str"><f>"x"&amp;"y"</f><v>x&amp;y</v></c>',
            "F1105": '<c r="F1105" s="0" t="inlineStr"><is><t>&#233;t&#xE9;</t></is></c>',
            "A1106": '<c r="A1106" t="inlineStr"><is><t>\u00a0insécable\u00a0</t>'
            '<rPh sb="0" eb="1"><t>ph</t></rPh><phoneticPr fontId="1"/></is></c>',
            "B1107": '<c r="B1107" t="inlineStr"><is><t>\n  retrait \t</t></is></c>',
            "C1108": '<c r="C1108" t="str"><v> gardé </v></c>',
        },
    )
    sampled = _same_as_every_row(path)
    texts = {
        (c, int(r)): v
        for c, (rows, values) in sampled.texts.items()
        for r, v in zip(rows, values, strict=True)
    }
    assert texts == {
        (0, 1098): "gras et maigre",
        (1, 1099): "partagé",
        (0, 1100): " en ligne ",
        (1, 1101): "deuxruns",  # each run stripped, as fastexcel reads it
        (2, 1102): "x&y",
        (5, 1103): "été",
        (0, 1104): "\u00a0insécable\u00a0",
        (1, 1105): "retrait",
        (2, 1106): " gardé ",
    }


@pytest.mark.parametrize(
    "late",
    [
        {(1200, 1): dt.date(2024, 5, 6)},  # a date among numbers
        {(1200, 3): 45000.5},  # a number among dates
        {(1200, 1): True},  # a boolean among numbers
        {(1200, 4): 1},  # a number among booleans
        {(1200, 3): "x", (1201, 3): True},  # a text, then a boolean among dates
        {(1200, 1): "_x000D_ échappé"},  # an escape fastexcel reads its own way
        {(1200, 1): "retour\r chariot"},
    ],
)
def test_cells_of_another_kind_far_down(tmp_path: Path, late: dict[tuple[int, int], Any]) -> None:
    """Cells the XML alone does not settle: every row is read again, same text."""
    _same_as_every_row(_save(tmp_path / "autres.xlsx", _rows(), late))


def test_a_column_empty_in_its_first_rows(tmp_path: Path) -> None:
    """Empty for the first rows, numbers further down: fastexcel calls it text from
    the first rows, numbers from every row; the sheet reads as from every row."""
    rows = _rows()
    for i, row in enumerate(rows[1:], start=1):
        row.append(i / 2 if i > 1100 else None)
    rows[0].append("tardif")
    _same_as_every_row(_save(tmp_path / "tardif.xlsx", rows, {}))


def test_errors_and_styled_empty_cells_far_down(tmp_path: Path) -> None:
    path = _save(tmp_path / "erreurs.xlsx", _rows(), {(1150, 2): "texte"})
    _rewrite_cells(
        path,
        {
            "A1100": '<c r="A1100" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
            "C1101": '<c r="C1101" t="e"><v>#N/A</v></c>',
            "A1102": '<c r="A1102" s="1"/>',
            "B1103": '<c r="B1103" t="s"/>',
        },
    )
    sampled = _same_as_every_row(path)
    assert sampled.texts and sorted(sampled.texts) == [1]


def test_a_shared_string_table_of_rich_items(tmp_path: Path) -> None:
    """Many shared strings, some rich, one used far down in a column of numbers."""
    rows = _rows()
    for i, row in enumerate(rows[1:], start=1):
        row[4] = f"code {i}"
    cells: dict[tuple[int, int], Any] = {
        (1250, 1): CellRichText(["ri", TextBlock(InlineFont(i=True), "che")])
    }
    cells[(1251, 1)] = "code 700"  # a string shared with the code column
    sampled = _same_as_every_row(_save(tmp_path / "partages.xlsx", rows, cells))
    assert [v for _, values in sampled.texts.values() for v in values] == ["riche", "code 700"]


def test_a_header_cell_typed_as_a_number(tmp_path: Path) -> None:
    """The header row is not among the rows fastexcel types a column from: a number
    written like the header's, far down in a column of dates, is not taken for one of
    its cells."""
    rows = _rows()
    rows[0][2] = 2024  # a year as the header of the dates
    sampled = _same_as_every_row(_save(tmp_path / "entete.xlsx", rows, {(1200, 3): 7}))
    assert sampled.labels[2] == "2024"
    # and a header typed as a number is not a cell the first rows do not show
    path = _save(tmp_path / "entete-texte.xlsx", rows, {(1200, 3): "texte"})
    texts = _same_as_every_row(path).texts
    assert {c: (rows.tolist(), values) for c, (rows, values) in texts.items()} == {
        2: ([1198], ["texte"])
    }


def test_a_column_searched_once_fastexcel_is_done(tmp_path: Path) -> None:
    """A column whose first rows hold as many text cells as others (its header, one
    number) is searched after fastexcel, in the same XML as the others: its text cells
    and theirs are read, without reading every row again."""
    rows = _rows()
    rows[0].append("rare")
    for i, row in enumerate(rows[1:], start=1):
        row.append(5 if i == 1 or i > 1100 else None)
    cells = {(1200, 7): "texte tardif", (1210, 1): "NC"}
    sampled = _same_as_every_row(_save(tmp_path / "rare.xlsx", rows, cells))
    texts = {c: values for c, (_, values) in sampled.texts.items()}
    assert texts == {6: ["texte tardif"], 0: ["NC"]}


def test_the_xml_kept_to_read_text_cells_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond ``_FOREIGN_XML`` bytes of XML holding such text cells, none is kept: every
    row is read again, same text."""
    monkeypatch.setattr(workbook, "_FOREIGN_XML", 0)
    path = _save(tmp_path / "borne.xlsx", _rows(), {(1100, 1): "NC", (1200, 2): "n.c."})
    assert _same_as_every_row(path).texts == {}
