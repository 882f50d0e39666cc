"""Builds the Excel template of one schema version (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from tableschema_to_template import create_xlsx

from ..extensions import code_list, is_person_count, secret_threshold
from ..validation.types import missing_value_labels
from ..wording import (
    YES_NO,
    boolean_meaning,
    constraints,
    enum_values,
    french_number,
    is_number,
    is_required,
    labelled,
    pattern_help,
    true_false,
    type_label,
)
from . import rules
from .cells import delimiter, is_text_column, missing_values, read_csv, to_cell
from .fields import field_example, field_title, field_type, notice_lines, text, text_lengths
from .names import DATA_SHEET, MARKER_SCHEMA, MARKER_VERSION
from .source import TemplateSource, complete_referentiels, field_name

NOTICE_SHEET = "Notice"
EXAMPLE_SHEET = "Exemple"
LIST_SHEET_PREFIX = "liste_"
LAST_ROW = 1048576
"""Validations and formats cover the whole column below the header."""
NOTICE_WIDTHS = (9, 28, 30, 60, 26, 12, 50, 20)
"""Column widths of the Notice sheet, in characters."""
LINE_HEIGHT = 15.0
"""Height in points of one line of 11-point text."""


def wrapped_lines(value: str, width: float) -> int:
    """How many lines ``value`` takes in a cell ``width`` characters wide, wrapped."""
    usable = max(1.0, width * 0.9)  # margins, and proportional letters wider than a digit
    return sum(max(1, -(-len(part) // int(usable))) for part in str(value).split("\n"))


NOTICE_TABLE_HEADER = (
    "Colonne",
    "Nom du champ",
    "Titre",
    "Description",
    "Type",
    "Obligatoire",
    "Valeurs autorisées et contraintes",
    "Exemple",
)
FIXED_TIME = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
MISSING_FILL = PatternFill(bgColor="FFC7CE")
NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": 'yyyy-mm-dd"T"hh:mm:ss',
    "time": "hh:mm:ss",
    "integer": "0",
    "year": "0",
}
EXCEL_MIN_DATE = dt.date(1900, 1, 1)
EXCEL_MAX_DATE = dt.date(9999, 12, 31)
TITLE_MAX = 32  # Excel refuses longer validation titles
MESSAGE_MAX = 255  # ... and longer validation messages
DROPDOWN_CODES_MAX = 2000  # a longer list (48,401 SISE diplomas) is unusable and bloats the file


@dataclass
class Column:
    index: int
    name: str
    field: dict[str, Any]
    codes: list[tuple[str, str]] = dc_field(default_factory=list)
    """(code, libellé) of the référentiel named by ``x-esr.codeList``, when shipped."""
    notes: list[str] = dc_field(default_factory=list)
    """What the registry knows about the column beyond its descriptor (référentiel size...)."""
    secret: int | None = None
    """Statistical-secrecy threshold of a person count: 1 to secret-1 cannot be published."""

    def constraint_lines(self, limit: int | None = None) -> list[str]:
        return notice_lines(self.field, limit) + self.notes

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)

    @property
    def kind(self) -> str:
        return field_type(self.field)

    @property
    def title(self) -> str:
        return field_title(self.field, self.name)

    @property
    def required(self) -> bool:
        return is_required(self.field)

    @property
    def list_values(self) -> list[Any]:
        """Values of the dropdown: the enum or the référentiel's codes, each with its label
        when the référentiel gives one (« 10 — Formation initiale… »), or « oui » / « non »
        for a boolean. ``export`` writes the code, or the schema's spelling of the boolean."""
        labels = dict(self.codes)
        values = enum_values(self.field)
        if values:
            return [labelled(v, labels.get(str(v), "")) if labels else v for v in values]
        if self.kind == "boolean":
            return list(YES_NO)
        return [labelled(code, label) for code, label in self.codes]

    def shown(self, value: Any) -> Any:
        """``value`` as the dropdown offers it (the Exemple sheet copies into Données)."""
        if value is None or not self.list_values:
            return value
        if self.kind == "boolean":
            meant = boolean_meaning(str(value)) if not isinstance(value, bool) else value
            return value if meant is None else YES_NO[0 if meant else 1]
        label = dict(self.codes).get(str(value), "")
        return labelled(value, label) if label else value


