"""What the templates need to know about a field: its cell kind, length bounds, notes.

The French wording itself (type labels, constraint sentences...) is shared with the
site and lives in :mod:`esr_schemas.wording`.
"""

from __future__ import annotations

from typing import Any

from .. import extensions
from ..wording import (
    PERSON_COUNT,
    PERSONAL_DATA,
    TYPE_LABELS,
    code_system_line,
    constraint_lines,
    constraints,
    deprecation_reason,
    deprecation_title,
    enum_values,
    is_number,
)


def field_type(field: dict[str, Any]) -> str:
    """The type that decides the cell handling (unknown types are free values)."""
    value = field.get("type")
    return (
        value
        if isinstance(value, str) and value in TYPE_LABELS
        else "string"
        if value is None
        else "any"
    )


def is_code(field: dict[str, Any]) -> bool:
    """A string column whose leading zeros and exact spelling matter."""
    cons = constraints(field)
    return field_type(field) == "string" and bool(
        cons.get("pattern")
        or extensions.code_system(field)
        or extensions.code_list(field)
        or enum_values(field)
    )


def pattern_lengths(field: dict[str, Any]) -> tuple[int, int | None] | None:
    """Shortest and longest value a field's ``pattern`` accepts (None: no usable pattern)."""
    pattern = constraints(field).get("pattern")
    if not isinstance(pattern, str) or not pattern:
        return None
    try:
        from re import _parser  # type: ignore[attr-defined]

        low, high = _parser.parse(pattern).getwidth()
    except Exception:  # a pattern Python cannot read: no length check, the export validates
        return None
    return int(low), (int(high) if high < 100000 else None)


def text_lengths(field: dict[str, Any]) -> tuple[int, int | None] | None:
    """Length bounds from minLength, maxLength and the pattern together (None: no bound)."""
    cons = constraints(field)
    low = int(cons["minLength"]) if is_number(cons.get("minLength")) else 0
    high = int(cons["maxLength"]) if is_number(cons.get("maxLength")) else None
    from_pattern = pattern_lengths(field)
    if from_pattern is not None:
        low = max(low, from_pattern[0])
        if from_pattern[1] is not None:
            high = from_pattern[1] if high is None else min(high, from_pattern[1])
    if low == 0 and high is None:
        return None
    return low, high


def notice_lines(field: dict[str, Any], limit: int | None = None) -> list[str]:
    """Everything to respect when filling the column, one French sentence each.

    For the notice, the header comment and the input message; ``limit`` shortens a
    long enum (the dropdown holds the whole list).
    """
    lines: list[str] = []
    values = enum_values(field)
    if values:
        shown = values if limit is None else values[:limit]
        more = (
            ""
            if len(shown) == len(values)
            else f" … ({len(values)} valeurs, voir la liste déroulante)"
        )
        lines.append("Valeurs autorisées : " + " ; ".join(str(v) for v in shown) + more + ".")
    referentiel = extensions.code_list(field)
    if referentiel:
        lines.append(f"Code du référentiel « {referentiel} » publié par le registre.")
    system = extensions.code_system(field)
    if system:
        lines.append(code_system_line(system))
    lines += constraint_lines(field)
    if extensions.is_person_count(field):
        lines.append(f"Effectif de personnes : {PERSON_COUNT}.")
    if extensions.is_personal_data(field):
        lines.append(PERSONAL_DATA[0].upper() + PERSONAL_DATA[1:] + ".")
    deprecated = extensions.deprecation(field)
    if deprecated is not None:
        lines.append(f"{deprecation_title(deprecated)}. {deprecation_reason(deprecated)}")
    return lines


def text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def field_title(field: dict[str, Any], name: str) -> str:
    return text(field.get("title")) or name


def field_example(field: dict[str, Any]) -> str:
    value = field.get("example")
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)
