"""Reading a user's file into string batches: kind, encoding, dialect, rows.

The file is never modified and never loaded whole: CSV is read in blocks of a few
megabytes cut at record boundaries. Each batch is a polars frame of strings
(``c0``, ``c1``...) plus the number of cells each record really had (so that missing
and extra cells can be told apart from empty ones).

CSV parsing follows Python's ``csv`` module, which frictionless uses: blocks without
any quote character (the common case) go through polars' reader without quoting, whose
result is then identical; blocks with quotes or lone carriage returns go through
``csv.reader`` itself.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import polars as pl

from .. import guards
from .errors import UnusableInput

BLOCK_SIZE = 8 * 1024 * 1024
MAX_LINE = 10 * 1024 * 1024
MAX_RECORD = 64 * 1024 * 1024
SAMPLE_LINES = 100
DELIMITERS = ",\t;|"
XLSX_MAX_UNCOMPRESSED = 512 * 1024 * 1024
XLSX_MAX_RATIO = 200
XLSX_MAX_CELLS = 50_000_000

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

csv.field_size_limit(sys.maxsize)

T = TypeVar("T")
R = TypeVar("R")


class NotUtf8(Exception):
    """A file first taken for UTF-8 is not: validation restarts with full detection."""


@dataclass
class Batch:
    first_row: int
    """Row number (frictionless numbering: the header is row 1) of the batch's first record."""
    counts: np.ndarray
    """Number of cells of each record."""
    frame: pl.DataFrame
    """String columns c0..c{n-1}; cells a record lacks are empty strings."""
    forced: dict[int, np.ndarray] = field(default_factory=dict)
    """Column index -> rows whose spreadsheet cell has a type the field refuses whatever
    its text (a number in a text column...): type errors (XLSX only)."""


@dataclass
class Source:
    path: Path
    kind: str  # "csv" or "xlsx"
    encoding: str = "utf-8"
    labels: list[str] = field(default_factory=list)
    delimiter: str = ","
    warnings: list[str] = field(default_factory=list)
    sheet: str | None = None
    _dialect: Any = None
    _header_size: int = 0
    column_types: list[str] = field(default_factory=list)
    """Table Schema type of each column, when known (XLSX cells are converted to text
    according to it, see ``cell_text``)."""

    def batches(self, prepare: Callable[[Batch], T], batch_rows: int = 200_000) -> Iterator[T]:
        """The data rows, batch by batch, each passed through ``prepare``, in order.

        CSV blocks are cut one after the other, then parsed and prepared by a small
        pool of threads, several blocks at once (polars and numpy release the GIL:
        every core works); at most ``WINDOW`` blocks are in flight."""
        if self.kind == "xlsx":
            yield from map(prepare, _xlsx_batches(self, batch_rows))
            return
        record_number = 0  # records already delivered (header included)

        def work(item: tuple[int, bytes]) -> tuple[bytes, Batch, T | None]:
            index, chunk = item
            counts, frame = _parse_chunk(self, chunk)
            if index == 0:  # the header record
                counts, frame = counts[1:], frame.slice(1)
            batch = Batch(first_row=0, counts=counts, frame=frame)
            return chunk, batch, prepare(batch) if len(counts) else None

        from ..guards import WideRecord

        def delivered() -> Iterator[tuple[bytes, Batch, T | None]]:
            try:
                yield from _ordered_map(work, enumerate(_csv_chunks(self)))
            except WideRecord as refusal:  # blocks arrive in order: it is the next one
                raise refusal.at(record_number + 1, self.path.name) from None

        for index, (chunk, batch, prepared) in enumerate(delivered()):
            if index == 0:
                record_number = 1
            _check_line_length(chunk, self.path, record_number)
            batch.first_row = record_number + 1
            record_number += len(batch.counts)
            if prepared is not None:
                yield prepared


# More threads than cores: while one thread runs Python (holding the GIL) or waits,
# the others keep the cores busy. Each block in flight holds a few tens of megabytes.
WORKERS = 4
WINDOW = 5


