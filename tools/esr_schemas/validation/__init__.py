"""The registry's validator: CSV/XLSX files against Table Schemas, fast and in French.

Public API::

    from esr_schemas.validation import validate_file, resolve_schema, UnusableInput
    report = validate_file(path, descriptor, registry=registry)
    report.valid, report.errors, report.warnings, report.stats, report.to_dict()

Verdicts follow frictionless-py 5 (same error codes, same rows and fields); the
registry's own checks (code systems, code lists, statistical secrecy) come on top under
their own codes and can be switched off with ``extra_checks=False``.

``UnusableInput`` (French ``.message``) means the file or the schema cannot be validated
at all; its subclass ``SchemaUnusable`` singles out the schema. How the engine reads and
checks files fast (polars, one select per block of 8 MB) is described in
``benchmarks/README.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import SchemaUnusable, UnusableInput, ValidationError, ValidationReport

if TYPE_CHECKING:
    from .schema_source import resolve_schema
    from .table import validate_file


def __getattr__(name: str) -> Any:
    """``validate_file`` and ``resolve_schema`` load polars and the engine on first use:
    a module that only needs the error types (``error_types``) stays light."""
    if name == "validate_file":
        from .table import validate_file

        return validate_file
    if name == "resolve_schema":
        from .schema_source import resolve_schema

        return resolve_schema
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "validate_file",
    "resolve_schema",
    "ValidationReport",
    "ValidationError",
    "UnusableInput",
    "SchemaUnusable",
]
