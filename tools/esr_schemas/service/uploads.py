"""Receiving a multipart upload: streamed to a temporary file, never whole in memory.

The body is parsed as it arrives (python-multipart's push parser). Small text fields
(``schema``, ``url``, options) are kept in memory, each capped; the file part goes
straight to a file in the request's own temporary folder, and the upload is cut off
with a 413 as soon as it passes the cap. The folder is removed by its owner
(:class:`Workspace`) whatever happens.

Two things keep the upload from costing more than the socket does
(``benchmarks/service.py``):

- the file is written by a thread (:class:`_FileWriter`) while the event loop reads
  the next chunks, so the socket and the disk work at the same time;
- inside the file part, the chunks are searched for the part's delimiter with
  ``bytes.find`` of its first byte (a CR, rare in most CSV files) rather than by the
  parser's search of the whole delimiter, which is several times slower on text; the
  parser is given the body again from the first place a delimiter may start
  (:func:`_delimiter_start`), so it still decides everything about the structure.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header
from starlette.requests import ClientDisconnect, Request

from ..netfetch import size_fr
from .errors import ServiceError

MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 20
FILE_FIELD = "file"


class Workspace:
    """A temporary folder of one request (under ``TMPDIR``), removed by :meth:`remove`."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="esr-service-"))

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def safe_filename(name: str) -> str:
    """The last part of an uploaded file name, reduced to harmless characters."""
    base = PureWindowsPath(PurePosixPath(name).name).name
    keep = "".join(c if c.isalnum() or c in "-_. " else "_" for c in base).strip(" .")
    if len(keep) > 120:
        stem, dot, suffix = keep.rpartition(".")
        keep = (stem[:100] + dot + suffix[:10]) if dot else keep[:120]
    return keep or "fichier"


WRITE_BATCH = 1024 * 1024
"""Bytes gathered before they are handed to the writing thread (fewer, larger writes)."""
MAX_PENDING = 16 * 1024 * 1024
"""Bytes received but not yet written beyond which reading waits for the disk."""
IOV_MAX = 1024
"""Buffers per ``os.writev`` call (the POSIX minimum of ``IOV_MAX``)."""
_WRITERS = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="esr-upload")
"""The threads that write uploads (each upload has at most one write in flight)."""


def _write_all(fd: int, chunks: Sequence[bytes | memoryview]) -> None:
    """Writes ``chunks`` to ``fd`` in order, whatever ``os.writev`` takes at a time."""
    views = [memoryview(c) for c in chunks if len(c)]
    first = 0
    while first < len(views):
        written = os.writev(fd, views[first : first + IOV_MAX])
        if written <= 0:  # a regular file takes some bytes or raises; never loop on it
            raise OSError(errno.EIO, "the upload's file took no bytes")
        while first < len(views) and written >= len(views[first]):
            written -= len(views[first])
            first += 1
        if written:
            views[first] = views[first][written:]


