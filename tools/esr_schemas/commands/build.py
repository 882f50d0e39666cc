"""``esr-schemas build``: builds the whole registry into site/."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import site_url
from ..loader import find_root, load_registry
from ..publish import publish


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="construit le registre complet (fichiers publiés, modèles, catalogue, site) dans site/",
        description="Construit le registre complet dans site/.\n\nExemple :\n  esr-schemas build",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", type=Path, help="dossier du dépôt (par défaut : détecté)")
    parser.add_argument("--out", type=Path, help="dossier de sortie (par défaut : site/)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = args.root or find_root()
    registry = load_registry(root)
    out = args.out or root / "site"
    publish(registry, out, site_url(root))
    sys.stdout.write(f"Registre construit dans {out}.\n")
    return 0
