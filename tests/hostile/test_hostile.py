"""One test per class of hostile input (issue 15): data loss, tracebacks, hangs, memory.

Every run is the real command line in a bounded child process (see ``conftest.py``);
each asserts the exit code, a French message, no traceback, and that the inputs are
unchanged (hashes before and after).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from bounded import FRENCH, assert_refused, digest, run_cli

DEMO_FIELDS = ["code_uai", "rentree", "niveau", "effectif"]
BASE_REGISTRY = Path(__file__).resolve().parents[1] / "fixtures" / "base-registry"


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """A copy of the small clean registry (one schema ``demo``, version 1.0.0 published)."""
    import shutil

    root = tmp_path / "registry"
    shutil.copytree(BASE_REGISTRY, root)
    return root


def _schema(tmp_path: Path, descriptor: object, name: str = "schema.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    return path


def _csv(tmp_path: Path, text: str, name: str = "donnees.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- data loss ---------------------------------------------------------------------


def test_build_refuses_a_folder_it_did_not_make(registry: Path, tmp_path: Path) -> None:
    keep = tmp_path / "mes-fichiers"
    keep.mkdir()
    (keep / "rapport.txt").write_text("précieux", encoding="utf-8")
    before = digest(keep)
    run = run_cli("build", "--root", registry, "--out", keep)
    assert_refused(run)
    assert "pas été créé" in run.err
    assert digest(keep) == before


def test_build_never_writes_into_a_folder_of_the_repository(registry: Path) -> None:
    before = digest(registry)
    for out in (registry / "schemas", registry / "schemas" / "demo" / "site", registry):
        assert_refused(run_cli("build", "--root", registry, "--out", out))
    assert digest(registry) == before


def test_check_fix_never_writes_through_a_link_into_a_published_version(registry: Path) -> None:
    demo = registry / "schemas" / "demo"
    published = demo / "versions" / "1.0.0" / "schema.json"
    # a published file that is not canonical JSON (its recorded hash updated to match)
    published.write_text(json.dumps(json.loads(published.read_text("utf-8")), indent=4) + "\n")
    index = demo / "versions" / "index.json"
    data = json.loads(index.read_text("utf-8"))
    import hashlib

    data["1.0.0"]["files"]["schema.json"] = hashlib.sha256(published.read_bytes()).hexdigest()
    index.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (demo / "schema.json").unlink()
    (demo / "schema.json").symlink_to(Path("versions/1.0.0/schema.json"))
    before = digest(demo / "versions")
    run = run_cli("check", "--root", registry, "--fix")
    assert run.code == 1, run.text
    assert "version publiée" in run.out
    assert "Aucun problème" not in run.out
    assert "Traceback" not in run.text
    assert digest(demo / "versions") == before
    assert (demo / "schema.json").is_symlink()


@pytest.fixture
def filled(registry: Path, tmp_path: Path) -> Path:
    """A filled template of ``demo`` (written by the real template command, filled with
    openpyxl)."""
    from openpyxl import load_workbook

    run = run_cli("template", "demo", "--root", registry, "-o", tmp_path / "modele")
    assert run.code == 0, run.text
    path = next((tmp_path / "modele").glob("*.xlsx"))
    workbook = load_workbook(path)
    sheet = workbook["Données"]
    sheet.append(["0751717J", 2024, "L", 120])
    target = tmp_path / "rempli.xlsx"
    workbook.save(target)
    return target


def test_export_never_overwrites_without_force(filled: Path, registry: Path) -> None:
    out = filled.with_suffix(".csv")
    out.write_text("mes données\n", encoding="utf-8")
    before = digest(filled), digest(out)
    run = run_cli("export", filled, "--schema", "demo", "--root", registry)
    assert_refused(run)
    assert "existe déjà" in run.err and "--force" in run.err
    assert (digest(filled), digest(out)) == before
    run = run_cli("export", filled, "--schema", "demo", "--root", registry, "--force")
    assert run.code == 0, run.text
    assert out.read_text("utf-8").startswith(",".join(DEMO_FIELDS))
    assert stat.S_IMODE(out.stat().st_mode) & 0o044, "the CSV is readable by others, not 0600"
    assert digest(filled) == before[0]


def test_export_to_an_existing_folder_says_so_and_leaves_nothing(
    filled: Path, registry: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "sortie"
    folder.mkdir()
    run = run_cli("export", filled, "--schema", "demo", "--root", registry, "-o", folder)
    assert_refused(run)
    assert "dossier" in run.err
    assert list(folder.iterdir()) == []
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_new_export_file_has_ordinary_permissions(filled: Path, registry: Path) -> None:
    out = filled.parent / "nouveau.csv"
    run = run_cli("export", filled, "--schema", "demo", "--root", registry, "-o", out)
    assert run.code == 0, run.text
    assert stat.S_IMODE(out.stat().st_mode) != 0o600


# --- workbooks -------------------------------------------------------------------------


def _workbook(path: Path, sheet_xml: str, shared: str | None = None) -> Path:
    """A minimal XLSX written by hand (what a hostile producer can write)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Données" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            + (
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                if shared is not None
                else ""
            )
            + "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            f'2006/main"><sheetData>{sheet_xml}</sheetData></worksheet>'
        ),
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = (
            '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
            f'main">{shared}</sst>'
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


HEADER_ROW = (
    '<row r="1">'
    + "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for col, name in zip("ABCD", DEMO_FIELDS, strict=True)
    )
    + "</row>"
)


