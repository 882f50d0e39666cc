"""The search of a sheet's XML for the cells of mixed columns: polars' patterns (no
lookaround, run beside fastexcel's reading) find exactly the cells Python's do (and
the boolean cells of every column), on
ordinary XML and on odd XML (an attribute glued to ``t``, an unknown kind, a ``>``
inside an attribute, an empty cell, an error cell)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from esr_schemas.validation import workbook

# pieces of a cell's attributes, chosen to come near every way the two searches could
# part: the kinds of text and error, parts of their names, quotes, slashes, letters
PIECES = [
    *'t="si enlSrb/x>',
    "'",
    "é",
    ' t="s"',
    ' t="e"',
    ' t="str"',
    ' t="inlineStr"',
    ' t="n"',
    ' t="b"',
    ' t="d"',
    ' t="',
    ' t=""',
    't="s"',
    'xt="s"',
    'ét="s"',
    '\tt="s"',
    ' t="sx"',
    ' t="inlineSt"',
    ' t="inlineStrs"',
    ' t="ex"',
    "inlineStr",
    "nlineSt",
    ' s="3"',
    "<v>2</v>",
]


# the same without what makes the XML odd (see workbook._ODD_KIND): the rows made of
# these alone are searched by the fast pattern
PLAIN = [
    *'="enlSrb/x>',
    "'",
    "é",
    ' t="n"',
    ' t="b"',
    ' t="d"',
    ' t=""',
    ' s="3"',
    ' x="t"',
    "<v>2</v>",
]
PLAIN += [' t="s"', ' t="str"', ' t="inlineStr"', ' t="e"', ' t="', "t", "tt"]


def _cell(rng: random.Random, row: int, column: str, pieces: list[str]) -> str:
    attributes = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
    content = "<v>1</v></c>" if rng.random() < 0.5 else ""
    return f'<c r="{column}{row}"{attributes}>{content}'


def _rows(rng: random.Random, rows: int = 6) -> list[bytes]:
    """Rows of four cells, each row a piece of XML of its own: odd, or plain."""
    return [
        (
            f'<row r="{r}">'
            + "".join(_cell(rng, r, c, rng.choice([PIECES, PLAIN])) for c in ("A", "B", "C", "AB"))
            + "</row>"
        ).encode()
        for r in range(1, rows + 1)
    ]


def _sheet(rng: random.Random, rows: int = 6) -> bytes:
    return b"<sheetData>" + b"".join(_rows(rng, rows)) + b"</sheetData>"


def _cells(parts: list[np.ndarray]) -> list[tuple[int, ...]]:
    return sorted(map(tuple, np.concatenate(parts, axis=1).T.tolist())) if parts else []


def _same(group: list[bytes], few: list[int], many: list[int]) -> None:
    expected = workbook._python_cells(group, few, many, False, booleans=True)
    found = workbook._polars_cells(group, few, many, booleans=True)
    assert found is not None
    assert found[0] == expected[0], group
    assert _cells(found[1]) == _cells(expected[1]), group
    assert _cells(found[2]) == _cells(expected[2]), group
    assert _cells(found[3]) == _cells(expected[3]), group


@pytest.mark.parametrize("seed", range(8))
def test_polars_finds_the_cells_python_finds(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(250):
        _same(_rows(rng), few=[0, 1, 27], many=[2])


@pytest.mark.parametrize(
    ("attributes", "not_text"),
    [
        ("", True),
        (' s="1"', True),
        (' s="1" x="t"', True),
        (' tt="2"', True),
        (' t="n"', True),
        (' t="b"', True),
        (' t="d"', True),
        (' t=""', True),
        (' t="s"', False),
        (' t="str"', False),
        (' t="inlineStr"', False),
        (' t="e"', False),
        (' s="1" t="s"', False),
        ('\tt="s"', False),
        # not the attribute t (glued to a letter), or an unknown kind: not text, as
        # for the exact search
        ('xt="s"', True),
        (' t="sx"', True),
        (' t="inlineSt"', True),
        (' t="ex"', True),
    ],
)
def test_each_kind_of_cell(attributes: str, not_text: bool) -> None:
    cell = f'<c r="B7"{attributes}><v>1</v></c>'.encode()
    empty = f'<c r="B8"{attributes}/>'.encode()
    group = [b'<row r="7">' + cell + b'</row><row r="8">' + empty + b"</row>"]
    found = workbook._polars_cells(group, [1], [])
    assert found is not None
    boolean = int('t="b"' in attributes)
    assert _cells(found[1]) == ([(1, 7, boolean)] if not_text else [])
    _same(group, [1], [1])


def test_xml_that_is_not_utf8_goes_through_python() -> None:
    group = ['<row r="2"><c r="A2" t="n"><v>1</v></c><c r="B2" t="s">é</c></row>'.encode("latin-1")]
    assert workbook._polars_cells(group, [0], [1]) is None
    _, kinds, texts, _ = workbook._scan_cells(group, [0], [1])
    assert kinds[0][0].tolist() == [2]
    assert texts[1].tolist() == [2]


def test_a_sheet_searched_in_several_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet longer than a group of pieces is searched group by group, with the
    same cells found."""
    rng = random.Random(99)
    blocks = [_sheet(rng, rows=200) for _ in range(5)]
    whole = workbook._scan_cells(blocks, [0, 1], [2, 27])
    monkeypatch.setattr(workbook, "_SCAN_GROUP", 2000)
    assert sum(1 for _ in workbook._groups(workbook._row_chunks(blocks))) > 5
    pieces = workbook._scan_cells(blocks, [0, 1], [2, 27])
    assert pieces[0] == whole[0]
    assert _by_column(pieces) == _by_column(whole)
    assert _by_column(whole)[0]  # the sheet has cells of each search


