"""Guards at the door: every input is bounded before a parser allocates for it.

One layer shared by every face (the command line now, the web service next): a file
must be a regular file (a FIFO or a terminal would block the reader); a workbook is
judged from its zip directory and its streamed XML before calamine or openpyxl build
anything (sizes, compression ratio, declared and real cell extent, shared strings); a
CSV block is refused before it is widened to its widest record; a schema is bounded in
size, depth and number of fields, and checked against the Table Schema profile shipped
in ``data/table-schema.json`` before any code reads one of its values.

Each refusal is a :class:`Refused` (an :class:`UnusableInput`): a French sentence
saying what is wrong and how to get a usable file, which the faces turn into exit
code 2.
"""

from __future__ import annotations

import dataclasses
import json
import queue
import re
import stat
import threading
import zipfile
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .validation.errors import SchemaUnusable, UnusableInput
from .wording import thousands

if TYPE_CHECKING:
    import polars as pl

# Workbooks
XLSX_MAX_UNCOMPRESSED = 512 * 1024 * 1024
"""Total uncompressed size of a workbook's parts."""
XLSX_MAX_RATIO = 200
"""Compression ratio above which a large workbook is taken for a decompression bomb."""
XLSX_RATIO_FROM = 50_000_000
"""Uncompressed size from which the ratio is looked at (small parts compress very well)."""
XLSX_MAX_CELLS = 50_000_000
"""Cells of a sheet's rectangle (rows × columns) that readers allocate."""
XLSX_SPARSE_FACTOR = 8
"""A rectangle may be this many times larger than the cells really present (and at
least ``XLSX_SPARSE_FROM`` cells): beyond, one far cell would make a reader allocate
a whole empty grid."""
XLSX_SPARSE_FROM = 2_000_000
XLSX_MAX_SHARED_STRING = 1024 * 1024
"""Bytes of one shared string (Excel itself holds 32,767 characters per cell): one
huge string referenced by many cells is copied into each of them by the readers."""
SCAN_BLOCK = 4 * 1024 * 1024
XLSX_KEEP_XML = 128 * 1024 * 1024
"""Decompressed XML (sheets, shared strings) the guard keeps for the reader, which
would otherwise decompress the sheet it reads a second time; a part that would pass
this total is not kept (the reader decompresses it again)."""

# CSV
CSV_MAX_CELLS_PER_ROW = 50_000
"""Cells of one CSV record, header included (a spreadsheet holds 16,384 columns)."""
CSV_MAX_BLOCK_CELLS = 6_000_000
"""Cells (records × header width) of one CSV block: several blocks are in flight at
once, and blank or short lines are padded to the header's width."""
CSV_MAX_WIDE_BLOCK_CELLS = 64_000_000
"""Cells (records × widest record) a block with records wider than its header may
hold once widened (rare: such records are errors, one per extra cell)."""

# Schemas
SCHEMA_MAX_BYTES = 10 * 1024 * 1024
SCHEMA_MAX_DEPTH = 64
SCHEMA_MAX_FIELDS = 20_000
SCHEMA_MAX_DIGITS = 100


class Refused(UnusableInput):
    """An input refused by a guard; the message is French and says how to fix it."""


class SchemaRefused(Refused, SchemaUnusable):
    """A schema refused by a guard (too large, too deep, not a Table Schema)."""


def _size_fr(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.0f} Mo"
    return f"{max(size, 1) / 1024:.0f} Ko"


# --- files --------------------------------------------------------------------------


