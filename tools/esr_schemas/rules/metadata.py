"""Schema metadata: the schema.data.gouv.fr keys, present and well formed; no unknown key."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from .. import semver
from ..dates import parse_iso_date
from ..extensions import EXTENSION_KEY, FIELD_KEYS, SCHEMA_KEYS, STATUSES
from ..findings import Finding, Severity
from . import SchemaContext, iter_fields, pointer, rule

REQUIRED_KEYS = (
    "name",
    "title",
    "description",
    "version",
    "created",
    "lastModified",
    "homepage",
    "contributors",
    "licenses",
)

TOP_KEYS = {
    "$schema", "name", "title", "description", "version", "created", "lastModified",
    "updated", "homepage", "path", "contributors", "licenses", "resources", "sources",
    "countryCode", "keywords", "image", "fields", "primaryKey", "foreignKeys",
    "missingValues", "fieldsMatch", "custom_checks", EXTENSION_KEY,
}  # fmt: skip
FIELD_PROPS = {
    "name", "title", "description", "type", "format", "example", "constraints", "rdfType",
    "trueValues", "falseValues", "bareNumber", "decimalChar", "groupChar", "missingValues",
    EXTENSION_KEY,
}  # fmt: skip
CONSTRAINT_KEYS = {
    "required", "unique", "minLength", "maxLength", "minimum", "maximum", "pattern", "enum",
}  # fmt: skip
CONTRIBUTOR_KEYS = {"title", "email", "path", "role", "organisation", "organization"}
LICENSE_KEYS = {"name", "path", "title"}
SOURCE_KEYS = {"title", "path", "email"}
RESOURCE_KEYS = {"title", "path", "name", "description", "format", "mediatype", "encoding"}
FOREIGN_KEY_KEYS = {"fields", "reference"}
REFERENCE_KEYS = {"resource", "fields"}

URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$")


def _suggest(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    lowered = {k.lower(): k for k in known}
    if not close and key.lower() in lowered:
        close = [lowered[key.lower()]]
    return f" Vouliez-vous dire « {close[0]} » ?" if close else ""


def _unknown(
    ctx: SchemaContext, obj: Any, known: set[str], where: tuple[Any, ...], what: str
) -> Iterator[Finding]:
    if not isinstance(obj, dict):
        return
    for key in obj:
        if key in known:
            continue
        hint = _suggest(key, known)
        yield ctx.finding(
            "unknown-key",
            f"Clé inconnue « {key} » dans {what}.{hint}",
            (
                f"Renommez la clé{hint.replace(' Vouliez-vous dire', ' en').replace(' ?', '')}"
                if hint
                else f"Supprimez la clé, ou utilisez une clé connue ({', '.join(sorted(known))})."
            )
            + " Les extensions propres au registre vont sous « x-esr ».",
            pointer=pointer(*where, key),
        )


@rule(
    "unknown-key",
    Severity.ERROR,
    "Aucune clé inconnue ou mal orthographiée (« contraints », « exemple »…) : une suggestion est donnée.",
)
def unknown_keys(ctx: SchemaContext) -> Iterator[Finding]:
    d = ctx.descriptor
    yield from _unknown(ctx, d, TOP_KEYS, (), "le schéma")
    for list_key, known, what in (
        ("contributors", CONTRIBUTOR_KEYS, "un contributeur"),
        ("licenses", LICENSE_KEYS, "une licence"),
        ("sources", SOURCE_KEYS, "une source"),
        ("resources", RESOURCE_KEYS, "une ressource"),
        ("foreignKeys", FOREIGN_KEY_KEYS, "une clé étrangère"),
    ):
        items = d.get(list_key)
        if isinstance(items, list):
            for index, item in enumerate(items):
                yield from _unknown(ctx, item, known, (list_key, index), what)
                if list_key == "foreignKeys" and isinstance(item, dict):
                    yield from _unknown(
                        ctx,
                        item.get("reference"),
                        REFERENCE_KEYS,
                        (list_key, index, "reference"),
                        "une référence",
                    )
    yield from _unknown(
        ctx, d.get(EXTENSION_KEY), SCHEMA_KEYS, (EXTENSION_KEY,), "« x-esr » du schéma"
    )
    for index, field in iter_fields(d):
        name = field.get("name", index)
        yield from _unknown(ctx, field, FIELD_PROPS, ("fields", index), f"le champ « {name} »")
        yield from _unknown(
            ctx,
            field.get("constraints"),
            CONSTRAINT_KEYS,
            ("fields", index, "constraints"),
            f"les contraintes du champ « {name} »",
        )
        yield from _unknown(
            ctx,
            field.get(EXTENSION_KEY),
            FIELD_KEYS,
            ("fields", index, EXTENSION_KEY),
            f"« x-esr » du champ « {name} »",
        )


@rule(
    "metadata-missing", Severity.ERROR, "Les métadonnées obligatoires sont présentes et non vides."
)
def metadata_missing(ctx: SchemaContext) -> Iterator[Finding]:
    for key in REQUIRED_KEYS:
        value = ctx.descriptor.get(key)
        if value in (None, "", [], {}):
            yield ctx.finding(
                "metadata-missing",
                f"Métadonnée obligatoire absente ou vide : « {key} ».",
                f"Ajoutez « {key} » au schéma (voir CONTRIBUTING.md, section métadonnées).",
                pointer=pointer(key) if key in ctx.descriptor else "",
            )


@rule(
    "metadata-invalid",
    Severity.ERROR,
    "Les métadonnées sont bien formées (nom, version semver, dates ISO, URL, licences, contributeurs).",
)
def metadata_invalid(ctx: SchemaContext) -> Iterator[Finding]:
    d = ctx.descriptor
    name = d.get("name")
    if name is not None and name != ctx.entry.name:
        yield ctx.finding(
            "metadata-invalid",
            f"Le nom « {name} » diffère du nom du dossier « {ctx.entry.name} ».",
            f'Écrivez "name": "{ctx.entry.name}" (ou renommez le dossier).',
            pointer="/name",
        )
    version = d.get("version")
    if version is not None and not semver.is_semver(version):
        yield ctx.finding(
            "metadata-invalid",
            f"La version « {version} » n'est pas une version sémantique stricte.",
            "Écrivez MAJEUR.MINEUR.CORRECTIF, sans préfixe ni zéro en tête, par exemple « 1.2.0 ».",
            pointer="/version",
        )
    dates: dict[str, date] = {}
    for key in ("created", "lastModified", "updated"):
        value = d.get(key)
        if value is None:
            continue
        parsed = parse_iso_date(value)
        if parsed is None:
            yield ctx.finding(
                "metadata-invalid",
                f"La date « {value} » de « {key} » n'est pas au format ISO AAAA-MM-JJ.",
                "Écrivez la date au format AAAA-MM-JJ, par exemple « 2024-09-01 ».",
                pointer=pointer(key),
            )
        else:
            dates[key] = parsed
    if "created" in dates and "lastModified" in dates and dates["lastModified"] < dates["created"]:
        yield ctx.finding(
            "metadata-invalid",
            "« lastModified » est antérieure à « created ».",
            "Corrigez l'une des deux dates.",
            pointer="/lastModified",
        )
    for key in ("homepage", "path"):
        value = d.get(key)
        if value is not None and not (isinstance(value, str) and URL.match(value)):
            yield ctx.finding(
                "metadata-invalid",
                f"« {key} » doit être une URL http(s) absolue.",
                "Écrivez une URL complète, par exemple « https://… ».",
                pointer=pointer(key),
            )
    for key, required in (("contributors", "title"), ("licenses", "title"), ("sources", "title")):
        items = d.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            yield ctx.finding(
                "metadata-invalid",
                f"« {key} » doit être une liste d'objets.",
                f'Écrivez « {key} » sous la forme [{{"title": …}}].',
                pointer=pointer(key),
            )
            continue
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not item.get(required) and not item.get("name"):
                yield ctx.finding(
                    "metadata-invalid",
                    f"L'élément {index + 1} de « {key} » n'a pas de « {required} ».",
                    f"Donnez un « {required} » à chaque élément de « {key} ».",
                    pointer=pointer(key, index),
                )
    extension = d.get("x-esr")
    if isinstance(extension, dict):
        status = extension.get("status")
        if status is not None and status not in STATUSES:
            yield ctx.finding(
                "metadata-invalid",
                f"Statut « {status} » inconnu.",
                f"Utilisez l'un de : {', '.join(sorted(STATUSES))}.",
                pointer="/x-esr/status",
            )


@rule("readme-missing", Severity.ERROR, "Le schéma a un README.md avec une section « Contexte ».")
def readme_missing(ctx: SchemaContext) -> Iterator[Finding]:
    readme = ctx.entry.readme
    file = ctx.rel(ctx.entry.path / "README.md")
    if readme is None:
        yield ctx.finding(
            "readme-missing",
            "Le schéma n'a pas de README.md.",
            "Ajoutez README.md avec au moins une section « ## Contexte ».",
            file=file,
        )
    elif not re.search(r"^#+\s*Contexte\b", readme, flags=re.MULTILINE | re.IGNORECASE):
        yield ctx.finding(
            "readme-missing",
            "Le README.md n'a pas de section « Contexte ».",
            "Ajoutez un titre « ## Contexte » qui décrit les données, qui les publie et leur base légale.",
            file=file,
        )
