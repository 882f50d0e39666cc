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
- ``denominator``: for a rate or a median, the name of the field holding the count it
  is computed from (the rate threshold applies to it; the rate is published only when it is).
- ``numerator``: for a rate, the name of the field holding the count it divides by the
  denominator, or a list of fields whose sum it divides; the rate must then equal
  numerator / denominator (in percent when the field's ``maximum`` is 100) within one
  point of rounding.
- ``deprecated``: ``{"since": "X.Y.Z", "reason": "..."}``.
- ``notYetObserved``: ``true`` on a count that may stay empty on a ``diffuse`` row because
  it cannot be observed yet (the licence obtained in four years by a recent cohort); the
  rule against masked counts then leaves it alone.
- ``patternHelp``: the field's ``pattern`` said in plain French, for people (messages,
  templates, site); without it, ``wording.pattern_help`` generates it from the pattern.

Schema level (``descriptor["x-esr"]``):

- ``status``: ``stable``, ``brouillon`` or ``deprecie``.
- ``secretThreshold``: the smallest non-null person count that may be published.
- ``personalDataBasis``: the legal basis for publishing personal data
  (``CRPA D. 312-1-3 1°`` or ``4°``).
- ``frequency``: publication frequency in French (``annuelle``...).
- ``rateThreshold``: the smallest denominator from which a rate or a median may be
  published (20 sortants for insertion).
- ``rules``: the registry's business rules, where Validata has none (a list of objects):

  - ``{"type": "condition", "if": {"field": A, "in": [...]}, "then": {"field": B, "in": [...]}}``:
    when A (filled) takes one of the first values, B (filled) must take one of the second
    (error ``condition-value``);
  - ``{"type": "lookup", "field": K, "referentiel": R, "columns": {"col": "ref_col", ...}}``:
    the référentiel R's row of code K gives the value of each column (error
    ``referentiel-lookup``); a code R does not list, or an empty cell of R, is not checked;
  - a condition's ``then`` may instead say ``"required": true`` (B must be filled, error
    ``condition-required``) or ``"pattern": P`` with ``"patternHelp"`` (B filled must match
    P whole, error ``condition-pattern``);
  - ``{"type": "unique", "fields": [A, B, ...]}``: no two rows share these cells, an empty
    cell counting as a value, unlike a primary key (error ``unique-key``);
  - ``{"type": "sum", "field": T, "fields": [A, B, ...]}``: when T and at least one part are
    filled, T is the sum of the filled parts, an empty part counting as zero (error
    ``total-incoherent``); Validata's ``sum-columns-value`` skips a row with an empty part.

Schema level, outside ``x-esr`` (Validata's own key, read by the national validator):

- ``custom_checks``: ``[{"name": ..., "params": {...}}]``. The registry enforces, with
  Validata's exact semantics, ``siren`` and ``siret`` (``column``), ``compare-columns-value``
  (``column``, ``column2``, ``op`` among ``>``, ``>=``, ``==``, ``<=``, ``<``; numbers compared
  as numbers, other values as text, skipped when one is empty), ``sum-columns-value``
  (``column`` equals the sum of ``columns``, skipped when one is empty),
  ``cohesive-columns-value`` (``column`` and ``othercolumns`` all filled or all empty) and
  ``one-of-required`` (``column1`` or ``column2`` filled; ``0`` counts as empty, as in
  Validata). Error codes are Validata's names, ``siren-checksum`` and ``siret-checksum``.

Statistical secrecy (errors unless ``validate --brouillon``, which says so in the report):
a ``personCount`` below ``secretThreshold`` (``secret-statistique``); a count, rate or
median published on a row whose ``statuts-diffusion`` column says ``secret_statistique``
(``secret-valeur-publiee``); a count left empty on a ``diffuse`` row
(``diffuse-valeur-masquee``); a rate or median whose denominator is below
``rateThreshold`` (``taux-effectif-insuffisant``). A rate whose denominator is empty is a
warning (``taux-base-masquee``; an error with ``--strict``). A rate inconsistent with its
numerator and denominator is ``taux-incoherent`` (always checked). Every rule is read by
:mod:`esr_schemas.validation.declared_rules`; ``check`` reports broken declarations
(``business-rule-invalid``).
"""

from __future__ import annotations

from typing import Any

EXTENSION_KEY = "x-esr"

FIELD_KEYS = {
    "codeSystem", "codeList", "personalData", "personCount", "denominator", "numerator",
    "deprecated", "patternHelp", "notYetObserved",
}  # fmt: skip
SCHEMA_KEYS = {
    "status", "secretThreshold", "rateThreshold", "personalDataBasis", "frequency", "rules",
}  # fmt: skip
STATUSES = {"stable", "brouillon", "deprecie"}
CODE_SYSTEMS = {
    "uai", "siren", "siret", "rna", "code_commune", "code_departement", "code_region",
    "code_academie", "paysage", "ror", "idref", "orcid", "rnsr", "ecole_doctorale",
    "diplome_sise", "rncp", "nsf", "rome", "cite", "annee_universitaire",
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


def may_be_unobserved(field: dict[str, Any]) -> bool:
    """A count that may be empty on a published row: not observable yet."""
    return ext(field).get("notYetObserved") is True


def deprecation(field: dict[str, Any]) -> dict[str, Any] | None:
    value = ext(field).get("deprecated")
    return value if isinstance(value, dict) else None


def secret_threshold(descriptor: dict[str, Any]) -> int | None:
    value = ext(descriptor).get("secretThreshold")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def status(descriptor: dict[str, Any]) -> str:
    value = ext(descriptor).get("status")
    return value if isinstance(value, str) else "stable"


def rate_threshold(descriptor: dict[str, Any]) -> int | None:
    value = ext(descriptor).get("rateThreshold")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def denominator(field: dict[str, Any]) -> str | None:
    value = ext(field).get("denominator")
    return value if isinstance(value, str) else None


def numerator(field: dict[str, Any]) -> str | None:
    value = ext(field).get("numerator")
    return value if isinstance(value, str) else None


def numerators(field: dict[str, Any]) -> list[str] | None:
    """The counts a rate divides by its denominator: one field, or several that add up
    (``["reussite_licence_3_ans", "reussite_licence_4_ans"]``); None when not declared or
    malformed."""
    value = ext(field).get("numerator")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    return None