def _ordered_map(
    work: Callable[[Any], R], items: Iterator[Any], workers: int = WORKERS, window: int = WINDOW
) -> Iterator[R]:
    """``map(work, items)`` run by a pool of threads, ``window`` items at most in
    flight, results in order; an exception reaches the caller, and leaving early
    cancels what has not started."""
    pending: deque[Future[R]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="esr-validate") as pool:
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _size_fr(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.0f} Mo"
    return f"{size / 1024:.0f} Ko"


def open_source(path: Path, sheet: str | None = None, quick_encoding: bool = False) -> Source:
    """Identify the file (CSV or XLSX), its encoding, dialect and header row."""
    guards.check_regular_file(path)  # before opening: a FIFO would block the reader
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as error:
        raise UnusableInput(f"Impossible de lire {path} : {guards.os_reason(error)}.") from error
    suffix = path.suffix.lower()
    if not head:
        raise UnusableInput(
            f"Le fichier {path.name} est vide (0 octet) : il faut au moins une ligne d'en-tête "
            "et une ligne de données."
        )
    if head.startswith(OLE2_MAGIC):
        raise UnusableInput(
            f"Le fichier {path.name} est un classeur protégé par mot de passe (chiffré) ou au "
            "vieux format Excel 97-2003 (.xls) : il ne peut pas être lu. Ouvrez-le dans "
            "Excel ou LibreOffice, retirez le mot de passe, puis enregistrez-le en .xlsx ou "
            "exportez-le en CSV UTF-8."
        )
    if head.startswith(ZIP_MAGIC):
        if suffix in (".csv", ".tsv", ".txt") and not _is_workbook(path):
            raise UnusableInput(
                f"Le fichier {path.name} porte l'extension {suffix} mais c'est en réalité une "
                "archive ZIP (compressée), pas un fichier CSV. Décompressez-la et donnez le "
                "fichier CSV qu'elle contient."
            )
        if suffix in (".csv", ".tsv", ".txt"):
            raise UnusableInput(
                f"Le fichier {path.name} porte l'extension {suffix} mais c'est en réalité un "
                "classeur Excel (XLSX). Renommez-le en .xlsx, ou exportez-le en CSV depuis "
                "votre tableur (« Enregistrer sous » > CSV UTF-8)."
            )
        return _open_xlsx(path, sheet)
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        if _looks_binary(head):
            raise UnusableInput(
                f"Le fichier {path.name} porte l'extension {suffix} mais n'est pas un "
                "classeur XLSX lisible (contenu binaire inconnu ou fichier tronqué)."
            )
        raise UnusableInput(
            f"Le fichier {path.name} porte l'extension {suffix} mais c'est en réalité un "
            "fichier texte (CSV ?). Renommez-le en .csv."
        )
    if _looks_binary(head):
        raise UnusableInput(
            f"Le fichier {path.name} n'est pas un fichier texte CSV : il contient des octets "
            "binaires (image, archive, document…). Fournissez un CSV ou un classeur XLSX."
        )
    return _open_csv(path, quick_encoding)


def _is_workbook(path: Path) -> bool:
    """Whether a zip archive holds an XLSX workbook (judged from its list of parts)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head[:8192] if b < 32 and b not in (9, 10, 13, 12))
    return controls > max(8, len(head[:8192]) // 100)


# --- encoding ---------------------------------------------------------------


def detect_encoding(path: Path, quick: bool = False) -> str:
    """``utf-8-sig``, ``utf-8``, ``cp1252`` or ``latin-1``, judged on the whole file.

    ``quick``: a file whose first block is valid UTF-8 is taken for UTF-8 right away;
    the reader then checks every block (polars refuses invalid UTF-8) and raises
    :class:`NotUtf8` if that guess was wrong, and the caller starts again with a full
    detection. That saves a whole pass over large UTF-8 files.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        first = handle.read(3)
        bom = first == codecs.BOM_UTF8
        handle.seek(0)
        if quick:
            try:
                decoder.decode(handle.read(BLOCK_SIZE))
            except UnicodeDecodeError:
                pass
            else:
                return "utf-8-sig" if bom else "utf-8"
            handle.seek(0)
            decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while True:
                block = handle.read(BLOCK_SIZE)
                if not block:
                    decoder.decode(b"", final=True)
                    break
                decoder.decode(block)
        except UnicodeDecodeError:
            pass
        else:
            return "utf-8-sig" if bom else "utf-8"
        handle.seek(0)
        undefined = bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D])
        while True:
            block = handle.read(BLOCK_SIZE)
            if not block:
                return "cp1252"
            if any(b in block for b in undefined):
                return "latin-1"