def _by_column(scan: tuple) -> tuple[dict[int, list], dict[int, list]]:
    _, kinds, texts, _ = scan
    return (
        {
            c: sorted(zip(rows.tolist(), flags.tolist(), strict=True))
            for c, (rows, flags) in kinds.items()
        },
        {c: sorted(rows.tolist()) for c, rows in texts.items()},
    )


# attributes a cell may be written with, near each other (prefixes, one more or one less)
KINDS = [
    "",
    ' t="n"',
    ' s="1" t="n"',
    ' s="1"',
    ' s="12" t="n"',
    ' s="2" t="n"',
    ' t="b"',
    ' t="d"',
    ' s="1" t="b"',
    " t='n'",
    ' s="1" t="n" cm="1"',
    ' t="n" s="1"',
    ' s="1" t="n"/',
    ' t="s"',
    ' s="1" t="inlineStr"',
    ' s="1-2" t="n"',
    ' s="1.5" t="n"',
]


@pytest.mark.parametrize("seed", range(6))
def test_the_cells_not_written_as_in_the_first_rows(seed: int) -> None:
    """``_foreign_tags`` (no lookaround) takes out exactly the opening tags whose
    attributes are none of those of the column's first rows."""
    rng = random.Random(seed)
    for _ in range(40):
        plain = {c: frozenset(rng.sample(KINDS, rng.randint(1, 4))) for c in (0, 1, 27)}
        tags = [
            f'<c r="{letters}{row}"{rng.choice(KINDS)}>'
            for row in range(2, 40)
            for letters in ("A", "B", "C", "AB")
        ]
        text = "<row>" + "<v>1</v></c>".join(tags) + "</row>"
        found = workbook.pl.Series([text]).str.extract_all(
            workbook._foreign_tags([0, 1, 27], plain)
        )
        expected = [
            tag
            for tag in tags
            if (
                column := workbook.column_index(tag[6 : tag.index('"', 6)].rstrip("0123456789")) - 1
            )
            in plain
            and tag[tag.index('"', 6) + 1 : -1] not in plain[column]
        ]
        assert found.explode().drop_nulls().to_list() == expected, plain
