"""Plain-French wording of Table Schema fields, for every place that describes them.

The site pages (``docsite.render``) and the Excel templates (``templates.workbook``:
notice, header comments, input messages) tell the same data officers what a column
holds: every label and sentence comes from here, so they never say it two ways.

Sentences quote literal values (bounds, patterns, separators) through a ``quote``
function: plain text by default (a spreadsheet), a Markdown code span for the site.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeGuard

Quote = Callable[[str], str]

TYPE_NOUNS = {
    "string": "chaîne de caractères",
    "integer": "nombre entier",
    "number": "nombre décimal",
    "boolean": "booléen",
    "date": "date",
    "datetime": "date et heure",
    "time": "heure",
    "year": "année",
    "yearmonth": "année et mois",
    "duration": "durée",
    "geopoint": "point géographique",
    "geojson": "objet géographique GeoJSON",
    "object": "objet JSON",
    "array": "liste JSON",
    "any": "valeur libre",
}
"""What a value of each Table Schema type is, as a bare French noun."""

TYPE_SPELLINGS = {
    "date": "AAAA-MM-JJ",
    "datetime": "AAAA-MM-JJThh:mm:ss",
    "time": "hh:mm:ss",
    "year": "AAAA",
    "yearmonth": "AAAA-MM",
    "duration": "format ISO 8601, par exemple P1Y2M10D",
    "geopoint": "« longitude, latitude »",
}
"""How a value of the type is written by default, for the types where it is not obvious."""

TYPE_LABELS = {
    kind: f"{noun} ({TYPE_SPELLINGS[kind]})" if kind in TYPE_SPELLINGS else noun
    for kind, noun in TYPE_NOUNS.items()
}
"""The type's noun with its default spelling: « date (AAAA-MM-JJ) »."""

STRING_FORMAT_LABELS = {
    "email": "adresse électronique",
    "uri": "adresse web (URL)",
    "uuid": "identifiant UUID",
    "binary": "contenu binaire encodé en base 64",
    "wkt": "géométrie au format WKT",
}

FEMININE_NOUNS = {
    "chaîne de caractères",
    "géométrie au format WKT",
    "date",
    "date et heure",
    "heure",
    "année",
    "année et mois",
    "durée",
    "liste JSON",
    "valeur libre",
    "adresse électronique",
    "adresse web (URL)",
}
"""The nouns above that take « une »."""

DATE_TYPE_BASES = {kind: TYPE_NOUNS[kind] for kind in ("date", "datetime", "time")}

DATE_TOKENS = {
    "%Y": "AAAA",
    "%y": "AA",
    "%m": "MM",
    "%d": "JJ",
    "%H": "hh",
    "%M": "mm",
    "%S": "ss",
    "%z": "±hhmm",
    "%B": "mois en lettres",
    "%b": "mois abrégé",
}

CODE_SYSTEM_LABELS = {
    "uai": "code UAI (sept chiffres et une lettre de contrôle)",
    "siren": "numéro SIREN (clé de Luhn)",
    "siret": "numéro SIRET (clé de contrôle, règle de La Poste comprise, et SIREN valide)",
    "orcid": "identifiant ORCID (caractère de contrôle)",
    "ror": "identifiant ROR",
    "rnsr": "identifiant RNSR",
    "idref": "identifiant IdRef",
    "paysage": "identifiant Paysage",
    "rncp": "code RNCP",
    "rna": "numéro RNA",
    "code_commune": "code officiel géographique de commune (Insee)",
    "code_departement": "code officiel géographique de département (Insee)",
    "code_region": "code officiel géographique de région (Insee)",
    "code_academie": "code d'académie",
    "ecole_doctorale": "numéro d'école doctorale",
    "diplome_sise": "code de diplôme SISE",
    "nsf": "code de la nomenclature des spécialités de formation (NSF)",
    "rome": "code ROME (répertoire des métiers)",
    "cite": "code CITE (classification internationale type de l'éducation)",
    "annee_universitaire": "année universitaire (deux années qui se suivent, AAAA-AAAA)",
}
"""A French label for every identifier system of ``extensions.CODE_SYSTEMS``."""

