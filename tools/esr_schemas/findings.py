"""Findings: what every check returns. Problems are data; rendering is elsewhere."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


SEVERITY_FR = {Severity.ERROR: "erreur", Severity.WARNING: "avertissement"}


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found by a rule.

    ``file`` is relative to the repository root when it lies inside it.
    ``pointer`` is a JSON pointer into a JSON file; ``row``/``column`` locate a cell
    in a CSV file (row 1 is the header); ``line`` is a line of a text file (for a JSON
    pointer, the runner fills in the line where the pointed value starts).
    """

    file: str
    rule: str
    message: str
    fix: str = ""
    severity: Severity = Severity.ERROR
    pointer: str | None = None
    row: int | None = None
    column: str | None = None
    schema: str | None = None
    line: int | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def location(self) -> str:
        where = self.file
        if self.pointer is not None:
            where += f" ({self.pointer or '/'})"
        if self.line is not None:
            where += f", ligne {self.line}"
        if self.row is not None:
            where += f", ligne {self.row}"
        if self.column is not None:
            where += f", colonne « {self.column} »"
        return where

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return {k: v for k, v in data.items() if v is not None and v != {}}


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (f.schema or "", f.file, f.pointer or "", f.row or 0, f.rule, f.message),
    )
