"""Pass and fail cases for the business-rule declarations."""

from __future__ import annotations

from typing import Any

from . import Expected, RuleCase, edit_schema, field_of

S = "schemas/demo/schema.json"


def _checks(*checks: dict[str, Any]):
    return lambda root: edit_schema(root, lambda d: d.__setitem__("custom_checks", list(checks)))


def _rules(*rules: dict[str, Any]):
    return lambda root: edit_schema(
        root, lambda d: d.setdefault("x-esr", {}).__setitem__("rules", list(rules))
    )


def _uai_as(system: str, *checks: dict[str, Any]):
    def change(data: dict[str, Any]) -> None:
        field_of(data, "code_uai")["x-esr"] = {"codeSystem": system}
        if checks:
            data["custom_checks"] = list(checks)

    return lambda root: edit_schema(root, change)


def _compare(column2: str, op: str = "<=") -> dict[str, Any]:
    return {
        "name": "compare-columns-value",
        "params": {"column": "effectif", "column2": column2, "op": op},
    }


def _condition(field: str) -> dict[str, Any]:
    return {
        "type": "condition",
        "if": {"field": "niveau", "in": ["D"]},
        "then": {"field": field, "in": ["1"]},
    }


CASES = [
    RuleCase(
        "business-rule-invalid",
        _checks(_compare("colonne_absente")),
        [Expected(S, pointer="/custom_checks/0/params")],
        pass_=_checks(_compare("rentree")),
    ),
    RuleCase(
        "business-rule-invalid",
        _checks(_compare("rentree", "=>")),
        [Expected(S, pointer="/custom_checks/0/params/op")],
        id="operator",
    ),
    RuleCase(
        "business-rule-invalid",
        _checks({"name": "regle-inconnue", "params": {"column": "effectif"}}),
        [Expected(S, pointer="/custom_checks/0/name")],
        id="unknown-name",
    ),
    RuleCase(
        "business-rule-invalid",
        _rules(_condition("colonne_absente")),
        [Expected(S, pointer="/x-esr/rules/0")],
        pass_=_rules(_condition("effectif")),
        id="condition",
    ),
    RuleCase(
        "business-rule-invalid",
        _rules(
            {
                "type": "lookup",
                "field": "niveau",
                "referentiel": "absent",
                "columns": {"effectif": "x"},
            }
        ),
        [Expected(S, pointer="/x-esr/rules/0")],
        id="lookup",
    ),
    RuleCase(
        "custom-check-missing",
        _uai_as("siren"),
        [Expected(S, pointer="/fields/0/x-esr/codeSystem")],
        pass_=_uai_as("siren", {"name": "siren", "params": {"column": "code_uai"}}),
    ),
]
