"""The Excel template refuses what breaks a business rule, and ``export`` refuses what
``validate`` refuses.

- the workbook read back with openpyxl: one validation per column, whose formula holds
  the column's own check and the rules it carries; dependent dropdowns; highlights; the
  Notice's statuses; the 255-character fall-back;
- LibreOffice's own verdict (« Marquer les données incorrectes ») on a breaking row per
  rule, cell by cell;
- every rule kind broken in a CSV and in a filled template: the same error codes.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from test_template_libreoffice import libreoffice_marks, read_rows, soffice
from test_templates import list_values, validations

from conftest import REPO
from esr_schemas.loader import load_registry
from esr_schemas.templates import resolve, write_templates
from esr_schemas.templates.export import export, read_filled
from esr_schemas.templates.workbook import DATA_SHEET, NOTICE_SHEET, columns_of
from esr_schemas.validation import validate_file

SCHEMA: dict[str, Any] = {
    "name": "regles-saisie",
    "version": "1.0.0",
    "missingValues": [""],
    "x-esr": {
        "secretThreshold": 5,
        "rateThreshold": 20,
        "rules": [
            {
                "type": "condition",
                "if": {"field": "cursus", "in": ["L"]},
                "then": {"field": "niveau", "in": ["5", "6"]},
            },
            {
                "type": "condition",
                "if": {"field": "cursus", "in": ["M"]},
                "then": {"field": "niveau", "in": ["7"]},
            },
            {
                "type": "condition",
                "if": {"field": "cursus", "in": ["M"]},
                "then": {"field": "mention", "in": ["oui"]},
            },
        ],
    },
    "custom_checks": [
        {
            "name": "compare-columns-value",
            "params": {"column": "emplois", "column2": "sortants", "op": "<="},
        },
        {
            "name": "sum-columns-value",
            "params": {"column": "total", "columns": ["part_a", "part_b"]},
        },
        {"name": "one-of-required", "params": {"column1": "p", "column2": "q"}},
        {
            "name": "cohesive-columns-value",
            "params": {"column": "part_a", "othercolumns": ["part_b"]},
        },
    ],
    "fields": [
        {
            "name": "siren",
            "type": "string",
            "constraints": {"pattern": "^[0-9]{9}$"},
            "x-esr": {"codeSystem": "siren"},
        },
        {
            "name": "siret",
            "type": "string",
            "constraints": {"pattern": "^[0-9]{14}$"},
            "x-esr": {"codeSystem": "siret"},
        },
        {
            "name": "sortants",
            "type": "integer",
            "constraints": {"minimum": 0},
            "x-esr": {"personCount": True},
        },
        {
            "name": "emplois",
            "type": "integer",
            "constraints": {"minimum": 0},
            "x-esr": {"personCount": True},
        },
        {
            "name": "taux",
            "type": "number",
            "constraints": {"minimum": 0, "maximum": 100},
            "x-esr": {"denominator": "sortants", "numerator": "emplois"},
        },
        {
            "name": "statut",
            "type": "string",
            "constraints": {"enum": ["diffuse", "secret_statistique"]},
            "x-esr": {"codeList": "statuts-diffusion"},
        },
        {"name": "part_a", "type": "integer"},
        {"name": "part_b", "type": "integer"},
        {"name": "total", "type": "integer"},
        {"name": "p", "type": "integer"},
        {"name": "q", "type": "integer"},
        {"name": "cursus", "type": "string", "constraints": {"enum": ["L", "M"]}},
        {"name": "niveau", "type": "string", "constraints": {"enum": ["5", "6", "7", "8"]}},
        {"name": "mention", "type": "string"},
    ],
}
NAMES = [f["name"] for f in SCHEMA["fields"]]
GOOD: dict[str, Any] = {
    "siren": "196901870",
    "siret": "19690187000010",
    "sortants": 148,
    "emplois": 118,
    "taux": 79.7,
    "statut": "diffuse",
    "part_a": 1,
    "part_b": 2,
    "total": 3,
    "p": 1,
    "q": 0,
    "cursus": "L",
    "niveau": "5",
    "mention": None,
}
BREAKING: list[tuple[dict[str, Any], set[str]]] = [
    # (changes to GOOD, the cells LibreOffice must mark as invalid)
    ({"emplois": 150, "taux": None}, {"sortants", "emplois"}),
    ({"total": 4}, {"part_a", "part_b", "total"}),
    ({"p": 0}, {"p", "q"}),
    ({"niveau": "7"}, {"niveau"}),
    ({"cursus": "M", "niveau": "7", "mention": "non"}, {"mention"}),
    ({"siren": "130018351"}, {"siren", "siret"}),
    ({"statut": "secret_statistique", "sortants": None, "emplois": None, "taux": 50}, {"taux"}),
    ({"sortants": 10, "emplois": 5, "taux": 50}, {"taux"}),
    ({"sortants": 3, "emplois": None, "taux": None}, {"sortants"}),
]
KEPT: list[dict[str, Any]] = [
    # rules hold while a cell they need is empty
    {"emplois": None, "taux": None},
    {"total": None},
    {"q": None, "p": 0},
    {"cursus": None, "niveau": "8"},
    {"siret": None},
    {"cursus": "M", "niveau": "7", "mention": "oui"},
]


def _schema_file(tmp_path: Path, descriptor: dict[str, Any] = SCHEMA) -> Path:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return path


def _template(tmp_path: Path, descriptor: dict[str, Any] = SCHEMA) -> Path:
    xlsx, _ = write_templates(resolve(str(_schema_file(tmp_path, descriptor))), tmp_path / "m")
    return xlsx


def _rows(changes: list[dict[str, Any]]) -> list[list[Any]]:
    return [[{**GOOD, **change}[name] for name in NAMES] for change in changes]


def _letter(name: str) -> str:
    return chr(ord("A") + NAMES.index(name))


# -- the workbook, read back ---------------------------------------------------------------


def test_each_column_composes_its_own_check_and_its_rules(tmp_path: Path) -> None:
    workbook = load_workbook(_template(tmp_path))
    dvs = validations(workbook)
    formulas = {name: str(dvs[_letter(name)].formula1) for name in NAMES}
    assert all(str(dv.sqref) == f"{letter}2:{letter}1048576" for letter, dv in dvs.items()), (
        "one validation per column, over the whole column"
    )
    # secrecy threshold (own check) AND the comparison, on both columns of the comparison
    assert formulas["sortants"] == (
        "AND(AND(ISNUMBER(C2),C2=INT(C2),OR(C2=0,C2>=5),C2>=0),OR(COUNT($D2,$C2)<2,$D2<=$C2))"
    )
    assert formulas["emplois"].endswith(",OR(COUNT($D2,$C2)<2,$D2<=$C2))")
    # length (own check) AND SIRET/SIREN agreement
    assert formulas["siret"] == (
        'AND(AND(LEN(B2)>=14,LEN(B2)<=14),OR(LEN($B2)<>14,LEN($A2)<>9,LEFT($B2,9)=$A2&""))'
    )
    for name in ("part_a", "part_b", "total"):
        assert formulas[name].endswith(",OR(COUNT($I2,$G2,$H2)<3,ABS($I2-SUM($G2,$H2))<1E-9))")
        assert formulas[name].startswith(f"AND(AND(ISNUMBER({_letter(name)}2),")
    assert formulas["p"].endswith(",OR(COUNT($J2,$K2)<2,$J2<>0,$K2<>0))")
    # a column without check of its own carries the rule alone
    assert formulas["mention"] == 'OR(NOT($L2&""="M"),$N2="",$N2&""="oui")'
    # rate columns: secrecy status and rate threshold
    assert 'OR(NOT($F2&""="secret_statistique"),COUNTA($C2,$D2,$E2)=0)' in formulas["taux"]
    assert 'OR(NOT(ISNUMBER($C2)),$E2="",$C2>=20)' in formulas["taux"]
    for name in ("sortants", "emplois", "taux", "part_a", "total", "p", "mention", "siret"):
        dv = dvs[_letter(name)]
        assert dv.type == "custom" and dv.showErrorMessage and dv.errorStyle == "stop"
        assert len(str(dv.formula1)) <= 255 and len(dv.error) <= 255
        assert "Règle : " in dv.error
    assert dvs["C"].error.startswith("Nombre entier : 0, ou au moins 5")
    assert "la valeur de « emplois » doit être inférieure ou égale à celle de « sortants »" in (
        dvs["C"].error
    )
    assert "« total » doit être la somme de « part_a », « part_b »" in dvs["I"].error
    # a dependent dropdown: its source chooses the range by the value of « cursus »
    niveau = dvs[_letter("niveau")]
    assert niveau.type == "list"
    assert (
        niveau.formula1 == 'IF($L2&""="L",liste_M_1,IF($L2&""="M",liste_M_2,\'liste_M\'!$A$1:$A$4))'
    )
    assert list_values(workbook, niveau) == ["5", "6", "7", "8"]
    names = workbook.defined_names
    assert names["liste_M_1"].attr_text == "liste_M!$C$1:$C$2"
    assert names["liste_M_2"].attr_text == "liste_M!$D$1:$D$1"
    sheet = workbook["liste_M"]
    assert [sheet["C1"].value, sheet["C2"].value, sheet["D1"].value] == ["5", "6", "7"]
    assert "Elle dépend de « cursus » : quand il vaut « L », « 5 » ou « 6 »" in niveau.error
    # the dropdown of « cursus » and « statut » stay plain lists
    assert dvs[_letter("cursus")].formula1 == "'liste_L'!$A$1:$A$2"


def test_highlights_stay_for_pasted_rows(tmp_path: Path) -> None:
    workbook = load_workbook(_template(tmp_path))
    formulas = {
        str(rng.sqref): rule.formula[0]
        for rng in workbook[DATA_SHEET].conditional_formatting
        for rule in rng.rules
        if rule.dxf is not None and rule.dxf.fill is not None
        and rule.dxf.fill.bgColor.rgb.endswith("FFEB9C")
    }  # fmt: skip
    assert formulas["D2:D1048576"] == "AND(ISNUMBER($D2),ISNUMBER($C2),NOT($D2<=$C2))"
    assert formulas["I2:I1048576"] == "AND(COUNT($I2,$G2,$H2)=3,$I2<>$G2+$H2)"
    assert formulas["G2:G1048576"] == "AND((LEN($G2)>0)+(LEN($H2)>0)>0,(LEN($G2)>0)+(LEN($H2)>0)<2)"
    assert formulas["M2:M1048576"].startswith("NOT(OR(NOT($L2")
    assert formulas["F2:F1048576"] == 'AND($F2&""="diffuse",COUNTA($C2,$D2)<2)'


def test_notice_says_what_is_refused_highlighted_or_left_to_export(tmp_path: Path) -> None:
    workbook = load_workbook(_template(tmp_path, EVERY_KIND))
    lines = [str(r[0]) for r in workbook[NOTICE_SHEET].iter_rows(values_only=True) if r[0]]
    rules = {line for line in lines if line.startswith("- ")}
    assert (
        "- Quand les deux sont remplies, la valeur de « emplois » est inférieure ou égale à "
        "celle de « sortants ». Refusée à la saisie (colonnes « emplois », « sortants ») et "
        "signalée en jaune."
    ) in rules
    assert (
        "- Les colonnes « part_a » et « part_b » sont toutes remplies ou toutes vides. Signalée "
        "en jaune ; le tableur ne peut pas la refuser à la saisie, l'export la vérifie."
    ) in rules
    assert any(
        line.startswith("- « siren » est un numéro SIREN valide")
        and line.endswith("Vérifiée seulement par l'export et la validation.")
        for line in rules
    )
    assert any(
        line.startswith("- « taux » est égal, en pourcentage")
        and "trop longue pour le contrôle de saisie du tableur" in line
        for line in rules
    ), "the rule Excel's 255 characters leave out is named"
    assert any("Refusée à la saisie (colonne « niveau »)" in line for line in rules)
    assert any(
        line.startswith("- « corps » détermine « filiere »")
        and line.endswith("Vérifiée seulement par l'export et la validation.")
        for line in rules
    )
    assert any(line.endswith("sans bloquer (un avertissement).") for line in rules)
    assert any("Une valeur collée échappe à ce contrôle" in line for line in lines)
    for line in lines:
        assert "x-esr" not in line and "custom_checks" not in line


def test_too_long_a_composition_keeps_the_own_check_and_the_highlight(tmp_path: Path) -> None:
    descriptor = copy.deepcopy(SCHEMA)
    long_a, long_b = "a" * 60 + "_montant", "b" * 60 + "_plafond"
    descriptor["fields"] += [
        {"name": long_a, "type": "number", "constraints": {"minimum": 0}},
        {"name": long_b, "type": "number", "constraints": {"minimum": 0}},
    ]
    descriptor["custom_checks"].append(
        {
            "name": "compare-columns-value",
            "params": {"column": long_a, "column2": long_b, "op": "<"},
        }
    )
    workbook = load_workbook(_template(tmp_path, descriptor))
    dvs = validations(workbook)
    for letter in ("O", "P"):
        assert dvs[letter].type == "decimal", "its own check, as before any rule"
        assert dvs[letter].error.startswith("Saisissez un nombre supérieur ou égal à 0")
    highlighted = {str(rng.sqref) for rng in workbook[DATA_SHEET].conditional_formatting}
    assert "O2:O1048576" in highlighted
    notice = [str(r[0]) for r in workbook[NOTICE_SHEET].iter_rows(values_only=True) if r[0]]
    assert any(long_a in line and "trop longue" in line for line in notice)


def test_registry_schemas_refuse_their_rules(tmp_path: Path) -> None:
    insertion = load_workbook(
        write_templates(resolve("insertion-professionnelle", REPO), tmp_path / "i")[0]
    )
    dvs = validations(insertion)
    assert dvs["J"].type == "custom" and "$J2<=$I2" in dvs["J"].formula1
    offre = load_workbook(write_templates(resolve("offre-formation", REPO), tmp_path / "o")[0])
    niveau = validations(offre)["M"]
    assert niveau.type == "list" and niveau.formula1.startswith(
        'IF(OR($H2&""="L",LEFT($H2,4)="L — "),liste_M_1,'
    ), "a dropdown with labels: the code or the « code — libellé » entry"
    assert "Elle dépend de « cursus_lmd »" in niveau.error


# -- LibreOffice's verdict ---------------------------------------------------------------


def test_libreoffice_marks_exactly_the_cells_that_break_a_rule(tmp_path: Path) -> None:
    """LibreOffice evaluates our formulas row by row: each breaking row has exactly its
    expected invalid cells; rows keeping the rules, or waiting for a cell, have none."""
    template = _template(tmp_path)
    workbook = load_workbook(template)
    sheet = workbook[DATA_SHEET]
    for row in _rows([{}, *[change for change, _ in BREAKING], *KEPT]):
        sheet.append(row)
    filled = tmp_path / "saisi.xlsx"
    workbook.save(filled)
    found = libreoffice_marks([filled], tmp_path)[filled.name]
    marked = {(NAMES[col], row) for col, row in found["cells"]}
    expected = {
        (name, number) for number, (_, cells) in enumerate(BREAKING, start=3) for name in cells
    }
    assert marked == expected
    # saved again by LibreOffice, the workbook keeps the composed checks and the
    # dependent dropdown (a producer who fills it in LibreOffice passes them on)
    soffice("xlsx", [template], tmp_path / "lo", tmp_path / "profil")
    again = validations(load_workbook(tmp_path / "lo" / template.name))
    assert "$D2<=$C2" in str(again["C"].formula1) and again["C"].type == "custom"
    assert "LEFT($B2,9)=$A2" in str(again["B"].formula1)
    assert str(again["M"].formula1).startswith("IF(") and "liste_M_1" in str(again["M"].formula1)


# -- export refuses what validate refuses --------------------------------------------------

EVERY_KIND: dict[str, Any] = copy.deepcopy(SCHEMA)
EVERY_KIND["fields"] += [
    {"name": "corps", "type": "string", "x-esr": {"codeList": "corps"}},
    {"name": "filiere", "type": "string"},
]
EVERY_KIND["custom_checks"] += [
    {"name": "siren", "params": {"column": "siren"}},
    {"name": "siret", "params": {"column": "siret"}},
]
EVERY_KIND["x-esr"]["rules"].append(
    {"type": "lookup", "field": "corps", "referentiel": "corps", "columns": {"filiere": "filiere"}}
)
EVERY_GOOD = {**GOOD, "corps": "836", "filiere": "itrf"}
EVERY_BREAKING: dict[str, dict[str, Any]] = {
    "compare-columns-value": {"emplois": 150, "taux": None},
    "sum-columns-value": {"total": 4},
    "cohesive-columns-value": {"part_b": None, "total": None},
    "one-of-required": {"p": 0},
    "condition-value": {"niveau": "7"},
    "siret-siren-mismatch": {"siren": "130018351"},
    "siren-checksum": {"siren": "196901871", "siret": None},
    "siret-checksum": {"siret": "19690187000011"},
    "referentiel-lookup": {"filiere": "aenes"},
    "secret-statistique": {"sortants": 3, "emplois": None, "taux": None},
    "secret-valeur-publiee": {"statut": "secret_statistique", "sortants": None, "emplois": None},
    "diffuse-valeur-masquee": {"emplois": None, "taux": None},
    "taux-effectif-insuffisant": {"sortants": 10, "emplois": 5, "taux": 50},
    "taux-incoherent": {"taux": 50},
}


def _csv_text(rows: list[dict[str, Any]]) -> str:
    names = [f["name"] for f in EVERY_KIND["fields"]]
    lines = [",".join(names)]
    for row in rows:
        lines.append(",".join("" if row[n] is None else str(row[n]) for n in names))
    return "\n".join(lines) + "\n"


def test_export_refuses_what_validate_refuses_for_every_rule_kind(tmp_path: Path) -> None:
    registry = load_registry(REPO)
    schema = _schema_file(tmp_path, EVERY_KIND)
    source = dataclasses.replace(resolve(str(schema)), registry=registry)
    kinds = list(EVERY_BREAKING)
    rows = [EVERY_GOOD, *({**EVERY_GOOD, **EVERY_BREAKING[k]} for k in kinds)]
    csv_path = tmp_path / "donnees.csv"
    csv_path.write_text(_csv_text(rows), encoding="utf-8")
    report = validate_file(csv_path, EVERY_KIND, registry=registry, check_code_lists=True)
    validated = {(e.row_number, e.type) for e in report.errors}
    # the same rows typed into the template, list columns as their dropdown offers them
    template, _ = write_templates(source, tmp_path / "modele")
    workbook = load_workbook(template)
    shown = {c.name: c for c in columns_of(source)}
    names = [f["name"] for f in EVERY_KIND["fields"]]
    for row in rows:
        workbook[DATA_SHEET].append([shown[n].shown(row[n]) for n in names])
    filled = tmp_path / "rempli.xlsx"
    workbook.save(filled)
    result = export(read_filled(filled), source)
    exported = {(p.row, p.type) for p in result.errors}
    assert exported == validated
    for number, kind in enumerate(kinds, start=3):
        assert (number, kind) in validated, (kind, sorted(validated))
    assert not any(row == 2 for row, _ in validated), "the good row is valid"
    assert "taux-base-masquee" not in {t for _, t in exported}, "a warning blocks nothing"


def test_a_warning_rule_blocks_no_export(tmp_path: Path) -> None:
    """« taux-base-masquee » is a warning in ``validate``: ``export`` shows it, writes anyway."""
    registry = load_registry(REPO)
    source = dataclasses.replace(
        resolve(str(_schema_file(tmp_path, EVERY_KIND))), registry=registry
    )
    row = {**EVERY_GOOD, "sortants": None, "emplois": None, "statut": "secret_statistique"}
    row["taux"] = None
    template, _ = write_templates(source, tmp_path / "modele")
    workbook = load_workbook(template)
    shown = {c.name: c for c in columns_of(source)}
    workbook[DATA_SHEET].append([shown[n].shown(row[n]) for n in shown])
    filled = tmp_path / "rempli.xlsx"
    workbook.save(filled)
    assert export(read_filled(filled), source).errors == []
    masked = {**row, "statut": "diffuse", "sortants": None, "emplois": 118, "taux": 50}
    workbook[DATA_SHEET].append([shown[n].shown(masked[n]) for n in shown])
    workbook.save(filled)
    result = export(read_filled(filled), source)
    assert {p.type for p in result.errors} == {"diffuse-valeur-masquee"}
    assert any("sortants" in note for note in result.notes)


# -- highlights of the rules only the registry knows, evaluated by LibreOffice -------------

REGISTRY_KINDS: dict[str, Any] = {
    "name": "regles-registre",
    "version": "1.0.0",
    "missingValues": [""],
    "x-esr": {
        "rules": [
            {
                "type": "condition",
                "if": {"field": "statut", "in": ["titulaire"]},
                "then": {"field": "corps", "required": True},
            },
            {"type": "sum", "field": "total", "fields": ["a", "b", "c"]},
        ]
    },
    "fields": [
        {"name": "statut", "type": "string", "constraints": {"enum": ["titulaire", "contractuel"]}},
        {"name": "corps", "type": "string"},
        {"name": "total", "type": "number"},
        {"name": "a", "type": "number"},
        {"name": "b", "type": "number"},
        {"name": "c", "type": "number"},
    ],
}
# (row, the columns whose cell turns yellow)
REGISTRY_ROWS: list[tuple[list[Any], set[str]]] = [
    (["titulaire", "836", 6.5, 1, 2.5, 3], set()),
    (["titulaire", None, 6.5, 1, 2.5, 3], {"corps"}),
    (["contractuel", None, 3, 1, None, 2], set()),  # an empty part counts as zero
    (["contractuel", None, 4, 1, None, 2], {"total"}),
    (["contractuel", None, 4, None, None, None], set()),  # no part filled: left alone
    ([None, None, None, 1, 2, 3], set()),  # no total yet
]


def test_libreoffice_colours_the_registry_rules_it_can_test(tmp_path: Path) -> None:
    """The highlight formulas of a conditional obligation and of a sum with empty parts,
    copied into cells and computed by LibreOffice, are true exactly on the rows that
    break the rule."""
    template = _template(tmp_path, REGISTRY_KINDS)
    workbook = load_workbook(template)
    sheet = workbook[DATA_SHEET]
    formulas = {
        str(rng.sqref).split(":")[0].rstrip("2"): rule.formula[0]
        for rng in sheet.conditional_formatting
        for rule in rng.rules
    }
    names = [f["name"] for f in REGISTRY_KINDS["fields"]]
    checked = {name: formulas[_letter_of(names, name)] for name in ("corps", "total")}
    for number, (row, _) in enumerate(REGISTRY_ROWS, start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(number, column, value)
        for offset, formula in enumerate(checked.values()):
            moved = re.sub(r"\$([A-Z]+)2\b", rf"$\g<1>{number}", formula)
            sheet.cell(number, 20 + offset, f"=IF({moved},1,0)")
    filled = tmp_path / "rempli.xlsx"
    workbook.save(filled)
    soffice("csv", [filled], tmp_path / "lo", tmp_path / "profil")  # LibreOffice computes
    lines = read_rows(tmp_path / "lo" / "rempli.csv")
    for number, (_, expected) in enumerate(REGISTRY_ROWS, start=2):
        got = {name for offset, name in enumerate(checked) if lines[number - 1][19 + offset] == "1"}
        assert got == expected, (number, lines[number - 1])


def _letter_of(names: list[str], name: str) -> str:
    return get_column_letter(names.index(name) + 1)
