"""The one loader: reads the repository into a :class:`Registry`.

Problems met while reading (unreadable JSON, missing files...) become findings in
``load_findings``; the loader never raises on bad content.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path
from typing import Any

from . import semver
from .findings import Finding
from .jsonutil import JsonProblem, loads_strict
from .model import (
    ChangelogEntry,
    InvalidExample,
    PublishedVersion,
    Referentiel,
    Registry,
    SchemaEntry,
)

SCHEMAS_DIR = "schemas"
REFERENTIELS_DIR = "referentiels"
COMMON_FIELDS_FILE = "schemas/_commun/champs-communs.json"
EXCEPTIONS_FILE = "schemas/exceptions.yml"
CHANGELOG_HEADING = re.compile(r"^##\s+\[?(?P<version>[^\]\s]+)\]?\s*(?:\((?P<date>[^)]*)\))?\s*$")


PACKAGED_REGISTRY_DIR = "registre"
"""Folder of the installed package holding the registry copied at build time (setup.py)."""


def is_repository(folder: Path) -> bool:
    """A checkout of the registry: ``schemas/`` beside ``pyproject.toml``."""
    return (folder / SCHEMAS_DIR).is_dir() and (folder / "pyproject.toml").is_file()


def is_registry(folder: Path) -> bool:
    """Any folder the loader can read as a registry: it holds ``schemas/``."""
    return (folder / SCHEMAS_DIR).is_dir()


def find_root(start: Path | None = None) -> Path:
    """The repository root: the nearest folder holding ``schemas/`` and ``pyproject.toml``."""
    here = (start or Path.cwd()).resolve()
    for candidate in [here, *here.parents]:
        if is_repository(candidate):
            return candidate
    raise FileNotFoundError(
        f"Aucun dépôt du registre trouvé depuis le dossier {here} (un dépôt contient "
        "« schemas/ » et « pyproject.toml ») : lancez la commande depuis une copie du dépôt, "
        "ou passez --root DOSSIER."
    )


def packaged_root() -> Path | None:
    """The registry installed with the package; for an editable install, its checkout."""
    package = Path(__file__).resolve().parent
    if is_registry(package / PACKAGED_REGISTRY_DIR):
        return package / PACKAGED_REGISTRY_DIR
    checkout = package.parent.parent
    return checkout if is_repository(checkout) else None


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot_files(folder: Path) -> dict[str, str]:
    """relative path -> sha256 of every file in a snapshot folder, sorted."""
    return {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def altered_files(folder: Path, recorded: dict[str, str]) -> list[str]:
    """The files of a published snapshot that differ from the hashes recorded at release
    (modified, added or removed), sorted; empty when nothing was recorded."""
    if not recorded:
        return []
    actual = snapshot_files(folder) if folder.is_dir() else {}
    return sorted(
        relpath
        for relpath in set(actual) | set(recorded)
        if actual.get(relpath) != recorded.get(relpath)
    )


def read_json_file(path: Path, root: Path, schema: str | None = None) -> tuple[Any, list[Finding]]:
    """Read a JSON file strictly. Returns (data or None, findings)."""
    rel = _rel(path, root)
    if not path.is_file():
        return None, [
            Finding(
                file=rel,
                rule="file-missing",
                message=f"Fichier attendu introuvable : {rel}.",
                fix="Créez ce fichier ou corrigez le chemin qui y renvoie.",
                schema=schema,
            )
        ]
    try:
        return loads_strict(path.read_bytes()), []
    except JsonProblem as problem:
        return None, [
            Finding(
                file=rel,
                rule=problem.rule,
                message=problem.message,
                fix=problem.fix,
                line=problem.line,
                schema=schema,
            )
        ]


def parse_changelog(text: str) -> list[ChangelogEntry]:
    """``## X.Y.Z (YYYY-MM-DD)`` sections, newest first."""
    entries: list[ChangelogEntry] = []
    current: ChangelogEntry | None = None
    body: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = CHANGELOG_HEADING.match(line)
        if match:
            if current is not None:
                current.body = "\n".join(body).strip()
                entries.append(current)
            current = ChangelogEntry(match["version"], match["date"], "", number)
            body = []
        elif current is not None:
            body.append(line)
    if current is not None:
        current.body = "\n".join(body).strip()
        entries.append(current)
    return entries