@pytest.mark.parametrize("command", ["validate", "export"])
def test_one_far_cell_does_not_allocate_the_whole_grid(
    tmp_path: Path, registry: Path, command: str
) -> None:
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    book = _workbook(tmp_path / "loin.xlsx", HEADER_ROW + far)
    assert book.stat().st_size < 10_000
    before = digest(book)
    args = ["--schema", "demo", "--root", registry]
    run = run_cli(command, book, *args, memory_mb=1024, seconds=30)
    assert_refused(run)
    assert "1\u202f048\u202f576 lignes" in run.err
    assert digest(book) == before


@pytest.mark.parametrize(
    ("reference", "shown"),
    [("Z987654", "987\u202f654 lignes"), ("XFD2000", "16\u202f384 colonnes")],
    ids=["ligne", "colonne"],
)
def test_a_far_cell_hidden_among_ordinary_rows_is_found(
    tmp_path: Path, registry: Path, reference: str, shown: str
) -> None:
    """The farthest cell is searched among all the cell references, not taken from the
    row tags nor from a row's last cell: one cell far beyond its row or its neighbours,
    in the middle of ordinary rows, still gives the sheet's real extent."""

    def rows(first: int, last: int) -> str:
        return "".join(
            f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}"><v>1</v></c></row>'
            for i in range(first, last)
        )

    hidden = (
        f'<row r="2000"><c r="A2000"><v>1</v></c><c r="{reference}"><v>1</v></c>'
        '<c r="B2000"><v>1</v></c></row>'
    )
    book = _workbook(
        tmp_path / "cache.xlsx", HEADER_ROW + rows(2, 2000) + hidden + rows(2001, 4000)
    )
    before = digest(book)
    run = run_cli(
        "validate", book, "--schema", "demo", "--root", registry, memory_mb=1024, seconds=30
    )
    assert_refused(run)
    assert shown in run.err
    assert digest(book) == before


def test_one_huge_shared_string_is_refused_before_it_is_copied(
    tmp_path: Path, registry: Path
) -> None:
    cells = "".join(f'<c r="A{i}" t="s"><v>0</v></c>' for i in range(2, 102))
    rows = "".join(f'<row r="{i}">{cells}</row>' for i in range(2, 3))
    book = _workbook(
        tmp_path / "texte.xlsx", HEADER_ROW + rows, shared=f"<si><t>{'a' * 40_000_000}</t></si>"
    )
    before = digest(book)
    for command in ("validate", "export"):
        run = run_cli(command, book, "--schema", "demo", "--root", registry, memory_mb=1536)
        assert_refused(run)
        assert "32 767" in run.err
    assert digest(book) == before


