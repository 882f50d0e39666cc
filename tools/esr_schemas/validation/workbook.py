"""A workbook sheet (XLSX or ODS) read as text, cell types kept as frictionless reads them.

fastexcel (calamine underneath, Arrow output) reads the sheet column by column: when
every column holds one kind of cell (text, numbers, dates, booleans), each column is
turned into text by polars according to its field's type, with no Python object per
cell. A column that mixes kinds (codes typed sometimes as text, sometimes as numbers),
a sheet that does not start at A1, and ODS files go through python-calamine's cell
values instead, one by one: slower, exact.

Every row of the sheet's used range has the sheet's width, as in frictionless (a blank
trailing header cell is a blank label, empty trailing cells are empty, not missing).

Excel error cells (``#N/A``, ``#DIV/0!``...) are read by neither library (they come out
empty): they are found in the sheet's XML and reported, never taken for blanks.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

import numpy as np
import polars as pl

from ..guards import column_index, column_letters
from .errors import UnusableInput
from .sheet_reader import (
    RENDERED_DATETIME,
    SAMPLE_ROWS,
    day_and_clock,
    is_ods,
    open_reader,
    typed_columns,
    whole_seconds,
)
from .sheet_reader import first_line as _first_line

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ..guards import WorkbookScan

__all__ = ["LoadedSheet", "SheetText", "is_ods", "load_sheet", "open_reader", "sheet_text"]

ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA")
_SCAN_BLOCK = 1 << 20


@dataclass
class SheetText:
    """A sheet's header and data rows as text (see :func:`read_sheet`)."""

    labels: list[str]
    frame: pl.DataFrame
    """String columns c0..c{width-1}, one row per sheet row after the header."""
    counts: np.ndarray
    """Cells of each row: the sheet's width, 0 for a blank row."""
    forced: dict[int, np.ndarray] = field(default_factory=dict)
    """Column -> rows whose cell type the field refuses whatever its text."""
    formula_errors: dict[int, np.ndarray] = field(default_factory=dict)
    """Column -> rows whose cell is an Excel error (``#N/A``...): the text is the code."""


@dataclass
class LoadedSheet:
    """A sheet as read, before its text is made (that needs the columns' types)."""

    labels: list[str]
    typed: pl.DataFrame | None
    """The data columns as fastexcel types them (fast path), or None."""
    values: list[list[Any]]
    """Otherwise: the data rows' cell values (python-calamine)."""
    width: int
    height: int
    errors: list[tuple[int, int, str]]
    """(sheet row, column index, code) of the Excel error cells."""
    not_text: dict[int, np.ndarray] = field(default_factory=dict)
    """Text columns of ``typed`` (fastexcel writes the other kinds of a mixed column as
    text) -> rows whose cell is a number, a date or a boolean, read from the XML."""
    booleans: dict[int, np.ndarray] = field(default_factory=dict)
    """Likewise, rows whose cell is a boolean."""
    texts: dict[int, tuple[np.ndarray, list[str]]] = field(default_factory=dict)
    """Typed (not text) columns of ``typed`` -> the rows (of the frame) of their text
    cells, which fastexcel, typing the column from its first rows, left empty, and
    their text (read from the XML)."""


