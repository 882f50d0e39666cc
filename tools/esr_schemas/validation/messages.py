"""French messages and concrete fixes for each error."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from .. import wording
from .errors import ValidationError
from .types import field_format, wkt_problem

fr_int = wording.thousands


def _where(error: ValidationError) -> str:
    if error.row_number is not None and error.field_name:
        return f"Ligne {error.row_number}, colonne « {error.field_name} »"
    if error.row_number is not None:
        return f"Ligne {error.row_number}"
    if error.field_name:
        return f"En-tête, colonne « {error.field_name} »"
    return "En-tête"


def describe(
    error: ValidationError,
    fields_by_name: dict[str, Any],
    foreign: list[dict[str, Any]] | None = None,
) -> None:
    """Fill ``message`` and ``fix`` of an error."""
    field = fields_by_name.get(error.field_name or "", {})
    ftype = field.get("type", "string")
    fmt = field_format(field)
    cell = error.cell
    where = _where(error)
    kind = error.type
    message, fix = "", ""
    if kind == "type-error":
        expected = wording.with_article(wording.type_noun(field))
        message = f"{where} : « {cell} » n'est pas {expected} valide."
        fix = type_hint(field, cell or "")
        if error.note == "spreadsheet":
            message = (
                f"{where} : la cellule « {cell} » est saisie dans le classeur comme nombre, "
                f"date ou booléen, alors que la colonne attend {expected}."
            )
            fix = (
                "Mettez la colonne au format « Texte » puis ressaisissez la valeur (un code "
                "saisi comme nombre perd ses zéros initiaux)."
                if ftype == "string"
                else "Ressaisissez la valeur comme texte (ex. true ou false)."
            )
            restored = restore_zeros(cell or "", field) if ftype == "string" else None
            if restored:
                fix = lost_zero_fix(restored)
        elif error.note == "formula-error":
            message = (
                f"{where} : la cellule contient une erreur de formule Excel « {cell} » "
                "(calcul impossible, référence introuvable…), pas une valeur."
            )
            fix = (
                "Corrigez la formule de cette cellule dans le classeur, ou remplacez-la par la "
                "valeur attendue (laissez la cellule vide si la valeur est inconnue)."
            )
        error.note = f'type is "{ftype}/{fmt}"'
    elif kind == "constraint-error":
        message, fix = _constraint(error, field, where)
    elif kind == "missing-cell":
        message = f"{where} : la cellule manque (la ligne a moins de colonnes que l'en-tête)."
        fix = "Ajoutez les séparateurs manquants en fin de ligne (une cellule vide reste possible)."
    elif kind == "extra-cell":
        message = f"Ligne {error.row_number} : cellule en trop en position {error.field_number} (« {cell} »)."
        fix = "Supprimez la cellule en trop, ou entourez de guillemets la valeur qui contient le séparateur."
    elif kind == "blank-row":
        message = f"Ligne {error.row_number} : ligne vide."
        fix = "Supprimez cette ligne."
    elif kind == "unique-error":
        first = re.search(r"(\d+)$", error.note or "")
        message = f"{where} : la valeur « {cell} » est déjà présente" + (
            f" ligne {first.group(1)}." if first else "."
        )
        fix = "Chaque valeur de cette colonne doit être unique : supprimez le doublon ou corrigez la valeur."
    elif kind == "primary-key":
        if "None" in (error.note or ""):
            message = f"Ligne {error.row_number} : la clé primaire est vide."
            fix = "Renseignez la ou les colonnes de la clé primaire."
        else:
            first = re.search(r"(\d+)$", error.note or "")
            message = (
                f"Ligne {error.row_number} : la clé primaire (« {cell} ») est déjà utilisée"
                + (f" ligne {first.group(1)}." if first else ".")
            )
            fix = "Chaque ligne doit avoir une clé primaire différente : supprimez le doublon."
    elif kind == "foreign-key":
        message = f"{where} : « {cell} » ne figure pas dans la table de référence."
        fix = "Utilisez une valeur présente dans la table de référence (référentiel ou colonne visée)."
    elif kind == "extra-label":
        message = (
            f"En-tête : colonne « {cell} » (position {error.field_number}) inconnue du schéma."
        )
        fix = "Supprimez cette colonne ou renommez-la comme un champ du schéma."
    elif kind == "missing-label":
        message = f"En-tête : la colonne « {error.field_name} » du schéma est absente."
        fix = f"Ajoutez une colonne « {error.field_name} » (elle peut rester vide si elle n'est pas obligatoire)."
    elif kind == "blank-label":
        message = f"En-tête : la colonne {error.field_number} n'a pas de nom (attendu : « {error.field_name} »)."
        fix = f"Nommez-la « {error.field_name} »."
    elif kind == "duplicate-label":
        message = (
            f"En-tête : le nom de colonne « {cell} » est en double (position {error.field_number})."
        )
        fix = f"Renommez-la « {error.field_name} »."
    elif kind == "incorrect-label":
        message = f"En-tête : la colonne {error.field_number} s'appelle « {cell} » au lieu de « {error.field_name} »."
        fix = f"Renommez-la « {error.field_name} » (l'ordre des colonnes compte)."
    elif kind == "unmatched-header":
        message = "En-tête : aucune colonne ne correspond à un champ du schéma."
        fix = "Vérifiez que le fichier correspond bien à ce schéma."
    else:
        message = f"{where} : {kind}."
    error.message = message
    error.fix = error.fix or fix


def _constraint(error: ValidationError, field: dict[str, Any], where: str) -> tuple[str, str]:
    name = error.note
    constraints = field.get("constraints") or {}
    limit = constraints.get(name)
    cell = error.cell
    error.note = f'constraint "{name}" is "{limit}"'
    if name.startswith("arrayItem."):
        item = field.get("arrayItem") or {}
        inner = name.split(".", 1)[1]
        limit = (item.get("constraints") or {}).get(inner)
        error.note = f'constraint "{inner}" is "{limit}"'
        allowed = ", ".join(f"« {v} »" for v in limit) if isinstance(limit, list) else str(limit)
        fix = (
            f"Valeurs admises pour chaque élément : {allowed}."
            if inner == "enum"
            else f"Chaque élément doit respecter « {inner} » : {allowed}."
        )
        return (
            f"{where} : un élément de la liste « {cell} » ne respecte pas la contrainte « {inner} ».",
            fix,
        )
    if name == "required":
        return f"{where} : valeur obligatoire manquante.", "Renseignez cette cellule."
    if name == "enum":
        choices = [str(v) for v in limit or []]
        restored = restore_zeros(str(cell), field, choices)
        close = likely_match(str(cell), choices)
        shown = ", ".join(f"« {v} »" for v in choices[:12]) + (" …" if len(choices) > 12 else "")
        if restored:
            fix = lost_zero_fix(restored)
        elif close:
            fix = f"Remplacez par « {close} » ?"
        else:
            fix = f"Valeurs admises : {shown}."
        return f"{where} : « {cell} » ne fait pas partie des valeurs admises.", fix
    if name == "pattern":
        restored = restore_zeros(str(cell), field)
        if restored:
            return f"{where} : « {cell} » n'a pas la forme attendue.", lost_zero_fix(restored)
        described = wording.pattern_help(field)
        example = field.get("example")
        if described:
            fix = f"Forme attendue : {described}."
        elif example is not None:
            fix = f"Écrivez la valeur sous la même forme que l'exemple « {example} »."
        else:
            fix = "Vérifiez la valeur : sa forme ne correspond pas à celle de la colonne."
        return f"{where} : « {cell} » n'a pas la forme attendue.", fix
    if name == "minLength":
        return (
            f"{where} : « {cell} » est trop court ({len(cell or '')} caractères, minimum {limit}).",
            "Complétez la valeur.",
        )
    if name == "maxLength":
        return (
            f"{where} : « {cell} » est trop long ({len(cell or '')} caractères, maximum {limit}).",
            f"Raccourcissez à {limit} caractères au plus.",
        )
    labels = {
        "minimum": f"inférieur au minimum {limit}",
        "maximum": f"supérieur au maximum {limit}",
        "exclusiveMinimum": f"doit être strictement supérieur à {limit}",
        "exclusiveMaximum": f"doit être strictement inférieur à {limit}",
    }
    if name in labels:
        return (
            f"{where} : « {cell} » : {labels[name]}.",
            "Vérifiez la valeur (unité, saisie, décimales).",
        )
    return f"{where} : contrainte « {name} » non respectée.", ""


_FR_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")
_YMD_SLASH = re.compile(r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})\s*$")


def type_hint(field: dict[str, Any], cell: str) -> str:
    """A concrete correction for a type error, when one can be guessed."""
    ftype = field.get("type", "string")
    fmt = field_format(field)
    if ftype == "date":
        iso = _guess_date(cell)
        if fmt in ("default", "%Y-%m-%d"):
            return (
                f"Écrivez « {iso} » (format {wording.TYPE_SPELLINGS['date']})."
                if iso
                else f"Format attendu : {wording.TYPE_SPELLINGS['date']} (ex. 2024-03-12)."
            )
        if iso and fmt not in ("any",):
            try:
                return f"Écrivez « {dt.date.fromisoformat(iso).strftime(fmt)} »."
            except ValueError:
                pass
        return f"Format attendu : {wording.date_format_label(str(fmt).removeprefix('fmt:'))}."
    if ftype == "datetime":
        return f"Format attendu : {wording.TYPE_SPELLINGS['datetime']} (ex. 2024-03-12T14:30:00)."
    if ftype == "time":
        return f"Format attendu : {wording.TYPE_SPELLINGS['time']} (ex. 14:30:00)."
    if ftype == "year":
        return "Écrivez l'année sur 4 chiffres (ex. 2024)."
    if ftype == "yearmonth":
        return f"Format attendu : {wording.TYPE_SPELLINGS['yearmonth']} (ex. 2024-03)."
    if ftype in ("integer", "number"):
        compact = cell.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        dec = field.get("decimalChar", ".")
        if ftype == "number" and dec == "." and re.fullmatch(r"-?\d+,\d+", compact):
            return f"Écrivez « {compact.replace(',', '.')} » (le séparateur décimal est le point)."
        if ftype == "integer" and re.fullmatch(r"-?\d+[,.]0+", compact):
            return f"Écrivez « {re.split(r'[,.]', compact)[0]} » (nombre entier, sans décimales)."
        if compact != cell and re.fullmatch(r"-?\d+([.,]\d+)?", compact):
            return f"Écrivez « {compact} » (sans espace ni séparateur de milliers)."
        return "Écrivez un nombre en chiffres, sans unité ni texte" + (
            " (ex. 12)." if ftype == "integer" else " (ex. 12.5)."
        )
    if ftype == "boolean":
        true, false = wording.true_false(field)
        meant = wording.boolean_meaning(cell)
        if meant is not None:
            return f"Écrivez « {true if meant else false} » (ce schéma écrit vrai « {true} » et faux « {false} »)."
        return f"Valeurs admises : « {true} » (vrai) ou « {false} » (faux)."
    if ftype == "string" and fmt == "email":
        return "Écrivez une adresse complète, sans espace (ex. contact@univ-exemple.fr)."
    if ftype == "string" and fmt == "uri":
        return "Écrivez l'adresse complète avec son protocole (ex. https://www.exemple.fr)."
    if ftype == "geopoint":
        return "Format attendu : « longitude,latitude » (ex. 2.3488,48.8534)."
    if ftype == "string" and fmt == "uuid":
        return "Format attendu : 8-4-4-4-12 caractères hexadécimaux (ex. 123e4567-e89b-12d3-a456-426614174000)."
    if ftype == "string" and fmt == "wkt":
        reason = wkt_problem(cell) or "la géométrie n'est pas lisible"
        return (
            f"En WKT, {reason} ; exemples : « POINT (2.35 48.85) », "
            "« POLYGON ((0 0, 1 0, 1 1, 0 0)) »."
        )
    if ftype == "string" and fmt == "binary":
        return "Écrivez le contenu encodé en base64 (ex. aGVsbG8=)."
    if ftype == "duration":
        return "Format ISO 8601 attendu (ex. P1Y2M pour 1 an 2 mois, PT3H pour 3 heures)."
    if ftype in ("object", "array", "geojson"):
        return "Écrivez un JSON valide (guillemets doubles autour des textes)."
    return "Corrigez la valeur pour qu'elle respecte le type de la colonne décrit dans le schéma."


def _guess_date(cell: str) -> str | None:
    for regex, order in ((_FR_DATE, "dmy"), (_YMD_SLASH, "ymd")):
        match = regex.match(cell)
        if match:
            parts = dict(zip(order, match.groups(), strict=True))
            try:
                return dt.date(int(parts["y"]), int(parts["m"]), int(parts["d"])).isoformat()
            except ValueError:
                return None
    if re.fullmatch(r"\d{5}", cell.strip()):  # an Excel serial date
        try:
            return (dt.date(1899, 12, 30) + dt.timedelta(days=int(cell))).isoformat()
        except OverflowError:
            return None
    return None


def lost_zero_fix(restored: str) -> str:
    zeros = len(restored) - len(restored.lstrip("0"))
    what = "le zéro initial a disparu" if zeros == 1 else "les zéros initiaux ont disparu"
    return f"{what[0].upper()}{what[1:]} : écrivez « {restored} » (mettez la colonne au format Texte dans le tableur)."


def restore_zeros(cell: str, field: dict[str, Any], choices: list[str] | None = None) -> str | None:
    """``cell`` with the leading zeros a spreadsheet dropped put back, when that makes it
    right: a value of ``choices`` (an enum, a référentiel), else one the pattern accepts."""
    if not cell.isdigit() or len(cell) > 20:
        return None
    if choices is not None:
        for width in range(len(cell) + 1, len(cell) + 4):
            padded = cell.zfill(width)
            if padded in choices:
                return padded
        return None
    pattern = (field.get("constraints") or {}).get("pattern")
    if not isinstance(pattern, str):
        return None
    for width in range(len(cell) + 1, len(cell) + 4):
        padded = cell.zfill(width)
        if wording.matches_whole(pattern, padded):
            return padded
    return None


def _folded(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def likely_match(cell: str, choices: list[str]) -> str | None:
    """The allowed value ``cell`` was most likely meant to be, or None.

    The same value but for case, accents, spaces or punctuation; else, for words of
    four characters or more, a close spelling. A short code is never matched to another
    code that merely shares a digit (« 1 » is not « 71 »).
    """
    folded = _folded(cell)
    if not folded:
        return None
    same = [c for c in choices if _folded(c) == folded]
    if len(same) == 1:
        return same[0]
    if len(folded) < 4 or folded.isdigit():
        return None
    by_fold = {_folded(c): c for c in choices if len(_folded(c)) >= 4}
    close = difflib.get_close_matches(folded, list(by_fold), n=2, cutoff=0.8)
    return by_fold[close[0]] if close else None


def code_list_fix(value: str, codes: list[str], list_name: str, page: str) -> str:
    """The fix of a value missing from a référentiel: its lost zeros, or where to look."""
    restored = restore_zeros(value, {}, codes)
    if restored:
        return lost_zero_fix(restored)
    return f"Choisissez un code de la liste « {list_name} » ({page})."


LOST_ZERO_MARK = "zéro"
WIDE_WARNING_MIN = 3


def lost_zero_notices(errors: list[ValidationError]) -> list[str]:
    """One warning per column where a spreadsheet visibly dropped leading zeros."""
    counts: dict[str, int] = {}
    for error in errors:
        if error.field_name and error.fix.startswith(("Le zéro initial", "Les zéros initiaux")):
            counts[error.field_name] = counts.get(error.field_name, 0) + 1
    return [
        f"Colonne « {name} » : {fr_int(count)} valeurs ont perdu leurs zéros initiaux (un "
        "tableur les a prises pour des nombres). Dans le tableur, mettez toute la colonne au "
        "format Texte et ressaisissez les codes, ou rouvrez le CSV en indiquant que cette "
        "colonne est du texte."
        for name, count in counts.items()
        if count >= WIDE_WARNING_MIN
    ]
