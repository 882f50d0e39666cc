"""Builds the package with the registry inside it, so that the installed tool works anywhere.

Everything else is declared in ``pyproject.toml``. At build time, ``schemas/`` and
``referentiels/`` are copied from the repository into ``esr_schemas/registre/`` of the
build folder (never into ``tools/``: the copy is built, not committed), with a one-line
``mkdocs.yml`` carrying the site's base URL, which the notices of the templates link to.
The loader reads that folder like any registry and verifies each published version
against the hashes recorded in its ``versions/index.json``.

An editable install copies nothing: the package then finds the checkout it lives in.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
REGISTRY_FOLDERS = ("schemas", "referentiels")
PACKAGED_REGISTRY = Path("esr_schemas") / "registre"
SITE_URL = re.compile(r"^site_url:\s*[\"']?(?P<url>[^\"'\s#]+)", re.MULTILINE)


def _skipped(path: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in path.parts)


class BuildWithRegistry(build_py):
    """``build_py``, plus the registry's data copied into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / PACKAGED_REGISTRY
        if target.exists():
            shutil.rmtree(target)  # a previous build's copy, never the repository
        for folder in REGISTRY_FOLDERS:
            source = HERE / folder
            if not source.is_dir():
                raise SystemExit(
                    f"Construction impossible : dossier « {folder}/ » absent de {HERE}."
                )
            for path in sorted(source.rglob("*")):
                relative = path.relative_to(HERE)
                if path.is_file() and not _skipped(relative):
                    (target / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target / relative)
        mkdocs = HERE / "mkdocs.yml"
        found = SITE_URL.search(mkdocs.read_text(encoding="utf-8")) if mkdocs.is_file() else None
        if found:
            (target / "mkdocs.yml").write_text(
                f"# Adresse du site du registre, reprise de mkdocs.yml à la construction.\n"
                f"site_url: {found['url']}\n",
                encoding="utf-8",
            )


setup(cmdclass={"build_py": BuildWithRegistry})
