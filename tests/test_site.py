"""The documentation site, built for real with mkdocs (strict) and crawled.

One session-scoped build of the repository's registry and one of a small registry
with two published versions; every HTML page is parsed and every internal link,
asset and download must resolve to a file of the built site.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import BASE_REGISTRY, REPO
from esr_schemas import extensions
from esr_schemas.docsite import render
from esr_schemas.docsite.builder import SiteBuildError, build_site
from esr_schemas.loader import load_registry
from esr_schemas.model import Registry

pytestmark = pytest.mark.slow


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for key in ("href", "src"):
            if values.get(key):
                self.links.append((tag, str(values[key])))


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _text(html: str) -> str:
    """The visible text of a page (code highlighting splits commands into spans)."""
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", html))


def _target(site: Path, page: Path, link: str) -> tuple[Path, str] | None:
    """The file an internal link points to (None for external links)."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
        return None
    if not parts.path:
        return page, parts.fragment
    # Root-absolute links (404.html) resolve against site_url's path, here "/".
    base = site if parts.path.startswith("/") else page.parent
    target = (base / unquote(parts.path).lstrip("/")).resolve()
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def _crawl(site: Path) -> tuple[list[str], int]:
    problems: list[str] = []
    checked = 0
    cache: dict[Path, _Links] = {}

    def parsed_page(path: Path) -> _Links:
        if path not in cache:
            cache[path] = _parse(path)
        return cache[path]

    for page in sorted(site.rglob("*.html")):
        parsed = parsed_page(page)
        for tag, link in parsed.links:
            resolved = _target(site, page, link)
            if resolved is None:
                if tag in {"script", "img"} or (tag == "link" and "stylesheet" in link):
                    problems.append(f"{page.relative_to(site)} : ressource externe {link}")
                continue
            target, fragment = resolved
            checked += 1
            if not target.is_file() or site.resolve() not in target.parents:
                problems.append(f"{page.relative_to(site)} : lien cassé {link}")
                continue
            if fragment and target.suffix == ".html" and fragment not in {"__skip"}:
                ids = parsed_page(target).ids
                if unquote(fragment) not in ids:
                    problems.append(f"{page.relative_to(site)} : ancre absente {link}")
    return problems, checked


@pytest.fixture(scope="session")
def repo_registry(repo_site: Path) -> Registry:
    return load_registry(REPO)


