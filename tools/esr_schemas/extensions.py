"""The registry's Table Schema extensions, all under one key, ``x-esr``.

Other Table Schema tools (frictionless, Validata) ignore unknown keys, so these
declarations never break them; our tools read them through this module only.

Field level (``field["x-esr"]``):

- ``codeSystem``: identifier system whose check the pattern cannot express
  (``uai``, ``siren``, ``siret``, ``orcid``, ``ror``, ``rnsr``, ``idref``, ``paysage``,
  ``rncp``, ``rna``, ``code_commune``...). The field still states its ``pattern``.
- ``codeList``: name of a référentiel shipped in ``referentiels/``; values are codes of it.
- ``personalData``: ``true`` when the field holds personal data.
- ``personCount``: ``true`` when the field counts persons (statistical secrecy applies).
- ``denominator``: for a rate, the name of the field holding the respondent count it
  depends on.
- ``deprecated``: ``{"since": "X.Y.Z", "reason": "..."}``.
- ``patternHelp``: the field's ``pattern`` said in plain French, for people (messages,
  templates, site); without it, ``wording.pattern_help`` generates it from the pattern.

Schema level (``descriptor["x-esr"]``):

- ``status``: ``stable``, ``brouillon`` or ``deprecie``.
- ``secretThreshold``: the smallest non-null person count that may be published.
- ``personalDataBasis``: the legal basis for publishing personal data
  (``CRPA D. 312-1-3 1°`` or ``4°``).
- ``frequency``: publication frequency in French (``annuelle``...).
"""

from __future__ import annotations

from typing import Any

EXTENSION_KEY = "x-esr"

FIELD_KEYS = {
    "codeSystem",
    "codeList",
    "personalData",
    "personCount",
    "denominator",
    "deprecated",
    "patternHelp",
}
SCHEMA_KEYS = {"status", "secretThreshold", "personalDataBasis", "frequency"}
STATUSES = {"stable", "brouillon", "deprecie"}
CODE_SYSTEMS = {
    "uai", "siren", "siret", "rna", "code_commune", "code_departement", "code_region",
    "code_academie", "paysage", "ror", "idref", "orcid", "rnsr", "ecole_doctorale",
    "diplome_sise", "rncp", "nsf", "rome", "cite",
}  # fmt: skip
"""Identifier systems a field may declare; codesystems.py checks those with a check digit."""


def ext(obj: dict[str, Any]) -> dict[str, Any]:
    """The ``x-esr`` object of a field or schema descriptor ({} when absent or malformed)."""
    value = obj.get(EXTENSION_KEY)
    return value if isinstance(value, dict) else {}


def code_system(field: dict[str, Any]) -> str | None:
    value = ext(field).get("codeSystem")
    return value if isinstance(value, str) else None


def code_list(field: dict[str, Any]) -> str | None:
    value = ext(field).get("codeList")
    return value if isinstance(value, str) else None


def is_personal_data(field: dict[str, Any]) -> bool:
    return ext(field).get("personalData") is True


def is_person_count(field: dict[str, Any]) -> bool:
    return ext(field).get("personCount") is True


def deprecation(field: dict[str, Any]) -> dict[str, Any] | None:
    value = ext(field).get("deprecated")
    return value if isinstance(value, dict) else None


def secret_threshold(descriptor: dict[str, Any]) -> int | None:
    value = ext(descriptor).get("secretThreshold")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def status(descriptor: dict[str, Any]) -> str:
    value = ext(descriptor).get("status")
    return value if isinstance(value, str) else "stable"
