"""Quoted CSV cells read as frictionless reads them (Python's ``csv``), whichever path
our reader takes: polars for regular quoting, ``csv.reader`` for the rest.

Each file is validated by our engine and by frictionless-py; both must report the
same multiset of (type, row, field).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest
from differential.harness import same_errors

from esr_schemas.validation.reading import _parse_chunk, open_source

SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"unique": True}},
        {"name": "libelle", "type": "string", "constraints": {"maxLength": 40}},
        {"name": "ville", "type": "string", "constraints": {"enum": ["Lyon", "Valence; Drôme"]}},
        {"name": "effectif", "type": "integer", "constraints": {"minimum": 0}},
    ]
}
HEADER = [f["name"] for f in SCHEMA["fields"]]
TRICKY = [
    'Lycée "Jean Moulin", site de Valence',
    "Campus Troyes; bâtiment A",
    'dit ""le grand""',
    "deux\nlignes",
    "trois\r\nlignes\r\nici",
    '"',
    "",
    ";;",
    'fin "',
]


def _rows(count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    rows: list[list[str]] = []
    for i in range(1, count + 1):
        row = [str(i), rng.choice(TRICKY) if rng.random() < 0.4 else f"Site {i}"]
        row += [rng.choice(["Lyon", "Valence; Drôme", "Paris"]), str(rng.randrange(-2, 50))]
        shape = rng.random()
        if shape < 0.04:
            row = row[: rng.randrange(1, 4)]  # missing cells
        elif shape < 0.08:
            row += ["en trop", 'avec "guillemets"; et séparateur'][: rng.randrange(1, 3)]
        elif shape < 0.10:
            row = []  # blank row
        elif shape < 0.12:
            row[0] = str(max(1, i - 3))  # duplicate
        rows.append(row)
    return rows


def _write(path: Path, rows: list[list[str]], **options: Any) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", **options)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    "options",
    [
        {"lineterminator": "\n"},
        {"lineterminator": "\r\n"},
        {"lineterminator": "\n", "quoting": csv.QUOTE_ALL},
        {"lineterminator": "\r\n", "quoting": csv.QUOTE_NONNUMERIC},
    ],
    ids=["minimal-lf", "minimal-crlf", "all-lf", "nonnumeric-crlf"],
)
def test_quoted_files_same_errors(tmp_path: Path, options: dict[str, Any]) -> None:
    """Doubled quotes, separators and line breaks inside quotes, rows with missing and
    extra (quoted) cells, blank rows, duplicates."""
    path = _write(tmp_path / "guillemets.csv", _rows(400, seed=len(str(options))), **options)
    errors = same_errors(path, SCHEMA)
    kinds = {kind for kind, _, _ in errors}
    assert {"missing-cell", "extra-cell", "blank-row", "unique-error"} <= kinds


def test_regular_quotes_take_the_polars_path(tmp_path: Path) -> None:
    """A block whose quotes are regular is parsed by polars, with the cell counts of
    Python's ``csv``."""
    rows = _rows(300, seed=7)
    path = _write(tmp_path / "reguliers.csv", rows, lineterminator="\n")
    source = open_source(path)
    data = path.read_bytes()
    body = data[data.index(b"\n") + 1 :]
    from esr_schemas.validation.reading import _quoted_chunk

    parsed = _quoted_chunk(body, b";", b'"', len(HEADER))
    assert parsed is not None, "regular quoting: polars reads the block"
    counts, frame = parsed
    assert list(counts) == [len(r) for r in rows]
    for i, row in enumerate(rows):
        assert [frame[f"c{j}"][i] for j in range(len(row))] == row
    assert list(_parse_chunk(source, body)[0]) == [len(r) for r in rows]


@pytest.mark.parametrize(
    "text",
    [
        'id;libelle;ville;effectif\n1;"jamais fermé;Lyon;3\n2;b;Lyon;4\n',
        'id;libelle;ville;effectif\n1;a"b;Lyon;3\n2;"x"y;Lyon;4\n',
        'id;libelle;ville;effectif\n1;"a";Lyon;3\r2;b;Lyon;4\n',
        'id;libelle;ville;effectif\n1;"a"";Lyon;3\n2;"b;Lyon";4\n',
    ],
    ids=["quote-left-open", "quote-inside-a-cell", "lone-carriage-return", "odd-doubling"],
)
def test_irregular_quotes_same_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "irregulier.csv"
    path.write_bytes(text.encode("utf-8"))
    same_errors(path, SCHEMA)
