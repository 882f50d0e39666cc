"""Is a descriptor a Table Schema we can validate with? (French refusals)."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from ..wording import TYPE_NOUNS
from .errors import SchemaUnusable
from .types import BOUND_CONSTRAINTS, KNOWN_TYPES, SUPPORTED, value_reader


def check_bounds_and_profile(descriptor: Any) -> None:
    """Size, depth, number of fields and the type of every value (the Table Schema
    profile), before any other code reads the descriptor (the guard layer)."""
    from ..guards import check_schema

    check_schema(_as_v1_profile_sees_it(descriptor))


def _v1_missing_values(entries: Any) -> Any:
    """Table Schema v2 ``missingValues`` objects read as their ``value`` (the v1
    profile of the guard only knows texts; ``check_missing_values`` judges the
    objects themselves, refusing them under a v1 ``$schema``)."""
    if not isinstance(entries, list) or not any(isinstance(e, dict) for e in entries):
        return entries
    return [
        e["value"] if isinstance(e, dict) and isinstance(e.get("value"), str) else e
        for e in entries
    ]


def _as_v1_profile_sees_it(descriptor: Any) -> Any:
    """The descriptor as the guard's (v1) profile can judge it: v2 additions that the
    validator supports (``missingValues`` objects, the ``wkt`` format of string
    fields) are replaced by their v1 counterparts in a shallow copy; anything else
    is left for the guard."""
    if not isinstance(descriptor, dict):
        return descriptor
    out = dict(descriptor)
    if "missingValues" in out:
        out["missingValues"] = _v1_missing_values(out["missingValues"])
    fields = out.get("fields")
    if isinstance(fields, list):
        seen = []
        for field in fields:
            if isinstance(field, dict):
                field = dict(field)
                if "missingValues" in field:
                    field["missingValues"] = _v1_missing_values(field["missingValues"])
                if field.get("type", "string") == "string" and field.get("format") == "wkt":
                    field["format"] = "default"
            seen.append(field)
        out["fields"] = seen
    return out


def check_descriptor(descriptor: Any) -> None:
    check_bounds_and_profile(descriptor)
    if not isinstance(descriptor, dict):
        raise SchemaUnusable("Le schéma n'est pas un Table Schema : un objet JSON {…} est attendu.")
    fields = descriptor.get("fields")
    if not isinstance(fields, list) or not fields:
        raise SchemaUnusable(
            "Le schéma n'est pas un Table Schema : il lui manque la liste « fields » (les colonnes "
            "attendues). Vérifiez que vous avez donné le bon fichier ou la bonne adresse."
        )
    names: set[str] = set()
    for index, field in enumerate(fields, start=1):
        if not isinstance(field, dict) or not isinstance(field.get("name"), str):
            raise SchemaUnusable(
                f"Schéma invalide : le champ n° {index} n'a pas de nom (« name »)."
            )
        name = field["name"]
        if name in names:
            raise SchemaUnusable(f"Schéma invalide : le champ « {name} » est déclaré deux fois.")
        names.add(name)
        ftype = field.get("type", "string")
        if ftype not in KNOWN_TYPES:
            raise SchemaUnusable(
                f"Schéma invalide : le champ « {name} » a un type inconnu « {ftype} » (types admis : "
                + ", ".join(sorted(KNOWN_TYPES))
                + ")."
            )
        constraints = field.get("constraints", {})
        if not isinstance(constraints, dict):
            raise SchemaUnusable(
                f"Schéma invalide : « constraints » du champ « {name} » doit être un objet."
            )
        enum = constraints.get("enum")
        if enum is not None and not isinstance(enum, list):
            raise SchemaUnusable(
                f"Schéma invalide : « enum » du champ « {name} » doit être une liste."
            )
        pattern = constraints.get("pattern")
        if pattern is not None and not isinstance(pattern, str):
            raise SchemaUnusable(
                f"Schéma invalide : « pattern » du champ « {name} » doit être un texte."
            )
    pk = descriptor.get("primaryKey")
    if pk is not None:
        keys = [pk] if isinstance(pk, str) else pk
        if not isinstance(keys, list) or any(k not in names for k in keys):
            raise SchemaUnusable(
                "Schéma invalide : « primaryKey » nomme un champ qui n'existe pas."
            )
    check_missing_values(descriptor)
    fields_match = descriptor.get("fieldsMatch", "exact")
    if fields_match not in ("exact", "equal", "subset", "superset", "partial"):
        raise SchemaUnusable(f"Schéma invalide : « fieldsMatch » inconnu : « {fields_match} ».")
    check_constraints_fit_types(descriptor)


# --- constraints, formats and missing values a field's type can take ----------------

CONSTRAINT_NAMES = (
    "required",
    "unique",
    "enum",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
)
V2_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"


class SchemaProblem(NamedTuple):
    path: list[Any]
    """Where, as JSON path parts (``["fields", 3, "constraints", "pattern"]``)."""
    message: str
    fix: str
    kind: str = "mismatch"
    """``mismatch`` (does not fit the type), ``unknown`` (not a Table Schema
    constraint), ``format`` (an empty format) or ``bound`` (a bound of the wrong type)."""


def constraint_problems(descriptor: dict[str, Any]) -> list[SchemaProblem]:
    """Each constraint or format of a field that its type cannot take, as (JSON path,
    French problem, French fix). frictionless refuses such a schema; silently
    ignoring the constraint would accept values the schema's author meant to refuse.

    Shared by ``validate`` (the schema is unusable) and ``check`` (a finding)."""
    problems: list[SchemaProblem] = []
    fields = descriptor.get("fields")
    if not isinstance(fields, list):
        return problems
    for index, field in enumerate(fields):
        if not isinstance(field, dict):
            continue
        problems += _field_problems(field, ["fields", index])
        item = field.get("arrayItem")
        if field.get("type") == "array" and isinstance(item, dict) and item:
            problems += _field_problems(item, ["fields", index, "arrayItem"], of=field)
    return problems


def _field_problems(
    field: dict[str, Any], path: list[Any], of: dict[str, Any] | None = None
) -> list[SchemaProblem]:
    problems: list[SchemaProblem] = []
    ftype = field.get("type", "string" if of is None else "any")
    if not isinstance(ftype, str) or ftype not in SUPPORTED:
        return problems
    name = str((of or field).get("name", ""))
    who = (
        f"le champ « {name} »"
        if of is None
        else f"la description des éléments (« arrayItem ») du champ « {name} »"
    )
    subject = who[0].upper() + who[1:]
    type_fr = TYPE_NOUNS[ftype]
    fmt = field.get("format")
    if fmt == "":
        problems.append(
            SchemaProblem(
                path + ["format"],
                f"{subject} a un « format » vide : aucune valeur ne pourrait être lue.",
                "Retirez « format » (le format par défaut s'applique) ou donnez un format, par "
                "exemple « %d/%m/%Y » pour une date écrite 31/12/2024.",
                "format",
            )
        )
    constraints = field.get("constraints")
    if not isinstance(constraints, dict):
        return problems
    allowed = SUPPORTED[ftype] + ["unique"]
    for constraint in constraints:
        if constraint in allowed:
            continue
        possible = ", ".join(f"« {c} »" for c in allowed)
        kind = "mismatch" if constraint in CONSTRAINT_NAMES else "unknown"
        if kind == "mismatch":
            problem = (
                f"{subject} est de type {type_fr} : la contrainte « {constraint} » ne "
                f"s'applique pas à ce type et ne serait pas vérifiée."
            )
            fix = (
                f"Retirez « {constraint} », ou changez le type du champ (contraintes possibles "
                f"pour ce type : {possible})."
            )
        else:
            problem = f"{subject} a une contrainte inconnue « {constraint} »."
            fix = f"Contraintes possibles pour le type {type_fr} : {possible}."
        problems.append(SchemaProblem(path + ["constraints", constraint], problem, fix, kind))
    if ftype == "duration":
        reader = value_reader({"type": "duration"})
        for bound in BOUND_CONSTRAINTS:
            limit = constraints.get(bound)
            if limit is not None and reader(limit) is None:
                problems.append(
                    SchemaProblem(
                        path + ["constraints", bound],
                        f"{subject} a une borne « {bound} » qui n'est pas une durée "
                        f"ISO 8601 : « {limit} ».",
                        "Écrivez la durée au format ISO 8601, par exemple « P2Y » (2 ans) ou "
                        "« PT36H » (36 heures).",
                        "bound",
                    )
                )
    return problems


def check_constraints_fit_types(descriptor: dict[str, Any]) -> None:
    """Refuse (unusable schema) a constraint or format a field's type cannot take."""
    problems = constraint_problems(descriptor)
    if problems:
        problem, fix = problems[0].message, problems[0].fix
        more = (
            f" ({len(problems) - 1} autre(s) problème(s) du même genre)"
            if len(problems) > 1
            else ""
        )
        raise SchemaUnusable(f"Schéma invalide : {problem}{more} {fix}")