def changelog_section(text: str, version: str) -> str:
    """The exact text of one version's section, heading included."""
    lines = text.splitlines(keepends=True)
    start = None
    for index, line in enumerate(lines):
        match = CHANGELOG_HEADING.match(line.rstrip("\n"))
        if match and start is None and match["version"] == version:
            start = index
        elif match and start is not None:
            return "".join(lines[start:index]).rstrip() + "\n"
    return "".join(lines[start:]).rstrip() + "\n" if start is not None else ""


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _examples(folder: Path) -> tuple[list[Path], list[InvalidExample]]:
    examples = folder / "exemples"
    valid = sorted(p for p in examples.glob("valide*.csv") if p.is_file())
    invalid = [
        InvalidExample(path=p, expected_error=p.stem.split("__", 1)[0])
        for p in sorted((examples / "invalide").glob("*.csv"))
        if p.is_file()
    ]
    return valid, invalid


def _read_text(path: Path) -> str | None:
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8-sig", errors="replace")


def _published_versions(
    folder: Path, root: Path, name: str
) -> tuple[list[PublishedVersion], list[Finding]]:
    versions_dir = folder / "versions"
    index_file = versions_dir / "index.json"
    findings: list[Finding] = []
    index: dict[str, Any] = {}
    if index_file.is_file():
        data, problems = read_json_file(index_file, root, name)
        findings += problems
        if isinstance(data, dict):
            index = data
    published: list[PublishedVersion] = []
    names = (
        set(index) | {p.name for p in versions_dir.iterdir() if p.is_dir()}
        if versions_dir.is_dir()
        else set(index)
    )
    for version in sorted(names, key=semver.sort_key):
        path = versions_dir / version
        record = index.get(version) if isinstance(index.get(version), dict) else {}
        assert isinstance(record, dict)
        descriptor = None
        if (path / "schema.json").is_file():
            data, _ = read_json_file(path / "schema.json", root, name)
            descriptor = data if isinstance(data, dict) else None
        valid, invalid = _examples(path)
        hashes = record.get("files", {})
        hashes = hashes if isinstance(hashes, dict) else {}
        published.append(
            PublishedVersion(
                version=version,
                path=path,
                date=record.get("date"),
                descriptor=descriptor,
                recorded_hashes=hashes,
                readme=_read_text(path / "README.md") or "",
                changelog_section=_read_text(path / "CHANGELOG.md") or "",
                valid_examples=valid,
                invalid_examples=invalid,
                altered_files=altered_files(path, hashes),
            )
        )
    return published, findings


def load_schema(folder: Path, root: Path) -> SchemaEntry:
    name = folder.name
    schema_file = folder / "schema.json"
    findings: list[Finding] = []
    raw = schema_file.read_bytes() if schema_file.is_file() else None
    descriptor: dict[str, Any] | None = None
    if raw is None:
        findings.append(
            Finding(
                file=_rel(folder, root) + "/",
                rule="schema-file-missing",
                message=f"Le dossier « {name} » ne contient pas de schema.json.",
                fix=f"Ajoutez schemas/{name}/schema.json (« esr-schemas new {name} » crée un squelette), "
                "ou retirez ce dossier de schemas/.",
                schema=name,
            )
        )
    else:
        data, problems = read_json_file(schema_file, root, name)
        findings += problems
        if data is not None and not isinstance(data, dict):
            findings.append(
                Finding(
                    file=_rel(schema_file, root),
                    rule="json-invalid",
                    message="Le fichier doit contenir un objet JSON ({…}), pas "
                    f"{type(data).__name__}.",
                    fix="Un Table Schema est un objet avec au moins la clé « fields ».",
                    pointer="",
                    schema=name,
                )
            )
        elif isinstance(data, dict):
            descriptor = data
    changelog_file = folder / "CHANGELOG.md"
    changelog_text = _read_text(changelog_file)
    valid, invalid = _examples(folder)
    published, problems = _published_versions(folder, root, name)
    findings += problems
    return SchemaEntry(
        name=name,
        path=folder,
        schema_file=schema_file,
        raw=raw,
        descriptor=descriptor,
        readme=_read_text(folder / "README.md"),
        changelog=parse_changelog(changelog_text) if changelog_text is not None else [],
        changelog_file=changelog_file,
        valid_examples=valid,
        invalid_examples=invalid,
        published=published,
        versions_index_file=folder / "versions" / "index.json",
        load_findings=findings,
    )