def test_export_has_a_decompression_bomb_guard(tmp_path: Path, registry: Path) -> None:
    book = _workbook(tmp_path / "bombe.xlsx", HEADER_ROW)
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/remplissage.bin", b"\0" * 80_000_000)
    before = digest(book)
    run = run_cli("export", book, "--schema", "demo", "--root", registry, memory_mb=1024)
    assert_refused(run)
    assert "bombe" in run.err
    assert digest(book) == before
    assert not book.with_suffix(".csv").exists()


# --- CSV -------------------------------------------------------------------------------


def test_a_row_of_a_million_cells_is_refused_within_bounds(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"fields": [{"name": "a"}, {"name": "b"}]})
    data = _csv(tmp_path, "a,b\n1,2\n" + ",".join(["x"] * 1_000_000) + "\n1,2\n")
    before = digest(data)
    run = run_cli("validate", data, "--schema", schema, memory_mb=1024, seconds=60)
    assert_refused(run)
    assert "La ligne 3" in run.err and "1\u202f000\u202f000 cellules" in run.err
    assert digest(data) == before


def test_millions_of_blank_lines_stay_in_bounded_memory(tmp_path: Path) -> None:
    # 10 million blank lines cost 3 GB before (300 bytes each); now what grows is the
    # detailed errors, capped at a million, and a few bytes per line
    schema = _schema(tmp_path, {"fields": [{"name": "a"}, {"name": "b"}]})
    data = _csv(tmp_path, "a,b\n1,2\n" + "\n" * 10_000_000 + "3,4\n")
    before = digest(data)
    run = run_cli(
        "validate", data, "--schema", schema, "--limit-errors", "10", memory_mb=2560, seconds=180
    )
    assert run.code == 1, run.text[-1000:]
    assert "10\u202f000\u202f000" in run.out and "lignes vides" in run.out
    assert "Traceback" not in run.text
    assert digest(data) == before


def test_a_header_of_forty_thousand_columns_is_linear(tmp_path: Path) -> None:
    n = 40_000
    schema = _schema(tmp_path, {"fields": [{"name": "c0"}, {"name": "c1"}]})
    data = _csv(tmp_path, ",".join(f"c{i}" for i in range(n)) + "\n" + ",".join(["1"] * n) + "\n")
    run = run_cli("validate", data, "--schema", schema, seconds=120, memory_mb=2048)
    assert run.code == 1, run.text[-1000:]
    assert "colonnes en trop : 39\u202f998" in run.out
    assert "Traceback" not in run.text


def test_header_only_file_is_not_called_valid(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"fields": [{"name": "a"}, {"name": "b"}]})
    data = _csv(tmp_path, "a,b\n")
    run = run_cli("validate", data, "--schema", schema)
    assert_refused(run)
    assert "VALIDE" not in run.out.upper()


def test_a_zip_named_csv_is_not_called_a_workbook(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"fields": [{"name": "a"}]})
    archive = tmp_path / "donnees.csv"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("donnees.csv", "a\n1\n")
    run = run_cli("validate", archive, "--schema", schema)
    assert_refused(run)
    assert "archive ZIP" in run.err and "classeur" not in run.err


# --- files that block ---------------------------------------------------------------


def test_a_fifo_with_no_writer_does_not_block(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"fields": [{"name": "a"}]})
    fifo = tmp_path / "tube.csv"
    os.mkfifo(fifo)
    data = _csv(tmp_path, "a\n1\n")
    start = time.monotonic()
    for command in (
        ("validate", fifo, "--schema", schema),
        ("validate", data, "--schema", fifo),
        ("export", fifo),
    ):
        run = run_cli(*command, seconds=20)
        assert_refused(run)
        assert "fichier ordinaire" in run.err
    assert time.monotonic() - start < 30


