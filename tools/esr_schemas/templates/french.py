"""Plain-French wording of Table Schema fields, shared by the workbook and the export."""

from __future__ import annotations

from typing import Any, TypeGuard

from .. import extensions

TYPE_LABELS = {
    "string": "chaîne de caractères",
    "integer": "nombre entier",
    "number": "nombre décimal",
    "boolean": "booléen",
    "date": "date (AAAA-MM-JJ)",
    "datetime": "date et heure (AAAA-MM-JJThh:mm:ss)",
    "time": "heure (hh:mm:ss)",
    "year": "année (AAAA)",
    "yearmonth": "année et mois (AAAA-MM)",
    "duration": "durée ISO 8601 (par ex. P1Y2M10D)",
    "geopoint": "point géographique (latitude, longitude)",
    "geojson": "objet GeoJSON",
    "object": "objet JSON",
    "array": "liste JSON",
    "any": "valeur libre",
}

STRING_FORMAT_LABELS = {
    "email": "adresse électronique",
    "uri": "adresse web (URL)",
    "uuid": "identifiant UUID",
    "binary": "données binaires encodées en base64",
}

DEFAULT_TRUE = "true"
DEFAULT_FALSE = "false"


def field_type(field: dict[str, Any]) -> str:
    value = field.get("type")
    return (
        value
        if isinstance(value, str) and value in TYPE_LABELS
        else "string"
        if value is None
        else "any"
    )


def constraints(field: dict[str, Any]) -> dict[str, Any]:
    value = field.get("constraints")
    return value if isinstance(value, dict) else {}


def is_required(field: dict[str, Any]) -> bool:
    return constraints(field).get("required") is True


def enum_values(field: dict[str, Any]) -> list[Any]:
    """The enum's usable values, in order, without duplicates or nulls."""
    raw = constraints(field).get("enum")
    if not isinstance(raw, list):
        return []
    seen: set[str] = set()
    values: list[Any] = []
    for value in raw:
        if value is None or isinstance(value, dict | list):
            continue
        key = str(value)
        if key in seen or key == "":
            continue
        seen.add(key)
        values.append(value)
    return values


def true_false(field: dict[str, Any]) -> tuple[str, str]:
    trues = field.get("trueValues")
    falses = field.get("falseValues")
    true = str(trues[0]) if isinstance(trues, list) and trues else DEFAULT_TRUE
    false = str(falses[0]) if isinstance(falses, list) and falses else DEFAULT_FALSE
    return true, false


def is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_code(field: dict[str, Any]) -> bool:
    """A string column whose leading zeros and exact spelling matter."""
    cons = constraints(field)
    return field_type(field) == "string" and bool(
        cons.get("pattern")
        or extensions.code_system(field)
        or extensions.code_list(field)
        or enum_values(field)
    )


def pattern_lengths(field: dict[str, Any]) -> tuple[int, int | None] | None:
    """Shortest and longest value a field's ``pattern`` accepts (None: no usable pattern)."""
    pattern = constraints(field).get("pattern")
    if not isinstance(pattern, str) or not pattern:
        return None
    try:
        from re import _parser  # type: ignore[attr-defined]

        low, high = _parser.parse(pattern).getwidth()
    except Exception:  # a pattern Python cannot read: no length check, the export validates
        return None
    return int(low), (int(high) if high < 100000 else None)


def text_lengths(field: dict[str, Any]) -> tuple[int, int | None] | None:
    """Length bounds from minLength, maxLength and the pattern together (None: no bound)."""
    cons = constraints(field)
    low = int(cons["minLength"]) if is_number(cons.get("minLength")) else 0
    high = int(cons["maxLength"]) if is_number(cons.get("maxLength")) else None
    from_pattern = pattern_lengths(field)
    if from_pattern is not None:
        low = max(low, from_pattern[0])
        if from_pattern[1] is not None:
            high = from_pattern[1] if high is None else min(high, from_pattern[1])
    if low == 0 and high is None:
        return None
    return low, high


def type_label(field: dict[str, Any]) -> str:
    kind = field_type(field)
    label = TYPE_LABELS[kind]
    fmt = field.get("format")
    if kind == "string" and isinstance(fmt, str) and fmt in STRING_FORMAT_LABELS:
        label += f" ({STRING_FORMAT_LABELS[fmt]})"
    if kind == "boolean":
        true, false = true_false(field)
        label += f" ({true} / {false})"
    if kind in ("date", "datetime", "time") and isinstance(fmt, str) and "%" in fmt:
        label = f"{TYPE_LABELS[kind].split(' (')[0]} au format {strftime_label(fmt)}"
    return label


def strftime_label(fmt: str) -> str:
    for code, label in (
        ("%Y", "AAAA"),
        ("%y", "AA"),
        ("%m", "MM"),
        ("%d", "JJ"),
        ("%H", "hh"),
        ("%M", "mm"),
        ("%S", "ss"),
        ("%z", "±hhmm"),
    ):
        fmt = fmt.replace(code, label)
    return fmt


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def constraint_lines(field: dict[str, Any], limit: int | None = None) -> list[str]:
    """Each constraint in one French sentence, for the notice and the comments."""
    cons = constraints(field)
    lines: list[str] = []
    values = enum_values(field)
    if values:
        shown = values if limit is None else values[:limit]
        more = (
            ""
            if len(shown) == len(values)
            else f" … ({len(values)} valeurs, voir la liste déroulante)"
        )
        lines.append("Valeurs autorisées : " + " ; ".join(str(v) for v in shown) + more + ".")
    referentiel = extensions.code_list(field)
    if referentiel:
        lines.append(f"Code du référentiel « {referentiel} » publié par le registre.")
    system = extensions.code_system(field)
    if system:
        lines.append(
            f"Identifiant {system.upper()} : saisir le code exact, zéros initiaux compris."
        )
    low, high = cons.get("minLength"), cons.get("maxLength")
    if is_number(low) and is_number(high):
        if low == high:
            lines.append(f"Exactement {_fmt(low)} caractères.")
        else:
            lines.append(f"Entre {_fmt(low)} et {_fmt(high)} caractères.")
    elif is_number(low):
        lines.append(f"Au moins {_fmt(low)} caractères.")
    elif is_number(high):
        lines.append(f"Au plus {_fmt(high)} caractères.")
    low, high = cons.get("minimum"), cons.get("maximum")
    if low is not None and high is not None:
        lines.append(f"Valeur comprise entre {_fmt(low)} et {_fmt(high)}.")
    elif low is not None:
        lines.append(f"Valeur minimale : {_fmt(low)}.")
    elif high is not None:
        lines.append(f"Valeur maximale : {_fmt(high)}.")
    pattern = cons.get("pattern")
    if isinstance(pattern, str) and pattern:
        lines.append(f"Doit respecter le motif (expression régulière) : {pattern}")
    if cons.get("unique") is True:
        lines.append("Chaque valeur doit être unique dans le fichier.")
    if extensions.is_person_count(field):
        lines.append("Effectif de personnes : soumis au secret statistique.")
    if extensions.is_personal_data(field):
        lines.append("Donnée personnelle.")
    deprecated = extensions.deprecation(field)
    if deprecated:
        since = deprecated.get("since", "?")
        reason = deprecated.get("reason", "")
        lines.append(f"Champ déprécié depuis la version {since}. {reason}".strip())
    return lines


def text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def field_title(field: dict[str, Any], name: str) -> str:
    return text(field.get("title")) or name


def field_example(field: dict[str, Any]) -> str:
    value = field.get("example")
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)