def check_regular_file(path: Path) -> None:
    """Refuse what is not an ordinary file, before it is opened: opening a FIFO with no
    writer, or reading a terminal (``/dev/stdin``), would wait forever."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise Refused(f"Fichier introuvable : {path}.") from None
    except OSError as error:
        raise Refused(f"Impossible de lire {path} : {os_reason(error)}.") from error
    if stat.S_ISDIR(info.st_mode):
        raise Refused(f"{path} est un dossier, pas un fichier CSV ou XLSX.")
    if not stat.S_ISREG(info.st_mode):
        raise Refused(
            f"{path} n'est pas un fichier ordinaire (tube, terminal ou périphérique) : il ne peut "
            "pas être lu. Enregistrez les données dans un fichier, puis donnez son chemin."
        )


_ERRNO_FR = {
    "EACCES": "permission refusée",
    "EPERM": "opération non permise",
    "ENOENT": "fichier ou dossier introuvable",
    "ENOTDIR": "un élément du chemin n'est pas un dossier",
    "EISDIR": "c'est un dossier",
    "ENOSPC": "plus d'espace sur le disque",
    "EDQUOT": "quota de disque dépassé",
    "EROFS": "système de fichiers en lecture seule",
    "EEXIST": "le fichier existe déjà",
    "ENAMETOOLONG": "nom de fichier trop long",
    "ELOOP": "trop de liens symboliques",
    "EIO": "erreur d'entrée-sortie du disque",
    "EBUSY": "ressource occupée",
    "EMFILE": "trop de fichiers ouverts",
    "ENXIO": "périphérique absent",
    "ECONNREFUSED": "connexion refusée",
    "ETIMEDOUT": "délai dépassé",
    "EXDEV": "dossiers sur des disques différents",
    "ENOTEMPTY": "dossier non vide",
}


def os_reason(error: OSError) -> str:
    """The French reason of a system error (never the English ``strerror``)."""
    import errno

    name = errno.errorcode.get(error.errno or 0, "")
    return _ERRNO_FR.get(name, f"erreur système {name or error.errno or 'inconnue'}")


# --- workbooks ----------------------------------------------------------------------


@dataclass
class WorkbookScan:
    """What the workbook guard saw while it read the parts, for the reader."""

    error_parts: frozenset[str] | None = None
    """Sheet parts (``xl/worksheets/….xml``) that hold an Excel error cell (``t="e"``),
    None when not looked for (the reader then looks for them in the sheet it reads)."""
    xml: dict[str, list[bytes]] = dataclasses.field(default_factory=dict)
    """Decompressed blocks of the sheet and shared-string parts, by member name, for
    those kept within ``XLSX_KEEP_XML``."""


def check_workbook(path: Path) -> WorkbookScan:
    """Refuse a workbook whose reading would cost more than its data is worth, judged
    from the zip's directory and the streamed XML of its sheets and shared strings."""
    name = path.name
    kept: dict[str, list[bytes]] = {}
    budget = XLSX_KEEP_XML
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_zip_sizes(name, infos)
            names = {info.filename for info in infos}
            if not {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"} <= names:
                raise Refused(
                    f"Le fichier {name} est une archive ZIP, mais n'est pas un classeur .xlsx "
                    "lisible (il n'en a pas les parties). Ouvrez-le dans votre tableur et "
                    "enregistrez-le au format .xlsx, ou exportez-le en CSV UTF-8."
                )
            for info in infos:
                lower = info.filename.lower()
                sheet = lower.startswith("xl/worksheets/") and lower.endswith(".xml")
                if not sheet and lower != "xl/sharedstrings.xml":
                    continue
                # the declared size bounds what zipfile inflates (never more)
                keep: list[bytes] | None = [] if info.file_size <= budget else None
                if sheet:
                    _check_sheet(name, archive, info, keep)
                else:
                    _check_shared_strings(name, archive, info, keep)
                if keep is not None:
                    kept[info.filename] = keep
                    budget -= sum(map(len, keep))
    except Refused:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as e:
        raise Refused(
            f"Le classeur {name} est tronqué ou corrompu (archive illisible). Réenregistrez-le "
            "depuis votre tableur, ou exportez-le en CSV UTF-8."
        ) from e
    except OSError as error:
        raise Refused(f"Impossible de lire le classeur {name} : {os_reason(error)}.") from error
    return WorkbookScan(None, kept)


def _check_zip_sizes(name: str, infos: list[zipfile.ZipInfo]) -> None:
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos) or 1
    ratio = total / compressed
    if total > XLSX_MAX_UNCOMPRESSED or (ratio > XLSX_MAX_RATIO and total > XLSX_RATIO_FROM):
        raise Refused(
            f"Le classeur {name} se décompresse en {_size_fr(total)} (taux de compression "
            f"{ratio:.0f}:1) : c'est trop pour un tableau de données, le fichier est refusé par "
            "précaution (« bombe » de décompression). Exportez-le en CSV UTF-8."
        )


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes by blocks, never more than it declares nor than the cap."""
    read = 0
    with archive.open(info) as member:
        while block := member.read(SCAN_BLOCK):
            read += len(block)
            if read > XLSX_MAX_UNCOMPRESSED:
                raise Refused(
                    f"Une partie du classeur {archive.filename} se décompresse en plus de "
                    f"{_size_fr(XLSX_MAX_UNCOMPRESSED)} : le fichier est refusé par précaution."
                )
            yield block


_DONE = object()


def _inflated(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Generator[bytes, None, None]:
    """``_stream``'s blocks, inflated one or two blocks ahead by a thread while the
    caller searches the previous ones (zlib and its checksum let the interpreter run:
    on two cores, decompression and searches overlap). An error of the thread (a
    refusal, a corrupt archive) is raised here, at the block where it happened."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def hand(item: Any) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def inflate() -> None:
        try:
            for block in _stream(archive, info):
                if not hand(block):
                    return
        except BaseException as error:  # handed to the caller, raised there
            hand(error)
            return
        hand(_DONE)

    worker = threading.Thread(target=inflate, name="esr-inflate", daemon=True)
    worker.start()
    try:
        while (item := ahead.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def _bodies(blocks: Iterable[bytes]) -> Iterator[tuple[bytes, int]]:
    """(data, end) of each block: ``data`` is the block after what was left of the
    previous one; its body, ``data[:end]``, leaves out its last, maybe unfinished, tag
    (given again with the next block: a reference is never cut in two). The searches
    for references go through the whole ``data``: an unfinished one is not matched (it
    ends with its quote), a finished one is matched twice, which changes no extent."""
    tail = b""
    for block in blocks:
        data = tail + block if tail else block
        cut = data.rfind(b"<")
        end, tail = (cut, data[cut:]) if cut > 0 else (len(data), b"")
        if len(tail) > 4096:
            end, tail = len(data), b""
        yield data, end


_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,4})\$?(\d{1,9})(?::\$?([A-Z]{1,4})\$?(\d{1,9}))?"'
)
# a cell reference attribute: r="AB12"; the letters give the column, the digits the row
_REFERENCE = b' r="'
# the same, written as XML allows it: any XML whitespace before the name and around the
# "=", either quote (a reader takes r = 'AB12' as it takes r="AB12")
_WS = rb"[ \t\r\n]"
_REF = _WS + rb"r" + _WS + rb"*=" + _WS + rb"""*["']"""
"""Start of an attribute ``r`` (the reference of a row or a cell), as a pattern."""


