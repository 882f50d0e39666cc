"""The ``esr-schemas`` command: a thin layer over the library.

Exit codes: 0 clean, 1 findings or invalid data, 2 usage error or unusable input.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each name is a module of esr_schemas.commands exposing ``register(subparsers)``.
COMMANDS = ("check", "build", "template", "export", "diff", "release", "new", "validate", "serve")

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


_HELP_FR = (
    ("usage: ", "utilisation : "),
    ("positional arguments:", "arguments :"),
    ("options:", "options :"),
    ("commandes:", "commandes :"),
    ("show this help message and exit", "affiche cette aide et quitte"),
)


def _french(text: str) -> str:
    for english, french in _HELP_FR:
        text = text.replace(english, french)
    return text


class FrenchArgumentParser(argparse.ArgumentParser):
    """argparse with French help, French usage errors and exit code 2."""

    def format_help(self) -> str:
        return _french(super().format_help())

    def format_usage(self) -> str:
        return _french(super().format_usage())

    def error(self, message: str) -> None:  # type: ignore[override]
        translated = (
            message.replace(
                "the following arguments are required", "arguments obligatoires manquants"
            )
            .replace("unrecognized arguments", "arguments inconnus")
            .replace("invalid choice", "choix invalide")
            .replace("expected one argument", "une valeur est attendue")
            .replace("argument ", "argument ")
        )
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog} : erreur : {translated}\n")
        sys.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="esr-schemas",
        description="Registre des schémas de données de l'enseignement supérieur et de la recherche.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser._positionals.title = "arguments"
    parser._optionals.title = "options"
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMANDE", title="commandes", parser_class=FrenchArgumentParser
    )
    for name in COMMANDS:
        module = importlib.import_module(f"esr_schemas.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        sys.stderr.write("Interrompu.\n")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
