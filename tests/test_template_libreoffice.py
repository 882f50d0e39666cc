"""Real LibreOffice reads our templates: CSV conversion and an xlsx round trip.

Each ``soffice`` run converts a batch of files with a fresh profile. The marking runs
(``libreoffice_marks``) drive LibreOffice over UNO, and redo in a new instance what a
crash of LibreOffice itself interrupted (the test then warns).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from test_templates import (
    FIXTURE,
    FIXTURE_EXAMPLE,
    fill_template,
    list_values,
    pathological_schema,
    validations,
)

from conftest import BASE_REGISTRY, corpus_files, require_program
from esr_schemas.cli import main
from esr_schemas.examples import frictionless_errors
from esr_schemas.templates import resolve, write_templates
from esr_schemas.templates.export import read_filled
from esr_schemas.templates.workbook import DATA_SHEET

pytestmark = pytest.mark.slow

CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"


def soffice(convert_to: str, files: list[Path], out_dir: Path, profile: Path) -> None:
    program = require_program("soffice")
    command = [
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        convert_to,
        "--outdir",
        str(out_dir),
        *map(str, files),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    for file in files:
        assert (out_dir / f"{file.stem}.{convert_to.split(':')[0]}").is_file(), (
            result.stdout + result.stderr
        )


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Templates (fixture, pathological, registry demo, a few corpus schemas) and a filled one."""
    require_program("soffice")
    work = tmp_path_factory.mktemp("libreoffice")
    files: dict[str, Path] = {}
    source = resolve(str(FIXTURE))
    files["fixture"], _ = write_templates(source, work / "modeles")
    files["rempli"] = fill_template(files["fixture"], work / "rempli.xlsx", source, FIXTURE_EXAMPLE)
    schema = work / "pathologique.json"
    schema.write_text(json.dumps(pathological_schema()), encoding="utf-8")
    files["pathologique"], _ = write_templates(resolve(str(schema)), work / "modeles")
    files["demo"], _ = write_templates(resolve("demo", BASE_REGISTRY), work / "modeles")
    for path in corpus_files()[:4]:
        files[path.stem], _ = write_templates(resolve(str(path)), work / "corpus" / path.stem)
    out = work / "csv"
    soffice(CSV_FILTER, list(files.values()), out, work / "profil")
    result = {key: out / f"{path.stem}.csv" for key, path in files.items()}
    result["_export"] = work / "rempli-export.csv"
    assert (
        main(
            ["export", str(files["rempli"]), "--schema", str(FIXTURE), "-o", str(result["_export"])]
        )
        == 0
    )
    return result


def test_template_header_read_by_libreoffice_equals_field_names(converted: dict[str, Path]) -> None:
    fields = json.loads(FIXTURE.read_text(encoding="utf-8"))["fields"]
    assert read_rows(converted["fixture"]) == [[f["name"] for f in fields]]
    assert read_rows(converted["demo"]) == [["code_uai", "rentree", "niveau", "effectif"]]


def test_pathological_names_survive_libreoffice(converted: dict[str, Path]) -> None:
    assert read_rows(converted["pathologique"]) == [
        [f["name"] for f in pathological_schema()["fields"]]
    ]


def test_corpus_templates_read_by_libreoffice(converted: dict[str, Path]) -> None:
    corpus = corpus_files()[:4]
    if not corpus:
        pytest.skip("corpus schema.data.gouv.fr absent")
    for path in corpus:
        assert read_rows(converted[path.stem])[0] == resolve(str(path)).field_names, path.name


def test_filled_template_converted_by_libreoffice_is_valid(converted: dict[str, Path]) -> None:
    descriptor = json.loads(FIXTURE.read_text(encoding="utf-8"))
    rows = read_rows(converted["rempli"])
    assert rows == read_rows(FIXTURE_EXAMPLE), (
        "leading zeros, dates and decimals as the schema expects"
    )
    assert rows[1][:2] == ["0010001W", "01053"] and rows[1][6] == "2024-10-15"
    assert frictionless_errors(converted["rempli"], descriptor) == []