def load_sheet(
    path: Path,
    reader: Any,
    sheet: str,
    max_cells: int,
    ods: bool,
    scan: WorkbookScan | None = None,
    typed: Future[tuple[list[Any], Any]] | None = None,
    sample_rows: int | None = SAMPLE_ROWS,
) -> LoadedSheet:
    """The sheet, typed by fastexcel, with what only its XML tells (error cells, the
    kinds of cells of a mixed column). ``scan``: what the workbook guard saw (None:
    nothing known): the XML it kept, searched while fastexcel reads the sheet in a
    thread (calamine lets the interpreter run).
    ``typed``: that reading, if the caller started it (``sheet_reader.start_typed``).
    ``sample_rows``: the rows fastexcel types each column from, if it starts it (None:
    every row)."""
    member = None if ods else _sheet_member(path, sheet)
    blocks = scan.xml.get(member) if scan is not None and member else None
    head = "" if not member else _kept_head(blocks) if blocks is not None else _head(path, member)
    general = not re.search(r"<c r=", head)
    error_parts = scan.error_parts if scan is not None else None
    with_errors = member is not None and (
        error_parts is None
        or member in error_parts
        or not member.lower().startswith("xl/worksheets/")  # a part the guard did not read
    )
    errors: list[tuple[int, int, str]] = []
    kinds: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    texts: dict[int, np.ndarray] = {}
    led = ([], []) if general else _led_by_sample(head)
    searched: tuple[list[int], list[int]] = ([], [])
    bools: dict[int, np.ndarray] = {}  # column -> rows of the boolean cells
    covered: list[int] = []  # the columns whose boolean cells were looked for
    # the columns led by numbers, dates or booleans: the cells of a kind their first
    # rows do not show (fastexcel, typing them from those rows, leaves them empty)
    foreign = _Foreign(_plain_kinds(head)) if not general else None
    with ThreadPoolExecutor(1) as pool:
        if typed is None and not ods:
            typed = pool.submit(typed_columns, reader, sheet, sample_rows)
        ahead = typed is not None and not general
        if blocks is not None and (with_errors or ahead):
            # meanwhile, in the XML the guard kept: the error cells, and in every column
            # the cells of the kind its first rows hold fewer of, so that the cells of
            # the columns fastexcel finds mixed are known when it is done
            searched = led if ahead else ([], [])
            # booleans among numbers (fastexcel makes 1.0 of TRUE): in the columns whose
            # first rows show both; elsewhere they are cells those rows do not show
            covered = _with_booleans(foreign.plain) if ahead and foreign is not None else []
            found, kinds, texts, bools = _scan_cells(
                blocks, *searched, general, booleans=covered, foreign=foreign if ahead else None
            )
            errors = found if with_errors else []
            with_errors = False
            if ahead and foreign is not None and not foreign.unsure:
                # the text of the text cells of the columns fastexcel may type, while it reads
                foreign.read_texts(texts, lambda: _shared_strings(path, scan))
        loaded = typed.result() if typed is not None else None
    if loaded is not None and not _starts_at_a1(head, loaded[0]):
        loaded = None
    settled: dict[int, tuple[np.ndarray, list[str]]] = {}
    every_row = False
    if loaded is not None:
        kept = blocks
        found_texts = _settle_sample(
            loaded[1],
            member,
            general,
            foreign,
            texts,
            lambda: kept if kept is not None else _member_blocks(path, member or ""),
            path,
            scan,
        )
        if found_texts is None:  # a cell the first rows do not tell: every row is read again
            loaded = typed_columns(reader, sheet, None)
            every_row = True
            if not _starts_at_a1(head, loaded[0]):
                loaded = None
        else:
            settled = found_texts
    few, many = _maybe_mixed(loaded[1]) if loaded else ([], [])
    if (few or many) and not general:
        few, many = _by_sample(led, few, many)
    kinds = {c: cells for c, cells in kinds.items() if c in few}
    texts = {c: cells for c, cells in texts.items() if c in many}
    # a mixed column searched the other way, or not at all (as many cells of each kind
    # in the first rows), is searched now
    few_left = [c for c in few if c not in searched[0]]
    many_left = [c for c in many if c not in searched[1]]
    # fastexcel makes a column of numbers and booleans a column of numbers (1.0 for
    # TRUE): its boolean cells are found in the XML too
    numeric = (
        [i for i, t in enumerate(loaded[1].schema.values()) if t.is_numeric()] if loaded else []
    )
    # read from the first rows, a column of numbers holds booleans only where those rows
    # show some; read from every row, anywhere
    sampled = ahead and not every_row and foreign is not None
    needed = _with_booleans(foreign.plain) if sampled and foreign is not None else numeric
    bools_left = [c for c in numeric if c in needed and c not in covered]
    if member and (few_left or many_left or with_errors or bools_left):
        chunks = blocks if blocks is not None else _member_blocks(path, member)
        found, more_kinds, more_texts, more_bools = _scan_cells(
            chunks, few_left, many_left, general, booleans=bools_left
        )
        errors += found if with_errors else []
        kinds.update(more_kinds)
        texts.update(more_texts)
        bools = {**bools, **more_bools}
    rows, columns = _declared_extent(head)
    if loaded is not None:
        infos, frame = loaded
        labels = _labels_from_columns(infos)
        _check_size(path, sheet, max(frame.width, columns), max(frame.height, rows), max_cells)
        frame = _pad_frame(frame, columns - frame.width, rows - 1 - frame.height)
        height = frame.height
        not_text: dict[int, np.ndarray] = {}
        booleans: dict[int, np.ndarray] = {}
        for column, (rows_of, flags) in kinds.items():
            not_text[column] = _at_rows(rows_of, height)
            # a cell written <c r="B2" s="1"></c> holds no value: empty, as for openpyxl
            not_text[column] &= frame[frame.columns[column]].is_not_null().to_numpy()
            if flags.any():
                booleans[column] = _at_rows(rows_of[flags], height)
        for column, rows_of in texts.items():
            rendered = frame[frame.columns[column]]
            not_text[column] = rendered.is_not_null().to_numpy() & ~_at_rows(rows_of, height)
            booleans[column] = (
                not_text[column] & rendered.is_in(["true", "false"]).fill_null(False).to_numpy()
            )
        for column in numeric:
            if bools and column in bools:
                filled = frame[frame.columns[column]].is_not_null().to_numpy()
                booleans[column] = _at_rows(bools[column], height) & filled
                not_text[column] = filled
        for column in many:  # no text cell at all
            if column not in texts:
                rendered = frame[frame.columns[column]]
                not_text[column] = rendered.is_not_null().to_numpy()
                booleans[column] = (
                    not_text[column] & rendered.is_in(["true", "false"]).fill_null(False).to_numpy()
                )
        for column, (rows_of_texts, _) in settled.items():
            for masks in (not_text, booleans):
                if column in masks:
                    masks[column][rows_of_texts] = False
        labels += [""] * (frame.width - len(labels))
        return LoadedSheet(
            labels, frame, [], frame.width, height, errors, not_text, booleans, settled
        )
    values = _calamine_values(path, sheet, max_cells)
    values += [[] for _ in range(rows - len(values))]
    width = max(max((len(r) for r in values), default=0), columns)
    labels = [_value_text(c, "any")[0].strip() for c in (values[0] if values else [])]
    labels += [""] * (width - len(labels))
    return LoadedSheet(labels, None, values[1:], width, max(len(values) - 1, 0), errors)


# How fastexcel writes out a number, a boolean or a date found in a text column: a
# text column none of whose values looks like one of these holds only text.
_RENDERED_NOT_TEXT = (
    r"^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?|true|false"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)$"
)


def _maybe_mixed(frame: pl.DataFrame) -> tuple[list[int], list[int]]:
    """The text columns that may hold numbers, booleans or dates, to look for in the
    XML: those where such values are few (their cells are looked for), and those where
    they are most (the text cells are looked for instead: fewer to go through)."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return [], []
    looks = frame.select(pl.col(text).str.contains(_RENDERED_NOT_TEXT).sum()).row(0)
    filled = frame.select(pl.col(text).count()).row(0)
    few: list[int] = []
    many: list[int] = []
    for name, hits, count in zip(text, looks, filled, strict=True):
        if hits:
            (many if hits * 2 > count else few).append(frame.columns.index(name))
    return few, many


_SAMPLE_CELL = re.compile(r'<c r="([A-Z]{1,3})[0-9]+"([^>]*?)(/?)>')
_TEXT_KIND = re.compile(r'\bt="(?:s|inlineStr|str)"')
_ERROR_KIND = re.compile(r'\bt="e"')


def _by_sample(
    led: tuple[list[int], list[int]], few: list[int], many: list[int]
) -> tuple[list[int], list[int]]:
    """``few`` and ``many`` again, each mixed column placed by the kinds of its cells in
    the sheet's first rows (``led``, see ``_led_by_sample``): the rarer kind is the one
    to look for; a column with as many of each stays where it was. The values
    fastexcel wrote fool ``_maybe_mixed`` on a column of codes typed as text (they look
    like numbers: every cell would be matched). Either way the cells found are exact."""
    led_by_text, led_by_other = led
    placed_few = [c for c in few + many if c in led_by_text or (c in few and c not in led_by_other)]
    placed_many = [c for c in few + many if c not in placed_few]
    return sorted(placed_few), sorted(placed_many)


def _led_by_sample(head: str) -> tuple[list[int], list[int]]:
    """Every column of the sheet's first rows (``head``), by the kind its cells are
    mostly of there: (text, other kinds). A column with as many cells of each kind is
    in neither."""
    text, other = _sample_kinds(head)
    columns = set(text) | set(other)
    led_by_text = sorted(c for c in columns if text.get(c, 0) > other.get(c, 0))
    led_by_other = sorted(c for c in columns if text.get(c, 0) < other.get(c, 0))
    return led_by_text, led_by_other


def _sample_kinds(head: str) -> tuple[dict[int, int], dict[int, int]]:
    """Column -> text cells, and column -> other cells (numbers, dates, booleans), in
    the sheet's first rows; empty and error cells are not counted."""
    text: dict[int, int] = {}
    other: dict[int, int] = {}
    for letters, attributes, empty in _SAMPLE_CELL.findall(head[head.find("<sheetData") :]):
        if empty:
            continue
        column = column_index(letters) - 1
        if _TEXT_KIND.search(attributes):
            text[column] = text.get(column, 0) + 1
        elif not _ERROR_KIND.search(attributes):
            other[column] = other.get(column, 0) + 1
    return text, other


