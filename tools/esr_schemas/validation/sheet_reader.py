"""Opening a workbook with fastexcel, light enough to run before polars is imported.

fastexcel (calamine) parses a sheet without holding the interpreter: ``start_typed``
reads it in a thread, so that a command can import the rest of what it needs (polars,
numpy, the engine) meanwhile. The workbook guards (``guards.check_workbook``) must have
passed before: calamine allocates the sheet's whole rectangle.
"""

from __future__ import annotations

import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import UnusableInput

if TYPE_CHECKING:
    import polars as pl

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

RENDERED_DATETIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?$"
"""How fastexcel writes out a date-time cell of a column that mixes kinds of cells."""


Text = TypeVar("Text", "pl.Expr", "pl.Series")


def whole_seconds(rendered: Text) -> Text:
    """Whether such a text (``RENDERED_DATETIME``) has no fraction of a second."""
    return rendered.str.len_bytes() == 19


def day_and_clock(rendered: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``AAAA-MM-JJ`` and ``hh:mm:ss`` of such a text with whole seconds: what the date,
    the time alone and the date-time are written from, without parsing it again."""
    return rendered.str.slice(0, 10), rendered.str.slice(11, 8)


def is_ods(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return archive.read("mimetype").strip() == ODS_MIMETYPE
            return "content.xml" in names and "[Content_Types].xml" not in names
    except (zipfile.BadZipFile, OSError, EOFError, KeyError):
        return False


def open_reader(path: Path) -> Any:
    """fastexcel's reader of the workbook; an :class:`UnusableInput` if it cannot open it."""
    import logging

    import fastexcel

    # fastexcel logs a warning for every column it finds empty: not for our users
    logging.getLogger("fastexcel").setLevel(logging.ERROR)
    try:
        return fastexcel.read_excel(str(path))
    except Exception as error:
        raise UnusableInput(
            f"Le classeur {path.name} est illisible (fichier tronqué ou corrompu : "
            f"{first_line(error)}). Ouvrez-le et réenregistrez-le en .xlsx, ou exportez-le en "
            "CSV UTF-8."
        ) from error


def first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


SAMPLE_ROWS = 1000
"""Data rows (sheet rows 2 to 1001) from which fastexcel types each column."""


def typed_columns(
    reader: Any, sheet: str, sample_rows: int | None = SAMPLE_ROWS
) -> tuple[list[Any], Any]:
    """The sheet's columns as fastexcel types them, and the polars frame of them (a
    column that mixes kinds of cells is text, its numbers and dates written out:
    ``workbook.load_sheet`` finds which, in the XML).

    Each column is typed from its first ``sample_rows`` rows (None: from every row,
    15 to 25 % slower); a cell of another kind further down comes out empty, and
    ``workbook.load_sheet`` finds it in the XML (it reads every row again when it
    cannot settle it)."""
    try:
        loaded = reader.load_sheet(
            sheet, header_row=0, schema_sample_rows=sample_rows, dtype_coercion="coerce"
        )
        return loaded.available_columns(), loaded.to_polars()
    except Exception as error:
        raise UnusableInput(
            f"La feuille « {sheet} » du classeur est illisible ({first_line(error)}). "
            "Réenregistrez le classeur depuis votre tableur, ou exportez-le en CSV UTF-8."
        ) from error


def start_typed(reader: Any, sheet: str) -> Future[tuple[list[Any], Any]]:
    """``typed_columns`` in a thread of its own; its result (or its error) is the
    future's."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="esr-sheet")
    try:
        return pool.submit(typed_columns, reader, sheet)
    finally:
        pool.shutdown(wait=False)  # the thread ends with its one task
