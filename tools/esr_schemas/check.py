"""Runs every rule on the registry, applies exceptions, returns all findings."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .findings import Finding, Severity, sort_findings
from .jsonutil import pointer_lines
from .model import Registry
from .resolve import unknown_schema_message
from .rules import RegistryContext, SchemaContext, all_rules, documented_ids, pointer


class UnknownSchemaError(Exception):
    """A schema name given on the command line does not exist."""


@dataclass
class CheckResult:
    findings: list[Finding]
    fixed: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]


def run_check(
    registry: Registry,
    names: list[str] | None = None,
    *,
    fix: bool = False,
    base: str | None = None,
) -> CheckResult:
    unknown = [n for n in names or [] if n not in registry.schemas]
    if unknown:
        raise UnknownSchemaError(unknown_schema_message(registry, unknown))
    selected = names or list(registry.schemas)
    rules = all_rules()
    findings: list[Finding] = list(registry.load_findings)
    fixed: list[str] = []
    for name in selected:
        entry = registry.schemas[name]
        findings += entry.load_findings
        if entry.descriptor is None:
            continue
        ctx = SchemaContext(registry=registry, entry=entry, descriptor=entry.descriptor, fix=fix)
        for rule in rules.values():
            if rule.scope == "schema":
                findings += list(rule.check(ctx))
        fixed += ctx.fixed
    registry_ctx = RegistryContext(registry=registry, names=selected, fix=fix, base=base)
    for rule in rules.values():
        if rule.scope == "registry":
            findings += list(rule.check(registry_ctx))
    findings = apply_exceptions(registry, findings, selected)
    findings = with_json_lines(registry, findings)
    return CheckResult(findings=sort_findings(_dedupe(findings)), fixed=fixed)


def with_json_lines(registry: Registry, findings: list[Finding]) -> list[Finding]:
    """Adds the line number of each JSON pointer, so that messages and CI annotations
    point at the right line of the file."""
    cache: dict[str, dict[str, int]] = {}
    result = []
    for finding in findings:
        if finding.pointer is not None and finding.line is None and finding.file.endswith(".json"):
            if finding.file not in cache:
                path = registry.root / finding.file
                try:
                    cache[finding.file] = pointer_lines(path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError):
                    cache[finding.file] = {}
            line = cache[finding.file].get(finding.pointer)
            if line is not None:
                finding = replace(finding, line=line)
        result.append(finding)
    return result


def apply_exceptions(
    registry: Registry, findings: list[Finding], selected: list[str]
) -> list[Finding]:
    """Drops excepted findings; reports malformed and unused exceptions."""
    file = registry.rel(registry.exceptions_file)
    known = documented_ids()
    kept = findings
    problems: list[Finding] = []
    for index, exception in enumerate(registry.exceptions):
        where = pointer(index)
        schema, rule_id = exception.get("schema"), exception.get("rule")
        reason = exception.get("reason")
        if not isinstance(schema, str) or not isinstance(rule_id, str):
            problems.append(
                _exception_problem(
                    file,
                    where,
                    "L'exception doit nommer « schema » et « rule ».",
                    "Écrivez « - schema: NOM\\n  rule: ID-DE-REGLE\\n  reason: … ».",
                )
            )
            continue
        if rule_id not in known:
            problems.append(
                _exception_problem(
                    file,
                    where,
                    f"L'exception vise une règle inconnue « {rule_id} ».",
                    "Corrigez l'identifiant (voir docs/reference/regles.md).",
                )
            )
            continue
        if not isinstance(reason, str) or len(reason.strip()) < 10:
            problems.append(
                _exception_problem(
                    file,
                    where,
                    f"L'exception {schema}/{rule_id} n'a pas de raison écrite.",
                    "Ajoutez « reason: » avec une phrase qui justifie l'exception.",
                )
            )
            continue
        if schema not in selected:
            continue
        target = exception.get("pointer")

        def matches(
            f: Finding, schema: str = schema, rule_id: str = rule_id, target: object = target
        ) -> bool:
            return (
                f.schema == schema and f.rule == rule_id and (target is None or f.pointer == target)
            )

        if not any(matches(f) for f in kept):
            problems.append(
                Finding(
                    file=file,
                    rule="exception-unused",
                    message=f"L'exception {schema}/{rule_id}"
                    + (f" ({target})" if target else "")
                    + " ne correspond plus à aucun constat.",
                    fix="Retirez cette exception du fichier.",
                    pointer=where,
                    schema=schema,
                )
            )
        kept = [f for f in kept if not matches(f)]
    return kept + problems


def _exception_problem(file: str, where: str, message: str, fix: str) -> Finding:
    return Finding(file=file, rule="exception-invalid", message=message, fix=fix, pointer=where)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[Finding] = set()
    unique = []
    for finding in findings:
        if finding not in seen:
            seen.add(finding)
            unique.append(finding)
    return unique
