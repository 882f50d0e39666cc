"""Messages for files saved the way Excel and LibreOffice save them in France.

Windows-1252, ``;`` separators, codes whose leading zeros the spreadsheet dropped,
VRAI/FAUX and oui/non booleans, comma decimals: each gets a fix a person can act on,
and the text report says the few things to do before listing rows.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from conftest import REPO
from esr_schemas.cli import main
from esr_schemas.validation.messages import likely_match

EXAMPLE = REPO / "schemas" / "offre-formation" / "exemples" / "valide.csv"


def _spreadsheet_csv(path: Path, rows: int = 60) -> list[str]:
    """The offre-formation example as a French Excel saves it, with habits applied."""
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    header, body = table[0], table[1:]
    col = {name: i for i, name in enumerate(header)}
    out = [header]
    for n in range(rows):
        row = list(body[n % len(body)])
        row[col["code_parcours"]] = f"P{n}"  # keep the primary key unique
        row[col["secteur_disciplinaire"]] = "1"  # was 01 before Excel read it as a number
        row[col["implantation_code_commune"]] = "1053"  # Bourg-en-Bresse, 01053
        row[col["alternance"]] = "VRAI" if n % 2 else "non"
        row[col["etablissement_nom"]] = "Université d’Été"  # ’ exists in cp1252 only
        out.append(row)
    with path.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(out)
    return header


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


@pytest.fixture
def excel_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    path = tmp_path / "offre.csv"
    _spreadsheet_csv(path)
    return path


def test_report_says_the_few_things_to_do(
    excel_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = excel_file.read_bytes()
    code, out = _run(capsys, "validate", str(excel_file), "--schema", "offre-formation")
    assert code == 1
    assert excel_file.read_bytes() == before
    assert "encodage Windows-1252" in out and "cp1252" not in out
    assert "[0-9]" not in out and "^" not in out  # no regular expression shown
    assert "Remplacez par « 71 »" not in out
    lines = out.splitlines()
    # one line per (column, kind): three columns, each once, with its count and an example
    groups = [line for line in lines if line.startswith("- colonne")]
    assert len(groups) == 3, out
    assert any("secteur_disciplinaire" in g and ": 60 (ex. ligne 2 : « 1 »)" in g for g in groups)
    assert "→ Le zéro initial a disparu : écrivez « 01 »" in out
    assert "→ Le zéro initial a disparu : écrivez « 01053 »" in out
    assert re.search(r"→ Écrivez « (true|false) » \(ce schéma écrit vrai « true » et faux", out)
    # a column-wide warning for each column whose zeros were lost
    assert "Attention : Colonne « secteur_disciplinaire » : 60 valeurs ont perdu" in out
    assert "Attention : Colonne « implantation_code_commune » : 60 valeurs ont perdu" in out
    # rows are not listed past the default limit, and the report says how to get them
    assert "Ligne 3, colonne" not in out
    assert "--details" in out
    assert len(lines) < 25


def test_details_lists_every_row(excel_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(
        capsys, "validate", str(excel_file), "--schema", "offre-formation", "--details"
    )
    assert code == 1
    assert out.count("colonne « alternance » : « VRAI » n'est pas un booléen valide") == 30
    assert "Ligne 61, colonne « secteur_disciplinaire »" in out


def test_json_report_keeps_its_shape(excel_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(
        capsys, "validate", str(excel_file), "--schema", "offre-formation", "--format", "json"
    )
    assert code == 1
    data = json.loads(out)
    assert {"valid", "stats", "errors", "warnings", "summary"} <= set(data)
    first = data["errors"][0]
    assert {"type", "rowNumber", "fieldName", "fieldNumber", "cell", "message", "fix"} <= set(first)


def test_comma_decimal_gets_the_dot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps(
            {"fields": [{"name": "taux", "type": "number"}, {"name": "ok", "type": "boolean"}]}
        ),
        encoding="utf-8",
    )
    data = tmp_path / "taux.csv"
    data.write_bytes("taux;ok\r\n12,5;FAUX\r\n3,25;oui\r\n".encode("cp1252"))
    code, out = _run(capsys, "validate", str(data), "--schema", str(schema), "--details")
    assert code == 1
    assert "→ Écrivez « 12.5 » (le séparateur décimal est le point)." in out
    assert "Écrivez « false »" in out and "Écrivez « true »" in out


def test_close_matches_only_when_likely() -> None:
    codes = [f"{n:02d}" for n in range(1, 80)]
    assert likely_match("1", codes) is None
    assert likely_match("2", codes) is None
    assert likely_match("Présentiel", ["presentiel", "hybride", "distanciel"]) == "presentiel"
    assert likely_match("distantiel", ["presentiel", "hybride", "distanciel"]) == "distanciel"
    assert likely_match("autre", ["presentiel", "hybride", "distanciel"]) is None