_PLAIN_ROWS = 900
"""Rows of the head whose cells show the kinds a column is typed from (fastexcel's
sample is rows 2 to 1001: a margin is kept)."""
_PLAIN_CHARS = re.compile(r"[A-Za-z0-9 =\"':._-]*")
_PATCH_CAP = 5000
"""Text cells of typed columns read from the XML; beyond, every row is read again."""
_FOREIGN_XML = 128 * 1024 * 1024
"""XML kept to read those text cells from (as the guard keeps at most)."""


def _plain_kinds(head: str) -> dict[int, frozenset[str]]:
    """Column -> the attributes (after the reference, as written: `` s="1" t="n"``) of
    its cells in the head's first rows that hold a number, a date or a boolean: a cell
    further down written otherwise may be of another kind."""
    kinds: dict[int, set[str]] = {}
    odd: set[int] = set()
    for letters, row, attributes in _PLAIN_CELL.findall(head[head.find("<sheetData") :]):
        if int(row) > _PLAIN_ROWS:
            break
        if int(row) < 2 or attributes.endswith("/") or _TEXT_KIND.search(attributes):
            continue
        if _ERROR_KIND.search(attributes):
            continue
        column = column_index(letters) - 1
        if not _PLAIN_CHARS.fullmatch(attributes):
            odd.add(column)
        kinds.setdefault(column, set()).add(attributes)
    return {c: frozenset(k) for c, k in kinds.items() if c not in odd}


_PLAIN_CELL = re.compile(r'<c r="([A-Z]{1,3})([0-9]+)"([^>]*)>')


@dataclass
class _Foreign:
    """The search, in columns that fastexcel may type from their first rows, of the
    cells those rows do not show (``_foreign_tags``)."""

    plain: dict[int, frozenset[str]]
    """Column -> the attributes of its cells in the first rows (``_plain_kinds``)."""
    searched: set[int] = field(default_factory=set)
    """Columns searched."""
    odd: set[int] = field(default_factory=set)
    """Columns with a cell that is neither text, nor an error, nor written as a cell
    of their first rows."""
    groups: dict[int, pl.Series] = field(default_factory=dict)
    """The XML (as polars text) of the groups holding text cells of those columns, by
    their place in the sheet."""
    unsure: bool = False
    """Some XML was searched by Python's regular expressions (no such search there),
    or more of it held text cells than ``_FOREIGN_XML`` bytes."""
    size: int = 0
    """Bytes of XML in ``groups``."""
    read: dict[tuple[int, int], str | None] = field(default_factory=dict)
    """(column, sheet row) -> the text of a text cell found, None if it is written in a
    way not read here (``_text_cells``)."""

    def read_texts(self, texts: dict[int, np.ndarray], strings: Callable[[], bytes | None]) -> None:
        """The text of the text cells ``texts`` (column -> sheet rows) of the columns
        searched, unless they are too many (such a column is typed as text)."""
        wanted: dict[int, np.ndarray] = {}
        total = 0
        for c, rows in sorted(texts.items(), key=lambda item: len(item[1])):
            rows = rows[rows >= 2]
            if c in self.searched and len(rows) and total + len(rows) <= _PATCH_CAP:
                wanted[c] = rows
                total += len(rows)
        if wanted:
            self.read.update(_text_cells(list(self.groups.values()), wanted, strings))


def _with_booleans(plain: dict[int, frozenset[str]]) -> list[int]:
    """The columns whose first rows show booleans and other cells (``_plain_kinds``)."""
    return sorted(
        c
        for c, kinds in plain.items()
        if any(_BOOLEAN_KIND.search(k) for k in kinds)
        and any(not _BOOLEAN_KIND.search(k) for k in kinds)
    )


_BOOLEAN_KIND = re.compile(r'\bt="b"')


def _escaped(text: str) -> str:
    return text.replace(".", "\\.")


def _class_escaped(chars: set[str]) -> str:
    return "".join("\\-" if c == "-" else c for c in sorted(chars))


def _unlike(words: frozenset[str]) -> str:
    """A pattern of the attribute texts, up to and with the tag's ``>``, that are none
    of ``words`` (each written without lookaround: a prefix of a word, then a
    character none of them has there, or the tag's end too soon)."""
    ended = {w + ">" for w in words}
    alternatives = []
    prefixes = {w[:i] for w in ended for i in range(len(w))}
    for prefix in sorted(prefixes):
        after = {w[len(prefix)] for w in ended if w.startswith(prefix) and len(w) > len(prefix)}
        alternatives.append(f"{_escaped(prefix)}[^{_class_escaped(after | {'>'})}][^>]*>")
        if ">" not in after:
            alternatives.append(f"{_escaped(prefix)}>")
    return "(?:" + "|".join(alternatives) + ")"


def _foreign_tags(columns: list[int], plain: dict[int, frozenset[str]]) -> str:
    """The opening tags of the cells of ``columns`` not written as a cell of their
    first rows (every tag of a column with no such cell)."""
    alternatives = []
    for column in columns:
        letters = column_letters(column + 1).decode()
        words = plain.get(column)
        rest = _unlike(words) if words else "[^>]*>"
        alternatives.append(f'{letters}[0-9]+"{rest}')
    return '<c r="(?:' + "|".join(alternatives) + ")"


def _at_rows(rows: np.ndarray, height: int) -> np.ndarray:
    """A mask of the frame's ``height`` data rows, true at the sheet rows ``rows`` (row 2
    is the first data row; rows outside the frame are left out)."""
    index = rows - 2
    mask = np.zeros(height, dtype=bool)
    mask[index[(index >= 0) & (index < height)]] = True
    return mask


def _pad_frame(frame: pl.DataFrame, columns: int, rows: int) -> pl.DataFrame:
    """The frame widened and lengthened with empty cells, to the sheet's declared
    dimension (cells with a style and no value count, as openpyxl reads them)."""
    if columns > 0:
        frame = frame.with_columns(
            pl.lit(None, dtype=pl.String).alias(f"__pad{i}") for i in range(columns)
        )
    if rows > 0:
        frame = pl.concat([frame, frame.clear(rows)])
    return frame