def clean(value: str) -> str:
    """Text openpyxl can store (control characters removed)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def put(cell: Any, value: Any) -> None:
    """Writes a value; a text starting with ``=`` stays text, never a formula."""
    if isinstance(value, str):
        value = clean(value)
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value


def _short(value: str, limit: int) -> str:
    value = clean(value).strip()
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


# -- 1. the part tableschema-to-template builds ---------------------------------------


def t2t_schema(columns: list[Column]) -> dict[str, Any]:
    """A schema tableschema-to-template cannot crash on.

    Placeholder names (``c1``, ``c2``...) avoid its invalid or duplicate sheet names;
    every field gets a description; enum values are texts (it joins them as strings);
    only numeric bounds are passed on.
    """
    fields: list[dict[str, Any]] = []
    for column in columns:
        cleaned: dict[str, Any] = {
            "name": f"c{column.index + 1}",
            "description": "-",
            "type": "string",
        }
        values = column.list_values
        cons = constraints(column.field)
        if values:
            # placeholders: its error message joins short lists, and Excel refuses a message
            # past 255 characters; _list_sheet writes the real values
            cleaned["constraints"] = {"enum": [f"v{i}" for i in range(len(values))]}
        elif column.kind in ("integer", "year"):
            cleaned["type"] = "integer"
            low, high = cons.get("minimum"), cons.get("maximum")
            bounds: dict[str, Any] = {}
            if isinstance(low, int) and not isinstance(low, bool):
                bounds["minimum"] = low
            elif column.kind == "year":
                bounds["minimum"] = 1000
            if isinstance(high, int) and not isinstance(high, bool):
                bounds["maximum"] = high
            elif column.kind == "year":
                bounds["maximum"] = 9999
            if bounds:
                cleaned["constraints"] = bounds
        elif column.kind == "number":
            cleaned["type"] = "number"
            bounds = {k: cons[k] for k in ("minimum", "maximum") if is_number(cons.get(k))}
            if bounds:
                cleaned["constraints"] = bounds
        fields.append(cleaned)
    return {"fields": fields}


def t2t_workbook(columns: list[Column]) -> Workbook:
    buffer = io.BytesIO()
    create_xlsx(t2t_schema(columns), buffer, sheet_name=DATA_SHEET, idempotent=True)
    return load_workbook(io.BytesIO(buffer.getvalue()))


# -- 2. our post-processing ---------------------------------------------------------------


def _bounds_text(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f" entre {french_number(low)} et {french_number(high)}"
    if low is not None:
        return f" supérieur ou égal à {french_number(low)}"
    if high is not None:
        return f" inférieur ou égal à {french_number(high)}"
    return ""


def _iso_date(value: Any, default: dt.date) -> dt.date:
    if isinstance(value, str):
        try:
            parsed = dt.date.fromisoformat(value[:10])
        except ValueError:
            return default
        return min(max(parsed, EXCEL_MIN_DATE), EXCEL_MAX_DATE)
    return default


def _missing_value_rows(descriptor: dict[str, Any]) -> list[tuple[str]]:
    """The Notice line naming the schema's special missing values and, for Table Schema
    v2 ones, the reason their label gives."""
    entries = descriptor.get("missingValues")
    labels = missing_value_labels(entries)
    special = [v for v in missing_values(descriptor) if v != ""]
    if not special:
        return []
    shown = "; ".join(f"« {v} »" + (f" ({labels[v]})" if v in labels else "") for v in special)
    return [(f"10. Une donnée absente peut aussi s'écrire : {shown}.",)]


def _error(column: Column, *, short: bool = False) -> str:
    """The French alert shown when a typed value breaks the column's rule (``short``:
    the wording that leaves room for the business rules the formula adds)."""
    cons = constraints(column.field)
    kind = column.kind
    if short and column.secret is not None and kind == "integer" and not column.list_values:
        return (
            f"Nombre entier : 0, ou au moins {column.secret} (secret statistique : de 1 à "
            f"{column.secret - 1}, laissez vide)."
        )
    if column.list_values:
        return "Valeur non autorisée : choisissez une valeur de la liste déroulante (voir la feuille Notice)."
    if kind == "year":
        return "Saisissez une année sur quatre chiffres, par exemple 2024."
    if column.secret is not None and kind == "integer":
        floor = f" (au plus {cons['maximum']})" if is_number(cons.get("maximum")) else ""
        return (
            f"Saisissez un nombre entier : 0, ou au moins {column.secret}{floor}. Secret "
            f"statistique : un effectif de 1 à {column.secret - 1} ne se publie pas, laissez la "
            "cellule vide."
        )
    if kind == "integer":
        return (
            f"Saisissez un nombre entier{_bounds_text(cons.get('minimum'), cons.get('maximum'))}."
        )
    if kind == "number":
        return f"Saisissez un nombre{_bounds_text(cons.get('minimum'), cons.get('maximum'))}."
    if kind == "date":
        return "Saisissez une date valide au format AAAA-MM-JJ, par exemple 2024-09-01."
    if kind == "datetime":
        return "Saisissez une date et une heure valides, par exemple 2024-09-01 08:30:00."
    if kind == "time":
        return "Saisissez une heure valide, par exemple 08:30:00."
    lengths = text_lengths(column.field)
    if lengths is not None:
        low, high = lengths
        if low == high:
            size = f"exactement {low} caractère{'s' if low > 1 else ''}"
        elif high is None:
            size = f"au moins {low} caractère{'s' if low > 1 else ''}"
        else:
            size = f"entre {low} et {high} caractères"
        described = pattern_help(column.field)
        if described:
            return f"Forme attendue : {described}."
        return f"La valeur doit comporter {size}."
    return "Valeur invalide pour cette colonne (voir la feuille Notice)."


def _prompt(column: Column) -> str:
    parts = [
        ("Obligatoire. " if column.required else "Facultatif. ") + type_label(column.field) + "."
    ]
    parts += column.constraint_lines(limit=8)
    example = field_example(column.field)
    if example:
        parts.append(f"Exemple : {example}")
    return _short(" ".join(parts), MESSAGE_MAX)


OPERATORS = {
    "equal": "{x}={a}",
    "notEqual": "{x}<>{a}",
    "greaterThan": "{x}>{a}",
    "lessThan": "{x}<{a}",
    "greaterThanOrEqual": "{x}>={a}",
    "lessThanOrEqual": "{x}<={a}",
    "between": "{x}>={a},{x}<={b}",
    "notBetween": "OR({x}<{a},{x}>{b})",
}


def own_formula(dv: DataValidation, cell: str) -> str | None:
    """The column's own check as a custom formula on ``cell`` ("" when it checks nothing;
    None for a dropdown, which no formula can replace)."""
    if dv.type is None:
        return ""
    if dv.type == "custom":
        return str(dv.formula1)
    if dv.type == "list":
        return None
    subject = f"LEN({cell})" if dv.type == "textLength" else cell
    bounds = OPERATORS[dv.operator or "between"].format(x=subject, a=dv.formula1, b=dv.formula2)
    parts = [] if dv.type == "textLength" else [f"ISNUMBER({cell})"]
    if dv.type == "whole":
        parts.append(f"{cell}=INT({cell})")
    return f"AND({','.join([*parts, bounds])})"


def _compose(
    column: Column,
    dv: DataValidation,
    refusals: list[rules.Refusal],
    outcome: rules.Outcome,
) -> DataValidation:
    """One custom validation: the column's own check AND each rule that still fits in
    Excel's 255 characters (formula and alert); the others stay highlighted only."""
    own = own_formula(dv, f"{column.letter}2")
    if own is None or not refusals:
        return dv
    parts = [own] if own else []
    own_error = _error(column) if own else ""
    sentences: list[str] = []
    for refusal in refusals:
        candidate = [*parts, refusal.formula]
        formula = candidate[0] if len(candidate) == 1 else f"AND({','.join(candidate)})"
        errors = [own_error, _error(column, short=True)] if own else [""]
        fitting = next(
            (
                e
                for e in errors
                if not rules.too_long(
                    formula, rules.joined_alert(e, [*sentences, refusal.alert]), MESSAGE_MAX
                )
            ),
            None,
        )
        if fitting is None:
            outcome.too_long.add(id(refusal.rule))
            continue
        parts, own_error = candidate, fitting
        sentences.append(refusal.alert)
        outcome.refuse(refusal.rule, column.name)
    if not sentences:
        return dv
    composed = DataValidation(
        type="custom", formula1=parts[0] if len(parts) == 1 else f"AND({','.join(parts)})"
    )
    composed.error = rules.joined_alert(own_error, sentences)
    return composed