class _Transcoder:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.first = True

    def __call__(self, block: bytes) -> bytes:
        if self.first:
            self.first = False
            if block.startswith(codecs.BOM_UTF8):
                block = block[3:]
        if self.encoding in ("utf-8", "utf-8-sig"):
            return block
        return block.decode(self.encoding).encode("utf-8")


# --- CSV ----------------------------------------------------------------------


def _read_sample(path: Path, encoding: str) -> list[str]:
    lines: list[str] = []
    with path.open("r", encoding=encoding, newline="") as handle:
        for line in handle:
            if len(line) > MAX_LINE:
                raise UnusableInput(
                    f"La ligne {len(lines) + 1} de {path.name} dépasse 10 Mo : ce n'est "
                    "probablement pas un CSV (ou un guillemet n'est jamais refermé)."
                )
            lines.append(line)
            if len(lines) >= SAMPLE_LINES:
                break
    return lines


def _open_csv(path: Path, quick_encoding: bool = False) -> Source:
    encoding = detect_encoding(path, quick=quick_encoding)
    source = Source(path=path, kind="csv", encoding=encoding)
    if encoding not in ("utf-8", "utf-8-sig"):
        source.warnings.append(
            f"Le fichier est encodé en {'Windows-1252' if encoding == 'cp1252' else 'Latin-1'} "
            "et non en UTF-8 : il a été lu correctement, mais enregistrez-le en « CSV UTF-8 » "
            "pour le publier (Excel : Enregistrer sous > CSV UTF-8 ; LibreOffice : cochez "
            "« Éditer les paramètres du filtre » et choisissez Unicode (UTF-8))."
        )
    try:
        sample = _read_sample(path, encoding)
    except UnicodeDecodeError as error:
        raise NotUtf8 from error
    if sample and sample[0].startswith("\ufeff"):
        sample[0] = sample[0][1:]
    if not "".join(sample).strip():
        raise UnusableInput(
            f"Le fichier {path.name} ne contient que des lignes vides : il faut une ligne "
            "d'en-tête et des lignes de données."
        )
    dialect = _sniff(sample, path)
    source.delimiter = dialect.delimiter
    source._dialect = dialect
    header = next(csv.reader(io.StringIO("".join(sample), newline=""), dialect), [])
    source.labels = ["" if cell is None else str(cell).strip() for cell in header]
    guards.check_csv_header(len(source.labels), path.name)
    return source


def _sniff(sample: list[str], path: Path) -> Any:
    """The same dialect guess as frictionless: ``csv.Sniffer`` on the first 100 lines."""
    if path.suffix.lower() == ".tsv":
        return csv.excel_tab()
    try:
        sniffed = csv.Sniffer().sniff("".join(sample), DELIMITERS)
    except csv.Error:
        sniffed = None
    dialect = csv.excel()
    if sniffed is not None:
        dialect.delimiter = sniffed.delimiter
        dialect.escapechar = sniffed.escapechar
        dialect.doublequote = sniffed.doublequote if sniffed.escapechar else True
        dialect.quotechar = '"' if sniffed.quotechar == "'" else sniffed.quotechar
        dialect.skipinitialspace = sniffed.skipinitialspace
    else:
        # The sniffer gave up (frictionless then assumes ","): take the candidate
        # delimiter most frequent in the header line, "," when there is none.
        first = sample[0] if sample else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        dialect.delimiter = best if counts[best] else ","
    return dialect


