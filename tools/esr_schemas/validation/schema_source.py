"""Resolving the ``--schema`` argument: registry name, ``name@version``, file or URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..model import Registry
from ..resolve import ResolveError, lookup
from .errors import UnusableInput
from .schema_check import check_descriptor

MAX_SCHEMA_BYTES = 10 * 1024 * 1024


def resolve_schema(
    spec: str, registry: Registry | None = None, timeout: float = 10, allow_private: bool = True
) -> dict[str, Any]:
    """The descriptor ``spec`` designates. Raises :class:`UnusableInput` (French).

    A URL is downloaded by :mod:`esr_schemas.netfetch` within ``timeout`` seconds in all;
    ``allow_private=False`` (the web service) refuses addresses of internal networks.
    """
    if spec.startswith(("http://", "https://")):
        descriptor = _fetch(spec, timeout, allow_private)
    elif spec.endswith(".json") or "/" in spec or Path(spec).is_file():
        path = Path(spec)
        if not path.exists():
            raise UnusableInput(f"Schéma introuvable : le fichier {spec} n'existe pas.")
        descriptor = _parse(_read_schema_file(path), spec)
    else:
        descriptor = _from_registry(spec, registry)
    check_descriptor(descriptor)
    return descriptor


def _from_registry(spec: str, registry: Registry | None) -> dict[str, Any]:
    if registry is None:
        raise UnusableInput(
            f"« {spec} » n'est ni un fichier ni une adresse, et aucun registre n'a été trouvé : "
            "lancez la commande depuis le dépôt, ou donnez le chemin d'un schema.json."
        )
    try:
        return dict(lookup(registry, spec).descriptor)
    except ResolveError as exc:
        raise UnusableInput(str(exc)) from None


def _fetch(url: str, timeout: float, allow_private: bool) -> dict[str, Any]:
    from ..netfetch import FetchError, fetch_bytes  # http, ssl: only for an address

    try:
        data = fetch_bytes(
            url,
            timeout=timeout,
            max_bytes=MAX_SCHEMA_BYTES,
            allow_private=allow_private,
            accept="application/json, */*;q=0.5",
        )
    except FetchError as error:
        raise UnusableInput(f"Schéma distant inutilisable. {error.message}") from None
    return _parse(data, url)


def _read_schema_file(path: Path) -> bytes:
    from ..guards import SCHEMA_MAX_BYTES, check_regular_file, os_reason

    check_regular_file(path)  # before opening: a FIFO would block
    try:
        with path.open("rb") as handle:
            return handle.read(SCHEMA_MAX_BYTES + 1)
    except OSError as error:
        raise UnusableInput(f"Impossible de lire le schéma {path} : {os_reason(error)}.") from error


def _parse(data: bytes, where: str) -> dict[str, Any]:
    from ..guards import load_schema_json

    descriptor = load_schema_json(data, where)
    if not isinstance(descriptor, dict):
        raise UnusableInput(f"Le schéma {where} n'est pas un Table Schema (objet JSON attendu).")
    return descriptor