def _after_same_length(text: bytes, last: int, any_symbol: bytes) -> list[bytes]:
    """Patterns of the strings as long as ``text`` that sort after it, each symbol
    ranging up to ``last``: the same start, then a greater symbol, then any symbols."""
    alternatives = []
    for index, symbol in enumerate(text):
        if symbol < last:
            rest = len(text) - index - 1
            alternatives.append(
                text[:index]
                + b"["
                + bytes([symbol + 1, ord("-"), last])
                + b"]"
                + (any_symbol + b"{" + str(rest).encode() + b"}" if rest else b"")
            )
    return alternatives


def _columns_beyond(letters: bytes) -> list[bytes]:
    """Alternatives of the column letters beyond ``letters``: more letters, or as many
    and after them in the alphabet (exact); none beyond ``ZZZZ``."""
    alternatives = _after_same_length(letters, ord("Z"), rb"[A-Z]")
    if len(letters) < 4:
        alternatives.append(rb"[A-Z]{" + str(len(letters) + 1).encode() + rb",4}")
    return alternatives


def _rows_beyond(row: int) -> list[bytes]:
    """Alternatives of the row numbers beyond ``row``: more digits, or as many and a
    greater number (exact)."""
    digits = str(row).encode()
    n = len(digits)
    alternatives = [rb"[0-9]{" + str(n + 1).encode() + rb",9}"] if n < 9 else []
    return alternatives + _after_same_length(digits, ord("9"), rb"[0-9]")


@lru_cache(maxsize=256)
def _far_columns(letters: bytes) -> re.Pattern[bytes]:
    """Cell references beyond column ``letters`` (see ``_columns_beyond``), so that a
    sheet's cells are not matched one by one."""
    alternatives = _columns_beyond(letters)
    if not alternatives:  # ZZZZ: nothing lies beyond
        return re.compile(rb"(?!)")
    return re.compile(_REF + b"(" + b"|".join(alternatives) + rb")[0-9]")


@lru_cache(maxsize=256)
def _far_rows(row: int) -> re.Pattern[bytes]:
    """Cell references whose row lies beyond ``row`` (see ``_rows_beyond``): only such
    a cell can move the farthest row, and the others are not matched one by one."""
    alternatives = _rows_beyond(row)
    if not alternatives:
        return re.compile(rb"(?!)")
    return re.compile(_REF + rb"[A-Z]{1,4}(" + b"|".join(alternatives) + rb""")["']""")


