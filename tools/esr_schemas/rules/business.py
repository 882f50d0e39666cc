"""Business rules declared in a schema (``custom_checks``, ``x-esr.rules``, the fields'
``denominator`` and ``numerator``): each declaration is one the validator can apply, and
a code check the registry runs is also declared for Validata."""

from __future__ import annotations

from collections.abc import Iterator

from ..extensions import code_system
from ..findings import Finding, Severity
from ..validation.declared_rules import declared_rules
from . import SchemaContext, iter_fields, pointer, rule


@rule(
    "business-rule-invalid",
    Severity.ERROR,
    "Chaque règle entre colonnes déclarée (« custom_checks » de Validata, « x-esr.rules », "
    "taux et leurs effectifs) est complète, cite des colonnes du schéma et un référentiel "
    "qui a les colonnes voulues.",
)
def business_rule_invalid(ctx: SchemaContext) -> Iterator[Finding]:
    _, problems = declared_rules(ctx.descriptor, ctx.registry.referentiels)
    for problem in problems:
        yield ctx.finding(
            "business-rule-invalid", problem.message, problem.fix, pointer=problem.pointer
        )


@rule(
    "custom-check-missing",
    Severity.ERROR,
    "Un SIREN ou un SIRET contrôlé par le registre (« x-esr.codeSystem ») est aussi déclaré "
    "dans « custom_checks », pour que Validata le contrôle.",
)
def custom_check_missing(ctx: SchemaContext) -> Iterator[Finding]:
    checks = ctx.descriptor.get("custom_checks")
    declared = {
        (c.get("name"), c["params"].get("column"))
        for c in (checks if isinstance(checks, list) else [])
        if isinstance(c, dict) and isinstance(c.get("params"), dict)
    }
    for index, field in iter_fields(ctx.descriptor):
        system = code_system(field)
        if system in ("siren", "siret") and (system, field.get("name")) not in declared:
            yield ctx.finding(
                "custom-check-missing",
                f"Le champ « {field.get('name')} » est un {system.upper()} contrôlé par le "
                "registre, mais Validata ne le contrôlera pas : le schéma ne le lui demande pas.",
                f'Ajoutez à « custom_checks » {{"name": "{system}", "params": {{"column": '
                f'"{field.get("name")}"}}}}.',
                pointer=pointer("fields", index, "x-esr", "codeSystem"),
            )