def _dependent_source(
    wb: Workbook,
    column: Column,
    dv: DataValidation,
    dependent: rules.DependentList,
    outcome: rules.Outcome,
) -> None:
    """Makes the dropdown offer what the conditions allow for the source column's value:
    each branch's entries on the column's hidden list sheet, a name for each, and a list
    source choosing between them (read by Excel and LibreOffice alike)."""
    sheet = wb[f"{LIST_SHEET_PREFIX}{column.letter}"]
    names = []
    for number, (_, entries) in enumerate(dependent.branches, start=1):
        col = 2 + number
        for row, value in enumerate(entries, start=1):
            cell = sheet.cell(row=row, column=col)
            put(cell, value if column.kind in ("integer", "number", "year") and is_number(value)
                else str(value))  # fmt: skip
            if isinstance(cell.value, str):
                cell.number_format = "@"
        name = f"{sheet.title}_{number}"
        letter = get_column_letter(col)
        wb.defined_names[name] = DefinedName(
            name, attr_text=f"{sheet.title}!${letter}$1:${letter}${len(entries)}"
        )
        names.append(name)
    formula = rules.list_source(dependent, names, str(dv.formula1))
    message = _short(dependent.alert, MESSAGE_MAX)
    if len(formula) > rules.FORMULA_MAX:
        for rule in dependent.rules:
            outcome.too_long.add(id(rule))
        return
    dv.formula1 = formula
    dv.error = message
    for rule in dependent.rules:
        outcome.refuse(rule, column.name)


