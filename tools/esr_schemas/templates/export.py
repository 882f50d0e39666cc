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
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from ..validation.error_types import error_type_name
from ..validation.sheet_reader import RENDERED_DATETIME, day_and_clock, whole_seconds
from .cells import _strftime, delimiter, from_cell
from .fields import field_type, is_code
from .names import DATA_SHEET, MARKER_SCHEMA, MARKER_VERSION
from .source import TemplateSource, complete_referentiels, field_name

if TYPE_CHECKING:
    import polars as pl

    from ..model import Registry


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
    typed: pl.DataFrame | None = None
    """The data columns as fastexcel types them, when each holds one kind of cell
    (then ``rows`` is empty): turned into CSV text column by column."""
    error_cells: list[tuple[int, int, str]] = field(default_factory=list)
    """(row, column, code) of the Excel error cells (``#N/A``...) under the header."""
    not_text: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    """Mixed columns of ``typed`` -> masks of the rows whose cell is not text (a number,
    a date or a boolean, which fastexcel wrote out as text), and of the booleans."""
    texts: dict[int, Any] = field(default_factory=dict)
    """Typed columns of ``typed`` -> their text cells (a text series, null elsewhere),
    which fastexcel left empty (``workbook.LoadedSheet.texts``)."""

    @property
    def row_count(self) -> int:
        return self.typed.height if self.typed is not None else len(self.rows)


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


