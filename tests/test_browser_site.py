"""Headless Chromium on the built site, served over real HTTP on 127.0.0.1.

Opens every page type at desktop and phone widths (screenshots under
test-output/screenshots/), audits each with axe-core, checks the Excel template is in
view on every schema page and reached with the keyboard, searches a field by name and
downloads a published file.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from a11y import blocking, describe, run_axe

from conftest import BASE_REGISTRY, REPO, serve_folder
from esr_schemas.docsite.builder import build_site

pytestmark = pytest.mark.slow

SCREENSHOTS = REPO / "test-output" / "screenshots"
VIEWPORTS = {"bureau": (1280, 900), "telephone": (390, 844)}


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("site-navigateur")
    root = base / "registre"
    shutil.copytree(BASE_REGISTRY, root)
    site = base / "site"
    build_site(root, site, config_file=REPO / "mkdocs.yml")
    with serve_folder(site) as served:
        yield served.url


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
        button = page.locator(".esr-downloads a.md-button", has_text="Schéma (fichier JSON")
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


# --------------------------------------------------------------------------- the real registry

PAGE_TYPES = {
    "accueil": "",
    "liste-schemas": "schemas/",
    "schema": "schemas/offre-formation/",
    "version": "schemas/offre-formation/1.0.0/",
    "liste-referentiels": "referentiels/",
    "referentiel": "referentiels/regimes-inscription/",
    "guide": "guide/publication/",
    "guide-excel": "guide/modele-excel/",
    "reference": "reference/cli/",
    "contribuer": "contribuer/",
    "introuvable": "cette-page-n-existe-pas/",
}


@pytest.fixture(scope="module")
def repo_site_url(repo_site: Path) -> Iterator[str]:
    with serve_folder(repo_site) as served:  # unknown paths get the site's 404 page
        yield served.url


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_every_page_type_is_accessible(
    repo_site_url: str, browser: Any, kind: str, viewport: str
) -> None:
    """Screenshot at both widths, nothing wider than the screen, no serious axe violation."""
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        response = page.goto(repo_site_url + PAGE_TYPES[kind])
        assert response is not None
        assert response.status == (404 if kind == "introuvable" else 200)
        assert page.evaluate("() => document.documentElement.lang") == "fr"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"registre-{kind}-{viewport}.png"), full_page=True)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        violations = blocking(run_axe(page))
        assert not violations, describe(violations)
        text = page.locator("body").inner_text()
        # Contribuer documents the x-esr keys for schema authors: there they are the topic.
        jargon = ("Data Package", "Not found", "404 -") + (
            () if kind == "contribuer" else ("x-esr",)
        )
        for word in jargon:
            assert word not in text, word
        if kind == "introuvable":
            assert page.locator("h1").inner_text().strip() == "Page introuvable"
    finally:
        page.close()


def _schema_pages() -> list[str]:
    from esr_schemas.loader import load_registry

    return sorted(load_registry(REPO).schemas)


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_template_link_is_visible_without_scrolling(
    repo_site_url: str, browser: Any, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        for name in _schema_pages():
            page.goto(repo_site_url + f"schemas/{name}/")
            link = page.locator(".esr-downloads a.md-button", has_text="Modèle Excel à remplir")
            assert link.count() == 1, name
            box = link.bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, (name, box)
            assert link.get_attribute("href", timeout=1000).endswith(".xlsx")
    finally:
        page.close()


def test_the_template_is_reached_with_the_keyboard_alone(repo_site_url: str, browser: Any) -> None:
    """From the top of a schema page: Tab to « skip to content », Enter, then Tab to the
    Excel template; every focused element shows a visible outline."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(repo_site_url + "schemas/offre-formation/")
        page.keyboard.press("Tab")
        skip = page.evaluate("() => document.activeElement.textContent.trim()")
        assert skip == "Aller au contenu"
        page.keyboard.press("Enter")
        for _ in range(60):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "() => { const e = document.activeElement; const s = getComputedStyle(e);"
                " return {text: e.textContent.trim(), outline: s.outlineStyle,"
                " width: parseFloat(s.outlineWidth)}; }"
            )
            assert focused["outline"] != "none" and focused["width"] > 0, focused
            if focused["text"] == "Modèle Excel à remplir":
                break
        else:
            pytest.fail("le modèle Excel n'est pas atteignable au clavier")
        with page.expect_download(timeout=15_000) as info:
            page.keyboard.press("Enter")
        from esr_schemas.loader import load_registry

        latest = load_registry(REPO).schemas["offre-formation"].latest_published
        assert latest is not None
        assert info.value.suggested_filename == f"modele-offre-formation-{latest.version}.xlsx"
    finally:
        page.close()


def test_search_lists_each_schema_once(repo_site_url: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(repo_site_url)
        page.locator("label.md-search__icon, input.md-search__input").first.click()
        page.locator("input.md-search__input").press_sequentially("Offre de formation", delay=20)
        # one result item per page (its sections come as further links inside it)
        results = page.locator(".md-search-result__item")
        results.first.wait_for(state="attached", timeout=15_000)
        hrefs = [
            results.nth(i).locator("a").first.get_attribute("href") or ""
            for i in range(results.count())
        ]
        pages = [h.split("#")[0].split("?")[0] for h in hrefs]
        assert len(pages) == len(set(pages)), pages
        assert not [h for h in pages if "/1.0.0/" in h], pages
    finally:
        page.close()
