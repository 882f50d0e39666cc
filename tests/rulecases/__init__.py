"""Pass and fail fixtures for every check rule.

Each module of this package defines ``CASES: list[RuleCase]``. A case starts from a
copy of ``tests/fixtures/base-registry`` (clean), applies ``fail`` and expects exactly
the listed findings of that rule; ``pass_`` (default: no change) must give none.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Mutation = Callable[[Path], None]


@dataclass
class Expected:
    file: str
    pointer: str | None = None
    row: int | None = None
    line: int | None = None
    """A line of a text file; lines derived from a JSON pointer are not compared."""


@dataclass
class RuleCase:
    rule: str
    fail: Mutation
    expected: list[Expected]
    pass_: Mutation | None = None
    id: str = ""
    base: str | None = None
    """git revision passed as ``check --base`` (the mutation may create a git history)."""
    extra: dict[str, Any] = field(default_factory=dict)


def all_cases() -> list[RuleCase]:
    cases: list[RuleCase] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        cases.extend(getattr(module, "CASES", []))
    return cases


# Helpers for writing mutations.
DEMO = Path("schemas/demo")


def schema_path(root: Path, name: str = "demo") -> Path:
    return root / "schemas" / name / "schema.json"


def edit_schema(root: Path, change: Callable[[dict[str, Any]], None], name: str = "demo") -> None:
    path = schema_path(root, name)
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def field_of(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in data["fields"] if f["name"] == name)
