"""The validation service, started with ``esr-schemas serve`` and called over HTTP.

- same error lists as the CLI, on CSV, XLSX and URLs (a real http.server on 127.0.0.1);
- the Validata-shaped answer, the catalog, the export, the OpenAPI description;
- bad input: no file, empty file, over the cap, not multipart, unknown schema, a URL
  that never answers, a huge URL file, a redirect loop, a private address, a client
  gone mid-upload;
- a file of CR LF lines over a megabyte, as a multipart part and as the body;
- load: a dozen simultaneous uploads, /health stays fast, no temporary file left.
"""

from __future__ import annotations

import concurrent.futures
import csv
import functools
import http.server
import io
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook
from test_service_kit import RunningService, start_service

from conftest import REPO
from esr_schemas.cli import main
from esr_schemas.loader import load_registry
from esr_schemas.validation import resolve_schema, validate_file

pytestmark = pytest.mark.slow

SCHEMA = "offre-formation"
EXAMPLES = REPO / "schemas" / SCHEMA / "exemples"
INVALID = sorted((EXAMPLES / "invalide").glob("*.csv"))
# The tests against the published 1.0.0 need an example that 1.0.0 already rejects: the
# business-rule examples (condition-value__…, sorted first) check rules added after it.
INVALID_V1 = next(p for p in INVALID if p.name.startswith("type-error__"))


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    """Private addresses allowed (the data of the URL tests is served on 127.0.0.1)."""
    running = start_service(
        tmp_path_factory.mktemp("service") / "tmp",
        "--allow-private-urls",
        "--max-upload-mb",
        "2",
        "--url-timeout",
        "2",
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def public_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    """The default: private addresses refused."""
    running = start_service(tmp_path_factory.mktemp("service-public") / "tmp")
    yield running
    running.stop()


class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/boucle"):
            self.send_response(302)
            self.send_header("Location", "/boucle-b" if self.path == "/boucle-a" else "/boucle-a")
            self.end_headers()
            return
        if self.path == "/enorme.csv":
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(10_000):
                    self.wfile.write(b"a," * 32768 + b"\n")
            except OSError:
                pass
            return
        if self.path == "/muet.csv":
            time.sleep(6)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def files_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("publies")
    handler = functools.partial(_Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()


def _cli_report(capsys: pytest.CaptureFixture[str], target: str, schema: str = SCHEMA) -> Any:
    capsys.readouterr()
    main(["validate", target, "--schema", schema, "--format", "json", "--root", str(REPO)])
    return json.loads(capsys.readouterr().out)


def _post(
    service: RunningService, path: Path, schema: str = SCHEMA, **fields: str
) -> httpx.Response:
    with path.open("rb") as handle:
        return httpx.post(
            service.url + "/validate",
            data={"schema": schema, **fields},
            files={"file": (path.name, handle)},
            timeout=60,
        )


def _post_body(
    service: RunningService,
    content: bytes,
    content_type: str = "text/csv",
    filename: str | None = None,
) -> httpx.Response:
    """The file sent as the body itself, not as multipart."""
    params = {"schema": SCHEMA, **({"filename": filename} if filename else {})}
    return httpx.post(
        service.url + "/validate",
        params=params,
        content=content,
        headers={"Content-Type": content_type},
        timeout=60,
    )


def _to_xlsx(source: Path, target: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    workbook.save(target)
    return target


@pytest.mark.parametrize("example", INVALID + [EXAMPLES / "valide.csv"], ids=lambda p: p.stem)
def test_api_errors_equal_the_cli_errors_on_csv(
    service: RunningService, capsys: pytest.CaptureFixture[str], example: Path
) -> None:
    response = _post(service, example)
    assert response.status_code == 200
    answer = response.json()
    expected = _cli_report(capsys, str(example))
    assert answer["report"]["errors"] == expected["errors"]
    assert answer["report"]["warnings"] == expected["warnings"]
    assert answer["report"]["valid"] is expected["valid"]
    assert answer["report"]["valid"] is (example.name == "valide.csv")


def test_api_errors_equal_the_cli_errors_on_xlsx(
    service: RunningService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    checked = 0
    for example in INVALID[:5]:
        workbook = _to_xlsx(example, tmp_path / f"{example.stem}.xlsx")
        answer = _post(service, workbook).json()
        expected = _cli_report(capsys, str(workbook))
        assert answer["report"]["errors"] == expected["errors"]
        assert answer["report"]["resource"]["format"] == "xlsx"
        checked += len(expected["errors"])
    assert checked > 0


def test_api_errors_equal_the_cli_errors_on_urls(
    service: RunningService,
    files_server: tuple[str, Path],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    base, folder = files_server
    for example in INVALID[:4]:
        shutil.copy(example, folder / example.name)
        url = f"{base}/{example.name}"
        response = httpx.get(
            service.url + "/validate", params={"schema": SCHEMA, "url": url}, timeout=60
        )
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["url"] == url
        expected = _cli_report(capsys, url)
        assert expected["resource"]["path"] == url
        assert answer["report"]["errors"] == expected["errors"]
    workbook = _to_xlsx(INVALID[0], folder / "classeur.xlsx")
    answer = httpx.get(
        service.url + "/validate",
        params={"schema": SCHEMA, "url": f"{base}/{workbook.name}"},
        timeout=60,
    ).json()
    assert answer["report"]["errors"] == _cli_report(capsys, str(workbook))["errors"]


def test_a_body_that_is_the_file_itself(
    service: RunningService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    example = INVALID[1]
    response = _post_body(service, example.read_bytes(), filename=example.name)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["report"]["errors"] == _cli_report(capsys, str(example))["errors"]
    assert answer["report"]["resource"]["path"] == example.name
    workbook = _to_xlsx(example, tmp_path / "brut.xlsx")
    response = _post_body(service, workbook.read_bytes(), "application/octet-stream")
    assert response.json()["report"]["errors"] == _cli_report(capsys, str(workbook))["errors"]
    big = _post_body(service, b"a,b\n" * (1024 * 1024))
    assert "taille maximale" in _error(big, 413)


def test_the_answer_has_validatas_shape(service: RunningService) -> None:
    answer = _post(service, INVALID_V1, schema=f"{SCHEMA}@1.0.0").json()
    assert set(answer) >= {"schema", "url", "options", "date", "report"}
    assert answer["schema"].endswith(f"/schemas/{SCHEMA}/1.0.0/schema.json")
    report = answer["report"]
    assert set(report) >= {"valid", "stats", "warnings", "errors"}
    error = report["errors"][0]
    assert set(error) >= {"type", "rowNumber", "fieldName", "fieldNumber", "cell", "message", "fix"}
    assert report["stats"]["errors"] == len(report["errors"])
    assert "ligne" in report["summary"]


def test_a_schema_url_is_accepted(service: RunningService, files_server: tuple[str, Path]) -> None:
    base, folder = files_server
    shutil.copy(EXAMPLES.parent / "schema.json", folder / "schema-offre.json")
    answer = _post(service, INVALID[0], schema=f"{base}/schema-offre.json").json()
    assert answer["schema"] == f"{base}/schema-offre.json"
    assert answer["report"]["valid"] is False


def test_health_schemas_and_openapi(service: RunningService) -> None:
    health = httpx.get(service.url + "/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    catalog = httpx.get(service.url + "/schemas").json()
    registry = load_registry(REPO)
    from esr_schemas.catalog import catalog as build_catalog
    from esr_schemas.config import site_url

    assert catalog == json.loads(json.dumps(build_catalog(registry, site_url(REPO))))
    spec = httpx.get(service.url + "/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/validate", "/export", "/schemas", "/health"} <= set(spec["paths"])


def test_export_gives_the_bytes_of_the_cli(service: RunningService, tmp_path: Path) -> None:
    from test_templates import fill_template

    from esr_schemas.templates.source import from_registry

    assert main(["template", SCHEMA, "-o", str(tmp_path), "--root", str(REPO)]) == 0
    template = next(tmp_path.glob("*.xlsx"))
    source = from_registry(load_registry(REPO), SCHEMA)
    filled = fill_template(template, tmp_path / "rempli.xlsx", source, EXAMPLES / "valide.csv")
    out = tmp_path / "cli.csv"
    assert main(["export", str(filled), "-o", str(out), "--root", str(REPO)]) == 0
    with filled.open("rb") as handle:
        response = httpx.post(
            service.url + "/export", files={"file": ("rempli.xlsx", handle)}, timeout=60
        )
    assert response.status_code == 200, response.text
    assert response.content == out.read_bytes()
    assert response.headers["content-type"].startswith("text/csv")

    from openpyxl import load_workbook

    from esr_schemas.templates.workbook import DATA_SHEET

    workbook = load_workbook(filled)
    sheet = workbook[DATA_SHEET]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("capacite_accueil") + 1).value = "beaucoup"
    wrong = tmp_path / "faux.xlsx"
    workbook.save(wrong)
    assert main(["export", str(wrong), "-o", str(tmp_path / "x.csv"), "--root", str(REPO)]) == 1
    refused = httpx.post(
        service.url + "/export", files={"file": ("faux.xlsx", wrong.read_bytes())}, timeout=60
    )
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert [(e["rowNumber"], e["fieldName"]) for e in errors] == [(3, "capacite_accueil")]
    assert "ligne 3" in errors[0]["message"]
    forced = httpx.post(
        service.url + "/export",
        data={"force": "true"},
        files={"file": ("faux.xlsx", wrong.read_bytes())},
        timeout=60,
    )
    assert forced.status_code == 200 and forced.headers["X-Esr-Errors"] == "1"


def test_the_page_preselects_the_schema_of_the_docs_button(service: RunningService) -> None:
    for query in (
        {"schema": SCHEMA, "version": "1.0.0"},
        {"schema": f"{SCHEMA}@1.0.0"},
    ):
        page = httpx.get(service.url + "/", params=query).text
        assert f'<option value="{SCHEMA}@1.0.0" selected>' in page
        assert f"schemas/{SCHEMA}/1.0.0/" in page
    assert "n'est pas conservé" in page


def test_the_form_works_without_javascript(service: RunningService) -> None:
    with INVALID_V1.open("rb") as handle:
        page = httpx.post(
            service.url + "/rapport",
            data={"schema": f"{SCHEMA}@1.0.0", "url": ""},
            files={"file": (INVALID_V1.name, handle)},
            timeout=60,
        )
    assert page.status_code == 200
    assert "INVALIDE" in page.text and "Erreurs par colonne" in page.text
    assert 'download="rapport-' in page.text
    nothing = httpx.post(
        service.url + "/rapport",
        data={"schema": f"{SCHEMA}@1.0.0"},
        files={"file": ("", b"")},
    )
    assert nothing.status_code == 400
    assert "Aucun fichier reçu" in nothing.text
    # the version chosen is kept (a bare name would select the newest, no longer 1.0.0)
    assert f'value="{SCHEMA}@1.0.0" selected' in nothing.text


# -- bad input --------------------------------------------------------------------


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    assert "Traceback" not in body["message"]
    return str(body["message"])


def test_no_file(service: RunningService) -> None:
    response = httpx.post(service.url + "/validate", data={"schema": SCHEMA}, files={"x": b"1"})
    assert "Aucun fichier reçu" in _error(response, 400)


def test_an_empty_file(service: RunningService, tmp_path: Path) -> None:
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    assert "vide" in _error(_post(service, empty), 400)


def test_a_header_only_file(service: RunningService, tmp_path: Path) -> None:
    header = tmp_path / "entete.csv"
    header.write_text((EXAMPLES / "valide.csv").read_text().splitlines()[0] + "\n")
    assert "ligne d'en-tête" in _error(_post(service, header), 400)


def test_an_upload_over_the_cap_is_cut_off(service: RunningService, tmp_path: Path) -> None:
    big = tmp_path / "gros.csv"
    big.write_bytes(b"a,b\n" * (1024 * 1024))  # 4 MB, the cap is 2 MB
    assert "taille maximale" in _error(_post(service, big), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: cut while streaming
        yield b'--B\r\nContent-Disposition: form-data; name="schema"\r\n\r\noffre-formation\r\n'
        yield b'--B\r\nContent-Disposition: form-data; name="file"; filename="g.csv"\r\n\r\n'
        for _ in range(64):
            yield b"x" * 65536

    response = httpx.post(
        service.url + "/validate",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=B"},
    )
    assert "taille maximale" in _error(response, 413)


def test_a_body_that_is_not_multipart(service: RunningService) -> None:
    response = httpx.post(service.url + "/validate", json={"schema": SCHEMA})
    assert "multipart/form-data" in _error(response, 415)
    broken = httpx.post(
        service.url + "/validate",
        content=b"--B\r\nnimporte quoi",
        headers={"Content-Type": "multipart/form-data; boundary=B"},
    )
    assert broken.status_code == 400


def test_an_unknown_schema_or_version(service: RunningService) -> None:
    assert "inconnu" in _error(_post(service, INVALID[0], schema="inexistant"), 404)
    assert "n'est pas publiée" in _error(_post(service, INVALID[0], schema=f"{SCHEMA}@9.9.9"), 404)
    message = _error(_post(service, INVALID[0], schema="/etc/passwd.json"), 400)
    assert "n'ouvre pas de fichier sur le serveur" in message


def test_an_unsupported_format(service: RunningService, tmp_path: Path) -> None:
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert "format accepté" in _error(_post(service, pdf), 415)


def test_a_url_that_never_answers(service: RunningService, files_server: tuple[str, Path]) -> None:
    start = time.monotonic()
    response = httpx.get(
        service.url + "/validate",
        params={"schema": SCHEMA, "url": f"{files_server[0]}/muet.csv"},
        timeout=30,
    )
    assert "n'a pas répondu en 2 s" in _error(response, 400)
    assert time.monotonic() - start < 5


def test_a_url_to_a_huge_file(service: RunningService, files_server: tuple[str, Path]) -> None:
    response = httpx.get(
        service.url + "/validate",
        params={"schema": SCHEMA, "url": f"{files_server[0]}/enorme.csv"},
        timeout=30,
    )
    assert "dépasse la taille maximale" in _error(response, 400)


def test_a_redirect_loop(service: RunningService, files_server: tuple[str, Path]) -> None:
    response = httpx.get(
        service.url + "/validate",
        params={"schema": SCHEMA, "url": f"{files_server[0]}/boucle-a"},
        timeout=30,
    )
    assert "redirige en boucle" in _error(response, 400)


def test_a_private_address_is_refused_by_default(
    public_only: RunningService, files_server: tuple[str, Path]
) -> None:
    for url in (f"{files_server[0]}/x.csv", "http://10.0.0.1/x.csv", "http://[::1]/x.csv"):
        response = httpx.get(
            public_only.url + "/validate", params={"schema": SCHEMA, "url": url}, timeout=30
        )
        assert "adresse interne" in _error(response, 400)
    response = _post(public_only, INVALID[0], schema=f"{files_server[0]}/schema-offre.json")
    assert "adresse interne" in _error(response, 400)


def test_unknown_addresses_and_methods_are_french_json(service: RunningService) -> None:
    assert "n'existe pas" in _error(httpx.get(service.url + "/inconnu"), 404)
    assert "n'est pas permise" in _error(httpx.delete(service.url + "/validate"), 405)
    assert "adresse" in _error(httpx.get(service.url + "/validate", params={"schema": SCHEMA}), 400)


# -- load --------------------------------------------------------------------------


HEALTH_POLLER = """
import sys, threading, time, urllib.request
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
while not stop.is_set():
    start = time.monotonic()
    with urllib.request.urlopen(sys.argv[1], timeout=10) as answer:
        assert answer.status == 200
    print(f"{time.monotonic() - start:.4f}", flush=True)
    time.sleep(0.05)
"""


def _big_file(target: Path, copies: int) -> Path:
    lines = (EXAMPLES / "valide.csv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    with target.open("w", encoding="utf-8") as out:
        out.write(header + "\n")
        for _ in range(copies):
            out.write("\n".join(rows) + "\n")
    return target


def test_a_dozen_simultaneous_uploads(tmp_path: Path) -> None:
    running = start_service(tmp_path / "tmp", "--slots", "3")
    try:
        data = _big_file(tmp_path / "envoi.csv", 800)
        registry = load_registry(REPO)
        expected = validate_file(data, resolve_schema(SCHEMA, registry), registry=registry)
        expected_errors = [e.to_dict() for e in expected.errors]
        payload = data.read_bytes()

        def upload(_: int) -> httpx.Response:
            return httpx.post(
                running.url + "/validate",
                data={"schema": SCHEMA},
                files={"file": ("envoi.csv", payload)},
                timeout=120,
            )

        # /health is polled from another process, so that the test's own upload
        # threads do not slow the measure down.
        poller = subprocess.Popen(
            [sys.executable, "-c", HEALTH_POLLER, running.url + "/health"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(upload, range(12)))
        health_times = [float(t) for t in poller.communicate("stop\n", timeout=30)[0].split()]
        statuses = [a.status_code for a in answers]
        assert set(statuses) <= {200, 503}, statuses
        assert 200 in statuses
        for answer in answers:
            if answer.status_code == 503:
                assert answer.headers["Retry-After"].isdigit()
                assert "Réessayez" in answer.json()["message"]
            else:
                assert answer.json()["report"]["errors"] == expected_errors
        assert len(health_times) >= 3, health_times
        health_times.sort()
        # a blocked event loop would answer only once a validation is over (seconds)
        assert health_times[len(health_times) // 2] < 0.3, health_times
        assert health_times[-1] < 3.0, health_times
        time.sleep(0.5)
        assert running.leftovers() == []
    finally:
        running.stop()


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
        for child in children:
            found |= {child} | _descendants(child)
    return found


def _validation_processes(server: int) -> set[int]:
    """The server's workers (multiprocessing's resource tracker left out)."""
    found = set()
    for pid in _descendants(server):
        try:
            if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except FileNotFoundError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_a_validation_past_the_time_limit_is_stopped(
    tmp_path: Path, files_server: tuple[str, Path]
) -> None:
    """The worker (and the pattern's child process it started) is killed, the slot is
    free at once, and the next request is served by a fresh worker."""
    base, folder = files_server
    # a look-ahead sends the pattern to Python's re, where (x|xx)+ before a final "y"
    # backtracks for far longer than the time limit
    (folder / "lent.json").write_text(
        json.dumps(
            {
                "fields": [
                    {"name": "code", "type": "string", "constraints": {"pattern": "(?=x)(x|xx)+"}}
                ]
            }
        ),
        encoding="utf-8",
    )
    slow = tmp_path / "lent.csv"
    slow.write_text("code\n" + ("x" * 40 + "y\n") * 3, encoding="utf-8")
    running = start_service(
        tmp_path / "tmp", "--slots", "1", "--time-limit", "2", "--allow-private-urls"
    )
    try:
        workers = _validation_processes(running.process.pid)
        assert workers, "the worker is started with the service"
        started: set[int] = set()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            began = time.monotonic()
            pending = pool.submit(_post, running, slow, f"{base}/lent.json")
            while not pending.done():
                for worker in workers:
                    started |= _descendants(worker)
                time.sleep(0.05)
            response = pending.result()
        elapsed = time.monotonic() - began
        assert "elle a été arrêtée" in _error(response, 504)
        assert elapsed < 8, "answered at the time limit, not when the pattern's budget ends"
        assert httpx.get(running.url + "/health").json()["busy"] == 0, "the slot is free at once"
        assert running.leftovers() == [], "the upload is removed at once"
        assert started, "the pattern's child process was seen running"
        stopped = workers | started
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in stopped) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in stopped), "the worker and its child were killed"
        replacement = _validation_processes(running.process.pid)
        assert replacement and not replacement & stopped, "a fresh worker took its place"

        registry = load_registry(REPO)
        expected = validate_file(INVALID_V1, resolve_schema(SCHEMA, registry), registry=registry)
        answer = _post(running, INVALID_V1)
        # the service's log says why, if the fresh worker was lost (tests/test_service_workers.py
        # covers the cause once seen in CI: its pipe read by the stopped worker's thread)
        assert answer.status_code == 200, answer.text + "".join(running.logs)
        assert answer.json()["report"]["errors"] == [e.to_dict() for e in expected.errors]
        assert httpx.get(running.url + "/health").json()["busy"] == 0
    finally:
        running.stop()


def test_a_slow_upload_is_cut_off(tmp_path: Path) -> None:
    running = start_service(tmp_path / "tmp", "--upload-timeout", "1")
    try:
        with socket.create_connection(("127.0.0.1", int(running.url.rsplit(":", 1)[1]))) as sock:
            sock.sendall(
                b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                b"Content-Type: multipart/form-data; boundary=B\r\n\r\n--B\r\n"
            )
            sock.settimeout(10)
            start = time.monotonic()
            answer = sock.recv(65536)
            assert time.monotonic() - start < 4
            while b"}" not in answer:  # the body may come in a second packet
                piece = sock.recv(65536)
                if not piece:
                    break
                answer += piece
        assert answer.startswith(b"HTTP/1.1 408")
        assert "a duré plus de 1 s" in answer.decode("utf-8")
        time.sleep(0.3)
        assert running.leftovers() == []
        assert httpx.get(running.url + "/health").json()["busy"] == 0
    finally:
        running.stop()


def test_a_large_crlf_file_in_both_kinds_of_upload(
    service: RunningService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A file of CR LF lines (a CR on every line: the delimiter search's slow path) of
    more than a megabyte (written by the upload thread in several writes), sent as a
    multipart part and as the body: the CLI's errors on the same file."""
    lines = INVALID_V1.read_text(encoding="utf-8").splitlines()
    data = tmp_path / "crlf.csv"
    data.write_bytes(("\r\n".join([lines[0], *lines[1:] * 2000]) + "\r\n").encode("utf-8"))
    assert 1024 * 1024 < data.stat().st_size < 2 * 1024 * 1024
    expected = _cli_report(capsys, str(data))["errors"]
    assert expected
    assert _post(service, data).json()["report"]["errors"] == expected
    raw = _post_body(service, data.read_bytes(), filename=data.name)
    assert raw.json()["report"]["errors"] == expected
    assert service.leftovers() == []


def test_a_client_gone_mid_upload_leaves_nothing(service: RunningService) -> None:
    port = int(service.url.rsplit(":", 1)[1])
    multipart = (
        b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 1900000\r\n"
        b"Content-Type: multipart/form-data; boundary=B\r\n\r\n"
        b'--B\r\nContent-Disposition: form-data; name="schema"\r\n\r\noffre-formation\r\n'
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="g.csv"\r\n\r\n'
    )
    raw = (
        b"POST /validate?schema=offre-formation HTTP/1.1\r\nHost: x\r\n"
        b"Content-Length: 1900000\r\nContent-Type: text/csv\r\n\r\n"
    )
    for head in (multipart, raw):
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(head + b"a,b\n" * 300_000)  # 1.2 MB of the 1.9 announced
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
            service.leftovers(within=0) or httpx.get(service.url + "/health").json()["busy"]
        ):
            time.sleep(0.05)
        assert service.leftovers() == []
        assert httpx.get(service.url + "/health").json()["busy"] == 0


def test_several_workers_serve_the_same_registry(tmp_path: Path) -> None:
    running = start_service(tmp_path / "tmp", "--workers", "2")
    try:
        answers = [_post(running, INVALID[0]).json()["report"]["errors"] for _ in range(4)]
        assert all(a == answers[0] for a in answers)
    finally:
        running.stop()


def test_serve_refuses_a_port_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        assert main(["serve", "--root", str(REPO), "--port", str(port)]) == 2
    assert "choisissez un autre --port" in capsys.readouterr().err


def test_nothing_of_a_files_content_is_logged(service: RunningService, tmp_path: Path) -> None:
    lines = (EXAMPLES / "valide.csv").read_text(encoding="utf-8").splitlines()
    marker = "Licence secrète Zyxwvut"
    cells = next(csv.reader([lines[1]]))
    cells[8] = marker  # intitule_diplome
    cells[19] = "capacité zyxwvut"  # capacite_accueil: a type error quoting the value
    data = tmp_path / "secret.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        handle.write(lines[0] + "\n")
        csv.writer(handle, lineterminator="\n").writerow(cells)
    answer = _post(service, data).json()
    assert any("zyxwvut" in e["message"] for e in answer["report"]["errors"])
    with data.open("rb") as handle:
        httpx.post(
            service.url + "/rapport",
            data={"schema": SCHEMA},
            files={"file": ("secret.csv", handle)},
            timeout=60,
        )
    time.sleep(0.2)
    log = "".join(service.logs)
    assert "zyxwvut" not in log.lower()
    assert "secret.csv" not in log


def test_the_csv_report_has_one_line_per_error(service: RunningService) -> None:
    from esr_schemas.validation.report import CSV_COLUMNS, render_csv

    registry = load_registry(REPO)
    report = validate_file(INVALID[0], resolve_schema(SCHEMA, registry), registry=registry)
    text = render_csv(report)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) - 1 == len(report.errors) + len(report.warnings)
    assert [r[7] for r in rows[1:]] == [e.message for e in report.errors + report.warnings]


def test_the_server_process_does_not_load_the_engine(service: RunningService) -> None:
    """polars lives in the validation processes only: the server starts faster and
    stays small."""
    import polars  # noqa: F401 (its native library, as mapped into a process)

    (engine,) = {
        line.split()[-1]
        for line in Path("/proc/self/maps").read_text().splitlines()
        if "polars" in line and line.endswith(".so")
    }
    assert _post(service, INVALID_V1).status_code == 200
    assert engine not in Path(f"/proc/{service.process.pid}/maps").read_text()
    workers = _validation_processes(service.process.pid)
    assert any(engine in Path(f"/proc/{p}/maps").read_text() for p in workers)


def test_no_validation_process_outlives_the_server(tmp_path: Path) -> None:
    running = start_service(tmp_path / "tmp", "--slots", "2")
    try:
        assert _post(running, INVALID_V1).status_code == 200
        workers = _validation_processes(running.process.pid)
        assert len(workers) == 2
    finally:
        running.stop()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers)
