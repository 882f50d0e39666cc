"""Versions over time: placeholders left by ``new``, field removals, and the pull-request
checks that compare the working tree with a git base revision (``check --base REF``)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from hashlib import sha1
from pathlib import Path
from typing import Any

from .. import semver
from ..extensions import EXTENSION_KEY
from ..findings import Finding, Severity
from ..jsonutil import JsonProblem, loads_strict
from ..model import SchemaEntry
from ..versioning import Comparison, Level, compare, compare_latest, side
from ..versioning.report import change_line
from . import RegistryContext, SchemaContext, iter_fields, pointer, rule

PLACEHOLDER_RE = re.compile(r"[àaÀA]\s+compl[éeÉE]ter|a-completer\.invalid", re.IGNORECASE)


class BaseRefError(Exception):
    """``check --base REF`` with a REF git cannot resolve; the message is French."""


# --- placeholders ----------------------------------------------------------------------


def _strings(value: Any, path: tuple[object, ...] = ()) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path), value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


@rule(
    "placeholder-left",
    Severity.ERROR,
    "Aucun texte « À COMPLÉTER » laissé par « esr-schemas new » ne reste dans le schéma.",
)
def placeholder_left(ctx: SchemaContext) -> Iterator[Finding]:
    for where, text in _strings(ctx.descriptor):
        if PLACEHOLDER_RE.search(text):
            yield ctx.finding(
                "placeholder-left",
                f"Texte à compléter laissé en place : « {text} ».",
                "Remplacez ce texte provisoire par le vrai contenu (titre, description, source…).",
                pointer=where,
            )
    for path in (ctx.entry.path / "README.md", ctx.entry.changelog_file):
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            if PLACEHOLDER_RE.search(line):
                yield ctx.finding(
                    "placeholder-left",
                    f"Texte à compléter laissé en place : « {line.strip()} ».",
                    "Rédigez cette partie de la documentation à la place du texte provisoire.",
                    file=ctx.rel(path),
                    row=number,
                )


# --- deprecation -----------------------------------------------------------------------


@rule(
    "field-removed-without-deprecation",
    Severity.WARNING,
    "Un champ n'est retiré qu'après avoir été marqué déprécié dans une version publiée.",
)
def removed_without_deprecation(ctx: SchemaContext) -> Iterator[Finding]:
    comparison = compare_latest(ctx.registry, ctx.entry, prove=False, verify=False)
    if comparison is None or comparison.old.version == comparison.new.version:
        return
    for change in comparison.changes:
        if change.warning and change.kind in ("field-removed", "field-renamed"):
            yield ctx.finding(
                "field-removed-without-deprecation",
                f"{change.message} (par rapport à la {comparison.old.label}).",
                change.warning,
                pointer="/fields",
            )


@rule(
    "field-deprecation-invalid",
    Severity.ERROR,
    "Une dépréciation « x-esr.deprecated » donne « since » (version X.Y.Z, au plus la version "
    "courante) et « reason » (une phrase).",
)
def deprecation_invalid(ctx: SchemaContext) -> Iterator[Finding]:
    current = ctx.entry.version
    for index, field in iter_fields(ctx.descriptor):
        extension = field.get(EXTENSION_KEY)
        if not isinstance(extension, dict) or "deprecated" not in extension:
            continue
        value = extension["deprecated"]
        name = field.get("name")
        where = pointer("fields", index, EXTENSION_KEY, "deprecated")
        fix = (
            'Écrivez « "deprecated": {"since": "X.Y.Z", "reason": "…"} » : la version qui annonce '
            "la dépréciation et ce que les producteurs doivent utiliser à la place."
        )
        if not isinstance(value, dict):
            yield ctx.finding(
                "field-deprecation-invalid",
                f"La dépréciation du champ « {name} » doit être un objet, pas {_kind(value)}.",
                fix,
                pointer=where,
            )
            continue
        since, reason = value.get("since"), value.get("reason")
        if not semver.is_semver(since):
            yield ctx.finding(
                "field-deprecation-invalid",
                f"La dépréciation du champ « {name} » n'a pas de version « since » X.Y.Z "
                f"(trouvé : {since!r}).",
                fix,
                pointer=where + "/since",
            )
        elif semver.is_semver(current) and semver.sort_key(str(since)) > semver.sort_key(
            str(current)
        ):
            yield ctx.finding(
                "field-deprecation-invalid",
                f"La dépréciation du champ « {name} » date de la version {since}, postérieure à "
                f"la version courante {current}.",
                f"Indiquez la version qui annonce la dépréciation, au plus {current}.",
                pointer=where + "/since",
            )
        if not isinstance(reason, str) or len(reason.strip()) < 5:
            yield ctx.finding(
                "field-deprecation-invalid",
                f"La dépréciation du champ « {name} » n'explique pas pourquoi (« reason »).",
                fix,
                pointer=where + "/reason",
            )


def _kind(value: Any) -> str:
    return {str: "un texte", bool: "un booléen", list: "une liste", type(None): "null"}.get(
        type(value), "un nombre"
    )


# --- git -------------------------------------------------------------------------------


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise BaseRefError(
            "--base demande git, introuvable sur cette machine : installez git, ou lancez "
            "« esr-schemas check » sans --base."
        ) from None


def resolve_base(root: Path, ref: str) -> str:
    """The commit id of ``ref``; raises :class:`BaseRefError` with a French message."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0:
        raise BaseRefError(
            f"--base {ref} : le dossier {root} n'est pas un dépôt git. Lancez la commande dans "
            "un clone du dépôt (avec son historique : « git fetch » ou fetch-depth: 0 en CI)."
        )
    result = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if result.returncode != 0 or not result.stdout.strip():
        raise BaseRefError(
            f"--base « {ref} » n'est pas une révision git valide (branche, étiquette ou commit "
            "inconnu dans ce clone). Vérifiez l'orthographe, récupérez-la avec « git fetch "
            "origin », ou en CI clonez tout l'historique (actions/checkout avec fetch-depth: 0)."
        )
    return result.stdout.decode().strip()


