"""Runs a schema's examples through a validation engine for ``check``.

Reference engine: frictionless-py. (The registry's own engine replaces it once the
validator lands; a test cross-checks both.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SchemaNotUsable(Exception):
    """The schema itself cannot drive a validation (the spec rules report why)."""


@dataclass(frozen=True)
class ExampleError:
    type: str
    row: int | None
    field: str | None
    message: str


def frictionless_errors(path: Path, descriptor: dict[str, Any]) -> list[ExampleError]:
    """All errors frictionless reports for ``path`` under ``descriptor`` (cap lifted)."""
    from frictionless import Resource, Schema, system

    try:
        schema = Schema.from_descriptor(descriptor)
    except Exception as exc:  # frictionless raises various errors on broken schemas
        raise SchemaNotUsable(str(exc)) from exc
    with system.use_context(trusted=True):
        resource = Resource(path=str(path.resolve()), schema=schema)
        try:
            report = resource.validate(limit_errors=10**9)
        except re.error as exc:  # an uncompilable pattern only fails when rows are read
            raise SchemaNotUsable(str(exc)) from exc
    errors: list[ExampleError] = []
    for task in report.tasks:
        for error in task.errors:
            errors.append(
                ExampleError(
                    type=error.type,
                    row=getattr(error, "row_number", None),
                    field=getattr(error, "field_name", None),
                    message=error.message,
                )
            )
    for error in report.errors:
        errors.append(ExampleError(type=error.type, row=None, field=None, message=error.message))
    return errors


def example_errors(
    path: Path, descriptor: dict[str, Any], registry: Any = None
) -> list[ExampleError]:
    """The errors ``check`` uses to judge an example file.

    Raises :class:`SchemaNotUsable` when the schema cannot drive a validation.
    """
    return frictionless_errors(path, descriptor)
