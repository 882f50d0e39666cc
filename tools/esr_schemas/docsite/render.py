"""Markdown pages of the site, as plain functions of the registry model.

Nothing here touches mkdocs: each function returns the Markdown source of one page,
so tests can render any schema without a full site build. Links between pages are
written relative to the page's source path (``schemas/<name>/index.md``...), so that
mkdocs validates them in strict mode.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import extensions, semver, wording
from ..loader import parse_changelog
from ..model import ChangelogEntry, PublishedVersion, Referentiel, Registry, SchemaEntry
from . import referentiel_search

STATUS_LABELS = {"stable": "stable", "brouillon": "brouillon", "deprecie": "déprécié"}

ROLE_LABELS = {
    "author": "auteur",
    "contributor": "contributeur",
    "maintainer": "mainteneur",
    "publisher": "éditeur",
    "wrangler": "préparateur",
}

# The files a data officer needs, first on the page (« Outils »), in this order.
TOOL_DOWNLOADS: tuple[tuple[str, str], ...] = (
    ("modele-{name}-{version}.xlsx", "Modèle Excel à remplir"),
    ("modele-{name}-{version}.csv", "Modèle CSV (ligne d'en-tête)"),
    ("exemples/valide.csv", "Exemple de fichier rempli (CSV)"),
)
# The files for software and reusers (« Informations techniques »).
TECHNICAL_DOWNLOADS: tuple[tuple[str, str], ...] = (
    ("schema.json", "Schéma (fichier JSON)"),
    ("datapackage.json", "Paquet de données (datapackage.json)"),
)
MAIN_DOWNLOADS = TOOL_DOWNLOADS + TECHNICAL_DOWNLOADS

# Registry-internal names some READMEs cite, said in plain words on the site.
JARGON_WORDS = {
    "secretThreshold": "seuil de secret statistique",
    "personalData": "donnée personnelle",
    "personCount": "dénombrement de personnes",
    "codeList": "référentiel",
    "codeSystem": "identifiant contrôlé",
    "denominator": "dénominateur",
    "deprecated": "champ déprécié",
    "patternHelp": "forme attendue",
}
JARGON_RE = re.compile(r"`x-esr\.([A-Za-z]+)`")

ENUM_INLINE_MAX = 12
REFERENTIEL_COLUMN_LABELS = {"code": "Code", "libelle": "Libellé"}
REFERENTIEL_ROWS_MAX = 2000


@dataclass
class SiteContext:
    """What page rendering needs besides the registry."""

    registry: Registry
    site_url: str = "https://schemas-esr.example.org/"
    downloads: Mapping[str, int] = field(default_factory=dict)
    """Site-relative path of every published file -> size in bytes."""
    validation_service: str | None = None
    """Base URL of an online validation service, if there is one (mkdocs.yml ``extra``)."""
    contact: str | None = None
    """Who to ask: an e-mail address or a web page (mkdocs.yml ``extra.contact``)."""
    issue_tracker: str | None = None
    """Where to report a problem or ask for a change (mkdocs.yml ``extra.issue_tracker``)."""


@dataclass
class PageVersion:
    """The version a schema page documents: the working copy or a published snapshot."""

    version: str | None
    descriptor: dict[str, Any]
    readme: str
    changelog: list[ChangelogEntry]
    date: str | None
    published: PublishedVersion | None
    is_latest_page: bool


# --------------------------------------------------------------------------- paths


def schema_page_path(name: str, version: str | None = None) -> str:
    return f"schemas/{name}/index.md" if version is None else f"schemas/{name}/{version}/index.md"


def referentiel_page_path(name: str) -> str:
    return f"referentiels/{name}.md"


def download_dir(name: str, version: str) -> str:
    return f"schemas/{name}/{version}/"


def rel_link(from_page: str, target: str) -> str:
    """``target`` (site-root-relative source path) as a link relative to ``from_page``."""
    base = posixpath.dirname(from_page) or "."
    return posixpath.relpath(target, base)


def field_anchor(name: str) -> str:
    return "champ-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower()


# --------------------------------------------------------------------------- text


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} octet" + ("s" if size > 1 else "")
    value = size / 1024
    unit = "Ko"
    if value >= 1024:
        value /= 1024
        unit = "Mo"
    text = f"{value:.1f}".replace(".", ",")
    if text.endswith(",0"):
        text = text[:-2]
    return f"{text} {unit}"


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell(value: object) -> str:
    """A value for a Markdown table cell: one line, pipes and HTML escaped."""
    text = " ".join(str(value).split())
    text = escape_html(text).replace("|", "\\|")
    return text or " "


def code(value: object) -> str:
    """An inline code span holding ``value`` whatever backticks it contains."""
    text = " ".join(str(value).split())
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def code_cell(value: object) -> str:
    """A code span inside a table cell (pipes would split the cell even inside code)."""
    text = " ".join(str(value).split())
    if "|" in text:
        return "<code>" + escape_html(text).replace("|", "&#124;") + "</code>"
    return code(text)


def one_line(text: str, limit: int = 160) -> str:
    """The first sentence (or line) of a description, for tables."""
    flat = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", flat)
    sentence = match.group(1) if match else flat
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
    return sentence


LINK_RE = re.compile(
    r"(?P<bang>!?)\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]*)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\)"
)
REF_DEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(?P<target>\S+).*$", re.MULTILINE)
FENCE_RE = re.compile(r"^\s*(```|~~~)")
ABSOLUTE_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")

LinkResolver = Callable[[str], "str | None"]


def _no_links(_target: str) -> str | None:
    return None


def rewrite_links(text: str, resolve: LinkResolver = _no_links) -> str:
    """Keeps absolute links; maps relative ones through ``resolve`` (None: plain text)."""

    def replace(match: re.Match[str]) -> str:
        target = match["target"]
        label = match["text"]
        if ABSOLUTE_RE.match(target):
            return match.group(0)
        new = resolve(target) if target else None
        if new is None:
            return label if not match["bang"] else (label or "image")
        return f"{match['bang']}[{label}]({new})"

    def replace_def(match: re.Match[str]) -> str:
        return match.group(0) if ABSOLUTE_RE.match(match["target"]) else ""

    return _outside_fences(
        text, lambda line: REF_DEF_RE.sub(replace_def, LINK_RE.sub(replace, line))
    )


def _outside_fences(text: str, transform: Callable[[str], str]) -> str:
    """Applies ``transform`` to every line outside fenced code blocks."""
    out: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        match = FENCE_RE.match(line)
        if fence is None and match:
            fence = match.group(1)
            out.append(line)
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            out.append(line)
        else:
            out.append(transform(line))
    return "\n".join(out)


def demote_headings(text: str, levels: int, drop_title: bool = True) -> str:
    """Shifts ATX headings down by ``levels`` (max h6); drops a leading ``# Title``."""
    lines = text.strip("\n").splitlines()
    if drop_title and lines and re.match(r"^#\s", lines[0]):
        lines = lines[1:]

    def shift(line: str) -> str:
        match = re.match(r"^(#{1,6})(\s.*)$", line)
        if not match:
            return line
        depth = min(6, len(match.group(1)) + levels)
        return "#" * depth + match.group(2)

    return _outside_fences("\n".join(lines), shift).strip("\n")


