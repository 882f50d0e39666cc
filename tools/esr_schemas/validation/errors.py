"""Result objects of a validation: errors, warnings, the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class UnusableInput(Exception):
    """The file or schema cannot be validated at all (exit code 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SchemaUnusable(UnusableInput):
    """The schema itself cannot drive a validation (not a Table Schema, a pattern that
    does not compile or is too costly...), as opposed to an unreadable file."""


@dataclass(slots=True)
class ValidationError:
    type: str
    """frictionless error code (``type-error``…) or one of ours (``uai-check-letter``…)."""
    row_number: int | None
    field_name: str | None
    field_number: int | None
    cell: str | None
    note: str
    message: str
    """French sentence: what is wrong, where."""
    fix: str = ""
    """French hint: how to fix it (may be empty)."""
    severity: str = "error"
    """``error``, or ``warning`` for our non-blocking checks (statistical secrecy)."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "rowNumber": self.row_number,
            "fieldName": self.field_name,
            "fieldNumber": self.field_number,
            "cell": self.cell,
            "note": self.note,
            "message": self.message,
        }
        if self.fix:
            data["fix"] = self.fix
        if self.severity != "error":
            data["severity"] = self.severity
        return data


@dataclass
class ValidationReport:
    path: str
    schema_name: str | None
    errors: list[ValidationError]
    warnings: list[ValidationError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    """French notes about the file itself (encoding, empty table…)."""
    stats: dict[str, Any] = field(default_factory=dict)
    encoding: str = "utf-8"
    delimiter: str | None = None
    kind: str = "csv"

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """The frictionless report shape (one task), plus French messages."""
        errors = [e.to_dict() for e in self.errors]
        return {
            "valid": self.valid,
            "stats": {
                **self.stats,
                # the real count: errors past the stored ones are counted, not kept
                "errors": len(self.errors) + int(self.stats.get("errorsNotStored", 0)),
                "warnings": len(self.warnings),
            },
            "errors": errors,
            "warnings": [w.to_dict() for w in self.warnings],
            "notices": list(self.notices),
            "resource": {
                "path": self.path,
                "format": self.kind,
                "encoding": self.encoding,
                **({"dialect": {"delimiter": self.delimiter}} if self.delimiter else {}),
                "schema": self.schema_name,
            },
        }
