"""``esr-schemas export``: filled template -> validated canonical CSV, through the real CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from openpyxl import Workbook, load_workbook
from test_templates import (
    FIXTURE,
    FIXTURE_EXAMPLE,
    code_list_registry,
    fill_template,
    make_template,
)

from esr_schemas.cli import main

if TYPE_CHECKING:
    from esr_schemas.templates.export import FilledSheet
from esr_schemas.examples import frictionless_errors
from esr_schemas.templates.source import from_path
from esr_schemas.templates.workbook import DATA_SHEET

SCHEMA = json.loads(FIXTURE.read_text(encoding="utf-8"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    template = make_template(tmp_path)
    return fill_template(template, tmp_path / "rempli.xlsx", from_path(FIXTURE), FIXTURE_EXAMPLE)


def _export(workbook: Path, *extra: str) -> int:
    return main(["export", str(workbook), "--schema", str(FIXTURE), *extra])


def test_filled_example_exports_to_the_canonical_csv(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _sha(filled)
    out = tmp_path / "sortie.csv"
    assert _export(filled, "-o", str(out)) == 0
    assert "CSV valide écrit" in capsys.readouterr().out
    # byte for byte the schema's valid example: UTF-8, commas, ISO dates, leading zeros
    assert out.read_bytes() == FIXTURE_EXAMPLE.read_bytes()
    assert frictionless_errors(out, SCHEMA) == []
    assert _sha(filled) == before, "the workbook is never modified"


def test_excel_typed_values_are_written_canonically(tmp_path: Path) -> None:
    """What Excel stores: floats for integers, datetimes for dates, booleans, trailing blanks."""
    workbook = load_workbook(make_template(tmp_path))
    sheet = workbook[DATA_SHEET]
    sheet.append(
        ["0010001W", "01053", "L", 1.0, 120.0, 0.1, dt.datetime(2024, 9, 1), 2024.0, True, "Lic"]
    )
    sheet.append(["0751717J", None, "M", None, 7, 12.25, dt.date(2023, 1, 2), None, False, None])
    sheet.append([None] * 10)
    sheet.append(["", None, "", None, None, None, None, None, None, ""])
    path = tmp_path / "excel.xlsx"
    workbook.save(path)
    out = tmp_path / "excel.csv"
    assert _export(path, "-o", str(out)) == 0
    assert out.read_text(encoding="utf-8").splitlines() == [
        ",".join(f["name"] for f in SCHEMA["fields"]),
        "0010001W,01053,L,1,120,0.1,2024-09-01,2024,true,Lic",
        "0751717J,,M,,7,12.25,2023-01-02,,false,",
    ]


def test_default_output_is_next_to_the_workbook(filled: Path) -> None:
    assert _export(filled) == 0
    assert filled.with_suffix(".csv").read_bytes() == FIXTURE_EXAMPLE.read_bytes()


def test_invalid_values_are_refused_with_rows_and_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = load_workbook(make_template(tmp_path))
    sheet = workbook[DATA_SHEET]
    sheet.append(["0010001W", 1053, "X", 1, 5, 50, "31/12/2023", 2024, "true", "ok"])
    sheet.append([None, "01053", "L", 1, 5, 50, dt.date(2024, 1, 1), 2024, "true", "ok"])
    path = tmp_path / "faux.xlsx"
    workbook.save(path)
    before = _sha(path)
    out = tmp_path / "faux.csv"
    assert _export(path, "-o", str(out)) == 1
    err = capsys.readouterr().err
    assert not out.exists()
    assert "Aucun fichier écrit" in err
    assert "ligne 2, colonne « niveau » (C)" in err
    assert "ligne 2, colonne « date_observation » (G)" in err
    assert "ligne 3, colonne « code_uai » (A)" in err
    assert "ligne 2, colonne « code_commune » (B)" in err
    assert "zéros initiaux ont pu être perdus" in err and "(ligne 2)" in err
    # --force writes it anyway, still exit 1
    assert _export(path, "-o", str(out), "--force") == 1
    assert "malgré les erreurs" in capsys.readouterr().out
    assert (
        out.read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith("0010001W,1053,X,1,5,50,31/12/2023,")
    )
    assert _sha(path) == before


def test_extra_and_missing_columns_are_named(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = load_workbook(filled)
    sheet = workbook[DATA_SHEET]
    sheet["K1"] = "colonne_inconnue"
    sheet["K2"] = "x"
    sheet["B1"] = None
    path = tmp_path / "colonnes.xlsx"
    workbook.save(path)
    assert _export(path, "-o", str(tmp_path / "c.csv")) == 1
    err = capsys.readouterr().err
    assert "Colonne en trop : « colonne_inconnue » (colonne K)" in err
    assert "Colonne manquante : « code_commune »" in err
    assert "La colonne B n'a pas de nom d'en-tête" in err
    assert not (tmp_path / "c.csv").exists()


def test_values_outside_the_header_are_reported(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = load_workbook(filled)
    workbook[DATA_SHEET]["M3"] = "oubli"
    path = tmp_path / "hors.xlsx"
    workbook.save(path)
    assert _export(path) == 1
    assert (
        "La cellule M3 contient une valeur, mais la colonne M n'a pas d'en-tête"
        in capsys.readouterr().err
    )


def test_workbook_that_is_not_ours(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workbook = Workbook()
    assert workbook.active is not None
    workbook.active.title = "Feuil1"
    workbook.active.append(["a", "b"])
    path = tmp_path / "autre.xlsx"
    workbook.save(path)
    assert _export(path) == 2
    err = capsys.readouterr().err
    assert "« autre.xlsx » n'est pas un modèle du registre" in err
    assert "aucune feuille « Données » (feuilles trouvées : « Feuil1 »)" in err
    assert "Traceback" not in err


def test_our_workbook_without_its_data_sheet(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = load_workbook(filled)
    workbook[DATA_SHEET].title = "Mes données"
    path = tmp_path / "renomme.xlsx"
    workbook.save(path)
    assert _export(path) == 2
    err = capsys.readouterr().err
    assert "est un modèle du schéma « inscriptions-test »" in err
    assert "sa feuille « Données » est introuvable" in err and "« Mes données »" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"code_uai,niveau\n0751717J,L\n", "n'est pas un classeur Excel au format .xlsx"),
        (b"", "n'est pas un classeur Excel au format .xlsx"),
        (None, "n'est pas un classeur .xlsx lisible"),
    ],
)
def test_not_an_xlsx_at_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, expected: str
) -> None:
    path = tmp_path / "donnees.xlsx"
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("bonjour.txt", "pas un classeur")
    else:
        path.write_bytes(content)
    assert _export(path) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _export(tmp_path / "absent.xlsx") == 2
    assert "Fichier introuvable" in capsys.readouterr().err


def test_schema_comes_from_the_template_when_not_given(
    base_registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = make_template(tmp_path, "demo", "--root", str(base_registry))
    workbook = load_workbook(template)
    workbook[DATA_SHEET].append(["0751717J", 2024, "L", 12])
    path = tmp_path / "demo.xlsx"
    workbook.save(path)
    assert main(["export", str(path), "--root", str(base_registry)]) == 0
    assert "schéma demo 1.0.0" in capsys.readouterr().out
    assert (
        path.with_suffix(".csv").read_text()
        == "code_uai,rentree,niveau,effectif\n0751717J,2024,L,12\n"
    )
    # another schema named explicitly: refused with the reason
    assert main(["export", str(path), "--schema", "autre", "--root", str(base_registry)]) == 2
    assert (
        "est le modèle du schéma « demo » (version 1.0.0), pas de « autre »"
        in capsys.readouterr().err
    )


def test_foreign_workbook_without_schema_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = Workbook()
    assert workbook.active is not None
    workbook.active.title = DATA_SHEET
    workbook.active.append(["code_uai"])
    path = tmp_path / "x.xlsx"
    workbook.save(path)
    workbook.close()
    assert main(["export", str(path)]) == 2
    assert "précisez-le avec --schema" in capsys.readouterr().err
    empty = Workbook()
    assert empty.active is not None
    empty.active.title = DATA_SHEET
    empty.save(path)
    assert main(["export", str(path), "--schema", str(FIXTURE)]) == 2
    assert "n'a pas de ligne d'en-tête" in capsys.readouterr().err


def test_schema_dialect_delimiter_is_used(tmp_path: Path) -> None:
    descriptor = {
        "name": "point-virgule",
        "version": "1.0.0",
        "dialect": {"delimiter": ";"},
        "fields": [
            {"name": "code", "type": "string", "constraints": {"pattern": "^[0-9]{2}$"}},
            {"name": "montant", "type": "number"},
        ],
    }
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(descriptor), encoding="utf-8")
    template = make_template(tmp_path, schema)
    assert template.with_suffix(".csv").read_text() == "code;montant\n"
    workbook = load_workbook(template)
    workbook[DATA_SHEET].append(["07", 1234.5])
    path = tmp_path / "pv.xlsx"
    workbook.save(path)
    assert main(["export", str(path), "--schema", str(schema)]) == 0
    assert path.with_suffix(".csv").read_text() == "code;montant\n07;1234.5\n"


def test_codes_outside_the_referentiel_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = code_list_registry(tmp_path / "registre")
    workbook = load_workbook(make_template(tmp_path, "codes-test", "--root", str(root)))
    workbook[DATA_SHEET].append(["01", "ZZ"])
    workbook[DATA_SHEET].append(["07", "A1"])
    path = tmp_path / "codes.xlsx"
    workbook.save(path)
    assert main(["export", str(path), "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "ligne 3, colonne « diplome » (A)" in err and "07" in err
    assert "ligne 2" not in err, "a code outside a partial extract (ZZ) is not an error"
    assert "1 erreur(s)" in err


def test_blank_row_inside_the_data_is_reported_with_its_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = load_workbook(make_template(tmp_path))
    sheet = workbook[DATA_SHEET]
    row = ["0010001W", "01053", "L", 1, 5, 50, dt.date(2024, 1, 1), 2024, "true", "ok"]
    sheet.append(row)
    sheet.append([None] * 10)
    sheet.append(row)
    path = tmp_path / "trou.xlsx"
    workbook.save(path)
    assert _export(path) == 1
    err = capsys.readouterr().err
    assert "ligne 3" in err and "ligne 2" not in err and "ligne 4" not in err


def test_both_readers_give_the_same_csv(tmp_path: Path) -> None:
    """python-calamine (fast path) and openpyxl (fallback) agree cell for cell."""
    from esr_schemas.templates.export import FilledSheet, _calamine_rows, _read_rows, to_csv

    workbook = load_workbook(make_template(tmp_path))
    sheet = workbook[DATA_SHEET]
    sheet.append(
        ["0010001W", "01053", "L", 1.0, 120, 0.1, dt.datetime(2024, 9, 1), 2024, True, "Lic"]
    )
    sheet.append([None] * 10)
    sheet.append(["0751717J", 1053, "M", None, 7, 12.25, dt.date(2023, 1, 2), None, False, "a=b"])
    sheet.append([None] * 10)
    path = tmp_path / "lecteurs.xlsx"
    workbook.save(path)
    source = from_path(FIXTURE)
    fast = _read_rows(iter(_calamine_rows(path)), path)
    slow_book = load_workbook(path, read_only=True, data_only=True)
    slow = _read_rows(slow_book[DATA_SHEET].iter_rows(values_only=True), path)
    slow_book.close()
    texts = [
        to_csv(FilledSheet(path, header, rows, None, wide), source)[0]
        for header, rows, wide in (fast, slow)
    ]
    assert texts[0] == texts[1]
    assert texts[0].splitlines()[1:] == [
        "0010001W,01053,L,1,120,0.1,2024-09-01,2024,true,Lic",
        ",,,,,,,,,",
        "0751717J,1053,M,,7,12.25,2023-01-02,,false,a=b",
    ]


def test_every_registry_example_round_trips(tmp_path: Path) -> None:
    """The Exemple sheet typed into Données exports to a valid CSV, and every value of a
    dropdown column is in its dropdown (the lists never refuse valid data)."""
    import io

    from test_templates import list_values, validations

    from conftest import REPO
    from esr_schemas.loader import load_registry
    from esr_schemas.templates import build_workbook, resolve
    from esr_schemas.templates.export import export, read_filled

    registry = load_registry(REPO)
    names = [n for n, e in registry.schemas.items() if e.valid_examples and e.descriptor]
    if not names:
        pytest.skip("aucun schéma avec exemple dans schemas/ pour l'instant")
    for name in names:
        source = resolve(name, REPO)
        workbook = load_workbook(io.BytesIO(build_workbook(source)))
        example, data = workbook["Exemple"], workbook[DATA_SHEET]
        for row in example.iter_rows(min_row=2):
            for cell in row:
                data.cell(row=cell.row, column=cell.column).value = cell.value
        for letter, dv in validations(workbook).items():
            if dv.type == "list":
                allowed = {str(v) for v in list_values(workbook, dv)}
                typed = {str(c.value) for c in example[letter][1:] if c.value not in (None, "")}
                assert typed <= allowed, (name, letter, typed - allowed)
        path = tmp_path / f"{name}.xlsx"
        workbook.save(path)
        result = export(read_filled(path), source)
        assert result.valid, (name, [(e.row, e.column, e.message) for e in result.errors[:3]])
        assert (
            result.row_count
            == len(source.valid_examples[0].read_text(encoding="utf-8").splitlines()) - 1
        )


def test_person_counts_under_the_secrecy_threshold_block_the_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    descriptor = {
        "name": "secret",
        "version": "1.0.0",
        "x-esr": {"secretThreshold": 5},
        "fields": [
            {"name": "groupe", "type": "string"},
            {"name": "effectif", "type": "integer", "x-esr": {"personCount": True}},
        ],
    }
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(descriptor), encoding="utf-8")
    workbook = load_workbook(make_template(tmp_path, schema))
    workbook[DATA_SHEET].append(["a", 12])
    workbook[DATA_SHEET].append(["b", 3])
    workbook[DATA_SHEET].append(["c", 0])
    path = tmp_path / "secret.xlsx"
    workbook.save(path)
    assert main(["export", str(path), "--schema", str(schema)]) == 1
    err = capsys.readouterr().err
    assert "ligne 3, colonne « effectif » (B)" in err and "secret statistique" in err
    assert "ligne 2" not in err and "ligne 4" not in err
    assert not path.with_suffix(".csv").exists()


def _cell_by_cell(path: Path) -> FilledSheet:
    """The « Données » sheet read cell by cell from openpyxl's values (the reference
    the column reader is compared with)."""
    from esr_schemas.templates.export import FilledSheet, _read_rows

    book = load_workbook(path, read_only=True, data_only=True)
    header, rows, wide = _read_rows(book[DATA_SHEET].iter_rows(values_only=True), path)
    book.close()
    return FilledSheet(path, header, rows, None, wide)


def test_the_column_reader_writes_what_the_cell_reader_writes(tmp_path: Path) -> None:
    """fastexcel's columns (one kind of cell each, turned into text by polars) give the
    CSV that ``from_cell`` gives cell by cell from openpyxl's values."""
    from esr_schemas.templates.export import read_filled, to_csv

    workbook = load_workbook(make_template(tmp_path))
    sheet = workbook[DATA_SHEET]
    for i in range(30):
        sheet.append(
            [
                f"00{i:05d}W",
                f"{i:05d}",
                "L",
                float(i % 3) if i % 4 else None,
                120 + i,
                i / 7,
                dt.datetime(2024, 1 + i % 12, 1 + i % 28),
                2000 + i,
                i % 2 == 0,
                f"Licence « {i} », parcours A;B" if i % 5 else 'dit "x"',
            ]
        )
    sheet.append([None] * 10)
    sheet.append(["0751717J", "75056", "M", 1e-7, 1, 1e20, None, None, None, "a\nb"])
    path = tmp_path / "colonnes.xlsx"
    workbook.save(path)
    # the same, with kinds mixed in columns: a code typed as a number, a date and a
    # boolean in text columns, text in a number column
    sheet.append([751717, 1053, dt.date(2024, 1, 2), "deux", 3, 0.5, "hier", 2024, "oui", True])
    mixed = tmp_path / "melange.xlsx"
    workbook.save(mixed)
    source = from_path(FIXTURE)
    for file, rows_expected in ((path, 32), (mixed, 33)):
        fast = read_filled(file)
        assert fast.typed is not None, "the column reader, for mixed columns too"
        slow = _cell_by_cell(file)
        assert to_csv(fast, source) == to_csv(slow, source)
        assert fast.row_count == slow.row_count == rows_expected
    notes = to_csv(read_filled(mixed), source)[1]
    assert any("ligne 34" in note and "zéros" in note for note in notes), notes


