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


# -- the rule kinds the six newer schemas needed: a condition that makes a column
# -- required or fixes its shape, a unique combination with empty cells as values, a sum
# -- whose empty parts count as zero, a rate over a sum of counts

KINDS_SCHEMA: dict[str, Any] = {
    "name": "regles-nouvelles",
    "fields": [
        {"name": "statut", "type": "string"},
        {"name": "corps", "type": "string"},
        {"name": "cadre", "type": "string"},
        {"name": "code", "type": "string"},
        {"name": "total", "type": "number"},
        {"name": "a", "type": "number"},
        {"name": "b", "type": "number"},
        {"name": "effectif", "type": "integer"},
        {"name": "r3", "type": "integer"},
        {"name": "r4", "type": "integer"},
        {
            "name": "taux",
            "type": "number",
            "constraints": {"maximum": 100},
            "x-esr": {"denominator": "effectif", "numerator": ["r3", "r4"]},
        },
    ],
    "missingValues": [""],
    "custom_checks": [
        {"name": "sum-columns-value", "params": {"column": "total", "columns": ["a", "b"]}}
    ],
    "x-esr": {
        "rules": [
            {
                "type": "condition",
                "if": {"field": "statut", "in": ["titulaire"]},
                "then": {"field": "corps", "required": True},
            },
            {
                "type": "condition",
                "if": {"field": "cadre", "in": ["anr"]},
                "then": {
                    "field": "code",
                    "pattern": "ANR-[0-9]{2}-[0-9A-Z]{2,8}-[0-9]{2,4}",
                    "patternHelp": "un code de l'ANR, par exemple ANR-21-CE06-0017",
                },
            },
            {"type": "unique", "fields": ["statut", "corps", "cadre"]},
            {"type": "sum", "field": "total", "fields": ["a", "b"]},
        ]
    },
}
KINDS_HEADER = "statut,corps,cadre,code,total,a,b,effectif,r3,r4,taux\n"


def _kind_errors(tmp_path: Path, rows: str) -> list[tuple[str, int | None, str | None, str]]:
    path = tmp_path / "regles.csv"
    path.write_text(KINDS_HEADER + rows, encoding="utf-8")
    report = validate_file(path, KINDS_SCHEMA)
    return [(e.type, e.row_number, e.field_name, e.message) for e in report.errors]


def test_new_kinds_pass_a_clean_file(tmp_path: Path) -> None:
    rows = (
        "titulaire,300,anr,ANR-21-CE06-0017,500000000.3,400000000.1,100000000.2,38,17,5,57.9\n"
        "contractuel,,anr,ANR-22-CE30-0041,7.5,7.5,,38,17,,\n"  # b empty: zero
        "contractuel,,h2020,847456,,,,,,,\n"
    )
    assert _kind_errors(tmp_path, rows) == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "titulaire,,h2020,847456,,,,,,,\n",
            [
                (
                    "condition-required",
                    2,
                    "corps",
                    "Ligne 2, colonne « corps » : la cellule est vide alors que « statut » vaut « titulaire » : « corps » est alors obligatoire.",
                )
            ],
        ),
        (
            "contractuel,,anr,101057437,,,,,,,\n",
            [
                (
                    "condition-pattern",
                    2,
                    "code",
                    "Ligne 2, colonne « code » : « 101057437 » n'a pas la forme attendue quand « cadre » vaut « anr » : un code de l'ANR, par exemple ANR-21-CE06-0017.",
                )
            ],
        ),
        ("contractuel,,h2020,101057437,,,,,,,\n", []),  # the shape is tied to « anr » only
        (
            "contractuel,,h2020,1,10,4,,,,,\n",
            [
                (
                    "total-incoherent",
                    2,
                    "total",
                    "Ligne 2, colonne « total » : la valeur « 10 » n'est pas la somme des colonnes remplies parmi « a » et « b » (4).",
                )
            ],
        ),
        (
            "contractuel,,h2020,1,10,4,5,,,,\n",  # every part filled: Validata's rule, once
            [
                (
                    "sum-columns-value",
                    2,
                    "total",
                    "Ligne 2, colonne « total » : la valeur « 10 » n'est pas la somme de « a » et « b » (4 + 5).",
                )
            ],
        ),
        ("contractuel,,h2020,1,10,,,,,,\n", []),  # no part filled: nothing to add up
        ("contractuel,,h2020,1,10,x,,,,,\n", [("type-error", 2, "a", None)]),
        (
            "contractuel,,h2020,1,,,,38,17,5,44.7\n",
            [
                (
                    "taux-incoherent",
                    2,
                    "taux",
                    "Ligne 2, colonne « taux » : « 44.7 » ne correspond pas à (« r3 » + « r4 ») / « effectif » ((17 + 5) / 38, soit 57,9).",
                )
            ],
        ),
        ("contractuel,,h2020,1,,,,38,17,,44.7\n", []),  # r4 not observed yet: not checked
    ],
)
def test_new_kinds_report_their_rows(
    tmp_path: Path, row: str, expected: list[tuple[Any, ...]]
) -> None:
    found = _kind_errors(tmp_path, row)
    if expected and expected[0][3] is None:
        assert [e[:3] for e in found] == [e[:3] for e in expected]
    else:
        assert found == expected