def _head(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        return stream.read(65536).decode("utf-8", errors="replace")


def _kept_head(blocks: list[bytes]) -> str:
    """``_head`` of a part whose blocks the guard kept."""
    head = b""
    for block in blocks:
        head += block[: 65536 - len(head)]
        if len(head) >= 65536:
            break
    return head.decode("utf-8", errors="replace")


def _declared_extent(head: str) -> tuple[int, int]:
    """(last row, last column) of the sheet's declared dimension, (0, 0) if none."""
    match = re.search(r'<(?:\w+:)?dimension ref="[A-Z]+\d+:([A-Z]+)(\d+)"', head)
    if not match:
        return 0, 0
    return int(match.group(2)), column_index(match.group(1))


def sheet_text(loaded: LoadedSheet, types: list[str]) -> SheetText:
    """The sheet's data as text, each column according to its Table Schema type in
    ``types`` (by position; ``any`` past its end)."""
    width, height = loaded.width, loaded.height
    if loaded.typed is not None:
        text = _typed_to_text(loaded.typed, types)
        _mixed_columns(text, loaded, types)
        for index, (rows, values) in loaded.texts.items():
            # fastexcel may have made a number of a text (« 12 ») or a boolean: the
            # cell's type is not refused
            name = f"c{index}"
            cells = pl.Series(name, values, dtype=pl.String)
            text.frame = text.frame.with_columns(text.frame[name].scatter(rows, cells))
            if index in text.forced:
                text.forced[index][rows] = False
    else:
        text = _values_to_text(loaded.values, width, types)
    formula: dict[int, np.ndarray] = {}
    if loaded.errors:
        updates: dict[int, dict[int, str]] = {}
        for row, column, code in loaded.errors:
            if 0 <= row - 2 < height and column < width:  # row 1 is the header
                updates.setdefault(column, {})[row - 2] = code
                formula.setdefault(column, np.zeros(height, dtype=bool))[row - 2] = True
        columns = []
        for index, series in enumerate(text.frame.get_columns()):
            if index in updates:
                values = series.to_list()
                for row, code in updates[index].items():
                    values[row] = code
                series = pl.Series(series.name, values, dtype=pl.String)
            columns.append(series)
        text.frame = pl.DataFrame(columns)
    blank = np.ones(height, dtype=bool)
    for series in text.frame.get_columns():
        blank &= (series == "").to_numpy()
    for mask in formula.values():
        blank &= ~mask
    text.counts = np.where(blank, 0, width).astype(np.int64)
    text.labels = loaded.labels
    text.formula_errors = formula
    for column, mask in formula.items():
        text.forced[column] = text.forced.get(column, np.zeros(height, dtype=bool)) | mask
    return text


def _check_size(path: Path, sheet: str, width: int, height: int, max_cells: int) -> None:
    if width * height > max_cells:
        raise UnusableInput(
            f"La feuille « {sheet} » de {path.name} est trop grande ({height} lignes × "
            f"{width} colonnes)."
        )


# --- the fast path: one kind of cell per column ---------------------------------------


def _labels_from_columns(infos: list[Any]) -> list[str]:
    """The header cells, from fastexcel's column names: a generated name is a blank
    cell, and the suffix ``_N`` it adds to a repeated name is taken off again."""
    labels: list[str] = []
    for info in infos:
        name = str(info.name)
        if info.column_name_from == "generated":
            labels.append("")
            continue
        match = re.fullmatch(r"(.*)_(\d+)", name, flags=re.S)
        if match and match.group(1) in labels:
            name = match.group(1)
        labels.append(name.strip())
    return labels


def _starts_at_a1(head: str, infos: list[Any]) -> bool:
    """Whether the sheet's cells start at A1 (fastexcel leaves out leading empty rows
    and columns, frictionless does not)."""
    if any(info.absolute_index != i for i, info in enumerate(infos)):
        return False
    first = re.search(r"<(?:\w+:)?c\b([^>]*?)(/?)>", head[head.find("sheetData") :])
    if not first or not re.search(r'\br="A1"', first.group(1)):
        return False
    return not first.group(2)  # <c r="A1"/>: an empty first cell


def _typed_to_text(frame: pl.DataFrame, types: list[str]) -> SheetText:
    exprs = []
    forced: dict[int, np.ndarray] = {}
    refused_cols: list[int] = []
    for index, (name, dtype) in enumerate(frame.schema.items()):
        ftype = types[index] if index < len(types) else "any"
        col = pl.col(name)
        refused = False
        if dtype == pl.String:
            expr = col
        elif dtype.is_numeric():
            as_float = col.cast(pl.Float64)
            integral = (as_float == as_float.floor()) & (as_float.abs() < 1e16)
            expr = (
                pl.when(integral)
                .then(as_float.cast(pl.Int64).cast(pl.String))
                .otherwise(_float_text(as_float))
            )
            if ftype == "year":  # frictionless takes a whole number 0..9999 as a year
                expr = (
                    pl.when(integral & (as_float >= 0) & (as_float <= 9999))
                    .then(as_float.cast(pl.Int64).cast(pl.String).str.zfill(4))
                    .otherwise(expr)
                )
            refused = ftype in ("string", "boolean")
        elif dtype == pl.Boolean:
            expr = pl.when(col).then(pl.lit("true")).when(~col).then(pl.lit("false"))
            refused = ftype not in ("boolean", "any")
        elif dtype == pl.Datetime:
            expr = _datetime_text(col, ftype)
            refused = ftype == "string"
        elif dtype == pl.Date:
            expr = col.dt.strftime("%Y-%m-%dT00:00:00" if ftype == "datetime" else "%Y-%m-%d")
            refused = ftype == "string"
        elif dtype == pl.Duration:
            expr = col.map_elements(
                functools.partial(_duration_text, kind=ftype), return_dtype=pl.String
            )
            refused = ftype == "string"
        else:
            expr = col.cast(pl.String)
        exprs.append(expr.fill_null("").alias(f"c{index}"))
        if refused:
            refused_cols.append(index)
    # lazily: the text written once for the several cuts made of it (date, time)
    out = frame.lazy().select(exprs).collect() if exprs else pl.DataFrame()
    for index in refused_cols:
        forced[index] = frame.get_column(frame.columns[index]).is_not_null().to_numpy()
    return SheetText(labels=[], frame=out, counts=np.zeros(0, dtype=np.int64), forced=forced)


def _mixed_columns(text: SheetText, loaded: LoadedSheet, types: list[str]) -> None:
    """The cells of mixed columns that are not text (found in the XML): their text as
    ``cell_text`` writes it, and the type errors the field's type makes of them. Only
    those cells are looked at (they are usually few)."""
    for index, not_text in loaded.not_text.items():
        ftype = types[index] if index < len(types) else "any"
        rows = np.flatnonzero(not_text)
        if not rows.size:
            continue
        name = f"c{index}"
        values = text.frame[name].gather(rows)
        booleans = loaded.booleans.get(index, np.zeros(loaded.height, dtype=bool))
        # a boolean in a column of numbers, which fastexcel made 1 or 0
        numbers = pl.Series(booleans[rows]) & values.is_in(["1", "0"])
        dates = values.str.contains(RENDERED_DATETIME)
        years = values.str.contains(r"^[0-9]{1,4}$") & (ftype == "year")
        if dates.any() or (values == "-0").any() or years.any() or numbers.any():
            # otherwise every cell is written as fastexcel wrote it; a date-time without
            # a fraction of a second is rewritten from that text, the others are parsed
            # (1 µs a cell)
            whole = dates & whole_seconds(values)
            moments = (
                pl.when(dates & ~whole)
                .then(values)
                .otherwise(None)
                .str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False)
            )
            written = (
                pl.DataFrame({"r": values, "d": dates, "w": whole, "y": years, "b": numbers})
                .with_columns(m=moments)
                .select(
                    pl.when(pl.col("b"))
                    .then(
                        pl.when(pl.col("r") == "1").then(pl.lit("true")).otherwise(pl.lit("false"))
                    )
                    .when(pl.col("w"))
                    .then(_whole_datetime_text(pl.col("r"), ftype))
                    .when(pl.col("d"))
                    .then(_datetime_text(pl.col("m"), ftype))
                    .when(pl.col("r") == "-0")
                    .then(pl.lit("0"))
                    .when(pl.col("y"))
                    .then(pl.col("r").str.zfill(4))
                    .otherwise(pl.col("r"))
                )
                .to_series()
            )
            text.frame = text.frame.with_columns(text.frame[name].scatter(rows, written))
        if ftype == "string":
            refused = not_text
        elif ftype == "boolean":
            refused = not_text & ~booleans
            if index in text.forced:  # a column of numbers: its booleans are not refused
                text.forced[index] &= ~booleans
        elif ftype != "any":
            refused = booleans
        else:
            continue
        if refused.any():
            text.forced[index] = text.forced.get(index, np.zeros(loaded.height, bool)) | refused