def test_text_cells_far_down_in_typed_columns(tmp_path: Path) -> None:
    """Past the first 1,000 rows (from which fastexcel types each column), text cells
    in columns of numbers, dates and booleans, and a last row holding only such a cell:
    read from the XML, the CSV is the one ``from_cell`` gives cell by cell."""
    from esr_schemas.templates.export import read_filled, to_csv

    workbook = load_workbook(make_template(tmp_path))
    sheet = workbook[DATA_SHEET]
    for i in range(1100):
        sheet.append(
            [
                f"00{i:05d}W",
                f"{i:05d}",
                "L",
                float(i % 3),
                120 + i,
                i / 7,
                dt.datetime(2024, 1 + i % 12, 1 + i % 28),
                2000 + i % 20,
                i % 2 == 0,
                f"Licence {i}",
            ]
        )
    sheet.append(["0751717J", "75056", "M", "deux", "1e5", "12", "hier", "2024", "oui", "x"])
    sheet.append([None, None, None, None, None, None, None, None, None, None])
    sheet.append([None, None, None, None, " seul ", None, None, None, None, None])
    path = tmp_path / "tard.xlsx"
    workbook.save(path)
    fast = read_filled(path)
    assert fast.typed is not None and fast.texts, "text cells read from the XML"
    slow = _cell_by_cell(path)
    source = from_path(FIXTURE)
    assert fast.row_count == slow.row_count == 1103
    assert to_csv(fast, source) == to_csv(slow, source)