def _csv_chunks(source: Source) -> Iterator[bytes]:
    """The file as UTF-8 blocks of about ``BLOCK_SIZE`` bytes, cut after whole records."""
    quote = (source._dialect.quotechar or '"').encode()
    transcode = _Transcoder(source.encoding)
    pending = b""
    emitted = 0  # bytes of text already cut into blocks
    with source.path.open("rb") as handle:
        eof = False
        while not eof:
            block = handle.read(BLOCK_SIZE)
            eof = not block
            data = pending + transcode(block) if block else pending
            if not data:
                break
            if eof:
                chunk, pending = data, b""
            else:
                cut = _last_boundary(data, quote)
                if cut < 0:
                    if len(data) > MAX_RECORD:
                        line = _lines_before(source, emitted) + 1
                        raise UnusableInput(
                            f"Un enregistrement commençant ligne {line} de "
                            f"{source.path.name} dépasse {_size_fr(MAX_RECORD)} : un "
                            "guillemet n'est probablement jamais refermé."
                        )
                    pending = data
                    continue
                chunk, pending = data[: cut + 1], data[cut + 1 :]
            for piece in _bounded_records(chunk, quote, len(source.labels)):
                emitted += len(piece)
                yield piece


def _bounded_records(chunk: bytes, quote: bytes, width: int) -> Iterator[bytes]:
    """``chunk`` cut further so that no piece holds more records than
    ``guards.records_per_block(width)``: every record becomes ``width`` cells, so a block
    of blank or short lines would otherwise cost far more memory than its bytes."""
    limit = guards.records_per_block(width)
    while chunk.count(b"\n") > limit:
        newlines = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
        cut = _last_boundary(chunk[: int(newlines[limit - 1]) + 1], quote)
        if cut < 0:
            break
        yield chunk[: cut + 1]
        chunk = chunk[cut + 1 :]
    yield chunk


def _lines_before(source: Source, offset: int) -> int:
    """Lines of the (UTF-8) text before ``offset``: for messages only, read again."""
    transcode = _Transcoder(source.encoding)
    seen = lines = 0
    with source.path.open("rb") as handle:
        while seen < offset and (block := handle.read(BLOCK_SIZE)):
            data = transcode(block)[: offset - seen]
            lines += data.count(b"\n")
            seen += len(data)
    return lines


def _parse_chunk(source: Source, chunk: bytes) -> tuple[np.ndarray, pl.DataFrame]:
    """The records of a block: the number of cells of each, and the cells."""
    dialect = source._dialect
    delimiter = dialect.delimiter.encode()
    quote = (dialect.quotechar or '"').encode()
    simple = not dialect.skipinitialspace and not dialect.escapechar
    if simple and (b"\r" not in chunk or chunk.count(b"\r") == chunk.count(b"\r\n")):
        parsed = (
            _fast_chunk(chunk, delimiter, len(source.labels))
            if quote not in chunk
            else _quoted_chunk(chunk, delimiter, quote, len(source.labels))
        )
        if parsed is not None:
            return parsed
    return _python_chunk(chunk, dialect, len(source.labels))


def _last_boundary(data: bytes, quote: bytes) -> int:
    """Index of the last newline outside quotes, -1 if none."""
    if quote not in data:
        return data.rfind(b"\n")
    arr = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(arr == 10)
    if not len(newlines):
        return -1
    quotes = np.flatnonzero(arr == quote[0])
    parity = np.searchsorted(quotes, newlines) % 2
    even = newlines[parity == 0]
    return int(even[-1]) if len(even) else -1