def _settle_sample(
    frame: pl.DataFrame,
    member: str | None,
    general: bool,
    foreign: _Foreign | None,
    texts: dict[int, np.ndarray],
    chunks_of: Callable[[], Iterable[bytes]],
    path: Path,
    scan: WorkbookScan | None,
) -> dict[int, tuple[np.ndarray, list[str]]] | None:
    """The text cells of the columns fastexcel typed from their first rows
    (``SAMPLE_ROWS``), which it left empty: column -> (rows of the frame, texts).
    None when a cell further down may be of a kind that is neither text nor one of
    those rows' kinds, or its text cannot be read here: every row must then be read.
    ``texts``: the rows of the text cells of the columns ``foreign`` searched."""
    height = frame.height
    typed: list[int] = []
    for index, (name, dtype) in enumerate(frame.schema.items()):
        column = frame.get_column(name)
        if dtype != pl.String:
            typed.append(index)
        elif column.null_count() < height and column.head(SAMPLE_ROWS).null_count() == min(
            height, SAMPLE_ROWS
        ):
            return None  # empty in the first rows, filled further down
    if not typed:
        return {}
    if general or member is None or foreign is None:
        return None
    texts = dict(texts)
    if left := [c for c in typed if c not in foreign.searched]:
        texts.update(_scan_cells(chunks_of(), [], left, foreign=foreign)[2])
    if foreign.unsure or foreign.odd.intersection(typed):
        return None
    wanted = {c: texts[c][texts[c] >= 2] for c in typed if c in texts}
    wanted = {c: rows for c, rows in wanted.items() if len(rows)}
    if not wanted:
        return {}
    if sum(len(rows) for rows in wanted.values()) > _PATCH_CAP:
        return None
    missing = {
        c: rows for c, rows in wanted.items() if any((c, int(r)) not in foreign.read for r in rows)
    }
    if missing:
        foreign.read.update(
            _text_cells(list(foreign.groups.values()), missing, lambda: _shared_strings(path, scan))
        )
    settled: dict[int, tuple[np.ndarray, list[str]]] = {}
    for c, rows in wanted.items():
        values = [foreign.read.get((c, int(r))) for r in rows]
        if any(v is None for v in values):
            return None
        settled[c] = (rows - 2, [v for v in values if v is not None])
    return settled


def _text_cells(
    groups: list[pl.Series],
    wanted: dict[int, np.ndarray],
    strings: Callable[[], bytes | None],
) -> dict[tuple[int, int], str | None]:
    """(column, row) -> the text of each text cell of ``wanted`` (column -> sheet rows)
    found in the XML of ``groups``; None for one written in a way not read here."""
    references = [
        f"{column_letters(c + 1).decode()}{r}" for c, rows in wanted.items() for r in rows.tolist()
    ]
    pattern = '(?s)<c r="(?:' + "|".join(references) + ')"[^>]*>.*?</c>'
    elements = pl.concat([g.str.extract_all(pattern) for g in groups]).explode().drop_nulls()
    found: dict[tuple[int, int], str | None] = {}
    table: _SharedStrings | None = None
    for element in elements.to_list():
        letters, row = _REFERENCE.match(element, 6).groups()  # type: ignore[union-attr]
        key = (column_index(letters) - 1, int(row))
        if key in found or "_x" in element or "\r" in element:
            # twice the same cell; escapes and carriage returns, which fastexcel reads
            # its own way
            found[key] = None
            continue
        try:
            cell = ElementTree.fromstring(element)
        except ElementTree.ParseError:
            found[key] = None
            continue
        kind = cell.get("t")
        value = cell.find("v")
        text: str | None
        if kind == "inlineStr":
            inline = cell.find("is")
            text = _rich_text(inline) if inline is not None else None
        elif kind == "str":
            text = value.text or "" if value is not None else ""
        elif kind == "s" and value is not None and (value.text or "").isdigit():
            if table is None:
                table = _SharedStrings(strings())
            text = table.get(int(value.text or ""))
        else:
            text = None
        found[key] = text
    return found


_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]+)")


def _rich_text(item: ElementTree.Element) -> str | None:
    """The text of a string item (``<si>``, ``<is>``) as fastexcel reads it: its
    ``<t>``, or its runs', each stripped of the spaces, tabs and line breaks around it
    unless it says ``xml:space="preserve"``; phonetic runs left out. None for an
    element not expected there."""
    parts: list[str] = []
    for child in item:
        if child.tag == "t":
            parts.append(_run_text(child))
        elif child.tag == "r":
            parts += [_run_text(t) for t in child if t.tag == "t"]
        elif child.tag not in ("rPh", "phoneticPr"):
            return None
    return "".join(parts)