class _FileWriter:
    """A file of the upload, written in a thread while the event loop keeps receiving.

    At most one write is in flight; what arrives meanwhile is gathered and written
    next, in one ``os.writev``. The file descriptor is closed only once no write uses
    it any more, even when the upload is abandoned halfway (cut off, cancelled)."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.pending: list[bytes | memoryview] = []
        self.pending_bytes = 0
        self.inflight: concurrent.futures.Future[None] | None = None
        self.closed = False

    def add(self, data: bytes | memoryview) -> None:
        self.pending.append(data)
        self.pending_bytes += len(data)

    async def pump(self) -> None:
        """Hands what was gathered to the thread once the previous write is over; waits
        for the disk only when too much is waiting."""
        if self.inflight is not None:
            if not self.inflight.done() and self.pending_bytes < MAX_PENDING:
                return
            await self._settle()
        if self.pending_bytes >= WRITE_BATCH or len(self.pending) >= IOV_MAX:
            self._start()

    async def finish(self) -> None:
        """Everything written, and the file closed."""
        await self._settle()
        if self.pending:
            self._start()
            await self._settle()
        self.close()

    def _start(self) -> None:
        chunks, self.pending, self.pending_bytes = self.pending, [], 0
        self.inflight = _WRITERS.submit(_write_all, self.fd, chunks)

    async def _settle(self) -> None:
        """Waits for the write in flight; its error (disk full...) is raised here."""
        if self.inflight is not None:
            await asyncio.wrap_future(self.inflight)
            self.inflight = None

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.pending = []
        inflight = self.inflight
        if inflight is not None and not inflight.done():
            inflight.add_done_callback(lambda _: os.close(self.fd))
        else:
            os.close(self.fd)


def _delimiter_start(data: bytes, delimiter: bytes) -> int:
    """Where ``delimiter`` first occurs in ``data``, or else where ``data`` ends with a
    beginning of it; -1 when neither.

    The delimiter (CR LF ``--boundary``) starts with a CR: each CR is a candidate,
    found by a search of one byte, which is fast because most CSV files have few.
    A file whose lines end with CR LF has one on every line: after a few candidates,
    the search of the whole delimiter takes over."""
    tail = len(data) - len(delimiter) + 1  # a beginning cut by the end starts from here
    candidate = data.find(b"\r")
    for _ in range(16):
        if candidate < 0:
            return -1
        if data.startswith(delimiter, candidate) or (
            candidate >= tail and delimiter.startswith(data[candidate:])
        ):
            return candidate
        candidate = data.find(b"\r", candidate + 1)
    if candidate < 0:
        return -1
    whole = data.find(delimiter, candidate)
    if whole >= 0:
        return whole
    candidate = data.find(b"\r", max(candidate, tail))
    while candidate >= 0:
        if delimiter.startswith(data[candidate:]):
            return candidate
        candidate = data.find(b"\r", candidate + 1)
    return -1


def _inside_part_data(parser: MultipartParser) -> bool:
    """Whether the parser is inside a part's data with no beginning of a delimiter
    pending, so that what follows up to the next delimiter is data. (Read from
    python-multipart's state; a version that keeps it otherwise gets ``False``, and
    the parser is then given every byte.)"""
    marks = getattr(parser, "marks", None)
    return (
        getattr(parser, "state", None) == MultipartState.PART_DATA
        and getattr(parser, "index", None) == 0
        and isinstance(marks, dict)
        and marks.get("part_data") == 0
        and isinstance(getattr(parser, "boundary", None), bytes)
    )


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    file: Path | None = None
    filename: str = ""
    size: int = 0


class _Receiver:
    """The callbacks of the push parser: headers of each part, then its data."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.upload = Upload()
        self.header_field = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.value = bytearray()
        self.writer: _FileWriter | None = None
        """The file part's writer, from its headers to the end of the upload."""
        self.in_file = False
        """Whether the parser is inside the file part."""
        self.discard = False
        self.total = 0

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field_data,
            "on_header_value": self.header_value_data,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self.headers = {}
        self.name = ""
        self.value = bytearray()
        self.in_file = False
        self.discard = False

    def header_field_data(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def header_value_data(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        if len(self.header_field) + len(self.header_value) > MAX_FIELD_BYTES:
            raise ServiceError(400, "multipart-invalide", "Un en-tête de la requête est trop long.")
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field = b""
        self.header_value = b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is not None and (self.name != FILE_FIELD or not filename):
            self.discard = True  # another file field, or the form's empty file input
            return
        if filename is not None:
            if self.upload.file is not None:
                raise ServiceError(
                    400, "plusieurs-fichiers", "Envoyez un seul fichier par validation."
                )
            self.upload.filename = safe_filename(filename.decode("utf-8", "replace"))
            path = self.folder / self.upload.filename
            self.writer = _FileWriter(path)
            self.in_file = True
            self.upload.file = path
        elif len(self.upload.fields) >= MAX_FIELDS:
            raise ServiceError(400, "multipart-invalide", "La requête contient trop de champs.")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        self.total += end - start
        if self.total > self.max_bytes + MAX_FIELDS * MAX_FIELD_BYTES:
            raise too_large(self.max_bytes)
        if self.discard:
            return
        if self.in_file:
            assert self.writer is not None
            self.upload.size += end - start
            if self.upload.size > self.max_bytes:
                raise too_large(self.max_bytes)
            self.writer.add(memoryview(data)[start:end])  # no copy of the slice
            return
        self.value += data[start:end]
        if len(self.value) > MAX_FIELD_BYTES:
            raise ServiceError(
                400, "champ-trop-long", f"Le champ « {self.name} » de la requête est trop long."
            )

    def part_end(self) -> None:
        if self.in_file:
            self.in_file = False
        elif self.name and not self.discard:
            self.upload.fields[self.name] = self.value.decode("utf-8", "replace").strip()

    def write(self, parser: MultipartParser, chunk: bytes) -> None:
        """Gives ``chunk`` to the parser; inside the file part, what precedes the first
        place a delimiter may start goes to the file without the parser, which would
        only have found that it holds none."""
        if self.in_file and _inside_part_data(parser):
            cut = _delimiter_start(chunk, parser.boundary)
            if cut < 0:
                self.part_data(chunk, 0, len(chunk))
                return
            if cut > 0:
                self.part_data(chunk, 0, cut)
                chunk = chunk[cut:]
        parser.write(chunk)

    def close(self) -> None:
        """The file closed (once no write uses it), whether the upload ended or not."""
        if self.writer is not None:
            self.writer.close()


def too_large(max_bytes: int) -> ServiceError:
    return ServiceError(
        413,
        "fichier-trop-gros",
        f"Le fichier dépasse la taille maximale acceptée par ce service ({size_fr(max_bytes)}) : "
        "l'envoi a été interrompu. Découpez le fichier, ou validez-le sur votre poste avec "
        "la commande esr-schemas validate.",
    )


def is_multipart(request: Request) -> bool:
    kind, _ = parse_options_header(request.headers.get("content-type", ""))
    return kind == b"multipart/form-data"


RAW_TYPES = {
    b"text/csv": ".csv",
    b"text/plain": ".csv",
    b"text/tab-separated-values": ".tsv",
    b"application/octet-stream": "",
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    b"application/vnd.oasis.opendocument.spreadsheet": ".ods",
}
"""Bodies taken as the file itself (``curl --data-binary @f.csv -H 'Content-Type: text/csv'``)."""


async def _receive_raw(request: Request, folder: Path, max_bytes: int, suffix: str) -> Upload:
    """The body is the file: written as it arrives, no parsing (the fastest upload)."""
    name = safe_filename(request.query_params.get("filename", "") or f"fichier{suffix}")
    path = folder / name
    upload = Upload(file=path, filename=name)
    writer = _FileWriter(path)
    try:
        async for chunk in request.stream():
            upload.size += len(chunk)
            if upload.size > max_bytes:
                raise too_large(max_bytes)
            writer.add(chunk)
            await writer.pump()
        await writer.finish()
    except ClientDisconnect:
        raise ServiceError(
            400, "envoi-interrompu", "L'envoi du fichier a été interrompu."
        ) from None
    finally:
        writer.close()
    return upload


async def receive(request: Request, folder: Path, max_bytes: int) -> Upload:
    """The fields and the file of a multipart request, or a body that is the file itself
    (a spreadsheet or CSV type; its name in the ``filename`` query parameter);
    :class:`ServiceError` otherwise."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    length = request.headers.get("content-length", "")
    if kind in RAW_TYPES:
        if length.isdigit() and int(length) > max_bytes:
            raise too_large(max_bytes)
        return await _receive_raw(request, folder, max_bytes, RAW_TYPES[kind])
    if kind != b"multipart/form-data":
        raise ServiceError(
            415,
            "multipart-attendu",
            "La requête doit être envoyée en multipart/form-data, avec le fichier dans le "
            "champ « file » et le schéma dans le champ « schema » (par exemple : curl -F "
            "schema=NOM -F file=@fichier.csv), ou le fichier seul comme contenu, de type "
            "text/csv ou tableur.",
        )
    boundary = options.get(b"boundary")
    if not boundary:
        raise ServiceError(
            400, "multipart-invalide", "La requête multipart n'indique pas sa frontière (boundary)."
        )
    if length.isdigit() and int(length) > max_bytes + 1024 * 1024:
        raise too_large(max_bytes)
    receiver = _Receiver(folder, max_bytes)
    parser = MultipartParser(boundary, receiver.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            receiver.write(parser, chunk)
            if receiver.writer is not None:
                await receiver.writer.pump()
        parser.finalize()
        if receiver.writer is not None:
            await receiver.writer.finish()
    except MultipartParseError:
        raise ServiceError(
            400,
            "multipart-invalide",
            "Le contenu de la requête n'est pas un multipart/form-data lisible (envoi coupé "
            "ou mal formé). Renvoyez le fichier.",
        ) from None
    except ClientDisconnect:
        raise ServiceError(
            400, "envoi-interrompu", "L'envoi du fichier a été interrompu."
        ) from None
    finally:
        receiver.close()
    return receiver.upload