def test_filled_template_exported_by_us_is_valid(converted: dict[str, Path]) -> None:
    descriptor = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert converted["_export"].read_bytes() == FIXTURE_EXAMPLE.read_bytes()
    assert frictionless_errors(converted["_export"], descriptor) == []


def test_libreoffice_keeps_validations_lists_and_formats(tmp_path: Path) -> None:
    """Saved again by LibreOffice, the workbook still carries our checks: LibreOffice understood them."""
    source = resolve(str(FIXTURE))
    template, _ = write_templates(source, tmp_path / "modeles")
    filled = fill_template(template, tmp_path / "rempli.xlsx", source, FIXTURE_EXAMPLE)
    soffice("xlsx", [template, filled], tmp_path / "lo", tmp_path / "profil")
    # a workbook saved by LibreOffice exports to the same canonical CSV, schema read from it
    out = tmp_path / "rempli-lo.csv"
    assert (
        main(
            ["export", str(tmp_path / "lo" / filled.name), "--schema", str(FIXTURE), "-o", str(out)]
        )
        == 0
    )
    assert out.read_bytes() == FIXTURE_EXAMPLE.read_bytes()
    assert read_filled(tmp_path / "lo" / filled.name).marker == ("inscriptions-test", "1.2.0")
    workbook = load_workbook(tmp_path / "lo" / template.name)
    assert [c.value for c in workbook[DATA_SHEET][1]][:3] == ["code_uai", "code_commune", "niveau"]
    dvs = validations(workbook)
    kinds = {letter: dv.type for letter, dv in dvs.items()}
    assert kinds == {
        "A": "textLength",
        "B": "textLength",
        "C": "list",
        "D": "list",
        "E": "whole",
        "F": "decimal",
        "G": "date",
        "H": "whole",
        "I": "list",
        "J": "textLength",
    }
    assert list_values(workbook, dvs["C"]) == ["L", "M", "D"]
    assert dvs["C"].error.startswith("Valeur non autorisée")
    assert [s.title for s in workbook.worksheets if s.sheet_state == "hidden"] == [
        "liste_C",
        "liste_D",
        "liste_I",
    ]
    formats = {k: v.number_format for k, v in workbook[DATA_SHEET].column_dimensions.items()}
    assert formats["A"] == "@" and formats["B"] == "@"
    assert formats["G"].replace("\\", "") == "yyyy-mm-dd"
    assert workbook[DATA_SHEET]["A1"].comment is not None


# -- LibreOffice's own verdict on typed values ---------------------------------------------

