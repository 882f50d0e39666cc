"""Each Table Schema type, constraint and error code, on real CSV files written to
``tmp_path``: the expected verdicts, and the same ones from frictionless-py."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from differential.harness import same_errors

from esr_schemas.validation import validate_file

# (field descriptor, cells that are valid, cells that are type errors)
TYPES: dict[str, tuple[dict[str, Any], list[str], list[str]]] = {
    "string": ({"type": "string"}, ["abc", "É", " "], []),
    "email": (
        {"type": "string", "format": "email"},
        ["contact@univ-lille.fr"],
        ["pas-un-mail", "a@"],
    ),
    "uri": ({"type": "string", "format": "uri"}, ["https://www.exemple.fr"], ["www.exemple"]),
    "uuid": (
        {"type": "string", "format": "uuid"},
        ["123e4567-e89b-12d3-a456-426614174000"],
        ["123e4567"],
    ),
    "binary": ({"type": "string", "format": "binary"}, ["aGVsbG8="], ["abc"]),
    "integer": ({"type": "integer"}, ["0", "-3", "007", "+5"], ["1.5", "1 000", "12a"]),
    "number": ({"type": "number"}, ["1.5", "-2", "1e3", ".5"], ["3,5", "abc"]),
    "number-fr": (
        {"type": "number", "decimalChar": ",", "groupChar": " "},
        ["3,5", "1 000,25"],
        ["3.5", "x"],
    ),
    "number-bare": ({"type": "number", "bareNumber": False}, ["12 €", "€1.5", "50%"], ["abc"]),
    "boolean": ({"type": "boolean"}, ["true", "FALSE", "1", "0"], ["oui", "yes"]),
    "boolean-fr": (
        {"type": "boolean", "trueValues": ["oui"], "falseValues": ["non"]},
        ["oui", "non"],
        ["true"],
    ),
    "date": ({"type": "date"}, ["2024-03-12", "2024-02-29"], ["12/03/2024", "2023-02-29"]),
    "date-format": ({"type": "date", "format": "%d/%m/%Y"}, ["12/03/2024"], ["2024-03-12"]),
    "date-any": ({"type": "date", "format": "any"}, ["12 March 2024", "2024-03-12"], ["hier"]),
    "time": ({"type": "time"}, ["10:00:00", "23:59:59"], ["25:00:00", "10h00"]),
    "datetime": (
        {"type": "datetime"},
        ["2024-03-12T10:00:00", "2024-03-12T10:00:00Z", "2024-03-12T10:00:00+01:00"],
        ["2024-03-12", "2024-03-12 10:00"],
    ),
    "year": ({"type": "year"}, ["2024", "1999"], ["24", "20245"]),
    "yearmonth": ({"type": "yearmonth"}, ["2024-03"], ["2024-13", "03/2024"]),
    "duration": ({"type": "duration"}, ["P1Y2M", "PT3H"], ["3 heures"]),
    "geopoint": ({"type": "geopoint"}, ["2.35,48.85"], ["200,10", "a,b"]),
    "geopoint-array": ({"type": "geopoint", "format": "array"}, ["[2.35, 48.85]"], ["2.35,48.85"]),
    "geojson": (
        {"type": "geojson"},
        ['{"type": "Point", "coordinates": [2.35, 48.85]}'],
        ['{"type": "Nope"}', "x"],
    ),
    "object": ({"type": "object"}, ['{"a": 1}', "{}"], ["[1]", "x"]),
    "array": ({"type": "array"}, ["[1, 2]", "[]"], ['{"a": 1}', "x"]),
    "any": ({"type": "any"}, ["n'importe quoi", "1"], []),
}

# (field descriptor, valid cells, cells failing the constraint)
CONSTRAINTS: dict[str, tuple[dict[str, Any], list[str], list[str]]] = {
    "minLength": ({"type": "string", "constraints": {"minLength": 3}}, ["abc"], ["ab"]),
    "maxLength": ({"type": "string", "constraints": {"maxLength": 3}}, ["abc"], ["abcd"]),
    "pattern": (
        {"type": "string", "constraints": {"pattern": "[0-9]{7}[A-Z]"}},
        ["0751717J"],
        ["0751717j", "751717J"],
    ),
    "enum": ({"type": "string", "constraints": {"enum": ["L", "M", "D"]}}, ["L"], ["l", "X"]),
    "enum-integer": ({"type": "integer", "constraints": {"enum": [1, 2]}}, ["1", "02"], ["3"]),
    "minimum": ({"type": "integer", "constraints": {"minimum": 0}}, ["0", "5"], ["-1"]),
    "maximum": ({"type": "number", "constraints": {"maximum": 100}}, ["100", "99.9"], ["100.01"]),
    "date-bounds": (
        {"type": "date", "constraints": {"minimum": "2020-01-01", "maximum": "2024-12-31"}},
        ["2020-01-01"],
        ["2019-12-31", "2025-01-01"],
    ),
    "year-bounds": ({"type": "year", "constraints": {"minimum": 2000}}, ["2000"], ["1999"]),
    "required": ({"type": "string", "constraints": {"required": True}}, ["x"], [""]),
}


def _write(path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("kind", TYPES)
def test_each_type(kind: str, tmp_path: Path) -> None:
    field, good, bad = TYPES[kind]
    schema = {"fields": [{"name": "valeur", **field}]}
    path = _write(tmp_path / "types.csv", [[v] for v in good + bad], ["valeur"])
    errors = same_errors(path, schema)
    expected = {("type-error", len(good) + 2 + i, "valeur") for i in range(len(bad))}
    assert set(errors) == expected
    report = validate_file(path, schema)
    assert all(e.message.startswith("Ligne ") and e.fix for e in report.errors)


@pytest.mark.parametrize("kind", CONSTRAINTS)
def test_each_constraint(kind: str, tmp_path: Path) -> None:
    field, good, bad = CONSTRAINTS[kind]
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "valeur", **field}]}
    rows = [[str(i), v] for i, v in enumerate(good + bad)]
    path = _write(tmp_path / "contraintes.csv", rows, ["id", "valeur"])
    errors = same_errors(path, schema)
    expected = {("constraint-error", len(good) + 2 + i, "valeur") for i in range(len(bad))}
    assert set(errors) == expected


def test_table_level_errors_and_missing_values(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "code", "type": "string", "constraints": {"unique": True}},
            {"name": "annee", "type": "year"},
            {"name": "effectif", "type": "integer"},
            {"name": "parent", "type": "string"},
        ],
        "primaryKey": ["annee", "effectif"],
        "missingValues": ["", "NA"],
        "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "", "fields": ["code"]}}],
    }
    rows = [
        ["A", "2024", "1", ""],
        ["B", "2024", "NA", "A"],
        ["A", "2024", "1", "Z"],  # unique, primary key, foreign key
        ["C", "NA", "NA", "B"],  # primary key made only of missing values
        [],  # blank row
        ["D", "2024"],  # missing cells
        ["E", "2023", "3", "A", "en trop"],  # extra cell
    ]
    errors = same_errors(
        _write(tmp_path / "table.csv", rows, [f["name"] for f in schema["fields"]]), schema
    )
    assert set(errors) == {
        ("unique-error", 4, "code"),
        ("primary-key", 4, ""),
        ("foreign-key", 4, ""),  # frictionless: a row error, without field name
        ("primary-key", 5, ""),
        ("blank-row", 6, ""),
        ("primary-key", 6, ""),  # a blank row's key is all missing too
        ("missing-cell", 7, "effectif"),
        ("primary-key", 7, ""),  # (2024, missing) again, as on row 3
        ("missing-cell", 7, "parent"),
        ("extra-cell", 8, ""),
    }


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["code", "nom"], {("missing-label", 0, "annee")}),
        (["code", "nom", "annee", "autre"], {("extra-label", 0, "")}),
        (["code", "code", "annee"], {("duplicate-label", 0, "nom")}),
        (["code", "", "annee"], {("blank-label", 0, "nom")}),
        (["code", "NOM", "annee"], {("incorrect-label", 0, "nom")}),
    ],
)
def test_header_errors(
    header: list[str], expected: set[tuple[str, int, str]], tmp_path: Path
) -> None:
    schema = {
        "fields": [
            {"name": "code", "type": "string"},
            {"name": "nom", "type": "string"},
            {"name": "annee", "type": "year"},
        ]
    }
    path = _write(tmp_path / "entete.csv", [["a", "b", "2024"][: len(header)]], header)
    errors = same_errors(path, schema)
    assert expected <= set(errors)


@pytest.mark.parametrize("fields_match", ["equal", "subset", "superset", "partial"])
def test_fields_match(fields_match: str, tmp_path: Path) -> None:
    schema = {
        "fieldsMatch": fields_match,
        "fields": [
            {"name": "code", "type": "string", "constraints": {"required": True}},
            {"name": "nom", "type": "string"},
            {"name": "annee", "type": "year"},
        ],
    }
    path = _write(tmp_path / "colonnes.csv", [["2024", "x", "a"]], ["annee", "autre", "code"])
    same_errors(path, schema)
