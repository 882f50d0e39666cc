"""Is a descriptor a Table Schema we can validate with? (French refusals)."""

from __future__ import annotations

from typing import Any

from .errors import SchemaUnusable
from .types import KNOWN_TYPES


def check_bounds_and_profile(descriptor: Any) -> None:
    """Size, depth, number of fields and the type of every value (the Table Schema
    profile), before any other code reads the descriptor (the guard layer)."""
    from ..guards import check_schema

    check_schema(descriptor)


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
    missing = descriptor.get("missingValues")
    if missing is not None and (
        not isinstance(missing, list) or not all(isinstance(m, str) for m in missing)
    ):
        raise SchemaUnusable("Schéma invalide : « missingValues » doit être une liste de textes.")
    fields_match = descriptor.get("fieldsMatch", "exact")
    if fields_match not in ("exact", "equal", "subset", "superset", "partial"):
        raise SchemaUnusable(f"Schéma invalide : « fieldsMatch » inconnu : « {fields_match} ».")