def _two_versions_registry(root: Path) -> Path:
    """The base registry, plus a published 1.1.0 adding a field and a changelog entry."""
    shutil.copytree(BASE_REGISTRY, root)
    demo = root / "schemas" / "demo"
    descriptor = json.loads((demo / "schema.json").read_text(encoding="utf-8"))
    descriptor["version"] = "1.1.0"
    descriptor["x-esr"] = {"status": "stable", "secretThreshold": 5}
    descriptor["fields"].append(
        {
            "name": "part_femmes",
            "title": "Part des femmes",
            "description": "Part des femmes parmi les inscrits, en pourcentage. Voir [le guide](guide.md).",
            "type": "number",
            "constraints": {"minimum": 0, "maximum": 100},
            "x-esr": {
                "denominator": "effectif",
                "deprecated": {"since": "1.1.0", "reason": "Remplacé."},
            },
        }
    )
    descriptor["fields"][3]["x-esr"] = {"personCount": True}
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    (demo / "schema.json").write_text(text, encoding="utf-8")
    changelog = "# Changements\n\n## 1.1.0 (2026-03-01)\n\n- Ajout de `part_femmes`.\n\n## 1.0.0 (2026-01-15)\n\n- Première version.\n"
    (demo / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    (demo / "README.md").write_text(
        "# Démo\n\n## Contexte\n\nVoir l'[exemple](exemples/valide.csv) et [ailleurs](../autre.md).\n\n"
        "### Producteur\n\nLe ministère.\n\n```\n# pas un titre\n```\n",
        encoding="utf-8",
    )
    snapshot = demo / "versions" / "1.1.0"
    snapshot.mkdir()
    for name in ("schema.json", "README.md"):
        shutil.copyfile(demo / name, snapshot / name)
    shutil.copytree(demo / "exemples", snapshot / "exemples")
    (snapshot / "CHANGELOG.md").write_text(
        "## 1.1.0 (2026-03-01)\n\n- Ajout de `part_femmes`.\n", encoding="utf-8"
    )
    index = json.loads((demo / "versions" / "index.json").read_text(encoding="utf-8"))
    from esr_schemas.loader import snapshot_files

    index["1.1.0"] = {"date": "2026-03-01", "files": snapshot_files(snapshot)}
    (demo / "versions" / "index.json").write_text(json.dumps(index, indent=2), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("site-demo")
    root = _two_versions_registry(base / "registre")
    site = base / "site"
    build_site(root, site, config_file=REPO / "mkdocs.yml")
    return root, site


def test_repo_site_has_every_schema_version_and_referentiel(
    repo_site: Path, repo_registry: Registry
) -> None:
    registry = repo_registry
    assert (repo_site / "index.html").is_file()
    home = (repo_site / "index.html").read_text(encoding="utf-8")
    for entry in registry.schemas.values():
        page = repo_site / "schemas" / entry.name / "index.html"
        assert page.is_file(), f"page absente pour {entry.name}"
        assert f"schemas/{entry.name}/" in home, f"{entry.name} absent de l'accueil"
        html = page.read_text(encoding="utf-8")
        for field in entry.fields:
            assert f'id="{render.field_anchor(str(field["name"]))}"' in html, (
                entry.name,
                field["name"],
            )
        for version in entry.published:
            assert (repo_site / "schemas" / entry.name / version.version / "index.html").is_file()
            assert (repo_site / "schemas" / entry.name / version.version / "schema.json").is_file()
    for ref in registry.referentiels.values():
        assert (repo_site / "referentiels" / ref.name / "index.html").is_file()
        assert (
            repo_site / "referentiels" / f"{ref.name}.csv"
        ).read_bytes() == ref.csv_path.read_bytes()
    for page in (
        "guide/publication",
        "contribuer",
        "reference/regles",
        "reference/cli",
        "reference/ecarts-frictionless",
        "schemas",
        "referentiels",
    ):
        assert (repo_site / page / "index.html").is_file(), page


def test_repo_site_links_all_resolve(repo_site: Path) -> None:
    problems, checked = _crawl(repo_site)
    assert checked > 100
    assert not problems, "\n".join(problems[:30])


def test_repo_site_loads_nothing_from_the_network(repo_site: Path) -> None:
    for page in [repo_site / "index.html", *repo_site.glob("schemas/*/index.html")]:
        html = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
        assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://(?!schemas-esr)", html), (
            page
        )


def test_demo_site_versions_downloads_and_fields(demo_site: tuple[Path, Path]) -> None:
    root, site = demo_site
    problems, _ = _crawl(site)
    assert not problems, "\n".join(problems[:30])
    latest = (site / "schemas/demo/index.html").read_text(encoding="utf-8")
    old = (site / "schemas/demo/1.0.0/index.html").read_text(encoding="utf-8")
    new = (site / "schemas/demo/1.1.0/index.html").read_text(encoding="utf-8")
    # Each version page documents its own snapshot.
    assert 'id="champ-part_femmes"' in latest and 'id="champ-part_femmes"' in new
    assert 'id="champ-part_femmes"' not in old
    assert "Vous lisez la version <strong>1.0.0</strong> ; la dernière est la" in old
    assert "Vous lisez la version <strong>1.1.0</strong>, la dernière publiée" in latest
    assert "version 1.1.0" in latest and "version 1.0.0" in old
    # Versions section and the other versions listed in the metadata block.
    assert 'href="1.0.0/"' in latest and 'href="1.1.0/"' in latest
    # Downloads: the published files with their real size.
    schema_json = site / "schemas/demo/1.1.0/schema.json"
    assert (
        schema_json.read_bytes() == (root / "schemas/demo/versions/1.1.0/schema.json").read_bytes()
    )
    assert 'href="1.1.0/schema.json"' in latest
    assert render.human_size(schema_json.stat().st_size) in latest
    assert 'href="schema.json"' in old
    assert render.human_size((site / "schemas/demo/1.0.0/schema.json").stat().st_size) in old
    for page in (latest, old, new):
        assert 'href="' in page and "exemples/valide.csv" in page
    # Validate command, with the exact version.
    assert "esr-schemas validate MON_FICHIER.csv --schema demo@1.1.0" in _text(latest)
    assert "esr-schemas validate MON_FICHIER.csv --schema demo@1.0.0" in _text(old)
    # Field documentation in plain French.
    assert (
        "nombre décimal" in latest
        and "Valeur comprise entre <code>0</code> et <code>100</code>" in latest
    )
    assert "Forme attendue :" in latest and "expression régulière" not in latest
    assert "année (AAAA)" in latest
    assert "Champ déprécié depuis la version 1.1.0" in latest
    assert 'href="#champ-effectif"' in latest  # denominator link
    assert "secret statistique" in latest and "inférieures à 5" in latest
    assert "code UAI" in latest
    # Changes: 1.0.0's page does not show the later entry.
    assert "2026-03-01" in latest and "Ajout de" in latest
    assert "Ajout de" not in old
    # README: its own « Contexte » heading dropped, relative links mapped or neutralised.
    assert latest.count(">Contexte<") <= 2  # page heading + toc entry
    assert 'href="1.1.0/exemples/valide.csv"' in latest
    assert "autre.md" not in latest
    assert "# pas un titre" in latest
    # Unpublished relative link inside a description: plain text, not a broken link.
    assert "guide.md" not in latest
    # Secrecy table of the publication guide reads x-esr.secretThreshold.
    guide = (site / "guide/publication/index.html").read_text(encoding="utf-8")
    assert "schemas/demo/" in guide and "<td>5</td>" in guide


def test_demo_site_downloads_of_registry_are_in_site(demo_site: tuple[Path, Path]) -> None:
    root, site = demo_site
    registry = load_registry(root)
    for version in registry.get("demo").published:
        for source in version.path.rglob("*"):
            if source.is_file():
                copy = site / "schemas/demo" / version.version / source.relative_to(version.path)
                assert copy.read_bytes() == source.read_bytes()


def test_unpublished_schema_page_says_so(tmp_path: Path) -> None:
    root = tmp_path / "registre"
    shutil.copytree(BASE_REGISTRY, root)
    schema = root / "schemas/demo/schema.json"
    descriptor = json.loads(schema.read_text(encoding="utf-8"))
    descriptor["version"] = "2.0.0"
    descriptor["x-esr"] = {"status": "brouillon"}
    schema.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    registry = load_registry(root)
    entry = registry.get("demo")
    ctx = render.SiteContext(registry=registry)
    pages = render.page_versions(entry)
    assert [p.version for p in pages] == ["2.0.0", "1.0.0"]
    markdown = render.render_schema_page(ctx, entry, pages[0])
    assert "Version en préparation" in markdown and "brouillon" in markdown
    assert "non publiée" in markdown
    assert extensions.status(descriptor) == "brouillon"


def test_validation_service_button_follows_the_service_contract() -> None:
    """``{validation_service}/?schema=NAME&version=X.Y.Z``: the service builds that page."""
    registry = load_registry(BASE_REGISTRY)
    entry = registry.get("demo")
    pv = render.page_versions(entry)[0]
    without = render.render_schema_page(render.SiteContext(registry=registry), entry, pv)
    assert "Valider un fichier en ligne" not in without
    ctx = render.SiteContext(
        registry=registry,
        site_url="https://registre.example.fr/esr/",
        validation_service="https://validation.example.fr/",
    )
    markdown = render.render_schema_page(ctx, entry, pv)
    tools = markdown.split("## Outils", 1)[1].split("\n## ", 1)[0]
    assert (
        "[Valider un fichier en ligne](https://validation.example.fr/?schema=demo&version=1.0.0)"
        in tools
    )
    stable = "https://registre.example.fr/esr/schemas/demo/1.0.0/schema.json"
    assert f"[{stable}]({stable})" in markdown  # technical information


def test_build_fails_in_french_on_a_broken_page(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(REPO / "docs", docs)
    (docs / "guide" / "publication.md").write_text(
        "# Guide\n\n[cassé](absent.md)\n", encoding="utf-8"
    )
    config = tmp_path / "mkdocs.yml"
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("docs_dir: docs", f"docs_dir: {docs}")
    text = text.replace(
        "tools/esr_schemas/docsite/hooks.py", str(REPO / "tools/esr_schemas/docsite/hooks.py")
    )
    config.write_text(text, encoding="utf-8")
    with pytest.raises(SiteBuildError, match="mode strict.*1 avertissement"):
        build_site(BASE_REGISTRY, tmp_path / "site", config_file=config)


def test_unreadable_schema_gets_an_explanatory_page(tmp_path: Path) -> None:
    root = tmp_path / "registre"
    shutil.copytree(BASE_REGISTRY, root)
    broken = root / "schemas" / "casse"
    broken.mkdir()
    (broken / "schema.json").write_text('{"fields": [', encoding="utf-8")
    site = tmp_path / "site"
    build_site(root, site, config_file=REPO / "mkdocs.yml")
    html = (site / "schemas/casse/index.html").read_text(encoding="utf-8")
    assert "Schéma illisible" in html and "esr-schemas check" in html
    assert (site / "schemas/demo/index.html").is_file()


def test_cli_build_publishes_and_builds(tmp_path: Path) -> None:
    root = tmp_path / "registre"
    shutil.copytree(BASE_REGISTRY, root)
    out = tmp_path / "sortie"
    # Without mkdocs.yml: the published files only, and a French note.
    done = subprocess.run(
        [sys.executable, "-m", "esr_schemas.cli", "build", "--root", str(root), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "site de documentation non construit" in done.stdout
    assert (out / "schemas/demo/1.0.0/schema.json").is_file()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_reloads_when_a_schema_changes(tmp_path: Path) -> None:
    """``mkdocs serve`` (as ``make serve``) rebuilds the schema page after schema.json changes."""
    root = tmp_path / "registre"
    shutil.copytree(BASE_REGISTRY, root)
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("docs_dir: docs", f"docs_dir: {REPO / 'docs'}")
    text = text.replace(
        "tools/esr_schemas/docsite/hooks.py", str(REPO / "tools/esr_schemas/docsite/hooks.py")
    )
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    port = _free_port()
    mkdocs = Path(sys.executable).parent / "mkdocs"
    process = subprocess.Popen(
        [str(mkdocs), "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}/schemas/demo/"

    def fetch() -> str:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
            return response.read().decode("utf-8")

    def wait_for(text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        page = ""
        while time.monotonic() < deadline:
            try:
                page = fetch()
                if text in page:
                    return page
            except OSError:
                pass
            time.sleep(0.3)
        return page

    try:
        assert "Effectif inscrit" in wait_for("Effectif inscrit", 60)
        schema = root / "schemas/demo/schema.json"
        schema.write_text(
            schema.read_text(encoding="utf-8").replace("Effectif inscrit", "Inscriptions totales"),
            encoding="utf-8",
        )
        assert "Inscriptions totales" in wait_for("Inscriptions totales", 60)
        # The published downloads are served too.
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/schemas/demo/1.0.0/schema.json", timeout=5
        ) as r:  # noqa: S310
            assert json.loads(r.read())["name"] == "demo"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_help_links_and_validation_service_come_from_mkdocs_yml(tmp_path: Path) -> None:
    """``extra.contact``, ``extra.issue_tracker`` and ``extra.validation_service`` of a
    real mkdocs.yml reach every page (mkdocs hands ``extra`` over as its own mapping)."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("docs_dir: docs", f"docs_dir: {REPO / 'docs'}")
    text = text.replace(
        "  - tools/esr_schemas/docsite/hooks.py",
        f"  - {REPO / 'tools/esr_schemas/docsite/hooks.py'}",
    )
    for key, value in (
        ("contact", "registre@esr.example.fr"),
        ("issue_tracker", "https://forge.example.fr/registre/issues"),
        ("validation_service", "https://valider.example.fr/"),
    ):
        assert f'  {key}: ""' in text
        text = text.replace(f'  {key}: ""', f'  {key}: "{value}"')
    config = tmp_path / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    build_site(BASE_REGISTRY, site, config_file=config)
    for page in ("index.html", "schemas/demo/index.html", "404.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert 'href="mailto:registre@esr.example.fr"' in html, page
        assert 'href="https://forge.example.fr/registre/issues"' in html, page
    schema_page = (site / "schemas/demo/index.html").read_text(encoding="utf-8")
    assert 'href="https://valider.example.fr/?schema=demo&amp;version=1.0.0"' in schema_page
    missing = (site / "404.html").read_text(encoding="utf-8")
    assert "<h1>Page introuvable</h1>" in missing and "Not found" not in missing
