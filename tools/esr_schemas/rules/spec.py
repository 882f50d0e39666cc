"""The schema conforms to the Table Schema specification."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from ..findings import Finding, Severity
from . import SchemaContext, pointer, rule


@cache
def _profile() -> dict[str, Any]:
    text = resources.files("esr_schemas").joinpath("data/table-schema.json").read_text("utf-8")
    return dict(json.loads(text))


def _field_branch(field_type: object) -> dict[str, Any] | None:
    """The profile's subschema for one field type (the profile lists them in an anyOf)."""
    for branch in _profile()["properties"]["fields"]["items"]["anyOf"]:
        enum = branch.get("properties", {}).get("type", {}).get("enum", [])
        if field_type in enum:
            return dict(branch)
    return None


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return f"Propriété obligatoire absente : {error.message.split(' ')[0]}."
    if error.validator == "type":
        return f"Type JSON inattendu : {json.dumps(error.instance, ensure_ascii=False)[:80]} (attendu : {error.validator_value})."
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in list(error.validator_value))  # type: ignore[arg-type]
        return f"Valeur {json.dumps(error.instance, ensure_ascii=False)[:80]} non autorisée (valeurs possibles : {allowed})."
    return f"Non conforme à la spécification Table Schema : {error.message[:200]}."


@rule(
    "spec-table-schema",
    Severity.ERROR,
    "Le schéma est conforme au profil JSON officiel de Table Schema (vérifié hors ligne).",
)
def table_schema_profile(ctx: SchemaContext) -> Iterator[Finding]:
    validator = jsonschema.Draft4Validator(_profile())
    seen: set[tuple[str, str]] = set()
    for error in sorted(validator.iter_errors(ctx.descriptor), key=lambda e: list(e.absolute_path)):
        path = list(error.absolute_path)
        if len(path) == 2 and path[0] == "fields" and error.validator == "anyOf":
            field = ctx.descriptor["fields"][path[1]]
            branch = _field_branch(field.get("type", "string")) if isinstance(field, dict) else None
            if branch is None:
                errors = [error]
            else:
                errors = list(jsonschema.Draft4Validator(branch).iter_errors(field))
                for sub in errors:
                    sub.path.extendleft(path)
            if isinstance(field, dict) and branch is None:
                yield ctx.finding(
                    "spec-table-schema",
                    f"Type de champ inconnu : {json.dumps(field.get('type'), ensure_ascii=False)}.",
                    "Utilisez un type Table Schema : string, number, integer, boolean, date, time, "
                    "datetime, year, yearmonth, duration, geopoint, geojson, object, array ou any.",
                    pointer=pointer(*path, "type"),
                )
                continue
        else:
            errors = [error]
        for sub in errors:
            where = pointer(*list(sub.absolute_path))
            message = _message(sub)
            if (where, message) in seen:
                continue
            seen.add((where, message))
            yield ctx.finding(
                "spec-table-schema",
                message,
                "Corrigez la valeur selon la spécification Table Schema "
                "(https://specs.frictionlessdata.io/table-schema/).",
                pointer=where,
            )


@rule(
    "spec-frictionless",
    Severity.ERROR,
    "Le schéma se charge sans erreur dans frictionless-py (Schema.from_descriptor).",
)
def loads_in_frictionless(ctx: SchemaContext) -> Iterator[Finding]:
    from frictionless import FrictionlessException, Schema

    try:
        Schema.from_descriptor(ctx.descriptor)
        errors = []
    except FrictionlessException as exc:
        errors = exc.reasons or [exc.error]
    except Exception as exc:  # frictionless raises plain errors on some malformed input
        yield ctx.finding(
            "spec-frictionless",
            f"frictionless-py ne peut pas charger le schéma : {type(exc).__name__}: {exc}.",
            "Corrigez d'abord les constats « spec-table-schema » de ce schéma.",
            pointer="",
        )
        return
    for error in errors:
        if _reported_in_french(error.message, ctx.descriptor):
            continue
        yield ctx.finding(
            "spec-frictionless",
            f"frictionless-py refuse le schéma : {error.message}.",
            "Corrigez le schéma pour que frictionless-py, l'implémentation de référence de "
            "Table Schema utilisée par Validata, le charge.",
            pointer="",
        )


def _reported_in_french(message: str, descriptor: dict[str, Any]) -> bool:
    """Whether a refusal of frictionless is a problem our own rules already report, in
    French and at its place: a constraint the field's type cannot take
    (``constraint-type-mismatch``, or ``unknown-key`` for a misspelt one), missing
    values written as objects without Table Schema v2 (``missing-values-invalid``).
    Bounds on durations and lengths on GeoJSON stay reported here: the validator
    enforces them, frictionless refuses them."""
    from ..validation.schema_check import constraint_problems, missing_values_problems

    match = re.search(r'constraint "([^"]+)" is not supported by type', message)
    if match:
        return any(p.path[-1] == match.group(1) for p in constraint_problems(descriptor))
    if "missing values in object form" in message or "is not unique" in message:
        return bool(missing_values_problems(descriptor))
    return False
