"""Example files: the valid one passes, each invalid one fails with exactly its declared error."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from ..examples import ExampleError, SchemaNotUsable, example_errors
from ..findings import Finding, Severity
from . import SchemaContext, rule


def _errors(ctx: SchemaContext, path: Path) -> list[ExampleError] | None:
    try:
        return example_errors(path, ctx.descriptor, ctx.registry)
    except SchemaNotUsable:
        return None  # the spec rules explain why the schema is unusable


@rule(
    "example-missing",
    Severity.ERROR,
    "Le schéma a un exemple valide et au moins un exemple invalide.",
)
def example_missing(ctx: SchemaContext) -> Iterator[Finding]:
    folder = ctx.rel(ctx.entry.path / "exemples")
    if not ctx.entry.valid_examples:
        yield ctx.finding(
            "example-missing",
            "Le schéma n'a pas d'exemple valide.",
            "Ajoutez exemples/valide.csv : quelques lignes réalistes qui respectent le schéma.",
            file=folder + "/",
        )
    if not ctx.entry.invalid_examples:
        yield ctx.finding(
            "example-missing",
            "Le schéma n'a pas d'exemple invalide.",
            "Ajoutez exemples/invalide/<type-d-erreur>__<description>.csv, par exemple "
            "« constraint-error__effectif-negatif.csv », qui échoue pour cette seule raison.",
            file=folder + "/invalide/",
        )


@rule(
    "example-valid-fails",
    Severity.ERROR,
    "L'exemple valide passe la validation sans aucune erreur.",
)
def valid_fails(ctx: SchemaContext) -> Iterator[Finding]:
    for path in ctx.entry.valid_examples:
        for error in _errors(ctx, path) or []:
            yield ctx.finding(
                "example-valid-fails",
                f"L'exemple valide ne passe pas : {error.type} — {error.message}",
                "Corrigez la ligne de l'exemple, ou le schéma s'il est trop strict.",
                file=ctx.rel(path),
                row=error.row,
                column=error.field,
            )


@rule(
    "example-invalid-mismatch",
    Severity.ERROR,
    "Chaque exemple invalide échoue, et uniquement avec l'erreur que son nom déclare.",
)
def invalid_mismatch(ctx: SchemaContext) -> Iterator[Finding]:
    for example in ctx.entry.invalid_examples:
        errors = _errors(ctx, example.path)
        file = ctx.rel(example.path)
        if errors is None:
            continue
        if not errors:
            yield ctx.finding(
                "example-invalid-mismatch",
                f"L'exemple invalide passe la validation : l'erreur « {example.expected_error} » "
                "annoncée par son nom n'apparaît pas.",
                "Modifiez le fichier pour qu'il provoque cette erreur, ou renommez-le.",
                file=file,
            )
            continue
        if example.expected_error not in {e.type for e in errors}:
            found = ", ".join(
                f"{t} ({n})" for t, n in sorted(Counter(e.type for e in errors).items())
            )
            yield ctx.finding(
                "example-invalid-mismatch",
                f"L'exemple invalide échoue avec {found} au lieu de « {example.expected_error} ».",
                "Renommez le fichier d'après l'erreur produite, ou corrigez son contenu.",
                file=file,
            )
            continue
        for error in errors:
            if error.type != example.expected_error:
                yield ctx.finding(
                    "example-invalid-mismatch",
                    f"L'exemple invalide produit aussi l'erreur « {error.type} » ({error.message}), "
                    f"en plus de « {example.expected_error} ».",
                    "Un exemple invalide doit échouer pour une seule raison : corrigez cette ligne.",
                    file=file,
                    row=error.row,
                    column=error.field,
                )