def _check_line_length(chunk: bytes, path: Path, record_number: int) -> None:
    if len(chunk) <= MAX_LINE:
        return
    arr = np.frombuffer(chunk, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    bounds = np.concatenate(([-1], ends, [len(chunk)]))
    lengths = np.diff(bounds)
    if lengths.max() > MAX_LINE:
        index = int(np.argmax(lengths > MAX_LINE))
        raise UnusableInput(
            f"La ligne {record_number + index + 1} (environ) de {path.name} dépasse 10 Mo : ce "
            "n'est probablement pas un CSV, ou un guillemet n'est jamais refermé."
        )


def _fast_chunk(chunk: bytes, delimiter: bytes, width: int) -> tuple[np.ndarray, pl.DataFrame]:
    """A quote-free block: polars splits it, numpy finds the lines.

    The number of cells of each line is derived from its length: a line of ``k`` cells
    is the cells' bytes plus ``k - 1`` delimiters. Polars reads ``width + 1`` columns
    (the header's width and one more) and pads short lines with empty strings, so
    ``k = length - sum(cell lengths) + 1`` exactly, unless the line has more than
    ``width + 1`` cells (rare): those lines are counted directly and the block re-read
    wide enough.
    """
    arr = np.frombuffer(chunk, dtype=np.uint8)
    starts, ends, lengths, cr = _records(chunk, arr, np.flatnonzero(arr == 10))
    columns = max(width, 1) + 1
    frame = _polars_read(chunk, delimiter, columns, strip_cr=bool(cr.any()))
    if frame.height != len(ends):  # pragma: no cover - defensive
        return _python_chunk(chunk, _plain_dialect(delimiter.decode()), width)
    cells = frame.select(pl.sum_horizontal(pl.all().str.len_bytes()).alias("n")).to_series()
    counts = lengths - np.asarray(cells, dtype=np.int64) + 1
    counts[lengths == 0] = 0
    wide = np.flatnonzero(counts > columns)
    if len(wide):
        for i in wide:
            counts[i] = chunk.count(delimiter, int(starts[i]), int(ends[i])) + 1
        guards.check_csv_block(counts, width)  # before the block is re-read that wide
        frame = _polars_read(chunk, delimiter, int(counts.max()), strip_cr=bool(cr.any()))
    return counts.astype(np.int64), frame


def _quoted_chunk(
    chunk: bytes, delimiter: bytes, quote: bytes, width: int = 0
) -> tuple[np.ndarray, pl.DataFrame] | None:
    """A block with quotes, parsed by polars when its quoting is regular, i.e. when
    Python's ``csv`` (frictionless' reader) and polars necessarily agree on it: every
    opening quote starts a cell, every closing quote ends one (or is doubled). Returns
    None otherwise (the caller then uses ``csv.reader``).

    Cells are counted with the quote parity: a delimiter or newline after an even
    number of quotes is outside any quoted cell.
    """
    arr = np.frombuffer(chunk, dtype=np.uint8)
    q, d = quote[0], delimiter[0]
    quotes = np.flatnonzero(arr == q)
    if len(quotes) % 2:
        return None  # a quote left open: Python's rules apply
    opening = quotes[0::2]
    closing = quotes[1::2]
    is_closing = np.zeros(len(arr) + 1, dtype=bool)
    is_closing[closing] = True
    prev = arr[np.maximum(opening - 1, 0)]
    # a quote right after a quote only continues a doubled quote ("")
    ok = (opening == 0) | (prev == d) | (prev == 10) | ((prev == q) & is_closing[opening - 1])
    if not ok.all():
        return None
    nxt = arr[np.minimum(closing + 1, len(arr) - 1)]
    ok = (closing + 1 == len(arr)) | (nxt == q) | (nxt == d) | (nxt == 10) | (nxt == 13)
    if not ok.all():
        return None
    newlines = np.flatnonzero(arr == 10)
    starts, ends, lengths, cr = _records(
        chunk, arr, newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    )
    delims = np.flatnonzero(arr == d)
    delims = delims[np.searchsorted(quotes, delims) % 2 == 0]
    counts = np.diff(np.searchsorted(delims, np.concatenate(([0], ends)))) + 1
    counts[lengths == 0] = 0
    columns = max(int(counts.max()) if len(counts) else 1, 1)
    guards.check_csv_block(counts, width)
    try:
        frame = _strings_frame(chunk, delimiter, columns, quote.decode(), bool(cr.any()))
    except pl.exceptions.ComputeError:
        return None
    if frame.height != len(ends):
        return None
    return counts.astype(np.int64), frame


def _records(
    chunk: bytes, arr: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(start and end offsets, content lengths, ends-with-CR flags) of the records ending
    at ``ends``.

    A last record without a final newline ends at the chunk's end; in "\r\n" line
    endings the "\r" belongs to no cell, so it is left out of the length.
    """
    if not chunk.endswith(b"\n"):
        ends = np.append(ends, len(chunk))
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    cr = np.zeros(len(ends), dtype=bool)
    has_end = lengths > 0
    cr[has_end] = arr[ends[has_end] - 1] == 13
    return starts, ends, lengths - cr, cr


def _polars_read(chunk: bytes, delimiter: bytes, columns: int, strip_cr: bool) -> pl.DataFrame:
    return _strings_frame(chunk, delimiter, columns, None, strip_cr)


def _strings_frame(
    chunk: bytes, delimiter: bytes, columns: int, quote: str | None, strip_cr: bool
) -> pl.DataFrame:
    """A block read by polars as ``columns`` string columns (short rows padded with "")."""
    try:
        frame = pl.read_csv(
            chunk,
            has_header=False,
            separator=delimiter.decode(),
            quote_char=quote,
            schema={f"c{i}": pl.String for i in range(columns)},
            truncate_ragged_lines=True,
            missing_columns="insert",
            extra_columns="ignore",
            empty_string_is_null=False,
            infer_schema=False,
            raise_if_empty=False,
        )
    except pl.exceptions.ComputeError as error:
        if "utf-8" in str(error):
            raise NotUtf8 from error
        raise
    frame = frame.fill_null("")
    if strip_cr:
        frame = frame.with_columns(pl.all().str.strip_suffix("\r"))
    return frame


def _plain_dialect(delimiter: str) -> Any:
    dialect = csv.excel()
    dialect.delimiter = delimiter
    return dialect


def _python_chunk(chunk: bytes, dialect: Any, width: int = 0) -> tuple[np.ndarray, pl.DataFrame]:
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotUtf8 from error
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    guards.check_csv_block(np.fromiter(map(len, rows), dtype=np.int64, count=len(rows)), width)
    return _rows_to_frame(rows)


def _rows_to_frame(rows: list[list[str]], width: int = 0) -> tuple[np.ndarray, pl.DataFrame]:
    counts = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    width = max(width, int(counts.max()) if len(rows) else 0, 1)
    columns = {f"c{i}": [r[i] if i < len(r) else "" for r in rows] for i in range(width)}
    frame = pl.DataFrame(columns, schema={f"c{i}": pl.String for i in range(width)})
    return counts, frame


# --- XLSX ---------------------------------------------------------------------


def _open_xlsx(path: Path, sheet: str | None) -> Source:
    _check_zip(path)
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
    except Exception as error:
        raise UnusableInput(
            f"Le classeur {path.name} est illisible (fichier tronqué ou corrompu : {error}). "
            "Ouvrez-le et réenregistrez-le en .xlsx, ou exportez-le en CSV UTF-8."
        ) from error
    if sheet is not None and sheet not in names:
        raise UnusableInput(
            f"Le classeur {path.name} n'a pas de feuille « {sheet} » ; feuilles présentes : "
            + ", ".join(f"« {n} »" for n in names)
            + "."
        )
    if not names:
        raise UnusableInput(f"Le classeur {path.name} ne contient aucune feuille.")
    source = Source(path=path, kind="xlsx", encoding="utf-8", sheet=sheet or names[0])
    rows = _xlsx_rows(source)
    first = next(rows, None)
    if first is None:
        raise UnusableInput(
            f"La feuille « {source.sheet} » du classeur {path.name} est vide : il faut une "
            "ligne d'en-tête et des lignes de données."
        )
    source.labels = [_cell_text(c).strip() for c in first]
    while source.labels and source.labels[-1] == "":
        source.labels.pop()
    return source


def _check_zip(path: Path) -> None:
    """Sizes, ratio, cell extent and shared strings: the guard layer decides."""
    guards.check_workbook(path)


def _check_dimension(path: Path) -> None:
    """Refuse a sheet whose declared or real extent is absurd (e.g. A1:XFD1048576);
    part of :func:`_check_zip` (the guard layer reads every sheet once)."""
    guards.check_workbook(path)


def _col_index(letters: str) -> int:
    value = 0
    for char in letters:
        value = value * 26 + ord(char) - 64
    return value


def _xlsx_rows(source: Source) -> Iterator[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(source.path))
        sheet = workbook.get_sheet_by_name(source.sheet or "")
        if (
            sheet.total_width * sheet.total_height > XLSX_MAX_CELLS
            and sheet.width * sheet.height > XLSX_MAX_CELLS
        ):
            raise UnusableInput(
                f"La feuille « {source.sheet} » de {source.path.name} est trop grande "
                f"({sheet.height} lignes × {sheet.width} colonnes)."
            )
        yield from sheet.iter_rows()
    except UnusableInput:
        raise
    except Exception as error:
        raise UnusableInput(
            f"Le classeur {source.path.name} est illisible (fichier tronqué ou corrompu : "
            f"{error}). Réenregistrez-le depuis votre tableur, ou exportez-le en CSV UTF-8."
        ) from error


def _cell_text(cell: Any) -> str:
    return cell_text(cell)[0]


def cell_text(cell: Any, ftype: str = "any") -> tuple[str, bool]:
    """The text a spreadsheet cell stands for, and whether its stored type is refused by
    a field of type ``ftype`` whatever that text.

    The rules follow what frictionless-py reads from the same workbook (openpyxl values):

    - text cells are taken as they are (a code typed as text keeps its leading zeros:
      ``01234``);
    - numbers are stored as floats: an integral one is written without decimals
      (``12.0`` -> ``12``), others with Python's shortest form (``3.5``); a number in a
      ``string`` field is a type error (the leading zeros of a code typed as a number
      are lost: ``1234``), and so is a number in a ``boolean`` field;
    - booleans are ``true``/``false``; in a field that is neither ``boolean`` nor ``any``
      they are a type error;
    - dates (date cells, or date-times at midnight) are ISO dates ``2024-03-12``, or
      ``2024-03-12T00:00:00`` in a ``datetime`` field; date-times are ISO
      ``2024-03-12T10:30:00`` (a type error in a ``date`` field, as in frictionless);
      times ``10:30:00``; durations ISO 8601 ``PT1H30M``; any of these in a ``string``
      field is a type error.
    """
    import datetime as dt

    if cell is None:
        return "", False
    if isinstance(cell, str):
        return cell, False
    if isinstance(cell, bool):
        return ("true" if cell else "false"), ftype not in ("boolean", "any")
    if isinstance(cell, (int, float)):
        if isinstance(cell, int) or (cell.is_integer() and abs(cell) < 1e16):
            text = str(int(cell))
        else:
            text = repr(cell)
        return text, ftype in ("string", "boolean")
    refused = ftype == "string"
    if isinstance(cell, dt.datetime):
        if cell.hour == cell.minute == cell.second == cell.microsecond == 0:
            cell = cell.date()
        else:
            return cell.isoformat(), refused
    if isinstance(cell, dt.date):
        if ftype == "datetime":
            return dt.datetime(cell.year, cell.month, cell.day).isoformat(), refused
        return cell.isoformat(), refused
    if isinstance(cell, dt.time):
        return cell.isoformat(), refused
    if isinstance(cell, dt.timedelta):
        seconds = int(cell.total_seconds())
        hours, minutes, rest = seconds // 3600, seconds % 3600 // 60, seconds % 60
        text = "PT" + "".join(
            f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (rest, "S")) if n
        )
        return (text if text != "PT" else "PT0S"), refused
    return str(cell), False


def _xlsx_batches(source: Source, batch_rows: int) -> Iterator[Batch]:
    rows = _xlsx_rows(source)
    next(rows, None)  # header
    width = len(source.labels)
    types = source.column_types
    buffer: list[list[str]] = []
    refused: list[tuple[int, int]] = []  # (row in buffer, column)
    first_row = 2

    def flush() -> Batch:
        counts, frame = _rows_to_frame(buffer, width)
        counts = np.maximum(counts, width) * (counts > 0)
        forced: dict[int, np.ndarray] = {}
        for row, column in refused:
            forced.setdefault(column, np.zeros(len(buffer), dtype=bool))[row] = True
        return Batch(first_row=first_row, counts=counts, frame=frame, forced=forced)

    for raw in rows:
        cells = []
        for column, value in enumerate(raw):
            text, bad = cell_text(value, types[column] if column < len(types) else "any")
            if bad:
                refused.append((len(buffer), column))
            cells.append(text)
        while len(cells) > width and cells[-1] == "":
            cells.pop()
        if all(c == "" for c in cells):
            cells = []
        buffer.append(cells)
        if len(buffer) >= batch_rows:
            yield flush()
            first_row += len(buffer)
            buffer, refused = [], []
    if buffer:
        yield flush()
