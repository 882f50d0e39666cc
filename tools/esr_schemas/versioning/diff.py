"""Compares two Table Schema descriptors and classifies every change by data compatibility.

- ``patch``: text only (titles, descriptions, examples, metadata): no file changes verdict;
- ``minor``: every file valid under the old version stays valid under the new one;
- ``major``: the change can reject a file that the old version accepted.

The classification is conservative: when a change cannot be proven harmless to old
files (a modified pattern, an unknown validation key...), it is major.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from ..extensions import EXTENSION_KEY


class Level(IntEnum):
    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    Level.NONE: "aucun",
    Level.PATCH: "patch",
    Level.MINOR: "mineur",
    Level.MAJOR: "majeur",
}


@dataclass(frozen=True)
class Change:
    level: Level
    kind: str
    """Stable machine id of the change (``field-removed``, ``enum-value-added``...)."""
    pointer: str
    """JSON pointer into the descriptor ("" for the whole file)."""
    message: str
    """French explanation: what changed and why it has this level."""
    file: str = "schema.json"
    warning: str | None = None
    """French advice that does not change the level (e.g. removal without deprecation)."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "niveau": self.level.label,
            "type": self.kind,
            "fichier": self.file,
            "pointeur": self.pointer,
            "message": self.message,
        }
        if self.warning:
            data["avertissement"] = self.warning
        return data


def required_level(changes: list[Change]) -> Level:
    return max((c.level for c in changes), default=Level.NONE)


# --- helpers ---------------------------------------------------------------------------

FIELDS_MATCH_DEFAULT = "exact"
# fieldsMatch value -> the values that accept every file it accepts (Table Schema v2).
FIELDS_MATCH_LOOSER = {
    "exact": {"equal", "subset", "superset", "partial"},
    "equal": {"subset", "superset", "partial"},
    "subset": {"partial"},
    "superset": {"partial"},
    "partial": set(),
}
FIELDS_MATCH_CAN_ADD = {"superset", "partial"}
"""Modes where a data file may lack a schema field: adding an optional field is minor."""
FIELDS_MATCH_CAN_REMOVE = {"subset", "partial"}
"""Modes where a data file may hold columns the schema does not list."""

SCHEMA_VALIDATION_KEYS = {
    "fields",
    "fieldsMatch",
    "missingValues",
    "primaryKey",
    "foreignKeys",
    "uniqueKeys",
}
SCHEMA_IGNORED_KEYS = {"version", "name"}
FIELD_TEXT_KEYS = {"title", "description", "example", "examples", "rdfType"}
FIELD_EXT_TEXT_KEYS = {"personalData", "deprecated"}
SCHEMA_EXT_TEXT_KEYS = {"status", "personalDataBasis", "frequency"}
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum")
UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum")
TYPE_WIDENINGS = {("integer", "number"), ("year", "integer"), ("year", "number")}
DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]
ORDERED_TYPES = {"date", "datetime", "time", "yearmonth"}


def _ptr(*parts: object) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"« {value} »"
    return json.dumps(value, ensure_ascii=False)


