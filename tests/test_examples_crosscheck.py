"""Both engines agree on every example file of the registry.

``check`` judges examples with the registry's engine (``esr_schemas.examples``). Here
every example, valid and invalid, of every working schema and of every published
version goes through both engines: the (error type, row, field) multisets must be equal
on frictionless' error codes. Our own codes (``uai-check-letter``, ``siren-checksum``…)
only exist in ours, so an invalid example named after one of them must be valid for
frictionless, and fail with that code in ours.
"""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import pytest

from esr_schemas import codesystems
from esr_schemas.examples import example_errors, frictionless_errors
from esr_schemas.loader import load_registry
from esr_schemas.validation.declared_rules import ERROR_CODES

ROOT = Path(__file__).resolve().parents[1]
OWN_CODES = (
    {codesystems.error_type(s) for s in codesystems.SYSTEMS_WITH_CHECK}
    | {"code-list-error", "secret-statistique"}
    | set(ERROR_CODES.values())  # rules between columns: frictionless knows none
)


REGISTRY = load_registry(ROOT)


def _cases() -> list[tuple[str, Path, dict[str, Any], str | None]]:
    registry = REGISTRY
    cases: list[tuple[str, Path, dict[str, Any], str | None]] = []
    for entry in registry.schemas.values():
        sides: list[tuple[str, dict[str, Any] | None, list[Path], list[Any]]] = [
            ("", entry.descriptor, entry.valid_examples, entry.invalid_examples)
        ]
        for published in entry.published:
            sides.append(
                (
                    f"@{published.version}",
                    published.descriptor,
                    published.valid_examples,
                    published.invalid_examples,
                )
            )
        for label, descriptor, valid, invalid in sides:
            if descriptor is None:
                continue
            for path in valid:
                cases.append((f"{entry.name}{label}/{path.name}", path, descriptor, None))
            for example in invalid:
                cases.append(
                    (
                        f"{entry.name}{label}/{example.path.name}",
                        example.path,
                        descriptor,
                        example.expected_error,
                    )
                )
    return cases


CASES = _cases()


def test_the_registry_has_examples_of_both_kinds_and_versions() -> None:
    assert len(CASES) > 50
    assert any("@" in case[0] for case in CASES)
    assert any(case[3] in OWN_CODES for case in CASES)


@pytest.mark.parametrize(
    ("path", "descriptor", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_both_engines_agree(path: Path, descriptor: dict[str, Any], expected: str | None) -> None:
    ours = example_errors(path, descriptor, REGISTRY)
    theirs = frictionless_errors(path, descriptor)
    ours_frictionless = collections.Counter(
        (e.type, e.row or 0, e.field or "") for e in ours if e.type not in OWN_CODES
    )
    theirs_counter = collections.Counter((e.type, e.row or 0, e.field or "") for e in theirs)
    assert ours_frictionless == theirs_counter
    if expected is None:
        assert ours == []
    elif expected in OWN_CODES:
        assert theirs == [], (
            "frictionless ne connaît pas nos codes : l'exemple doit lui être valide"
        )
        assert {e.type for e in ours} == {expected}
    else:
        assert {e.type for e in ours} == {expected}
