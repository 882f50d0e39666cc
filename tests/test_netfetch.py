"""The one downloader against real misbehaving servers on 127.0.0.1 (raw sockets).

Each server speaks just enough (or too little) HTTP to exercise one guard: the total
deadline against a trickle, malformed answers, caps on size and redirects, refused
addresses. Every failure must be a French FetchError, within its time.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from esr_schemas import netfetch
from esr_schemas.cli import main

Behaviour = Callable[[socket.socket, bytes], None]


class RawServer:
    """A TCP server on 127.0.0.1 that hands each connection to ``behaviour``."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def url(self, path: str = "/donnees.csv") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            request = b""
            while b"\r\n\r\n" not in request:
                piece = conn.recv(4096)
                if not piece:
                    return
                request += piece
            self.behaviour(conn, request)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], RawServer]]:
    servers: list[RawServer] = []

    def start(behaviour: Behaviour) -> RawServer:
        server = RawServer(behaviour)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def _path(request: bytes) -> str:
    return request.split(b" ", 2)[1].decode()


def _fetch(url: str, tmp_path: Path, **kwargs: object) -> netfetch.Fetched:
    options: dict[str, object] = {"timeout": 5, "max_bytes": 1024 * 1024, "allow_private": True}
    options.update(kwargs)
    return netfetch.download(url, tmp_path, **options)  # type: ignore[arg-type]


def _refused(url: str, tmp_path: Path, **kwargs: object) -> str:
    with pytest.raises(netfetch.FetchError) as caught:
        _fetch(url, tmp_path, **kwargs)
    message = caught.value.message
    assert "Traceback" not in message
    assert "refused" not in message.lower() and "errno" not in message.lower()
    return message


def test_a_good_answer_is_written_to_a_file(serve, tmp_path: Path) -> None:
    body = "id,nom\n1,Évry\n".encode()

    def ok(conn: socket.socket, request: bytes) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n" % len(body)
            + body
        )

    fetched = _fetch(serve(ok).url("/dossier/mes%20donnees.csv"), tmp_path)
    assert fetched.path.read_bytes() == body
    assert fetched.filename == "mes_donnees.csv"
    assert fetched.path.parent == tmp_path


def test_gzip_answers_are_decoded_and_capped(serve, tmp_path: Path) -> None:
    body = b"id\n" + b"1\n" * 400_000

    def zipped(conn: socket.socket, request: bytes) -> None:
        packed = gzip.compress(body)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(packed)
            + packed
        )

    server = serve(zipped)
    assert _fetch(server.url(), tmp_path).path.read_bytes() == body
    message = _refused(server.url(), tmp_path, max_bytes=100_000)
    assert "dépasse la taille maximale" in message


def test_a_trickle_is_cut_at_the_total_deadline(serve, tmp_path: Path) -> None:
    def trickle(conn: socket.socket, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(30):
            conn.sendall(b"X")
            time.sleep(2)

    start = time.monotonic()
    message = _refused(serve(trickle).url(), tmp_path, timeout=3)
    assert time.monotonic() - start < 4.5
    assert "n'a pas répondu en 3 s" in message
    assert list(tmp_path.iterdir()) == []


def test_a_trickling_body_is_cut_too_and_no_partial_file_remains(serve, tmp_path: Path) -> None:
    def slow_body(conn: socket.socket, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        for _ in range(50):
            conn.sendall(b"a")
            time.sleep(0.5)

    start = time.monotonic()
    _refused(serve(slow_body).url(), tmp_path, timeout=2)
    assert time.monotonic() - start < 3.5
    assert list(tmp_path.iterdir()) == []


def test_a_server_that_never_answers(serve, tmp_path: Path) -> None:
    def silent(conn: socket.socket, request: bytes) -> None:
        time.sleep(5)

    start = time.monotonic()
    assert "n'a pas répondu" in _refused(serve(silent).url(), tmp_path, timeout=1)
    assert time.monotonic() - start < 2


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b"BONJOUR\r\n\r\n", "ligne d'état mal formée"),
        (
            b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
            "ligne d'en-tête trop longue",
        ),
        (
            b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(101)) + b"\r\n",
            "plus de 100 lignes d'en-tête",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
            "contenu tronqué ou mal découpé",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
            "contenu tronqué",
        ),
        (b"", "a coupé la connexion sans répondre"),
        (b"HTTP/1.1 500 Erreur\r\nContent-Length: 0\r\n\r\n", "en panne (erreur 500)"),
        (b"HTTP/1.1 404 Absent\r\nContent-Length: 0\r\n\r\n", "n'existe pas (erreur 404"),
    ],
    ids=[
        "statut",
        "entete-long",
        "101-entetes",
        "chunk-illisible",
        "chunk-tronque",
        "rien",
        "500",
        "404",
    ],
)
def test_malformed_or_failed_answers_give_a_french_message(
    serve, tmp_path: Path, answer: bytes, expected: str
) -> None:
    def bad(conn: socket.socket, request: bytes) -> None:
        conn.sendall(answer)

    message = _refused(serve(bad).url(), tmp_path)
    assert expected in message, message
    assert list(tmp_path.iterdir()) == []


