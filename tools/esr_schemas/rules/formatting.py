"""Canonical JSON formatting of schema.json (fixable)."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ..jsonutil import dumps_canonical
from . import SchemaContext, rule


@rule(
    "json-not-canonical",
    Severity.ERROR,
    "schema.json est en JSON canonique : indentation de 2 espaces, UTF-8 non échappé, saut de ligne final.",
    fixable=True,
)
def not_canonical(ctx: SchemaContext) -> Iterator[Finding]:
    expected = dumps_canonical(ctx.descriptor).encode("utf-8")
    if ctx.entry.raw == expected:
        return
    if ctx.fix:
        refused = ctx.write_fix("json-not-canonical", expected)
        if refused is not None:
            yield refused
        return
    line = _first_difference(ctx.entry.raw or b"", expected)
    yield ctx.finding(
        "json-not-canonical",
        f"schema.json n'est pas au format canonique (première différence ligne {line}).",
        "Lancez « esr-schemas check --fix » pour le reformater.",
        line=line,
    )


def _first_difference(actual: bytes, expected: bytes) -> int:
    for number, (a, b) in enumerate(
        zip(actual.splitlines() + [b""], expected.splitlines() + [b""], strict=False), start=1
    ):
        if a != b:
            return number
    return min(len(actual.splitlines()), len(expected.splitlines())) + 1
