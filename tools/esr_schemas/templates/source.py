"""Which schema a template or an export is about: ``NAME``, ``NAME@VERSION`` or a path.

- ``NAME``: the newest published version of a registry schema, or its working copy
  when nothing is published yet;
- ``NAME@VERSION``: that published snapshot;
- a path to a ``.json`` file: any Table Schema (the corpus of schema.data.gouv.fr, a
  draft...), its examples read from ``exemples/valide*.csv`` next to it when present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Referentiel, Registry
from ..resolve import (
    ResolveError,
    lookup,
    split_spec,
    unknown_schema_message,
    unreadable_message,
)


class SourceError(Exception):
    """A French message for the user: the schema cannot be found or read."""


@dataclass
class TemplateSource:
    name: str
    version: str
    descriptor: dict[str, Any]
    valid_examples: list[Path] = field(default_factory=list)
    date: str | None = None
    published: bool = False
    working_copy: bool = False
    """The registry's unpublished working copy (said on the notice)."""
    registry: Registry | None = field(default=None, repr=False, compare=False)
    """The registry the schema comes from: its référentiels give code-list dropdowns."""
    page_url: str | None = None
    """The published version's download folder on the registry's site, when known."""

    @property
    def fields(self) -> list[dict[str, Any]]:
        raw = self.descriptor.get("fields")
        return [f for f in raw if isinstance(f, dict)] if isinstance(raw, list) else []

    @property
    def field_names(self) -> list[str]:
        return [field_name(f, i) for i, f in enumerate(self.fields)]

    @property
    def title(self) -> str:
        value = self.descriptor.get("title")
        return value if isinstance(value, str) and value.strip() else self.name

    @property
    def slug(self) -> str:
        """``<name>-<version>`` made safe for a file name."""
        return safe_filename(f"{self.name}-{self.version}")


def is_partial(referentiel: Referentiel) -> bool:
    """A shipped extract of a longer official list (``"partiel": true`` in its metadata):
    a code missing from it may still be valid, so it never restricts input."""
    return referentiel.metadata.get("partiel") is True


def complete_referentiels(registry: Registry | None) -> dict[str, Referentiel]:
    if registry is None:
        return {}
    return {name: ref for name, ref in registry.referentiels.items() if not is_partial(ref)}


def field_name(field_descriptor: dict[str, Any], index: int) -> str:
    name = field_descriptor.get("name")
    return name if isinstance(name, str) else f"champ_{index + 1}"


def safe_filename(text: str) -> str:
    cleaned = re.sub(r"[^0-9A-Za-z._-]+", "-", text).strip("-.")
    return cleaned or "schema"


def looks_like_path(spec: str) -> bool:
    return spec.endswith(".json") or "/" in spec or "\\" in spec or Path(spec).is_file()


def from_path(path: Path) -> TemplateSource:
    from ..jsonutil import JsonProblem, loads_strict

    if not path.is_file():
        raise SourceError(f"Fichier de schéma introuvable : {path}.")
    try:
        data = loads_strict(path.read_bytes())
    except JsonProblem as problem:
        where = f" (ligne {problem.line})" if problem.line else ""
        raise SourceError(f"{path}{where} : {problem.message} {problem.fix}") from None
    if not isinstance(data, dict) or not isinstance(data.get("fields"), list) or not data["fields"]:
        raise SourceError(
            f"{path} n'est pas un Table Schema utilisable : il faut un objet JSON avec une "
            "liste « fields » non vide."
        )
    name = data.get("name") if isinstance(data.get("name"), str) and data.get("name") else path.stem
    version = data.get("version") if isinstance(data.get("version"), str) else ""
    examples = sorted((path.parent / "exemples").glob("valide*.csv"))
    return TemplateSource(
        name=str(name),
        version=str(version or "sans-version"),
        descriptor=data,
        valid_examples=[p for p in examples if p.is_file()],
    )