def read_csv_header(path: Path) -> list[str]:
    """The first record of a référentiel (its rows are read on first use)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def load_referentiels(root: Path) -> tuple[dict[str, Referentiel], list[Finding]]:
    folder = root / REFERENTIELS_DIR
    result: dict[str, Referentiel] = {}
    findings: list[Finding] = []
    if not folder.is_dir():
        return result, findings
    for csv_path in sorted(folder.glob("*.csv")):
        name = csv_path.stem
        meta_path = csv_path.with_suffix(".json")
        metadata, problems = read_json_file(meta_path, root)
        findings += problems
        columns = read_csv_header(csv_path)
        if "code" not in columns:
            findings.append(
                Finding(
                    file=_rel(csv_path, root),
                    rule="referentiel-invalid",
                    message="La première ligne d'un référentiel doit contenir une colonne « code ».",
                    fix="Nommez « code » la colonne des codes et « libelle » celle des libellés.",
                    row=1,
                )
            )
            continue
        result[name] = Referentiel(
            name=name,
            csv_path=csv_path,
            meta_path=meta_path,
            metadata=metadata if isinstance(metadata, dict) else {},
            columns=columns,
        )
    return result, findings


def load_exceptions(path: Path, root: Path) -> tuple[list[dict[str, Any]], list[Finding]]:
    if not path.is_file():
        return [], []
    import yaml  # only when the registry has an exceptions file

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [], [
            Finding(
                file=_rel(path, root),
                rule="exception-invalid",
                message=f"Fichier d'exceptions illisible (YAML invalide) : {exc}.",
                fix="Corrigez la syntaxe YAML.",
                line=mark.line + 1 if mark is not None else None,
            )
        ]
    if not isinstance(data, list):
        return [], [
            Finding(
                file=_rel(path, root),
                rule="exception-invalid",
                message="Le fichier d'exceptions doit être une liste d'entrées.",
                fix="Écrivez une entrée par exception : « - schema: …, rule: …, reason: … ».",
            )
        ]
    return [e if isinstance(e, dict) else {"_invalid": e} for e in data], []


def load_registry(root: Path | None = None, with_schemas: bool = True) -> Registry:
    """The registry under ``root``; ``with_schemas=False`` leaves ``schemas`` empty, for
    a command that only needs the référentiels (``validate`` against a schema file)."""
    root = (root or find_root()).resolve()
    schemas_dir = root / SCHEMAS_DIR
    findings: list[Finding] = []
    schemas: dict[str, SchemaEntry] = {}
    if with_schemas and schemas_dir.is_dir():
        for folder in sorted(schemas_dir.iterdir()):
            if folder.is_dir() and not folder.name.startswith((".", "_")):
                schemas[folder.name] = load_schema(folder, root)
    referentiels, problems = load_referentiels(root)
    findings += problems
    common_file = root / COMMON_FIELDS_FILE
    common: list[dict[str, Any]] = []
    if common_file.is_file():
        data, problems = read_json_file(common_file, root)
        findings += problems
        if isinstance(data, dict) and isinstance(data.get("fields"), list):
            common = [f for f in data["fields"] if isinstance(f, dict)]
    exceptions_file = root / EXCEPTIONS_FILE
    exceptions, problems = load_exceptions(exceptions_file, root)
    findings += problems
    return Registry(
        root=root,
        schemas=schemas,
        referentiels=referentiels,
        common_fields=common,
        common_fields_file=common_file,
        exceptions_file=exceptions_file,
        exceptions=exceptions,
        load_findings=findings,
    )
