"""mkdocs hook: generates the schema and référentiel pages from the registry model and
ships every published download with the site.

Wired in mkdocs.yml through ``hooks: [tools/esr_schemas/docsite/hooks.py]``, so both
``mkdocs build``/``esr-schemas build`` and ``mkdocs serve`` go through it:

1. ``on_config``: loads the registry (root = the folder of mkdocs.yml, unless
   :func:`registry_root` overrides it), expands the nav, watches schemas/.
2. ``on_pre_build``: publishes the registry (``publish.publish``: snapshots, templates,
   catalog...) into a staging folder.
3. ``on_files``: adds every staged file as a static file (mkdocs copies them into the
   site and validates links to them) and the generated Markdown pages.
4. ``on_page_markdown``: fills the ``<!-- esr:... -->`` markers of hand-written pages.
5. ``on_post_build``: removes the staging folder.
"""

from __future__ import annotations

import contextlib
import logging
import posixpath
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from ..loader import load_registry
from ..model import Registry
from ..publish import publish
from . import referentiel_search, render

log = logging.getLogger("mkdocs.plugins.esr_schemas")

MARKERS = {
    "<!-- esr:schemas -->": lambda ctx, page: render.schemas_table(ctx, page),
    "<!-- esr:liens -->": lambda ctx, page: render.quick_links(ctx, page),
    "<!-- esr:secret -->": lambda ctx, page: render.secrecy_table(ctx, page),
}


class DownloadFile(File):
    """A published file copied as is, even a ``.md`` (never rendered as a page)."""

    def is_documentation_page(self) -> bool:
        return False

    def is_static_page(self) -> bool:
        return False


@dataclass
class _State:
    root: Path | None = None
    registry: Registry | None = None
    ctx: render.SiteContext | None = None
    staging: Path | None = None
    staged: dict[str, Path] = field(default_factory=dict)


_STATE = _State()
_ROOT_OVERRIDE: list[Path] = []


@contextlib.contextmanager
def registry_root(root: Path) -> Iterator[None]:
    """Builds the registry at ``root`` with another folder's mkdocs.yml and docs/."""
    _ROOT_OVERRIDE.append(root)
    try:
        yield
    finally:
        _ROOT_OVERRIDE.pop()


def _root(config: MkDocsConfig) -> Path:
    if _ROOT_OVERRIDE:
        return _ROOT_OVERRIDE[-1]
    return Path(config.config_file_path or ".").resolve().parent


def _expand_nav(nav: Any, registry: Registry, docs_dir: Path) -> Any:
    """Fills the « Schémas » and « Référentiels » sections; adds optional pages."""
    if not isinstance(nav, list):
        return nav
    result: list[Any] = []
    for item in nav:
        if isinstance(item, dict) and len(item) == 1:
            ((title, value),) = item.items()
            if value == "schemas/index.md":
                children: list[Any] = ["schemas/index.md"]
                children += [
                    {entry.title: render.schema_page_path(entry.name)}
                    for entry in registry.schemas.values()
                ]
                result.append({title: children})
                continue
            if value == "referentiels/index.md":
                children = ["referentiels/index.md"]
                children += [
                    {ref.title: render.referentiel_page_path(ref.name)}
                    for ref in registry.referentiels.values()
                ]
                result.append({title: children})
                continue
            if isinstance(value, list):
                result.append({title: _expand_nav(value, registry, docs_dir)})
                continue
            if (
                isinstance(value, str)
                and value.endswith(".md")
                and not _page_exists(value, docs_dir)
            ):
                continue
        elif isinstance(item, str) and item.endswith(".md") and not _page_exists(item, docs_dir):
            continue
        result.append(item)
    return result


SEARCH_EXCLUDED = "---\nsearch:\n  exclude: true\n---\n\n"

GENERATED_STATIC = {"schemas/index.md", "referentiels/index.md", "contribuer.md"}


def _page_exists(path: str, docs_dir: Path) -> bool:
    return path in GENERATED_STATIC or (docs_dir / path).is_file()


THEME_DIR = Path(__file__).resolve().parent / "theme"
"""Our templates over mkdocs-material's: help links under every page, a French 404."""


def on_config(config: MkDocsConfig, **_: Any) -> MkDocsConfig:
    if str(THEME_DIR) not in config.theme.dirs:
        config.theme.dirs.insert(0, str(THEME_DIR))
    root = _root(config)
    registry = load_registry(root)
    extra: Any = config.extra or {}
    # mkdocs gives ``extra`` as its own mapping type, not a dict
    extra = dict(extra) if isinstance(extra, Mapping) else {}
    service, contact, tracker = (
        extra.get(key) for key in ("validation_service", "contact", "issue_tracker")
    )
    _STATE.root = root
    _STATE.registry = registry
    _STATE.ctx = render.SiteContext(
        registry=registry,
        site_url=_site_url(config),
        validation_service=service or None if isinstance(service, str) else None,
        contact=contact or None if isinstance(contact, str) else None,
        issue_tracker=tracker or None if isinstance(tracker, str) else None,
    )
    config.nav = _expand_nav(config.nav, registry, Path(config.docs_dir))
    for watched in (root / "schemas", root / "referentiels", root / "CONTRIBUTING.md"):
        if watched.exists() and str(watched) not in config.watch:
            config.watch.append(str(watched))
    return config