def test_date_times_of_mixed_columns_are_written_as_the_cell_reader_writes_them(
    tmp_path: Path,
) -> None:
    """Columns mixing date-times and text (fastexcel writes them all out as text): with
    and without a fraction of a second, at midnight or not, in date, date-time, text and
    formatted date fields, the CSV is the one ``from_cell`` gives cell by cell."""
    from esr_schemas.templates.export import read_filled, to_csv

    descriptor = {
        "name": "moments",
        "fields": [
            {"name": "quand", "type": "datetime"},
            {"name": "jour", "type": "date"},
            {"name": "jour_fr", "type": "date", "format": "%d/%m/%Y"},
            {"name": "note", "type": "string"},
        ],
    }
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(descriptor), encoding="utf-8")
    workbook = load_workbook(make_template(tmp_path, schema))
    sheet = workbook[DATA_SHEET]
    moments = [
        dt.datetime(2024, 3, 12),
        dt.datetime(2024, 3, 12, 14, 30, 5),
        dt.datetime(2024, 3, 12, 14, 30, 5, 250000),
        dt.datetime(1999, 12, 31, 23, 59, 59),
    ]
    for i in range(40):
        moment = moments[i % len(moments)]
        sheet.append([moment, moment, moment, moment])
    sheet.append(["inconnu", "hier", "demain", "texte"])  # each column becomes mixed
    path = tmp_path / "moments.xlsx"
    workbook.save(path)
    fast = read_filled(path)
    assert fast.typed is not None
    assert set(fast.not_text) == {0, 1, 2, 3}, "every column is mixed"
    slow = _cell_by_cell(path)
    source = from_path(schema)
    assert to_csv(fast, source) == to_csv(slow, source)


