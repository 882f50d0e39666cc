"""Receiving an upload (``service/uploads.py``), driven in process through Starlette's
real ``Request`` with the body cut into chosen chunks, as a socket may deliver it.

- the delimiter search gives the first place a delimiter may start, on data made of
  the delimiter's own bytes (a brute-force search is the reference);
- the file and the fields are the same whatever the cut of the body: a delimiter or
  a near miss of it across two chunks, CR LF lines, a file part before the fields;
- over the cap, malformed, without boundary, a client gone mid-upload: the French
  error, the file closed (no descriptor left open) and nothing left once the
  workspace is removed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from esr_schemas.service.errors import ServiceError
from esr_schemas.service.uploads import (
    WRITE_BATCH,
    Upload,
    Workspace,
    _delimiter_start,
    receive,
)

BOUNDARY = b"frontiere42"
DELIMITER = b"\r\n--" + BOUNDARY


def _reference_start(data: bytes, delimiter: bytes) -> int:
    for i in range(len(data)):
        if data.startswith(delimiter, i):
            return i
        if len(data) - i < len(delimiter) and delimiter.startswith(data[i:]):
            return i
    return -1


def test_the_delimiter_search_finds_the_first_place_a_delimiter_may_start() -> None:
    draw = random.Random(20261202)
    alphabet = [b"\r", b"\n", b"-", b"\r\n--", b"fron", b"x", b"\r\n--frontiere4", DELIMITER]
    for size in (0, 1, 5, 14, 15, 16, 40, 200, 2000):
        for _ in range(300):
            data = b"".join(draw.choice(alphabet) for _ in range(size))[: size * 3]
            assert _delimiter_start(data, DELIMITER) == _reference_start(data, DELIMITER), data
    crlf = b"a;b\r\n" * 100  # more CRs than the one-byte search looks at
    assert _delimiter_start(crlf + b"fin", DELIMITER) == -1
    assert _delimiter_start(crlf, DELIMITER) == len(crlf) - 2  # CR LF may begin one
    assert _delimiter_start(crlf + DELIMITER + b"--\r\n", DELIMITER) == len(crlf)
    assert _delimiter_start(crlf + b"\r\n--fron", DELIMITER) == len(crlf)
    assert _delimiter_start(crlf + b"\r\n--frox", DELIMITER) == -1


def _request(
    chunks: list[bytes], content_type: bytes, query: bytes = b"", disconnect: bool = False
) -> Request:
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks
    ]
    if disconnect:
        messages.append({"type": "http.disconnect"})
    else:
        messages.append({"type": "http.request", "body": b"", "more_body": False})

    async def next_message() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/validate",
        "query_string": query,
        "headers": [(b"content-type", content_type)],
    }
    return Request(scope, next_message)


def _cut(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


def _receive(request: Request, folder: Path, max_bytes: int = 10**8) -> Upload:
    """``receive`` on an event loop of its own, in a thread of its own (a test run
    earlier in this process, the browser's, may have left a loop running here)."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, receive(request, folder, max_bytes)).result()


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def _closed_soon(before: int) -> bool:
    """Whether the descriptors are back to ``before`` (a write still in flight when the
    upload was abandoned closes its file once it is over)."""
    deadline = time.monotonic() + 5
    while _open_descriptors() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    return _open_descriptors() == before


def _multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    body = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else ""
        )
        body += b"--" + BOUNDARY + b"\r\nContent-Disposition: " + disposition.encode()
        body += b"\r\n\r\n" + value + b"\r\n"
    return body + b"--" + BOUNDARY + b"--\r\n"


MULTIPART = b"multipart/form-data; boundary=" + BOUNDARY
# CR LF lines, near misses of the delimiter (one byte short, one byte wrong), a
# delimiter's beginning at the very end of the file
CONTENT = (
    b"code;libelle\r\n"
    + b"0751717J;Lyc\xc3\xa9e\r\n" * 30
    + b"1;\r\n--frontiere4\r\n2;\r\n--frontiere43\r\n3;--frontiere42 sans fin de ligne\r\n"
    + b"\r\n--frontiere"
)