@lru_cache(maxsize=256)
def _beyond(letters: bytes, row: int) -> str:
    """One pattern, in the syntax of polars' regular expressions (Rust), of a whole
    reference beyond column ``letters`` or row ``row``: of a cell, or of a row (no
    letters). Other elements with an ``r`` attribute only make it match more often
    than needed, never less. Empty if nothing lies beyond."""
    parts = []
    if columns := _columns_beyond(letters):
        parts.append(b"(?:" + b"|".join(columns) + rb")[0-9]{1,9}")
    if rows := _rows_beyond(row):
        parts.append(rb"[A-Z]{0,4}(?:" + b"|".join(rows) + b")")
    return (_REF + b"(?:" + b"|".join(parts) + rb""")["']""").decode() if parts else ""


_FOUND = re.compile(r"([A-Z]{0,4})([0-9]{1,9})[\"']$")


_ROW_REF = re.compile(rb"row(?:" + _WS + rb"[^>]{0,200}?)?" + _REF + rb"""([0-9]{1,9})["']""")


def column_letters(index: int) -> bytes:
    """1 -> ``A``, 27 -> ``AA`` (the inverse of :func:`column_index`)."""
    letters = b""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = bytes([65 + remainder]) + letters
    return letters


def column_index(letters: bytes | str) -> int:
    """``A`` -> 1, ``Z`` -> 26, ``AA`` -> 27…"""
    value = 0
    for char in letters.decode() if isinstance(letters, bytes) else letters:
        value = value * 26 + ord(char) - 64
    return value


def _cells(body: bytes) -> int:
    """Cells of a body: the references that are not a row's (only rows and cells have
    one). A reference written otherwise than `` r="`` is not counted: the sheet then
    seems sparser than it is, never denser."""
    return max(body.count(_REFERENCE) - len(_ROW_REF.findall(body)), 0)


def _extent(body: bytes, max_col: int, max_row: int) -> tuple[int, int]:
    """Farthest column and row of a body's references, at least ``max_col`` and
    ``max_row``, found exactly by Python's regular expressions."""
    far_letters = _far_columns(column_letters(max(max_col, 1))).findall(body)
    if far_letters:
        max_col = max(max_col, max(column_index(c) for c in set(far_letters)))
    rows = _ROW_REF.findall(body)
    if rows:
        max_row = max(max_row, max(map(int, set(rows))))
    far = _far_rows(max_row).findall(body)
    if far:
        max_row = max(max_row, max(map(int, set(far))))
    return max_col, max_row


def _last_row(data: bytes, end: int) -> int:
    """The number of the last row tag of ``data[:end]`` (0 if none is found)."""
    start = data.rfind(b"<row", 0, end)
    start = start if start >= 0 else data.rfind(b":row", 0, end)  # a prefixed tag, <x:row
    match = _ROW_REF.search(data, start, end) if start >= 0 else None
    return int(match.group(1)) if match else 0


