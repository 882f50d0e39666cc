"""The schema's business rules in the Excel template: a highlight on the cells that break
the rules a formula can test (comparisons, sums, conditions, SIRET and SIREN of a row),
and every rule in plain French on the Notice (the same sentences as the schema page).

A spreadsheet validation formula of its own would replace the column's existing one
(type, list, secrecy threshold), so the rules between columns are shown by conditional
formatting instead; ``export`` refuses every broken rule anyway.
"""

from __future__ import annotations

from typing import Any

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ..validation.declared_rules import declared_rules, describe

RULE_FILL = PatternFill(bgColor="FFEB9C")
LAST_ROW = 1048576
_COMPARISONS = {">": ">", ">=": ">=", "==": "=", "<=": "<=", "<": "<"}


def _text(cell: str, value: str) -> str:
    """A cell compared as text, whatever the spreadsheet made of it (6 or "6")."""
    escaped = value.replace('"', '""')
    return f'{cell}&""="{escaped}"'


def _formula(kind: str, cells: list[str], params: dict[str, Any]) -> str | None:
    """A formula true when row 2 breaks the rule (None: no formula can say it)."""
    if kind == "compare-columns-value":
        a, b = cells
        return f"AND(ISNUMBER({a}),ISNUMBER({b}),NOT({a}{_COMPARISONS[params['op']]}{b}))"
    if kind == "sum-columns-value":
        total, *parts = cells
        return f"AND(COUNT({','.join(cells)})={len(cells)},{total}<>{'+'.join(parts)})"
    if kind == "cohesive-columns-value":
        filled = "+".join(f"(LEN({c})>0)" for c in cells)
        return f"AND({filled}>0,{filled}<{len(cells)})"
    if kind == "condition":
        then_cell, if_cell = cells
        when = ",".join(_text(if_cell, v) for v in params["if"]["in"])
        then = ",".join(_text(then_cell, v) for v in params["then"]["in"])
        return f"AND(OR({when}),LEN({then_cell})>0,NOT(OR({then})))"
    if kind == "siret-siren":
        siret, siren = cells
        return f'AND(LEN({siret})=14,LEN({siren})=9,LEFT({siret},9)<>{siren}&"")'
    return None


def add_highlights(ws: Worksheet, descriptor: dict[str, Any], letters: dict[str, str]) -> int:
    """Colour, on the data sheet, the cells that break a rule; returns how many rules."""
    rules, _ = declared_rules(descriptor)
    count = 0
    for rule in rules:
        if not all(name in letters for name in rule.columns):
            continue
        cells = [f"${letters[name]}2" for name in rule.columns]
        formula = _formula(rule.kind, cells, rule.params)
        if formula is None:
            continue
        target = letters[rule.columns[0]]
        ws.conditional_formatting.add(
            f"{target}2:{target}{LAST_ROW}", FormulaRule(formula=[formula], fill=RULE_FILL)
        )
        count += 1
    return count


def notice_rows(descriptor: dict[str, Any]) -> list[tuple[str, ...]]:
    """The Notice's « Règles entre colonnes » section (nothing when the schema has none)."""
    rules, _ = declared_rules(descriptor)
    if not rules:
        return []
    rows: list[tuple[str, ...]] = [
        ("",),
        ("Règles entre colonnes",),
        (
            "Le fichier doit aussi respecter ces règles. Une cellule qui enfreint une comparaison, "
            "une somme ou une condition entre colonnes est colorée en jaune ; les autres règles "
            "(référentiels, secret statistique) ne sont vérifiées qu'à l'export.",
        ),
    ]
    rows += [(f"- {describe(rule)}",) for rule in rules]
    return rows