def test_excel_error_cells_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``#N/A`` or ``#DIV/0!`` left by a formula is not an empty cell: nothing is written."""
    workbook = load_workbook(make_template(tmp_path))
    sheet = workbook[DATA_SHEET]
    sheet.append(["0010001W", "01053", "L", 1, 120, 0.1, dt.date(2024, 9, 1), 2024, True, "Lic"])
    sheet.append(["0751717J", "75056", "M", 1, 7, 0.5, dt.date(2023, 1, 2), 2023, False, "Mas"])
    sheet["F3"] = "#DIV/0!"
    sheet["F3"].data_type = "e"
    path = tmp_path / "erreurs.xlsx"
    workbook.save(path)
    out = tmp_path / "erreurs.csv"
    assert _export(path, "-o", str(out)) == 1
    err = capsys.readouterr().err
    assert "ligne 3" in err and "erreur de formule Excel « #DIV/0! »" in err
    assert not out.exists()


def test_an_ods_template_exports(tmp_path: Path) -> None:
    """A filled template saved by LibreOffice as .ods (its own format) exports as the .xlsx."""
    import shutil
    import subprocess

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) absent")
    template = make_template(tmp_path)
    filled = fill_template(template, tmp_path / "rempli.xlsx", from_path(FIXTURE), FIXTURE_EXAMPLE)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "ods", "--outdir", str(tmp_path), str(filled)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    out = tmp_path / "depuis-ods.csv"
    assert _export(tmp_path / "rempli.ods", "-o", str(out)) == 0
    assert out.read_bytes() == FIXTURE_EXAMPLE.read_bytes()