PERSONAL_DATA = "donnée à caractère personnel"
PERSON_COUNT = "soumis au secret statistique"
DEPRECATED_DEFAULT_REASON = "Ce champ sera retiré dans une version future."

DEFAULT_TRUE = "true"
DEFAULT_FALSE = "false"


def _plain(value: str) -> str:
    return value


# --------------------------------------------------------------------------- reading a field


def constraints(field: Mapping[str, Any]) -> dict[str, Any]:
    value = field.get("constraints")
    return value if isinstance(value, dict) else {}


def is_required(field: Mapping[str, Any]) -> bool:
    return constraints(field).get("required") is True


def enum_values(field: Mapping[str, Any]) -> list[Any]:
    """The enum's usable values, in order, without duplicates, nulls or empty texts."""
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


def true_false(field: Mapping[str, Any]) -> tuple[str, str]:
    """The first spelling of « vrai » and of « faux » (``true`` / ``false`` by default)."""
    trues = field.get("trueValues")
    falses = field.get("falseValues")
    true = str(trues[0]) if isinstance(trues, list) and trues else DEFAULT_TRUE
    false = str(falses[0]) if isinstance(falses, list) and falses else DEFAULT_FALSE
    return true, false


def is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --------------------------------------------------------------------------- labels


def french_number(value: object) -> str:
    """A number as a French reader writes it: ``12,5``, ``12`` (not ``12.0``)."""
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(value).replace(".", ",")
    return str(value)


def date_format_label(fmt: str) -> str:
    """A strftime pattern (``%d/%m/%Y``) as French placeholders (``JJ/MM/AAAA``)."""
    for token, label in DATE_TOKENS.items():
        fmt = fmt.replace(token, label)
    return fmt


def type_label(field: Mapping[str, Any]) -> str:
    """The field's type in plain French, with its format when it has one."""
    kind = field.get("type", "string")
    if kind is None:
        kind = "string"
    if not isinstance(kind, str) or kind not in TYPE_LABELS:
        return f"type « {kind} »"
    fmt = field.get("format") if isinstance(field.get("format"), str) else None
    if kind == "string" and fmt in STRING_FORMAT_LABELS:
        assert fmt is not None
        return f"{TYPE_LABELS['string']} ({STRING_FORMAT_LABELS[fmt]})"
    if kind in DATE_TYPE_BASES and fmt and fmt != "default":
        base = DATE_TYPE_BASES[kind]
        if fmt == "any":
            return f"{base} (format libre)"
        return f"{base} ({date_format_label(fmt.removeprefix('fmt:'))})"
    if kind == "geopoint" and fmt == "array":
        return "point géographique ([longitude, latitude])"
    if kind == "geopoint" and fmt == "object":
        return "point géographique ({« lon » : …, « lat » : …})"
    if kind == "boolean":
        true, false = true_false(field)
        return f"{TYPE_LABELS['boolean']} ({true} / {false})"
    return TYPE_LABELS[kind]


def type_noun(field: Mapping[str, Any]) -> str:
    """What a value of the field is, as a bare noun: « date », « adresse électronique »."""
    kind = field.get("type") or "string"
    fmt = field.get("format")
    if kind == "string" and isinstance(fmt, str) and fmt in STRING_FORMAT_LABELS:
        return STRING_FORMAT_LABELS[fmt]
    if isinstance(kind, str) and kind in TYPE_NOUNS:
        return TYPE_NOUNS[kind]
    return f"valeur de type « {kind} »"


def with_article(noun: str) -> str:
    """``noun`` with its indefinite article: « une date », « un nombre entier »."""
    feminine = noun in FEMININE_NOUNS or noun.startswith("valeur ")
    return ("une " if feminine else "un ") + noun