def missing_values_problems(descriptor: dict[str, Any]) -> list[SchemaProblem]:
    """Problems of the schema's and fields' ``missingValues``: texts (Table Schema v1)
    or objects ``{"value": …, "label": …}`` (v2, allowed when ``$schema`` does not
    name the v1 profile, as in frictionless)."""
    problems: list[SchemaProblem] = []
    places: list[tuple[list[Any], Any, str]] = [
        (["missingValues"], descriptor.get("missingValues"), "du schéma")
    ]
    fields = descriptor.get("fields")
    for index, field in enumerate(fields if isinstance(fields, list) else []):
        if isinstance(field, dict) and "missingValues" in field:
            places.append(
                (
                    ["fields", index, "missingValues"],
                    field["missingValues"],
                    f"du champ « {field.get('name', '')} »",
                )
            )
    v1 = _is_v1(descriptor.get("$schema"))
    for path, entries, whose in places:
        if entries is None:
            continue
        shape_fix = (
            'Écrivez une liste de textes, par exemple [""] ou ["", "NA"], ou des objets '
            '{"value": "-99", "label": "refus de répondre"} (Table Schema v2).'
        )
        if not isinstance(entries, list) or not all(
            isinstance(e, str)
            or (
                isinstance(e, dict)
                and isinstance(e.get("value"), str)
                and isinstance(e.get("label", ""), str)
            )
            for e in entries
        ):
            problems.append(
                SchemaProblem(path, f"« missingValues » {whose} est mal formé.", shape_fix)
            )
            continue
        if not any(isinstance(e, dict) for e in entries):
            continue
        if v1:
            problems.append(
                SchemaProblem(
                    path,
                    f"« missingValues » {whose} contient des objets (valeur et libellé) : c'est "
                    "une possibilité de Table Schema v2, or le schéma ne déclare pas cette "
                    "version.",
                    f'Ajoutez au schéma "$schema": "{V2_PROFILE}", ou écrivez les valeurs '
                    'manquantes comme de simples textes (["-99"]).',
                )
            )
            continue
        values = [e["value"] if isinstance(e, dict) else e for e in entries]
        labels = [e["label"] for e in entries if isinstance(e, dict) and "label" in e]
        for kind, items in (("valeur", values), ("libellé", labels)):
            repeated = sorted({v for v in items if items.count(v) > 1})
            if repeated:
                problems.append(
                    SchemaProblem(
                        path,
                        f"« missingValues » {whose} : {kind} en double : "
                        + ", ".join(f"« {v} »" for v in repeated)
                        + ".",
                        f"Chaque {kind} ne doit apparaître qu'une fois.",
                    )
                )
    return problems


def _is_v1(profile: Any) -> bool:
    """Whether ``$schema`` makes the descriptor Table Schema v1 (absent: v1)."""
    if not isinstance(profile, str) or not profile:
        return True
    match = re.search(r"^https?://datapackage\.org/profiles/(\d+)\.\d+/", profile)
    return bool(match and match.group(1) == "1")


def check_missing_values(descriptor: dict[str, Any]) -> None:
    problems = missing_values_problems(descriptor)
    if problems:
        problem, fix = problems[0].message, problems[0].fix
        raise SchemaUnusable(f"Schéma invalide : {problem} {fix}")
