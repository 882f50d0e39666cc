"""Published versions never change and never disappear."""

from __future__ import annotations

from collections.abc import Iterator

from .. import semver
from ..findings import Finding, Severity
from ..snapshot import snapshot_files
from . import SchemaContext, rule

RESTORE = "Restaurez le fichier publié depuis git (git checkout <commit> -- {path}) ; pour changer le schéma, publiez une nouvelle version."


@rule(
    "published-version-modified",
    Severity.ERROR,
    "Les fichiers d'une version publiée n'ont pas changé depuis sa publication.",
)
def modified(ctx: SchemaContext) -> Iterator[Finding]:
    for version in ctx.entry.published:
        if not version.path.is_dir() or not version.recorded_hashes:
            continue
        actual = snapshot_files(version.path)
        for relpath in sorted(set(actual) | set(version.recorded_hashes)):
            file = ctx.rel(version.path / relpath)
            recorded = version.recorded_hashes.get(relpath)
            if recorded is None:
                message = f"Fichier ajouté à la version publiée {version.version} : {relpath}."
            elif relpath not in actual:
                message = f"Fichier supprimé de la version publiée {version.version} : {relpath}."
            elif actual[relpath] != recorded:
                message = (
                    f"Le fichier {relpath} de la version publiée {version.version} a été modifié."
                )
            else:
                continue
            yield ctx.finding(
                "published-version-modified", message, RESTORE.format(path=file), file=file
            )


@rule(
    "published-version-missing",
    Severity.ERROR,
    "Chaque version publiée (index, CHANGELOG) a son dossier complet sous versions/.",
)
def missing(ctx: SchemaContext) -> Iterator[Finding]:
    index_file = ctx.rel(ctx.entry.versions_index_file)
    published = {v.version: v for v in ctx.entry.published}
    for version in ctx.entry.published:
        if not version.path.is_dir():
            yield ctx.finding(
                "published-version-missing",
                f"La version {version.version} est inscrite comme publiée, mais son dossier a disparu.",
                RESTORE.format(path=ctx.rel(version.path)),
                file=index_file,
                pointer="/" + version.version,
            )
        elif not version.recorded_hashes:
            yield ctx.finding(
                "published-version-missing",
                f"Le dossier versions/{version.version} n'est pas inscrit dans versions/index.json.",
                "Une version se publie avec « esr-schemas release NOM » ; ne créez pas ce dossier à la main.",
                file=ctx.rel(version.path) + "/",
            )
    current = ctx.entry.version
    for entry in ctx.entry.changelog:
        if entry.version == current or not semver.is_semver(entry.version):
            continue
        if entry.version not in published:
            yield ctx.finding(
                "published-version-missing",
                f"Le CHANGELOG décrit la version {entry.version}, qui n'est plus publiée sous versions/.",
                RESTORE.format(path=ctx.rel(ctx.entry.path / "versions" / entry.version)),
                file=ctx.rel(ctx.entry.changelog_file),
                line=entry.line,
            )


@rule(
    "version-behind-published",
    Severity.ERROR,
    "La version courante n'est pas antérieure à la dernière version publiée.",
)
def behind(ctx: SchemaContext) -> Iterator[Finding]:
    current = ctx.entry.version
    latest = ctx.entry.latest_published
    if current is None or latest is None or not semver.is_semver(current):
        return
    if semver.sort_key(current) < semver.sort_key(latest.version):
        yield ctx.finding(
            "version-behind-published",
            f"La version courante {current} est antérieure à la version publiée {latest.version}.",
            f"Donnez au schéma une version supérieure ou égale à {latest.version}.",
            pointer="/version",
        )