def test_size_cap_with_and_without_content_length(serve, tmp_path: Path) -> None:
    def announced(conn: socket.socket, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n")

    def endless(conn: socket.socket, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n\r\n")
        block = b"x" * 65536
        for _ in range(1000):
            conn.sendall(block)

    assert "pèse" in _refused(serve(announced).url(), tmp_path)
    start = time.monotonic()
    assert "dépasse la taille maximale" in _refused(serve(endless).url(), tmp_path)
    assert time.monotonic() - start < 3
    assert list(tmp_path.iterdir()) == []


def test_redirects_are_followed_capped_and_loops_end(serve, tmp_path: Path) -> None:
    def redirects(conn: socket.socket, request: bytes) -> None:
        path = _path(request)
        if path == "/boucle-a":
            target = "/boucle-b"
        elif path == "/boucle-b":
            target = "/boucle-a"
        elif path.startswith("/chaine/"):
            step = int(path.rsplit("/", 1)[1])
            target = f"/chaine/{step + 1}"
        elif path == "/vers-fichier":
            target = "/fichier.csv"
        else:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nid\n")
            return
        conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {target}\r\n\r\n".encode())

    server = serve(redirects)
    assert _fetch(server.url("/vers-fichier"), tmp_path).path.read_bytes() == b"id\n"
    assert "redirige en boucle" in _refused(server.url("/boucle-a"), tmp_path)
    assert "redirige plus de 5 fois" in _refused(server.url("/chaine/0"), tmp_path)


def test_private_addresses_are_refused_unless_allowed(serve, tmp_path: Path) -> None:
    def ok(conn: socket.socket, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nid\n")

    server = serve(ok)
    for url in (server.url(), f"http://localhost:{server.port}/x.csv"):
        assert "adresse interne" in _refused(url, tmp_path, allow_private=False)
    assert "adresse interne" in _refused("http://[::1]:9/x.csv", tmp_path, allow_private=False)
    assert "adresse interne" in _refused("http://169.254.169.254/", tmp_path, allow_private=False)
    assert "adresse interne" in _refused("http://10.1.2.3/x.csv", tmp_path, allow_private=False)
    assert _fetch(server.url(), tmp_path, allow_private=True).size == 3


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://exemple.fr/x.csv", "seules les adresses http:// et https://"),
        ("file:///etc/passwd", "seules les adresses http:// et https://"),
        ("http://:80/x", "pas de nom de serveur"),
        ("http://moi:secret@exemple.fr/x.csv", "identifiant ou un mot de passe"),
        ("http://exemple.fr:99999/x.csv", "mal formée"),
        ("http://nom-qui-n-existe-pas.invalid/x.csv", "introuvable"),
    ],
)
def test_unusable_addresses(tmp_path: Path, url: str, expected: str) -> None:
    assert expected in _refused(url, tmp_path)


def test_the_connection_refused_is_said_in_french(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = _refused(f"http://127.0.0.1:{port}/x.csv", tmp_path)
    assert "refuse la connexion" in message


@pytest.mark.parametrize("value", [float("inf"), -1.0, 0.0, float("nan")])
def test_unusable_deadlines_are_refused(tmp_path: Path, value: float) -> None:
    assert "Délai d'attente invalide" in _refused("http://exemple.fr/", tmp_path, timeout=value)


@pytest.mark.parametrize("value", ["inf", "-3", "0", "nan", "dix"])
def test_the_cli_refuses_unusable_timeouts(tmp_path: Path, capsys, value: str) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "f.csv"
    data.write_text("id\n1\n", encoding="utf-8")
    with pytest.raises(SystemExit) as caught:
        main(["validate", str(data), "--schema", "x.json", "--timeout", value])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "--timeout" in err
    assert "Traceback" not in err and "invalid value" not in err
    assert "Délai d'attente invalide" in err or "pas un nombre de secondes" in err


def test_the_cli_validates_a_url_and_names_it_in_the_report(serve, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    schema = tmp_path / "schema.json"
    schema.write_text(
        '{"fields": [{"name": "id", "type": "integer"}]}',
        encoding="utf-8",
    )

    def data(conn: socket.socket, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nid\n1\ndeux")

    url = serve(data).url("/publie/donnees.csv")
    assert main(["validate", url, "--schema", str(schema)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{url} : INVALIDE")

    def trickle(conn: socket.socket, request: bytes) -> None:
        for _ in range(20):
            conn.sendall(b"H")
            time.sleep(1)

    start = time.monotonic()
    assert main(["validate", serve(trickle).url(), "--schema", str(schema), "--timeout", "2"]) == 2
    assert time.monotonic() - start < 3.5
    assert "n'a pas répondu en 2 s" in capsys.readouterr().err
