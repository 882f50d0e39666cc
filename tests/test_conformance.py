"""Conformance classes of issue 17 through the command line and the library's parts:
schemas a type cannot carry, v2 missing values, fmt:, WKT, duration bounds, UTF-16 and
files mixing two encodings. ``test_differential.py`` compares the same classes with
frictionless."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import isodate
import pytest

from esr_schemas.cli import main
from esr_schemas.templates.cells import from_cell, missing_values, to_cell
from esr_schemas.validation import validate_file
from esr_schemas.validation.reading import BLOCK_SIZE, analyse_encoding
from esr_schemas.validation.types import duration_gap, wkt_problem

V2 = "https://datapackage.org/profiles/2.0/tableschema.json"


def _run(tmp_path: Path, schema: dict, data: bytes, capsys) -> tuple[int, str]:  # type: ignore[no-untyped-def,type-arg]
    schema_path = tmp_path / "schema.json"
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    data_path = tmp_path / "donnees.csv"
    data_path.write_bytes(data)
    before = data_path.read_bytes()
    code = main(["validate", str(data_path), "--schema", str(schema_path)])
    captured = capsys.readouterr()
    assert data_path.read_bytes() == before  # the user's file is never changed
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out + captured.err


@pytest.mark.parametrize(
    ("field", "words"),
    [
        (
            {"name": "effectif", "type": "integer", "constraints": {"pattern": "[0-9]+"}},
            ["« effectif »", "nombre entier", "« pattern »"],
        ),
        (
            {"name": "ouverture", "type": "date", "constraints": {"minLength": 10}},
            ["« ouverture »", "date", "« minLength »"],
        ),
        ({"name": "ouverture", "type": "date", "format": ""}, ["« ouverture »", "« format » vide"]),
        (
            {"name": "duree", "type": "duration", "constraints": {"maximum": "deux ans"}},
            ["« duree »", "« maximum »", "ISO 8601"],
        ),
        (
            {
                "name": "notes",
                "type": "array",
                "arrayItem": {"type": "integer", "constraints": {"maxLength": 2}},
            },
            ["« notes »", "arrayItem", "« maxLength »"],
        ),
    ],
    ids=["pattern-entier", "longueur-date", "format-vide", "borne-duree", "element"],
)
def test_a_constraint_the_type_cannot_take_makes_the_schema_unusable(
    tmp_path: Path,
    capsys,  # type: ignore[no-untyped-def]
    field: dict,  # type: ignore[type-arg]
    words: list[str],
) -> None:
    code, out = _run(tmp_path, {"fields": [field]}, f"{field['name']}\n1\n".encode(), capsys)
    assert code == 2
    for word in words:
        assert word in out


def test_missing_value_objects_no_longer_crash(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    objects = [{"value": "-99", "label": "REFUSED"}]
    fields = [{"name": "age", "type": "integer", "missingValues": objects}, {"name": "nom"}]
    data = b"age,nom\n-99,a\n12,b\nx,c\n"
    code, out = _run(tmp_path, {"fields": fields}, data, capsys)
    assert code == 2 and "Table Schema v2" in out and "$schema" in out
    code, out = _run(tmp_path, {"$schema": V2, "fields": fields}, data, capsys)
    assert code == 1 and "Ligne 4" in out and "Ligne 2" not in out


def test_utf16_with_a_byte_order_mark_is_read_with_a_warning(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    schema = {"fields": [{"name": "nom"}, {"name": "effectif", "type": "integer"}]}
    data = "nom,effectif\nHélène,3\nZoé,4\n".encode("utf-16")
    code, out = _run(tmp_path, schema, data, capsys)
    assert code == 0
    assert "encodage UTF-16" in out and "UTF-8" in out and "binaire" not in out


def test_utf8_file_with_a_windows_1252_line_after_9_mb(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The first block is UTF-8 (the quick guess), the faulty line lies beyond it."""
    row = "Hélène Lefèvre,12\n".encode()
    count = 9 * 1024 * 1024 // len(row) + 1
    bad = "Zoé à côté,13\n".encode("cp1252")
    data = b"nom,effectif\n" + row * count + bad + row * 10
    assert data.index(bad) > BLOCK_SIZE
    schema = {"fields": [{"name": "nom"}, {"name": "effectif", "type": "integer"}]}
    code, out = _run(tmp_path, schema, data, capsys)
    assert code == 1 and "INVALIDE" in out
    assert f"Ligne {count + 2} du fichier : « Zoé à côté,13 »" in out
    found = analyse_encoding(tmp_path / "donnees.csv")
    assert (found.name, found.misencoded_total) == ("utf-8", 1)


