"""Which registry a command reads, chosen in one place for every command.

In order, the first that applies:

1. an explicit option: ``--root DOSSIER`` or ``--registre DOSSIER|ADRESSE``;
2. the environment variable ``ESR_SCHEMAS_REGISTRE`` (a folder or an address);
3. the repository found from the current folder (``loader.find_root``);
4. the registry installed with the package (``loader.packaged_root``).

A registry is always a folder the loader reads. A published site (its catalog
``schemas.json`` and the ``schema.json`` of every version it lists) is copied into a
folder of the user's cache, laid out as a registry: published versions are downloaded
once (they never change) and their hashes recorded in ``versions/index.json`` on the
way, so the loader verifies the copy each time it reads it. Offline, the last copy is
used, and the user is told so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from . import semver
from .catalog import CATALOG_FILE
from .extensions import code_list
from .jsonutil import dumps_canonical
from .loader import find_root, is_registry, is_repository, packaged_root

ENV_VAR = "ESR_SCHEMAS_REGISTRE"
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
"""A schema or référentiel name read from a site becomes a folder name: nothing else."""


class RegistryUnavailable(Exception):
    """No registry can be read from what the user chose; the message is French."""


class DownloadError(Exception):
    """A file of a site could not be downloaded; the message is a French sentence naming
    the address (:class:`netfetch.FetchError`'s)."""


@dataclass(frozen=True)
class RegistrySource:
    root: Path
    """The folder the loader reads."""
    description: str
    """What it is, in French: « le dépôt … », « le site … »…"""
    chosen_by: str
    """Why it was chosen, in French: « option --registre », « variable … »…"""
    announce: bool
    """Whether saying which registry is used matters: the user did not just name it, nor
    stand in it."""
    notes: tuple[str, ...] = ()
    """What the user must know about it (a site read from its local copy...)."""

    def statements(self) -> list[str]:
        """The French lines to show the user before the command's own output."""
        lines = (
            [f"Registre utilisé : {self.description} ({self.chosen_by})."] if self.announce else []
        )
        return lines + list(self.notes)


def locate(
    root: Path | None = None,
    registre: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 10.0,
) -> RegistrySource:
    """The registry a reading command works on (see the module's docstring for the order)."""
    environ = os.environ if environ is None else environ
    if root is not None and registre:
        raise RegistryUnavailable(
            "--root et --registre désignent chacun un registre : n'en donnez qu'un."
        )
    if root is not None:
        return _folder(Path(root), "option --root", announce=False)
    if registre:
        return _named(registre, "option --registre", False, environ, timeout)
    value = environ.get(ENV_VAR, "").strip()
    if value:
        return _named(value, f"variable d'environnement {ENV_VAR}", True, environ, timeout)
    try:
        found = find_root(cwd)
    except FileNotFoundError:
        pass
    else:
        return RegistrySource(found, f"le dépôt {found}", "dossier courant", announce=False)
    packaged = packaged_root()
    if packaged is None:
        raise RegistryUnavailable(
            "Aucun registre disponible : cette installation de l'outil ne contient pas le "
            f"registre. Désignez-en un avec --registre DOSSIER|ADRESSE ou la variable {ENV_VAR}, "
            "ou réinstallez l'outil depuis une copie du dépôt (pip install DOSSIER_DU_DEPOT)."
        )
    if is_repository(packaged):
        description = f"le dépôt {packaged}, où l'outil est installé"
    else:
        description = f"le registre fourni avec l'outil (esr-schemas {_package_version()})"
    return RegistrySource(
        packaged,
        description,
        f"par défaut : --registre ou la variable {ENV_VAR} en désignent un autre",
        announce=True,
    )


def _package_version() -> str:
    try:
        return metadata.version("esr-schemas")
    except metadata.PackageNotFoundError:
        return "version inconnue"


def _named(
    value: str, chosen_by: str, announce: bool, environ: Mapping[str, str], timeout: float
) -> RegistrySource:
    if value.startswith(("http://", "https://")):
        folder, base, notes = mirror_site(value, cache_folder(environ), timeout)
        return RegistrySource(folder, f"le site {base}", chosen_by, announce, tuple(notes))
    if "://" in value:
        raise RegistryUnavailable(
            f"Registre « {value} » : seules les adresses http:// et https:// sont acceptées, "
            "ou le chemin d'un dossier."
        )
    return _folder(Path(value).expanduser(), chosen_by, announce)


def _folder(path: Path, chosen_by: str, announce: bool) -> RegistrySource:
    if not path.is_dir():
        raise RegistryUnavailable(
            f"Registre introuvable ({chosen_by}) : le dossier {path} n'existe pas."
        )
    if not is_registry(path):
        raise RegistryUnavailable(
            f"Le dossier {path} ({chosen_by}) n'est pas un registre : il ne contient pas de "
            "dossier « schemas/ ». Désignez la racine d'une copie du dépôt, ou l'adresse du site."
        )
    if (path / CATALOG_FILE).is_file() and not any((path / "schemas").glob("*/versions")):
        raise RegistryUnavailable(
            f"Le dossier {path} ({chosen_by}) est un site construit (il contient le catalogue "
            f"{CATALOG_FILE}), pas un registre : donnez l'adresse où ce site est publié, ou le "
            "dossier d'une copie du dépôt."
        )
    root = path.resolve()
    kind = "le dépôt" if is_repository(root) else "le registre du dossier"
    return RegistrySource(root, f"{kind} {root}", chosen_by, announce)


def cache_folder(environ: Mapping[str, str]) -> Path:
    """Where copies of sites are kept: ``$XDG_CACHE_HOME/esr-schemas/sites`` (~/.cache)."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "esr-schemas" / "sites"


def site_urls(url: str) -> tuple[str, str]:
    """(the site's base address ending in /, its catalog's address)."""
    if url.endswith(".json"):
        return url.rsplit("/", 1)[0] + "/", url
    base = url if url.endswith("/") else url + "/"
    return base, base + CATALOG_FILE


def site_copy_folder(cache: Path, base: str) -> Path:
    readable = re.sub(r"[^A-Za-z0-9.-]+", "-", base.split("://", 1)[1]).strip("-")[:60]
    return cache / f"{readable}-{hashlib.sha256(base.encode()).hexdigest()[:12]}"


def mirror_site(url: str, cache: Path, timeout: float) -> tuple[Path, str, list[str]]:
    """The local copy of a published site, brought up to date when the site answers.

    Returns (the copy's folder, the site's base address, French notes for the user).
    """
    base, catalog_url = site_urls(url)
    folder = site_copy_folder(cache, base)
    saved = folder / CATALOG_FILE
    try:
        raw = download(catalog_url, timeout)
    except DownloadError as problem:
        if saved.is_file():
            day = dt.datetime.fromtimestamp(saved.stat().st_mtime, dt.UTC).date().isoformat()
            return (
                folder,
                base,
                [
                    f"Le site {base} ne répond pas : {problem} Le registre est lu dans sa "
                    f"copie locale du {day} ({folder})."
                ],
            )
        raise RegistryUnavailable(
            f"Le registre {base} ne répond pas et n'a encore jamais été lu sur ce poste : "
            f"{problem} Vérifiez l'adresse et la connexion. Une fois lu en ligne, il reste "
            "utilisable hors ligne."
        ) from None
    changed = not (saved.is_file() and saved.read_bytes() == raw)
    notes = _copy_site(base, _catalog_versions(raw, catalog_url), folder, timeout, changed)
    if changed:
        _write(folder / "mkdocs.yml", f"site_url: {base}\n".encode())
        if not notes:  # complete: the next run starts from it, offline runs may use it
            _write(saved, raw)
    return folder, base, notes


def _catalog_versions(raw: bytes, where: str) -> dict[str, list[tuple[str, str]]]:
    """name -> [(version, schema address)] from an opendataschema catalog."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    schemas = data.get("schemas") if isinstance(data, dict) else None
    if not isinstance(schemas, list):
        raise RegistryUnavailable(
            f"{where} n'est pas un catalogue de schémas (objet JSON avec une liste « schemas » "
            "attendu) : donnez l'adresse du site du registre."
        )
    found: dict[str, list[tuple[str, str]]] = {}
    for item in schemas:
        if not isinstance(item, dict) or not SAFE_NAME.match(str(item.get("name", ""))):
            continue
        versions = item.get("versions")
        if not isinstance(versions, list):
            continue
        found[str(item["name"])] = [
            (v["version_name"], v["schema_url"])
            for v in versions
            if isinstance(v, dict)
            and semver.is_semver(v.get("version_name"))
            and isinstance(v.get("schema_url"), str)
        ]
    return found


def _copy_site(
    base: str,
    catalog: dict[str, list[tuple[str, str]]],
    folder: Path,
    timeout: float,
    refresh_referentiels: bool,
) -> list[str]:
    """Downloads the versions the copy lacks (or holds damaged), and the référentiels when
    the catalog changed or they are missing; a French note per version that could not be
    had."""
    notes: list[str] = []
    used: set[str] = set()
    for name, versions in sorted(catalog.items()):
        versions_dir = folder / "schemas" / name / "versions"
        index_file = versions_dir / "index.json"
        index = _read_index(index_file)
        for version, address in versions:
            target = versions_dir / version / "schema.json"
            if _kept(index.get(version), target):
                data = target.read_bytes()  # a published version never changes: kept as is
            else:
                try:
                    data = download(address, timeout)
                    json.loads(data.decode("utf-8-sig"))
                except DownloadError as problem:
                    notes.append(
                        f"La version {version} de « {name} » n'a pas pu être copiée : "
                        f"{problem} Elle n'est pas disponible."
                    )
                    continue
                except (UnicodeDecodeError, json.JSONDecodeError):
                    notes.append(
                        f"La version {version} de « {name} » n'a pas pu être copiée depuis "
                        f"{address} (ce n'est pas un fichier JSON lisible) : elle n'est pas "
                        "disponible."
                    )
                    continue
                _write(target, data)
                index[version] = {
                    "date": None,
                    "files": {"schema.json": hashlib.sha256(data).hexdigest()},
                }
            used |= _referentiels_used(data)
        if index:
            _write(index_file, dumps_canonical(index).encode("utf-8"))
    for name in sorted(used):
        if not refresh_referentiels and (folder / "referentiels" / f"{name}.csv").is_file():
            continue
        for suffix in (".csv", ".json"):
            try:
                _write(
                    folder / "referentiels" / f"{name}{suffix}",
                    # a référentiel can weigh megabytes: a longer total deadline
                    download(f"{base}referentiels/{name}{suffix}", max(timeout, 60.0)),
                )
            except DownloadError:
                break  # the validator says which code lists it could not check
    return notes


def _read_index(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}  # no copy yet, or a damaged one: everything is downloaded again
    return data if isinstance(data, dict) else {}


def _kept(record: Any, target: Path) -> bool:
    """The copy of a version is there and intact (else it is downloaded again)."""
    files = record.get("files") if isinstance(record, dict) else None
    recorded = files.get("schema.json") if isinstance(files, dict) else None
    return target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == recorded


def _referentiels_used(schema_bytes: bytes) -> set[str]:
    """Names of the référentiels a schema's code lists and foreign keys point at."""
    try:
        descriptor = json.loads(schema_bytes.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return set()
    if not isinstance(descriptor, dict):
        return set()
    names = {code_list(f) for f in descriptor.get("fields") or [] if isinstance(f, dict)}
    for key in descriptor.get("foreignKeys") or []:
        reference = key.get("reference") if isinstance(key, dict) else None
        if isinstance(reference, dict):
            names.add(reference.get("resource"))
    return {n for n in names if isinstance(n, str) and SAFE_NAME.match(n)}


def _write(path: Path, data: bytes) -> None:
    """Writes beside the target, then renames: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def download(url: str, timeout: float) -> bytes:
    """The one network read of the registry's location, through :mod:`netfetch` (total
    deadline, size cap, redirects, French messages). Private addresses are allowed: the
    user names the registry, often on an intranet."""
    from . import netfetch

    try:
        return netfetch.fetch_bytes(
            url,
            timeout=timeout,
            max_bytes=MAX_DOWNLOAD_BYTES,
            allow_private=True,
            accept="application/json, text/csv, */*",
        )
    except netfetch.FetchError as error:
        raise DownloadError(error.message) from None