def test_dev_stdin_is_refused_not_read(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"fields": [{"name": "a"}]})
    read, write = os.pipe()  # a writer that never writes nor closes
    try:
        run = run_cli("validate", "/dev/stdin", "--schema", schema, stdin=read, seconds=20)
    finally:
        os.close(read)
        os.close(write)
    assert_refused(run)
    assert "fichier ordinaire" in run.err


# --- schemas ---------------------------------------------------------------------------

HOSTILE_SCHEMAS = {
    "type-list": {"fields": [{"name": "a", "type": ["string"]}]},
    "type-object": {"fields": [{"name": "a", "type": {"x": 1}}]},
    "primary-key-object": {"fields": [{"name": "a"}], "primaryKey": [{}]},
    "foreign-key-number": {
        "fields": [{"name": "a"}],
        "foreignKeys": [{"fields": 5, "reference": {"resource": "", "fields": ["a"]}}],
    },
    "true-values-nested": {"fields": [{"name": "a", "type": "boolean", "trueValues": [["x"]]}]},
    "group-char-null": {"fields": [{"name": "a", "type": "number", "groupChar": None}]},
    "array-item-bad-regex": {
        "fields": [
            {
                "name": "a",
                "type": "array",
                "arrayItem": {"type": "string", "constraints": {"pattern": "(["}},
            }
        ]
    },
    "fields-not-objects": {"fields": ["a", 3]},
    "constraints-list": {"fields": [{"name": "a", "constraints": ["required"]}]},
}


@pytest.mark.parametrize("case", sorted(HOSTILE_SCHEMAS))
def test_hostile_schema_is_refused_in_french(tmp_path: Path, case: str) -> None:
    schema = _schema(tmp_path, HOSTILE_SCHEMAS[case])
    data = _csv(tmp_path, "a\n1\n")
    before = digest(schema), digest(data)
    run = run_cli("validate", data, "--schema", schema)
    assert_refused(run)
    assert "Schéma invalide" in run.err or "schéma" in run.err
    assert (digest(schema), digest(data)) == before


@pytest.mark.parametrize(
    "text",
    [
        '{"fields": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"fields": [{"name": "a", "type": "integer", "constraints": {"maximum": '
        + "9" * 5000
        + "}}]}",
        '{"fields": [{"name": "a",}]}',
        '{"fields": [{"name": "a", "type": "number", "constraints": {"maximum": NaN}}]}',
    ],
    ids=["nested-100k", "integer-5000-digits", "json-syntax", "nan"],
)
def test_hostile_schema_text_is_refused_in_french(tmp_path: Path, text: str) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(text, encoding="utf-8")
    run = run_cli("validate", _csv(tmp_path, "a\n1\n"), "--schema", schema)
    assert_refused(run)


def test_catastrophic_array_item_pattern_stops_at_its_budget(tmp_path: Path) -> None:
    # a look-ahead: Rust's engine refuses it, so Python's re runs it, in a child process
    pattern = "(a+)+(?=b)"
    schema = _schema(
        tmp_path,
        {
            "fields": [
                {
                    "name": "a",
                    "type": "array",
                    "arrayItem": {"type": "string", "constraints": {"pattern": pattern}},
                }
            ]
        },
    )
    data = _csv(tmp_path, 'a\n"[""' + "a" * 40 + 'c""]"\n')
    start = time.monotonic()
    run = run_cli("validate", data, "--schema", schema, seconds=60)
    assert_refused(run)
    assert "trop coûteux" in run.err
    assert time.monotonic() - start < 40


# --- registry commands -----------------------------------------------------------------


def test_a_published_version_edited_by_hand_is_not_used(registry: Path, tmp_path: Path) -> None:
    readme = registry / "schemas" / "demo" / "versions" / "1.0.0" / "README.md"
    readme.write_text(readme.read_text("utf-8") + "\nAjout à la main.\n", encoding="utf-8")
    data = registry / "schemas" / "demo" / "exemples" / "valide.csv"
    for command in (
        ("validate", data, "--schema", "demo@1.0.0"),
        ("template", "demo@1.0.0", "-o", tmp_path / "m"),
    ):
        run = run_cli(*command, "--root", registry)
        assert_refused(run)
        assert "ne correspond plus" in run.err and "README.md" in run.err


