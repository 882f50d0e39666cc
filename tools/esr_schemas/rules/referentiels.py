"""Fields that take their codes from a shipped référentiel (``x-esr.codeList``).

A short, stable list is copied into the field's ``enum`` (so that every Table Schema tool
enforces it) and the copy must equal the référentiel's codes. A long list (diplômes SISE,
corps, communes) is only named: the validator checks it on request.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..extensions import code_list
from ..findings import Finding, Severity
from . import SchemaContext, iter_fields, pointer, rule


@rule(
    "codelist-unknown",
    Severity.ERROR,
    "Un champ « x-esr.codeList » nomme un référentiel livré dans referentiels/.",
)
def codelist_unknown(ctx: SchemaContext) -> Iterator[Finding]:
    known = ctx.registry.referentiels
    for index, field in iter_fields(ctx.descriptor):
        name = code_list(field)
        if name is None or name in known:
            continue
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f" Vouliez-vous dire « {close[0]} » ?" if close else ""
        yield ctx.finding(
            "codelist-unknown",
            f"Le champ « {field.get('name')} » renvoie au référentiel « {name} », absent de "
            f"referentiels/.{hint}",
            f"Corrigez le nom, ou ajoutez referentiels/{name}.csv (colonnes code,libelle) et "
            f"referentiels/{name}.json (title, description, source, millesime, licence).",
            pointer=pointer("fields", index, "x-esr", "codeList"),
        )


@rule(
    "enum-referentiel-mismatch",
    Severity.ERROR,
    "L'« enum » d'un champ lié à un référentiel contient exactement les codes de ce référentiel.",
)
def enum_referentiel_mismatch(ctx: SchemaContext) -> Iterator[Finding]:
    for index, field in iter_fields(ctx.descriptor):
        name = code_list(field)
        constraints = field.get("constraints")
        if (
            name is None
            or name not in ctx.registry.referentiels
            or not isinstance(constraints, dict)
        ):
            continue
        enum = constraints.get("enum")
        if not isinstance(enum, list):
            continue
        codes = ctx.registry.referentiels[name].codes
        values = [str(v) for v in enum]
        missing = [c for c in codes if c not in values]
        extra = [v for v in values if v not in codes]
        if not missing and not extra and len(values) == len(codes):
            continue
        details = []
        if missing:
            details.append(f"codes du référentiel absents de l'enum : {_sample(missing)}")
        if extra:
            details.append(f"valeurs de l'enum absentes du référentiel : {_sample(extra)}")
        if not details:
            details.append("l'enum répète un code")
        yield ctx.finding(
            "enum-referentiel-mismatch",
            f"L'enum du champ « {field.get('name')} » ne correspond pas au référentiel "
            f"« {name} » ({'; '.join(details)}).",
            f"Recopiez dans « enum » la colonne « code » de referentiels/{name}.csv, sans en "
            "retirer ni en ajouter ; si le référentiel a changé, publiez une nouvelle version "
            "du schéma.",
            pointer=pointer("fields", index, "constraints", "enum"),
        )


def _sample(values: list[str], limit: int = 6) -> str:
    shown = ", ".join(f"« {v} »" for v in values[:limit])
    return shown + (f" et {len(values) - limit} autres" if len(values) > limit else "")
