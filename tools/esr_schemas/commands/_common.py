"""What the command modules share: their parser, their registry, their usage errors.

A command module stays thin: ``register`` declares its parser with :func:`add_command`,
``run`` loads the registry with :func:`load`, calls the library and prints. Any
:class:`UsageError` raised on the way becomes its French message on stderr and exit
code 2 (see :func:`usage_errors`).

Two kinds of commands:

- the ones that read a registry by schema name (``validate``, ``template``, ``export``,
  ``diff``) work anywhere: :func:`load` takes the registry that
  ``registry_source.locate`` chooses (``--root``/``--registre``, then the variable
  ``ESR_SCHEMAS_REGISTRE``, the repository around the current folder, the registry
  installed with the package); they declare ``--registre`` with ``reads_registry=True``;
- the ones that work on the repository's sources (``check``, ``release``, ``new``,
  ``build``) need a checkout: :func:`repo_root` and :func:`load_repository`.
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
    from ..registry_source import RegistrySource

EXIT_USAGE = 2

# registry_source.ENV_VAR, spelt here so that parsers load no network module
# (tests/test_cli_startup.py checks they agree).
ENV_VAR = "ESR_SCHEMAS_REGISTRE"

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
    subparsers: argparse._SubParsersAction,
    name: str,
    *,
    help: str,
    description: str,
    run: Handler,
    reads_registry: bool = False,
) -> argparse.ArgumentParser:
    """The parser of command ``name``, with ``--root`` and its handler (``run``) set.

    ``reads_registry``: the command reads schemas by name from any registry, and gets
    ``--registre`` too.
    """
    parser = subparsers.add_parser(
        name,
        help=help,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if reads_registry:
        parser.add_argument(
            "--root", type=Path, metavar="DOSSIER", help="dossier du registre (comme --registre)"
        )
        parser.add_argument(
            "--registre",
            metavar="DOSSIER|ADRESSE",
            help=f"registre à lire : un dossier, ou l'adresse d'un site publié (par défaut : "
            f"variable {ENV_VAR}, sinon le dépôt où l'on se trouve, sinon le registre fourni "
            "avec l'outil)",
        )
    else:
        parser.add_argument("--root", type=Path, help="dossier du dépôt (par défaut : détecté)")
    parser.set_defaults(handler=usage_errors(run))
    return parser


def repo_root(args: argparse.Namespace) -> Path:
    """The repository a command on the registry's sources works on: ``--root``, else the
    checkout around the current folder."""
    from ..loader import find_root

    if args.root is not None:
        return Path(args.root).resolve()
    try:
        return find_root()
    except FileNotFoundError:
        command = getattr(args, "command", None) or "cette commande"
        raise UsageError(
            f"« esr-schemas {command} » travaille sur les sources du registre, dans une copie "
            f"de son dépôt, et aucun dépôt n'a été trouvé depuis le dossier {Path.cwd()}. "
            "Lancez-la depuis une copie du dépôt (dossier contenant « schemas/ » et "
            "« pyproject.toml »), ou passez --root DOSSIER_DU_DEPOT."
        ) from None


def load_repository(args: argparse.Namespace) -> Registry:
    """The registry of the repository the command works on."""
    from ..loader import load_registry

    return load_registry(repo_root(args))


def registry_source(args: argparse.Namespace, quiet: bool = False) -> RegistrySource:
    """The registry a reading command uses; said on stderr when it matters (unless quiet)."""
    from ..registry_source import RegistryUnavailable, locate

    try:
        source = locate(args.root, getattr(args, "registre", None))
    except RegistryUnavailable as exc:
        raise UsageError(str(exc)) from None
    if not quiet:
        for line in source.statements():
            sys.stderr.write(f"{line}\n")
    return source


def load(args: argparse.Namespace, quiet: bool = False, with_schemas: bool = True) -> Registry:
    """The registry a reading command looks schema names up in (only its référentiels
    with ``with_schemas=False``)."""
    from ..loader import load_registry

    return load_registry(registry_source(args, quiet).root, with_schemas=with_schemas)


def names_a_schema(spec: str) -> bool:
    """``NAME`` or ``NAME@X.Y.Z`` (looked up in a registry), not a file's path or an address."""
    from ..templates.source import looks_like_path

    if spec.startswith(("http://", "https://")):
        return False
    return not (looks_like_path(spec) and "@" not in Path(spec).name)


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
