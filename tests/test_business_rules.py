"""Business rules and statistical secrecy: each rule on a real CSV file, its exact
French message, the draft option, ``--strict``, partial référentiels, and the same rules
on the schema page and in the Excel template (read back with openpyxl)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from esr_schemas.docsite.render import business_rules_section
from esr_schemas.loader import load_registry
from esr_schemas.validation import validate_file
from esr_schemas.validation.declared_rules import declared_rules, descriptions

ROOT = Path(__file__).resolve().parents[1]

SCHEMA: dict[str, Any] = {
    "name": "regles",
    "fields": [
        {"name": "corps", "type": "string"},
        {"name": "filiere", "type": "string"},
        {"name": "categorie", "type": "string"},
        {"name": "sortants", "type": "integer", "x-esr": {"personCount": True}},
        {"name": "emplois", "type": "integer", "x-esr": {"personCount": True}},
        {
            "name": "taux",
            "type": "number",
            "constraints": {"maximum": 100},
            "x-esr": {"denominator": "sortants", "numerator": "emplois"},
        },
        {"name": "statut", "type": "string", "x-esr": {"codeList": "statuts-diffusion"}},
        {"name": "cursus", "type": "string"},
        {"name": "niveau", "type": "integer"},
    ],
    "missingValues": [""],
    "custom_checks": [
        {
            "name": "compare-columns-value",
            "params": {"column": "emplois", "column2": "sortants", "op": "<="},
        }
    ],
    "x-esr": {
        "secretThreshold": 5,
        "rateThreshold": 20,
        "rules": [
            {
                "type": "lookup",
                "field": "corps",
                "referentiel": "corps",
                "columns": {"filiere": "filiere", "categorie": "categorie"},
            },
            {
                "type": "condition",
                "if": {"field": "cursus", "in": ["M"]},
                "then": {"field": "niveau", "in": ["7"]},
            },
        ],
    },
}
HEADER = "corps,filiere,categorie,sortants,emplois,taux,statut,cursus,niveau\n"
GOOD = "836,itrf,A,148,118,79.7,diffuse,M,7\n"


@pytest.fixture(scope="module")
def registry():
    return load_registry(ROOT)


def _errors(
    tmp_path: Path, rows: str, registry: Any, **options: Any
) -> list[tuple[str, int | None, str | None, str]]:
    path = tmp_path / "donnees.csv"
    path.write_text(HEADER + GOOD + rows, encoding="utf-8")
    report = validate_file(path, SCHEMA, registry=registry, **options)
    return [(e.type, e.row_number, e.field_name, e.message) for e in report.errors]


def test_a_clean_file_passes(tmp_path: Path, registry: Any) -> None:
    assert _errors(tmp_path, "", registry) == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "836,aenes,C,148,118,79.7,diffuse,M,7\n",
            [
                (
                    "referentiel-lookup",
                    3,
                    "filiere",
                    "Ligne 3, colonne « filiere » : « aenes » ne correspond pas au code « 836 » de « corps » : le référentiel « Corps de la fonction publique (BCN) » donne « itrf ».",
                ),
                (
                    "referentiel-lookup",
                    3,
                    "categorie",
                    "Ligne 3, colonne « categorie » : « C » ne correspond pas au code « 836 » de « corps » : le référentiel « Corps de la fonction publique (BCN) » donne « A ».",
                ),
            ],
        ),
        ("301,,,148,118,79.7,diffuse,M,7\n", []),  # a corps the référentiel does not map
        (
            "836,itrf,A,148,118,79.7,diffuse,M,6\n",
            [
                (
                    "condition-value",
                    3,
                    "niveau",
                    "Ligne 3, colonne « niveau » : « 6 » n'est pas possible quand « cursus » vaut « M » : « niveau » doit alors valoir « 7 ».",
                )
            ],
        ),
        (
            "836,itrf,A,10,12,,diffuse,M,7\n",
            [
                (
                    "compare-columns-value",
                    3,
                    "emplois",
                    "Ligne 3, colonne « emplois » : la valeur « 12 » devrait être inférieure ou égale à celle de la colonne « sortants » (« 10 »).",
                )
            ],
        ),
        (
            "836,itrf,A,3,,,diffuse,M,7\n",
            [
                (
                    "secret-statistique",
                    3,
                    "sortants",
                    "Ligne 3, colonne « sortants » : effectif 3 inférieur au seuil de secret statistique (5).",
                ),
                (
                    "diffuse-valeur-masquee",
                    3,
                    "emplois",
                    "Ligne 3, colonne « emplois » : l'effectif est vide alors que « statut » vaut « diffuse ».",
                ),
            ],
        ),
        (
            "836,itrf,A,39,,,secret_statistique,M,7\n",
            [
                (
                    "secret-valeur-publiee",
                    3,
                    "sortants",
                    "Ligne 3, colonne « sortants » : la valeur « 39 » est publiée alors que « statut » vaut « secret_statistique ».",
                )
            ],
        ),
        (
            "836,itrf,A,12,9,75,diffuse,M,7\n",
            [
                (
                    "taux-effectif-insuffisant",
                    3,
                    "taux",
                    "Ligne 3, colonne « taux » : « 75 » est tiré de 12 personnes (colonne « sortants »), moins que le seuil de 20.",
                )
            ],
        ),
        (
            "836,itrf,A,148,118,60,diffuse,M,7\n",
            [
                (
                    "taux-incoherent",
                    3,
                    "taux",
                    "Ligne 3, colonne « taux » : « 60 » ne correspond pas à « emplois » / « sortants » (118 / 148, soit 79,7).",
                )
            ],
        ),
        ("836,itrf,A,148,118,80.5,diffuse,M,7\n", []),  # within a point of rounding
        (
            "836,itrf,A,148,11x,,diffuse,M,7\n",
            [("type-error", 3, "emplois", None)],
        ),  # a wrong cell takes no part
    ],
)
def test_each_rule_reports_its_rows(
    tmp_path: Path, registry: Any, row: str, expected: list[tuple[Any, ...]]
) -> None:
    found = _errors(tmp_path, row, registry)
    if expected and expected[0][3] is None:
        assert [e[:3] for e in found] == [e[:3] for e in expected]
    else:
        assert found == expected


def test_draft_leaves_out_secrecy_and_says_so(tmp_path: Path, registry: Any) -> None:
    path = tmp_path / "brouillon.csv"
    path.write_text(
        HEADER + "836,itrf,A,3,,,diffuse,M,7\n836,itrf,A,12,9,75,diffuse,M,6\n", encoding="utf-8"
    )
    report = validate_file(path, SCHEMA, registry=registry, secrecy=False)
    assert [e.type for e in report.errors] == ["condition-value"]  # the other rules still run
    assert any("option --brouillon" in notice for notice in report.notices)
    complete = validate_file(path, SCHEMA, registry=registry)
    assert not any("brouillon" in notice for notice in complete.notices)


def test_cli_draft_option_and_strict(tmp_path: Path) -> None:
    data = tmp_path / "taux.csv"
    data.write_text(HEADER + "836,itrf,A,,,50,non_disponible,M,7\n", encoding="utf-8")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA), encoding="utf-8")

    def run(*options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "esr_schemas.cli",
                "validate",
                str(data),
                "--schema",
                str(schema),
                *options,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )

    plain = run()
    assert plain.returncode == 0 and "l'effectif dont il est tiré" in plain.stdout  # a warning
    strict = run("--strict")
    assert strict.returncode == 1 and "l'effectif dont il est tiré" in strict.stdout
    data.write_text(HEADER + "836,itrf,A,3,3,100,diffuse,M,7\n", encoding="utf-8")
    assert run().returncode == 1
    draft = run("--brouillon")
    assert draft.returncode == 0 and "option --brouillon" in draft.stdout


def test_partial_referentiel_never_rejects(tmp_path: Path, registry: Any) -> None:
    """An extract (``"partiel": true``) never rejects a code; the whole list does."""
    schema = {
        "name": "diplomes",
        "fields": [{"name": "diplome", "type": "string", "x-esr": {"codeList": "diplomes-sise"}}],
    }
    path = tmp_path / "d.csv"
    path.write_text("diplome\nZZZZZZZ\n", encoding="utf-8")
    whole = validate_file(path, schema, registry=registry, check_code_lists=True)
    assert not whole.valid
    full = registry.referentiels["diplomes-sise"]
    extract = dataclasses.replace(full, metadata={**full.metadata, "partiel": True})
    partial = dataclasses.replace(
        registry, referentiels={**registry.referentiels, "diplomes-sise": extract}
    )
    report = validate_file(path, schema, registry=partial, check_code_lists=True)
    assert report.valid
    assert any("n'est qu'un extrait" in notice for notice in report.notices)


def test_descriptions_are_plain_french() -> None:
    for schema in sorted((ROOT / "schemas").glob("*/schema.json")):
        descriptor = json.loads(schema.read_text(encoding="utf-8"))
        rules, problems = declared_rules(descriptor)
        assert problems == [], schema
        for sentence in descriptions(descriptor):
            assert (
                "x-esr" not in sentence and "^" not in sentence and "custom_checks" not in sentence
            )
            assert sentence.endswith(".")
    assert len(declared_rules(SCHEMA)[0]) == 10


def test_schema_page_lists_the_rules() -> None:
    lines = business_rules_section(SCHEMA)
    assert lines[0] == "## Règles entre colonnes"
    assert "- Quand « cursus » vaut « M », « niveau » vaut « 7 »." in lines
    assert business_rules_section({"fields": [{"name": "a"}]}) == []


def test_template_highlights_and_explains_the_rules(tmp_path: Path) -> None:
    schema = ROOT / "schemas" / "insertion-professionnelle" / "schema.json"
    subprocess.run(
        [sys.executable, "-m", "esr_schemas.cli", "template", str(schema), "-o", str(tmp_path)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    (workbook_path,) = tmp_path.glob("*.xlsx")
    workbook = openpyxl.load_workbook(workbook_path)
    data = workbook["Données"]
    formulas = [rule.formula[0] for rng in data.conditional_formatting for rule in rng.rules]
    assert "AND(ISNUMBER($J2),ISNUMBER($I2),NOT($J2<=$I2))" in formulas
    notice = [row[0] for row in workbook["Notice"].iter_rows(values_only=True) if row and row[0]]
    assert "Règles entre colonnes" in notice
    assert any(
        str(line).startswith("- « taux_emploi_salarie » n'est publié que si") for line in notice
    )
