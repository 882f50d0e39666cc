"""Receiving a multipart upload: streamed to a temporary file, never whole in memory.

The body is parsed as it arrives (python-multipart's push parser). Small text fields
(``schema``, ``url``, options) are kept in memory, each capped; the file part goes
straight to a file in the request's own temporary folder, and the upload is cut off
with a 413 as soon as it passes the cap. The folder is removed by its owner
(:class:`Workspace`) whatever happens.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, BinaryIO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
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
        self.handle: BinaryIO | None = None
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
        self.handle = None
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
            self.handle = path.open("xb")
            self.upload.file = path
        elif len(self.upload.fields) >= MAX_FIELDS:
            raise ServiceError(400, "multipart-invalide", "La requête contient trop de champs.")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        self.total += end - start
        if self.total > self.max_bytes + MAX_FIELDS * MAX_FIELD_BYTES:
            raise too_large(self.max_bytes)
        if self.discard:
            return
        if self.handle is not None:
            self.upload.size += end - start
            if self.upload.size > self.max_bytes:
                raise too_large(self.max_bytes)
            self.handle.write(memoryview(data)[start:end])  # no copy of the slice
            return
        self.value += data[start:end]
        if len(self.value) > MAX_FIELD_BYTES:
            raise ServiceError(
                400, "champ-trop-long", f"Le champ « {self.name} » de la requête est trop long."
            )

    def part_end(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        elif self.name and not self.discard:
            self.upload.fields[self.name] = self.value.decode("utf-8", "replace").strip()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


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
    try:
        with path.open("xb") as handle:
            async for chunk in request.stream():
                upload.size += len(chunk)
                if upload.size > max_bytes:
                    raise too_large(max_bytes)
                handle.write(chunk)
    except ClientDisconnect:
        raise ServiceError(
            400, "envoi-interrompu", "L'envoi du fichier a été interrompu."
        ) from None
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
            parser.write(chunk)
        parser.finalize()
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
