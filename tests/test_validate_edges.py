"""Edge cases of the validator, each compared with frictionless-py on the same real file:
patterns (anchoring, final newline, Python-only syntax), array items, spreadsheet cells,
quoted CSV cells, and an encoding that changes after the first block."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from differential.harness import same_errors

from esr_schemas.validation import validate_file
from esr_schemas.validation.columns import rust_translation
from esr_schemas.validation.reading import BLOCK_SIZE


def _write(path: Path, labels: list[str], rows: list[list[str]], **options: Any) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, **options)
        writer.writerow(labels)
        writer.writerows(rows)
    return path


def test_patterns_match_whole_cells_as_in_frictionless(tmp_path: Path) -> None:
    patterns = ["abc", "[0-9]{3}$", "a|b", "(x$|y)", "[[:alpha:]]+", "a$b", "\\d+", "[^$]+"]
    values = ["abc", "abc\n", "123", "123\n", "123\n\n", "a", "axyz", "b", "b\n", "bz", "x"]
    values += ["x\n", "yz", "alpha", ":", "[:a]", "a$b", "١٢٣", "$", "q"]
    schema = {
        "fields": [
            {"name": f"p{i}", "type": "string", "constraints": {"pattern": p}}
            for i, p in enumerate(patterns)
        ]
    }
    path = _write(
        tmp_path / "motifs.csv",
        [f["name"] for f in schema["fields"]],
        [[v] * len(patterns) for v in values],
    )
    errors = same_errors(path, schema)
    # "$" also matches before a final newline, as Python's re does
    assert ("constraint-error", 3, "p0") not in errors  # "abc\n" matches abc
    assert ("constraint-error", 5, "p1") not in errors  # "123\n" matches [0-9]{3}$
    assert ("constraint-error", 6, "p1") in errors  # "123\n\n" does not
    # alternation binds as in frictionless' "^a|b$": "axyz" matches "a|b"
    assert ("constraint-error", 8, "p2") not in errors


def test_rust_translation_keeps_python_meaning_or_falls_back() -> None:
    assert rust_translation("[0-9]{5}$") == "[0-9]{5}(?:\\n?\\z)"
    assert rust_translation("[$]") == "[$]"
    assert rust_translation("[]a]") == "[\\]a]"
    assert rust_translation("[[:alpha:]]") is None  # a POSIX class in Rust, not in Python
    assert rust_translation("[a-z&&[^e]]") is None
    assert rust_translation("a$b") is None


def test_array_item_errors_as_in_frictionless(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {
                "name": "liste",
                "type": "array",
                "arrayItem": {"type": "integer", "constraints": {"minimum": 0}},
            },
            {
                "name": "codes",
                "type": "array",
                "arrayItem": {
                    "type": "string",
                    "constraints": {"pattern": "[A-Z]{2}", "enum": ["AB", "CD"]},
                },
            },
        ]
    }
    rows = [
        ["1", "[1, 2]", '["AB"]'],
        ["2", "[-1, 3]", '["ab"]'],
        ["3", '["a"]', '["EF", "AB"]'],
        ["4", "[]", "[]"],
        ["5", "x", "[1]"],
        ["6", "[null]", '[""]'],
        ["7", "[1.5]", '["AB","AB"]'],
    ]
    errors = same_errors(_write(tmp_path / "listes.csv", ["id", "liste", "codes"], rows), schema)
    assert errors[("constraint-error", 3, "liste")] == 1  # item minimum 0
    assert errors[("constraint-error", 3, "codes")] == 2  # item pattern and item enum
    assert errors[("type-error", 4, "liste")] == 1  # item type


def test_spreadsheet_cells_become_text_as_frictionless_reads_them(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "code", "type": "string", "constraints": {"pattern": "[0-9]{5}"}},
            {"name": "nombre", "type": "integer"},
            {"name": "taux", "type": "number"},
            {"name": "jour", "type": "date"},
            {"name": "moment", "type": "datetime"},
            {"name": "actif", "type": "boolean"},
            {"name": "annee", "type": "year"},
        ]
    }
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([f["name"] for f in schema["fields"]])
    sheet.append(["01234", 12, 3.5, dt.date(2024, 3, 12), dt.datetime(2024, 3, 12, 10, 30), True])
    sheet.append([1234, 12.0, 2, dt.datetime(2024, 3, 12), "2024-03-12T10:30:00", "false", 2024])
    sheet.append(["75001", "12", "3,5", "12/03/2024", dt.date(2024, 3, 12), 1, "2024"])
    path = tmp_path / "classeur.xlsx"
    workbook.save(path)
    errors = same_errors(path, schema)
    assert set(errors) == {
        ("type-error", 3, "code"),  # a code typed as a number (its leading zero is lost)
        ("type-error", 4, "taux"),
        ("type-error", 4, "jour"),
        ("type-error", 4, "actif"),  # a number in a boolean column
    }
    report = validate_file(path, schema)
    code_error = next(e for e in report.errors if e.field_name == "code")
    assert code_error.fix.startswith("Le zéro initial a disparu : écrivez « 01234 »")
    assert "format Texte" in code_error.fix


def test_quoted_cells_read_by_polars_as_by_python_csv(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "id", "type": "integer", "constraints": {"unique": True}},
            {"name": "libelle", "type": "string", "constraints": {"maxLength": 12}},
            {"name": "note", "type": "string", "constraints": {"enum": ["a", 'b"c', "d;e"]}},
        ]
    }
    rows = [
        ["1", "Lille, Nord", "a"],
        ["2", 'dit "le grand"', 'b"c'],
        ["3", "deux\nlignes", "d;e"],
        ["4", "trop long pour la colonne", "x"],
        ["1", "", ""],
        ["6"],
        ["7", "b", "a", "en trop"],
    ]
    for name, options in {
        "minimal.csv": {"lineterminator": "\n"},
        "partout.csv": {"lineterminator": "\r\n", "quoting": csv.QUOTE_ALL},
    }.items():
        errors = same_errors(
            _write(tmp_path / name, ["id", "libelle", "note"], rows, **options), schema
        )
        assert errors[("constraint-error", 5, "libelle")] == 1
        assert errors[("unique-error", 6, "id")] == 1
        assert errors[("missing-cell", 7, "libelle")] == 1
        assert errors[("extra-cell", 8, "")] == 1


def test_windows_1252_after_the_first_block(tmp_path: Path) -> None:
    """The first block is plain ASCII (taken for UTF-8 at once); a later é in
    Windows-1252 restarts the reading with the whole-file detection."""
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "nom", "type": "string"}]}
    path = tmp_path / "tardif.csv"
    line = b"1,abcdefghijklmnopqrstuvwxyz\n"
    with path.open("wb") as handle:
        handle.write(b"id,nom\n" + line * (BLOCK_SIZE // len(line) + 10))
        handle.write("2,Université\nx,é\n".encode("cp1252"))
    report = validate_file(path, schema)
    assert report.encoding == "cp1252"
    assert [(e.type, e.cell) for e in report.errors] == [("type-error", "x")]
    assert any("UTF-8" in notice for notice in report.notices)


def test_lines_far_wider_than_the_header_are_counted_exactly(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "a", "type": "integer"}, {"name": "b", "type": "string"}]}
    path = _write(
        tmp_path / "large.csv",
        ["a", "b"],
        [["1", "x"], ["2", "y", "z", "w", "v"], ["3", "z"], ["4", "a", "b", "c"]],
    )
    # frictionless reports one extra-cell error per extra cell
    assert same_errors(path, schema) == {("extra-cell", 3, ""): 3, ("extra-cell", 5, ""): 2}


def test_many_unsettled_cells_are_judged_once_per_distinct_value(tmp_path: Path) -> None:
    """Past a few thousand cells the fast path cannot settle (an email column, integers
    written with spaces), the exact reader runs once per distinct value and its verdicts
    and keys are mapped back to every row: same errors as frictionless."""
    from esr_schemas.validation.columns import FEW_CELLS

    schema = {
        "fields": [
            {"name": "id", "type": "integer", "constraints": {"unique": True}},
            {"name": "courriel", "type": "string", "format": "email"},
            {"name": "effectif", "type": "integer", "constraints": {"minimum": 0}},
        ]
    }
    rows = []
    for i in range(1, 2 * FEW_CELLS + 500):
        identifier = f" {i} " if i % 2 else str(i)  # spaces: not settled by the fast path
        email = f"contact{i % 300}@univ-{i % 7}.fr" if i % 997 else "pas-un-courriel"
        effectif = f" {i % 50 - 3}" if i % 3 else "12"
        rows.append([identifier, email, effectif])
    rows.append(["15", "a@b.fr", "1"])  # row 16 has " 15 ": the same integer
    path = _write(tmp_path / "nombreux.csv", ["id", "courriel", "effectif"], rows)
    errors = same_errors(path, schema)
    assert errors[("unique-error", len(rows) + 1, "id")] == 1
    (duplicate,) = [e for e in validate_file(path, schema).errors if e.type == "unique-error"]
    assert duplicate.note == "the same as in the row at position 16"
    assert sum(n for (kind, _, name), n in errors.items() if name == "courriel") == 4
    assert sum(n for (kind, _, name), n in errors.items() if name == "effectif") > 100


def test_fast_paths_agree_with_the_exact_reader_on_tricky_spellings(tmp_path: Path) -> None:
    """Values the vectorised pass might wrongly settle (signs, spaces, other digits,
    lenient date parsing): the verdicts must stay those of frictionless."""
    tricky = {
        "annee": [
            "2024",
            "+123",
            "-000",
            "-123",
            "0000",
            " 202",
            "2024 ",
            "٢٠٢٤",
            "+202",
            "1e3",
            "9999",
            "10000",
        ],
        "jour": [
            "2024-03-12",
            "2024-3-12",
            "\t2024-3-1",
            "2024- 3- 1",
            "20245-03-1",
            "+024-03-12",
            "0999-01-01",
            "0000-01-01",
            "2023-02-29",
            "2024-02-29",
            "2024-02-30",
            "2024-12-31",
        ],
        "horodatage": [
            "2024-03-12T10:00:00",
            "2024-03-12T25:00:00",
            "2024-3-12T10:00:00",
            " 2024-03-12T10:00:0",
            "2024-03-12T10:00:00Z",
            "2024-03-12 10:00:00",
            "0001-01-01T00:00:00",
            "2024-02-30T10:00:00",
            "2024-03-12T10:00",
            "2024-03-12T10:00:60",
            "2024-03-12T23:59:60",
            "2024-03-12T24:00:00",
        ],
        "entier": [
            "12",
            "+12",
            "-0",
            "007",
            " 7",
            "1_000",
            "٣",
            "1.0",
            "9223372036854775808",
            "",
            "-9223372036854775808",
            "0x1F",
        ],
    }
    schema = {
        "fields": [
            {"name": "annee", "type": "year"},
            {"name": "jour", "type": "date"},
            {"name": "horodatage", "type": "datetime"},
            {"name": "entier", "type": "integer"},
        ]
    }
    rows = [list(values) for values in zip(*tricky.values(), strict=True)]
    path = _write(tmp_path / "pieges.csv", list(tricky), rows)
    errors = same_errors(path, schema)
    assert sum(n for (_, _, name), n in errors.items() if name == "annee") >= 4


def test_a_quote_never_closed_is_reported_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record growing past the size limit (a quote left open) stops the reading with
    the line where it starts, whatever block it began in."""
    from esr_schemas.validation import UnusableInput, reading

    monkeypatch.setattr(reading, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(reading, "MAX_RECORD", 64 * 1024)
    path = tmp_path / "guillemet.csv"
    rows = "".join(f"{i},ligne {i}\n" for i in range(1, 2001))
    path.write_text("id,nom\n" + rows + '2001,"jamais fermé\n' + "suite\n" * 20_000, "utf-8")
    with pytest.raises(UnusableInput) as caught:
        validate_file(path, {"fields": [{"name": "id"}, {"name": "nom"}]})
    assert "commençant ligne 2002 de guillemet.csv" in caught.value.message
    assert "guillemet n'est probablement jamais refermé" in caught.value.message
