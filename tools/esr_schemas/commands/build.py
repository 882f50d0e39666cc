"""``esr-schemas build``: builds the whole registry into site/.

The mkdocs hook (``esr_schemas.docsite.plugin``) publishes every downloadable file
(``publish.publish`` and its producers) and generates the pages, so one mkdocs build
in strict mode produces the complete site.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ._common import UsageError, add_command, repo_root


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "build",
        help="construit le registre complet (fichiers publiés, modèles, catalogue, site) dans site/",
        description=(
            "Construit le registre complet dans site/ : les fichiers publiés de chaque version "
            "(schema.json, modèles Excel et CSV, exemples, datapackage.json), le catalogue et "
            "le site de documentation (mkdocs, mode strict).\n\n"
            "Exemple :\n  esr-schemas build\n  esr-schemas build --out /tmp/site"
        ),
        run=run,
    )
    parser.add_argument("--out", type=Path, help="dossier de sortie (par défaut : site/)")


MARKER = ".esr-schemas-build"
"""File left in every folder ``build`` made: only such a folder is emptied by a new build."""


def check_output_folder(root: Path, out: Path) -> None:
    """Refuse an output folder whose content the build would destroy: a folder of the
    repository, or a non-empty folder that an earlier build did not make."""
    root = root.resolve()
    if out == root or out in root.parents:
        raise UsageError(
            f"Le dossier de sortie {out} contient le dépôt : la construction le viderait. "
            "Choisissez un dossier vide ou nouveau (par défaut : site/)."
        )
    if root in out.parents and out != root / "site":
        top = root / out.relative_to(root).parts[0]
        if top.exists() and not (top / MARKER).is_file():
            raise UsageError(
                f"Le dossier de sortie {out} est dans « {top.name}/ », un dossier du dépôt : la "
                "construction y écraserait des fichiers. Choisissez un dossier hors du dépôt, ou "
                "site/ (par défaut)."
            )
    try:
        has_content = out.is_dir() and any(out.iterdir())
    except OSError as error:
        from ..guards import os_reason

        raise UsageError(f"Impossible de lire le dossier {out} : {os_reason(error)}.") from error
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} existe et n'est pas un dossier : --out attend un dossier.")
    # site/ is the repository's own build output (ignored by git), built there since
    # before the marker existed
    if has_content and not (out / MARKER).is_file() and out != root / "site":
        raise UsageError(
            f"Le dossier de sortie {out} n'est pas vide et n'a pas été créé par « esr-schemas "
            "build » : la construction le viderait. Choisissez un dossier vide ou nouveau, ou "
            "videz-le vous-même."
        )


def mark_output_folder(out: Path) -> None:
    (out / MARKER).write_text(
        "Dossier construit par « esr-schemas build » : il est vidé à chaque construction.\n",
        encoding="utf-8",
    )


def run(args: argparse.Namespace) -> int:
    from ..docsite.builder import SiteBuildError, build_site

    root = repo_root(args)
    if not (root / "schemas").is_dir():
        raise UsageError(f"Aucun dossier « schemas/ » dans {root} : passez --root vers le dépôt.")
    out = (args.out or root / "site").resolve()
    check_output_folder(root, out)
    if not (root / "mkdocs.yml").is_file():
        # A registry without a site configuration still gets its published files.
        from ..config import site_url
        from ..loader import load_registry
        from ..publish import publish

        publish(load_registry(root), out, site_url(root))
        mark_output_folder(out)
        sys.stdout.write(
            f"Fichiers publiés dans {out} (pas de mkdocs.yml dans {root} : site de documentation non construit).\n"
        )
        return 0
    start = time.perf_counter()
    try:
        build_site(root, out)
    except SiteBuildError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    mark_output_folder(out)
    pages = sum(1 for _ in out.rglob("index.html"))
    sys.stdout.write(
        f"Registre construit dans {out} ({pages} pages, {time.perf_counter() - start:.1f} s).\n"
    )
    return 0
