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

import polars as pl

from .. import guards
from ..wording import encoding_label
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
    counts: pl.Series
    """Number of cells of each record (Int64)."""
    frame: pl.DataFrame
    """String columns c0..c{n-1}; cells a record lacks are empty strings."""
    forced: dict[int, pl.Series] = field(default_factory=dict)
    """Column index -> rows whose spreadsheet cell has a type the field refuses whatever
    its text (a number in a text column...): type errors (XLSX only)."""
    formula_errors: dict[int, pl.Series] = field(default_factory=dict)
    """Column index -> rows whose cell is an Excel error such as ``#N/A`` (also in
    ``forced``; the cell's text is the code)."""


@dataclass
class Source:
    path: Path
    kind: str  # "csv" or "xlsx"
    encoding: str = "utf-8"
    encoding_errors: str = "strict"
    """``MIXED`` when a UTF-8 file has lines in another encoding (see ``misencoded``)."""
    misencoded: list[tuple[int, str]] = field(default_factory=list)
    """(line number, text) of the lines of a UTF-8 file that are not UTF-8."""
    misencoded_total: int = 0
    labels: list[str] = field(default_factory=list)
    delimiter: str = ","
    warnings: list[str] = field(default_factory=list)
    sheet: str | None = None
    _dialect: Any = None
    _header_size: int = 0
    _sheet: Any = None
    """A workbook's sheet as loaded (``workbook.LoadedSheet``)."""
    column_types: list[str] = field(default_factory=list)
    """Table Schema type of each column, when known (XLSX cells are converted to text
    according to it, see ``cell_text``)."""

    def batches(self, prepare: Callable[[Batch], T], batch_rows: int = 200_000) -> Iterator[T]:
        """The data rows, batch by batch, each passed through ``prepare``, in order.

        CSV blocks are cut one after the other, then parsed and prepared by a small
        pool of threads, several blocks at once (polars releases the GIL:
        every core works); at most ``WINDOW`` blocks are in flight."""
        if self.kind == "xlsx":
            yield from _ordered_map(prepare, _xlsx_batches(self, batch_rows))
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
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(
        codecs.BOM_UTF32_LE
    ):
        try:  # text in UTF-16 (a byte order mark): judged once decoded
            return _looks_binary(head[: len(head) // 2 * 2].decode("utf-16").encode("utf-8"))
        except UnicodeDecodeError:
            return True
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head[:8192] if b < 32 and b not in (9, 10, 13, 12))
    return controls > max(8, len(head[:8192]) // 100)


# --- encoding ---------------------------------------------------------------


MIXED = "esr-utf8-or-cp1252"
"""Decoding error handler of a UTF-8 file holding a few lines of another encoding:
the bytes that are not UTF-8 are read as Windows-1252 (Latin-1 for the five bytes
Windows-1252 leaves undefined), so that the rest of the file can still be judged."""


def _utf8_or_cp1252(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    raw = error.object[error.start : error.end]
    return raw.decode("cp1252", errors="ignore") if b"\x81" not in raw else raw.decode(
        "latin-1"
    ), error.end


codecs.register_error(MIXED, _utf8_or_cp1252)


def _has_utf8_sequence(data: bytes) -> bool:
    """Whether ``data`` holds a multi-byte UTF-8 sequence (a lead byte followed by as
    many continuation bytes as it announces): the sign that a file is meant as UTF-8.
    Single-byte texts (Windows-1252) almost never form one: it would take an accented
    capital followed by a symbol such as « » ».
    """
    import numpy as np  # only for files that are not plain UTF-8

    arr = np.frombuffer(data, dtype=np.uint8)
    padded = np.concatenate((arr, np.zeros(3, dtype=np.uint8)))
    leads = np.flatnonzero(arr >= 0xC2)  # few bytes in a text: only they are examined
    if not len(leads):
        return False
    first = padded[leads]
    cont = [(padded[leads + k] & 0xC0) == 0x80 for k in (1, 2, 3)]
    two = (first <= 0xDF) & cont[0]
    three = (first >= 0xE0) & (first <= 0xEF) & cont[0] & cont[1]
    four = (first >= 0xF0) & (first <= 0xF4) & cont[0] & cont[1] & cont[2]
    return bool((two | three | four).any())


MAX_MISENCODED_LINES = 1000


@dataclass
class Encoding:
    name: str
    """A Python codec: ``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252`` or ``latin-1``."""
    errors: str = "strict"
    """``MIXED`` for a UTF-8 file with lines in another encoding."""
    misencoded: list[tuple[int, str]] = field(default_factory=list)
    """(line number, text) of the lines that are not UTF-8, in a mixed file (at most
    ``MAX_MISENCODED_LINES``)."""
    misencoded_total: int = 0


def detect_encoding(path: Path, quick: bool = False) -> str:
    """The codec of ``path`` (see :func:`analyse_encoding`); a mixed file is named by
    the encoding of most of its lines."""
    return analyse_encoding(path, quick).name


def analyse_encoding(path: Path, quick: bool = False) -> Encoding:
    """The file's encoding, judged on the whole file.

    - A UTF-16 byte order mark: UTF-16 (frictionless reads it too; a warning asks
      for UTF-8).
    - Valid UTF-8 throughout: ``utf-8`` (``utf-8-sig`` with a byte order mark).
    - No valid multi-byte UTF-8 sequence at all: a single-byte encoding, Windows-1252
      (Latin-1 when a byte Windows-1252 leaves undefined appears).
    - Both valid UTF-8 and bytes that are not: a UTF-8 file with some lines in another
      encoding (typically rows pasted from a Windows-1252 export). Reading the whole
      file as Windows-1252 would turn every UTF-8 letter into two wrong ones
      (« é » into « Ã© ») without a word; such a file is invalid, and its faulty lines
      are listed (frictionless also finds it invalid, without saying where).

    ``quick``: a file whose first block is valid UTF-8 is taken for UTF-8 right away;
    the reader then checks every block (polars refuses invalid UTF-8) and raises
    :class:`NotUtf8` if that guess was wrong, and the caller starts again with a full
    analysis. That saves a whole pass over large UTF-8 files.
    """
    with path.open("rb") as handle:
        first = handle.read(4)
        if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not first.startswith(
            codecs.BOM_UTF32_LE
        ):
            return Encoding("utf-16")
        bom = first.startswith(codecs.BOM_UTF8)
        utf8 = Encoding("utf-8-sig" if bom else "utf-8")
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        if quick:
            try:
                decoder.decode(handle.read(BLOCK_SIZE))
            except UnicodeDecodeError:
                pass
            else:
                return utf8
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
            return utf8
        handle.seek(0)
        undefined = [bytes([b]) for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)]
        latin = False
        tail = b""
        while True:
            block = handle.read(BLOCK_SIZE)
            if not block:
                break
            data = tail + block
            if _has_utf8_sequence(data):
                return _mixed(path, utf8.name)
            latin = latin or any(b in block for b in undefined)
            tail = data[-3:]
        return Encoding("latin-1" if latin else "cp1252")


def _mixed(path: Path, name: str) -> Encoding:
    """A file with lines in UTF-8 and lines in a single-byte encoding (bytes that are
    not UTF-8). Each line is read in its own encoding; the lines of the less common
    kind are the faulty ones (``misencoded``): lines pasted from another export."""
    kinds: dict[bool, list[tuple[int, str]]] = {True: [], False: []}
    totals = {True: 0, False: 0}
    number = 0
    with path.open("rb") as handle:
        for line in handle:
            number += 1
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
                utf8 = True
            except UnicodeDecodeError:
                utf8 = False
            totals[utf8] += 1
            if len(kinds[utf8]) < MAX_MISENCODED_LINES:
                text = line.decode("utf-8", errors=MIXED).rstrip("\r\n")
                kinds[utf8].append((number, text[:200]))
    mostly_utf8 = totals[True] >= totals[False]
    found = Encoding(name if mostly_utf8 else "cp1252", errors=MIXED)
    found.misencoded = kinds[not mostly_utf8]
    found.misencoded_total = totals[not mostly_utf8]
    return found


class _Transcoder:
    """Blocks of the file's bytes -> the same text in UTF-8 (a byte order mark dropped)."""

    def __init__(self, encoding: str, errors: str = "strict", name: str = "") -> None:
        self.encoding = encoding
        self.name = name
        self.first = True
        self.passthrough = encoding in ("utf-8", "utf-8-sig") and errors == "strict"
        codec = "utf-8" if encoding == "utf-8-sig" or errors == MIXED else encoding
        self.decoder = codecs.getincrementaldecoder(codec)(errors=errors)

    def __call__(self, block: bytes, final: bool = False) -> bytes:
        if self.first and block:
            self.first = False
            if block.startswith(codecs.BOM_UTF8) and self.encoding.startswith("utf-8"):
                block = block[3:]
            elif self.encoding == "utf-16":
                return self._decode(block, final).removeprefix("\ufeff").encode("utf-8")
        if self.passthrough:
            return block
        return self._decode(block, final).encode("utf-8")

    def _decode(self, block: bytes, final: bool) -> str:
        try:
            return str(self.decoder.decode(block, final=final))
        except UnicodeDecodeError as error:
            raise UnusableInput(
                f"Le fichier {self.name} commence comme un fichier {encoding_label(self.encoding)} "
                "mais ne l'est pas jusqu'au bout (fichier tronqué ou mélange d'encodages). "
                "Réenregistrez-le en « CSV UTF-8 »."
            ) from error


# --- CSV ----------------------------------------------------------------------


def _read_sample(path: Path, encoding: str, errors: str = "strict") -> list[str]:
    lines: list[str] = []
    with path.open("r", encoding=encoding, errors=errors, newline="") as handle:
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


UTF8_ADVICE = (
    "enregistrez-le en « CSV UTF-8 » pour le publier (Excel : Enregistrer sous > CSV UTF-8 ; "
    "LibreOffice : cochez « Éditer les paramètres du filtre » et choisissez Unicode (UTF-8))."
)


def _open_csv(path: Path, quick_encoding: bool = False) -> Source:
    found = analyse_encoding(path, quick=quick_encoding)
    encoding = found.name
    source = Source(
        path=path,
        kind="csv",
        encoding=encoding,
        encoding_errors=found.errors,
        misencoded=found.misencoded,
        misencoded_total=found.misencoded_total,
    )
    if encoding not in ("utf-8", "utf-8-sig"):
        source.warnings.append(
            f"Le fichier est encodé en {encoding_label(encoding)} et non en UTF-8 : il a été lu "
            "correctement, mais " + UTF8_ADVICE
        )
    try:
        sample = _read_sample(path, "utf-8" if found.errors == MIXED else encoding, found.errors)
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
    transcode = _Transcoder(source.encoding, source.encoding_errors, source.path.name)
    pending = b""
    emitted = 0  # bytes of text already cut into blocks
    with source.path.open("rb") as handle:
        eof = False
        while not eof:
            block = handle.read(BLOCK_SIZE)
            eof = not block
            data = pending + transcode(block, final=eof)
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
        cut = _last_boundary(chunk[: _nth_newline(chunk, limit) + 1], quote)
        if cut < 0:
            break
        yield chunk[: cut + 1]
        chunk = chunk[cut + 1 :]
    yield chunk


def _nth_newline(chunk: bytes, n: int) -> int:
    """Offset of the ``n``-th newline of ``chunk`` (which has at least ``n``), found by
    halving with ``bytes.count``: no array of every newline (a block of blank lines
    holds millions)."""
    low, high, before = 0, len(chunk), 0  # ``before``: newlines in chunk[:low]
    while high - low > 4096:
        middle = (low + high) // 2
        found = chunk.count(b"\n", low, middle)
        if before + found >= n:
            high = middle
        else:
            low, before = middle, before + found
    position = low - 1
    for _ in range(n - before):
        position = chunk.index(b"\n", position + 1)
    return position


def _lines_before(source: Source, offset: int) -> int:
    """Lines of the (UTF-8) text before ``offset``: for messages only, read again."""
    transcode = _Transcoder(source.encoding, source.encoding_errors, source.path.name)
    seen = lines = 0
    with source.path.open("rb") as handle:
        while seen < offset and (block := handle.read(BLOCK_SIZE)):
            data = transcode(block)[: offset - seen]
            lines += data.count(b"\n")
            seen += len(data)
    return lines


def _parse_chunk(source: Source, chunk: bytes) -> tuple[pl.Series, pl.DataFrame]:
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
    """Index of the last newline outside quotes (after an even number of quotes), -1 if
    none. Walks back from the end: ``bytes.count`` is all it needs (no array of the
    whole block in the reading thread, which every worker waits for)."""
    cut = data.rfind(b"\n")
    if cut < 0 or quote not in data:
        return cut
    odd = data.count(quote, 0, cut) % 2
    steps = 0
    while odd:
        previous = data.rfind(b"\n", 0, cut)
        if previous < 0:
            return -1
        odd ^= data.count(quote, previous, cut) % 2
        cut = previous
        steps += 1
        if steps > 64:  # a quote open for long (unclosed?): one pass over arrays
            arr = _bytes_of(data)
            newlines = _positions(arr, 10)
            even = newlines.filter(_outside(_positions(arr, quote[0]), newlines))
            return int(even[-1]) if len(even) else -1
    return cut


def _check_line_length(chunk: bytes, path: Path, record_number: int) -> None:
    if len(chunk) <= MAX_LINE:
        return
    ends = _positions(_bytes_of(chunk), 10)
    bounds = pl.concat([pl.Series([-1]), ends, pl.Series([len(chunk)])])
    long = (bounds.diff().slice(1) > MAX_LINE).arg_true()
    if len(long):
        index = int(long[0])
        raise UnusableInput(
            f"La ligne {record_number + index + 1} (environ) de {path.name} dépasse 10 Mo : ce "
            "n'est probablement pas un CSV, ou un guillemet n'est jamais refermé."
        )


def _guard_wide(
    chunk: bytes,
    starts: pl.Series,
    ends: pl.Series,
    lengths: pl.Series,
    delimiter: bytes,
    width: int,
    quotes: pl.Series | None = None,
) -> None:
    """``guards.check_csv_block`` before polars reads the block at all: a record of a
    million cells costs polars far more than its bytes, even read three columns wide.
    A record of ``k`` cells is at least ``k - 1`` bytes long, so only a block with a
    long enough record has its delimiters (outside quotes) counted."""
    if not len(lengths):
        return
    bound = _largest(lengths) + 1
    if bound <= max(width, 1) + 1 or (
        bound <= guards.CSV_MAX_CELLS_PER_ROW
        and bound * len(lengths) <= guards.CSV_MAX_WIDE_BLOCK_CELLS
    ):
        return
    delims = _positions(_bytes_of(chunk), delimiter[0])
    if quotes is not None and len(quotes):
        delims = delims.filter(_outside(quotes, delims))
    counts = _between(delims, starts, ends) + 1
    guards.check_csv_block(_zero_where_empty(counts, lengths), width)


def _bytes_of(chunk: bytes) -> pl.Series:
    """The block's bytes as a ``UInt8`` series (one copy; polars, not numpy, so that a
    small file does not pay numpy's import)."""
    if not chunk:
        return pl.Series(dtype=pl.UInt8)
    return pl.Series([chunk], dtype=pl.Binary).cast(pl.List(pl.UInt8)).explode()


def _largest(values: pl.Series) -> int:
    """The largest of integer ``values``, 0 when there is none."""
    top = values.max()
    return int(top) if isinstance(top, int) else 0


def _positions(arr: pl.Series, byte: int) -> pl.Series:
    """Offsets (``Int64``, ascending) of ``byte`` in ``arr``."""
    return (arr == byte).arg_true().cast(pl.Int64)


def _before(sorted_positions: pl.Series, offsets: pl.Series) -> pl.Series:
    """For each offset, how many of ``sorted_positions`` lie before it (``Int64``)."""
    return sorted_positions.search_sorted(offsets, side="left").cast(pl.Int64)


def _between(sorted_positions: pl.Series, starts: pl.Series, ends: pl.Series) -> pl.Series:
    """How many of ``sorted_positions`` lie in each ``[start, end)``."""
    return _before(sorted_positions, ends) - _before(sorted_positions, starts)


def _outside(quotes: pl.Series, offsets: pl.Series) -> pl.Series:
    """Whether each offset is outside quotes (an even number of quotes before it)."""
    return _before(quotes, offsets) % 2 == 0


def _zero_where_empty(counts: pl.Series, lengths: pl.Series) -> pl.Series:
    """``counts`` with 0 for the empty records (a blank line has no cell)."""
    return pl.select(
        pl.when(pl.lit(lengths) == 0).then(0).otherwise(pl.lit(counts)).cast(pl.Int64)
    ).to_series()


def _fast_chunk(chunk: bytes, delimiter: bytes, width: int) -> tuple[pl.Series, pl.DataFrame]:
    """A quote-free block: polars splits it, and finds the lines.

    The number of cells of each line is derived from its length: a line of ``k`` cells
    is the cells' bytes plus ``k - 1`` delimiters. Polars reads ``width + 1`` columns
    (the header's width and one more) and pads short lines with empty strings, so
    ``k = length - sum(cell lengths) + 1`` exactly, unless the line has more than
    ``width + 1`` cells (rare): those lines are counted directly and the block re-read
    wide enough.
    """
    arr = _bytes_of(chunk)
    starts, ends, lengths, cr = _records(chunk, arr, _positions(arr, 10))
    _guard_wide(chunk, starts, ends, lengths, delimiter, width)
    del arr, starts, ends  # a block of blank lines holds millions of records
    columns = max(width, 1) + 1
    strip_cr = bool(cr.any())
    frame = _polars_read(chunk, delimiter, columns, strip_cr=strip_cr)
    if frame.height != len(lengths):  # pragma: no cover - defensive
        return _python_chunk(chunk, _plain_dialect(delimiter.decode()), width)
    counts = _cells_from_lengths(frame, lengths, None)
    wide = (counts > columns).arg_true().to_list()
    if wide:
        arr = _bytes_of(chunk)
        starts, ends, _, _ = _records(chunk, arr, _positions(arr, 10))
        exact = [chunk.count(delimiter, int(starts[i]), int(ends[i])) + 1 for i in wide]
        counts = counts.scatter(wide, exact)
        guards.check_csv_block(counts, width)  # before the block is re-read that wide
        frame = _polars_read(chunk, delimiter, _largest(counts), strip_cr=strip_cr)
    return counts, frame


def _cells_from_lengths(
    frame: pl.DataFrame, lengths: pl.Series, not_text: pl.Series | None
) -> pl.Series:
    """Cells of each record: its length, less its cells' text and the quotes that are
    not text, plus 1 (``k`` cells have ``k - 1`` delimiters); 0 for an empty record."""
    length = pl.lit(lengths)
    rest = length - pl.sum_horizontal(pl.all().str.len_bytes()).cast(pl.Int64) + 1
    if not_text is not None:
        rest = rest - pl.lit(not_text)
    return frame.select(pl.when(length == 0).then(0).otherwise(rest).alias("n")).to_series()


def _quoted_chunk(
    chunk: bytes, delimiter: bytes, quote: bytes, width: int = 0
) -> tuple[pl.Series, pl.DataFrame] | None:
    """A block with quotes, parsed by polars when its quoting is regular, i.e. when
    Python's ``csv`` (frictionless' reader) and polars necessarily agree on it: every
    opening quote starts a cell, every closing quote ends one (or is doubled). Returns
    None otherwise (the caller then uses ``csv.reader``).

    Records end at the newlines outside quotes (an even number of quotes before them).
    The cells of a record are counted from lengths, as in ``_fast_chunk``: its raw bytes
    are its cells' text, plus the quote characters that are not text (the raw quotes
    less the quotes left in the cells: ``""`` stands for one), plus ``k - 1``
    delimiters. No delimiter is looked for one by one.
    """
    layout = _quoted_layout(chunk, delimiter[0], quote[0])
    if layout is None:
        return None
    starts, ends, lengths, cr, quotes, not_text = layout
    _guard_wide(chunk, starts, ends, lengths, delimiter, width, quotes)
    columns = max(width, 1) + 1
    quote_text = quote.decode()
    strip_cr = bool(cr.any())
    try:
        frame = _strings_frame(chunk, delimiter, columns, quote_text, strip_cr)
    except pl.exceptions.ComputeError:
        return None
    if frame.height != len(ends):
        return None
    counts = _cells_from_lengths(frame, lengths, not_text)
    guards.check_csv_block(counts, width)
    wide = (counts > columns).arg_true().to_list()
    if wide:  # more cells than read: counted exactly, and the block read again
        dialect = _plain_dialect(delimiter.decode())
        exact = []
        for i in wide:
            record = chunk[int(starts[i]) : int(ends[i])].decode("utf-8", errors="replace")
            exact.append(len(next(csv.reader(io.StringIO(record, newline=""), dialect), [])))
        counts = counts.scatter(wide, exact)
        columns = _largest(counts)
        try:
            frame = _strings_frame(chunk, delimiter, columns, quote_text, strip_cr)
        except pl.exceptions.ComputeError:  # polars refuses the wider read: Python's csv
            return None
        if frame.height != len(ends):  # pragma: no cover - defensive
            return None
    return counts, frame


def _quoted_layout(
    chunk: bytes, d: int, q: int
) -> tuple[pl.Series, pl.Series, pl.Series, pl.Series, pl.Series, pl.Series] | None:
    """The records of a block with quotes, None if its quoting is not regular: (start
    and end offsets, content lengths, ends-with-CR flags, quote offsets, quotes of each
    record that are not text).

    One pass over the bytes finds the quotes and newlines together, in order; one
    query over those few positions then does the rest. A quote's rank among the quotes
    says whether it opens (even) or closes (odd); an opening quote follows the start,
    a delimiter, a newline or a quote (then the closing one just before it: ``""``); a
    closing quote precedes the end, a quote, a delimiter or a line end. Records end at
    the newlines after an even number of quotes. The quotes left in the text are the
    doubled ones: a closing quote directly followed by a quote.
    """
    arr = _bytes_of(chunk)
    size = len(arr)
    data, at = pl.lit(arr), pl.col("at")
    quote, rank, nxt, prev = pl.col("quote"), pl.col("rank"), pl.col("next"), pl.col("prev")
    closing = quote & (rank % 2 == 1)
    opening = quote & (rank % 2 == 0)
    marks = ((arr == q) | (arr == 10)).arg_true().cast(pl.Int64)
    if not chunk.endswith(b"\n"):  # the last record ends at the block's end
        marks = pl.concat([marks, pl.Series([size], dtype=pl.Int64)])
    events = (
        pl.LazyFrame({"at": marks})
        .with_columns(
            quote=(at < size) & (data.gather(at.clip(upper_bound=max(size - 1, 0))) == q),
            prev=data.gather((at - 1).clip(lower_bound=0)),
            next=data.gather((at + 1).clip(upper_bound=max(size - 1, 0))),
        )
        .with_columns(rank=(quote.cum_sum() - quote).cast(pl.Int64))
        .with_columns(
            irregular=(opening & (at != 0) & (prev != d) & (prev != 10) & (prev != q))
            | (closing & (at + 1 != size) & (nxt != q) & (nxt != d) & (nxt != 10) & (nxt != 13)),
            doubled=(closing & (at + 1 < size) & (nxt == q)).cum_sum().cast(pl.Int64),
        )
        .collect()
    )
    del arr, data
    total, irregular = events.select(quote.sum(), pl.col("irregular").any()).row(0)
    if total % 2 or irregular:
        return None  # a quote left open, or one in the middle of a cell: Python's rules
    quotes = events.filter(quote)["at"]
    # each record ends at a newline after an even number of quotes (or at the block's
    # end); its quotes that are not text: its quotes less its doubled ones
    end, cr = pl.col("at"), prev == 13
    start = end.shift(1, fill_value=-1) + 1
    cr = cr & (end > start)
    rows = (
        events.lazy()
        .filter(~quote & (rank % 2 == 0))
        .select(
            start=start,
            end=end,
            length=end - start - cr.cast(pl.Int64),
            cr=cr,
            not_text=(rank - pl.col("doubled"))
            .diff()
            .fill_null(rank.first() - pl.col("doubled").first()),
        )
        .collect()
    )
    return rows["start"], rows["end"], rows["length"], rows["cr"], quotes, rows["not_text"]


def _records(
    chunk: bytes, arr: pl.Series, ends: pl.Series
) -> tuple[pl.Series, pl.Series, pl.Series, pl.Series]:
    """(start and end offsets, content lengths, ends-with-CR flags) of the records ending
    at ``ends``.

    A last record without a final newline ends at the chunk's end; in "\r\n" line
    endings the "\r" belongs to no cell, so it is left out of the length.
    """
    if not chunk.endswith(b"\n"):
        ends = pl.concat([ends, pl.Series([len(chunk)], dtype=pl.Int64)])
    end = pl.col("end")
    start = end.shift(1, fill_value=-1) + 1
    if len(arr):
        cr = (end > start) & (pl.lit(arr).gather((end - 1).clip(lower_bound=0)) == 13)
    else:
        cr = pl.lit(False)
    table = pl.DataFrame({"end": ends}).select(
        "end", start=start, length=end - start - cr.cast(pl.Int64), cr=cr
    )
    return table["start"], table["end"], table["length"], table["cr"]


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


def _python_chunk(chunk: bytes, dialect: Any, width: int = 0) -> tuple[pl.Series, pl.DataFrame]:
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotUtf8 from error
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    guards.check_csv_block(pl.Series(list(map(len, rows)), dtype=pl.Int64), width)
    return _rows_to_frame(rows)


def _rows_to_frame(rows: list[list[str]], width: int = 0) -> tuple[pl.Series, pl.DataFrame]:
    counts = pl.Series(list(map(len, rows)), dtype=pl.Int64)
    width = max(width, _largest(counts), 1)
    columns = {f"c{i}": [r[i] if i < len(r) else "" for r in rows] for i in range(width)}
    frame = pl.DataFrame(columns, schema={f"c{i}": pl.String for i in range(width)})
    return counts, frame


# --- XLSX ---------------------------------------------------------------------


def _open_xlsx(path: Path, sheet: str | None) -> Source:
    """A workbook (XLSX, or ODS): its sheet names and the chosen sheet's header.

    The guards run before any reader opens the file; the sheet itself is read when its
    batches are asked for (the columns' types are known by then, see ``cell_text``)."""
    from .workbook import is_ods, load_sheet, open_reader

    ods = is_ods(path)
    scan: guards.WorkbookScan | None = None
    if ods:
        _check_ods(path)
    else:
        scan = guards.check_workbook(path)  # sizes, extent, shared strings: every sheet once
    reader = open_reader(path)
    names = list(reader.sheet_names)
    if sheet is not None and sheet not in names:
        raise UnusableInput(
            f"Le classeur {path.name} n'a pas de feuille « {sheet} » ; feuilles présentes : "
            + ", ".join(f"« {n} »" for n in names)
            + "."
        )
    if not names:
        raise UnusableInput(f"Le classeur {path.name} ne contient aucune feuille.")
    source = Source(path=path, kind="xlsx", encoding="utf-8", sheet=sheet or names[0])
    source._sheet = load_sheet(path, reader, source.sheet or "", XLSX_MAX_CELLS, ods, scan=scan)
    if not source._sheet.labels:
        raise UnusableInput(
            f"La feuille « {source.sheet} » du classeur {path.name} est vide : il faut une "
            "ligne d'en-tête et des lignes de données."
        )
    source.labels = source._sheet.labels
    return source


def _check_ods(path: Path) -> None:
    """The size guards of ``guards.check_workbook`` for an OpenDocument spreadsheet."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            compressed = sum(info.compress_size for info in infos) or 1
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise UnusableInput(
            f"Le classeur {path.name} est tronqué ou corrompu (archive illisible : {error}). "
            "Réenregistrez-le depuis votre tableur, ou exportez-le en CSV UTF-8."
        ) from error
    if "content.xml" not in names:
        raise UnusableInput(
            f"Le fichier {path.name} est une archive ZIP mais pas un classeur OpenDocument (.ods)."
        )
    if total > XLSX_MAX_UNCOMPRESSED or total / compressed > XLSX_MAX_RATIO and total > 50_000_000:
        raise UnusableInput(
            f"Le classeur {path.name} se décompresse en {_size_fr(total)} (taux de compression "
            f"{total / compressed:.0f}:1) : c'est trop pour un tableau de données, le fichier est "
            "refusé par précaution (« bombe » de décompression). Exportez-le en CSV UTF-8."
        )


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
            if ftype == "year" and 0 <= int(cell) <= 9999:  # frictionless: a year 0..9999
                text = text.zfill(4)
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
    """The sheet's data rows as text, now that the columns' types are known."""
    from .workbook import sheet_text

    sheet = sheet_text(source._sheet, source.column_types)
    source._sheet = None  # the text replaces the loaded cells
    height = len(sheet.counts)
    # the workbook's reader works in numpy; the engine in polars series
    counts = pl.Series(sheet.counts, dtype=pl.Int64)
    forced = {c: pl.Series(m, dtype=pl.Boolean) for c, m in sheet.forced.items()}
    formula = {c: pl.Series(m, dtype=pl.Boolean) for c, m in sheet.formula_errors.items()}
    for start in range(0, height, batch_rows):
        size = min(start + batch_rows, height) - start
        yield Batch(
            first_row=start + 2,
            counts=counts.slice(start, size),
            frame=sheet.frame.slice(start, size),
            forced={c: m.slice(start, size) for c, m in forced.items()},
            formula_errors={c: m.slice(start, size) for c, m in formula.items()},
        )
