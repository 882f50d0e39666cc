"""Pass and fail cases for the rules on what the validator needs from a schema."""

from __future__ import annotations

from typing import Any

from . import Expected, RuleCase, edit_schema

S = "schemas/demo/schema.json"
V2 = "https://datapackage.org/profiles/2.0/tableschema.json"


def _edit(change: Any):
    return lambda root: edit_schema(root, change)


def _constraint(index: int, name: str, value: Any):
    return _edit(lambda d: d["fields"][index].setdefault("constraints", {}).update({name: value}))


def _format(index: int, value: str):
    return _edit(lambda d: d["fields"][index].update(format=value))


def _missing(value: Any, schema: str | None = None):
    """``missingValues`` set to ``value``, under ``$schema`` (None: no ``$schema``, which
    means Table Schema v1)."""

    def change(data: dict[str, Any]) -> None:
        data["missingValues"] = value
        data.pop("$schema", None)
        if schema is not None:
            data["$schema"] = schema

    return _edit(change)


CASES = [
    RuleCase(
        "constraint-type-mismatch",
        _constraint(3, "pattern", "[0-9]+"),  # « effectif » is an integer
        [Expected(S, pointer="/fields/3/constraints/pattern")],
        pass_=_constraint(3, "maximum", 100000),
    ),
    RuleCase(
        "constraint-type-mismatch",
        _constraint(1, "minLength", 4),  # « rentree » is a year
        [Expected(S, pointer="/fields/1/constraints/minLength")],
        id="length-on-year",
    ),
    RuleCase(
        "constraint-type-mismatch",
        _format(1, ""),
        [Expected(S, pointer="/fields/1/format")],
        id="empty-format",
    ),
    RuleCase(
        "missing-values-invalid",
        _missing([{"value": "-99", "label": "refus de répondre"}]),  # no v2 $schema
        [Expected(S, pointer="/missingValues")],
        pass_=_missing([{"value": "", "label": "non renseigné"}], schema=V2),
    ),
    RuleCase(
        "missing-values-invalid",
        _missing([{"value": "-99", "label": "refus"}, {"value": "-99", "label": "autre"}], V2),
        [Expected(S, pointer="/missingValues")],
        id="duplicate",
    ),
    RuleCase(
        "format-prefix-deprecated",
        _edit(
            lambda d: d["fields"].append(
                {
                    **d["fields"][1],
                    "name": "ouverture",
                    "type": "date",
                    "format": "fmt:%d/%m/%Y",
                    "example": "01/09/2024",
                }
            )
        ),
        [Expected(S, pointer="/fields/4/format")],
        pass_=_edit(
            lambda d: d["fields"].append(
                {
                    **d["fields"][1],
                    "name": "ouverture",
                    "type": "date",
                    "format": "%d/%m/%Y",
                    "example": "01/09/2024",
                }
            )
        ),
    ),
]