MARK_INVALID = r"""
import json, os, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

soffice, profile, files = sys.argv[1], sys.argv[2], sys.argv[3:]
ATTEMPTS = 5


def start(attempt):
    pipe = "esr-marquage-%d-%d-%d" % (os.getpid(), attempt, time.monotonic_ns())
    process = subprocess.Popen(
        [soffice, "-env:UserInstallation=%s-%d" % (profile, attempt), "--headless",
         "--invisible", "--norestore", "--accept=pipe,name=%s;urp;" % pipe],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            return process, resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
        except Exception:
            if process.poll() is not None:
                return process, None  # it ended before it answered
            time.sleep(0.25)
    process.kill()
    raise SystemExit("LibreOffice ne répond pas")


def mark(ctx, path):
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    helper = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    hidden = PropertyValue()
    hidden.Name, hidden.Value = "Hidden", True
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (hidden,))
    sheet = doc.Sheets.getByName("Données")
    doc.CurrentController.setActiveSheet(sheet)
    # Outils > Audit > Marquer les données incorrectes: one circle per invalid cell
    helper.executeDispatch(doc.CurrentController.Frame, ".uno:ShowInvalid", "", 0, ())
    # its circles are drawn, and its timers run, before the draw page is read
    ctx.ServiceManager.createInstanceWithContext("com.sun.star.awt.Toolkit", ctx).processEventsToIdle()
    shapes, cells = sheet.DrawPage.Count, []
    for index in range(shapes):
        shape = sheet.DrawPage.getByIndex(index)
        if shape.ShapeType == "com.sun.star.drawing.EllipseShape":
            address = shape.Anchor.CellAddress
            cells.append([address.Column, address.Row + 1])
    doc.close(True)
    return {"shapes": shapes, "cells": cells}


def crashed(process):
    # LibreOffice 7.4 sometimes aborts in one of its own timers while it is driven
    # (« Fatal exception: Signal 6 » in SvpSalInstance::CheckTimeout): that run is redone
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        return False
    return True


found, crashes, attempt = {}, 0, 0
while any(os.path.basename(path) not in found for path in files):
    process, ctx = start(attempt)
    try:
        if ctx is None:
            raise RuntimeError("LibreOffice ended as it started")
        for path in files:
            if os.path.basename(path) not in found:
                found[os.path.basename(path)] = mark(ctx, path)
    except Exception:
        if not crashed(process) or attempt + 1 >= ATTEMPTS:
            raise
        crashes += 1
        for path in files:  # the crash left its lock files: the next run would see them
            folder, name = os.path.split(path)
            lock = os.path.join(folder, ".~lock.%s#" % name)
            if os.path.exists(lock):
                os.remove(lock)
    finally:
        try:
            ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx).terminate()
        except Exception:
            pass
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    attempt += 1
print(json.dumps({"files": found, "crashes": crashes}))
"""


SECRET_SCHEMA = {
    "name": "secret",
    "version": "1.0.0",
    "x-esr": {"secretThreshold": 5},
    "fields": [
        {"name": "groupe", "type": "string"},
        {
            "name": "effectif",
            "type": "integer",
            "constraints": {"minimum": 0, "maximum": 1000},
            "x-esr": {"personCount": True},
        },
    ],
}