_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _run_text(element: ElementTree.Element) -> str:
    text = element.text or ""
    return text if element.get(_XML_SPACE) == "preserve" else text.strip(" \t\r\n")


class _SharedStrings:
    """The workbook's shared strings, found by their position when first asked."""

    _ITEM = re.compile(rb"<si(?:\s[^>]*)?(?:/>|>(.*?)</si>)", re.S)

    def __init__(self, xml: bytes | None) -> None:
        self._items = self._ITEM.finditer(xml) if xml is not None else iter(())
        self._seen: list[bytes] = []

    def get(self, index: int) -> str | None:
        for match in self._items:
            self._seen.append(match.group(1) or b"")
            if len(self._seen) > index:
                break
        if index >= len(self._seen):
            return None
        body = self._seen[index]
        if b"_x" in body or b"\r" in body:
            return None
        try:
            return _rich_text(ElementTree.fromstring(b"<si>" + body + b"</si>"))
        except ElementTree.ParseError:
            return None


def _shared_strings(path: Path, scan: WorkbookScan | None) -> bytes | None:
    """The XML of the workbook's shared strings (kept by the guard, or read again)."""
    for name, blocks in (scan.xml if scan is not None else {}).items():
        if name.lower() == "xl/sharedstrings.xml":
            return b"".join(blocks)
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.lower() == "xl/sharedstrings.xml":
                    return archive.read(name)  # sized by the guard
    except (zipfile.BadZipFile, OSError):
        return None
    return None


def _float_text(value: pl.Expr) -> pl.Expr:
    """Python's ``repr`` of a float (``1e+20``, ``1e-07``), which frictionless shows."""
    text = value.cast(pl.String)
    mantissa = text.str.extract(r"^([^e]*)e", 1)
    exponent = text.str.extract(r"e(-?)(\d+)$", 2).cast(pl.Int64)
    sign = pl.when(text.str.contains("e-")).then(pl.lit("-")).otherwise(pl.lit("+"))
    return (
        pl.when(text.str.contains("e"))
        .then(mantissa + pl.lit("e") + sign + exponent.cast(pl.String).str.zfill(2))
        .otherwise(text)
    )


def _whole_datetime_text(rendered: pl.Expr, ftype: str) -> pl.Expr:
    """``_datetime_text`` of a date-time fastexcel wrote out ``AAAA-MM-JJ hh:mm:ss``
    (whole seconds), cut from that text."""
    day, clock = day_and_clock(rendered)
    full = day + pl.lit("T") + clock
    if ftype == "datetime":
        return full
    return (
        pl.when(clock == "00:00:00").then(day).when(day == "1899-12-31").then(clock).otherwise(full)
    )


def _datetime_text(col: pl.Expr, ftype: str) -> pl.Expr:
    """As openpyxl's values read by frictionless: midnight is a date (except in a
    ``datetime`` field), a time alone (a day-zero date) is a time. The text is written
    once, and cut (a fraction of a second is written only where there is one)."""
    whole = col.dt.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = col.dt.microsecond() != 0
    full = whole + pl.when(fraction).then(col).dt.strftime("%.6f").fill_null("")
    if ftype == "datetime":
        return full
    return (
        pl.when(whole.str.ends_with("T00:00:00") & ~fraction)
        .then(whole.str.slice(0, 10))
        .when(whole.str.starts_with("1899-12-31"))
        .then(whole.str.slice(11, 8))
        .otherwise(full)
    )


# --- the exact path: every cell's value ------------------------------------------------


def _calamine_values(path: Path, sheet: str, max_cells: int) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        data = workbook.get_sheet_by_name(sheet)
        _check_size(path, sheet, data.total_width, data.total_height, max_cells)
        return data.to_python(skip_empty_area=False)
    except UnusableInput:
        raise
    except Exception as error:
        raise UnusableInput(
            f"Le classeur {path.name} est illisible (fichier tronqué ou corrompu : "
            f"{_first_line(error)}). Réenregistrez-le depuis votre tableur, ou exportez-le en "
            "CSV UTF-8."
        ) from error


def _values_to_text(rows: list[list[Any]], width: int, types: list[str]) -> SheetText:
    columns: list[list[str]] = [[] for _ in range(width)]
    forced: dict[int, np.ndarray] = {}
    kinds = [types[i] if i < len(types) else "any" for i in range(width)]
    for number, row in enumerate(rows):
        for index in range(width):
            text, bad = _value_text(row[index] if index < len(row) else None, kinds[index])
            columns[index].append(text)
            if bad:
                forced.setdefault(index, np.zeros(len(rows), dtype=bool))[number] = True
    frame = pl.DataFrame(
        {f"c{i}": values for i, values in enumerate(columns)},
        schema={f"c{i}": pl.String for i in range(width)},
    )
    return SheetText(labels=[], frame=frame, counts=np.zeros(0, dtype=np.int64), forced=forced)


def _duration_text(value: Any, kind: str) -> str:
    return _value_text(value, kind)[0]


def _value_text(cell: Any, ftype: str) -> tuple[str, bool]:
    from .reading import cell_text

    return cell_text(cell, ftype)


# --- Excel error cells -------------------------------------------------------------------


