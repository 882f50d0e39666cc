"""A searchable page for a référentiel too long for one table (48,401 SISE diplomas).

The page itself stays small: a search form, and a link to a compact, gzip-compressed
copy of the codes that the browser fetches on the first search only. The script that
filters it is inlined in the page, so the page works wherever it is served from; the
data link is a Markdown link, so mkdocs rewrites and validates it in strict mode.

Two hooks use this module: ``render.render_referentiel_page`` (the « Codes » section)
and the site plugin, which stages :func:`search_files` with the other downloads.
"""

from __future__ import annotations

import gzip
import html
import json
from importlib import resources
from pathlib import Path

from ..model import Referentiel, Registry
from ..wording import thousands

SEARCHABLE_MIN_ROWS = 2001
"""From this many codes on, a référentiel page is a search form instead of a table."""
RESULTS_MAX = 100
STYLE = (
    ".esr-ref-search form{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}"
    ".esr-ref-search label[for]{font-weight:700}"
    ".esr-ref-search input[type=search]{flex:1 1 16rem;min-width:0;padding:.4rem .6rem;"
    "font:inherit;border:1px solid #666;border-radius:.2rem}"
    ".esr-ref-table{overflow-x:auto}"
    ".esr-ref-results{font-size:.75rem;border-collapse:collapse;width:100%}"
    ".esr-ref-results th,.esr-ref-results td{border:1px solid #ddd;padding:.2rem .4rem;"
    "vertical-align:top;overflow-wrap:anywhere}"
    ".esr-ref-results th{background:#f5f5fe}"
)


def is_searchable(ref: Referentiel) -> bool:
    return len(ref.rows) >= SEARCHABLE_MIN_ROWS


def search_data_path(name: str) -> str:
    """Site-relative path of the compressed search data of référentiel ``name``."""
    return f"referentiels/{name}.recherche.json.gz"


def search_data(ref: Referentiel) -> bytes:
    """The référentiel's rows as compact JSON, gzip-compressed (deterministic bytes)."""
    payload = {
        "colonnes": ref.columns,
        "lignes": [[row.get(c) or "" for c in ref.columns] for row in ref.rows],
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def search_files(registry: Registry, staging: Path) -> dict[str, Path]:
    """Writes the search data of every searchable référentiel into ``staging``."""
    staged: dict[str, Path] = {}
    for ref in registry.referentiels.values():
        if not is_searchable(ref):
            continue
        relative = search_data_path(ref.name)
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(search_data(ref))
        staged[relative] = target
    return staged


def _script() -> str:
    return resources.files(__package__).joinpath("referentiel_search.js").read_text("utf-8")


def _size(size: int | None) -> str:
    if size is None:
        return ""
    return f" ({size / 1024:.0f} Ko)" if size < 1024 * 1024 else f" ({size / 1048576:.1f} Mo)"


def search_section(ref: Referentiel, data_link: str, data_size: int | None) -> str:
    """The « Codes » section: search form, empty results table, inlined script.

    ``data_link`` is the link from the page to :func:`search_data_path`.
    """
    closing = "date_fermeture" in ref.columns
    headers = "".join(f"<th>{html.escape(c)}</th>" for c in ref.columns)
    open_only = (
        '<label class="esr-ref-open"><input type="checkbox" name="ouverts"> '
        "diplômes encore ouverts seulement</label>"
        if closing
        else ""
    )
    total = thousands(len(ref.rows))
    return "\n".join(
        [
            "## Codes",
            "",
            f"La liste compte {total} codes : cherchez un code ou des mots de son intitulé "
            "(sans tenir compte des accents ni des majuscules). La recherche charge une copie "
            f"compressée de la liste{_size(data_size)} lors de la première recherche ; "
            "le CSV ci-dessus reste la liste de référence.",
            "",
            f'<div class="esr-ref-search" data-max="{RESULTS_MAX}" '
            f'data-closing="{"date_fermeture" if closing else ""}">',
            '<form role="search" onsubmit="return false">',
            '<label for="esr-ref-q">Code ou intitulé</label>',
            '<input id="esr-ref-q" name="q" type="search" autocomplete="off" '
            'spellcheck="false" placeholder="par exemple 2300032 ou master informatique">',
            open_only,
            "</form>",
            '<p class="esr-ref-status" role="status" aria-live="polite">'
            "Tapez un code ou des mots de l'intitulé.</p>",
            '<div class="esr-ref-table"><table class="esr-ref-results" hidden>'
            f"<thead><tr>{headers}</tr></thead><tbody></tbody></table></div>",
            "<noscript><p>La recherche demande JavaScript : téléchargez le CSV pour la liste "
            "complète.</p></noscript>",
            "</div>",
            "",
            f"[Données de la recherche (JSON compressé){_size(data_size)}]({data_link})"
            '{ .esr-ref-data download="' + html.escape(Path(data_link).name) + '" }',
            "",
            "<style>",
            STYLE,
            "</style>",
            "",
            "<script>",
            _script().strip(),
            "</script>",
            "",
        ]
    )