def get_column_letter(index: int) -> str:
    """The spreadsheet letters of column ``index`` (1 -> A, 27 -> AA)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_filled(path: Path) -> FilledSheet:
    """Reads the « Données » sheet (XLSX or ODS); an :class:`ExportError` says why it cannot.

    The workbook guards of the validator run first (archive size, declared dimension);
    fastexcel then reads the sheet column by column, python-calamine cell by cell when a
    column mixes kinds of cells."""
    from .. import guards
    from ..validation import sheet_reader
    from ..validation.errors import UnusableInput

    try:
        guards.check_regular_file(path)  # before opening: a FIFO would block
    except guards.Refused as refusal:
        raise ExportError(refusal.message) from None
    if not zipfile.is_zipfile(path):
        raise ExportError(
            f"« {path.name} » n'est pas un classeur Excel au format .xlsx. Ouvrez-le dans votre "
            "tableur et enregistrez-le sous « Classeur Excel (.xlsx) » (les formats .xls et "
            ".csv ne sont pas lus par cette commande)."
        )
    ods = sheet_reader.is_ods(path)
    scan: guards.WorkbookScan | None = None
    typed = None
    try:
        if ods:
            from ..validation import reading

            reading._check_ods(path)
        else:
            scan = guards.check_workbook(path)
        reader = sheet_reader.open_reader(path)
        names = list(reader.sheet_names)
        if not ods and DATA_SHEET in names:
            typed = sheet_reader.start_typed(reader, DATA_SHEET)
    except UnusableInput as exc:
        raise ExportError(exc.message) from None
    # while calamine reads the sheet (without the interpreter's lock), what comes next
    # is imported: polars, numpy, the validation engine
    from ..validation import reading, table, workbook  # noqa: F401

    marker = _marker(path, ods)
    if DATA_SHEET not in names:
        found = ", ".join(f"« {n} »" for n in names)
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
        loaded = workbook.load_sheet(
            path, reader, DATA_SHEET, reading.XLSX_MAX_CELLS, ods, scan=scan, typed=typed
        )
    except UnusableInput as exc:
        raise ExportError(exc.message) from None
    scan = None  # the XML the guard kept is no longer needed
    # a row holding only an error cell is not an empty row
    last_error = max((row - 1 for row, _, _ in loaded.errors), default=0)
    if loaded.typed is None:
        header, rows, wide = _read_rows(iter([loaded.labels, *loaded.values]), path)
        width = len(header)
        rows += [[None] * width for _ in range(min(last_error, loaded.height) - len(rows))]
        sheet = FilledSheet(path=path, header=header, rows=rows, marker=marker, wide_cells=wide)
    else:
        sheet = _typed_sheet(path, loaded.labels, loaded.typed, marker, last_error, loaded.texts)
        sheet.not_text = _not_text_values(sheet, loaded.not_text, loaded.booleans)
    width = len(sheet.header)
    for row, column, code in loaded.errors:
        if row < 2 or row - 1 > sheet.row_count:
            continue
        if column < width:
            sheet.error_cells.append((row, column, code))
        else:
            sheet.wide_cells.append((row, column + 1))
    sheet.wide_cells.sort()
    return sheet


def _not_text_values(
    sheet: FilledSheet, not_text: dict[int, Any], booleans: dict[int, Any]
) -> dict[int, tuple[Any, Any]]:
    """Mixed columns -> (not text, boolean) masks of their rows, cut to the sheet."""
    import numpy as np

    if sheet.typed is None:
        return {}
    height = sheet.typed.height
    empty = np.zeros(height, dtype=bool)
    return {
        index: (mask[:height], booleans.get(index, empty)[:height])
        for index, mask in not_text.items()
        if index < len(sheet.header) and mask[:height].any()
    }


def _marker(path: Path, ods: bool) -> tuple[str, str] | None:
    """(schema, version) recorded in the workbook's custom properties by ``template``
    (LibreOffice keeps them, as user-defined fields, when it saves as .ods)."""
    member = "meta.xml" if ods else "docProps/custom.xml"
    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read(member))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError):
        return None
    props: dict[str, str] = {}
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if ods and tag == "user-defined":
            name = next((v for k, v in element.attrib.items() if k.endswith("}name")), "")
            props[name] = (element.text or "").strip()
        elif not ods and tag == "property":
            props[element.get("name", "")] = "".join(
                (child.text or "") for child in element
            ).strip()
    if MARKER_SCHEMA not in props:
        return None
    return props[MARKER_SCHEMA], props.get(MARKER_VERSION, "")


def _typed_sheet(
    path: Path,
    labels: list[str],
    typed: pl.DataFrame,
    marker: tuple[str, str] | None,
    min_height: int = 0,
    texts: dict[int, tuple[Any, list[str]]] | None = None,
) -> FilledSheet:
    """The fast path's sheet: the header's columns, trailing empty rows dropped, and the
    non-empty cells right of the header. ``texts``: the text cells of typed columns
    (``workbook.LoadedSheet.texts``)."""
    import polars as pl

    columns: dict[int, pl.Series] = {}
    for index, (rows, values) in (texts or {}).items():
        cells = pl.Series([None] * typed.height, dtype=pl.String)
        columns[index] = cells.scatter(rows, pl.Series(values, dtype=pl.String))

    header = list(labels)
    while header and header[-1] == "":
        header.pop()
    if not header:
        raise ExportError(
            f"La feuille « {DATA_SHEET} » de « {path.name} » n'a pas de ligne d'en-tête : la ligne 1 "
            "doit contenir les noms des colonnes du schéma."
        )
    width = len(header)
    names = typed.columns
    filled = typed.select(
        pl.any_horizontal(
            [
                pl.col(c).is_not_null() & (pl.col(c) != "")
                if typed.schema[c] == pl.String
                else pl.col(c).is_not_null()
                for c in names[:width]
            ]
            + [pl.lit(columns[i]).is_not_null() for i in columns if i < width]
        ).alias("filled")
    )["filled"]
    last = filled.arg_true()
    height = min(max(int(last[-1]) + 1 if len(last) else 0, min_height), typed.height)
    wide: list[tuple[int, int]] = []
    for index in range(width, len(names)):
        column = typed[names[index]]
        present = column.is_not_null()
        if column.dtype == pl.String:
            present = present & (column != "")
        if index in columns:
            present = present | columns[index].is_not_null()
        wide += [(int(i) + 2, index + 1) for i in present.arg_true()]
    data = typed.select(names[:width]).slice(0, height)
    return FilledSheet(
        path=path,
        header=header,
        rows=[],
        marker=marker,
        wide_cells=sorted(wide),
        typed=data.rename(dict(zip(data.columns, [f"c{i}" for i in range(width)], strict=True))),
        texts={i: cells.slice(0, height) for i, cells in columns.items() if i < width},
    )


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
    numeric_codes: dict[str, list[int]] = {}
    if sheet.typed is not None:
        out.write(
            _typed_csv(
                sheet.typed, columns, delimiter(source.descriptor), sheet.not_text, sheet.texts
            )
        )
        for index, (column, name) in enumerate(zip(columns, sheet.header, strict=True)):
            series = sheet.typed[f"c{index}"]
            if not is_code(column):
                continue
            if series.dtype.is_numeric():
                numbers = series.is_not_null()
                if index in sheet.texts:  # a text cell fastexcel made a number of
                    numbers = numbers & sheet.texts[index].is_null()
                numeric_codes[name] = [int(i) + 2 for i in numbers.arg_true()]
            elif index in sheet.not_text:
                numbers = _numbers_in_text(series, *sheet.not_text[index])
                numeric_codes[name] = [int(i) + 2 for i in numbers.nonzero()[0]]
    else:
        codes = [
            (index, name)
            for index, (column, name) in enumerate(zip(columns, sheet.header, strict=True))
            if is_code(column)
        ]
        for number, row in enumerate(sheet.rows, start=2):
            writer.writerow(
                [from_cell(value, column) for value, column in zip(row, columns, strict=True)]
            )
            for index, name in codes:
                value = row[index]
                if isinstance(value, int | float) and not isinstance(value, bool):
                    numeric_codes.setdefault(name, []).append(number)
    notes: list[str] = []
    for name, rows in numeric_codes.items():
        if not rows:
            continue
        shown = ", ".join(str(r) for r in rows[:5]) + (" …" if len(rows) > 5 else "")
        notes.append(
            f"La colonne « {name} » contient des nombres et non du texte "
            f"({'ligne' if len(rows) == 1 else 'lignes'} {shown}) : des zéros "
            "initiaux ont pu être perdus. Formatez la colonne en « Texte » et ressaisissez ces codes."
        )
    return out.getvalue(), notes


def _numbers_in_text(rendered: pl.Series, not_text: Any, booleans: Any) -> Any:
    """Rows of a mixed column whose cell is a number (neither a boolean nor a date)."""
    dates = rendered.str.contains(RENDERED_DATETIME).fill_null(False).to_numpy()
    return not_text & ~booleans & ~dates


def _typed_csv(
    typed: pl.DataFrame,
    columns: list[dict[str, Any]],
    separator: str,
    not_text: dict[int, tuple[Any, Any]] | None = None,
    texts: dict[int, Any] | None = None,
) -> str:
    """The CSV lines of the typed columns, each cell as ``from_cell`` writes it (the
    numbers, dates and booleans of a mixed column too, from fastexcel's text; the text
    cells of a typed column, ``texts``, as text)."""
    import polars as pl

    texts = texts or {}

    exprs = []
    for index, ((name, dtype), column) in enumerate(
        zip(typed.schema.items(), columns, strict=True)
    ):
        expr = base = _canonical(pl.col(name), dtype, column)
        if not_text and index in not_text:
            mask, booleans = not_text[index]
            rendered = typed[name]
            dates = pl.lit(pl.Series(mask)) & pl.col(name).str.contains(RENDERED_DATETIME)
            whole = _whole_seconds_text(pl.col(name), column)
            # parsed only where a date was written out and cannot be rewritten as text
            # (the other cells are not read): 1 µs a cell
            parsed = dates if whole is None else dates & ~whole_seconds(pl.col(name))
            moment = (
                pl.when(parsed)
                .then(pl.col(name))
                .str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False)
            )
            numbers = pl.lit(pl.Series(_numbers_in_text(rendered, mask, booleans)))
            expr = pl.when(parsed).then(_canonical(moment, pl.Datetime, column))
            if whole is not None:
                expr = expr.when(dates).then(whole)
            expr = (
                expr.when(pl.lit(pl.Series(booleans)))
                .then(_canonical(pl.col(name) == "true", pl.Boolean, column))
                .when(numbers)
                .then(_canonical(pl.col(name).cast(pl.Float64, strict=False), pl.Float64, column))
                .otherwise(base)
            )
        if index in texts:
            cells = pl.lit(texts[index])
            expr = (
                pl.when(cells.is_not_null())
                .then(_canonical(cells, pl.String, column))
                .otherwise(expr)
            )
        exprs.append(expr.alias(name))
    text = typed.select(exprs)
    for index, ((name, dtype), column) in enumerate(
        zip(typed.schema.items(), columns, strict=True)
    ):
        if not dtype.is_numeric() and not (not_text and index in not_text):
            continue
        numeric = text[name].str.contains(r"^-?[0-9.]+(?:e[-+]?[0-9]+)?$").fill_null(False)
        if index in texts:
            numeric = numeric & texts[index].is_null()
        if not dtype.is_numeric():
            numeric = numeric & pl.Series(_numbers_in_text(typed[name], *not_text[index]))  # type: ignore[index]
        if (exponent := numeric & text[name].str.contains("e")).any():
            values = text[name].to_list()
            for i in exponent.arg_true():
                values[i] = _decimal_text(values[i])
            text = text.with_columns(pl.Series(name, values, dtype=pl.String))
        decimal_char = column.get("decimalChar")
        if isinstance(decimal_char, str) and decimal_char and decimal_char != ".":
            text = text.with_columns(
                pl.when(numeric)
                .then(pl.col(name).str.replace_all(".", decimal_char, literal=True))
                .otherwise(pl.col(name))
                .alias(name)
            )
    # an empty cell is written empty (polars would quote an empty string)
    text = text.with_columns(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in text.columns
    )
    return text.write_csv(
        include_header=False, separator=separator, line_terminator="\n", quote_style="necessary"
    )


def _whole_seconds_text(rendered: pl.Expr, column: dict[str, Any]) -> pl.Expr | None:
    """What ``_canonical`` writes of a date-time fastexcel wrote out as
    ``AAAA-MM-JJ hh:mm:ss`` (no fraction of a second), cut from that text; None when the
    field has a format of its own (the date-time is then parsed)."""
    import polars as pl

    if _strftime(column):
        return None
    day, clock = day_and_clock(rendered)
    full = day + pl.lit("T") + clock
    kind = field_type(column)
    if kind == "date":
        return day
    if kind == "time":
        return clock
    if kind == "datetime":
        return full
    return pl.when(clock == "00:00:00").then(day).otherwise(full)


def _canonical(col: pl.Expr, dtype: Any, column: dict[str, Any]) -> pl.Expr:
    """``from_cell`` for a whole column of one kind of cell."""
    import polars as pl

    from ..wording import true_false

    kind = field_type(column)
    fmt = _strftime(column)
    if dtype == pl.String:
        # « 10 — Formation… » picked in a dropdown, « oui »/« non » for a boolean: the
        # schema's own spelling, as from_cell writes it (one call per distinct value)
        return col.map_batches(lambda cells: _spelled(cells, column), return_dtype=pl.String)
    if dtype == pl.Boolean:
        true, false = true_false(column) if kind == "boolean" else ("true", "false")
        return pl.when(col).then(pl.lit(true)).when(~col).then(pl.lit(false))
    if dtype == pl.Datetime:
        fraction = col.dt.microsecond() != 0
        iso = (
            pl.when(fraction)
            .then(col.dt.strftime("%Y-%m-%dT%H:%M:%S%.6f"))
            .otherwise(col.dt.strftime("%Y-%m-%dT%H:%M:%S"))
        )
        date = col.dt.strftime(fmt if fmt and kind == "date" else "%Y-%m-%d")
        if kind == "date":
            return date
        if kind == "time":
            if fmt:
                return col.dt.strftime(fmt)
            return (
                pl.when(fraction)
                .then(col.dt.strftime("%H:%M:%S%.6f"))
                .otherwise(col.dt.strftime("%H:%M:%S"))
            )
        full = col.dt.strftime(fmt) if fmt else iso
        if kind == "datetime":
            return full
        midnight = (col.dt.hour() == 0) & (col.dt.minute() == 0) & (col.dt.second() == 0)
        return pl.when(midnight & ~fraction).then(date).otherwise(full)
    if dtype == pl.Date:
        return col.dt.strftime(fmt or "%Y-%m-%d")
    if dtype == pl.Duration:
        return pl.lit("PT") + col.dt.total_seconds().cast(pl.String) + pl.lit("S")
    if dtype.is_numeric():
        value = col.cast(pl.Float64)
        integral = (value == value.floor()) & (value.abs() < 1e16)
        # an exponent (1e-7) is rewritten afterwards, in Python, for those few cells
        return (
            pl.when(integral)
            .then(value.cast(pl.Int64).cast(pl.String))
            .otherwise(value.cast(pl.String))
        )
    return col.cast(pl.String)


def _spelled(cells: pl.Series, column: dict[str, Any]) -> pl.Series:
    """Text cells as ``from_cell`` writes them, computed once per distinct value that
    it may change: any text of a boolean column, a dropdown label (« 10 — … ») of a
    column with a list of values; every other text is written as it is (a column of
    50,000 distinct names: 0.1 s of calls saved)."""
    from ..extensions import code_list
    from ..wording import LABEL_SEPARATOR, enum_values

    distinct = cells.drop_nulls().unique()
    if field_type(column) != "boolean":
        if not (enum_values(column) or code_list(column)):
            return cells
        distinct = distinct.filter(distinct.str.contains(LABEL_SEPARATOR, literal=True))
    changed = {}
    for value in distinct.to_list():
        written = from_cell(value, column)
        if written != value:
            changed[value] = written
    return cells.replace(changed) if changed else cells


def _decimal_text(text: str) -> str:
    """A float written by polars, in plain decimal notation (``1e-7`` -> ``0.0000001``)."""
    from decimal import Decimal

    return format(Decimal(repr(float(text))), "f") if "e" in text else text


def validation_errors(
    path: Path, descriptor: dict[str, Any], registry: Registry | None
) -> list[Problem]:
    """The one place the validation engine is called (the registry's validator)."""
    from ..validation import UnusableInput, validate_file

    if registry is not None:  # partial extracts would refuse valid codes: left out
        registry = dataclasses.replace(registry, referentiels=complete_referentiels(registry))
    try:
        # the same verdict as ``validate --referentiels``: every business rule and the
        # statistical secrecy are errors; warnings are shown without blocking
        report = validate_file(
            path,
            descriptor,
            registry=registry,
            check_code_lists=registry is not None,
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


def formula_problems(sheet: FilledSheet) -> list[Problem]:
    """Excel error cells (``#N/A``, ``#DIV/0!``...): never exported as empty cells."""
    problems = []
    for row, column, code in sheet.error_cells:
        letter = get_column_letter(column + 1)
        problems.append(
            Problem(
                row,
                sheet.header[column],
                f"La cellule {letter}{row} contient une erreur de formule Excel « {code} » "
                "(calcul impossible, référence introuvable…), pas une valeur.",
                "type-error",
                "Corrigez la formule, ou remplacez-la par la valeur attendue (laissez la "
                "cellule vide si la valeur est inconnue).",
            )
        )
    return problems


def export(sheet: FilledSheet, source: TemplateSource) -> ExportResult:
    problems = header_problems(sheet, source)
    text, notes = to_csv(sheet, source)
    errors: list[Problem] = formula_problems(sheet)
    if not problems:
        with tempfile.TemporaryDirectory(prefix="esr-export-") as tmp:
            candidate = Path(tmp) / "export.csv"
            candidate.write_text(text, encoding="utf-8", newline="")
            found = validation_errors(candidate, source.descriptor, source.registry)
        errors += [p for p in found if not p.warning]
        notes += [describe(p, sheet.header) for p in found if p.warning]
    return ExportResult(
        csv_text=text,
        header_problems=problems,
        errors=errors,
        notes=notes,
        row_count=sheet.row_count,
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