def libreoffice_marks(files: list[Path], work: Path) -> dict[str, dict[str, Any]]:
    """LibreOffice's « Marquer les données incorrectes » on the data sheet of each file:
    per file name, the shapes on the sheet's draw page (``shapes``: circles and the header
    notes) and the cells circled (``cells``: [column index, row number])."""
    program = require_program("soffice")
    python = require_uno()
    script = work / "marquer.py"
    script.write_text(MARK_INVALID, encoding="utf-8")
    result = subprocess.run(
        [python, str(script), program, (work / "profil").as_uri(), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    if answer["crashes"]:
        warnings.warn(
            f"LibreOffice s'est arrêté {answer['crashes']} fois en cours de route (son propre "
            "plantage) : le marquage a été refait dans une nouvelle instance",
            stacklevel=2,
        )
    return dict(answer["files"])


def require_uno() -> str:
    """The system Python with LibreOffice's UNO bridge (Debian package python3-uno)."""
    python = "/usr/bin/python3"
    found = Path(python).is_file() and (
        subprocess.run([python, "-c", "import uno"], capture_output=True, check=False).returncode
        == 0
    )
    if found:
        return python
    message = "pont Python-UNO de LibreOffice absent (paquet Debian python3-uno)"
    if os.environ.get("ESR_REQUIRE_ALL") == "1":
        pytest.fail(message + " — ESR_REQUIRE_ALL=1 interdit de sauter ce test")
    pytest.skip(message)


def test_libreoffice_flags_exactly_the_values_that_break_a_rule(tmp_path: Path) -> None:
    """Each rule, judged by LibreOffice itself: one wrong value per row, nothing else flagged."""
    source = resolve(str(FIXTURE))
    template, _ = write_templates(source, tmp_path / "modeles")
    good = fill_template(template, tmp_path / "bon.xlsx", source, FIXTURE_EXAMPLE, as_dropdown=True)
    valid = ["0010001W", "01053", "L", 1, 5, 50, dt.date(2024, 1, 1), 2024, "oui", "ok"]
    wrong = ["751717J", "1053", "X", 7, -5, 150.5, "hier", 99, "peut-être", "x"]
    workbook = load_workbook(template)
    sheet = workbook[DATA_SHEET]
    sheet.append(valid)
    for index, value in enumerate(wrong):
        sheet.append([value if i == index else v for i, v in enumerate(valid)])
    bad = tmp_path / "faux.xlsx"
    workbook.save(bad)
    # statistical secrecy: a custom formula LibreOffice must evaluate (0, or 5 and more)
    secret_schema = tmp_path / "secret.json"
    secret_schema.write_text(json.dumps(SECRET_SCHEMA), encoding="utf-8")
    secret_template, _ = write_templates(resolve(str(secret_schema)), tmp_path / "modeles")
    secret_files = []
    for label, values in (
        ("secret-bon", [12, 0, 5, 1000]),
        ("secret-faux", [12, 3, 1, 2.5, 1001, "x"]),
    ):
        book = load_workbook(secret_template)
        for value in values:
            book[DATA_SHEET].append(["a", value])
        book.save(tmp_path / f"{label}.xlsx")
        secret_files.append(tmp_path / f"{label}.xlsx")
    files = [template, good, bad, secret_template, *secret_files]
    counts = {name: found["shapes"] for name, found in libreoffice_marks(files, tmp_path).items()}
    baseline = counts[template.name]  # the header notes live on the same draw page
    assert baseline <= len(source.fields), "an empty template must not be covered in circles"
    assert counts[good.name] == baseline, "the valid example breaks no rule"
    assert counts[bad.name] - baseline == len(wrong), "each wrong value is flagged, and only those"
    secret_baseline = counts[secret_template.name]
    assert counts["secret-bon.xlsx"] == secret_baseline
    assert counts["secret-faux.xlsx"] - secret_baseline == 5, "3, 1, 2.5, 1001 and x are refused"


def test_every_registry_template_renders_to_pdf_without_overlap(tmp_path: Path) -> None:
    """LibreOffice prints each published template (PDFs kept in test-output/pdf/ to look
    at), and every wrapped row of the Notice is given the height its lines need:
    LibreOffice does not grow such rows by itself, so their lines overlapped."""
    from conftest import REPO
    from esr_schemas.loader import load_registry
    from esr_schemas.templates.workbook import (
        LINE_HEIGHT,
        NOTICE_SHEET,
        NOTICE_WIDTHS,
        wrapped_lines,
    )

    registry = load_registry(REPO)
    templates = []
    for entry in registry.schemas.values():
        for version in entry.published:
            source = resolve(f"{entry.name}@{version.version}", REPO)
            xlsx, _ = write_templates(source, tmp_path / "modeles")
            templates.append(xlsx)
            notice = load_workbook(xlsx)[NOTICE_SHEET]
            for row in notice.iter_rows():
                height = notice.row_dimensions[row[0].row].height
                texts = [
                    (str(c.value), NOTICE_WIDTHS[i] if i else sum(NOTICE_WIDTHS))
                    for i, c in enumerate(row[:8])
                    if c.value
                ]
                if not texts or row[0].font.b:
                    continue
                if len(texts) > 1:  # a column row: each cell in its own width
                    texts = [(t, NOTICE_WIDTHS[i]) for i, (t, _) in enumerate(texts)]
                needed = min(25, max(wrapped_lines(t, w) for t, w in texts)) * LINE_HEIGHT
                assert height is not None and height >= needed, (xlsx.name, row[0].row)
    pdf_dir = Path(__file__).resolve().parent.parent / "test-output" / "pdf"
    pdf_dir.mkdir(parents=True, exist_ok=True)
    soffice("pdf", templates, pdf_dir, tmp_path / "profil")
    for xlsx in templates:
        pdf = pdf_dir / (xlsx.stem + ".pdf")
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF"), pdf
        assert pdf.stat().st_size > 10_000