def code_system_label(system: str) -> str:
    return CODE_SYSTEM_LABELS.get(system, f"identifiant « {system} »")


def code_system_line(system: str) -> str:
    """What to type in a column checked by an identifier system."""
    label = code_system_label(system)
    return f"{label[0].upper()}{label[1:]} : saisir le code exact, zéros initiaux compris."


def deprecation_title(deprecated: Mapping[str, Any]) -> str:
    since = deprecated.get("since")
    return "Champ déprécié" + (f" depuis la version {since}" if since else "")


def deprecation_reason(deprecated: Mapping[str, Any]) -> str:
    reason = deprecated.get("reason")
    return (
        reason.strip() if isinstance(reason, str) and reason.strip() else DEPRECATED_DEFAULT_REASON
    )


def _characters(count: int | float) -> str:
    return f"{french_number(count)} caractère" + ("s" if count > 1 else "")


def constraint_lines(field: Mapping[str, Any], quote: Quote = _plain) -> list[str]:
    """Each constraint of the field (other than required and enum) in one French sentence."""
    cons = constraints(field)
    lines: list[str] = []
    low, high = cons.get("minLength"), cons.get("maxLength")
    if is_number(low) and is_number(high):
        if low == high:
            lines.append(f"Exactement {_characters(low)}.")
        else:
            lines.append(f"Entre {french_number(low)} et {_characters(high)}.")
    elif is_number(low):
        lines.append(f"Au moins {_characters(low)}.")
    elif is_number(high):
        lines.append(f"Au plus {_characters(high)}.")
    low, high = cons.get("minimum"), cons.get("maximum")
    if low is not None and high is not None:
        lines.append(
            f"Valeur comprise entre {quote(french_number(low))} et {quote(french_number(high))}."
        )
    elif low is not None:
        lines.append(f"Valeur minimale : {quote(french_number(low))}.")
    elif high is not None:
        lines.append(f"Valeur maximale : {quote(french_number(high))}.")
    if cons.get("exclusiveMinimum") is not None:
        lines.append(
            f"Valeur strictement supérieure à {quote(french_number(cons['exclusiveMinimum']))}."
        )
    if cons.get("exclusiveMaximum") is not None:
        lines.append(
            f"Valeur strictement inférieure à {quote(french_number(cons['exclusiveMaximum']))}."
        )
    pattern = cons.get("pattern")
    if isinstance(pattern, str) and pattern:
        lines.append(f"Doit respecter le motif (expression régulière) : {quote(pattern)}")
    if cons.get("unique") is True:
        lines.append("Chaque valeur doit être unique dans le fichier.")
    if "jsonSchema" in cons:
        lines.append("Structure JSON imposée (voir le fichier schema.json).")
    known = {
        "required",
        "enum",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "pattern",
        "unique",
        "jsonSchema",
    }
    for key, value in cons.items():
        if key not in known:
            lines.append(f"Contrainte {quote(str(key))} : {quote(french_number(value))}.")
    return lines


def format_lines(field: Mapping[str, Any], quote: Quote = _plain) -> list[str]:
    """How the field's values are spelled in the CSV file (separators, true/false words)."""
    lines: list[str] = []
    kind = field.get("type")
    if kind == "number":
        decimal = field.get("decimalChar")
        if isinstance(decimal, str) and decimal != ".":
            lines.append(f"Séparateur décimal : {quote(decimal)}.")
        group = field.get("groupChar")
        if isinstance(group, str):
            lines.append(f"Séparateur de milliers : {quote(group)}.")
    if kind == "boolean":
        for key, label in (("trueValues", "vrai"), ("falseValues", "faux")):
            values = field.get(key)
            if isinstance(values, list) and values:
                spelled = ", ".join(quote(str(v)) for v in values)
                lines.append(f"Valeurs acceptées pour « {label} » : {spelled}.")
    return lines