def _canon(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _text(obj: dict[str, Any], key: str, default: str) -> str:
    """A string property; malformed values become their JSON text, so they compare safely."""
    value = obj.get(key, default)
    return value if isinstance(value, str) else _canon(value)


def _list(obj: dict[str, Any], key: str, default: list[Any]) -> list[Any]:
    value = obj.get(key, default)
    return value if isinstance(value, list) else [value]


def _fields(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    fields = descriptor.get("fields")
    if not isinstance(fields, list):
        return []
    return [f for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)]


def _ext(obj: dict[str, Any]) -> dict[str, Any]:
    value = obj.get(EXTENSION_KEY)
    return value if isinstance(value, dict) else {}


def fields_match(descriptor: dict[str, Any]) -> str:
    value = descriptor.get("fieldsMatch", FIELDS_MATCH_DEFAULT)
    return value if isinstance(value, str) else FIELDS_MATCH_DEFAULT


def _primary_key(descriptor: dict[str, Any]) -> list[str]:
    value = descriptor.get("primaryKey")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _constraints(field: dict[str, Any]) -> dict[str, Any]:
    value = field.get("constraints")
    return value if isinstance(value, dict) else {}


def _is_required(field: dict[str, Any], descriptor: dict[str, Any]) -> bool:
    return _constraints(field).get("required") is True or field["name"] in _primary_key(descriptor)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _compare_bounds(old: Any, new: Any, field_type: str) -> int | None:
    """-1 / 0 / 1 when old < / == / > new; None when they cannot be compared."""
    a, b = _number(old), _number(new)
    if a is not None and b is not None and field_type not in ORDERED_TYPES:
        return (a > b) - (a < b)
    if isinstance(old, str) and isinstance(new, str) and field_type in ORDERED_TYPES:
        return (old > new) - (old < new)
    return None


# --- comparison ------------------------------------------------------------------------


def diff_descriptors(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new``, each classified, in descriptor order."""
    changes: list[Change] = []
    changes += _schema_metadata(old, new)
    changes += _fields_changes(old, new)
    changes += _fields_match_change(old, new)
    changes += _missing_values(
        old.get("missingValues", [""]), new.get("missingValues", [""]), new, ""
    )
    changes += _keys(old, new)
    return changes


def _schema_metadata(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    keys = [k for k in old if k not in new] + list(new)
    for key in dict.fromkeys(keys):
        if key in SCHEMA_VALIDATION_KEYS or key in SCHEMA_IGNORED_KEYS:
            continue
        if key == EXTENSION_KEY:
            yield from _schema_extension(_ext(old), _ext(new))
            continue
        if key == "custom_checks":  # Validata's rules: they judge the data
            if _canon(old.get(key)) != _canon(new.get(key)):
                yield _unknown(
                    _ptr(key), "Contrôle « custom_checks » (Validata)", key in old, key in new
                )
            continue
        before, after = old.get(key), new.get(key)
        if _canon(before) == _canon(after):
            continue
        yield Change(
            Level.PATCH,
            "metadata-changed",
            _ptr(key),
            f"Métadonnée « {key} » {_verb(key in old, key in new)} : sans effet sur la validation des fichiers.",
        )


def _verb(before: bool, after: bool, feminine: bool = True) -> str:
    ending = "e" if feminine else ""
    if not before:
        return "ajouté" + ending
    if not after:
        return "supprimé" + ending
    return "modifié" + ending


def _schema_extension(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for key in dict.fromkeys([*old, *new]):
        before, after = old.get(key), new.get(key)
        if _canon(before) == _canon(after):
            continue
        pointer = _ptr(EXTENSION_KEY, key)
        if key == "secretThreshold":
            a, b = _number(before), _number(after)
            if b is None:
                yield Change(
                    Level.MINOR,
                    "secret-threshold-removed",
                    pointer,
                    "Seuil de secret statistique supprimé : les fichiers déjà valides le restent.",
                )
            elif a is not None and b <= a:
                yield Change(
                    Level.MINOR,
                    "secret-threshold-lowered",
                    pointer,
                    f"Seuil de secret statistique abaissé de {before} à {after} : les fichiers "
                    "déjà valides le restent.",
                )
            else:
                yield Change(
                    Level.MAJOR,
                    "secret-threshold-raised",
                    pointer,
                    f"Seuil de secret statistique {'ajouté' if a is None else 'relevé'} "
                    f"({_show(before) if a is not None else 'aucun'} → {after}) : des effectifs "
                    "jusque-là acceptés peuvent être rejetés.",
                )
        elif key in SCHEMA_EXT_TEXT_KEYS:
            yield Change(
                Level.PATCH,
                "metadata-changed",
                pointer,
                f"Métadonnée x-esr « {key} » {_verb(key in old, key in new)} : sans effet sur la "
                "validation des fichiers.",
            )
        else:
            yield _unknown(pointer, f"x-esr « {key} »", key in old, key in new)


def _unknown(pointer: str, what: str, before: bool, after: bool) -> Change:
    if not after:
        return Change(
            Level.MINOR,
            "constraint-removed",
            pointer,
            f"{what} supprimé : une règle de moins, les fichiers déjà valides le restent.",
        )
    return Change(
        Level.MAJOR,
        "unknown-changed",
        pointer,
        f"{what} {'ajouté' if not before else 'modifié'} : son effet sur la validation ne peut pas "
        "être prouvé sans risque, le changement est donc majeur par prudence.",
    )


def _fields_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    old_fields, new_fields = _fields(old), _fields(new)
    old_by_name = {f["name"]: (i, f) for i, f in enumerate(old_fields)}
    new_by_name = {f["name"]: (i, f) for i, f in enumerate(new_fields)}
    removed = [n for n in old_by_name if n not in new_by_name]
    added = [n for n in new_by_name if n not in old_by_name]
    mode = fields_match(new)
    renamed: dict[str, str] = {}
    for name in removed:
        index, field = old_by_name[name]
        if index < len(new_fields):
            candidate = new_fields[index]["name"]
            if (
                candidate in added
                and candidate not in renamed.values()
                and _text(new_fields[index], "type", "string") == _text(field, "type", "string")
            ):
                renamed[name] = candidate
    for name in removed:
        index, field = old_by_name[name]
        warning = None
        if _ext(field).get("deprecated") is None:
            warning = (
                f"Le champ « {name} » est retiré sans avoir été déprécié. Marquez-le d'abord "
                'comme déprécié dans une version publiée ("x-esr": {"deprecated": {"since": '
                '"X.Y.Z", "reason": "…"}}) pour laisser aux producteurs une période de '
                "transition, puis retirez-le dans une version majeure."
            )
        if name in renamed:
            target = renamed[name]
            yield Change(
                Level.MAJOR,
                "field-renamed",
                _ptr("fields", index, "name"),
                f"Champ « {name} » renommé en « {target} » : les fichiers existants portent "
                "l'ancien nom de colonne et seront rejetés.",
                warning=warning,
            )
            continue
        if mode in FIELDS_MATCH_CAN_REMOVE:
            yield Change(
                Level.MINOR,
                "field-removed",
                _ptr("fields", index),
                f"Champ « {name} » supprimé : avec fieldsMatch « {mode} », une colonne en trop est "
                "acceptée, les fichiers existants restent valides.",
                warning=warning,
            )
        else:
            yield Change(
                Level.MAJOR,
                "field-removed",
                _ptr("fields", index),
                f"Champ « {name} » supprimé : avec fieldsMatch « {mode} », les fichiers existants "
                "qui contiennent cette colonne seront rejetés.",
                warning=warning,
            )
    for name in added:
        if name in renamed.values():
            continue
        index, field = new_by_name[name]
        pointer = _ptr("fields", index)
        if _is_required(field, new):
            yield Change(
                Level.MAJOR,
                "field-added-required",
                pointer,
                f"Nouveau champ obligatoire « {name} » : les fichiers existants ne le contiennent "
                "pas et seront rejetés.",
            )
        elif mode in FIELDS_MATCH_CAN_ADD:
            yield Change(
                Level.MINOR,
                "field-added",
                pointer,
                f"Nouveau champ facultatif « {name} » : avec fieldsMatch « {mode} », une colonne "
                "absente est acceptée, les fichiers existants restent valides.",
            )
        else:
            yield Change(
                Level.MAJOR,
                "field-added",
                pointer,
                f"Nouveau champ « {name} » : avec fieldsMatch « {mode} »"
                f"{' (la valeur par défaut)' if 'fieldsMatch' not in new else ''}, toutes les "
                "colonnes du schéma doivent être présentes, les fichiers existants seront rejetés. "
                "Pour un ajout mineur, il faudrait fieldsMatch « superset » ou « partial ».",
            )
    common_old = [f["name"] for f in old_fields if f["name"] in new_by_name]
    common_new = [f["name"] for f in new_fields if f["name"] in old_by_name]
    if common_old != common_new:
        if mode == "exact":
            yield Change(
                Level.MAJOR,
                "field-order-changed",
                _ptr("fields"),
                "Ordre des champs modifié : avec fieldsMatch « exact », les colonnes sont "
                "lues dans l'ordre du schéma, les fichiers existants seront rejetés.",
            )
        else:
            yield Change(
                Level.PATCH,
                "field-order-changed",
                _ptr("fields"),
                f"Ordre des champs modifié : avec fieldsMatch « {mode} », les colonnes sont "
                "associées par leur nom, sans effet sur la validation.",
            )
    for name, (new_index, new_field) in new_by_name.items():
        if name in old_by_name:
            _, old_field = old_by_name[name]
            yield from _field_changes(old_field, new_field, new_index, old, new)


def _field_changes(
    old: dict[str, Any],
    new: dict[str, Any],
    index: int,
    old_schema: dict[str, Any],
    new_schema: dict[str, Any],
) -> Iterator[Change]:
    name = new["name"]
    base = ("fields", index)
    old_type, new_type = _text(old, "type", "string"), _text(new, "type", "string")
    type_changed = old_type != new_type
    if type_changed:
        widening = (
            (old_type, new_type) in TYPE_WIDENINGS
            or new_type == "any"
            or (new_type == "string" and _text(new, "format", "default") == "default")
        )
        if widening:
            yield Change(
                Level.MINOR,
                "type-widened",
                _ptr(*base, "type"),
                f"Type du champ « {name} » élargi de « {old_type} » à « {new_type} » : toute "
                "valeur acceptée avant l'est encore.",
            )
        else:
            yield Change(
                Level.MAJOR,
                "type-changed",
                _ptr(*base, "type"),
                f"Type du champ « {name} » changé de « {old_type} » à « {new_type} » : des "
                "valeurs acceptées avant peuvent être rejetées.",
            )
    old_format, new_format = _text(old, "format", "default"), _text(new, "format", "default")
    if old_format != new_format and not (type_changed and new_type in ("string", "any")):
        if new_type == "string" and new_format == "default":
            yield Change(
                Level.MINOR,
                "format-removed",
                _ptr(*base, "format"),
                f"Format « {old_format} » du champ « {name} » retiré : toute chaîne est "
                "désormais acceptée.",
            )
        else:
            yield Change(
                Level.MAJOR,
                "format-changed",
                _ptr(*base, "format"),
                f"Format du champ « {name} » changé de « {old_format} » à « {new_format} » : "
                "des valeurs acceptées avant peuvent être rejetées.",
            )
    yield from _constraint_changes(old, new, base, new_type, old_schema, new_schema)
    yield from _number_options(old, new, base, name)
    if new_type == "boolean" or old_type == "boolean":
        for key, default in (("trueValues", DEFAULT_TRUE), ("falseValues", DEFAULT_FALSE)):
            before = set(map(str, _list(old, key, default)))
            after = set(map(str, _list(new, key, default)))
            if before - after:
                yield Change(
                    Level.MAJOR,
                    "boolean-values-removed",
                    _ptr(*base, key),
                    f"Valeurs {', '.join(map(_show, sorted(before - after)))} retirées de "
                    f"« {key} » du champ « {name} » : les fichiers qui les utilisent seront "
                    "rejetés.",
                )
            elif after - before:
                yield Change(
                    Level.MINOR,
                    "boolean-values-added",
                    _ptr(*base, key),
                    f"Valeurs {', '.join(map(_show, sorted(after - before)))} ajoutées à "
                    f"« {key} » du champ « {name} » : les fichiers déjà valides le restent.",
                )
    if "missingValues" in old or "missingValues" in new:
        yield from _missing_values(
            old.get("missingValues", old_schema.get("missingValues", [""])),
            new.get("missingValues", new_schema.get("missingValues", [""])),
            new_schema,
            _ptr(*base),
            only=new,
        )
    handled = {
        "name",
        "type",
        "format",
        "constraints",
        "decimalChar",
        "groupChar",
        "bareNumber",
        "trueValues",
        "falseValues",
        "missingValues",
    }
    for key in dict.fromkeys([*old, *new]):
        if key in handled:
            continue
        before_value, after_value = old.get(key), new.get(key)
        if _canon(before_value) == _canon(after_value):
            continue
        if key in FIELD_TEXT_KEYS:
            yield Change(
                Level.PATCH,
                "text-changed",
                _ptr(*base, key),
                f"Texte « {key} » du champ « {name} » {_verb(key in old, key in new, False)} : "
                "sans effet sur la validation.",
            )
        elif key == EXTENSION_KEY:
            yield from _field_extension(_ext(old), _ext(new), base, name)
        else:
            yield _unknown(
                _ptr(*base, key), f"Propriété « {key} » du champ « {name} »", key in old, key in new
            )


def _field_extension(
    old: dict[str, Any], new: dict[str, Any], base: tuple[object, ...], name: str
) -> Iterator[Change]:
    for key in dict.fromkeys([*old, *new]):
        before, after = old.get(key), new.get(key)
        if _canon(before) == _canon(after):
            continue
        pointer = _ptr(*base, EXTENSION_KEY, key)
        if key in FIELD_EXT_TEXT_KEYS:
            what = "marqué déprécié" if key == "deprecated" and after is not None else None
            yield Change(
                Level.PATCH,
                "deprecated" if what else "metadata-changed",
                pointer,
                f"Champ « {name} » {what} : annonce sans effet sur la validation."
                if what
                else f"Annotation x-esr « {key} » du champ « {name} » {_verb(key in old, key in new, False)} : "
                "sans effet sur la validation.",
            )
        else:
            yield _unknown(
                pointer, f"Contrôle x-esr « {key} » du champ « {name} »", key in old, key in new
            )


def _number_options(
    old: dict[str, Any], new: dict[str, Any], base: tuple[object, ...], name: str
) -> Iterator[Change]:
    if old.get("decimalChar", ".") != new.get("decimalChar", "."):
        yield Change(
            Level.MAJOR,
            "decimal-char-changed",
            _ptr(*base, "decimalChar"),
            f"Séparateur décimal du champ « {name} » changé de {_show(old.get('decimalChar', '.'))} "
            f"à {_show(new.get('decimalChar', '.'))} : les nombres écrits avec l'ancien seront rejetés.",
        )
    old_group, new_group = old.get("groupChar"), new.get("groupChar")
    if old_group != new_group:
        if old_group is None:
            yield Change(
                Level.MINOR,
                "group-char-added",
                _ptr(*base, "groupChar"),
                f"Séparateur de milliers {_show(new_group)} accepté pour « {name} » : les "
                "fichiers déjà valides le restent.",
            )
        else:
            yield Change(
                Level.MAJOR,
                "group-char-changed",
                _ptr(*base, "groupChar"),
                f"Séparateur de milliers du champ « {name} » {'retiré' if new_group is None else 'changé'} : "
                "les nombres écrits avec l'ancien seront rejetés.",
            )
    old_bare, new_bare = old.get("bareNumber", True), new.get("bareNumber", True)
    if old_bare != new_bare:
        level = Level.MAJOR if new_bare else Level.MINOR
        yield Change(
            level,
            "bare-number-changed",
            _ptr(*base, "bareNumber"),
            f"bareNumber du champ « {name} » passé à {_show(new_bare)} : "
            + (
                "les nombres entourés de texte (« 12 % ») seront rejetés."
                if new_bare
                else "les nombres entourés de texte sont désormais acceptés."
            ),
        )


def _constraint_changes(
    old: dict[str, Any],
    new: dict[str, Any],
    base: tuple[object, ...],
    field_type: str,
    old_schema: dict[str, Any],
    new_schema: dict[str, Any],
) -> Iterator[Change]:
    name = new["name"]
    before, after = _constraints(old), _constraints(new)
    for key in dict.fromkeys([*before, *after]):
        a, b = before.get(key), after.get(key)
        if _canon(a) == _canon(b):
            continue
        pointer = _ptr(*base, "constraints", key)
        if key in ("required", "unique"):
            label = "obligatoire" if key == "required" else "unique"
            if b is True:
                yield Change(
                    Level.MAJOR,
                    f"{key}-added",
                    pointer,
                    f"Le champ « {name} » devient {label} : des fichiers acceptés avant "
                    f"({'cellules vides' if key == 'required' else 'valeurs répétées'}) seront rejetés.",
                )
            elif a is True:
                yield Change(
                    Level.MINOR,
                    f"{key}-removed",
                    pointer,
                    f"Le champ « {name} » n'est plus {label} : les fichiers déjà valides le restent.",
                )
        elif key in LOWER_BOUNDS or key in UPPER_BOUNDS:
            lower = key in LOWER_BOUNDS
            if b is None:
                yield Change(
                    Level.MINOR,
                    "constraint-loosened",
                    pointer,
                    f"Contrainte « {key} » du champ « {name} » supprimée : les fichiers déjà "
                    "valides le restent.",
                )
                continue
            if a is None:
                yield Change(
                    Level.MAJOR,
                    "constraint-added",
                    pointer,
                    f"Contrainte « {key} » = {_show(b)} ajoutée au champ « {name} » : des "
                    "valeurs acceptées avant peuvent être rejetées.",
                )
                continue
            order = _compare_bounds(a, b, field_type)
            loosened = order is not None and (order > 0 if lower else order < 0)
            if loosened:
                yield Change(
                    Level.MINOR,
                    "constraint-loosened",
                    pointer,
                    f"Contrainte « {key} » du champ « {name} » assouplie ({_show(a)} → {_show(b)}) : "
                    "les fichiers déjà valides le restent.",
                )
            else:
                yield Change(
                    Level.MAJOR,
                    "constraint-tightened",
                    pointer,
                    f"Contrainte « {key} » du champ « {name} » resserrée ({_show(a)} → {_show(b)}) : "
                    "des valeurs acceptées avant seront rejetées.",
                )
        elif key == "enum":
            if b is None:
                yield Change(
                    Level.MINOR,
                    "enum-removed",
                    pointer,
                    f"Liste de valeurs autorisées du champ « {name} » supprimée : les fichiers "
                    "déjà valides le restent.",
                )
            elif a is None or not isinstance(a, list) or not isinstance(b, list):
                yield Change(
                    Level.MAJOR,
                    "enum-added",
                    pointer,
                    f"Liste de valeurs autorisées ajoutée au champ « {name} » : les autres "
                    "valeurs seront rejetées.",
                )
            else:
                old_values = {_canon(v): v for v in a}
                new_values = {_canon(v): v for v in b}
                gone = [old_values[k] for k in old_values if k not in new_values]
                came = [new_values[k] for k in new_values if k not in old_values]
                if gone:
                    yield Change(
                        Level.MAJOR,
                        "enum-value-removed",
                        pointer,
                        f"Valeur(s) {', '.join(map(_show, gone))} retirée(s) de la liste autorisée "
                        f"du champ « {name} » : les fichiers qui les utilisent seront rejetés.",
                    )
                if came:
                    yield Change(
                        Level.MINOR,
                        "enum-value-added",
                        pointer,
                        f"Valeur(s) {', '.join(map(_show, came))} ajoutée(s) à la liste autorisée "
                        f"du champ « {name} » : les fichiers déjà valides le restent.",
                    )
        elif key == "pattern":
            if b is None:
                yield Change(
                    Level.MINOR,
                    "pattern-removed",
                    pointer,
                    f"Motif (pattern) du champ « {name} » supprimé : les fichiers déjà valides le restent.",
                )
            else:
                yield Change(
                    Level.MAJOR,
                    "pattern-changed",
                    pointer,
                    f"Motif (pattern) du champ « {name} » {'ajouté' if a is None else 'modifié'} "
                    f"({_show(a) if a is not None else 'aucun'} → {_show(b)}) : rien ne prouve que "
                    "toutes les valeurs acceptées avant le sont encore.",
                )
        else:
            yield _unknown(
                pointer, f"Contrainte « {key} » du champ « {name} »", key in before, key in after
            )


def _missing_values(
    old: Any,
    new: Any,
    new_schema: dict[str, Any],
    base: str,
    only: dict[str, Any] | None = None,
) -> Iterator[Change]:
    before = {str(v) for v in old} if isinstance(old, list) else set()
    after = {str(v) for v in new} if isinstance(new, list) else set()
    pointer = base + "/missingValues"
    if before - after:
        yield Change(
            Level.MAJOR,
            "missing-values-narrowed",
            pointer,
            f"Valeur(s) manquante(s) {', '.join(map(_show, sorted(before - after)))} retirée(s) de "
            "« missingValues » : ces cellules seront lues comme des valeurs et pourront être rejetées.",
        )
    if after - before:
        fields = [only] if only is not None else _fields(new_schema)
        required = [f["name"] for f in fields if _is_required(f, new_schema)]
        added = ", ".join(map(_show, sorted(after - before)))
        if required:
            yield Change(
                Level.MAJOR,
                "missing-values-added",
                pointer,
                f"Valeur(s) manquante(s) {added} ajoutée(s) à « missingValues » : dans les champs "
                f"obligatoires ({', '.join(required)}), ces cellules deviennent vides et seront rejetées.",
            )
        else:
            yield Change(
                Level.MINOR,
                "missing-values-added",
                pointer,
                f"Valeur(s) manquante(s) {added} ajoutée(s) à « missingValues » : aucun champ "
                "concerné n'est obligatoire, les fichiers déjà valides le restent.",
            )


def _fields_match_change(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    a, b = fields_match(old), fields_match(new)
    if a == b:
        return
    if b in FIELDS_MATCH_LOOSER.get(a, set()):
        yield Change(
            Level.MINOR,
            "fields-match-loosened",
            "/fieldsMatch",
            f"fieldsMatch assoupli de « {a} » à « {b} » : les fichiers déjà valides le restent.",
        )
    else:
        yield Change(
            Level.MAJOR,
            "fields-match-tightened",
            "/fieldsMatch",
            f"fieldsMatch changé de « {a} » à « {b} » : des fichiers acceptés avant peuvent être rejetés.",
        )


def _keys(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    old_pk, new_pk = _primary_key(old), _primary_key(new)
    if set(old_pk) != set(new_pk):
        if not new_pk:
            yield Change(
                Level.MINOR,
                "primary-key-removed",
                "/primaryKey",
                "Clé primaire supprimée : les fichiers déjà valides le restent.",
            )
        else:
            yield Change(
                Level.MAJOR,
                "primary-key-changed",
                "/primaryKey",
                f"Clé primaire {'ajoutée' if not old_pk else 'modifiée'} "
                f"({', '.join(old_pk) or 'aucune'} → {', '.join(new_pk)}) : des fichiers acceptés "
                "avant (doublons, cellules vides) peuvent être rejetés.",
            )
    for key, label in (("foreignKeys", "Clé étrangère"), ("uniqueKeys", "Clé d'unicité")):
        before = {_canon(v) for v in _list(old, key, []) if v is not None}
        after = {_canon(v) for v in _list(new, key, []) if v is not None}
        if after - before:
            yield Change(
                Level.MAJOR,
                f"{key[:-1].replace('K', '-k')}-added",
                "/" + key,
                f"{label} ajoutée ou modifiée : des fichiers acceptés avant peuvent être rejetés.",
            )
        elif before - after:
            yield Change(
                Level.MINOR,
                f"{key[:-1].replace('K', '-k')}-removed",
                "/" + key,
                f"{label} supprimée : les fichiers déjà valides le restent.",
            )
