"""What the command modules share: their parser, their registry, their usage errors.

A command module stays thin: ``register`` declares its parser with :func:`add_command`,
``run`` loads the registry with :func:`load`, calls the library and prints. Any
:class:`UsageError` raised on the way becomes its French message on stderr and exit
code 2 (see :func:`usage_errors`).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the registry's modules load with the command that needs them
    from ..model import Registry, SchemaEntry

EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """A usage error or an unusable input; the message is French and says how to fix it."""


def usage_errors(run: Handler) -> Handler:
    """``run``, with a :class:`UsageError` written to stderr and turned into exit code 2."""

    @functools.wraps(run)
    def guarded(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except UsageError as exc:
            sys.stderr.write(f"{exc}\n")
            return EXIT_USAGE

    return guarded


def add_command(
    subparsers: argparse._SubParsersAction, name: str, *, help: str, description: str, run: Handler
) -> argparse.ArgumentParser:
    """The parser of command ``name``, with ``--root`` and its handler (``run``) set."""
    parser = subparsers.add_parser(
        name,
        help=help,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", type=Path, help="dossier du dépôt (par défaut : détecté)")
    parser.set_defaults(handler=usage_errors(run))
    return parser


def repo_root(args: argparse.Namespace) -> Path:
    """The repository: ``--root``, else found from the current folder."""
    from ..loader import find_root

    try:
        return Path(args.root or find_root()).resolve()
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc


def load(args: argparse.Namespace) -> Registry:
    """The registry of the repository the command works on."""
    from ..loader import load_registry

    return load_registry(repo_root(args))


def schema_entry(registry: Registry, name: str) -> SchemaEntry:
    """The registry's schema ``name``; a usage error naming the known ones otherwise."""
    from .. import resolve

    try:
        return resolve.schema_entry(registry, name)
    except resolve.ResolveError as exc:
        raise UsageError(str(exc)) from None


def iso_date(value: str) -> str:
    """``value`` if it is a real AAAA-MM-JJ date; a usage error otherwise."""
    from ..dates import is_iso_date

    if not is_iso_date(value):
        raise UsageError(f"Date invalide « {value} » : attendu AAAA-MM-JJ, par exemple 2026-09-01.")
    return value
