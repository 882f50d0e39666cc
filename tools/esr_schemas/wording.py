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

LABEL_SEPARATOR = " — "
"""Between a code and its label in a dropdown (« 10 — Formation initiale… »)."""
YES_NO = ("oui", "non")
"""The words a template's boolean dropdown offers; ``export`` writes the schema's spelling."""
_TRUE_WORDS = {"vrai", "oui", "o", "true", "t", "yes", "y", "1", "x", "v"}
_FALSE_WORDS = {"faux", "non", "n", "false", "f", "no", "0"}


def boolean_meaning(cell: str) -> bool | None:
    """What a French spreadsheet user meant by ``VRAI``, ``Oui``, ``non``... (None: unclear)."""
    word = cell.strip().casefold()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


def labelled(code: object, label: str) -> str:
    """« 10 — Formation initiale hors apprentissage »: a code with its label, or the code."""
    return f"{code}{LABEL_SEPARATOR}{label}" if label else str(code)


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


def thousands(value: int) -> str:
    """1243 -> '1 243' (a narrow no-break space between thousands)."""
    return f"{value:,}".replace(",", "\u202f")


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
        described = pattern_help(field)
        size = cons.get("minLength")
        said = (
            f"{_characters(size)} : " if is_number(size) and size == cons.get("maxLength") else None
        )
        if described and said and described.startswith(said):
            described = described[len(said) :]
        if described:
            lines.append(f"Forme attendue : {described}.")
        elif field.get("example") is not None:
            lines.append(f"Forme imposée : écrivez comme l'exemple {quote(str(field['example']))}.")
        else:
            lines.append("Forme imposée : voir le fichier schema.json.")
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


# --------------------------------------------------------------------------- patterns in words

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 avec BOM",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
}


def encoding_label(codec: str | None) -> str:
    """An encoding by the name people see in their software (UTF-8, Windows-1252)."""
    if not codec:
        return "inconnu"
    return ENCODING_LABELS.get(codec.lower(), codec.upper())


_DIGITS = frozenset("0123456789")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_CHAR_NAMES = {
    "-": ("tiret", "tirets"),
    "_": ("trait de soulignement", "traits de soulignement"),
    ".": ("point", "points"),
    " ": ("espace", "espaces"),
    "/": ("barre oblique", "barres obliques"),
}
_MAX_LISTED = 15


class _Unsupported(Exception):
    """A construct the describer does not put into words: no description at all."""


def pattern_help(field: Mapping[str, Any]) -> str | None:
    """The field's pattern in plain French, with an example: the schema's own wording
    (``x-esr.patternHelp``) when it gives one, else generated from the pattern.

    None when the field has no pattern, or one too intricate to describe (then say
    what to write from the example instead; never show the pattern itself).
    """
    ext = field.get("x-esr")
    custom = ext.get("patternHelp") if isinstance(ext, dict) else None
    if isinstance(custom, str) and custom.strip():
        return custom.strip()
    pattern = constraints(field).get("pattern")
    if not isinstance(pattern, str) or not pattern:
        return None
    text = describe_pattern(pattern)
    if text is None:
        return None
    example = field.get("example")
    if example is not None and matches_whole(pattern, str(example)):
        text += f", par exemple {example}"
    return text


def matches_whole(pattern: str, value: str) -> bool:
    """Whether the short ``value`` matches ``pattern`` whole (False for a broken pattern)."""
    import re
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(value) <= 200 and re.fullmatch(pattern, value) is not None
    except re.error:
        return False


def describe_pattern(pattern: str) -> str | None:
    """« 5 caractères : 2 chiffres (ou 2A, 2B) puis 3 chiffres » for
    ``^(?:[0-9]{2}|2A|2B)[0-9]{3}$``; None for what it cannot say simply."""
    import warnings

    try:
        from re import _parser  # type: ignore[attr-defined]

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = _parser.parse(pattern)
        tree = list(parsed)
        low, high = parsed.getwidth()
    except Exception:
        return None
    while tree and _is_anchor(tree[0]):
        tree = tree[1:]
    while tree and _is_anchor(tree[-1]):
        tree = tree[:-1]
    try:
        parts = _sequence(tree)
    except Exception:  # _Unsupported, or a construct the parser shapes unexpectedly
        return None
    if not parts:
        return None
    text = _join(parts)
    if low == high and len(parts) > 1:
        text = f"{_characters(low)} : {text}"
    return text


def _is_anchor(item: Any) -> bool:
    from re import _constants  # type: ignore[attr-defined]

    return item[0] is _constants.AT


def _join(parts: list[str]) -> str:
    if not parts:
        return "rien"
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " puis " + parts[-1]


def _sequence(items: list[Any]) -> list[str]:
    from re import _constants as c  # type: ignore[attr-defined]

    parts: list[str] = []
    literal = ""
    for op, av in items:
        if op is c.LITERAL:
            literal += chr(av)
            continue
        if literal:
            parts.append(_literal(literal))
            literal = ""
        if op is c.IN:
            parts.append(_count(1, 1, _class_nouns(av)))
        elif op is c.MAX_REPEAT or op is c.MIN_REPEAT:
            low, high, sub = av
            sub = list(sub)
            if len(sub) == 1 and sub[0][0] is c.IN:
                parts.append(_count(low, high, _class_nouns(sub[0][1])))
            elif len(sub) == 1 and sub[0][0] is c.LITERAL:
                parts.append(_count(low, high, _char_nouns(chr(sub[0][1]))))
            elif (low, high) == (0, 1):
                parts.append("éventuellement " + _join(_sequence(sub)))
            else:
                raise _Unsupported
        elif op is c.SUBPATTERN:
            parts.append(_join(_sequence(list(av[-1]))))
        elif op is c.BRANCH:
            parts.append(_branch([list(b) for b in av[1]]))
        else:
            raise _Unsupported
    if literal:
        parts.append(_literal(literal))
    return parts


