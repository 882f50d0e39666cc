"""End-to-end: the validate command on real files, bad inputs, a real HTTP server."""

from __future__ import annotations

import http.server
import json
import threading
import time
from pathlib import Path

from esr_schemas.cli import main

SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"unique": True}},
        {
            "name": "uai",
            "type": "string",
            "constraints": {"pattern": "[0-9]{7}[A-Z]"},
            "x-esr": {"codeSystem": "uai"},
        },
        {"name": "date", "type": "date"},
    ],
    "primaryKey": ["id"],
}


def _schema(tmp_path: Path) -> str:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return str(path)


def test_valid_and_invalid(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "ok.csv"
    good.write_text("id;uai;date\n1;0751717J;2024-03-12\n", encoding="utf-8")
    assert main(["validate", str(good), "--schema", _schema(tmp_path)]) == 0
    bad = tmp_path / "ko.csv"
    bad.write_text("id,uai,date\n1,0751717A,12/03/2024\n1,0751717J,2024-03-12\n", encoding="cp1252")
    assert main(["validate", str(bad), "--schema", _schema(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "2 lignes, 4 erreurs dans 3 colonnes" in out
    assert "2024-03-12" in out and "0751717J" in out
    assert (
        main(
            [
                "validate",
                str(bad),
                "--schema",
                _schema(tmp_path),
                "--format",
                "json",
                "--no-extra-checks",
            ]
        )
        == 1
    )
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is False
    assert {e["type"] for e in data["errors"]} == {"type-error", "unique-error", "primary-key"}


def test_unusable_inputs(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    schema = _schema(tmp_path)
    cases = {
        "vide.csv": b"",
        "binaire.csv": bytes(range(256)) * 10,
        "classeur.csv": b"PK\x03\x04" + b"\x00" * 100,
        "texte.xlsx": b"id,uai\n1,2\n",
        "protege.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "entete.csv": b"id,uai,date\n",
        "longue.csv": b"id,uai,date\n" + b"x" * (11 * 1024 * 1024) + b"\n",
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        assert main(["validate", str(path), "--schema", schema]) == 2, name
        assert "Traceback" not in capsys.readouterr().err
    not_schema = tmp_path / "pas-un-schema.json"
    not_schema.write_text('{"title": "x"}', encoding="utf-8")
    assert main(["validate", str(tmp_path / "entete.csv"), "--schema", str(not_schema)]) == 2


def test_remote_schema_and_timeout(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/lent":
                time.sleep(3)
            body = json.dumps(SCHEMA).encode()
            try:
                self.send_response(200)
                self.end_headers()
                self.wfile.write(body)
            except BrokenPipeError:  # the client gave up (timeout test)
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        data = tmp_path / "ok.csv"
        data.write_text("id,uai,date\n1,0751717J,2024-03-12\n", encoding="utf-8")
        url = f"http://127.0.0.1:{server.server_port}"
        assert main(["validate", str(data), "--schema", url + "/schema.json"]) == 0
        start = time.monotonic()
        assert main(["validate", str(data), "--schema", url + "/lent", "--timeout", "1"]) == 2
        assert time.monotonic() - start < 2.5
        assert "n'a pas répondu" in capsys.readouterr().err
    finally:
        server.shutdown()


def test_redos_pattern_is_linear(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "a", "type": "string", "constraints": {"pattern": "(a+)+$"}}]}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("a\n" + "a" * 5000 + "!\n", encoding="utf-8")
    start = time.monotonic()
    assert main(["validate", str(data), "--schema", str(path)]) == 1
    assert time.monotonic() - start < 10
