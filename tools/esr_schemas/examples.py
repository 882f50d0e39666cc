"""Runs a schema's examples through a validation engine for ``check``.

``check`` uses the registry's own engine (``esr_schemas.validation``): the same
verdicts as frictionless-py (``tests/test_examples_crosscheck.py`` proves it on every
example of the registry) plus the registry's own checks (``uai-check-letter``...).
``frictionless_errors`` keeps the reference engine at hand for tests.
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


def frictionless_errors(
    path: Path,
    descriptor: dict[str, Any],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
) -> list[ExampleError]:
    """All errors frictionless reports for ``path`` under ``descriptor`` (cap lifted).

    ``encoding``, ``delimiter`` and ``header_row`` override what frictionless would
    otherwise guess (the differential tests use them where its guess is wrong).
    """
    from frictionless import Dialect, Resource, Schema, formats, system

    try:
        schema = Schema.from_descriptor(descriptor)
    except Exception as exc:  # frictionless raises various errors on broken schemas
        raise SchemaNotUsable(str(exc)) from exc
    with system.use_context(trusted=True):
        options: dict[str, Any] = {}
        if encoding:
            options["encoding"] = encoding
        if delimiter or header_row:
            controls = [formats.CsvControl(delimiter=delimiter)] if delimiter else []
            options["dialect"] = Dialect(
                header_rows=[header_row or 1],
                controls=controls,  # type: ignore[arg-type]
            )
        profile = descriptor.get("$schema")
        if isinstance(profile, str) and "datapackage.org/profiles/2." in profile:
            # the version is imposed by the resource: a v2 schema needs a v2 resource
            resource = Resource(
                {
                    "$schema": "https://datapackage.org/profiles/2.0/dataresource.json",
                    "name": "data",
                    "path": str(path.resolve()),
                    "schema": descriptor,
                },
                **options,
            )
        else:
            resource = Resource(path=str(path.resolve()), schema=schema, **options)
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


def _frictionless_accepts(descriptor: dict[str, Any]) -> None:
    """Raise :class:`SchemaNotUsable` when frictionless itself refuses the schema (the
    spec rules report why; example rules then stay silent, as before)."""
    from frictionless import Schema

    try:
        Schema.from_descriptor(descriptor)
    except Exception as exc:  # frictionless raises various errors on broken schemas
        raise SchemaNotUsable(str(exc)) from exc


def example_errors(
    path: Path, descriptor: dict[str, Any], registry: Any = None
) -> list[ExampleError]:
    """The errors ``check`` uses to judge an example file: the registry's engine, with
    its own checks (code systems...) on top of frictionless' error types.

    Raises :class:`SchemaNotUsable` when the schema cannot drive a validation. A file
    that cannot be read at all gives one ``source-error``.
    """
    from .validation import UnusableInput, validate_file
    from .validation.errors import SchemaUnusable

    _frictionless_accepts(descriptor)
    try:
        report = validate_file(path, descriptor, registry=registry)
    except SchemaUnusable as exc:
        raise SchemaNotUsable(exc.message) from exc
    except UnusableInput as exc:
        return [ExampleError(type="source-error", row=None, field=None, message=exc.message)]
    return [
        ExampleError(type=e.type, row=e.row_number, field=e.field_name, message=e.message)
        for e in report.errors
    ]