def _sheet_member(path: Path, sheet: str) -> str | None:
    """The zip member holding the XML of sheet ``sheet`` of an XLSX workbook."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        with zipfile.ZipFile(path) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            names = set(archive.namelist())
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError):
        return None
    target_of = {r.get("Id"): r.get("Target", "") for r in rels}
    for element in book.iter(f"{main}sheet"):
        if element.get("name") != sheet:
            continue
        target = target_of.get(element.get(f"{rel_ns}id"), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        member = re.sub(r"[^/]+/\.\./", "", member)
        return member if member in names else None
    return None


_ERROR_CELL = re.compile(
    rb'<(?:\w+:)?c\b(?=[^>]*\bt="e")[^>]*\br="([A-Z]+)(\d+)"[^>]*(?<!/)>(.*?)</(?:\w+:)?c>', re.S
)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _not_text_cell(columns: list[int], general: bool) -> re.Pattern[bytes]:
    """A cell of one of ``columns`` holding a number, a date or a boolean: neither
    text (``s``, ``inlineStr``, ``str``) nor an error, and not empty (``<c .../>``).

    Every writer we know puts ``r`` first (``<c r="B2" s="1" t="s">``): the pattern
    then starts with a literal the regular expression engine looks for quickly;
    ``general`` allows any order, at a higher cost."""
    letters = b"|".join(column_letters(c + 1) for c in columns)
    if general:
        return re.compile(
            rb'<(?:\w+:)?c\b(?=[^>]*\br="(' + letters + rb')(\d+)")'
            rb'(?![^>]*\bt="(?:s|inlineStr|str|e)")([^>]*?)(?<!/)>'
        )
    return re.compile(
        rb'<c r="(' + letters + rb')(\d+)"(?![^>]*\bt="(?:s|inlineStr|str|e)")([^>]*?)(?<!/)>'
    )


def _text_cell(columns: list[int], general: bool) -> re.Pattern[bytes]:
    """A text cell (``s``, ``inlineStr``, ``str``) of one of ``columns``."""
    letters = b"|".join(column_letters(c + 1) for c in columns)
    if general:
        return re.compile(
            rb'<(?:\w+:)?c\b(?=[^>]*\br="(' + letters + rb')(\d+)")'
            rb'(?=[^>]*\bt="(?:s|inlineStr|str)")'
        )
    return re.compile(rb'<c r="(' + letters + rb')(\d+)"(?=[^>]*\bt="(?:s|inlineStr|str)")')


def _member_blocks(path: Path, member: str) -> Iterator[bytes]:
    """The decompressed blocks of a zip member, read in turn."""
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        while block := stream.read(_SCAN_BLOCK):
            yield block


def _row_chunks(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """The sheet's XML in pieces cut before a ``<row`` (no cell is cut in two)."""
    carry = b""
    for block in blocks:
        data = carry + block
        cut = data.rfind(b"<row")
        cut = cut if cut > 0 else len(data)
        yield data[:cut]
        carry = data[cut:]
    yield carry


_SCAN_GROUP = 16 << 20
"""Bytes of XML searched by polars in one call (a sheet that was not kept is read as
it is searched: memory stays bounded)."""

_Cells = tuple[list[tuple[int, int, str]], list[np.ndarray], list[np.ndarray], list[np.ndarray]]


def _scan_cells(
    blocks: Iterable[bytes],
    few: list[int],
    many: list[int],
    general: bool = False,
    booleans: bool | list[int] = False,
    foreign: _Foreign | None = None,
) -> tuple[
    list[tuple[int, int, str]],
    dict[int, tuple[np.ndarray, np.ndarray]],
    dict[int, np.ndarray],
    dict[int, np.ndarray],
]:
    """One pass over the sheet's XML: the Excel error cells (row, column, code); for
    the columns ``few``, the cells that are not text (their rows, and whether each is
    a boolean); for the columns ``many``, the rows of the text cells; the rows of the
    boolean cells of the columns ``booleans`` (True: every column). With ``foreign``, the columns
    ``many`` are searched for every cell not written as in their first rows, which
    ``foreign`` records (the text cells among them are the rows returned).

    The searches are polars' (compiled, run without the interpreter's lock, so that
    fastexcel's reading goes on beside them); XML that is not UTF-8, or whose cells do
    not start with their reference (``general``), goes through Python's."""
    errors: list[tuple[int, int, str]] = []
    few_parts: list[np.ndarray] = []
    many_parts: list[np.ndarray] = []
    bool_parts: list[np.ndarray] = []
    if foreign is not None:
        foreign.searched.update(many)
    for place, group in enumerate(_groups(_row_chunks(blocks))):
        found = None if general else _polars_cells(group, few, many, booleans, foreign, place)
        if found is None:
            found = _python_cells(group, few, many, general, booleans)
            if foreign is not None:
                foreign.unsure = True
        errors += found[0]
        few_parts += found[1]
        many_parts += found[2]
        bool_parts += found[3]
    kinds: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    if few_parts:
        columns, rows, flags = np.concatenate(few_parts, axis=1)
        for column in np.unique(columns):
            mine = columns == column
            kinds[int(column)] = (rows[mine], flags[mine].astype(bool))
    texts: dict[int, np.ndarray] = {}
    if many_parts:
        columns, rows = np.concatenate(many_parts, axis=1)
        for column in np.unique(columns):
            texts[int(column)] = rows[columns == column]
    bools: dict[int, np.ndarray] = {}
    if bool_parts:
        columns, rows = np.concatenate(bool_parts, axis=1)
        for column in np.unique(columns):
            bools[int(column)] = rows[columns == column]
    return errors, kinds, texts, bools


def _groups(chunks: Iterable[bytes]) -> Iterator[list[bytes]]:
    group: list[bytes] = []
    size = 0
    for chunk in chunks:
        group.append(chunk)
        size += len(chunk)
        if size >= _SCAN_GROUP:
            yield group
            group, size = [], 0
    if group:
        yield group


def _letters_alternation(columns: list[int]) -> str:
    return "|".join(column_letters(c + 1).decode() for c in columns)


def _not_text_tag(letters: str) -> str:
    """The opening tag of a cell of the columns ``letters`` (an alternation) in whose
    attributes no ``t="`` is followed by ``s``, ``i`` or ``e`` (text, ``inlineStr``,
    error): ``_not_text_cell`` without lookaround, where every value of ``t`` is one of
    the standard ones and starts a word (else see ``_ODD_KIND``). Each ``t`` starts
    a run that ends on a character that cannot open ``t="s``; a run ending on ``=`` or
    ``"`` is followed by another run or by the tag's end."""
    normal = "[^>t]"
    closed = 't+(?:[^>t=]|=[^>t"]|="[^>tsie])'
    open_ = 't+="?'
    return f'<c r="(?:{letters})[0-9]+"(?:{normal}|(?:{open_})*{closed})*(?:{open_})*t*>'


def _odd_kind() -> str:
    """Where ``_not_text_tag`` and ``_not_text_cell`` could disagree: a ``t="s``,
    ``t="i`` or ``t="e`` glued to a letter before it (not an attribute ``t``), or whose
    value is not exactly ``s``, ``inlineStr``, ``str`` or ``e``."""
    word = "nlineStr"
    inline = "|".join(f"{word[:k]}[^{word[k]}]" for k in range(len(word)))
    return (
        r'(?-u:\B)t="[sie]'
        rf'|t="(?:s(?:[^"t]|t[^r]|tr[^"])|e[^"]|i(?:{inline}|{word}[^"]))'
    )


_ODD_KIND = _odd_kind()
_TEXT_OR_ERROR = r'(?-u:\b)t="(?:s|inlineStr|str|e)"'
_TEXT_TAG = r'(?-u:\b)t="(?:s|inlineStr|str)"'
_ERROR_TAG = r'(?-u:\b)t="e"'


