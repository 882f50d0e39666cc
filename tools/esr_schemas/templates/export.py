"""``export``: a filled template (xlsx) -> the canonical CSV the schema expects.

UTF-8 without BOM, the schema's delimiter (``,`` by default), ISO dates (Excel date
cells become ``AAAA-MM-JJ``), dot decimals, codes as typed, trailing empty rows
dropped. The file is validated on the way; the input workbook is only read.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ..model import Registry
from ..validation.error_types import error_type_name
from .cells import delimiter, from_cell
from .fields import is_code
from .source import TemplateSource, complete_referentiels, field_name
from .workbook import DATA_SHEET, MARKER_SCHEMA, MARKER_VERSION


class ExportError(Exception):
    """The workbook cannot be exported at all; carries the French message."""


@dataclass
class FilledSheet:
    path: Path
    header: list[str]
    rows: list[list[Any]]
    marker: tuple[str, str] | None
    """(schema name, version) recorded by ``esr-schemas template``; None for a foreign workbook."""
    wide_cells: list[tuple[int, int]] = field(default_factory=list)
    """(row, column) of non-empty cells right of the last header."""


@dataclass
class Problem:
    row: int | None
    column: str | None
    message: str
    type: str = ""
    fix: str = ""
    warning: bool = False
    """Reported, never blocking."""


@dataclass
class ExportResult:
    csv_text: str
    header_problems: list[Problem]
    errors: list[Problem]
    notes: list[str]
    row_count: int

    @property
    def valid(self) -> bool:
        return not self.header_problems and not self.errors


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def read_filled(path: Path) -> FilledSheet:
    """Reads the « Données » sheet; an :class:`ExportError` says why it cannot."""
    from .. import guards

    try:
        guards.check_regular_file(path)  # before opening: a FIFO would block
    except guards.Refused as refusal:
        raise ExportError(refusal.message) from None
    if not zipfile.is_zipfile(path):
        raise ExportError(
            f"« {path.name} » n'est pas un classeur Excel au format .xlsx. Ouvrez-le dans votre "
            "tableur et enregistrez-le sous « Classeur Excel (.xlsx) » (les formats .xls, .ods et "
            ".csv ne sont pas lus par cette commande)."
        )
    try:
        guards.check_workbook(path)  # bounded before openpyxl or calamine allocate
    except guards.Refused as refusal:
        raise ExportError(refusal.message) from None
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged or foreign zip
        raise ExportError(
            f"« {path.name} » n'est pas un classeur .xlsx lisible (contenu endommagé ou d'un autre format). "
            "Ouvrez-le dans votre tableur et enregistrez-le de nouveau au format .xlsx."
        ) from None
    try:
        props = {
            p.name: str(getattr(p, "value", ""))
            for p in workbook.custom_doc_props.props  # type: ignore[attr-defined]
        }
        marker = (
            (props[MARKER_SCHEMA], props.get(MARKER_VERSION, ""))
            if MARKER_SCHEMA in props
            else None
        )
        if DATA_SHEET not in workbook.sheetnames:
            found = ", ".join(f"« {n} »" for n in workbook.sheetnames)
            if marker is None:
                raise ExportError(
                    f"« {path.name} » n'est pas un modèle du registre (il n'a pas été produit par "
                    f"« esr-schemas template ») : aucune feuille « {DATA_SHEET} » (feuilles trouvées : "
                    f"{found}). Téléchargez le modèle Excel du schéma et copiez vos données dans sa "
                    f"feuille « {DATA_SHEET} »."
                )
            raise ExportError(
                f"« {path.name} » est un modèle du schéma « {marker[0]} », mais sa feuille "
                f"« {DATA_SHEET} » est introuvable (feuilles trouvées : {found}). Redonnez le nom "
                f"« {DATA_SHEET} » à la feuille qui contient les données."
            )
        try:
            grid = _calamine_rows(path)
        except Exception:  # calamine cannot read it: openpyxl's slower streaming reader can
            grid = None
        if grid is not None:
            header, rows, wide = _read_rows(iter(grid), path)
        else:
            header, rows, wide = _read_rows(workbook[DATA_SHEET].iter_rows(values_only=True), path)
    finally:
        workbook.close()
    return FilledSheet(path=path, header=header, rows=rows, marker=marker, wide_cells=wide)


def _calamine_rows(path: Path) -> list[list[Any]]:
    """The « Données » values through python-calamine (about eight times faster than openpyxl)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        return list(workbook.get_sheet_by_name(DATA_SHEET).to_python(skip_empty_area=False))
    finally:
        close = getattr(workbook, "close", None)
        if close is not None:
            close()