def test_unique_combination_counts_an_empty_cell_as_a_value(tmp_path: Path) -> None:
    rows = (
        "contractuel,,h2020,1,,,,,,,\n"
        "contractuel,,anr,ANR-21-CE06-0017,,,,,,,\n"
        "titulaire,300,h2020,2,,,,,,,\n"
        "contractuel,,h2020,3,,,,,,,\n"
        "titulaire,300,h2020,4,,,,,,,\n"
    )
    assert _kind_errors(tmp_path, rows) == [
        (
            "unique-key",
            5,
            "statut",
            "Ligne 5, colonne « statut » : la même combinaison de valeurs dans « statut », « corps » et « cadre » (contractuel, vide, h2020) figure déjà à la ligne 2.",
        ),
        (
            "unique-key",
            6,
            "statut",
            "Ligne 6, colonne « statut » : la même combinaison de valeurs dans « statut », « corps » et « cadre » (titulaire, 300, h2020) figure déjà à la ligne 4.",
        ),
    ]


def test_unique_combination_is_found_across_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of 4 KB: the file's 3,000 rows are read in dozens of blocks, and a row
    repeating one of the first block is still found, with the first row named."""
    from esr_schemas.validation import reading

    monkeypatch.setattr(reading, "BLOCK_SIZE", 4096)
    rows = "".join(f"contractuel,c{i},h2020,{i},,,,,,,\n" for i in range(3000))
    rows += "contractuel,c7,h2020,x,,,,,,,\ncontractuel,c2999,h2020,y,,,,,,,\n"
    rows += "contractuel,c7,h2020,z,,,,,,,\n"
    found = _kind_errors(tmp_path, rows)
    assert [(e[0], e[1]) for e in found] == [
        ("unique-key", 3002),
        ("unique-key", 3003),
        ("unique-key", 3004),
    ]
    assert [e[3].rsplit(" ", 1)[-1] for e in found] == ["9.", "3001.", "9."]


def test_large_amounts_add_up_despite_float_rounding(tmp_path: Path) -> None:
    """Validata adds decimals exactly; amounts of a billion euros with cents must not be
    reported for a float rounding (here 2.4e-7), while a gap of one cent still is."""
    schema = {
        "fields": [{"name": n, "type": "number"} for n in ("total", "a", "b", "c")],
        "custom_checks": [
            {"name": "sum-columns-value", "params": {"column": "total", "columns": ["a", "b", "c"]}}
        ],
    }
    assert 372726618.05 + 792919375.85 + 41599067.22 != 1207245061.12  # floats round
    path = tmp_path / "montants.csv"
    path.write_text(
        "total,a,b,c\n1207245061.12,372726618.05,792919375.85,41599067.22\n"
        "1207245061.13,372726618.05,792919375.85,41599067.22\n",
        encoding="utf-8",
    )
    report = validate_file(path, schema)
    assert [(e.type, e.row_number) for e in report.errors] == [("sum-columns-value", 3)]


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        (
            {
                "type": "condition",
                "if": {"field": "statut", "in": ["t"]},
                "then": {"field": "corps"},
            },
            "dit une seule chose",
        ),
        (
            {
                "type": "condition",
                "if": {"field": "statut", "in": ["t"]},
                "then": {"field": "corps", "pattern": "[0-9]{3}"},
            },
            "en clair",
        ),
        (
            {
                "type": "condition",
                "if": {"field": "statut", "in": ["t"]},
                "then": {"field": "corps", "required": True, "in": ["300"]},
            },
            "dit une seule chose",
        ),
        ({"type": "unique", "fields": ["statut"]}, "au moins deux colonnes"),
        ({"type": "unique", "fields": ["statut", "inconnue"]}, "« inconnue »"),
        ({"type": "sum", "field": "total", "fields": ["total", "a"]}, "sans la répéter"),
        ({"type": "sum", "field": "total", "fields": ["a", "z"]}, "« z »"),
    ],
)
def test_broken_declarations_of_the_new_kinds(rule: dict[str, Any], fragment: str) -> None:
    descriptor = {**KINDS_SCHEMA, "x-esr": {"rules": [rule]}}
    rules, problems = declared_rules(descriptor)
    assert [p.pointer for p in problems] == ["/x-esr/rules/0"]
    assert fragment in problems[0].message
    assert not [r for r in rules if r.pointer == "/x-esr/rules/0"]


def test_a_numerator_is_a_column_or_a_list_of_columns() -> None:
    fields = [dict(f) for f in KINDS_SCHEMA["fields"]]
    fields[-1] = {**fields[-1], "x-esr": {"denominator": "effectif", "numerator": 3}}
    _, problems = declared_rules({**KINDS_SCHEMA, "fields": fields})
    assert [p.pointer for p in problems] == ["/fields/10/x-esr/numerator"]


def test_descriptions_of_the_new_kinds() -> None:
    sentences = descriptions(KINDS_SCHEMA)
    assert "Quand « statut » vaut « titulaire », « corps » est obligatoire." in sentences
    assert (
        "Quand « cadre » vaut « anr », « code » a la forme suivante : un code de l'ANR, par "
        "exemple ANR-21-CE06-0017." in sentences
    )
    assert (
        "Deux lignes n'ont jamais les mêmes valeurs dans « statut », « corps » et « cadre » "
        "(une cellule vide compte comme une valeur)." in sentences
    )
    assert (
        "Quand « total » et au moins une de ses parties sont remplis, « total » est la somme de "
        "« a » et « b » (une cellule vide compte pour zéro)." in sentences
    )
    assert (
        "« taux » est égal, en pourcentage, à la somme de « r3 » et « r4 » divisé par "
        "« effectif » (à un point d'arrondi près)." in sentences
    )


def test_a_shape_the_engine_cannot_read_is_said_not_checked(tmp_path: Path) -> None:
    rules = [dict(r) for r in KINDS_SCHEMA["x-esr"]["rules"]]
    rules[1] = {**rules[1], "then": {**rules[1]["then"], "pattern": "ANR-(?=[0-9]).*"}}
    schema = {**KINDS_SCHEMA, "x-esr": {"rules": rules}}
    path = tmp_path / "forme.csv"
    path.write_text(KINDS_HEADER + "contractuel,,anr,X,,,,,,,\n", encoding="utf-8")
    report = validate_file(path, schema)
    assert report.valid
    assert any("n'a pas pu être lue" in notice for notice in report.notices)