def _polars_cells(
    group: list[bytes],
    few: list[int],
    many: list[int],
    booleans: bool | list[int] = False,
    foreign: _Foreign | None = None,
    place: int = 0,
) -> _Cells | None:
    """``_python_cells`` by polars' regular expressions, which have no lookaround. In
    the columns ``few``, the opening tags of the cells that are not text are taken out
    (``_not_text_tag``; where the XML is odd, every tag, then those of text or of an
    error are left out), the empty ones left; in the columns ``many``, the text cells
    are found at once. None if the XML is not UTF-8."""
    try:
        text = pl.Series(group, dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:
        return None
    errors: list[tuple[int, int, str]] = []
    for position in np.flatnonzero(text.str.contains('t="e"', literal=True).to_numpy()):
        errors += _error_cells(group[position])
    few_parts: list[np.ndarray] = []
    many_parts: list[np.ndarray] = []
    if few:
        letters = _letters_alternation(few)
        odd = text.str.contains(_ODD_KIND)
        tags = pl.concat(
            [
                text.filter(~odd).str.extract_all(_not_text_tag(letters)),
                text.filter(odd).str.extract_all(f'<c r="(?:{letters})[0-9]+"[^>]*>'),
            ]
        )
        tags = tags.explode().drop_nulls()
        tags = tags.filter(~tags.str.contains(_TEXT_OR_ERROR) & ~tags.str.ends_with("/>"))
        if len(tags):
            columns, rows = _references(tags, few)
            flags = tags.str.contains('t="b"', literal=True).to_numpy()
            few_parts.append(np.stack([columns, rows, flags.astype(np.int64)]))
    if many and foreign is not None:
        tags = text.str.extract_all(_foreign_tags(many, foreign.plain)).explode().drop_nulls()
        tags = tags.filter(~tags.str.ends_with("/>") & ~tags.str.contains(_ERROR_TAG))
        texts = tags.str.contains(_TEXT_TAG)
        if texts.any():
            many_parts.append(np.stack(_references(tags.filter(texts), many)))
            if place not in foreign.groups:
                foreign.size += sum(map(len, group))
                foreign.unsure |= foreign.size > _FOREIGN_XML
            foreign.groups[place] = text
        if not texts.all():  # the header row is not typed
            columns, rows = _references(tags.filter(~texts), many)
            foreign.odd.update(columns[rows >= 2].tolist())
    elif many:
        letters = _letters_alternation(many)
        tags = text.str.extract_all(
            f'<c r="(?:{letters})[0-9]+"[^>]*(?-u:\\b)t="(?:s|inlineStr|str)"'
        )
        tags = tags.explode().drop_nulls()
        if len(tags):
            many_parts.append(np.stack(_references(tags, many)))
    bool_parts: list[np.ndarray] = []
    if booleans:
        with_booleans = text.filter(text.str.contains('t="b"', literal=True))
        letters = "[A-Z]+" if booleans is True else f"(?:{_letters_alternation(booleans)})"
        tags = with_booleans.str.extract_all(f'<c r="{letters}[0-9]+"[^>]*(?-u:\\b)t="b"')
        tags = tags.explode().drop_nulls()
        if len(tags):
            bool_parts.append(np.stack(_references(tags)))
    return errors, few_parts, many_parts, bool_parts


def _references(tags: pl.Series, columns: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(column index, row) of each cell's opening tag in ``tags`` (``<c r="B12"...``),
    all of one of ``columns`` if given."""
    parts = tags.str.extract_groups(r'^<c r="([A-Z]+)([0-9]+)"').struct.unnest()
    if columns is None:
        index = {name: column_index(name) - 1 for name in parts.to_series(0).unique()}
    else:
        index = {column_letters(c + 1).decode(): c for c in columns}
    letters = parts.to_series(0).replace_strict(index, return_dtype=pl.Int64)
    return letters.to_numpy(), parts.to_series(1).cast(pl.Int64).to_numpy()


def _python_cells(
    group: list[bytes],
    few: list[int],
    many: list[int],
    general: bool,
    booleans: bool | list[int] = False,
) -> _Cells:
    """``_scan_cells``'s searches in one group of pieces of the XML, by Python's
    regular expressions."""
    errors: list[tuple[int, int, str]] = []
    found: list[tuple[bytes, bytes, bytes]] = []
    found_text: list[tuple[bytes, bytes]] = []
    pattern = _not_text_cell(few, general) if few else None
    text_pattern = _text_cell(many, general) if many else None
    found_bool: list[tuple[bytes, bytes]] = []
    bool_pattern = _BOOLEAN_GENERAL if general else _BOOLEAN
    for data in group:
        if b't="e"' in data:
            errors.extend(_error_cells(data))
        if booleans and b't="b"' in data:
            found_bool.extend(bool_pattern.findall(data))
        if pattern is not None:
            found.extend(pattern.findall(data))
        if text_pattern is not None:
            found_text.extend(text_pattern.findall(data))
    index = {column_letters(c + 1): c for c in few + many}
    few_parts: list[np.ndarray] = []
    if found:
        columns = np.fromiter((index[f[0]] for f in found), dtype=np.int64, count=len(found))
        rows = np.fromiter((int(f[1]) for f in found), dtype=np.int64, count=len(found))
        flags = np.fromiter((b't="b"' in f[2] for f in found), dtype=np.int64, count=len(found))
        few_parts.append(np.stack([columns, rows, flags]))
    many_parts: list[np.ndarray] = []
    if found_text:
        columns = np.fromiter((index[f[0]] for f in found_text), np.int64, len(found_text))
        rows = np.fromiter((int(f[1]) for f in found_text), np.int64, len(found_text))
        many_parts.append(np.stack([columns, rows]))
    bool_parts: list[np.ndarray] = []
    if found_bool:
        columns = np.fromiter(
            (column_index(f[0]) - 1 for f in found_bool), np.int64, len(found_bool)
        )
        rows = np.fromiter((int(f[1]) for f in found_bool), np.int64, len(found_bool))
        if booleans is not True:
            mine = np.isin(columns, booleans)
            columns, rows = columns[mine], rows[mine]
        bool_parts.append(np.stack([columns, rows]))
    return errors, few_parts, many_parts, bool_parts


_BOOLEAN = re.compile(rb'<c r="([A-Z]+)(\d+)"(?=[^>]*\bt="b")')
_BOOLEAN_GENERAL = re.compile(rb'<(?:\w+:)?c\b(?=[^>]*\br="([A-Z]+)(\d+)")(?=[^>]*\bt="b")')


def _error_cells(data: bytes) -> list[tuple[int, int, str]]:
    cells = []
    for match in _ERROR_CELL.finditer(data):
        value = _VALUE.search(match.group(3))
        code = value.group(1).decode("utf-8", errors="replace") if value else "#N/A"
        cells.append((int(match.group(2)), column_index(match.group(1)) - 1, code))
    return cells
