"""Calendar dates as the registry writes them: ``AAAA-MM-JJ`` (ISO 8601), nothing else."""

from __future__ import annotations

import re
from datetime import date

ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_iso_date(value: object) -> date | None:
    """The date ``value`` spells as AAAA-MM-JJ; None for any other text or an impossible date."""
    if not isinstance(value, str) or not ISO_DATE_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def is_iso_date(value: object) -> bool:
    return parse_iso_date(value) is not None
