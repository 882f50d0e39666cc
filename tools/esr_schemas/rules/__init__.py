"""Rule registry for ``esr-schemas check``.

A rule is a small function decorated with :func:`rule`. It receives a context and
yields :class:`Finding` objects; it never prints and never stops at the first problem.
Rule modules are listed in ``RULE_MODULES`` and imported by :func:`all_rules`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..findings import Finding, Severity
from ..model import Registry, SchemaEntry

Scope = Literal["schema", "registry"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    description: str
    check: Callable[[Any], Iterable[Finding]]
    scope: Scope
    module: str
    fixable: bool = False


_RULES: dict[str, Rule] = {}
EXTRA_IDS: dict[str, tuple[Severity, str]] = {}
"""Findings emitted by the loader or by a multi-id rule: id -> (severity, description)."""

# Modules holding rules, in the order they run.
RULE_MODULES = (
    "loading",
    "spec",
    "metadata",
    "fields",
    "conformance",
    "example_files",
    "changelog",
    "formatting",
    "published",
    "history",
    "commons",
    "referentiels",
    "privacy",
    "business",
)


def rule(
    rule_id: str,
    severity: Severity,
    description: str,
    *,
    scope: Scope = "schema",
    fixable: bool = False,
) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    def decorate(function: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        if rule_id in _RULES:
            raise ValueError(f"rule {rule_id} declared twice")
        _RULES[rule_id] = Rule(
            rule_id, severity, description, function, scope, function.__module__, fixable
        )
        return function

    return decorate


def declare(rule_id: str, severity: Severity, description: str) -> None:
    """Declares a finding id emitted outside a rule function (e.g. by the loader)."""
    EXTRA_IDS[rule_id] = (severity, description)


def all_rules() -> dict[str, Rule]:
    for name in RULE_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    return dict(_RULES)


def documented_ids() -> dict[str, tuple[Severity, str]]:
    """Every finding id check can emit, with severity and description."""
    ids = {r.id: (r.severity, r.description) for r in all_rules().values()}
    ids.update(EXTRA_IDS)
    return dict(sorted(ids.items()))


@dataclass
class SchemaContext:
    registry: Registry
    entry: SchemaEntry
    descriptor: dict[str, Any]
    fix: bool = False
    fixed: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.registry.rel(self.entry.schema_file)

    def rel(self, path: Path) -> str:
        return self.registry.rel(path)

    def finding(
        self, rule_id: str, message: str, fix: str, *, file: str | None = None, **where: Any
    ) -> Finding:
        """A finding of this schema; ``where`` takes pointer, row, column, line, severity."""
        return make_finding(
            rule_id, message, fix, file=file or self.file, schema=self.entry.name, **where
        )

    def write_fix(self, rule_id: str, content: bytes | str) -> Finding | None:
        """Rewrites schema.json for ``--fix``; a finding of ``rule_id`` when the file may
        not be rewritten (a link into a published version, a refused write)."""
        from ..safe_write import WriteRefused, write_file

        try:
            write_file(self.entry.schema_file, content, overwrite=True)
        except WriteRefused as refusal:
            return self.finding(
                rule_id,
                f"Correction non appliquée : {refusal}",
                "Corrigez le fichier à la main, ou remplacez le lien par une copie puis relancez "
                "« esr-schemas check --fix ».",
            )
        self.fixed.append(self.file)
        return None


@dataclass
class RegistryContext:
    registry: Registry
    names: list[str]
    fix: bool = False
    base: str | None = None
    """A git revision to compare against (``check --base``), or None."""

    def finding(self, rule_id: str, message: str, fix: str, *, file: str, **where: Any) -> Finding:
        """A registry-wide finding; ``where`` takes pointer, row, column, line, schema, severity."""
        return make_finding(rule_id, message, fix, file=file, **where)


def make_finding(
    rule_id: str,
    message: str,
    fix: str,
    *,
    file: str,
    pointer: str | None = None,
    row: int | None = None,
    column: str | None = None,
    line: int | None = None,
    schema: str | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding with the rule's declared severity unless one is given."""
    return Finding(
        file=file,
        rule=rule_id,
        message=message,
        fix=fix,
        severity=severity or _severity(rule_id),
        pointer=pointer,
        row=row,
        column=column,
        line=line,
        schema=schema,
    )


def _severity(rule_id: str) -> Severity:
    if rule_id in _RULES:
        return _RULES[rule_id].severity
    if rule_id in EXTRA_IDS:
        return EXTRA_IDS[rule_id][0]
    return Severity.ERROR


def pointer(*parts: object) -> str:
    """A JSON pointer from path parts, escaped per RFC 6901."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def iter_fields(descriptor: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    fields = descriptor.get("fields")
    if isinstance(fields, list):
        for index, item in enumerate(fields):
            if isinstance(item, dict):
                yield index, item