def from_registry(registry: Registry, spec: str, base_url: str | None = None) -> TemplateSource:
    name, _ = split_spec(spec)
    if name not in registry.schemas:
        raise SourceError(
            f"{unknown_schema_message(registry, [name])} "
            "Vous pouvez aussi donner le chemin d'un fichier schema.json."
        )
    try:
        found = lookup(registry, spec)
    except ResolveError as exc:
        raise SourceError(str(exc)) from None
    if not isinstance(found.descriptor.get("fields"), list):
        raise SourceError(unreadable_message(found.entry, found.published))
    if found.published is not None:
        version = found.published.version
        return TemplateSource(
            name=found.name,
            version=version,
            descriptor=found.descriptor,
            valid_examples=found.valid_examples,
            date=found.date,
            published=True,
            page_url=f"{base_url}schemas/{found.name}/{version}/" if base_url else None,
            registry=registry,
        )
    return TemplateSource(
        name=found.name,
        version=found.version or "brouillon",
        descriptor=found.descriptor,
        valid_examples=found.valid_examples,
        working_copy=True,
        registry=registry,
    )


def resolve(
    spec: str, root: Path | None = None, registry: Registry | None = None
) -> TemplateSource:
    """``NAME[@VERSION]`` from the registry, or a path to a schema file; refused (with
    the validator's French reason) when the validator could not use the schema: a
    template must only produce files that can be validated. ``registry``, when given,
    is the one already loaded (the service's), rather than the one at ``root``."""
    source = _resolve(spec, root, registry)
    from ..validation.schema_check import constraint_problems, missing_values_problems

    problems = constraint_problems(source.descriptor) + missing_values_problems(source.descriptor)
    if problems:
        raise SourceError(
            f"le schéma « {source.name} » est inutilisable : {problems[0].message} {problems[0].fix}"
        )
    return source


def _resolve(
    spec: str, root: Path | None = None, registry: Registry | None = None
) -> TemplateSource:
    if looks_like_path(spec) and "@" not in Path(spec).name:
        return from_path(Path(spec))
    from ..config import site_url
    from ..loader import find_root, load_registry

    if registry is not None:
        root = registry.root
    try:
        root = root or find_root()
    except FileNotFoundError as exc:
        raise SourceError(str(exc)) from None
    if registry is None:
        registry = load_registry(root)
    try:
        base = site_url(root)
    except Exception:  # the site URL is a nicety on the notice, never a blocker
        base = None
    return from_registry(registry, spec, base)


def _from_marker(
    name: str, version: str, root: Path | None, registry: Registry | None = None
) -> TemplateSource:
    """The template's own version: published, else the working copy when it matches."""
    if not version:
        return resolve(name, root, registry)
    try:
        return resolve(f"{name}@{version}", root, registry)
    except SourceError:
        source = resolve(name, root, registry)
        if source.version != version:
            raise
        return source


def for_workbook(
    spec: str | None,
    marker: tuple[str, str] | None,
    root: Path | None = None,
    registry: Registry | None = None,
) -> TemplateSource:
    """The schema to export a filled template with.

    ``spec`` is what the user named (``--schema``: NAME, NAME@VERSION or a path; None:
    the template's own), ``marker`` the (name, version) the workbook records, if any.
    A name without version gets the template's version while it is still published.
    ``registry``: the one already loaded, if any (else the one at ``root``).
    """
    if spec is None:
        if marker is None:
            raise SourceError(
                "Ce classeur n'indique pas son schéma : précisez-le avec --schema NOM (ou NOM@VERSION)."
            )
        return _from_marker(marker[0], marker[1], root, registry)
    if looks_like_path(spec) and "@" not in Path(spec).name:
        return resolve(spec, root, registry)
    name, version = split_spec(spec)
    if marker is not None and marker[0] != name:
        raise SourceError(
            f"Ce classeur est le modèle du schéma « {marker[0]} » (version {marker[1]}), pas de "
            f"« {name} ». Vérifiez --schema, ou téléchargez le modèle de « {name} »."
        )
    if version is None and marker is not None and marker[1]:
        try:
            return _from_marker(name, marker[1], root, registry)
        except SourceError:
            pass  # that version is gone: validate with the current one (a warning says so)
    return resolve(spec, root, registry)
