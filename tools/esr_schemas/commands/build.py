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


def run(args: argparse.Namespace) -> int:
    from ..docsite.builder import SiteBuildError, build_site

    root = repo_root(args)
    if not (root / "schemas").is_dir():
        raise UsageError(f"Aucun dossier « schemas/ » dans {root} : passez --root vers le dépôt.")
    out = (args.out or root / "site").resolve()
    if not (root / "mkdocs.yml").is_file():
        # A registry without a site configuration still gets its published files.
        from ..config import site_url
        from ..loader import load_registry
        from ..publish import publish

        publish(load_registry(root), out, site_url(root))
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
    pages = sum(1 for _ in out.rglob("index.html"))
    sys.stdout.write(
        f"Registre construit dans {out} ({pages} pages, {time.perf_counter() - start:.1f} s).\n"
    )
    return 0
