"""Builds the site with mkdocs' Python API, in strict mode (warnings fail the build)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

from .plugin import registry_root


class SiteBuildError(Exception):
    """The site could not be built; the message is French and says why."""


def build_site(
    root: Path, site_dir: Path, *, config_file: Path | None = None, strict: bool = True
) -> None:
    """Builds the registry at ``root`` into ``site_dir``.

    ``config_file`` defaults to ``root/mkdocs.yml``; pass another repository's file to
    build a registry that has no site configuration of its own (tests do).
    """
    config_path = config_file or root / "mkdocs.yml"
    if not config_path.is_file():
        raise SiteBuildError(f"Configuration du site introuvable : {config_path}.")
    _quiet_info_logs()
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    try:
        with registry_root(root.resolve()):
            config = load_config(
                config_file=str(config_path), site_dir=str(site_dir), strict=strict
            )
            build(config)
    except Abort as exc:
        match = re.search(r"(\d+) warning", str(exc))
        detail = f"{match.group(1)} avertissement(s) ci-dessus" if match else str(exc)
        raise SiteBuildError(
            f"Construction du site interrompue (mode strict) : {detail}. Corrigez chaque lien, "
            "ancre ou page signalé, puis relancez « esr-schemas build »."
        ) from exc
    except ConfigurationError as exc:
        raise SiteBuildError(f"Configuration du site invalide ({config_path}) : {exc}") from exc
    except PluginError as exc:
        raise SiteBuildError(str(exc)) from exc


class _FrenchFormatter(logging.Formatter):
    LEVELS = {"WARNING": "avertissement", "ERROR": "erreur", "CRITICAL": "erreur"}

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        level = self.LEVELS.get(record.levelname)
        return text.replace(f": {record.levelname} :", f": {level} :", 1) if level else text


def _quiet_info_logs() -> None:
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_esr", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)
        handler.setFormatter(_FrenchFormatter("site : %(levelname)s : %(message)s"))
        handler._esr = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False
