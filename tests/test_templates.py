"""Excel templates: every generated workbook is read back with openpyxl."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from conftest import REPO, corpus_files
from esr_schemas.cli import main
from esr_schemas.loader import load_registry
from esr_schemas.publish import publish
from esr_schemas.templates import build_workbook, resolve
from esr_schemas.templates.cells import read_csv, to_cell
from esr_schemas.templates.source import TemplateSource, from_path
from esr_schemas.templates.workbook import (
    DATA_SHEET,
    EXAMPLE_SHEET,
    LAST_ROW,
    MARKER_SCHEMA,
    MARKER_VERSION,
    NOTICE_SHEET,
    NOTICE_TABLE_HEADER,
    REQUIRED_FILL,
)

FIXTURE = Path(__file__).parent / "fixtures" / "templates" / "inscriptions" / "schema.json"
FIXTURE_EXAMPLE = FIXTURE.parent / "exemples" / "valide.csv"


# -- helpers shared with the export and LibreOffice tests ---------------------------------


def make_template(tmp_path: Path, spec: str | Path = FIXTURE, *extra: str) -> Path:
    out = tmp_path / "modeles"
    assert main(["template", str(spec), "-o", str(out), *extra]) == 0
    found = sorted(out.glob("modele-*.xlsx"))
    assert len(found) == 1
    return found[0]


def fill_template(
    template: Path,
    target: Path,
    source: TemplateSource,
    example: Path,
    *,
    as_dropdown: bool = False,
) -> Path:
    """Types the example's rows into « Données » as Excel values (codes stay text); with
    ``as_dropdown``, list columns get what their dropdown offers (« oui », « 10 — … »)."""
    from esr_schemas.templates.workbook import columns_of

    workbook = load_workbook(template)
    sheet = workbook[DATA_SHEET]
    header, rows = read_csv(example, source.descriptor)
    fields = dict(zip(source.field_names, source.fields, strict=True))
    columns = {c.name: c for c in columns_of(source)}
    for number, row in enumerate(rows, start=2):
        for col, (name, raw) in enumerate(zip(header, row, strict=True), start=1):
            value = to_cell(raw, fields[name], [""])
            if as_dropdown:
                value = columns[name].shown(value)
            sheet.cell(row=number, column=col).value = value
    workbook.save(target)
    return target


def validations(workbook: Workbook) -> dict[str, DataValidation]:
    """Data validations of « Données » by column letter."""
    result = {}
    for dv in workbook[DATA_SHEET].data_validations.dataValidation:
        letter = str(dv.sqref).split(":")[0].rstrip("0123456789")
        assert letter not in result, f"two validations on column {letter}"
        result[letter] = dv
    return result


def list_values(workbook: Workbook, dv: DataValidation) -> list[Any]:
    """The dropdown's whole list (a dependent dropdown's last branch: nothing chosen yet)."""
    source = str(dv.formula1)
    if source.startswith("IF("):
        source = source.rsplit(",", 1)[1].rstrip(")")
    sheet_name, _, cells = source.partition("!")
    sheet = workbook[sheet_name.strip("'")]
    assert sheet.sheet_state == "hidden"
    last = int(cells.rsplit("$", 1)[1])
    return [sheet.cell(row=r, column=1).value for r in range(1, last + 1)]


def notice_rows(workbook: Workbook) -> list[tuple[Any, ...]]:
    rows = list(workbook[NOTICE_SHEET].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if tuple(row[:8]) == NOTICE_TABLE_HEADER)
    return [tuple(row[:8]) for row in rows[start + 1 :] if row[0] is not None]


def assert_enum_dropdowns(workbook: Workbook, fields: list[dict[str, Any]]) -> None:
    """Every enum field (and boolean) has a list validation on its whole column."""
    dvs = validations(workbook)
    for index, field in enumerate(fields):
        letter = workbook[DATA_SHEET].cell(row=1, column=index + 1).column_letter
        enum = (field.get("constraints") or {}).get("enum")
        if isinstance(enum, list) and [v for v in enum if v not in (None, "")]:
            dv = dvs[letter]
            assert dv.type == "list", (field.get("name"), dv.type)
            assert str(dv.sqref) == f"{letter}2:{letter}{LAST_ROW}"
            expected = list(dict.fromkeys(str(v) for v in enum if v not in (None, "")))
            shown = [str(v).split(" — ")[0] for v in list_values(workbook, dv)]
            assert shown == expected  # each code, maybe followed by its label
            assert dv.error and dv.prompt


# -- the CLI and the workbook ------------------------------------------------------------


def test_cli_writes_xlsx_and_header_only_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlsx = make_template(tmp_path)
    assert xlsx.name == "modele-inscriptions-test-1.2.0.xlsx"
    out = capsys.readouterr().out
    assert "Modèle Excel écrit" in out and "10 colonnes" in out
    csv_file = xlsx.with_suffix(".csv")
    raw = csv_file.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    names = [f["name"] for f in json.loads(FIXTURE.read_text(encoding="utf-8"))["fields"]]
    assert rows == [names]


def test_data_sheet_header_comments_and_required_marks(tmp_path: Path) -> None:
    workbook = load_workbook(make_template(tmp_path))
    assert workbook.sheetnames[0] == DATA_SHEET
    assert workbook.active is not None and workbook.active.title == DATA_SHEET
    sheet = workbook[DATA_SHEET]
    descriptor = json.loads(FIXTURE.read_text(encoding="utf-8"))
    fields = descriptor["fields"]
    assert [c.value for c in sheet[1]] == [f["name"] for f in fields]
    assert sheet.freeze_panes == "A2"
    for cell, field in zip(sheet[1], fields, strict=True):
        required = field.get("constraints", {}).get("required") is True
        assert (cell.fill.fgColor.rgb == REQUIRED_FILL.fgColor.rgb) is required, field["name"]
        assert cell.comment is not None
        text = cell.comment.text
        assert field["title"] in text and field["description"] in text
        assert f"Exemple : {field['example']}" in text
        assert ("OBLIGATOIRE" in text) is required
    assert sheet.max_row == 1, "the data sheet must be empty below the header"


def test_validations_cover_each_type_in_french(tmp_path: Path) -> None:
    workbook = load_workbook(make_template(tmp_path))
    dvs = validations(workbook)
    assert sorted(dvs) == list("ABCDEFGHIJ")
    for letter, dv in dvs.items():
        assert str(dv.sqref) == f"{letter}2:{letter}{LAST_ROW}"
        assert dv.prompt and dv.promptTitle and len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32
        assert dv.showInputMessage
        assert dv.allow_blank, (
            "blanks are highlighted and refused by export, not circled by the tableur"
        )
        assert dv.prompt.startswith(("Obligatoire.", "Facultatif."))
        if dv.type is not None:
            assert dv.showErrorMessage and dv.errorStyle == "stop"
            assert dv.error and len(dv.error) <= 255 and dv.errorTitle and len(dv.errorTitle) <= 32
            assert "Valeur refusée" in dv.errorTitle
    # code_uai: required text, its pattern's exact length, blanks not ignored
    assert (dvs["A"].type, dvs["A"].formula1, dvs["A"].formula2) == ("textLength", "8", "8")
    assert dvs["A"].error == (
        "Forme attendue : 8 caractères : 7 chiffres puis 1 lettre majuscule, par exemple 0010001W."
    )
    # code_commune: both branches of the pattern are five characters long
    assert (dvs["B"].type, dvs["B"].formula1, dvs["B"].formula2) == ("textLength", "5", "5")
    assert "01053" in dvs["B"].prompt
    # niveau: dropdown from a hidden list sheet
    assert dvs["C"].type == "list"
    assert list_values(workbook, dvs["C"]) == ["L", "M", "D"]
    assert "liste déroulante" in dvs["C"].error
    # cycle: an integer enum of three values (tableschema-to-template crashed on it), numbers kept
    assert dvs["D"].type == "list" and list_values(workbook, dvs["D"]) == [1, 2, 3]
    # effectif: whole number within bounds
    assert (dvs["E"].type, dvs["E"].formula1, dvs["E"].formula2) == ("whole", "0", "100000")
    assert dvs["E"].error == "Saisissez un nombre entier entre 0 et 100000."
    # taux_reussite: decimal within bounds
    assert (dvs["F"].type, float(dvs["F"].formula1), float(dvs["F"].formula2)) == (
        "decimal",
        0,
        100,
    )
    # date_observation: a real date, required
    assert dvs["G"].type == "date"
    assert "AAAA-MM-JJ" in dvs["G"].error
    # rentree: four-digit year
    assert (dvs["H"].type, dvs["H"].formula1, dvs["H"].formula2) == ("whole", "1000", "9999")
    # boursier: the schema's spellings of true and false
    assert dvs["I"].type == "list" and list_values(workbook, dvs["I"]) == [
        "oui",
        "non",
    ]  # export writes true / false
    # libelle_court: text length
    assert (dvs["J"].type, dvs["J"].formula1, dvs["J"].formula2) == ("textLength", "2", "10")
    assert dvs["J"].error == "La valeur doit comporter entre 2 et 10 caractères."
    # required columns are highlighted when left empty in a filled row
    ranges = {str(r.sqref) for r in workbook[DATA_SHEET].conditional_formatting}
    assert ranges == {f"{c}2:{c}{LAST_ROW}" for c in "ACEG"}


def test_formats_keep_codes_as_text_and_dates_iso(tmp_path: Path) -> None:
    workbook = load_workbook(make_template(tmp_path))
    formats = {k: v.number_format for k, v in workbook[DATA_SHEET].column_dimensions.items()}
    assert formats["A"] == "@" and formats["B"] == "@" and formats["C"] == "@"
    assert formats["G"] == "yyyy-mm-dd"
    assert formats["E"] == "0" and formats["H"] == "0"
    assert formats["I"] == "@", "booleans stay the schema's text, not Excel's VRAI/FAUX"
    for sheet in workbook.worksheets:
        if sheet.title.startswith("liste_"):
            assert sheet.sheet_state == "hidden"
        else:
            assert sheet.sheet_state == "visible"
    assert workbook.sheetnames[:3] == [DATA_SHEET, NOTICE_SHEET, EXAMPLE_SHEET]
    assert workbook.sheetnames[3:] == ["liste_C", "liste_D", "liste_I"]


def test_notice_sheet_explains_every_column(tmp_path: Path) -> None:
    workbook = load_workbook(make_template(tmp_path))
    text = "\n".join(str(r[0]) for r in workbook[NOTICE_SHEET].iter_rows(values_only=True) if r[0])
    assert "Inscriptions (fixture des modèles Excel)" in text
    assert "version 1.2.0" in text
    assert "Comment remplir ce modèle" in text and "Comment publier" in text
    assert "esr-schemas export" in text and "data.gouv.fr" in text
    rows = notice_rows(workbook)
    assert [r[1] for r in rows] == [f["name"] for f in json.loads(FIXTURE.read_text())["fields"]]
    by_name = {r[1]: r for r in rows}
    assert by_name["code_uai"][:2] == ("A", "code_uai")
    assert by_name["code_uai"][4] == "chaîne de caractères"
    assert by_name["code_uai"][5] == "oui" and by_name["code_commune"][5] == "non"
    assert "7 chiffres puis 1 lettre majuscule" in by_name["code_uai"][6]
    assert "[0-9]" not in by_name["code_uai"][6]
    assert by_name["cycle"][4] == "nombre entier"
    assert by_name["cycle"][6] == "Valeurs autorisées : 1 ; 2 ; 3."
    assert by_name["taux_reussite"][4] == "nombre décimal"
    assert by_name["taux_reussite"][6] == "Valeur comprise entre 0 et 100."
    assert by_name["date_observation"][4] == "date (AAAA-MM-JJ)"
    assert by_name["rentree"][4] == "année (AAAA)"
    assert by_name["boursier"][4] == "booléen (true / false)"
    assert by_name["libelle_court"][6] == "Entre 2 et 10 caractères."
    assert "secret statistique" in by_name["effectif"][6]
    assert by_name["code_commune"][7] == "01053"


def test_example_sheet_is_the_valid_example_typed(tmp_path: Path) -> None:
    workbook = load_workbook(make_template(tmp_path))
    rows = list(workbook[EXAMPLE_SHEET].iter_rows(values_only=True))
    header, expected = read_csv(FIXTURE_EXAMPLE, {})
    assert list(rows[0]) == header
    assert len(rows) == 1 + len(expected)
    first = dict(zip(header, rows[1], strict=True))
    assert first["code_uai"] == "0010001W" and first["code_commune"] == "01053"
    assert first["effectif"] == 120 and first["taux_reussite"] == 87.5
    assert first["date_observation"].date().isoformat() == "2024-10-15"
    assert first["rentree"] == 2024 and first["boursier"] == "non"  # as the dropdown offers it
    assert rows[3][header.index("libelle_court")] == "Doc, Paris"
    sheet = workbook[EXAMPLE_SHEET]
    assert sheet.cell(row=2, column=2).number_format == "@"
    assert sheet.cell(row=2, column=7).number_format == "yyyy-mm-dd"


def test_same_schema_gives_byte_identical_workbook(tmp_path: Path) -> None:
    first = make_template(tmp_path / "a").read_bytes()
    second = make_template(tmp_path / "b").read_bytes()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2
    workbook = load_workbook(io.BytesIO(first))
    props = {p.name: p.value for p in workbook.custom_doc_props.props}
    assert props == {MARKER_SCHEMA: "inscriptions-test", MARKER_VERSION: "1.2.0"}
    # a different schema gives a different file
    changed = json.loads(FIXTURE.read_text())
    changed["fields"][0]["title"] = "Code UAI modifié"
    other = from_path(FIXTURE)
    other.descriptor = changed
    assert build_workbook(other) != first


# -- registry names and versions ---------------------------------------------------------


def test_registry_name_resolves_latest_published_and_exact_version(
    base_registry: Path, tmp_path: Path
) -> None:
    xlsx = make_template(tmp_path / "latest", "demo", "--root", str(base_registry))
    assert xlsx.name == "modele-demo-1.0.0.xlsx"
    workbook = load_workbook(xlsx)
    notice = "\n".join(
        str(r[0]) for r in workbook[NOTICE_SHEET].iter_rows(values_only=True) if r[0]
    )
    assert "version 1.0.0" in notice and "version de travail" not in notice
    exact = make_template(tmp_path / "exact", "demo@1.0.0", "--root", str(base_registry))
    assert exact.read_bytes() == xlsx.read_bytes()


def test_registry_working_copy_when_nothing_is_published(tmp_path: Path) -> None:
    root = tmp_path / "registre"
    (root / "schemas" / "inscriptions-test").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    shutil.copytree(FIXTURE.parent, root / "schemas" / "inscriptions-test", dirs_exist_ok=True)
    xlsx = make_template(tmp_path, "inscriptions-test", "--root", str(root))
    assert xlsx.name == "modele-inscriptions-test-1.2.0.xlsx"
    notice = [r[0] for r in load_workbook(xlsx)[NOTICE_SHEET].iter_rows(values_only=True)]
    assert any("version de travail" in str(line) for line in notice)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "demo@9.9.9",
            "La version « 9.9.9 » de « demo » n'est pas publiée (versions publiées : 1.0.0)",
        ),
        ("inconnu", "Schéma « inconnu » inconnu du registre"),
    ],
)
def test_unknown_schema_or_version_is_a_french_usage_error(
    base_registry: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    spec: str,
    expected: str,
) -> None:
    out = tmp_path / "modeles"
    assert main(["template", spec, "--root", str(base_registry), "-o", str(out)]) == 2
    assert expected in capsys.readouterr().err
    assert not out.exists()


def test_unreadable_schema_file_is_a_french_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "schema.json"
    bad.write_text('{"fields": [', encoding="utf-8")
    assert main(["template", str(bad), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ") and "Traceback" not in err
    bad.write_text('{"fields": []}', encoding="utf-8")
    assert main(["template", str(bad), "-o", str(tmp_path / "out")]) == 2
    assert "liste « fields » non vide" in capsys.readouterr().err


def test_publish_writes_templates_into_each_published_version(
    base_registry: Path, tmp_path: Path
) -> None:
    registry = load_registry(base_registry)
    publish(registry, tmp_path / "site", "https://exemple.test/")
    folder = tmp_path / "site" / "schemas" / "demo" / "1.0.0"
    assert (folder / "modele-demo-1.0.0.csv").read_text() == "code_uai,rentree,niveau,effectif\n"
    workbook = load_workbook(folder / "modele-demo-1.0.0.xlsx")
    notice = [str(r[0]) for r in workbook[NOTICE_SHEET].iter_rows(values_only=True) if r[0]]
    assert "Schéma et documentation : https://exemple.test/schemas/demo/1.0.0/" in notice


# -- every schema we know of --------------------------------------------------------------


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_every_corpus_schema_gets_a_working_template(path: Path) -> None:
    source = resolve(str(path))
    workbook = load_workbook(io.BytesIO(build_workbook(source)))
    assert [c.value for c in workbook[DATA_SHEET][1]] == source.field_names
    assert_enum_dropdowns(workbook, source.fields)
    assert len(notice_rows(workbook)) == len(source.fields)


def test_corpus_is_there() -> None:
    assert len(corpus_files()) in (0, 40)


def test_every_registry_schema_gets_a_working_template(tmp_path: Path) -> None:
    registry = load_registry(REPO)
    names = [n for n, e in registry.schemas.items() if e.descriptor and e.descriptor.get("fields")]
    if not names:
        pytest.skip("aucun schéma dans schemas/ pour l'instant")
    for name in names:
        entry = registry.schemas[name]
        specs = [name] + [f"{name}@{p.version}" for p in entry.published]
        for spec in specs:
            source = resolve(spec, REPO)
            workbook = load_workbook(io.BytesIO(build_workbook(source)))
            assert [c.value for c in workbook[DATA_SHEET][1]] == source.field_names, spec
            assert_enum_dropdowns(workbook, source.fields)
            if source.valid_examples:
                _, rows = read_csv(source.valid_examples[0], source.descriptor)
                assert workbook[EXAMPLE_SHEET].max_row == 1 + len(rows), spec


# -- bad input ------------------------------------------------------------------------------

PATHOLOGICAL_NAMES = [
    "code[1]",
    "a:b",
    "étoile*?",
    "chemin/avec\\barres",
    "=SOMME(A1:A2)",
    'virgule, et "guillemets"',
    "un_nom_de_champ_bien_plus_long_que_trente_et_un_caracteres_a",
    "un_nom_de_champ_bien_plus_long_que_trente_et_un_caracteres_b",
    "'apostrophe'",
]


def pathological_schema() -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for index, name in enumerate(PATHOLOGICAL_NAMES):
        field: dict[str, Any] = {
            "name": name,
            "type": "string",
            "constraints": {"enum": [f"v{index}", "0{index}"]},
        }
        if index % 2:
            field["description"] = (
                "Description avec un caractère de contrôle\x07 et un saut\nde ligne."
            )
        fields.append(field)
    fields.append(
        {
            "name": "grand_enum",
            "type": "string",
            "constraints": {"enum": [f"{i:04d}" for i in range(500)]},
        }
    )
    fields.append({"name": "entier_court", "type": "integer", "constraints": {"enum": [1, 2, 3]}})
    fields.append({"name": "sans_type"})
    fields.append(
        {"name": "nombre_borne", "type": "number", "constraints": {"minimum": "0", "maximum": 1.5}}
    )
    fields.append({"name": "type_inconnu", "type": "truc"})
    fields.append({"name": "date_bornee", "type": "date", "constraints": {"minimum": "2020-01-01"}})
    fields.append({"name": "motif_illisible", "type": "string", "constraints": {"pattern": "(["}})
    fields.append(
        {"name": "motif_ouvert", "type": "string", "constraints": {"pattern": "^[A-Z]+$"}}
    )
    return {"name": "pathologique", "fields": fields}


def test_pathological_schema_still_gives_a_working_workbook(tmp_path: Path) -> None:
    schema = tmp_path / "pathologique.json"
    schema.write_text(json.dumps(pathological_schema()), encoding="utf-8")
    xlsx = make_template(tmp_path, schema)
    assert xlsx.name == "modele-pathologique-sans-version.xlsx"
    workbook = load_workbook(xlsx)
    fields = pathological_schema()["fields"]
    header = [c.value for c in workbook[DATA_SHEET][1]]
    assert header == [f["name"] for f in fields]
    assert workbook[DATA_SHEET]["E1"].data_type == "s", "a name starting with = is not a formula"
    assert_enum_dropdowns(workbook, fields)
    dvs = validations(workbook)
    big = dvs[workbook[DATA_SHEET].cell(row=1, column=header.index("grand_enum") + 1).column_letter]
    values = list_values(workbook, big)
    assert len(values) == 500 and values[:2] == ["0000", "0001"]
    assert len(",".join(values)) > 255, (
        "the list is a range, not an inline list limited to 255 characters"
    )
    assert (
        len([s for s in workbook.worksheets if s.sheet_state == "hidden"])
        == len(PATHOLOGICAL_NAMES) + 2
    )
    assert (
        "Description avec un caractère de contrôle et un saut"
        in workbook[DATA_SHEET]["B1"].comment.text
    )
    letter = {c.value: c.column_letter for c in workbook[DATA_SHEET][1]}
    assert dvs[letter["motif_illisible"]].type is None
    opened = dvs[letter["motif_ouvert"]]
    assert (opened.type, opened.formula1, opened.formula2) == ("textLength", "1", "32767")
    dated = dvs[letter["date_bornee"]]
    assert (dated.type, dated.formula1) == ("date", "43831"), "2020-01-01 as an Excel serial"
    with xlsx.with_suffix(".csv").open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == [f["name"] for f in fields]


def code_list_registry(root: Path) -> Path:
    """A registry with one schema whose code column names a shipped référentiel."""
    (root / "schemas" / "codes-test").mkdir(parents=True)
    (root / "referentiels").mkdir()
    (root / "pyproject.toml").write_text("")
    descriptor = {
        "name": "codes-test",
        "title": "Codes",
        "version": "0.1.0",
        "fields": [
            {
                "name": "diplome",
                "title": "Diplôme",
                "type": "string",
                "constraints": {"required": True, "pattern": "^[0-9]{2}$"},
                "x-esr": {"codeList": "diplomes-test"},
            },
            {
                "name": "discipline",
                "title": "Discipline",
                "type": "string",
                "x-esr": {"codeList": "disciplines-extrait"},
            },
        ],
    }
    (root / "schemas" / "codes-test" / "schema.json").write_text(
        json.dumps(descriptor), encoding="utf-8"
    )
    (root / "referentiels" / "diplomes-test.csv").write_text(
        "code,libelle\n01,Licence\n02,Master\n", encoding="utf-8"
    )
    (root / "referentiels" / "diplomes-test.json").write_text(
        json.dumps(
            {
                "title": "Diplômes de test",
                "description": "Test.",
                "source": "test",
                "millesime": "2024",
            }
        ),
        encoding="utf-8",
    )
    (root / "referentiels" / "disciplines-extrait.csv").write_text(
        "code,libelle\nA1,Chimie\n", encoding="utf-8"
    )
    (root / "referentiels" / "disciplines-extrait.json").write_text(
        json.dumps({"title": "Disciplines (extrait)", "description": "Extrait.", "partiel": True}),
        encoding="utf-8",
    )
    return root


def test_code_list_column_gets_the_referentiel_as_dropdown(tmp_path: Path) -> None:
    root = code_list_registry(tmp_path / "registre")
    workbook = load_workbook(make_template(tmp_path, "codes-test", "--root", str(root)))
    dv = validations(workbook)["A"]
    assert dv.type == "list"
    assert list_values(workbook, dv) == ["01 — Licence", "02 — Master"], "code, then label"
    labels = workbook["liste_A"]
    assert [labels.cell(row=r, column=2).value for r in (1, 2)] == ["Licence", "Master"]
    # a partial extract never restricts input: no dropdown, and the notice says why
    assert validations(workbook)["B"].type is None
    assert "liste_B" not in workbook.sheetnames
    rows = {row[1]: row for row in notice_rows(workbook)}
    assert "2 codes admis, proposés en liste déroulante." in rows["diplome"][6]
    assert "tout code de la nomenclature officielle est admis" in rows["discipline"][6]


def test_notice_publish_steps_follow_the_schema(base_registry: Path, tmp_path: Path) -> None:
    def lines(xlsx: Path) -> str:
        sheet = load_workbook(xlsx)[NOTICE_SHEET]
        return "\n".join(str(r[0]) for r in sheet.iter_rows(values_only=True) if r[0])

    registry_notice = lines(make_template(tmp_path / "r", "demo", "--root", str(base_registry)))
    assert "esr-schemas export MON-FICHIER.xlsx --schema demo@1.0.0" in registry_notice
    assert "séparateur virgule" in registry_notice
    descriptor = {"name": "pv", "dialect": {"delimiter": ";"}, "fields": [{"name": "a"}]}
    schema = tmp_path / "pv.json"
    schema.write_text(json.dumps(descriptor), encoding="utf-8")
    file_notice = lines(make_template(tmp_path / "f", schema))
    assert "--schema schema.json" in file_notice and "séparateur point-virgule" in file_notice


def test_console_command_is_deterministic_across_processes(tmp_path: Path) -> None:
    """The installed ``esr-schemas`` entry point, run twice: byte-identical workbooks."""
    import subprocess
    import sys

    command = Path(sys.executable).parent / "esr-schemas"
    if not command.is_file():
        pytest.skip(f"commande {command} absente (paquet non installé dans cet environnement)")
    outputs = []
    for run in ("un", "deux"):
        result = subprocess.run(
            [str(command), "template", str(FIXTURE), "-o", str(tmp_path / run)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        outputs.append((tmp_path / run / "modele-inscriptions-test-1.2.0.xlsx").read_bytes())
    assert outputs[0] == outputs[1]


def test_datetime_and_time_columns_display_iso(tmp_path: Path) -> None:
    schema = tmp_path / "horodatage.json"
    schema.write_text(
        json.dumps(
            {
                "name": "h",
                "fields": [
                    {"name": "quand", "type": "datetime"},
                    {"name": "heure", "type": "time"},
                ],
            }
        ),
        encoding="utf-8",
    )
    workbook = load_workbook(make_template(tmp_path, schema))
    formats = {k: v.number_format for k, v in workbook[DATA_SHEET].column_dimensions.items()}
    assert formats == {"A": 'yyyy-mm-dd"T"hh:mm:ss', "B": "hh:mm:ss"}
    dvs = validations(workbook)
    assert (dvs["A"].type, dvs["B"].type) == ("date", "time")


def test_person_count_under_secrecy_gets_a_custom_check(tmp_path: Path) -> None:
    descriptor = {
        "name": "secret",
        "x-esr": {"secretThreshold": 5},
        "fields": [{"name": "effectif", "type": "integer", "x-esr": {"personCount": True}}],
    }
    schema = tmp_path / "secret.json"
    schema.write_text(json.dumps(descriptor), encoding="utf-8")
    workbook = load_workbook(make_template(tmp_path, schema))
    dv = validations(workbook)["A"]
    assert (dv.type, dv.formula1) == ("custom", "AND(ISNUMBER(A2),A2=INT(A2),OR(A2=0,A2>=5))")
    assert "un effectif de 1 à 4 ne se publie pas" in dv.error
    assert "Seuil de secret statistique : 5." in notice_rows(workbook)[0][6]