def test_check_on_a_folder_that_is_no_registry(tmp_path: Path) -> None:
    assert_refused(run_cli("check", "--root", tmp_path))


def test_release_over_a_dangling_link(registry: Path) -> None:
    demo = registry / "schemas" / "demo"
    schema = json.loads((demo / "schema.json").read_text("utf-8"))
    schema["version"] = "1.1.0"
    (demo / "schema.json").write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    changelog = demo / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text("utf-8").replace(
            "## 1.0.0", "## 1.1.0 (2026-12-01)\n\n- Essai.\n\n## 1.0.0", 1
        )
    )
    (demo / "versions" / "1.1.0").symlink_to("/nonexistent/ailleurs")
    before = digest(demo / "versions")
    run = run_cli("release", "demo", "--root", registry)
    assert_refused(run, code=1)
    assert "lien symbolique" in run.err
    assert digest(demo / "versions") == before


def test_new_with_a_very_long_name(registry: Path) -> None:
    before = digest(registry)
    assert_refused(run_cli("new", "a" * 300, "--root", registry))
    assert digest(registry) == before


def test_negative_limit_errors_is_refused(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"fields": [{"name": "a"}]})
    run = run_cli("validate", _csv(tmp_path, "a\n1\n"), "--schema", schema, "--limit-errors", "-1")
    assert_refused(run)


def test_json_error_count_is_the_real_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esr_schemas.validation import table, validate_file
    from esr_schemas.validation.report import render_json

    monkeypatch.setattr(table, "MAX_STORED_ERRORS", 3)
    data = _csv(tmp_path, "a\n" + "x\n" * 10)
    report = validate_file(data, {"fields": [{"name": "a", "type": "integer"}]})
    stats = json.loads(render_json(report))["stats"]
    assert stats["errors"] == 10 and stats["errorsNotStored"] == 7


# --- the last resort -------------------------------------------------------------------

CRASHING = """
import sys
import esr_schemas.cli as cli
build = cli.build_parser
def crashing_parser(*args, **kwargs):
    parser = build(*args, **kwargs)
    def handler(args):
        raise ZeroDivisionError("boom")
    parser.set_defaults(handler=handler)
    return parser
cli.build_parser = crashing_parser
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_is_a_french_message_not_a_traceback(
    tmp_path: Path, debug: bool
) -> None:
    import sys

    done = subprocess.run(
        [sys.executable, "-c", CRASHING, *(["--debug"] if debug else [])],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "signalez-le" in done.stderr and FRENCH.search(done.stderr)
    log = tmp_path / "esr-schemas-erreur.log"
    assert log.exists() is debug
    if debug:
        assert "ZeroDivisionError" in log.read_text("utf-8")


def test_export_never_writes_into_a_published_version(filled: Path, registry: Path) -> None:
    version = registry / "schemas" / "demo" / "versions" / "1.0.0"
    before = digest(version)
    run = run_cli(
        "export", filled, "--schema", "demo", "--root", registry, "-o", version / "nouveau.csv"
    )
    assert_refused(run)
    assert "version publiée" in run.err
    assert digest(version) == before


def test_export_never_replaces_what_is_not_a_regular_file(filled: Path, registry: Path) -> None:
    fifo = filled.parent / "tube.csv"
    os.mkfifo(fifo)
    run = run_cli("export", filled, "--schema", "demo", "--root", registry, "-o", fifo, "--force")
    assert_refused(run)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_template_never_overwrites_a_filled_workbook(filled: Path, registry: Path) -> None:
    folder = filled.parent / "modele"
    target = next(folder.glob("*.xlsx"))
    target.write_bytes(filled.read_bytes())  # the user filled the template in place
    before = digest(folder)
    run = run_cli("template", "demo", "--root", registry, "-o", folder)
    assert_refused(run)
    assert "--force" in run.err
    assert digest(folder) == before
    assert run_cli("template", "demo", "--root", registry, "-o", folder, "--force").code == 0