def _literal(text: str) -> str:
    if len(text) == 1 and text in _CHAR_NAMES:
        noun = _CHAR_NAMES[text][0]
        return ("une " if noun in {"espace", "barre oblique"} else "un ") + noun
    return f"« {text} »"


def _branch(branches: list[list[Any]]) -> str:
    words = [_finite(b) for b in branches]
    if all(w is not None for w in words):
        values = sorted({v for w in words if w is not None for v in w}, key=_natural)
        if len(values) <= _MAX_LISTED:
            if all(v.isdigit() and (v == "0" or not v.startswith("0")) for v in values):
                numbers = [int(v) for v in values]
                if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
                    return f"un nombre de {numbers[0]} à {numbers[-1]}"
            ordered = [v or "rien" for w in words if w is not None for v in w]
            return _or_list(list(dict.fromkeys(ordered)))
    described = [_join(_sequence(b)) for b in branches]
    literal = [w[0] for w in words if w is not None and len(w) == 1]
    others = [d for d, w in zip(described, words, strict=True) if w is None or len(w) != 1]
    if len(others) == 1 and literal:
        return f"{others[0]} (ou {', '.join(literal)})"
    if any(" puis " in d or ", " in d for d in described):
        return ", ".join(f"soit {d}" for d in described)
    return _or_list(described)


def _natural(value: str) -> tuple[int, str]:
    return (int(value), value) if value.isdigit() else (10**9, value)


def _or_list(values: list[str]) -> str:
    if len(values) == 1:
        return values[0]
    return ", ".join(values[:-1]) + " ou " + values[-1]


def _finite(items: list[Any]) -> list[str] | None:
    """Every string a small finite piece of pattern accepts (None: too many, or infinite)."""
    from re import _constants as c  # type: ignore[attr-defined]

    results = [""]
    for op, av in items:
        if op is c.LITERAL:
            options = [chr(av)]
        elif op is c.IN:
            chars = _class_chars(av)
            if len(chars) > _MAX_LISTED:
                return None
            options = sorted(chars)
        elif op is c.SUBPATTERN:
            inner = _finite(list(av[-1]))
            if inner is None:
                return None
            options = inner
        elif op is c.BRANCH:
            options = []
            for branch in av[1]:
                inner = _finite(list(branch))
                if inner is None:
                    return None
                options += inner
        else:
            return None
        results = [r + o for r in results for o in options]
        if len(results) > _MAX_LISTED:
            return None
    return results


def _class_chars(items: list[Any]) -> set[str]:
    from re import _constants as c  # type: ignore[attr-defined]

    chars: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE:
            if av[1] - av[0] > 400:
                raise _Unsupported
            chars |= {chr(i) for i in range(av[0], av[1] + 1)}
        elif op is c.CATEGORY and av is c.CATEGORY_DIGIT:
            chars |= _DIGITS
        else:  # negation, \w, \s...: not said simply
            raise _Unsupported
    return chars


def _class_nouns(items: list[Any]) -> tuple[str, str]:
    return _set_nouns(_class_chars(items))


def _char_nouns(char: str) -> tuple[str, str]:
    if char in _CHAR_NAMES:
        return _CHAR_NAMES[char]
    return f"« {char} »", f"« {char} »"


def _set_nouns(chars: set[str]) -> tuple[str, str]:
    """(singular, plural) nouns of a character set: « chiffre », « lettres majuscules »."""
    singular: list[str] = []
    plural: list[str] = []
    rest = set(chars)

    def take(group: frozenset[str], one: str, many: str) -> None:
        present = rest & group
        if not present:
            return
        missing = sorted(group - present)
        if present == group or len(missing) <= 6 and len(present) > 6:
            suffix = f" (sauf {', '.join(missing)})" if missing else ""
            singular.append(one + suffix)
            plural.append(many + suffix)
        elif group is _DIGITS and len(present) > 1 and _contiguous(present):
            low, high = min(present), max(present)
            singular.append(f"chiffre de {low} à {high}")
            plural.append(f"chiffres de {low} à {high}")
        else:
            singular.extend(sorted(present))
            plural.extend(sorted(present))
        rest.difference_update(present)

    if rest >= _UPPER and rest >= _LOWER:
        take(_DIGITS, "chiffre", "chiffres")
        singular.append("lettre")
        plural.append("lettres")
        rest.difference_update(_UPPER | _LOWER)
    else:
        take(_DIGITS, "chiffre", "chiffres")
        take(_UPPER, "lettre majuscule", "lettres majuscules")
        take(_LOWER, "lettre minuscule", "lettres minuscules")
    for char in sorted(rest):
        one, many = _char_nouns(char)
        singular.append(one)
        plural.append(many)
    return _or_list(singular), _or_list(plural)


def _contiguous(chars: set[str]) -> bool:
    codes = sorted(ord(ch) for ch in chars)
    return codes == list(range(codes[0], codes[-1] + 1))


def _count(low: int, high: int, nouns: tuple[str, str]) -> str:
    from re import _constants as c  # type: ignore[attr-defined]

    one, many = nouns
    if high is c.MAXREPEAT or high == c.MAXREPEAT:
        if low == 0:
            return f"des {many} (ou rien)"
        if low == 1:
            return f"un ou plusieurs {many}"
        return f"au moins {low} {many}"
    if low == high:
        return f"{low} {one if low == 1 else many}"
    if (low, high) == (0, 1):
        return f"éventuellement 1 {one}"
    return f"de {low} à {high} {many}"
