"""Headless Chromium drives the service's page, as a data officer would.

Choose a schema, upload a file (with and without JavaScript), read the summary and the
errors, download the CSV report and read it back; audit the pages with axe-core when
it is installed (``npm install``: ``node_modules/axe-core/axe.min.js``).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_service_kit import RunningService, start_service

from conftest import REPO

pytestmark = pytest.mark.slow

SCHEMA = "offre-formation"
EXAMPLES = REPO / "schemas" / SCHEMA / "exemples"
INVALID = EXAMPLES / "invalide" / "type-error__capacite-texte.csv"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    running = start_service(tmp_path_factory.mktemp("service-navigateur") / "tmp")
    yield running
    running.stop()


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


@pytest.mark.parametrize("javascript", [True, False], ids=["avec-js", "sans-js"])
def test_choose_upload_read_and_download_the_csv_report(
    service: RunningService, browser: Any, tmp_path: Path, javascript: bool
) -> None:
    context = browser.new_context(java_script_enabled=javascript, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(service.url + f"/?schema={SCHEMA}&version=1.0.0")
        assert page.locator("#schema").input_value() == f"{SCHEMA}@1.0.0"
        assert "n'est pas conservé" in page.locator("footer").inner_text()
        page.locator("#schema").select_option(f"{SCHEMA}@1.0.0")
        page.locator("#file").set_input_files(str(INVALID))
        if javascript:
            assert page.locator("#depot").is_visible()
            assert INVALID.name in page.locator("#nom-fichier").inner_text()
        page.locator("#valider").click()
        page.locator("#verdict").wait_for(timeout=60_000)
        verdict = page.locator("#verdict .etiquette").inner_text()
        assert verdict == "INVALIDE"
        assert INVALID.name in page.locator("#verdict").inner_text()
        summary = page.locator("#resume").inner_text()
        assert "erreur" in summary and "ligne" in summary
        assert page.locator(".par-colonne tbody tr").count() >= 1
        groups = page.locator("article.groupe")
        assert groups.count() >= 1
        assert "capacite_accueil" in groups.first.locator("h3").inner_text()
        assert "Comment corriger" in groups.first.inner_text()
        doc_link = page.locator(".faits a", has_text="documentation")
        assert doc_link.get_attribute("href", timeout=5_000).endswith(f"/schemas/{SCHEMA}/1.0.0/")
        with page.expect_download(timeout=15_000) as info:
            page.locator("#rapport-csv").click()
        saved = tmp_path / "rapport.csv"
        info.value.save_as(saved)
        assert info.value.suggested_filename.endswith(".csv")
        rows = _read_csv(saved)
        assert rows[0][:3] == ["Gravité", "Ligne", "Colonne"]
        shown_rows = page.locator("article.groupe tbody tr").count()
        assert len(rows) - 1 == shown_rows  # one line per error, as many as on the page
        assert all(r[2] == "capacite_accueil" for r in rows[1:])
        assert page.locator("#imprimer").is_visible() is javascript
        assert not problems, problems
    finally:
        context.close()


def test_a_missing_file_is_said_on_the_page(service: RunningService, browser: Any) -> None:
    page = browser.new_page()
    try:
        page.goto(service.url + f"/?schema={SCHEMA}@1.0.0")
        page.locator("#valider").click()
        page.locator("#probleme").wait_for(timeout=30_000)
        assert "Aucun fichier reçu" in page.locator("#probleme").inner_text()
        assert page.locator("#schema").input_value() == f"{SCHEMA}@1.0.0"
    finally:
        page.close()


def test_the_printable_page_hides_the_controls(service: RunningService, browser: Any) -> None:
    page = browser.new_page()
    try:
        page.goto(service.url + "/")
        page.locator("#schema").select_option(f"{SCHEMA}@1.0.0")
        page.locator("#file").set_input_files(str(INVALID))
        page.locator("#valider").click()
        page.locator("#verdict").wait_for(timeout=60_000)
        page.emulate_media(media="print")
        assert not page.locator(".telechargements").is_visible()
        assert page.locator("#verdict").is_visible()
        assert len(page.pdf()) > 1000
    finally:
        page.close()


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in ("critical", "serious")]


def test_the_pages_have_no_serious_accessibility_violation(
    service: RunningService, browser: Any
) -> None:
    if not AXE.is_file():
        message = f"axe-core absent ({AXE}) : lancez « npm install » à la racine du dépôt"
        if os.environ.get("ESR_REQUIRE_ALL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    # The page's CSP forbids inline scripts: axe is injected in a context that bypasses it.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(service.url + "/")
        assert _axe_violations(page) == []
        page.locator("#schema").select_option(f"{SCHEMA}@1.0.0")
        page.locator("#file").set_input_files(str(INVALID))
        page.locator("#valider").click()
        page.locator("#verdict").wait_for(timeout=60_000)
        assert _axe_violations(page) == []
    finally:
        context.close()