def _read_rows(
    iterator: Iterator[Sequence[Any]], path: Path
) -> tuple[list[str], list[list[Any]], list[tuple[int, int]]]:
    """Header, data rows (trailing empty rows dropped) and cells right of the header.

    Streams the rows: a sheet whose recorded size is the whole grid (formatting applied
    to entire columns) costs no memory for its empty rows.
    """
    first = next(iterator, None)
    if first is None or all(_is_empty(v) for v in first):
        raise ExportError(
            f"La feuille « {DATA_SHEET} » de « {path.name} » n'a pas de ligne d'en-tête : la ligne 1 "
            "doit contenir les noms des colonnes du schéma."
        )
    header_cells = list(first)
    while header_cells and _is_empty(header_cells[-1]):
        header_cells.pop()
    header = ["" if v is None else str(v) for v in header_cells]
    width = len(header)
    rows: list[list[Any]] = []
    wide: list[tuple[int, int]] = []
    pending_empty = 0
    for number, row in enumerate(iterator, start=2):
        for col in range(width, len(row)):
            if not _is_empty(row[col]):
                wide.append((number, col + 1))
        values = list(row[:width]) + [None] * (width - len(row))
        if all(_is_empty(v) for v in values):
            pending_empty += 1
            continue
        rows.extend([None] * width for _ in range(pending_empty))
        pending_empty = 0
        rows.append(values)
    return header, rows, wide


def header_problems(sheet: FilledSheet, source: TemplateSource) -> list[Problem]:
    expected = source.field_names
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    for index, name in enumerate(sheet.header):
        letter = get_column_letter(index + 1)
        if name == "":
            problems.append(
                Problem(1, letter, f"La colonne {letter} n'a pas de nom d'en-tête.", "blank-label")
            )
        elif name in positions:
            problems.append(
                Problem(
                    1,
                    letter,
                    f"La colonne « {name} » apparaît deux fois (colonne {letter}).",
                    "duplicate-label",
                )
            )
        elif name not in expected:
            problems.append(
                Problem(
                    1,
                    letter,
                    f"Colonne en trop : « {name} » (colonne {letter}) n'existe pas dans le schéma "
                    f"{source.name} {source.version}. Supprimez-la, ou corrigez son nom.",
                    "extra-label",
                )
            )
        positions.setdefault(name, index)
    missing = [name for name in expected if name not in positions]
    for name in missing:
        problems.append(
            Problem(
                1,
                None,
                f"Colonne manquante : « {name} ». Rétablissez-la dans la ligne d'en-tête "
                "(copiez l'en-tête du modèle).",
                "missing-label",
            )
        )
    present = [name for name in sheet.header if name in expected]
    if not missing and not [p for p in problems if p.type != "blank-label"] and present != expected:
        problems.append(
            Problem(
                1,
                None,
                "Les colonnes ne sont pas dans l'ordre du schéma. Ordre attendu : "
                + ", ".join(expected)
                + ".",
                "incorrect-label",
            )
        )
    for row, col in sheet.wide_cells[:5]:
        letter = get_column_letter(col)
        problems.append(
            Problem(
                row,
                letter,
                f"La cellule {letter}{row} contient une valeur, mais la colonne {letter} n'a pas d'en-tête.",
                "extra-cell",
            )
        )
    if len(sheet.wide_cells) > 5:
        problems.append(
            Problem(
                None,
                None,
                f"… et {len(sheet.wide_cells) - 5} autres cellules hors des colonnes.",
                "extra-cell",
            )
        )
    return problems