def test_a_windows_1252_file_stays_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(("nom\n" + "a\n" * 50_000 + "Cœur Hélène L’Haÿ\n").encode("cp1252"))
    found = analyse_encoding(path)
    assert (found.name, found.misencoded) == ("cp1252", [])
    report = validate_file(path, {"fields": [{"name": "nom"}]})
    assert report.valid and report.encoding == "cp1252"


def test_duration_comparison_whatever_the_starting_date() -> None:
    def gap(value: str, bound: str) -> tuple[Decimal, Decimal]:
        return duration_gap(isodate.parse_duration(value), isodate.parse_duration(bound))

    day = 86400
    assert gap("P1Y", "P12M") == (0, 0)
    assert gap("P3Y", "P2Y") == (365 * day, 366 * day)
    assert gap("P1M", "P30D") == (-2 * day, 1 * day)  # February to a 31-day month
    assert gap("P2M", "P0D") == (59 * day, 62 * day)  # January-February, July-August
    assert gap("PT36H", "P1D") == (12 * 3600, 12 * 3600)
    assert gap("P1M", "P1M1D") == (-day, -day)


def test_wkt_reasons_are_in_french() -> None:
    assert wkt_problem("POINT (2.35 48.85)") is None
    assert wkt_problem("MULTIPOINT (0 0, 1 1)") is None
    assert "se refermer" in str(wkt_problem("POLYGON ((0 0, 1 0, 1 1))"))
    assert "2 points" in str(wkt_problem("LINESTRING (0 0)"))
    assert "« STRING »" in str(wkt_problem("string"))
    assert "suit la géométrie" in str(wkt_problem("POINT (1 2) x"))
    assert "courbes" in str(wkt_problem("CIRCULARSTRING (0 0, 1 1, 2 0)"))


def test_templates_and_export_read_fmt_and_v2_missing_values() -> None:
    field = {"name": "ouverture", "type": "date", "format": "fmt:%d/%m/%Y"}
    assert to_cell("01/09/2024", field, [""]) == dt.date(2024, 9, 1)
    assert from_cell(dt.datetime(2024, 9, 1), field) == "01/09/2024"
    schema = {"missingValues": [{"value": "", "label": "vide"}, {"value": "-99"}]}
    assert missing_values(schema) == ["", "-99"]


def test_labels_of_v2_missing_values_say_why(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    from esr_schemas.templates import build_workbook
    from esr_schemas.templates.source import from_path
    from esr_schemas.templates.workbook import NOTICE_SHEET

    schema = {
        "$schema": V2,
        "name": "enquete",
        "fields": [
            {"name": "age", "type": "integer", "constraints": {"required": True}},
            {"name": "nom"},
        ],
        "missingValues": [{"value": ""}, {"value": "-99", "label": "refus de répondre"}],
    }
    code, out = _run(tmp_path, schema, b"age,nom\n-99,a\n12,b\n", capsys)
    assert code == 1
    assert "Ligne 2, colonne « age » : valeur obligatoire manquante (« -99 » : refus" in out
    source = from_path(tmp_path / "schema.json")
    path = tmp_path / "modele.xlsx"
    path.write_bytes(build_workbook(source))
    notice = [row[0] for row in load_workbook(path)[NOTICE_SHEET].iter_rows(values_only=True)]
    assert "10. Une donnée absente peut aussi s'écrire : « -99 » (refus de répondre)." in notice


def test_template_refuses_a_schema_the_validator_cannot_use(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    schema_path = tmp_path / "schema.json"
    field = {"name": "effectif", "type": "integer", "constraints": {"minLength": 1}}
    schema_path.write_text(json.dumps({"name": "essai", "fields": [field]}), encoding="utf-8")
    out_dir = tmp_path / "sortie"
    assert main(["template", str(schema_path), "-o", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert "« effectif »" in err and "« minLength »" in err and "Traceback" not in err
    assert not out_dir.exists() or not any(out_dir.iterdir())