class BaseTree:
    """Read-only view of the registry files at a git commit."""

    def __init__(self, root: Path, ref: str, commit: str) -> None:
        self.root = root
        self.ref = ref
        self.commit = commit
        self._blobs: dict[str, str] | None = None

    @property
    def blobs(self) -> dict[str, str]:
        """Path (relative to the registry root) -> git blob id, for every file under schemas/."""
        if self._blobs is None:
            result = _git(self.root, "ls-tree", "-r", "-z", self.commit, "--", "schemas/")
            blobs: dict[str, str] = {}
            for record in result.stdout.decode("utf-8", "surrogateescape").split("\0"):
                if "\t" not in record:
                    continue
                meta, path = record.split("\t", 1)
                parts = meta.split()
                if len(parts) == 3 and parts[1] == "blob":
                    blobs[path] = parts[2]
            self._blobs = blobs
        return self._blobs

    def read(self, path: str) -> bytes | None:
        if path not in self.blobs:
            return None
        result = _git(self.root, "cat-file", "blob", self.blobs[path])
        return result.stdout if result.returncode == 0 else None

    def json(self, path: str) -> Any:
        raw = self.read(path)
        if raw is None:
            return None
        try:
            return loads_strict(raw)
        except JsonProblem:
            return None

    def published(self, name: str) -> dict[str, Any]:
        data = self.json(f"schemas/{name}/versions/index.json")
        return data if isinstance(data, dict) else {}


def blob_id(path: Path) -> str:
    data = path.read_bytes()
    return sha1(b"blob %d\0" % len(data) + data).hexdigest()


_TREES: dict[tuple[str, str], BaseTree] = {}
"""Trees by (registry root, commit id): a commit never changes, so caching is safe."""


def base_tree(ctx: RegistryContext) -> BaseTree | None:
    if not ctx.base:
        return None
    root = ctx.registry.root
    commit = resolve_base(root, ctx.base)
    key = (str(root), commit)
    if key not in _TREES:
        _TREES.clear()
        _TREES[key] = BaseTree(root, ctx.base, commit)
    tree = _TREES[key]
    tree.ref = ctx.base
    return tree


# --- pull-request checks ---------------------------------------------------------------