def _validation(
    column: Column,
    kept: DataValidation | None,
    refusals: list[rules.Refusal] | None = None,
    outcome: rules.Outcome | None = None,
) -> DataValidation:
    cons = constraints(column.field)
    kind = column.kind
    if column.secret is not None and kind == "integer" and not column.list_values:
        cell = f"{column.letter}2"
        parts = [
            f"ISNUMBER({cell})",
            f"{cell}=INT({cell})",
            f"OR({cell}=0,{cell}>={column.secret})",
        ]
        if is_number(cons.get("minimum")):
            parts.append(f"{cell}>={cons['minimum']}")
        if is_number(cons.get("maximum")):
            parts.append(f"{cell}<={cons['maximum']}")
        dv = DataValidation(type="custom", formula1=f"AND({','.join(parts)})")
    elif kept is not None:
        dv = kept
    elif kind in ("date", "datetime"):
        low = _iso_date(cons.get("minimum"), EXCEL_MIN_DATE)
        high = _iso_date(cons.get("maximum"), EXCEL_MAX_DATE)
        upper = to_excel(high) + (1 if kind == "datetime" else 0)
        dv = DataValidation(
            type="date",
            operator="between",
            formula1=str(int(to_excel(low))),
            formula2=str(int(upper)),
        )
    elif kind == "time":
        dv = DataValidation(
            type="time", operator="between", formula1="0", formula2="0.999988425925926"
        )
    elif kind == "string" and (text_lengths(column.field) or column.required):
        shortest, longest = text_lengths(column.field) or (0, None)
        shortest = max(shortest, 1 if column.required else 0)
        dv = DataValidation(
            type="textLength",
            operator="between",
            formula1=str(shortest),
            formula2=str(32767 if longest is None else longest),
        )
    else:
        dv = DataValidation()  # no check Excel can make: the input message still helps
    composed = dv
    if refusals and outcome is not None:
        composed = _compose(column, dv, refusals, outcome)
    error = composed.error if composed is not dv else _error(column)
    dv = composed
    dv.sqref = f"{column.letter}2:{column.letter}{LAST_ROW}"
    # Blanks stay allowed even on required columns: unticking « ignore blank » stops
    # nobody from leaving a cell empty (a cell never typed into is never validated), and
    # it makes « Mark invalid data » circle every empty cell of the unused rows (measured
    # on LibreOffice 7.4: its 1000-circle maximum on an empty template), hiding the real
    # errors of pasted data. Required cells are highlighted instead (conditional format)
    # and ``export`` refuses them.
    dv.allow_blank = True
    dv.showInputMessage = True
    dv.showErrorMessage = dv.type is not None
    dv.errorStyle = "stop"
    dv.promptTitle = _title(column)
    dv.prompt = _prompt(column)
    refused = f"Valeur refusée : {column.name}"
    dv.errorTitle = (
        refused if len(refused) <= TITLE_MAX else f"Valeur refusée (colonne {column.letter})"
    )
    dv.error = _short(str(error), MESSAGE_MAX)
    return dv