def _site_url(config: MkDocsConfig) -> str:
    url = config.site_url or "https://schemas-esr.example.org/"
    return url if url.endswith("/") else url + "/"


def _cleanup() -> None:
    if _STATE.staging is not None:
        shutil.rmtree(_STATE.staging, ignore_errors=True)
        _STATE.staging = None


def on_pre_build(config: MkDocsConfig, **_: Any) -> None:
    assert _STATE.registry is not None and _STATE.ctx is not None
    _cleanup()
    staging = Path(tempfile.mkdtemp(prefix="esr-site-"))
    _STATE.staging = staging
    try:
        publish(_STATE.registry, staging, _STATE.ctx.site_url)
    except Exception as exc:  # a producer failed: say which build step, in French
        _cleanup()
        raise PluginError(f"Publication des fichiers du registre impossible : {exc}") from exc
    staged = {
        p.relative_to(staging).as_posix(): p for p in sorted(staging.rglob("*")) if p.is_file()
    }
    for ref in _STATE.registry.referentiels.values():
        staged.setdefault(f"referentiels/{ref.name}.csv", ref.csv_path)
        if ref.meta_path.is_file():
            staged.setdefault(f"referentiels/{ref.name}.json", ref.meta_path)
    staged.update(referentiel_search.search_files(_STATE.registry, staging))
    _STATE.staged = staged
    _STATE.ctx.downloads = {path: source.stat().st_size for path, source in staged.items()}


def generated_pages(ctx: render.SiteContext, root: Path) -> dict[str, str]:
    """Every generated page: source path -> Markdown."""
    registry = ctx.registry
    pages: dict[str, str] = {
        "schemas/index.md": render.render_schemas_index(ctx),
        "referentiels/index.md": render.render_referentiels_index(ctx),
    }
    for entry in registry.schemas.values():
        if not render.page_versions(entry):
            pages[render.schema_page_path(entry.name)] = render.render_unreadable_schema(entry)
        for pv in render.page_versions(entry):
            path = render.schema_page_path(entry.name, None if pv.is_latest_page else pv.version)
            markdown = render.render_schema_page(ctx, entry, pv)
            if not pv.is_latest_page:
                # The schema's own page is the one search finds; each version would repeat it.
                markdown = SEARCH_EXCLUDED + markdown
            pages[path] = markdown
    for ref in registry.referentiels.values():
        pages[render.referentiel_page_path(ref.name)] = render.render_referentiel_page(ctx, ref)
    contributing = root / "CONTRIBUTING.md"
    text = contributing.read_text(encoding="utf-8-sig") if contributing.is_file() else None
    pages["contribuer.md"] = render.render_contributing(text)
    return pages


def on_files(files: Files, config: MkDocsConfig, **_: Any) -> Files:
    assert _STATE.ctx is not None and _STATE.root is not None
    for src_uri, source in _STATE.staged.items():
        if files.get_file_from_path(src_uri) is None:
            files.append(DownloadFile.generated(config, src_uri, abs_src_path=str(source)))
    for src_uri, markdown in generated_pages(_STATE.ctx, _STATE.root).items():
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            files.remove(existing)
        # Older versions' pages are reached from each schema page, not from the nav.
        in_nav = src_uri.count("/") < 3
        inclusion = InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, src_uri, content=markdown, inclusion=inclusion))
    return files


def on_page_markdown(markdown: str, page: Page, **_: Any) -> str:
    if _STATE.ctx is None or "<!-- esr:" not in markdown:
        return markdown
    for marker, produce in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, produce(_STATE.ctx, page.file.src_uri))
    return markdown


def _feed_path() -> str | None:
    if _STATE.ctx is None:
        return None
    feeds = [p for p in _STATE.ctx.downloads if "/" not in p and p.endswith((".atom", ".xml"))]
    return sorted(feeds)[0] if feeds else None


SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
NAMED_SEARCH_DIALOG = (
    '<div class="md-search" data-md-component="search" role="dialog" '
    'aria-label="Rechercher dans le site">'
)


def on_post_page(output: str, page: Page, config: MkDocsConfig, **_: Any) -> str:
    """Names the theme's search dialog (screen readers announce it); announces the Atom
    feed of new versions in every page's head."""
    output = output.replace(SEARCH_DIALOG, NAMED_SEARCH_DIALOG, 1)
    feed = _feed_path()
    if feed is None or "</head>" not in output:
        return output
    href = posixpath.relpath(feed, posixpath.dirname(page.file.dest_uri) or ".")
    link = f'<link rel="alternate" type="application/atom+xml" title="Nouvelles versions des schémas" href="{href}">'
    return output.replace("</head>", f"  {link}\n  </head>", 1)


def on_post_template(output: str, template_name: str, config: MkDocsConfig, **_: Any) -> str:
    """The static pages (the 404 page) get the same named search dialog."""
    return output.replace(SEARCH_DIALOG, NAMED_SEARCH_DIALOG, 1)


def on_post_build(config: MkDocsConfig, **_: Any) -> None:
    _cleanup()


def on_build_error(error: Exception, **_: Any) -> None:
    _cleanup()