@pytest.mark.parametrize("file_first", [False, True])
def test_the_same_upload_whatever_the_cut_of_the_body(tmp_path: Path, file_first: bool) -> None:
    parts = [
        ("schema", None, b"offre-formation"),
        ("file", "d.csv", CONTENT),
        ("strict", None, b"1"),
    ]
    if file_first:
        parts.insert(0, parts.pop(1))
    body = _multipart(*parts)
    start = body.index(CONTENT)
    cuts = {1, 2, 3, 7, 13, 64, 257, len(body)}
    splits = {start + k for k in range(-20, 20)} | {
        body.index(b"\r\n--frontiere4", start) + k for k in range(-2, 16)
    }
    splits |= {start + len(CONTENT) + k for k in range(-14, 20)}
    cases = [_cut(body, size) for size in sorted(cuts)] + [
        [body[:at], body[at:]] for at in sorted(splits)
    ]
    for number, chunks in enumerate(cases):
        folder = tmp_path / str(number)
        folder.mkdir()
        upload = _receive(_request(chunks, MULTIPART), folder)
        assert upload.fields == {"schema": "offre-formation", "strict": "1"}, number
        assert upload.filename == "d.csv"
        assert upload.size == len(CONTENT)
        assert upload.file is not None and upload.file.read_bytes() == CONTENT, number


def test_a_large_upload_is_written_whole_in_order(tmp_path: Path) -> None:
    content = b"".join(b"%d;ligne %d\r\n" % (i, i) for i in range(400_000))
    assert len(content) > 4 * WRITE_BATCH
    before = _open_descriptors()
    body = _multipart(("schema", None, b"s"), ("file", "g.csv", content))
    upload = _receive(_request(_cut(body, 65536), MULTIPART), tmp_path)
    assert upload.file is not None and upload.file.read_bytes() == content
    raw = tmp_path / "brut"
    raw.mkdir()
    upload = _receive(_request(_cut(content, 300_000), b"text/csv", b"filename=g.csv"), raw)
    assert upload.file == raw / "g.csv" and upload.file.read_bytes() == content
    assert _closed_soon(before)


def _refused(request: Request, tmp_path: Path, max_bytes: int = 10**8) -> ServiceError:
    workspace = Workspace()
    before = _open_descriptors()
    try:
        with pytest.raises(ServiceError) as caught:
            _receive(request, workspace.path, max_bytes)
        assert _closed_soon(before), "the file is closed"
    finally:
        workspace.remove()
    assert not workspace.path.exists(), "nothing is left"
    return caught.value


def test_an_upload_over_the_cap_is_cut_off(tmp_path: Path) -> None:
    content = b"x;y\n" * (3 * WRITE_BATCH // 4)
    body = _multipart(("schema", None, b"s"), ("file", "g.csv", content))
    error = _refused(_request(_cut(body, 65536), MULTIPART), tmp_path, max_bytes=2 * WRITE_BATCH)
    assert (error.status, error.code) == (413, "fichier-trop-gros")
    raw = _request(_cut(content, 65536), b"text/csv")
    error = _refused(raw, tmp_path, max_bytes=2 * WRITE_BATCH)
    assert (error.status, error.code) == (413, "fichier-trop-gros")


def test_a_malformed_multipart_or_one_without_boundary(tmp_path: Path) -> None:
    broken = b"--" + BOUNDARY + b"\r\nContent-Disposition form-data sans deux-points\r\n\r\n"
    error = _refused(_request([broken], MULTIPART), tmp_path)
    assert (error.status, error.code) == (400, "multipart-invalide")
    assert "pas un multipart/form-data lisible" in error.message
    error = _refused(_request([_multipart(("a", None, b"1"))], b"multipart/form-data"), tmp_path)
    assert (error.status, error.code) == (400, "multipart-invalide")
    assert "frontière (boundary)" in error.message


def test_a_client_gone_mid_upload(tmp_path: Path) -> None:
    body = _multipart(("schema", None, b"s"), ("file", "g.csv", b"a;b\n" * WRITE_BATCH))
    for request in (
        _request(_cut(body[: len(body) // 2], 65536), MULTIPART, disconnect=True),
        _request(_cut(b"a;b\n" * WRITE_BATCH, 65536), b"text/csv", disconnect=True),
    ):
        error = _refused(request, tmp_path)
        assert (error.status, error.code) == (400, "envoi-interrompu")
