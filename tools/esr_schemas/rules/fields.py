"""Fields: documented, well named, with a valid example; consistent enums, patterns and keys."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from .. import codesystems
from ..extensions import CODE_SYSTEMS, code_system
from ..findings import Finding, Severity
from . import SchemaContext, iter_fields, pointer, rule

REQUIRED_PROPS = ("name", "title", "description", "type", "example")
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

NOTE_FR = {
    "type": "n'est pas du type attendu",
    "required": "est vide alors que le champ est obligatoire",
    "minimum": "est inférieur au minimum",
    "maximum": "est supérieur au maximum",
    "minLength": "est plus court que la longueur minimale",
    "maxLength": "est plus long que la longueur maximale",
    "pattern": "ne respecte pas le motif",
    "enum": "n'est pas une valeur autorisée",
}


@rule(
    "field-property-missing",
    Severity.ERROR,
    "Chaque champ a un nom, un titre, une description, un type et un exemple.",
)
def property_missing(ctx: SchemaContext) -> Iterator[Finding]:
    for index, field in iter_fields(ctx.descriptor):
        label = field.get("name", f"n° {index + 1}")
        for prop in REQUIRED_PROPS:
            if field.get(prop) in (None, ""):
                yield ctx.finding(
                    "field-property-missing",
                    f"Le champ « {label} » n'a pas de « {prop} ».",
                    f"Ajoutez « {prop} » au champ"
                    + (
                        " (une valeur réaliste, écrite comme dans le fichier CSV)."
                        if prop == "example"
                        else "."
                    ),
                    pointer=pointer("fields", index),
                )


@rule(
    "field-name-invalid",
    Severity.ERROR,
    "Les noms de champ sont en snake_case, sans accent, et uniques.",
)
def name_invalid(ctx: SchemaContext) -> Iterator[Finding]:
    fields = list(iter_fields(ctx.descriptor))
    counts = Counter(f.get("name") for _, f in fields)
    reported: set[str] = set()
    for index, field in fields:
        name = field.get("name")
        if not isinstance(name, str):
            continue
        if not SNAKE_CASE.match(name):
            yield ctx.finding(
                "field-name-invalid",
                f"Le nom de champ « {name} » n'est pas en snake_case sans accent.",
                f"Renommez-le, par exemple « {_snake(name)} » (minuscules, chiffres et « _ », sans accent).",
                pointer=pointer("fields", index, "name"),
            )
        if counts[name] > 1 and name not in reported:
            reported.add(name)
            yield ctx.finding(
                "field-name-invalid",
                f"Le nom de champ « {name} » est utilisé {counts[name]} fois.",
                "Donnez un nom unique à chaque champ.",
                pointer=pointer("fields", index, "name"),
            )


@rule(
    "field-description-repeats-title",
    Severity.WARNING,
    "La description d'un champ apporte plus que son titre.",
)
def description_repeats_title(ctx: SchemaContext) -> Iterator[Finding]:
    for index, field in iter_fields(ctx.descriptor):
        title, description = field.get("title"), field.get("description")
        if (
            isinstance(title, str)
            and isinstance(description, str)
            and _norm(title) == _norm(description)
        ):
            yield ctx.finding(
                "field-description-repeats-title",
                f"La description du champ « {field.get('name')} » répète son titre.",
                "Expliquez ce que contient le champ : unité, source, règle de calcul, cas particuliers.",
                pointer=pointer("fields", index, "description"),
            )


@rule(
    "field-pattern-invalid",
    Severity.ERROR,
    "Un motif (pattern) est une expression régulière valide.",
)
def pattern_invalid(ctx: SchemaContext) -> Iterator[Finding]:
    for index, field in iter_fields(ctx.descriptor):
        pattern = _constraints(field).get("pattern")
        if pattern is None:
            continue
        problem = compile_problem(pattern)
        if problem:
            yield ctx.finding(
                "field-pattern-invalid",
                f"Le motif du champ « {field.get('name')} » n'est pas une expression régulière valide : {problem}.",
                "Corrigez l'expression (parenthèses, crochets, échappements « \\\\ » en JSON).",
                pointer=pointer("fields", index, "constraints", "pattern"),
            )


@rule(
    "field-example-invalid",
    Severity.ERROR,
    "L'exemple d'un champ respecte son type, ses contraintes et son motif.",
)
def example_invalid(ctx: SchemaContext) -> Iterator[Finding]:
    from frictionless import Field

    for index, field in iter_fields(ctx.descriptor):
        example = field.get("example")
        if example is None or not isinstance(field.get("name"), str):
            continue
        pattern = _constraints(field).get("pattern")
        if pattern is not None and compile_problem(pattern):
            continue  # reported by field-pattern-invalid
        cleaned = {k: v for k, v in field.items() if k != "example"}
        try:
            frictionless_field = Field.from_descriptor(cleaned)
        except Exception:  # a malformed field is reported by the spec rules
            continue
        source = example if isinstance(example, str) else json.dumps(example, ensure_ascii=False)
        _value, notes = frictionless_field.read_cell(source)
        for note in sorted(notes or {}):
            yield ctx.finding(
                "field-example-invalid",
                f"L'exemple « {source} » du champ « {field['name']} » {NOTE_FR.get(note, 'est invalide')} "
                f"({notes[note]}).",
                "Donnez un exemple réaliste qui respecte le type et les contraintes du champ.",
                pointer=pointer("fields", index, "example"),
            )


@rule(
    "field-codesystem-invalid",
    Severity.ERROR,
    "Un système de codes déclaré (x-esr.codeSystem) est connu, et l'exemple passe sa clé de contrôle.",
)
def codesystem_invalid(ctx: SchemaContext) -> Iterator[Finding]:
    for index, field in iter_fields(ctx.descriptor):
        system = code_system(field)
        if system is None:
            continue
        if system not in CODE_SYSTEMS:
            yield ctx.finding(
                "field-codesystem-invalid",
                f"Système de codes « {system} » inconnu pour le champ « {field.get('name')} ».",
                f"Utilisez l'un de : {', '.join(sorted(CODE_SYSTEMS))}.",
                pointer=pointer("fields", index, "x-esr", "codeSystem"),
            )
            continue
        example = field.get("example")
        problem = codesystems.check(system, example) if isinstance(example, str) else None
        if problem is not None:
            message, expected = problem
            yield ctx.finding(
                "field-codesystem-invalid",
                f"Exemple du champ « {field.get('name')} » : {message}.",
                f"Écrivez « {expected} »." if expected else "Donnez un identifiant réel et valide.",
                pointer=pointer("fields", index, "example"),
            )


@rule(
    "field-enum-invalid",
    Severity.ERROR,
    "Une liste de valeurs (enum) est non vide et sans doublon.",
)
def enum_invalid(ctx: SchemaContext) -> Iterator[Finding]:
    for index, field in iter_fields(ctx.descriptor):
        constraints = _constraints(field)
        if "enum" not in constraints:
            continue
        enum = constraints["enum"]
        where = pointer("fields", index, "constraints", "enum")
        if not isinstance(enum, list) or not enum:
            yield ctx.finding(
                "field-enum-invalid",
                f"La liste de valeurs du champ « {field.get('name')} » est vide.",
                "Listez les valeurs autorisées, ou retirez « enum ».",
                pointer=where,
            )
            continue
        counts = Counter(json.dumps(v, ensure_ascii=False) for v in enum)
        for value, count in sorted(counts.items()):
            if count > 1:
                yield ctx.finding(
                    "field-enum-invalid",
                    f"La valeur {value} apparaît {count} fois dans la liste du champ « {field.get('name')} ».",
                    "Retirez les doublons de « enum ».",
                    pointer=where,
                )


@rule(
    "primary-key-invalid",
    Severity.ERROR,
    "La clé primaire nomme des champs existants et obligatoires.",
)
def primary_key_invalid(ctx: SchemaContext) -> Iterator[Finding]:
    key = ctx.descriptor.get("primaryKey")
    if key is None:
        return
    names = [key] if isinstance(key, str) else key if isinstance(key, list) else []
    by_name = {f.get("name"): (i, f) for i, f in iter_fields(ctx.descriptor)}
    for position, name in enumerate(names):
        where = "/primaryKey" if isinstance(key, str) else pointer("primaryKey", position)
        if name not in by_name:
            yield ctx.finding(
                "primary-key-invalid",
                f"La clé primaire nomme « {name} », qui n'est pas un champ du schéma.",
                "Corrigez le nom, ou retirez-le de « primaryKey ».",
                pointer=where,
            )
            continue
        index, field = by_name[name]
        if _constraints(field).get("required") is not True:
            yield ctx.finding(
                "primary-key-invalid",
                f"Le champ « {name} » fait partie de la clé primaire mais n'est pas obligatoire.",
                'Ajoutez "required": true à ses contraintes.',
                pointer=pointer("fields", index, "constraints"),
            )


@rule("foreign-key-invalid", Severity.ERROR, "Une clé étrangère nomme des champs existants.")
def foreign_key_invalid(ctx: SchemaContext) -> Iterator[Finding]:
    keys = ctx.descriptor.get("foreignKeys")
    if not isinstance(keys, list):
        return
    names = {f.get("name") for _, f in iter_fields(ctx.descriptor)}
    for index, key in enumerate(keys):
        if not isinstance(key, dict):
            continue
        fields = key.get("fields")
        for name in (
            [fields] if isinstance(fields, str) else fields if isinstance(fields, list) else []
        ):
            if name not in names:
                yield ctx.finding(
                    "foreign-key-invalid",
                    f"La clé étrangère nomme « {name} », qui n'est pas un champ du schéma.",
                    "Corrigez le nom du champ dans « foreignKeys ».",
                    pointer=pointer("foreignKeys", index, "fields"),
                )


def compile_problem(pattern: object) -> str | None:
    """Why a Table Schema pattern does not compile, in French, or None."""
    if not isinstance(pattern, str):
        return "le motif doit être une chaîne"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"{exc.msg} (position {exc.pos})"
    return None


def _constraints(field: dict[str, Any]) -> dict[str, Any]:
    value = field.get("constraints")
    return value if isinstance(value, dict) else {}


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().lower()


def _snake(name: str) -> str:
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", ascii_name)
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_") or "champ"
