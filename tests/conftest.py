"""Shared test helpers."""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "schema-data-gouv"
BASE_REGISTRY = Path(__file__).resolve().parent / "fixtures" / "base-registry"


def require_program(name: str) -> str:
    """Path of a system program; skip with a reason when absent, fail under ESR_REQUIRE_ALL=1."""
    path = shutil.which(name)
    if path:
        return path
    message = f"programme « {name} » absent de cette machine (installez-le : voir .ci/run)"
    if os.environ.get("ESR_REQUIRE_ALL") == "1":
        pytest.fail(message + " — ESR_REQUIRE_ALL=1 interdit de sauter ce test")
    pytest.skip(message)


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        if os.environ.get("ESR_REQUIRE_ALL") == "1":
            pytest.fail(f"corpus absent : {CORPUS}")
        return []
    return sorted(CORPUS.glob("*.json"))


@pytest.fixture
def base_registry(tmp_path: Path) -> Path:
    """A copy of the minimal clean registry used by rule fixtures."""
    root = tmp_path / "registry"
    shutil.copytree(BASE_REGISTRY, root)
    return root


def require_module(name: str) -> Any:
    """An importable module; skip with a reason when absent, fail under ESR_REQUIRE_ALL=1."""
    try:
        return importlib.import_module(name)
    except ImportError:
        message = f"module Python « {name} » absent (installez les dépendances de test : make test)"
        if os.environ.get("ESR_REQUIRE_ALL") == "1":
            pytest.fail(message + " — ESR_REQUIRE_ALL=1 interdit de sauter ce test")
        pytest.skip(message)


# ------------------------------------------------------------------ browser and HTTP

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, driven by playwright, shared by the whole session."""
    path = require_program(CHROMIUM)
    sync_api = require_module("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class FolderHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder quietly, records the paths asked (``server.requested``) and answers
    unknown paths with the folder's own 404.html when it has one, as a web server does."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        self.server.requested.append(self.path)  # type: ignore[attr-defined]

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(str(self.directory)) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class ServedFolder:
    url: str
    """The base URL, with its trailing slash."""
    requested: list[str]
    """The paths asked so far, in order."""


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[ServedFolder]:
    """A real HTTP server on 127.0.0.1 (a free port) serving ``folder``."""
    handler = functools.partial(FolderHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requested = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield ServedFolder(f"http://127.0.0.1:{server.server_address[1]}/", server.requested)  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def repo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own site, built once per session with a real strict mkdocs build."""
    from esr_schemas.docsite.builder import build_site

    target = tmp_path_factory.mktemp("site-registre") / "site"
    build_site(REPO, target)  # strict: any broken link or anchor fails the build
    return target
