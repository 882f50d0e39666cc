"""Headless Chromium on the built site, served over real HTTP on 127.0.0.1.

Opens the home page and a schema page at desktop and phone widths (screenshots under
test-output/screenshots/), searches a field by name and downloads a published file.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import BASE_REGISTRY, REPO, require_program
from esr_schemas.docsite.builder import build_site

pytestmark = pytest.mark.slow

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
SCREENSHOTS = REPO / "test-output" / "screenshots"
VIEWPORTS = {"bureau": (1280, 900), "telephone": (390, 844)}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("site-navigateur")
    root = base / "registre"
    shutil.copytree(BASE_REGISTRY, root)
    site = base / "site"
    build_site(root, site, config_file=REPO / "mkdocs.yml")
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = require_program(CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("page_path", ["", "schemas/demo/"], ids=["accueil", "schema"])
def test_pages_render_at_desktop_and_phone_width(
    served_site: str, browser: Any, page_path: str, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    try:
        response = page.goto(served_site + page_path)
        assert response is not None and response.status == 200
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = ("accueil" if not page_path else "schema-demo") + f"-{viewport}.png"
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        assert (SCREENSHOTS / name).stat().st_size > 10_000
        # Nothing wider than the screen: tables wrap instead of overflowing.
        overflow = page.evaluate(
            "() => Array.from(document.querySelectorAll('.md-content table'))"
            ".filter(t => t.getBoundingClientRect().right > window.innerWidth + 1).length"
        )
        assert overflow == 0
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        if page_path:
            assert page.locator("h1").inner_text().strip().rstrip("¶") == "Schéma de démonstration"
            assert page.locator(".esr-badge-version").inner_text().strip() == "version 1.0.0"
            assert page.locator("#champ-effectif").count() == 1
            assert page.locator(".esr-downloads .md-button").count() >= 2
        else:
            assert page.locator("table a[href='schemas/demo/']").count() == 1
        assert not errors, errors
        assert not failed, failed
    finally:
        page.close()


@pytest.mark.parametrize("query", ["effectif", "code_uai"])
def test_search_finds_a_field_by_name(served_site: str, browser: Any, query: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(served_site)
        page.locator("label.md-search__icon, input.md-search__input").first.click()
        page.locator("input.md-search__input").press_sequentially(query, delay=20)
        anchor = f"#champ-{query}"
        link = page.locator(f".md-search-result__item a[href*='{anchor}']").first
        link.wait_for(state="attached", timeout=15_000)
        href = link.get_attribute("href")
        assert href is not None and "schemas/demo/" in href
        page.goto(href)
        assert page.locator(f"#champ-{query}").count() == 1
    finally:
        page.close()


def test_download_link_delivers_the_file(served_site: str, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        page.goto(served_site + "schemas/demo/")
        button = page.locator(".esr-downloads a.md-button", has_text="Schéma (JSON")
        with page.expect_download(timeout=15_000) as info:
            button.click()
        download = info.value
        assert download.suggested_filename == "schema.json"
        saved = tmp_path / "schema.json"
        download.save_as(saved)
        published = BASE_REGISTRY / "schemas/demo/versions/1.0.0/schema.json"
        assert saved.read_bytes() == published.read_bytes()
        assert json.loads(saved.read_text(encoding="utf-8"))["name"] == "demo"
    finally:
        page.close()