@rule(
    "published-version-changed",
    Severity.ERROR,
    "Avec --base : aucune version publiée dans la révision de base n'est modifiée ni supprimée.",
    scope="registry",
)
def published_changed(ctx: RegistryContext) -> Iterator[Finding]:
    tree = base_tree(ctx)
    if tree is None:
        return
    root = ctx.registry.root
    names = set(ctx.names)
    if names == set(ctx.registry.schemas):
        # Checking the whole registry: schemas deleted since the base are checked too.
        names |= {p.split("/")[1] for p in tree.blobs if p.count("/") >= 2}
    gone: set[tuple[str, str]] = set()
    for path, blob in sorted(tree.blobs.items()):
        parts = path.split("/")
        if len(parts) < 5 or parts[2] != "versions" or parts[1] not in names:
            continue
        name, version = parts[1], parts[3]
        working = root / path
        relpath = "/".join(parts[4:])
        folder = root / "schemas" / name / "versions" / version
        if not folder.is_dir():
            if (name, version) not in gone:
                gone.add((name, version))
                yield ctx.finding(
                    "published-version-changed",
                    f"La version publiée {version} de « {name} » a été supprimée depuis "
                    f"{ctx.base} : une version publiée reste en ligne pour toujours.",
                    f"Restaurez le dossier (« git checkout {ctx.base} -- "
                    f"schemas/{name}/versions/{version} »).",
                    file=f"schemas/{name}/versions/{version}/",
                    schema=name,
                )
            continue
        if not working.is_file():
            message = (
                f"Le fichier {relpath} de la version publiée {version} de « {name} » a été "
                f"supprimé depuis {ctx.base}."
            )
        elif blob_id(working) != blob:
            message = (
                f"Le fichier {relpath} de la version publiée {version} de « {name} » a été "
                f"modifié depuis {ctx.base} : une version publiée ne change plus."
            )
        else:
            continue
        yield ctx.finding(
            "published-version-changed",
            message,
            f"Restaurez-le (« git checkout {ctx.base} -- {path} ») ; pour changer le schéma, "
            "modifiez schemas/" + name + "/schema.json et publiez une nouvelle version.",
            file=path,
            schema=name,
        )
    base_versions = {
        tuple(p.split("/")[1:4])
        for p in tree.blobs
        if p.count("/") >= 4 and p.split("/")[2] == "versions"
    }
    for name, _, version in sorted(base_versions):
        folder = root / "schemas" / name / "versions" / version
        if name not in names or not folder.is_dir():
            continue
        for working in sorted(p for p in folder.rglob("*") if p.is_file()):
            path = working.relative_to(root).as_posix()
            if path in tree.blobs:
                continue
            yield ctx.finding(
                "published-version-changed",
                f"Le fichier {working.relative_to(folder).as_posix()} a été ajouté à la version "
                f"publiée {version} de « {name} » depuis {ctx.base} : une version publiée ne change plus.",
                f"Retirez ce fichier ; pour changer le schéma, modifiez schemas/{name}/ et publiez "
                "une nouvelle version.",
                file=path,
                schema=name,
            )
    for name in sorted(names):
        entry = ctx.registry.schemas.get(name)
        before = tree.published(name)
        if entry is None or not before:
            continue
        index_path = f"schemas/{name}/versions/index.json"
        working_index = ctx.registry.root / index_path
        after: dict[str, Any] = {}
        if working_index.is_file():
            try:
                data = loads_strict(working_index.read_bytes())
                after = data if isinstance(data, dict) else {}
            except JsonProblem:
                after = {}
        for version, record in before.items():
            if version not in after:
                message = (
                    f"La version publiée {version} de « {name} » a été retirée de "
                    f"versions/index.json depuis {ctx.base}."
                )
            elif after[version] != record:
                message = (
                    f"L'inscription de la version publiée {version} de « {name} » dans "
                    f"versions/index.json (date ou empreintes) a changé depuis {ctx.base}."
                )
            else:
                continue
            yield ctx.finding(
                "published-version-changed",
                message,
                f"Restaurez l'entrée « {version} » telle qu'elle était dans {ctx.base} ; seule "
                "« esr-schemas release » ajoute des entrées, et n'en modifie aucune.",
                file=index_path,
                pointer="/" + version,
                schema=name,
            )


def _next_version(version: str, level: Level) -> str:
    parsed = semver.parse(version)
    if parsed is None:
        return "?"
    major, minor, patch = parsed
    if level == Level.MAJOR:
        return f"{major + 1}.0.0"
    if level == Level.MINOR:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _listing(comparison: Comparison, above: Level) -> str:
    return " ; ".join(change_line(c) for c in comparison.changes if c.level > above)


def _base_latest(tree: BaseTree, entry: SchemaEntry) -> str | None:
    versions = [v for v in tree.published(entry.name) if semver.is_semver(v)]
    return max(versions, key=semver.sort_key) if versions else None


