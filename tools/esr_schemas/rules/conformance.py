"""What the validator needs from a schema beyond the JSON profile: constraints and formats
that fit each field's type, well-formed missing values, no deprecated spellings.

The checks are the validator's own (``validation/schema_check.py``): a schema ``check``
passes is a schema ``validate`` can use.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ..validation.schema_check import constraint_problems, missing_values_problems
from ..validation.types import DEPRECATED_FORMAT_PREFIX
from . import SchemaContext, iter_fields, pointer, rule


@rule(
    "constraint-type-mismatch",
    Severity.ERROR,
    "Chaque contrainte d'un champ s'applique à son type (pas de « pattern » sur un entier, de "
    "« minLength » sur une date…) et aucun « format » n'est vide.",
)
def constraint_type_mismatch(ctx: SchemaContext) -> Iterator[Finding]:
    for problem in constraint_problems(ctx.descriptor):
        if problem.kind == "unknown":  # a misspelt constraint: « unknown-key » says so
            continue
        yield ctx.finding(
            "constraint-type-mismatch", problem.message, problem.fix, pointer=pointer(*problem.path)
        )


@rule(
    "missing-values-invalid",
    Severity.ERROR,
    "« missingValues » est une liste de textes, ou d'objets valeur et libellé dans un schéma "
    "qui déclare Table Schema v2, sans doublon.",
)
def missing_values_invalid(ctx: SchemaContext) -> Iterator[Finding]:
    for problem in missing_values_problems(ctx.descriptor):
        yield ctx.finding(
            "missing-values-invalid", problem.message, problem.fix, pointer=pointer(*problem.path)
        )


@rule(
    "format-prefix-deprecated",
    Severity.WARNING,
    "Un format de date ou d'heure ne commence pas par l'ancien préfixe « fmt: ».",
)
def format_prefix_deprecated(ctx: SchemaContext) -> Iterator[Finding]:
    for index, field in iter_fields(ctx.descriptor):
        fmt = field.get("format")
        if isinstance(fmt, str) and fmt.startswith(DEPRECATED_FORMAT_PREFIX):
            bare = fmt[len(DEPRECATED_FORMAT_PREFIX) :]
            yield ctx.finding(
                "format-prefix-deprecated",
                f"Le format du champ « {field.get('name', '')} » commence par « fmt: », une "
                "écriture des premières versions de Table Schema, abandonnée depuis : certains "
                "outils ne la comprennent plus.",
                f"Écrivez « {bare} ».",
                pointer=pointer("fields", index, "format"),
            )