def _fast_extent(body: bytes, max_col: int, max_row: int) -> tuple[int, int] | None:
    """``_extent`` by polars: compiled code, run without the interpreter's lock,
    several times faster. ``max_row`` must be the row of a reference of the body or
    before (the search starts from it). Only the references beyond are taken out:
    none, in a sheet written in order. None when unsure (text that is not UTF-8)."""
    import polars as pl

    try:
        text = pl.Series([body], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:  # not UTF-8
        return None
    beyond = _beyond(column_letters(max(max_col, 1)), max_row)
    if not beyond or not text.str.contains(beyond).item():
        return max_col, max_row
    for reference in text.str.extract_all(beyond).explode().drop_nulls():
        match = _FOUND.search(reference)
        if match:  # always: the pattern ends so
            if match.group(1):
                max_col = max(max_col, column_index(match.group(1)))
            max_row = max(max_row, int(match.group(2)))
    return max_col, max_row


def _check_sheet(
    name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, keep: list[bytes] | None = None
) -> None:
    """Declared dimension and real extent (farthest row and column) against the cells
    actually present: what calamine allocates is the rectangle, not the cells. The
    decompressed blocks are added to ``keep`` if given.

    Each block is first searched by polars for anything beyond the farthest column
    seen and the row of its last row tag (none, in a sheet written in order), and only
    then, if something is found, by the exact searches of ``_extent`` (these also give
    the farthest column and row of the first rows, where the search starts from). The
    cells are counted only where the extent makes their number matter (a large
    rectangle), from the kept blocks when there are."""
    max_col = max_row = cells = 0
    declared: tuple[int, int] | None = None
    blocks = _inflated(archive, info)
    try:
        for index, (data, end) in enumerate(
            _bodies(blocks if keep is None else _kept(blocks, keep))
        ):
            if index == 0:
                match = _DIMENSION.search(data[:8192])
                if match and match.group(3):
                    declared = (
                        column_index(match.group(3)) - column_index(match.group(1)) + 1,
                        int(match.group(4)) - int(match.group(2)) + 1,
                    )
                # the farthest column and row of the first rows, to start from (a
                # reference cut at the end only gives a nearer start)
                max_col, max_row = _extent(data[: min(end, 65536)], 0, 0)
            start_row = max(max_row, _last_row(data, end))
            found = _fast_extent(data, max_col, start_row) if max_col else None
            max_col, max_row = found if found is not None else _extent(data, max_col, max_row)
            if keep is None:
                cells += _cells(data[:end])
            _refuse_extent(name, info, max_col, max_row, cells, final=False)
    finally:
        blocks.close()  # the inflating thread stops, even on a refusal
    if keep is not None and _cells_matter(max_col * max_row, declared):
        cells = sum(_cells(data[:end]) for data, end in _bodies(keep))
    _refuse_extent(name, info, max_col, max_row, cells, final=True)
    if declared is not None:
        width, height = declared
        if width * height > XLSX_MAX_CELLS and width * height > XLSX_SPARSE_FACTOR * max(cells, 1):
            _refuse_rectangle(name, height, width)


def _kept(blocks: Iterable[bytes], keep: list[bytes]) -> Iterator[bytes]:
    for block in blocks:
        keep.append(block)
        yield block


def _cells_matter(extent: int, declared: tuple[int, int] | None) -> bool:
    """Whether the number of cells may refuse the sheet (see ``_refuse_extent`` and the
    declared dimension's check)."""
    return extent > XLSX_SPARSE_FROM or (
        declared is not None and declared[0] * declared[1] > XLSX_MAX_CELLS
    )


def _refuse_extent(
    name: str, info: zipfile.ZipInfo, cols: int, rows: int, cells: int, final: bool
) -> None:
    extent = cols * rows
    if extent > XLSX_MAX_CELLS * (1 if final else XLSX_SPARSE_FACTOR):
        _refuse_rectangle(name, rows, cols)
    if final and extent > XLSX_SPARSE_FROM and extent > XLSX_SPARSE_FACTOR * max(cells, 1):
        _refuse_rectangle(name, rows, cols)


def _refuse_rectangle(name: str, rows: int, cols: int) -> None:
    raise Refused(
        f"Le classeur {name} a une feuille qui s'étend sur {thousands(rows)} lignes × "
        f"{thousands(cols)} colonnes alors qu'elle contient bien moins de données (une cellule "
        "remplie ou mise en forme très loin du tableau) : le fichier est refusé par précaution. "
        "Supprimez les lignes et colonnes vides au-delà du tableau, ou exportez-le en CSV UTF-8."
    )


def _check_shared_strings(
    name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, keep: list[bytes] | None = None
) -> None:
    """No single shared string above ``XLSX_MAX_SHARED_STRING`` bytes (the blocks are
    added to ``keep`` if given)."""
    pending = 0  # bytes since the last end of a string
    for block in _stream(archive, info):
        if keep is not None:
            keep.append(block)
        start = 0
        while (end := block.find(b"</si>", start)) >= 0:
            if pending + end - start > XLSX_MAX_SHARED_STRING:
                break
            pending, start = 0, end + 5
        else:
            pending += len(block) - start
            if pending <= XLSX_MAX_SHARED_STRING:
                continue
        raise Refused(
            f"Le classeur {name} contient un texte de plus de {_size_fr(XLSX_MAX_SHARED_STRING)} "
            "dans une seule cellule (Excel en admet 32 767 caractères) : le fichier est refusé par "
            "précaution. Vérifiez son contenu, ou exportez-le en CSV UTF-8."
        )


# --- CSV ----------------------------------------------------------------------------


class WideRecord(Refused):
    """A CSV record far wider than the header, found inside a block (the position in
    the file is added by the reader, see :meth:`at`)."""

    def __init__(self, index: int, widest: int, width: int) -> None:
        super().__init__(self._text("Une ligne", widest, width))
        self.index, self.widest, self.width = index, widest, width

    @staticmethod
    def _text(where: str, widest: int, width: int) -> str:
        return (
            f"{where} compte {thousands(widest)} cellules alors que l'en-tête en compte "
            f"{thousands(width)} : le fichier est probablement mal découpé (séparateur ou "
            "guillemets) et il est refusé par précaution. Vérifiez cette ligne, ou réenregistrez "
            "le fichier en CSV depuis votre tableur."
        )

    def at(self, first_record: int, name: str) -> Refused:
        """The same refusal, saying where: the block's first record is ``first_record``
        (the header is record 1)."""
        where = f"La ligne {first_record + self.index} (environ) de {name}"
        return Refused(self._text(where, self.widest, self.width))


def check_csv_block(counts: pl.Series, width: int) -> None:
    """Refuse a parsed CSV block before it is widened to its widest record.

    ``counts``: cells of each record (integers); ``width``: cells of the header.
    Raises :class:`WideRecord`."""
    if not len(counts):
        return
    top = counts.max()
    widest = int(top) if isinstance(top, int) else 0
    if widest <= max(width, 1) + 1:
        return
    if widest > CSV_MAX_CELLS_PER_ROW or widest * len(counts) > CSV_MAX_WIDE_BLOCK_CELLS:
        raise WideRecord(int(counts.arg_max() or 0), widest, width)


def check_csv_header(width: int, name: str) -> None:
    """Refuse a header wider than ``CSV_MAX_CELLS_PER_ROW`` before any block is read."""
    if width > CSV_MAX_CELLS_PER_ROW:
        raise Refused(
            f"L'en-tête de {name} compte {thousands(width)} colonnes : c'est trop pour un "
            f"tableau de données (au plus {thousands(CSV_MAX_CELLS_PER_ROW)}). Vérifiez le "
            "séparateur, ou découpez le fichier."
        )


def records_per_block(width: int) -> int:
    """Records one block may hold so that it stays within ``CSV_MAX_BLOCK_CELLS``
    once every record is padded to the header's width (short or blank lines)."""
    return max(CSV_MAX_BLOCK_CELLS // max(width + 1, 1), 1024)


# --- schemas ------------------------------------------------------------------------


def load_schema_json(data: bytes, where: str) -> Any:
    """JSON text of a schema, bounded: size, number literals, nesting depth."""
    if len(data) > SCHEMA_MAX_BYTES:
        raise SchemaRefused(
            f"Le schéma {where} dépasse {_size_fr(SCHEMA_MAX_BYTES)} : ce n'est pas un Table Schema."
        )
    depth = json_depth(data)
    if depth > SCHEMA_MAX_DEPTH:
        raise SchemaRefused(
            f"Le schéma {where} imbrique plus de {SCHEMA_MAX_DEPTH} niveaux de listes ou d'objets : "
            "ce n'est pas un Table Schema."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SchemaRefused(
            f"Le schéma {where} n'est pas un texte UTF-8 (octet illisible à la position "
            f"{error.start}) : enregistrez-le en UTF-8."
        ) from error
    try:
        return json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise SchemaRefused(
            f"Le schéma {where} n'est pas un JSON lisible (ligne {error.lineno}, colonne "
            f"{error.colno} : {json_reason(error)})."
        ) from error
    except RecursionError as error:  # pragma: no cover - the depth scan comes first
        raise SchemaRefused(f"Le schéma {where} est trop profondément imbriqué.") from error


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > SCHEMA_MAX_DIGITS:
        raise SchemaRefused(
            f"Le schéma contient un nombre entier de {thousands(len(text))} chiffres : c'est trop "
            f"(au plus {SCHEMA_MAX_DIGITS})."
        )
    return int(text)


def _no_constant(text: str) -> Any:
    raise SchemaRefused(
        f"Le schéma contient « {text} », qui n'est pas une valeur JSON : écrivez un nombre ou un texte."
    )


_JSON_REASONS = {
    "Expecting value": "une valeur est attendue",
    "Expecting property name enclosed in double quotes": "un nom de propriété entre guillemets est attendu",
    "Expecting ':' delimiter": "« : » est attendu",
    "Expecting ',' delimiter": "« , » est attendu",
    "Unterminated string starting at": "texte non refermé",
    "Invalid control character at": "caractère de contrôle interdit dans un texte",
    "Invalid \\escape": "séquence d'échappement invalide",
    "Invalid \\uXXXX escape": "séquence \\u invalide",
    "Extra data": "texte en trop après la fin du JSON",
}


def json_reason(error: json.JSONDecodeError) -> str:
    """The French reason of a JSON syntax error."""
    for english, french in _JSON_REASONS.items():
        if error.msg.startswith(english):
            return french
    return "syntaxe JSON invalide"


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = [1 if b in b"[{" else -1 for b in range(256)]


def json_depth(data: bytes) -> int:
    """Deepest nesting of ``[`` and ``{`` outside strings, by a linear byte scan (bytes
    methods and C iterators: loading a schema imports no numpy)."""
    if b'"' in data:
        if b"\\" in data:
            # a quote after an odd run of backslashes neither opens nor closes a string:
            # the run's pairs, then the escaped quote, become neutral bytes
            data = data.replace(b"\\\\", b"__").replace(b'\\"', b"__")
        data = b"".join(data.split(b'"')[0::2])  # the text outside strings
    brackets = data.translate(None, _NOT_BRACKETS)
    if len(brackets) > 100_000:  # far more than a schema holds: numpy, 30 times faster
        import numpy as np

        arr = np.frombuffer(brackets, dtype=np.uint8)
        steps = np.where((arr == 0x5B) | (arr == 0x7B), 1, -1)
        return int(np.cumsum(steps).max(initial=0))
    return max(0, max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0))


@cache
def _profile() -> dict[str, Any]:
    text = resources.files("esr_schemas").joinpath("data/table-schema.json").read_text("utf-8")
    return dict(json.loads(text))


# Keywords of the profile that bound sizes or shapes of text rather than types: the
# reference implementation accepts descriptors that break them (an empty list of
# foreign keys...), so the guard leaves them to ``check``'s rule spec-table-schema.
_SHAPE_KEYWORDS = {
    "minItems": int,
    "maxItems": int,
    "uniqueItems": bool,
    "minLength": int,
    "maxLength": int,
    "pattern": str,
    "format": str,
}


def _types_only(schema: Any) -> Any:
    """The profile without its shape keywords, ``oneOf`` read as ``anyOf`` (without
    ``minItems``, an empty list fits two branches)."""
    if isinstance(schema, list):
        return [_types_only(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        kind = _SHAPE_KEYWORDS.get(key)
        if kind is not None and isinstance(value, kind):
            continue  # a keyword (a property of that name has a schema object as value)
        out["anyOf" if key == "oneOf" else key] = _types_only(value)
    return out


@cache
def _validators() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The profile of the descriptor without its fields, and one per field type."""
    profile = _types_only(_profile())
    top = dict(profile)
    top["properties"] = {k: v for k, v in profile["properties"].items() if k != "fields"}
    top["required"] = []
    by_type: dict[str, dict[str, Any]] = {}
    for branch in profile["properties"]["fields"]["items"]["anyOf"]:
        for ftype in branch.get("properties", {}).get("type", {}).get("enum", []):
            by_type[ftype] = branch
    return top, by_type


# Keywords of the profile that say nothing about validity.
_ANNOTATIONS = {"$schema", "title", "description", "context", "notes", "examples", "default"}

_JSON_TYPE_CHECKS: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    # stricter than Draft 4 (a float such as 1.0 goes to jsonschema, which judges it)
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def _conforms(schema: Any, value: Any) -> bool:
    """True only if ``value`` is valid against ``schema`` under Draft 4 for certain,
    judged with the few keywords the types-only profile uses (``type``, ``enum``,
    ``properties``, ``required``, ``items``, ``anyOf``). Anything else, or any doubt,
    answers False and the caller asks jsonschema: a valid descriptor (every command
    that reads one) then never imports it (0.05 to 0.1 s of start-up)."""
    if not isinstance(schema, dict):
        return False
    for key, expected in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key == "type":
            kinds = expected if isinstance(expected, list) else [expected]
            if not all(isinstance(k, str) and k in _JSON_TYPE_CHECKS for k in kinds):
                return False
            if not any(_JSON_TYPE_CHECKS[k](value) for k in kinds):
                return False
        elif key == "enum":
            if not isinstance(expected, list) or not any(
                type(item) is type(value) and item == value for item in expected
            ):
                return False
        elif key == "properties":
            if not isinstance(expected, dict):
                return False
            if isinstance(value, dict) and not all(
                _conforms(expected[name], item) for name, item in value.items() if name in expected
            ):
                return False
        elif key == "required":
            if not isinstance(expected, list):
                return False
            if isinstance(value, dict) and not all(name in value for name in expected):
                return False
        elif key == "items":
            if not isinstance(expected, dict):
                return False
            if isinstance(value, list) and not all(_conforms(expected, item) for item in value):
                return False
        elif key == "anyOf":
            if not isinstance(expected, list) or not any(_conforms(b, value) for b in expected):
                return False
        else:
            return False
    return True


def check_schema(descriptor: Any) -> None:
    """Bounds and Table Schema profile, before any code reads the descriptor."""
    if not isinstance(descriptor, dict):
        raise SchemaRefused("Le schéma n'est pas un Table Schema : un objet JSON {…} est attendu.")
    fields = descriptor.get("fields")
    if not isinstance(fields, list) or not fields:
        raise SchemaRefused(
            "Le schéma n'est pas un Table Schema : il lui manque la liste « fields » (les colonnes "
            "attendues). Vérifiez que vous avez donné le bon fichier ou la bonne adresse."
        )
    if len(fields) > SCHEMA_MAX_FIELDS:
        raise SchemaRefused(
            f"Le schéma déclare {thousands(len(fields))} champs : c'est trop (au plus "
            f"{thousands(SCHEMA_MAX_FIELDS)})."
        )
    depth = _depth(descriptor)
    if depth > SCHEMA_MAX_DEPTH:
        raise SchemaRefused(
            f"Le schéma imbrique plus de {SCHEMA_MAX_DEPTH} niveaux de listes ou d'objets : ce "
            "n'est pas un Table Schema."
        )
    top, by_type = _validators()
    _first_error(top, descriptor, [])
    for index, field in enumerate(fields):
        where = ["fields", index]
        if not isinstance(field, dict):
            raise SchemaRefused(
                f"Schéma invalide : le champ n° {index + 1} doit être un objet JSON {{…}}."
            )
        ftype = field.get("type", "string")
        branch = by_type.get(ftype) if isinstance(ftype, str) else None
        if branch is None:
            label = field.get("name") if isinstance(field.get("name"), str) else f"n° {index + 1}"
            shown = json.dumps(ftype, ensure_ascii=False)[:80]
            raise SchemaRefused(
                f"Schéma invalide : le champ « {label} » a un type inconnu {shown} (types admis : "
                + ", ".join(sorted(by_type))
                + ")."
            )
        _first_error(branch, field, where)
        item = field.get("arrayItem")
        if ftype == "array" and item is not None:
            _check_array_item(item, field, where, by_type)


def _check_array_item(item: Any, field: dict[str, Any], where: list[Any], by_type: Any) -> None:
    name = field.get("name")
    if not isinstance(item, dict):
        raise SchemaRefused(
            f"Schéma invalide : « arrayItem » du champ « {name} » doit être un objet JSON {{…}}."
        )
    ftype = item.get("type", "any")
    branch = by_type.get(ftype) if isinstance(ftype, str) else None
    if branch is None or ftype == "array":
        raise SchemaRefused(
            f"Schéma invalide : « arrayItem » du champ « {name} » a un type inconnu "
            f"{json.dumps(ftype, ensure_ascii=False)[:80]}."
        )
    _first_error(branch, {"name": "x", "type": ftype, **item}, [*where, "arrayItem"])


_JSON_TYPES_FR = {
    "string": "un texte",
    "array": "une liste",
    "object": "un objet",
    "boolean": "true ou false",
    "integer": "un nombre entier",
    "number": "un nombre",
    "null": "null",
}


def _first_error(schema: dict[str, Any], instance: Any, where: list[Any]) -> None:
    if _conforms(schema, instance):
        return
    from jsonschema import Draft4Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft4Validator(schema).iter_errors(instance))
    if error is None:
        return
    path = [*where, *error.absolute_path]
    pointer = "/".join(str(p) for p in path) or "(racine)"
    found = json.dumps(error.instance, ensure_ascii=False, default=str)
    found = found if len(found) <= 60 else found[:57] + "…"
    if error.validator == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        what = " ou ".join(_JSON_TYPES_FR.get(str(t), str(t)) for t in expected)
        detail = f"doit être {what}, pas {found}"
    elif error.validator == "enum":
        allowed = ", ".join(json.dumps(v, ensure_ascii=False) for v in error.validator_value)
        detail = f"vaut {found}, valeurs admises : {allowed}"
    elif error.validator == "required":
        missing = [k for k in error.validator_value if k not in (error.instance or {})]
        detail = "il manque « " + "», «".join(missing) + " »"
    elif error.validator in ("minItems", "minLength"):
        detail = "ne doit pas être vide"
    elif error.validator == "uniqueItems":
        detail = "contient deux fois la même valeur"
    else:
        detail = f"ne respecte pas la spécification Table Schema (valeur {found})"
    raise SchemaRefused(f"Schéma invalide : « {pointer} » {detail}.")


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value, without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            if level <= SCHEMA_MAX_DEPTH:
                stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            if level <= SCHEMA_MAX_DEPTH:
                stack.extend((v, level + 1) for v in item)
    return deepest
