"""CHANGELOG.md: one section per version, the current version included."""

from __future__ import annotations

from collections.abc import Iterator

from .. import semver
from ..dates import is_iso_date
from ..findings import Finding, Severity
from . import SchemaContext, rule


@rule(
    "changelog-missing-entry",
    Severity.ERROR,
    "CHANGELOG.md existe et a une section pour la version courante.",
)
def missing_entry(ctx: SchemaContext) -> Iterator[Finding]:
    file = ctx.rel(ctx.entry.changelog_file)
    version = ctx.entry.version
    if not ctx.entry.changelog_file.is_file():
        yield ctx.finding(
            "changelog-missing-entry",
            "Le schéma n'a pas de CHANGELOG.md.",
            f"Créez CHANGELOG.md avec une section « ## {version or '1.0.0'} (AAAA-MM-JJ) ».",
            file=file,
        )
        return
    if version and version not in {e.version for e in ctx.entry.changelog}:
        yield ctx.finding(
            "changelog-missing-entry",
            f"CHANGELOG.md n'a pas de section pour la version courante {version}.",
            f"Ajoutez en tête « ## {version} (AAAA-MM-JJ) » suivi de la liste des changements.",
            file=file,
        )


@rule(
    "changelog-malformed",
    Severity.ERROR,
    "Les sections du CHANGELOG ont une version semver et une date ISO, de la plus récente à la plus ancienne.",
)
def malformed(ctx: SchemaContext) -> Iterator[Finding]:
    file = ctx.rel(ctx.entry.changelog_file)
    previous = None
    for entry in ctx.entry.changelog:
        if not semver.is_semver(entry.version):
            yield ctx.finding(
                "changelog-malformed",
                f"Titre de section « {entry.version} » : ce n'est pas une version X.Y.Z.",
                "Écrivez les titres de section sous la forme « ## 1.2.0 (2024-09-01) ».",
                file=file,
                line=entry.line,
            )
            continue
        if not is_iso_date(entry.date):
            yield ctx.finding(
                "changelog-malformed",
                f"La section {entry.version} n'a pas de date AAAA-MM-JJ.",
                f"Écrivez « ## {entry.version} (AAAA-MM-JJ) ».",
                file=file,
                line=entry.line,
            )
        if previous is not None and semver.sort_key(entry.version) >= semver.sort_key(previous):
            yield ctx.finding(
                "changelog-malformed",
                f"La section {entry.version} est placée après {previous} : l'ordre doit être décroissant.",
                "Placez les versions de la plus récente à la plus ancienne.",
                file=file,
                line=entry.line,
            )
        previous = entry.version
