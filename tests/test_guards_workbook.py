"""The workbook guard's searches for far cells: exactly the references beyond the
farthest row or column seen so far, no more (every cell would be matched), no fewer (a
far cell would go unseen and calamine would allocate its whole rectangle)."""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from esr_schemas import guards


@pytest.mark.parametrize("row", [1, 5, 9, 10, 19, 99, 100, 101, 999, 12345, 99999, 100001, 1048576])
def test_far_rows_are_exactly_the_rows_beyond(row: int) -> None:
    pattern = guards._far_rows(row)
    candidates = [*range(max(0, row - 300), row + 300), row * 10, row * 10 + 7, 10**8, 999999999]
    for value in candidates:
        found = pattern.search(b' r="AB%d"' % value)
        assert bool(found) == (value > row), (row, value)
        if found:
            assert int(found.group(1)) == value


def test_far_columns_are_exactly_the_columns_beyond() -> None:
    for column in [*range(1, 800), 16383, 16384, 18277]:
        pattern = guards._far_columns(guards.column_letters(column))
        for other in [*range(1, 1000), 16384, 18278]:
            reference = b' r="' + guards.column_letters(other) + b'12"'
            assert bool(pattern.search(reference)) == (other > column), (column, other)
    assert not guards._far_columns(b"ZZZZ").search(b' r="ZZZZ1"')


def test_polars_pattern_finds_exactly_the_references_beyond() -> None:
    """The fast search (polars) takes out the same references as the exact ones: a
    cell's or a row's (no letters), whole, whatever their quotes."""
    import polars as pl

    for column, row in [(1, 1), (13, 100001), (26, 9), (27, 99), (702, 1048576), (18278, 5)]:
        letters = guards.column_letters(column)
        pattern = guards._beyond(letters, row)
        others = [*range(max(1, column - 30), column + 30), 16384, 18278]
        rows = [*range(max(1, row - 30), row + 30), row * 10, 999999999]
        texts, expected = [], []
        for other in others:
            for value in rows:
                for reference in (guards.column_letters(other) + b"%d" % value, b"%d" % value):
                    beyond = value > row or (reference[:1].isalpha() and other > column)
                    for quote in (b'"', b"'"):
                        texts.append(b"<c r=" + quote + reference + quote + b"/>")
                        expected.append(beyond)
        found = pl.Series(texts, dtype=pl.Binary).cast(pl.String).str.contains(pattern)
        assert found.to_list() == expected, (column, row)
        whole = pl.Series(texts, dtype=pl.Binary).cast(pl.String).str.extract(pattern, 0)
        for text, match in zip(texts, whole.to_list(), strict=True):
            if match is not None:  # the whole reference, from " r=" to its closing quote
                assert text.decode() == "<c" + match + "/>"


def _book(path: Path, rows: Iterable[str]) -> Path:
    """A workbook holding one sheet of the given row elements."""
    parts = {
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": "<Relationships/>",
        "xl/workbook.xml": "<workbook/>",
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet><sheetData>'
        + "".join(rows)
        + "</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8", errors="surrogateescape"))
    return path


def _ordinary(first: int, last: int, text: str = "Lycée") -> Iterator[str]:
    for i in range(first, last):
        yield (
            f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}" t="inlineStr"><is><t>{text}</t>'
            f'</is></c><c r="C{i}"><v>1</v></c></row>'
        )


@pytest.mark.parametrize(
    "far",
    [
        '<c r="XFD70000"><v>1</v></c>',
        "<c r='XFD70000'><v>1</v></c>",
        '<c\tr = "XFD70000"><v>1</v></c>',
        '<c\nr="A9000000"><v>1</v></c>',
        "<c r='B987654321' s=\"1\"><v>1</v></c>",
    ],
    ids=["guillemets", "apostrophes", "tabulation", "saut-de-ligne", "ligne"],
)
@pytest.mark.parametrize("latin1", [False, True], ids=["utf8", "latin1"])
def test_a_far_cell_is_found_in_any_block_however_written(
    tmp_path: Path, far: str, latin1: bool
) -> None:
    """A far cell after several blocks of ordinary rows (the fast search), written with
    apostrophes or other whitespace, or in a sheet that is not UTF-8 (the exact one)."""
    text = "Lyc\udce9e" if latin1 else "Lycée"  # a lone byte 0xE9: not UTF-8
    rows = [*_ordinary(1, 60_000, text), f'<row r="60000">{far}</row>', *_ordinary(60_001, 70_000)]
    book = _book(tmp_path / "loin.xlsx", rows)
    assert book.stat().st_size > 0
    with zipfile.ZipFile(book) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 2 * guards.SCAN_BLOCK
    with pytest.raises(guards.Refused, match="refusé par précaution"):
        guards.check_workbook(book)
    # the thread that inflated the blocks ahead has stopped with the refusal
    assert not [t for t in threading.enumerate() if t.name == "esr-inflate"]


def test_an_ordinary_sheet_passes_and_is_kept(tmp_path: Path) -> None:
    """Error cells are the reader's business, not the guard's: it keeps the XML, in
    which the reader finds them."""
    rows = [*_ordinary(1, 60_000), '<row r="60000"><c r="B60000" t="e"><v>#N/A</v></c></row>']
    book = _book(tmp_path / "ordinaire.xlsx", [*rows, *_ordinary(60_001, 70_000)])
    scan = guards.check_workbook(book)
    assert scan.error_parts is None
    with zipfile.ZipFile(book) as archive:
        assert b"".join(scan.xml["xl/worksheets/sheet1.xml"]) == archive.read(
            "xl/worksheets/sheet1.xml"
        )
