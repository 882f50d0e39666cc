"""Registry-wide settings read from the repository (the base URL lives in mkdocs.yml only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DEFAULT_SITE_URL = "https://schemas-esr.example.org/"


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose ``!!python/name:`` and ``!ENV`` tags safe_load refuses."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_TolerantLoader.add_multi_constructor("", _any_tag)


def mkdocs_config(root: Path) -> dict[str, Any]:
    path = root / "mkdocs.yml"
    if not path.is_file():
        return {}
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader)  # noqa: S506
    return data if isinstance(data, dict) else {}


def site_url(root: Path) -> str:
    """The one base URL every absolute link derives from (``site_url`` in mkdocs.yml)."""
    url = str(mkdocs_config(root).get("site_url") or DEFAULT_SITE_URL)
    return url if url.endswith("/") else url + "/"
