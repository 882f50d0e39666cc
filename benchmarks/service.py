"""Benchmark: the validation service over loopback against the same validation in process.

    .venv/bin/python benchmarks/service.py [--sizes 10000,100000,1000000] [--repeat 3]
        [--clients 4,16] [--throughput-size 100000] [--client lean|httpx]

Files are those of ``benchmarks/validate.py`` (12 columns, ``;``, about 0.1 % of rows in
error), under benchmarks/data/. The schema is put in a scratch registry under
benchmarks/data/registre-service/, which ``esr-schemas serve --port 0`` serves.

1. For each size: ``POST /validate`` (upload, validation, JSON answer received whole,
   through one kept connection) and ``validate_file`` in this process (warm: imports done,
   registry loaded), run in alternation ``--repeat`` times; best and median of each,
   the overhead of the service on the best times and the median of the ratios of
   successive pairs (the fairer figure on a loaded machine), and where the service's
   time went (its ``Server-Timing``: receiving the upload, validating in the worker
   with the JSON encoding). Also the CPU time the service spent (server and validation
   processes, every thread) against the in-process validation's: on a loaded machine
   it moves less than elapsed time; and, of it, the CPU time of the server's event
   loop thread, which receives the upload (the figure the receiving work moves).
   The two must report the same errors.
2. Throughput: ``--clients`` clients at once, each sending the ``--throughput-size``
   file in a loop for a fixed count of requests; a 503 is retried after 0.1 s (the
   service says 5 s: shortened to measure). Files per second and 503 answers counted.
3. The server's peak RSS: its own and that of each validation process (VmHWM).

The client is lean by default (``--client lean``): ``http.client`` over one kept
connection, the file handed to the kernel with ``socket.sendfile`` (multipart: the
part headers, the file, the closing delimiter), so that the API's time is the
service's, not the client's. ``--client httpx`` sends as an ``httpx`` user does (the
file read and written 64 KiB at a time in Python: a few more milliseconds on 12 MB).

The machine is shared: figures are noisy; compare the two columns of a same run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from validate import DATA, SCHEMA, generate  # noqa: E402

from esr_schemas.loader import load_registry  # noqa: E402
from esr_schemas.validation import resolve_schema, validate_file  # noqa: E402

CLI = str(Path(sys.executable).parent / "esr-schemas")
NAME = SCHEMA["name"]


def scratch_registry() -> Path:
    root = DATA / "registre-service"
    folder = root / "schemas" / NAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schema.json").write_text(json.dumps(SCHEMA, ensure_ascii=False), encoding="utf-8")
    return root


def start(root: Path, slots: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [CLI, "serve", "--root", str(root), "--port", "0", "--slots", str(slots)],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        raise SystemExit(f"le service n'a pas démarré : {line}")
    stream = process.stderr
    threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()
    url = f"http://127.0.0.1:{found.group(1)}"
    for _ in range(300):
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("le service ne répond pas à /health")


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str]
    """Names in lower case."""
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise SystemExit(f"réponse {self.status_code} du service : {self.content[:500]!r}")


class LeanClient:
    """One kept HTTP/1.1 connection (``http.client``); the file is sent by the kernel
    (``socket.sendfile``), so that the client's own work barely counts in the API's time."""

    def __init__(self, url: str) -> None:
        self.address = urllib.parse.urlsplit(url)
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.address.hostname, self.address.port, timeout=600)

    def post(self, url: str, path: Path, raw: bool = False) -> Answer:
        size = path.stat().st_size
        if raw:  # the file as the body: no multipart to encode or parse
            query = urllib.parse.urlencode({"schema": NAME, "filename": path.name})
            target, kind, head, tail = f"/validate?{query}", "text/csv", b"", b""
        else:
            boundary = uuid.uuid4().hex
            kind = f"multipart/form-data; boundary={boundary}"
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="schema"\r\n\r\n'
                f"{NAME}\r\n--{boundary}\r\nContent-Disposition: form-data; "
                f'name="file"; filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            tail = f"\r\n--{boundary}--\r\n".encode()
            target = "/validate"
        connection = self.connection
        try:
            connection.putrequest("POST", target)
            connection.putheader("Content-Type", kind)
            connection.putheader("Content-Length", str(len(head) + size + len(tail)))
            connection.endheaders(head)
            assert connection.sock is not None
            with path.open("rb") as handle:
                connection.sock.sendfile(handle)
            connection.send(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the service answered before the end of the body (a 503): read it
        try:
            response = connection.getresponse()
            content = response.read()
        except (http.client.HTTPException, ConnectionError):
            # no answer to read: the service refused the body and closed the connection
            connection.close()
            self.connection = self._connect()
            return Answer(503, {}, b"")
        if response.will_close:
            connection.close()
            self.connection = self._connect()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, content)

    def close(self) -> None:
        self.connection.close()


class HttpxClient:
    """As an ``httpx`` user sends: one kept ``httpx.Client`` (a new one per request
    costs 35-60 ms here, its TLS set-up even for http: the client's cost)."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(timeout=600)

    def post(self, url: str, path: Path, raw: bool = False) -> Answer:
        with path.open("rb") as handle:
            if raw:
                answer = self.client.post(
                    url + "/validate",
                    params={"schema": NAME, "filename": path.name},
                    content=handle,
                    headers={"Content-Type": "text/csv"},
                )
            else:
                answer = self.client.post(
                    url + "/validate", data={"schema": NAME}, files={"file": (path.name, handle)}
                )
        content = answer.read()
        return Answer(
            answer.status_code, {k.lower(): v for k, v in answer.headers.items()}, content
        )

    def close(self) -> None:
        self.client.close()


CLIENTS = {"lean": LeanClient, "httpx": HttpxClient}


def peak_rss(pid: int) -> tuple[int, list[int]]:
    """VmHWM of the server and of each of its child processes, in bytes."""

    def hwm(p: int) -> int:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0

    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    workers = [
        c for c in children if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()
    ]
    return hwm(pid), [hwm(c) for c in workers]


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by the server and its validation processes, every thread
    counted (``schedstat``, in nanoseconds): less sensitive than elapsed time to the
    other work of a shared machine."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
            children = [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += sum(round(cpu_seconds(c) * 1e9) for c in children)
    return total / 1e9


def server_thread_seconds(pid: int) -> float:
    """CPU time of the server's event loop thread alone (it receives the uploads and
    sends the answers; the file is written by other threads)."""
    return int(Path(f"/proc/{pid}/task/{pid}/schedstat").read_text().split()[0]) / 1e9


def mb(n: float) -> str:
    return f"{n / 1024 / 1024:.0f} Mo"


def main() -> int:
    parser = argparse.ArgumentParser(description="Banc d'essai du service de validation")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clients", default="4,16")
    parser.add_argument("--throughput-size", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=32, help="requêtes par mesure de débit")
    parser.add_argument(
        "--client",
        choices=sorted(CLIENTS),
        default="lean",
        help="client HTTP : lean (http.client et sendfile, par défaut) ou httpx",
    )
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    root = scratch_registry()
    registry = load_registry(root)
    descriptor = resolve_schema(NAME, registry)
    sizes = [int(s) for s in args.sizes.split(",")]
    files = {}
    for size in sorted(set(sizes + [args.throughput_size])):
        path = DATA / f"bench-{size}.csv"
        if not path.exists():
            generate(size, path)
        files[size] = path
    process, url = start(root, slots=4)
    make_client = CLIENTS[args.client]
    client = make_client(url)
    try:
        validate_file(files[min(sizes)], descriptor, registry=registry, schema_name=NAME)
        client.post(url, files[min(sizes)])  # warm both sides
        print(
            "| lignes | envoi | API (meilleur / médiane) | en processus (meilleur / médiane) "
            "| surcoût (meilleurs ; médiane des paires) | dont envoi ; validation dans le "
            "service (médianes) | temps CPU : service / en processus (médianes) "
            "| dont fil du serveur (médiane) |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for size, raw in ((size, raw) for size in sizes for raw in (False, True)):
            api, local, uploads, inside, api_cpu, local_cpu, loop_cpu = [], [], [], [], [], [], []
            for _ in range(args.repeat):
                start_cpu = cpu_seconds(process.pid)
                start_loop = server_thread_seconds(process.pid)
                start_time = time.perf_counter()
                answer = client.post(url, files[size], raw=raw)
                api.append(time.perf_counter() - start_time)
                api_cpu.append(cpu_seconds(process.pid) - start_cpu)
                loop_cpu.append(server_thread_seconds(process.pid) - start_loop)
                answer.raise_for_status()
                body = answer.json()
                timing = dict(
                    part.strip().split(";dur=")
                    for part in answer.headers["server-timing"].split(",")
                )
                uploads.append(float(timing["envoi"]) / 1000)
                inside.append(float(timing["validation"]) / 1000)
                start_cpu, start_time = time.process_time(), time.perf_counter()
                report = validate_file(files[size], descriptor, registry=registry, schema_name=NAME)
                local.append(time.perf_counter() - start_time)
                local_cpu.append(time.process_time() - start_cpu)
                assert body["report"]["errors"] == [e.to_dict() for e in report.errors]
            overhead = (min(api) / min(local) - 1) * 100
            paired = (statistics.median(a / b for a, b in zip(api, local, strict=True)) - 1) * 100
            cpu = (statistics.median(api_cpu) / statistics.median(local_cpu) - 1) * 100
            print(
                f"| {size:,} | {'corps brut' if raw else 'multipart'} "
                f"| {min(api):.3f} / {statistics.median(api):.3f} s "
                f"| {min(local):.3f} / {statistics.median(local):.3f} s "
                f"| {overhead:+.0f} % ; {paired:+.0f} % "
                f"| {statistics.median(uploads):.3f} s ; {statistics.median(inside):.3f} s "
                f"| {statistics.median(api_cpu):.3f} / {statistics.median(local_cpu):.3f} s "
                f"({cpu:+.0f} %) | {statistics.median(loop_cpu) * 1000:.1f} ms |"
            )
        print()
        print(f"Débit, fichier de {args.throughput_size:,} lignes, {args.requests} requêtes :")
        lock = threading.Lock()
        local_clients = threading.local()  # one kept client per client thread
        for clients in (int(c) for c in args.clients.split(",")):
            refused = 0

            def one(_: int) -> None:
                nonlocal refused
                if not hasattr(local_clients, "client"):
                    local_clients.client = make_client(url)
                while True:
                    answer = local_clients.client.post(url, files[args.throughput_size])
                    if answer.status_code != 503:
                        answer.raise_for_status()
                        return
                    with lock:
                        refused += 1
                    time.sleep(0.1)

            start_time = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(clients) as pool:
                list(pool.map(one, range(args.requests)))
            elapsed = time.perf_counter() - start_time
            print(
                f"- {clients} clients : {args.requests / elapsed:.1f} fichiers/s "
                f"({args.requests * args.throughput_size / elapsed:,.0f} lignes/s), "
                f"{refused} réponses 503 (réessayées)"
            )
        own, children = peak_rss(process.pid)
        print()
        print(
            f"Pic de mémoire (VmHWM) : serveur {mb(own)}, processus de validation "
            + ", ".join(mb(c) for c in children)
            + f" ; total au plus {mb(own + sum(children))}"
        )
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
