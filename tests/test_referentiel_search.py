"""The searchable page of a long référentiel (the 48,401 SISE diplomas).

A real strict ``mkdocs build`` of the repository, then headless Chromium on the built
site served over HTTP on 127.0.0.1: the page is small, the data arrives compressed on
the first search only, and searching by code, by words and among open diplomas works.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, ServedFolder, serve_folder
from esr_schemas.docsite import referentiel_search
from esr_schemas.loader import load_registry

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(repo_site: Path) -> Path:
    return repo_site


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[ServedFolder]:
    with serve_folder(site) as folder:
        yield folder


def test_long_referentiel_page_is_small_and_its_data_complete(site: Path) -> None:
    ref = load_registry(REPO).referentiels["diplomes-sise"]
    assert referentiel_search.is_searchable(ref)
    page = (site / "referentiels" / "diplomes-sise" / "index.html").read_text(encoding="utf-8")
    assert 'id="esr-ref-q"' in page and "esr-ref-data" in page
    assert page.count("<tr") < 20, "la page ne doit pas contenir la table des codes"
    assert len(page.encode()) < 100_000
    data = site / "referentiels" / "diplomes-sise.recherche.json.gz"
    assert data.stat().st_size < 1_000_000
    payload = json.loads(gzip.decompress(data.read_bytes()))
    with (site / "referentiels" / "diplomes-sise.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert payload["colonnes"] == rows[0]
    assert payload["lignes"] == rows[1:] and len(rows) - 1 == 48401
    # short référentiels keep their table
    short = (site / "referentiels" / "sexes" / "index.html").read_text(encoding="utf-8")
    assert "esr-ref-q" not in short and "<td>F</td>" in short


def test_search_data_is_deterministic() -> None:
    ref = load_registry(REPO).referentiels["diplomes-sise"]
    assert referentiel_search.search_data(ref) == referentiel_search.search_data(ref)


def _status(page: Any, contains: str) -> str:
    page.wait_for_function(
        "text => document.querySelector('.esr-ref-status').textContent.includes(text)",
        arg=contains,
    )
    return str(page.locator(".esr-ref-status").inner_text())


def test_search_in_chromium(served: ServedFolder, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(request.url))
    served.requested.clear()
    try:
        page.goto(served.url + "referentiels/diplomes-sise/")
        assert not any("recherche.json" in p for p in served.requested), "chargé trop tôt"
        page.fill("#esr-ref-q", "2300032")
        assert _status(page, "trouvé") == "1 code trouvé."
        cells = page.locator(".esr-ref-results tbody tr td").all_inner_texts()
        assert cells[:4] == ["2300032", "MATHEMATIQUES", "", "XA"]
        # words in any order, accents and case ignored
        page.fill("#esr-ref-q", "Mécanique génie")
        everything = _status(page, "trouvés")
        assert "100 premiers" in everything
        assert page.locator(".esr-ref-results tbody tr").count() == 100
        page.check("input[name=ouverts]")
        page.wait_for_function(
            "t => document.querySelector('.esr-ref-status').textContent !== t", arg=everything
        )
        closing = page.locator(".esr-ref-results tbody tr td:nth-child(6)").all_inner_texts()
        assert closing and all(c == "" for c in closing)
        page.fill("#esr-ref-q", "zzzz introuvable")
        assert "Aucun code" in _status(page, "Aucun code")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert sum("recherche.json" in p for p in served.requested) == 1
        assert not errors, errors
    finally:
        page.close()


def test_national_schemas_page_is_built_and_in_the_nav(site: Path) -> None:
    page = site / "guide" / "schemas-nationaux" / "index.html"
    html = page.read_text(encoding="utf-8")
    for slug in ("139bercy/format-commande-publique", "scdl/subventions",
                 "etalab/schema-hautes-remunerations"):  # fmt: skip
        assert f"https://schema.data.gouv.fr/{slug}/" in html, slug
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "guide/schemas-nationaux/" in home  # reachable from the navigation
