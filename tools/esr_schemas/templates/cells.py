"""Typed cell values: CSV text -> Excel value (Exemple sheet, filled templates) and back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..extensions import code_list
from ..validation.types import field_format, missing_values_of
from ..wording import LABEL_SEPARATOR, boolean_meaning, enum_values, true_false
from .fields import field_type

INTEGER = re.compile(r"^[+-]?\d+$")


def delimiter(descriptor: dict[str, Any]) -> str:
    """The schema's CSV delimiter (``dialect.delimiter`` when declared, else ``,``)."""
    dialect = descriptor.get("dialect")
    if isinstance(dialect, dict):
        value = dialect.get("delimiter")
        if isinstance(value, str) and len(value) == 1:
            return value
    return ","


def missing_values(descriptor: dict[str, Any]) -> list[str]:
    """The schema's missing values (texts, or the values of Table Schema v2 objects)."""
    value = descriptor.get("missingValues")
    if isinstance(value, list):
        return [v for v in missing_values_of(value) if isinstance(v, str)]
    return [""]


def read_csv(path: Path, descriptor: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(descriptor)))
    if not rows:
        return [], []
    return rows[0], [row for row in rows[1:] if any(cell != "" for cell in row)]


def _strftime(field: dict[str, Any]) -> str | None:
    fmt = field_format(field)
    return fmt if isinstance(fmt, str) and "%" in fmt else None


def to_cell(value: str, field: dict[str, Any], missing: list[str]) -> Any:
    """The Excel value a data officer would type for ``value``; text when unsure."""
    if value == "":
        return None
    if value in missing:
        return value
    kind = field_type(field)
    try:
        if kind in ("integer", "year") and INTEGER.match(value):
            return int(value)
        if kind == "number":
            decimal_char = field.get("decimalChar", ".")
            group_char = field.get("groupChar")
            raw = (
                value.replace(group_char, "")
                if isinstance(group_char, str) and group_char
                else value
            )
            raw = raw.replace(decimal_char, ".") if isinstance(decimal_char, str) else raw
            number = Decimal(raw)
            if not number.is_finite():
                return value
            return (
                int(number)
                if number == number.to_integral_value() and "." not in raw
                else float(number)
            )
        fmt = _strftime(field)
        if kind == "date":
            return dt.datetime.strptime(value, fmt).date() if fmt else dt.date.fromisoformat(value)
        if kind == "datetime":
            if fmt:
                return dt.datetime.strptime(value, fmt)
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo is None else value
        if kind == "time":
            return dt.datetime.strptime(value, fmt).time() if fmt else dt.time.fromisoformat(value)
    except (ValueError, InvalidOperation):
        return value
    return value


def _number_text(value: float | int, field: dict[str, Any]) -> str:
    if isinstance(value, int):
        text = str(value)
    elif value.is_integer() and abs(value) < 1e16:
        text = str(int(value))
    else:
        text = format(Decimal(repr(value)), "f")
    decimal_char = field.get("decimalChar")
    if isinstance(decimal_char, str) and decimal_char and decimal_char != ".":
        text = text.replace(".", decimal_char)
    return text


def from_cell(value: Any, field: dict[str, Any]) -> str:
    """The canonical CSV text of a cell read back from a filled workbook."""
    if value is None:
        return ""
    kind = field_type(field)
    fmt = _strftime(field)
    if isinstance(value, bool):
        true, false = true_false(field)
        if kind == "boolean":
            return true if value else false
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if kind == "date" or (kind not in ("datetime", "time") and value.time() == dt.time(0)):
            return value.strftime(fmt) if fmt and kind == "date" else value.date().isoformat()
        if kind == "time":
            return value.strftime(fmt) if fmt else value.time().isoformat()
        return value.strftime(fmt) if fmt else value.isoformat()
    if isinstance(value, dt.date):
        return value.strftime(fmt) if fmt else value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime(fmt) if fmt else value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"PT{seconds}S"
    if isinstance(value, int | float):
        if kind in ("integer", "year") and isinstance(value, float) and value.is_integer():
            return str(int(value))
        return _number_text(value, field)
    text = str(value)
    if kind == "boolean":
        meant = boolean_meaning(text)
        if meant is not None and text not in true_false(field):
            true, false = true_false(field)
            return true if meant else false
    elif LABEL_SEPARATOR in text and (enum_values(field) or code_list(field)):
        return text.split(LABEL_SEPARATOR, 1)[0]  # « 10 — Formation… » chosen in the dropdown
    return text


def is_text_column(field: dict[str, Any]) -> bool:
    """Columns Excel must leave as typed (no number, date or boolean conversion)."""
    return field_type(field) in (
        "string",
        "boolean",
        "yearmonth",
        "duration",
        "geopoint",
        "geojson",
        "object",
        "array",
    )
