"""Strict semantic versions (MAJOR.MINOR.PATCH, no prefix, no leading zeros)."""

from __future__ import annotations

import re

SEMVER_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def parse(version: str) -> tuple[int, int, int] | None:
    match = SEMVER_RE.match(version)
    if not match:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def is_semver(version: object) -> bool:
    return isinstance(version, str) and parse(version) is not None


def sort_key(version: str) -> tuple[int, int, int]:
    parsed = parse(version)
    return parsed if parsed is not None else (-1, -1, -1)
