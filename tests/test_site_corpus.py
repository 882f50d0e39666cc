"""Every schema of the schema.data.gouv.fr corpus renders to a page, and a temporary
registry holding all of them builds as a strict mkdocs site."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO, corpus_files
from esr_schemas import wording
from esr_schemas.docsite import render
from esr_schemas.docsite.builder import build_site
from esr_schemas.loader import load_registry
from esr_schemas.model import Registry

CORPUS = corpus_files()


def _folder_name(path: Path) -> str:
    return path.stem.replace("__", "-").lower()


@pytest.fixture(scope="module")
def corpus_registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    if not CORPUS:
        pytest.skip("corpus schema.data.gouv.fr absent")
    root = tmp_path_factory.mktemp("corpus-registry")
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    for path in CORPUS:
        folder = root / "schemas" / _folder_name(path)
        folder.mkdir(parents=True)
        shutil.copyfile(path, folder / "schema.json")
    return load_registry(root)


def test_corpus_is_there() -> None:
    assert len(CORPUS) >= 40 or not CORPUS


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_schema_renders(corpus_registry: Registry, path: Path) -> None:
    entry = corpus_registry.get(_folder_name(path))
    assert entry.descriptor is not None
    ctx = render.SiteContext(registry=corpus_registry)
    pages = render.page_versions(entry)
    assert len(pages) == 1
    markdown = render.render_schema_page(ctx, entry, pages[0])
    positions = [
        markdown.index(heading)
        for heading in (
            "## Outils",
            "## Contexte",
            "## Modèle de données",
            "## Informations techniques",
        )
    ]
    assert positions == sorted(positions)
    for field in entry.fields:
        assert f"{{ #{render.field_anchor(str(field.get('name')))}" in markdown
        assert wording.type_label(field) in markdown
    # Free text cannot open raw HTML nor add headings to the page outline.
    outline = [line for line in markdown.splitlines() if line.startswith("#")]
    assert all(line.startswith(("# ", "## ", "### ")) for line in outline), outline
    assert "<script" not in markdown.lower()


@pytest.mark.slow
def test_corpus_registry_builds_a_strict_site(corpus_registry: Registry, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(corpus_registry.root, site, config_file=REPO / "mkdocs.yml")
    for name, entry in corpus_registry.schemas.items():
        html = (site / "schemas" / name / "index.html").read_text(encoding="utf-8")
        for field in entry.fields:
            assert f'id="{render.field_anchor(str(field.get("name")))}"' in html
    home = (site / "index.html").read_text(encoding="utf-8")
    assert home.count('href="schemas/') >= len(corpus_registry.schemas)