CODE_SPAN_RE = re.compile(r"(`+)(?:.+?)\1")


def _escape_lt_outside_code(line: str) -> str:
    """Escapes ``<`` (raw HTML) except in code spans and ``<https://…>`` autolinks."""
    out: list[str] = []
    last = 0
    for match in CODE_SPAN_RE.finditer(line):
        out.append(re.sub(r"<(?!https?://)", "&lt;", line[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(re.sub(r"<(?!https?://)", "&lt;", line[last:]))
    return "".join(out)


def prose(text: object, resolve: LinkResolver = _no_links) -> str:
    """Free text from a descriptor, made safe to embed in a page.

    Raw HTML is escaped (except autolinks), headings are neutralised so they do not
    break the page outline, and relative links become plain text.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _outside_fences(text, _escape_lt_outside_code)
    text = re.sub(r"(?m)^(\s{0,3})(#{1,6})(\s|$)", r"\1\\\2\3", text)
    text = re.sub(r"(?m)^(\s{0,3})(!!!|\?\?\?)", r"\1\\\2", text)
    text = re.sub(r"\{\s*[:#.]", lambda m: "\\" + m.group(0), text)
    return rewrite_links(text, resolve).strip()


def plain_words(text: str) -> str:
    """Registry-internal key names (`` `x-esr.secretThreshold` ``) as plain French words."""
    return JARGON_RE.sub(lambda m: JARGON_WORDS.get(m.group(1), "convention du registre"), text)


def titled_link(value: object) -> str:
    """A ``{title, path}`` object (or a plain string, or a URL) as table-cell Markdown."""
    if isinstance(value, dict):
        label = cell(value.get("title") or value.get("name") or value.get("path") or "")
        path = value.get("path")
        if isinstance(path, str) and ABSOLUTE_RE.match(path) and " " not in path:
            return f"[{label}]({path})"
        return label
    if isinstance(value, list):
        return " ; ".join(titled_link(item) for item in value)
    text = str(value)
    if re.match(r"^https?://\S+$", text):
        return f"[{cell(text)}]({text})"
    return cell(text)


def _first(descriptor: Mapping[str, Any], key: str) -> str | None:
    value = descriptor.get(key)
    return value if isinstance(value, str) and value.strip() else None


# --------------------------------------------------------------------------- fields


def constraints_cell(field_: Mapping[str, Any]) -> str:
    """The field's constraints and CSV spelling, one sentence a line, for a table cell."""
    lines = wording.constraint_lines(field_, code) + wording.format_lines(field_, code)
    return "<br>".join(line.replace("|", "\\|") for line in lines)


def _field_section(
    ctx: SiteContext,
    page: str,
    descriptor: Mapping[str, Any],
    field_: Mapping[str, Any],
    anchor: str,
) -> list[str]:
    name = str(field_.get("name", ""))
    title = _first(field_, "title")
    heading = code(name) + (f" — {cell(title)}" if title else "")
    out = [f"### {heading} {{ #{anchor} .esr-field-heading }}", ""]
    description = prose(field_.get("description"))
    if description:
        out += [description, ""]
    rows: list[tuple[str, str]] = [("Type", cell(wording.type_label(field_)))]
    rows.append(("Obligatoire", "**oui**" if wording.is_required(field_) else "non"))
    values = wording.enum_values(field_)
    labels = _code_labels(ctx, field_)
    if values and len(values) <= ENUM_INLINE_MAX:
        if labels:
            shown = "<br>".join(
                code_cell(v) + (f" — {cell(labels[str(v)])}" if labels.get(str(v)) else "")
                for v in values
            )
        else:
            shown = ", ".join(code_cell(v) for v in values)
        rows.append(("Valeurs autorisées", shown))
    elif values:
        rows.append(("Valeurs autorisées", f"{len(values)} valeurs (liste ci-dessous)"))
    constraints = constraints_cell(field_)
    if constraints:
        rows.append(("Contraintes", constraints))
    if field_.get("example") not in (None, ""):
        rows.append(("Exemple", code_cell(field_["example"])))
    code_list = extensions.code_list(dict(field_))
    if code_list:
        if code_list in ctx.registry.referentiels:
            ref = ctx.registry.referentiels[code_list]
            link = rel_link(page, referentiel_page_path(code_list))
            rows.append(("Référentiel", f"[{cell(ref.title)}]({link}) ({code(code_list)})"))
        else:
            rows.append(("Référentiel", f"{code(code_list)} (non fourni par le registre)"))
    system = extensions.code_system(dict(field_))
    if system:
        label = wording.code_system_label(system)
        rows.append(
            ("Contrôle de l'identifiant", f"{cell(label)}, vérifié par `esr-schemas validate`")
        )
    if extensions.is_personal_data(dict(field_)):
        basis = extensions.ext(dict(descriptor)).get("personalDataBasis")
        text = f"**oui** : {wording.PERSONAL_DATA}"
        if isinstance(basis, str):
            text += f" (base de publication : {cell(basis)})"
        rows.append(("Données personnelles", text))
    else:
        rows.append(("Données personnelles", "non"))
    if extensions.is_person_count(dict(field_)):
        threshold = extensions.secret_threshold(dict(descriptor))
        text = f"oui : {wording.PERSON_COUNT}"
        if threshold is not None:
            text += f" (valeurs non nulles inférieures à {threshold} à masquer)"
        rows.append(("Dénombrement de personnes", text))
    denominator = extensions.ext(dict(field_)).get("denominator")
    if isinstance(denominator, str):
        rows.append(("Dénominateur", f"[{code(denominator)}](#{field_anchor(denominator)})"))
    out += ['<div class="esr-field" markdown>', "", "| Propriété | Valeur |", "|---|---|"]
    out += [f"| {label} | {value} |" for label, value in rows]
    out += ["", "</div>", ""]
    deprecated = extensions.deprecation(dict(field_))
    if deprecated is not None:
        head = cell(wording.deprecation_title(deprecated))
        out += [f'!!! warning "{head}"', ""]
        out.append("    " + cell(wording.deprecation_reason(deprecated)))
        out.append("")
    if values and len(values) > ENUM_INLINE_MAX:
        out += [f'??? note "Les {len(values)} valeurs autorisées"', ""]
        out += [
            f"    - {code(v)}" + (f" — {cell(labels[str(v)])}" if labels.get(str(v)) else "")
            for v in values
        ]
        out.append("")
    return out


def _code_labels(ctx: SiteContext, field_: Mapping[str, Any]) -> dict[str, str]:
    """Code -> label from the référentiel the field names, when the registry ships it."""
    name = extensions.code_list(dict(field_))
    ref = ctx.registry.referentiels.get(name) if name else None
    if ref is None:
        return {}
    return {row.get("code", ""): row.get("libelle", "") for row in ref.rows}


def _anchors(fields: Iterable[Mapping[str, Any]]) -> list[str]:
    seen: set[str] = set()
    anchors: list[str] = []
    for index, field_ in enumerate(fields, start=1):
        anchor = (
            field_anchor(str(field_.get("name", ""))) if field_.get("name") else f"champ-{index}"
        )
        if anchor == "champ-" or anchor in seen:
            anchor = f"{anchor}-{index}" if anchor != "champ-" else f"champ-{index}"
        seen.add(anchor)
        anchors.append(anchor)
    return anchors


def data_model_section(ctx: SiteContext, page: str, descriptor: Mapping[str, Any]) -> list[str]:
    raw_fields = descriptor.get("fields")
    fields = [f for f in raw_fields if isinstance(f, dict)] if isinstance(raw_fields, list) else []
    out = ["## Modèle de données", ""]
    if not fields:
        return out + ["Ce schéma ne déclare aucun champ.", ""]
    out += [f"Le fichier comporte **{len(fields)} colonnes**, dans cet ordre.", ""]
    anchors = _anchors(fields)
    out += ['<div class="esr-summary" markdown>', ""]
    out += ["| Colonne | Type | Obligatoire |", "|---|---|---|"]
    for field_, anchor in zip(fields, anchors, strict=True):
        name = str(field_.get("name", ""))
        title = cell(field_.get("title") or "")
        if extensions.deprecation(dict(field_)) is not None:
            title += " *(déprécié)*"
        title_line = f"<br>{title}" if title.strip() else ""
        out.append(
            f"| [{code_cell(name)}](#{anchor}){title_line} | "
            f"{cell(wording.type_label(field_))} | {'oui' if wording.is_required(field_) else 'non'} |"
        )
    out += ["", "</div>", ""]
    key = descriptor.get("primaryKey")
    if key:
        keys = key if isinstance(key, list) else [key]
        out += [
            "Clé primaire (chaque combinaison doit être unique) : "
            + ", ".join(code(k) for k in keys)
            + ".",
            "",
        ]
    for field_, anchor in zip(fields, anchors, strict=True):
        out += _field_section(ctx, page, descriptor, field_, anchor)
    return out


# --------------------------------------------------------------------------- schema page


def business_rules_section(descriptor: Mapping[str, Any]) -> list[str]:
    """« Règles entre colonnes » : each business rule of the schema in plain French (the
    same sentences as the Excel template's Notice); nothing when the schema has none."""
    from ..validation.declared_rules import descriptions

    sentences = descriptions(dict(descriptor))
    if not sentences:
        return []
    out = [
        "## Règles entre colonnes",
        "",
        "Au-delà du type et des contraintes de chaque colonne, un fichier valide respecte ces "
        "règles (la validation signale chaque ligne qui ne les suit pas) :",
        "",
    ]
    out += [f"- {escape_html(sentence)}" for sentence in sentences]
    return out + [""]


def page_versions(entry: SchemaEntry) -> list[PageVersion]:
    """The latest page first, then one per published version."""
    pages: list[PageVersion] = []
    if entry.descriptor is not None:
        working = entry.version
        published = entry.published_version(working) if working else None
        pages.append(
            PageVersion(
                version=working,
                descriptor=entry.descriptor,
                readme=entry.readme or "",
                changelog=entry.changelog,
                date=published.date if published else None,
                published=published,
                is_latest_page=True,
            )
        )
    elif entry.latest_published is not None and entry.latest_published.descriptor is not None:
        latest = entry.latest_published
        pages.append(_published_page(entry, latest, is_latest_page=True))
    for version in entry.published:
        if version.descriptor is not None:
            pages.append(_published_page(entry, version, is_latest_page=False))
    return pages


def _published_page(
    entry: SchemaEntry, version: PublishedVersion, is_latest_page: bool
) -> PageVersion:
    key = semver.sort_key(version.version)
    history = [e for e in entry.changelog if semver.sort_key(e.version) <= key]
    if not history:
        history = parse_changelog(version.changelog_section)
    assert version.descriptor is not None
    return PageVersion(
        version=version.version,
        descriptor=version.descriptor,
        readme=version.readme,
        changelog=history,
        date=version.date,
        published=version,
        is_latest_page=is_latest_page,
    )


def _downloads_for(ctx: SiteContext, entry: SchemaEntry, version: str) -> list[tuple[str, int]]:
    prefix = download_dir(entry.name, version)
    return sorted((path, size) for path, size in ctx.downloads.items() if path.startswith(prefix))


def _readme_resolver(
    ctx: SiteContext, page: str, entry: SchemaEntry, version: str | None
) -> LinkResolver:
    """README links point into the schema folder: map them to the published copies."""

    def resolve(target: str) -> str | None:
        if target.startswith("#"):
            return None
        path, _, fragment = target.partition("#")
        normalized = posixpath.normpath(path)
        if normalized.startswith("..") or not version:
            return None
        site_path = download_dir(entry.name, version) + normalized
        if site_path in ctx.downloads:
            return rel_link(page, site_path)
        return None

    return resolve


def render_schema_page(ctx: SiteContext, entry: SchemaEntry, pv: PageVersion) -> str:
    """The Markdown page of one schema version (``pv`` from :func:`page_versions`)."""
    name = entry.name
    descriptor = pv.descriptor
    page = schema_page_path(name, None if pv.is_latest_page else pv.version)
    title = _first(descriptor, "title") or name
    status = extensions.status(dict(descriptor))
    published_versions = [p.version for p in entry.published]
    latest_published = entry.latest_published
    out: list[str] = [f"# {cell(title)}", ""]
    badges = [
        f'<span class="esr-badge esr-badge-version">version {escape_html(pv.version or "non renseignée")}</span>'
    ]
    badges.append(
        f'<span class="esr-badge esr-badge-{escape_html(status)}">{escape_html(STATUS_LABELS.get(status, status))}</span>'
    )
    if pv.published is None:
        badges.append('<span class="esr-badge esr-badge-draft">non publiée</span>')
    out += ['<p class="esr-badges">' + " ".join(badges) + "</p>", ""]
    description = prose(plain_words(str(descriptor.get("description") or "")))
    if description:
        out += [description, ""]

    out += version_banner(page, entry, pv)
    if pv.is_latest_page and pv.published is None:
        note = f"    La version {pv.version or 'en cours'} de ce schéma n'est pas encore publiée : son contenu peut encore changer."
        if latest_published:
            link = rel_link(page, schema_page_path(name, latest_published.version))
            note += f" Dernière version publiée : [{latest_published.version}]({link})."
        out += ['!!! warning "Version en préparation"', "", note, ""]
    elif pv.is_latest_page and pv.published is not None and entry.raw is not None and pv.version:
        # The working copy may have moved on without a version bump.
        published_file = pv.published.path / "schema.json"
        if published_file.is_file() and published_file.read_bytes() != entry.raw:
            out += [
                '!!! warning "Modifications non publiées"',
                "",
                f"    Cette page décrit la copie de travail, qui diffère de la version {pv.version} publiée.",
                "",
            ]

    out += _tools_section(ctx, page, entry, pv)

    readme = pv.readme.strip()
    out += ["## Contexte", ""]
    if readme:
        resolve = _readme_resolver(ctx, page, entry, pv.version if pv.published else None)
        body = demote_headings(rewrite_links(plain_words(readme), resolve), 1)
        # The page already has its « Contexte » heading: drop the README's own.
        body = re.sub(r"^###\s+Contexte\s*\n", "", body, count=1, flags=re.IGNORECASE)
        out += [body, ""]
    else:
        out += ["Aucune documentation de contexte n'accompagne ce schéma.", ""]

    out += data_model_section(ctx, page, descriptor)
    out += business_rules_section(descriptor)
    out += ["## Informations techniques", ""]
    out += _metadata_block(ctx, page, entry, pv, published_versions)
    out += _technical_files(ctx, page, entry, pv)
    out += _changes_section(pv)
    out += _versions_section(page, entry, pv)
    return "\n".join(out).rstrip() + "\n"


def version_banner(page: str, entry: SchemaEntry, pv: PageVersion) -> list[str]:
    """« Vous lisez la version X ; la dernière est Y », at the top of every schema page."""
    latest = entry.latest_published
    if pv.version is None or latest is None:
        return []
    if pv.version == latest.version:
        text = f"Vous lisez la version **{cell(pv.version)}**, la dernière publiée"
        text += f" (le {cell(latest.date)})." if latest.date else "."
    elif pv.published is None:
        return []  # the « Version en préparation » notice says it
    else:
        link = rel_link(page, schema_page_path(entry.name))
        text = (
            f"Vous lisez la version **{cell(pv.version)}** ; la dernière est la "
            f"[version {cell(latest.version)}]({link})."
        )
    return [f'<p class="esr-banner" markdown>{text}</p>', ""]


def render_unreadable_schema(entry: SchemaEntry) -> str:
    """The page of a schema whose schema.json cannot be read (the nav still lists it)."""
    problems = [f"- {cell(f.file)} : {cell(f.message)}" for f in entry.load_findings] or [
        "- schema.json absent ou illisible."
    ]
    return "\n".join(
        [
            f"# {cell(entry.name)}",
            "",
            '!!! danger "Schéma illisible"',
            "",
            "    Le fichier schema.json de ce schéma ne peut pas être lu ; lancez "
            "`esr-schemas check` pour le détail et la correction.",
            "",
            *problems,
            "",
        ]
    )


def _metadata_block(
    ctx: SiteContext, page: str, entry: SchemaEntry, pv: PageVersion, published: list[str]
) -> list[str]:
    descriptor = pv.descriptor
    rows: list[tuple[str, str]] = [("Nom", code(entry.name))]
    version = pv.version or "non renseignée"
    others = [v for v in published if v != pv.version]
    version_text = f"**{cell(version)}**"
    if others:
        links = ", ".join(
            f"[{v}]({rel_link(page, schema_page_path(entry.name, v))})" for v in reversed(others)
        )
        version_text += f" (autres versions : {links})"
    rows.append(("Version", version_text))
    status = extensions.status(dict(descriptor))
    rows.append(("Statut", STATUS_LABELS.get(status, cell(status))))
    if pv.date:
        rows.append(("Publiée le", cell(pv.date)))
    if _first(descriptor, "created"):
        rows.append(("Créé le", cell(descriptor["created"])))
    if _first(descriptor, "lastModified"):
        rows.append(("Modifié le", cell(descriptor["lastModified"])))
    contributors = descriptor.get("contributors")
    if isinstance(contributors, list) and contributors:
        people = []
        for person in contributors:
            if not isinstance(person, dict):
                continue
            label = cell(person.get("title") or person.get("name") or "?")
            role = person.get("role")
            extra = [ROLE_LABELS.get(role, cell(role))] if isinstance(role, str) else []
            if isinstance(person.get("organisation"), str):
                extra.append(cell(person["organisation"]))
            people.append(label + (f" ({', '.join(extra)})" if extra else ""))
        if people:
            rows.append(("Contributeurs", " ; ".join(people)))
    licenses = descriptor.get("licenses")
    if isinstance(licenses, list) and licenses:
        items = []
        for lic in licenses:
            if not isinstance(lic, dict):
                continue
            label = cell(lic.get("title") or lic.get("name") or "?")
            path = lic.get("path")
            items.append(
                f"[{label}]({path})" if isinstance(path, str) and ABSOLUTE_RE.match(path) else label
            )
        rows.append(("Licence", " ; ".join(items)))
    sources = descriptor.get("sources")
    if isinstance(sources, list) and sources:
        items = []
        for src in sources:
            if not isinstance(src, dict):
                continue
            label = cell(src.get("title") or src.get("path") or "?")
            path = src.get("path")
            items.append(
                f"[{label}]({path})" if isinstance(path, str) and ABSOLUTE_RE.match(path) else label
            )
        rows.append(("Base légale et sources", "<br>".join(items)))
    ext = extensions.ext(dict(descriptor))
    if isinstance(ext.get("personalDataBasis"), str):
        rows.append(
            ("Base de publication des données personnelles", cell(ext["personalDataBasis"]))
        )
    if isinstance(ext.get("frequency"), str):
        rows.append(("Fréquence de publication", cell(ext["frequency"])))
    threshold = extensions.secret_threshold(dict(descriptor))
    if threshold is not None:
        rows.append(("Seuil de secret statistique", f"{threshold} personnes"))
    if pv.published is not None and pv.version:
        url = f"{ctx.site_url}{download_dir(entry.name, pv.version)}schema.json"
        rows.append(("Adresse stable du schéma", f"[{cell(url)}]({url})"))
    out = ['<div class="esr-meta" markdown>', "", "| Métadonnée | Valeur |", "|---|---|"]
    out += [f"| {label} | {value} |" for label, value in rows]
    return out + ["", "</div>", ""]


def _download_version(entry: SchemaEntry, pv: PageVersion) -> str | None:
    """The published version whose files the page offers (the latest for a draft)."""
    if pv.published is not None and pv.version:
        return pv.version
    latest = entry.latest_published
    return latest.version if latest else None


def _buttons(
    ctx: SiteContext,
    page: str,
    entry: SchemaEntry,
    version: str,
    wanted: tuple[tuple[str, str], ...],
    primary: int = -1,
) -> list[str]:
    files = dict(_downloads_for(ctx, entry, version))
    prefix = download_dir(entry.name, version)
    items: list[str] = []
    for index, (pattern, label) in enumerate(wanted):
        rel = pattern.format(name=entry.name, version=version)
        path = prefix + rel
        if path in files:
            filename = posixpath.basename(rel)
            kind = " .md-button--primary" if index == primary else ""
            items.append(
                f"[{escape_html(label)}]({rel_link(page, path)})"
                f'{{ .md-button{kind} download="{filename}" }} '
                f'<span class="esr-size">{filename} — {human_size(files[path])}</span>'
            )
    return items


def validation_service_url(service: str, name: str, version: str) -> str:
    """The service's page for one schema version: ``{service}/?schema=NAME&version=X.Y.Z``."""
    return f"{service.rstrip('/')}/?schema={name}&version={version}"


def _tools_section(ctx: SiteContext, page: str, entry: SchemaEntry, pv: PageVersion) -> list[str]:
    """What a data officer uses: the templates, online validation, the command line."""
    out = ["## Outils", ""]
    version = _download_version(entry, pv)
    if version is None:
        out += [
            "Ce schéma n'a pas encore de version publiée : pas encore de modèle à télécharger.",
            "",
        ]
    else:
        if version != pv.version:
            out += [f"Outils de la dernière version publiée ({version}) :", ""]
        items = _buttons(ctx, page, entry, version, TOOL_DOWNLOADS, primary=0)
        if ctx.validation_service:
            url = validation_service_url(ctx.validation_service, entry.name, version)
            items.append(f"[Valider un fichier en ligne]({url}){{ .md-button }}")
        if items:
            out += ['<div class="esr-downloads" markdown>', ""]
            for item in items:
                out += [item, ""]
            out += ["</div>", ""]
        else:
            out += ["Les fichiers de cette version ne sont pas encore disponibles.", ""]
        guide = rel_link(page, "guide/modele-excel.md")
        out += [
            "Le modèle Excel guide la saisie (listes déroulantes, contrôles) : "
            f"[comment le remplir]({guide}).",
            "",
        ]
    target = f"{entry.name}@{version}" if version else entry.name
    out += [
        "Pour vérifier un fichier sur votre poste avec l'outil du registre "
        "(le fichier n'est jamais modifié) :",
        "",
        "```bash",
        f"esr-schemas validate MON_FICHIER.csv --schema {target}",
        "```",
        "",
    ]
    return out


def _technical_files(ctx: SiteContext, page: str, entry: SchemaEntry, pv: PageVersion) -> list[str]:
    version = _download_version(entry, pv)
    if version is None:
        return []
    out = ["### Fichiers pour les logiciels", ""]
    items = _buttons(ctx, page, entry, version, TECHNICAL_DOWNLOADS)
    if items:
        out += ['<div class="esr-downloads" markdown>', ""]
        for item in items:
            out += [item, ""]
        out += ["</div>", ""]
    files = dict(_downloads_for(ctx, entry, version))
    if files:
        prefix = download_dir(entry.name, version)
        out += [f'??? note "Tous les fichiers de la version {version} ({len(files)})"', ""]
        for path, size in files.items():
            out.append(
                f"    - [{path[len(prefix) :]}]({rel_link(page, path)}) ({human_size(size)})"
            )
        out.append("")
    return out


def _changes_section(pv: PageVersion) -> list[str]:
    out = ["## Changements", ""]
    if not pv.changelog:
        return out + ["Aucun changement consigné.", ""]
    for change in pv.changelog:
        heading = f"### {cell(change.version)}" + (f" ({cell(change.date)})" if change.date else "")
        out += [heading, ""]
        body = demote_headings(rewrite_links(change.body), 3, drop_title=False)
        out += [body or "Pas de détail.", ""]
    return out


def _versions_section(page: str, entry: SchemaEntry, pv: PageVersion) -> list[str]:
    out = ["## Versions", ""]
    if not entry.published:
        return out + ["Aucune version publiée pour l'instant.", ""]
    out += ["| Version | Date de publication | Remarque |", "|---|---|---|"]
    for version in reversed(entry.published):
        if version.descriptor is None:
            continue
        current = " (cette page)" if version.version == pv.version else ""
        link = rel_link(page, schema_page_path(entry.name, version.version))
        latest = " — dernière version" if version is entry.latest_published else ""
        out.append(
            f"| [{version.version}]({link}){current} | {cell(version.date or '')} | {latest.strip(' —')} |"
        )
    out.append("")
    return out


# --------------------------------------------------------------------------- other pages


def schema_summary(entry: SchemaEntry) -> dict[str, str]:
    descriptor = (
        entry.descriptor
        or (entry.latest_published.descriptor if entry.latest_published else None)
        or {}
    )
    latest = entry.latest_published
    status = extensions.status(descriptor)
    return {
        "title": _first(descriptor, "title") or entry.name,
        "description": one_line(str(descriptor.get("description") or "")),
        "version": latest.version if latest else (entry.version or "—"),
        "status": STATUS_LABELS.get(status, status),
        "date": (latest.date if latest and latest.date else None)
        or str(descriptor.get("lastModified") or "—"),
    }


def schemas_table(ctx: SiteContext, page: str) -> str:
    """The table of every schema (home page and schemas index)."""
    if not ctx.registry.schemas:
        return "Le registre ne contient encore aucun schéma."
    lines = ['<div class="esr-schemas-table" markdown>', ""]
    lines += ["| Schéma | Description | Version | Statut | Date |", "|---|---|---|---|---|"]
    for entry in ctx.registry.schemas.values():
        summary = schema_summary(entry)
        link = rel_link(page, schema_page_path(entry.name))
        lines.append(
            f"| [{cell(summary['title'])}]({link})<br>{code_cell(entry.name)} | {cell(summary['description'])} | "
            f"{cell(summary['version'])} | {cell(summary['status'])} | {cell(summary['date'])} |"
        )
    return "\n".join([*lines, "", "</div>"])


def render_schemas_index(ctx: SiteContext) -> str:
    page = "schemas/index.md"
    return (
        "# Schémas\n\nChaque schéma décrit un fichier à publier : ses colonnes, leurs types et leurs "
        "contraintes. Chaque version publiée garde sa page et ses fichiers à une adresse stable.\n\n"
        + schemas_table(ctx, page)
        + "\n"
    )


def referentiel_users(registry: Registry, name: str) -> list[tuple[SchemaEntry, str]]:
    users = []
    for entry in registry.schemas.values():
        for field_ in entry.fields:
            if extensions.code_list(field_) == name:
                users.append((entry, str(field_.get("name"))))
    return users


def render_referentiel_page(ctx: SiteContext, ref: Referentiel) -> str:
    page = referentiel_page_path(ref.name)
    meta = ref.metadata
    out = [f"# {cell(ref.title)}", ""]
    out += [referentiel_lead(ctx, ref), ""]
    description = prose(meta.get("description"))
    if description:
        out += ["## D'où vient cette liste", "", description, ""]
    rows: list[tuple[str, str]] = [("Nom", code(ref.name))]
    for key, label in (("source", "Source"), ("millesime", "Millésime"), ("licence", "Licence")):
        if meta.get(key):
            rows.append((label, titled_link(meta[key])))
    rows.append(("Nombre de codes", str(len(ref.rows))))
    out += ['<div class="esr-field" markdown>', "", "| Propriété | Valeur |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in rows] + ["", "</div>", ""]
    csv_path = f"referentiels/{ref.name}.csv"
    size = ctx.downloads.get(csv_path)
    size_text = (
        f' <span class="esr-size">{ref.name}.csv — {human_size(size)}</span>'
        if size is not None
        else ""
    )
    out += [
        f'[Télécharger le CSV]({rel_link(page, csv_path)}){{ .md-button download="{ref.name}.csv" }}{size_text}',
        "",
    ]
    users = referentiel_users(ctx.registry, ref.name)
    if users:
        out += ["## Utilisé par", ""]
        for entry, field_name in users:
            link = rel_link(page, schema_page_path(entry.name))
            out.append(
                f"- [{cell(entry.title)}]({link}#{field_anchor(field_name)}) : colonne {code(field_name)}"
            )
        out.append("")
    if referentiel_search.is_searchable(ref):  # too long for one table: a search form
        data = referentiel_search.search_data_path(ref.name)
        section = referentiel_search.search_section(
            ref, rel_link(page, data), ctx.downloads.get(data)
        )
        return "\n".join(out + [section])
    out += ["## Codes", ""]
    columns = ref.columns
    if not ref.rows:
        return "\n".join(out + ["Ce référentiel est vide.", ""])
    headings = [REFERENTIEL_COLUMN_LABELS.get(c, c) for c in columns]
    out += ["| " + " | ".join(cell(c) for c in headings) + " |", "|" + "---|" * len(columns)]
    for row in ref.rows[:REFERENTIEL_ROWS_MAX]:
        out.append("| " + " | ".join(cell(row.get(c) or "") for c in columns) + " |")
    if len(ref.rows) > REFERENTIEL_ROWS_MAX:
        out += [
            "",
            f"Seuls les {REFERENTIEL_ROWS_MAX} premiers codes sont affichés : téléchargez le CSV pour la liste complète.",
        ]
    return "\n".join(out).rstrip() + "\n"


def referentiel_lead(ctx: SiteContext, ref: Referentiel) -> str:
    """What the list is and where it comes from, in one plain paragraph."""
    meta = ref.metadata
    count = len(ref.rows)
    text = f"Cette liste compte **{count} code{'s' if count > 1 else ''}**"
    text += ", chacun avec son libellé." if "libelle" in ref.columns else "."
    source = meta.get("source")
    source_title = source.get("title") if isinstance(source, dict) else source
    if isinstance(source_title, str) and source_title:
        text += f" Elle reprend la nomenclature officielle « {cell(source_title)} »"
        vintage = meta.get("millesime")
        text += f", dans sa version {cell(vintage)}." if vintage else "."
    if meta.get("partiel") is True:
        text += (
            " Le registre n'en fournit qu'un **extrait** : un code absent d'ici peut être "
            "valide, le modèle Excel ne le refuse donc pas."
        )
    users = referentiel_users(ctx.registry, ref.name)
    if users:
        text += (
            f" {len(users)} colonne{'s' if len(users) > 1 else ''} de schéma "
            f"{'y renvoient' if len(users) > 1 else 'y renvoie'} (liste ci-dessous) : le modèle "
            "Excel propose ses codes avec leur libellé."
        )
    return text


def render_referentiels_index(ctx: SiteContext) -> str:
    page = "referentiels/index.md"
    out = [
        "# Référentiels",
        "",
        "Les listes de codes officielles (nomenclatures nationales) dont se servent les "
        "schémas : chaque page dit ce que la liste contient, d'où elle vient et quelles "
        "colonnes l'utilisent. Une colonne liée à un référentiel attend un de ses codes ; "
        "le modèle Excel les propose dans une liste déroulante et "
        "`esr-schemas validate --referentiels` les vérifie (la validation ne le fait pas "
        "sans cette option).",
        "",
    ]
    if not ctx.registry.referentiels:
        return "\n".join(out + ["Aucun référentiel n'est encore fourni.", ""])
    out += ["| Référentiel | Millésime | Codes | Source |", "|---|---|---|---|"]
    for ref in ctx.registry.referentiels.values():
        source = ref.metadata.get("source")
        if isinstance(source, dict):
            source = source.get("title") or source.get("path")
        out.append(
            f"| [{cell(ref.title)}]({rel_link(page, referentiel_page_path(ref.name))}) | "
            f"{cell(ref.metadata.get('millesime') or '—')} | {len(ref.rows)} | {cell(source or '—')} |"
        )
    return "\n".join(out) + "\n"


def secrecy_table(ctx: SiteContext, page: str) -> str:
    """Per schema: secrecy threshold, person-count columns and personal-data columns."""
    lines = [
        "| Schéma | Seuil de secret statistique | Colonnes de dénombrement | Données personnelles |",
        "|---|---|---|---|",
    ]
    for entry in ctx.registry.schemas.values():
        if entry.descriptor is None:
            continue
        threshold = extensions.secret_threshold(entry.descriptor)
        counts = [str(f.get("name")) for f in entry.fields if extensions.is_person_count(f)]
        personal = [str(f.get("name")) for f in entry.fields if extensions.is_personal_data(f)]
        link = rel_link(page, schema_page_path(entry.name))
        lines.append(
            f"| [{cell(entry.title)}]({link}) | {f'{threshold}' if threshold is not None else '—'} | "
            f"{', '.join(code_cell(c) for c in counts) or '—'} | {', '.join(code_cell(p) for p in personal) or 'aucune'} |"
        )
    return "\n".join(lines)


def quick_links(ctx: SiteContext, page: str) -> str:
    links = [
        ("Guide de publication", "guide/publication.md"),
        ("Référentiels", "referentiels/index.md"),
        ("Contribuer", "contribuer.md"),
    ]
    out = [f"[{label}]({rel_link(page, target)}){{ .md-button }}" for label, target in links]
    extras = []
    if "schemas.json" in ctx.downloads:
        extras.append(f"[Catalogue des schémas (JSON)]({rel_link(page, 'schemas.json')})")
    for path in sorted(ctx.downloads):
        if "/" not in path and path.endswith((".atom", ".xml")):
            extras.append(f"[Flux Atom des nouvelles versions]({rel_link(page, path)})")
    text = " ".join(out)
    if extras:
        text += "\n\n" + " · ".join(extras)
    return text


def render_contributing(text: str | None) -> str:
    if text is None:
        return (
            '# Contribuer\n\n!!! info "Page en préparation"\n\n    Le guide de contribution '
            "(fichier `CONTRIBUTING.md` à la racine du dépôt) n'est pas encore rédigé.\n"
        )

    def resolve(target: str) -> str | None:
        path, _, fragment = target.partition("#")
        if path.startswith("docs/") and path.endswith(".md"):
            return path.removeprefix("docs/") + (f"#{fragment}" if fragment else "")
        return None

    body = rewrite_links(text, resolve)
    if not re.match(r"^#\s", body.lstrip()):
        body = "# Contribuer\n\n" + body
    return body