def _title(column: Column) -> str:
    """The input message's title, whole (Excel cuts nothing, it refuses past 32 characters)."""
    for candidate in (column.title, column.name):
        if candidate and len(candidate) <= TITLE_MAX:
            return candidate
    return f"Colonne {column.letter}"


def _comment(column: Column) -> Comment:
    lines = [column.title, ""]
    description = text(column.field.get("description"))
    if description:
        lines += [description, ""]
    lines.append(
        ("OBLIGATOIRE" if column.required else "Facultatif") + " — " + type_label(column.field)
    )
    lines += column.constraint_lines(limit=15)
    example = field_example(column.field)
    if example:
        lines.append(f"Exemple : {example}")
    body = clean("\n".join(lines))
    height = min(600, 40 + 15 * (body.count("\n") + len(body) // 45))
    return Comment(body, "esr-schemas", height=height, width=320)


def targets_of(columns: list[Column]) -> dict[str, rules.Target]:
    """Each column as the business rules see it (letter, type, dropdown entries and codes)."""
    targets = {}
    for column in columns:
        entries = column.list_values
        if column.kind == "boolean" and entries:
            codes = list(true_false(column.field))
        elif enum_values(column.field):
            codes = [str(v) for v in enum_values(column.field)]
        else:
            codes = [code for code, _ in column.codes]
        targets[column.name] = rules.Target(
            column.name, column.letter, column.kind, tuple(entries), tuple(codes)
        )
    return targets


def _data_sheet(
    wb: Workbook, columns: list[Column], descriptor: dict[str, Any]
) -> tuple[list[Any], rules.Outcome]:
    """The data entry sheet; returns the schema's business rules and what became of each."""
    ws = wb[DATA_SHEET]
    targets = targets_of(columns)
    refusals, dependents, declared = rules.plan(descriptor, targets)
    outcome = rules.Outcome()
    kept: dict[str, DataValidation] = {}
    for dv in ws.data_validations.dataValidation:
        match = re.match(r"[A-Z]+", str(dv.sqref))
        if match:
            kept[match.group()] = dv
    ws.data_validations.dataValidation = []
    last_letter = columns[-1].letter
    for column in columns:
        letter = column.letter
        cell = ws.cell(row=1, column=column.index + 1)
        put(cell, column.name)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = _comment(column)
        dimension = ws.column_dimensions[letter]
        dimension.width = max(12, min(45, len(column.name) + 4))
        if is_text_column(column.field):
            dimension.number_format = "@"
        elif column.kind in NUMBER_FORMATS:
            dimension.number_format = NUMBER_FORMATS[column.kind]
        kept_dv = kept.get(letter)
        if kept_dv is not None and kept_dv.type is None:
            kept_dv = None  # its "any value" placeholder: we build our own validation
        if column.list_values and kept_dv is not None:
            _list_sheet(wb, column, kept_dv)
        dv = _validation(column, kept_dv, refusals.get(column.name), outcome)
        if column.secret is not None and dv.type == "custom":  # the threshold is its own check
            for rule in declared:
                if rule.kind == "secret-threshold" and rule.columns[0] == column.name:
                    outcome.refuse(rule, column.name)
        if dv.type == "list" and column.name in dependents:
            _dependent_source(wb, column, dv, dependents[column.name], outcome)
        ws.data_validations.append(dv)
        if column.required:
            ws.conditional_formatting.add(
                f"{letter}2:{letter}{LAST_ROW}",
                FormulaRule(
                    formula=[f"AND(COUNTA($A2:${last_letter}2)>0,LEN({letter}2)=0)"],
                    fill=MISSING_FILL,
                ),
            )
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 32
    ws.sheet_view.zoomScale = 100
    rules.add_highlights(ws, declared, targets, outcome)
    return declared, outcome


def _list_sheet(wb: Workbook, column: Column, dv: DataValidation) -> None:
    """Renames tableschema-to-template's list sheet, types its values and hides it."""
    sheet = wb[f"c{column.index + 1} list"]
    sheet.title = f"{LIST_SHEET_PREFIX}{column.letter}"
    for row, value in enumerate(column.list_values, start=1):
        cell = sheet.cell(row=row, column=1)
        put(
            cell,
            value
            if column.kind in ("integer", "number", "year") and is_number(value)
            else str(value),
        )
        if isinstance(cell.value, str):
            cell.number_format = "@"
    if column.codes and not enum_values(column.field):
        for row, (_, label) in enumerate(column.codes, start=1):
            put(sheet.cell(row=row, column=2), label)
    sheet.sheet_state = "hidden"
    dv.formula1 = f"'{sheet.title}'!$A$1:$A${len(column.list_values)}"


def _notice_sheet(
    wb: Workbook,
    source: TemplateSource,
    columns: list[Column],
    example_note: str,
    rule_rows: list[tuple[str, ...]],
) -> None:
    ws = wb.create_sheet(NOTICE_SHEET, 1)
    rows: list[tuple[str, ...]] = []
    description = text(source.descriptor.get("description"))
    version_line = f"Schéma « {source.name} », version {source.version}"
    if source.date:
        version_line += f", publiée le {source.date}"
    elif source.working_copy:
        version_line += " (version de travail, non publiée)"
    rows += [(f"Modèle de saisie : {source.title}",), (version_line + ".",)]
    if description:
        rows.append((description,))
    if source.page_url:
        rows.append((f"Schéma et documentation : {source.page_url}",))
    required_names = [c.name for c in columns if c.required]
    mark = delimiter(source.descriptor)
    separator = {",": "virgule", ";": "point-virgule", "\t": "tabulation"}.get(mark, f"« {mark} »")
    rows += [
        ("",),
        ("Comment remplir ce modèle",),
        (
            "1. Saisissez une ligne par enregistrement dans la feuille « Données », à partir de la ligne 2.",
        ),
        (
            "2. Ne modifiez pas la ligne d'en-tête : ni nom de colonne, ni ordre, ni colonne ajoutée.",
        ),
        (
            "3. Chaque en-tête porte un commentaire (titre, description, exemple) ; "
            "le détail de chaque colonne est dans le tableau ci-dessous.",
        ),
        (
            "4. Les en-têtes orangés sont des colonnes obligatoires "
            f"({len(required_names)} sur {len(columns)}) ; les en-têtes bleus sont facultatifs. "
            "Une cellule obligatoire laissée vide dans une ligne remplie s'affiche en rouge.",
        ),
        (
            "5. Pour les listes de valeurs, utilisez la liste déroulante de la cellule : chaque code "
            "y est suivi de son libellé, l'export n'écrit que le code ; pour oui / non, l'export "
            "écrit l'orthographe du schéma. Les codes (UAI, SIREN, codes de nomenclature…) sont "
            "en format texte : les zéros initiaux sont conservés.",
        ),
        (
            "6. Dates au format AAAA-MM-JJ (par exemple 2024-09-01). Nombres : tapez-les comme "
            "d'habitude dans le classeur ; l'export écrit le point décimal attendu. N'enregistrez "
            "pas vous-même le classeur en CSV : un tableur français y écrit « 12,5 », que la "
            "validation refuse.",
        ),
        (
            "7. Le tableur refuse une valeur saisie hors des règles, mais il ne contrôle ni les "
            "cellules laissées vides, ni les valeurs collées depuis un autre fichier, ni la forme "
            "exacte des codes : seul l'export ci-dessous valide tout le fichier.",
        ),
        (
            "8. Après un copier-coller, repérez les valeurs hors règles avec « Entourer les "
            "données non valides » (Excel : Données > Validation des données) ou « Marquer les "
            "données incorrectes » (LibreOffice : Outils > Audit).",
        ),
        ("9. La feuille « Exemple » montre des lignes valides.",),
        *_missing_value_rows(source.descriptor),
        ("",),
        ("Comment publier",),
        ("1. Enregistrez le classeur au format .xlsx.",),
        (
            "2. Exportez-le en CSV validé : esr-schemas export MON-FICHIER.xlsx --schema "
            + (f"{source.name}@{source.version}" if source.registry is not None else "schema.json"),
        ),
        (
            "   La commande refuse d'écrire un fichier invalide et liste les erreurs (ligne, colonne, correction).",
        ),
        (
            f"3. Publiez le fichier CSV obtenu (UTF-8, séparateur {separator}) sur data.gouv.fr "
            "en indiquant ce schéma.",
        ),
    ]
    if example_note:
        rows.append((example_note,))
    rows += rule_rows
    rows.append(("",))
    title_rows = {0, rows.index(("Comment remplir ce modèle",)), rows.index(("Comment publier",))}
    if ("Règles entre colonnes",) in rows:
        title_rows.add(rows.index(("Règles entre colonnes",)))
    page_width = sum(NOTICE_WIDTHS)
    for number, row in enumerate(rows, start=1):
        for col, value in enumerate(row, start=1):
            put(ws.cell(row=number, column=col), value)
        first = ws.cell(row=number, column=1)
        if number - 1 in title_rows:
            size = 14 if number == 1 else 12
            first.font = Font(bold=True, size=size)
            ws.row_dimensions[number].height = size * 1.8
        elif row[0]:
            # one text across the whole width, wrapped; its height set, since LibreOffice
            # does not grow a row for wrapped text in an xlsx (lines overlapped there)
            ws.merge_cells(start_row=number, start_column=1, end_row=number, end_column=8)
            first.alignment = Alignment(vertical="top", wrap_text=True)
            ws.row_dimensions[number].height = LINE_HEIGHT * wrapped_lines(row[0], page_width)
    header_row = len(rows) + 1
    for col, value in enumerate(NOTICE_TABLE_HEADER, start=1):
        cell = ws.cell(row=header_row, column=col)
        put(cell, value)
        cell.font = Font(bold=True)
        cell.fill = OPTIONAL_FILL
    for offset, column in enumerate(columns, start=1):
        values = (
            column.letter,
            column.name,
            column.title,
            text(column.field.get("description")),
            type_label(column.field),
            "oui" if column.required else "non",
            _short("\n".join(column.constraint_lines()), 32000),
            field_example(column.field),
        )
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=header_row + offset, column=col)
            put(cell, value)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.number_format = "@"
        lines = max(
            wrapped_lines(str(value), width)
            for value, width in zip(values, NOTICE_WIDTHS, strict=True)
        )
        ws.row_dimensions[header_row + offset].height = LINE_HEIGHT * min(lines, 25)
        if column.required:
            ws.cell(row=header_row + offset, column=2).fill = REQUIRED_FILL
    for letter, width in zip("ABCDEFGH", NOTICE_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    # printed (or turned into a PDF) one page wide, in landscape: no text cut at a page edge
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _example_rows(source: TemplateSource, columns: list[Column]) -> tuple[list[list[Any]], str]:
    missing = missing_values(source.descriptor)
    for path in source.valid_examples:
        header, rows = read_csv(path, source.descriptor)
        positions = {name: i for i, name in enumerate(header)}
        typed = []
        for row in rows:
            values = []
            for column in columns:
                pos = positions.get(column.name)
                raw = row[pos] if pos is not None and pos < len(row) else ""
                values.append(column.shown(to_cell(raw, column.field, missing)))
            typed.append(values)
        return typed, ""
    fallback = [c.shown(to_cell(field_example(c.field), c.field, missing)) for c in columns]
    if any(v is not None for v in fallback):
        return [fallback], (
            "La feuille « Exemple » est construite à partir de l'exemple de chaque colonne : "
            "ce schéma ne publie pas de fichier d'exemple valide."
        )
    return [], ""


def _example_sheet(wb: Workbook, columns: list[Column], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(EXAMPLE_SHEET, 2)
    for column in columns:
        cell = ws.cell(row=1, column=column.index + 1)
        put(cell, column.name)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        ws.column_dimensions[column.letter].width = max(12, min(45, len(column.name) + 4))
        number_format = (
            "@" if is_text_column(column.field) else NUMBER_FORMATS.get(column.kind, "General")
        )
        for number, row in enumerate(rows, start=2):
            target = ws.cell(row=number, column=column.index + 1)
            put(target, row[column.index])
            target.number_format = number_format
    ws.freeze_panes = "A2"


def _finish(wb: Workbook, source: TemplateSource) -> None:
    wb.properties.creator = "esr-schemas"
    wb.properties.lastModifiedBy = "esr-schemas"
    wb.properties.title = _short(f"Modèle de saisie — {source.title}", 200)
    wb.properties.subject = f"{source.name} {source.version}"
    wb.properties.language = "fr-FR"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    props = wb.custom_doc_props  # type: ignore[attr-defined]
    props.append(StringProperty(name=MARKER_SCHEMA, value=source.name))
    props.append(StringProperty(name=MARKER_VERSION, value=source.version))
    wb.active = 0
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == DATA_SHEET


def deterministic_zip(data: bytes) -> bytes:
    """Same content, fixed timestamps: the same schema gives a byte-identical file."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    lambda m: m.group(1) + stamp.encode() + m.group(3),
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def columns_of(source: TemplateSource) -> list[Column]:
    columns = [Column(i, field_name(f, i), f) for i, f in enumerate(source.fields)]
    referentiels = complete_referentiels(source.registry)
    shipped = source.registry.referentiels if source.registry is not None else {}
    threshold = secret_threshold(source.descriptor)
    for column in columns:
        if threshold is not None and threshold > 1 and is_person_count(column.field):
            column.secret = threshold
            column.notes.append(
                f"Seuil de secret statistique : {threshold}. Un effectif de 1 à {threshold - 1} "
                "ne se publie pas : laissez la cellule vide."
            )
        name = code_list(column.field)
        if column.kind not in ("string", "integer") or not name or name not in shipped:
            continue
        if name in referentiels and len(referentiels[name].rows) > DROPDOWN_CODES_MAX:
            column.notes.append(
                f"Liste de {len(referentiels[name].rows)} codes, trop longue pour une liste "
                "déroulante : cherchez le code sur la page du référentiel du site ; "
                "l'export vérifie qu'il existe."
            )
        elif name in referentiels:
            rows = referentiels[name].rows
            column.codes = [
                (r.get("code", ""), r.get("libelle", "")) for r in rows if r.get("code")
            ]
            if not enum_values(column.field):
                column.notes.append(
                    f"{len(column.codes)} codes admis, proposés en liste déroulante."
                )
        else:
            column.notes.append(
                "Le registre n'en publie qu'un extrait : tout code de la nomenclature officielle "
                "est admis."
            )
    return columns


def dropdown_count(source: TemplateSource) -> int:
    """How many columns of the template offer a dropdown list."""
    return sum(1 for column in columns_of(source) if column.list_values)


def build_workbook(source: TemplateSource) -> bytes:
    """The template's bytes (deterministic)."""
    columns = columns_of(source)
    if not columns:
        raise ValueError("schema without fields")
    wb = t2t_workbook(columns)
    declared, outcome = _data_sheet(wb, columns, source.descriptor)
    rows, note = _example_rows(source, columns)
    _notice_sheet(wb, source, columns, note, rules.notice_rows(declared, outcome))
    _example_sheet(wb, columns, rows)
    # hidden list sheets last, in column order
    lists = [s for s in wb.worksheets if s.title.startswith(LIST_SHEET_PREFIX)]
    visible = [s for s in wb.worksheets if not s.title.startswith(LIST_SHEET_PREFIX)]
    wb._sheets = visible + _column_order(lists)  # type: ignore[attr-defined,operator,arg-type]  # openpyxl has no public reorder
    _finish(wb, source)
    buffer = io.BytesIO()
    wb.save(buffer)
    return deterministic_zip(buffer.getvalue())


def _column_order(sheets: list[Worksheet]) -> list[Worksheet]:
    from openpyxl.utils import column_index_from_string

    return sorted(sheets, key=lambda s: column_index_from_string(s.title[len(LIST_SHEET_PREFIX) :]))
