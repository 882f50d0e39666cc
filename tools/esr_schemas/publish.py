"""Publishes the registry's downloadable files under stable per-version paths.

Layout under the output folder (``site/`` for ``make build``)::

    schemas/<name>/<version>/schema.json      byte-identical to the published snapshot
    schemas/<name>/<version>/exemples/...     the snapshot's examples
    schemas/<name>/<version>/CHANGELOG.md, README.md
    schemas/<name>/latest/...                 a copy of the newest published version

Other outputs plug in through ``VERSION_PRODUCERS`` (called for every published
version folder) and ``REGISTRY_PRODUCERS`` (called once, after all versions).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .catalog import write_catalog, write_feed
from .datapackage import write_datapackage
from .model import PublishedVersion, Registry, SchemaEntry
from .templates.writer import version_templates


@dataclass(frozen=True)
class PublishContext:
    registry: Registry
    out_dir: Path
    base_url: str

    def version_dir(self, name: str, version: str) -> Path:
        return self.out_dir / "schemas" / name / version

    def url(self, relative: str) -> str:
        return self.base_url + relative.lstrip("/")


VersionProducer = Callable[[PublishContext, SchemaEntry, PublishedVersion, Path], None]
RegistryProducer = Callable[[PublishContext], None]


def copy_snapshot(
    ctx: PublishContext, entry: SchemaEntry, version: PublishedVersion, dest: Path
) -> None:
    """Copies the immutable snapshot files as they are, byte for byte."""
    for source in sorted(version.path.rglob("*")):
        if source.is_file():
            target = dest / source.relative_to(version.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


VERSION_PRODUCERS: list[VersionProducer] = [copy_snapshot, version_templates, write_datapackage]
REGISTRY_PRODUCERS: list[RegistryProducer] = [write_catalog, write_feed]


def publish(registry: Registry, out_dir: Path, base_url: str) -> PublishContext:
    ctx = PublishContext(registry=registry, out_dir=out_dir, base_url=base_url)
    for entry in registry.schemas.values():
        for version in entry.published:
            dest = ctx.version_dir(entry.name, version.version)
            dest.mkdir(parents=True, exist_ok=True)
            for produce in VERSION_PRODUCERS:
                produce(ctx, entry, version, dest)
        latest = entry.latest_published
        if latest is not None:
            latest_dir = ctx.version_dir(entry.name, "latest")
            if latest_dir.exists():
                shutil.rmtree(latest_dir)
            shutil.copytree(ctx.version_dir(entry.name, latest.version), latest_dir)
    for produce_all in REGISTRY_PRODUCERS:
        produce_all(ctx)
    return ctx