@rule(
    "version-not-bumped",
    Severity.ERROR,
    "Avec --base : une version de travail modifiée porte un numéro qui n'est pas encore publié.",
    scope="registry",
)
def not_bumped(ctx: RegistryContext) -> Iterator[Finding]:
    tree = base_tree(ctx)
    if tree is None:
        return
    for name in ctx.names:
        entry = ctx.registry.schemas.get(name)
        if entry is None or entry.descriptor is None or entry.version is None:
            continue
        published = entry.published_version(entry.version)
        if published is None or published.descriptor is None or not published.verified:
            continue
        changed_since_base = _working_changed(tree, entry)
        if not changed_since_base:
            continue
        comparison = compare(
            ctx.registry,
            name,
            side(entry, entry.version, verify=False),
            side(entry, None),
            prove=False,
        )
        if not comparison.changes:
            continue
        level = comparison.level
        yield ctx.finding(
            "version-not-bumped",
            f"« {name} » a changé depuis {ctx.base} ({', '.join(changed_since_base)}) mais garde "
            f"le numéro {entry.version}, déjà publié. Changement {level.label} : "
            + _listing(comparison, Level.NONE),
            f"Passez « version » à {_next_version(entry.version, level)} dans schema.json et "
            "ajoutez son entrée en tête du CHANGELOG.",
            file=ctx.registry.rel(entry.schema_file),
            pointer="/version",
            schema=name,
        )


def _working_changed(tree: BaseTree, entry: SchemaEntry) -> list[str]:
    """Working-copy files (outside versions/ and the CHANGELOG) that differ from the base."""
    prefix = f"schemas/{entry.name}/"
    root = entry.path
    base_files = {
        p[len(prefix) :]: blob
        for p, blob in tree.blobs.items()
        if p.startswith(prefix) and not p[len(prefix) :].startswith("versions/")
    }
    current = {
        p.relative_to(root).as_posix(): blob_id(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith("versions/")
    }
    return sorted(
        path
        for path in set(base_files) | set(current)
        if path != "CHANGELOG.md" and base_files.get(path) != current.get(path)
    )


@rule(
    "version-bump-too-small",
    Severity.ERROR,
    "Avec --base : l'incrément de version couvre le changement (patch, mineur, majeur).",
    scope="registry",
)
def bump_too_small(ctx: RegistryContext) -> Iterator[Finding]:
    tree = base_tree(ctx)
    if tree is None:
        return
    for name in ctx.names:
        entry = ctx.registry.schemas.get(name)
        if entry is None or entry.descriptor is None or not semver.is_semver(entry.version):
            continue
        assert entry.version is not None
        reference = _base_latest(tree, entry)
        if reference is None:
            continue  # a new schema: its first version has nothing to be compatible with
        at_base = set(tree.published(name))
        chain = sorted(
            (
                p
                for p in entry.published
                if semver.is_semver(p.version) and p.descriptor is not None and p.verified
            ),
            key=lambda p: semver.sort_key(p.version),
        )
        # (older version, newer version or None for the working copy, file to report)
        steps: list[tuple[str, str | None, str]] = []
        for older, newer in zip(chain, chain[1:], strict=False):
            if newer.version not in at_base:
                steps.append(
                    (older.version, newer.version, ctx.registry.rel(newer.path / "schema.json"))
                )
        if chain and semver.sort_key(entry.version) > semver.sort_key(chain[-1].version):
            steps.append((chain[-1].version, None, ctx.registry.rel(entry.schema_file)))
        for older_version, newer_version, file in steps:
            comparison = compare(
                ctx.registry,
                name,
                side(entry, older_version, verify=False),
                side(entry, newer_version, verify=False),
            )
            if not comparison.bump_too_small:
                continue
            bump = comparison.bump
            assert bump is not None
            new_version = comparison.new.version
            yield ctx.finding(
                "version-bump-too-small",
                f"« {name} » passe de {older_version} à {new_version} (changement {bump.label}), "
                f"mais ses changements sont de niveau {comparison.level.label} : "
                + _listing(comparison, bump),
                f"Passez « version » à {_next_version(older_version, comparison.level)} (et "
                "renommez l'entrée du CHANGELOG), ou retirez les changements incompatibles "
                f"(détail : « esr-schemas diff {name} {older_version} "
                f"{new_version if newer_version else 'courante'} »).",
                file=file,
                pointer="/version",
                schema=name,
            )
