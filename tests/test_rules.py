"""Every check rule: one pass fixture and one fail fixture, asserting rule id and location."""

from __future__ import annotations

from pathlib import Path

import pytest

from esr_schemas.check import run_check
from esr_schemas.loader import load_registry
from esr_schemas.rules import all_rules, documented_ids
from rulecases import RuleCase, all_cases

CASES = all_cases()


def _ids(case: RuleCase) -> str:
    return f"{case.rule}-{case.id}" if case.id else case.rule


def _locations(root: Path, case: RuleCase) -> list[tuple[str, str | None, int | None, int | None]]:
    result = run_check(load_registry(root), base=case.base)
    return sorted(
        (f.file, f.pointer, f.row, f.line if f.pointer is None else None)
        for f in result.findings
        if f.rule == case.rule
    )


def test_base_registry_is_clean(base_registry: Path) -> None:
    result = run_check(load_registry(base_registry))
    assert result.findings == []


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_rule_fails(case: RuleCase, base_registry: Path) -> None:
    case.fail(base_registry)
    expected = sorted((e.file, e.pointer, e.row, e.line) for e in case.expected)
    assert _locations(base_registry, case) == expected


@pytest.mark.parametrize("case", [c for c in CASES if not c.id], ids=_ids)
def test_rule_passes(case: RuleCase, base_registry: Path) -> None:
    if case.pass_ is not None:
        case.pass_(base_registry)
    assert _locations(base_registry, case) == []


def test_every_rule_has_cases() -> None:
    covered = {case.rule for case in CASES}
    missing = sorted(set(documented_ids()) - covered)
    assert missing == [], f"règles sans fixture : {missing}"


def test_every_rule_is_described_in_french() -> None:
    for rule in all_rules().values():
        assert rule.description.endswith(".") and len(rule.description) > 20, rule.id