def to_csv(sheet: FilledSheet, source: TemplateSource) -> tuple[str, list[str]]:
    """The CSV text (the sheet's columns as they are) and notes on suspicious cells."""
    fields = {field_name(f, i): f for i, f in enumerate(source.fields)}
    columns = [fields.get(name, {"name": name, "type": "string"}) for name in sheet.header]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter(source.descriptor), lineterminator="\n")
    writer.writerow(sheet.header)
    notes: list[str] = []
    numeric_codes: dict[str, list[int]] = {}
    for number, row in enumerate(sheet.rows, start=2):
        writer.writerow(
            [from_cell(value, column) for value, column in zip(row, columns, strict=True)]
        )
        for value, column, name in zip(row, columns, sheet.header, strict=True):
            if is_code(column) and isinstance(value, int | float) and not isinstance(value, bool):
                numeric_codes.setdefault(name, []).append(number)
    for name, rows in numeric_codes.items():
        shown = ", ".join(str(r) for r in rows[:5]) + (" …" if len(rows) > 5 else "")
        notes.append(
            f"La colonne « {name} » contient des nombres et non du texte "
            f"({'ligne' if len(rows) == 1 else 'lignes'} {shown}) : des zéros "
            "initiaux ont pu être perdus. Formatez la colonne en « Texte » et ressaisissez ces codes."
        )
    return out.getvalue(), notes


def validation_errors(
    path: Path, descriptor: dict[str, Any], registry: Registry | None
) -> list[Problem]:
    """The one place the validation engine is called (the registry's validator)."""
    from ..validation import UnusableInput, validate_file

    if registry is not None:  # partial extracts would refuse valid codes: left out
        registry = dataclasses.replace(registry, referentiels=complete_referentiels(registry))
    try:
        # strict: a person count under the secrecy threshold blocks publication
        report = validate_file(
            path,
            descriptor,
            registry=registry,
            check_code_lists=registry is not None,
            strict=True,
        )
    except UnusableInput as exc:
        return [Problem(None, None, exc.message, "unusable-input")]
    problems = [
        Problem(e.row_number, e.field_name, e.message, e.type, getattr(e, "fix", ""))
        for e in report.errors
    ]
    problems += [
        Problem(e.row_number, e.field_name, e.message, e.type, getattr(e, "fix", ""), warning=True)
        for e in report.warnings
        if not isinstance(e, str)
    ]
    return problems


def export(sheet: FilledSheet, source: TemplateSource) -> ExportResult:
    problems = header_problems(sheet, source)
    text, notes = to_csv(sheet, source)
    errors: list[Problem] = []
    if not problems:
        with tempfile.TemporaryDirectory(prefix="esr-export-") as tmp:
            candidate = Path(tmp) / "export.csv"
            candidate.write_text(text, encoding="utf-8", newline="")
            found = validation_errors(candidate, source.descriptor, source.registry)
        errors = [p for p in found if not p.warning]
        notes += [describe(p, sheet.header) for p in found if p.warning]
    return ExportResult(
        csv_text=text,
        header_problems=problems,
        errors=errors,
        notes=notes,
        row_count=len(sheet.rows),
    )


def write_csv(text: str, out: Path, *, overwrite: bool = False) -> None:
    """Writes next to the target then renames: a half-written CSV never remains, and an
    existing file is replaced only with ``overwrite`` (raises ``WriteRefused``)."""
    from ..safe_write import write_file

    write_file(out, text, overwrite=overwrite)


ENGINE_LOCATION = re.compile(
    r"^(?:Ligne \d+(?:, colonne « [^»]*»)?|Colonne « [^»]*»|En-tête)\s*:\s*"
)


def describe(problem: Problem, header: list[str]) -> str:
    """One French line: where (row, column name and letter), what, how to fix."""
    where: list[str] = []
    if problem.row is not None:
        where.append(f"ligne {problem.row}")
    if problem.column:
        if problem.column in header:
            letter = get_column_letter(header.index(problem.column) + 1)
            where.append(f"colonne « {problem.column} » ({letter})")
        else:
            where.append(f"colonne {problem.column}")
    message = ENGINE_LOCATION.sub("", problem.message.strip()) if where else problem.message.strip()
    label = error_type_name(problem.type)
    if label and problem.message.isascii():  # an engine message in English: say it in French first
        message = f"{label} — {message}"
    prefix = (", ".join(where) + " : ") if where else ""
    fix = f" {problem.fix.strip()}" if problem.fix and problem.fix.strip() not in message else ""
    return f"{prefix}{message}{fix}"
