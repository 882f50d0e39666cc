"""The ``esr-schemas`` command: a thin layer over the library.

Exit codes: 0 clean, 1 findings or invalid data, 2 usage error or unusable input.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import importlib
import os
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
            .replace("(choose from ", "(valeurs possibles : ")
            .replace("invalid int value", "nombre entier invalide")
            .replace("invalid float value", "nombre invalide")
            .replace("ambiguous option", "option ambiguë")
            .replace("could match", "peut désigner")
            .replace("not allowed with argument", "incompatible avec l'argument")
            .replace("ignored explicit argument", "valeur non attendue")
        )
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog} : erreur : {translated}\n")
        sys.exit(EXIT_USAGE)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of command ``only`` alone (the one being run:
    the others' modules, some of which load the site's renderer, are not imported)."""
    parser = FrenchArgumentParser(
        prog="esr-schemas",
        description="Registre des schémas de données de l'enseignement supérieur et de la recherche.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser._positionals.title = "arguments"
    parser._optionals.title = "options"
    parser.add_argument(
        "--debug",
        action="store_true",
        help=f"en cas d'erreur inattendue, écrit le détail technique dans {DEBUG_LOG}",
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMANDE", title="commandes", parser_class=FrenchArgumentParser
    )
    for name in (only,) if only in COMMANDS else COMMANDS:
        module = importlib.import_module(f"esr_schemas.commands.{name}")
        module.register(subparsers)
    return parser


DEBUG_LOG = "esr-schemas-erreur.log"
"""Where ``--debug`` writes the traceback of an unexpected error (current folder)."""


def main(argv: Sequence[str] | None = None) -> int:
    # numpy's BLAS, never used here, would start one spinning thread per core at import
    # (0.03 to 0.1 s of processor time per command); a caller's setting is kept
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments  # accepted after the command's name too
    arguments = [a for a in arguments if a != "--debug"] if debug else arguments
    if arguments[:1] != ["serve"]:
        # a short command that imports polars and builds few cycles: the cyclic
        # collector, run every 700 new objects by default, cost 5 to 7 % of a
        # validation (perf); it still runs, 70 times less often (not in the server)
        gc.set_threshold(50_000, 20, 100)
    parser = build_parser(arguments[0] if arguments else None)
    args = parser.parse_args(arguments)
    args.debug = debug
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        sys.stderr.write("Interrompu.\n")
        return EXIT_USAGE
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as error:  # the last resort: never a traceback on the screen
        return _unexpected(error, debug)


def _unexpected(error: BaseException, debug: bool) -> int:
    """A French message for an error nothing else caught; the traceback goes to a log
    file with ``--debug`` only."""
    if isinstance(error, MemoryError):
        what = "la mémoire disponible ne suffit pas pour traiter ce fichier"
    elif isinstance(error, RecursionError):
        what = "le fichier est trop profondément imbriqué"
    elif isinstance(error, OSError):
        from .guards import os_reason

        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        what = f"erreur système{where} : {os_reason(error)}"
    else:
        what = "erreur interne inattendue"
    sys.stderr.write(f"esr-schemas : la commande n'a pas pu aboutir ({what}).\n")
    if debug:
        import traceback
        from pathlib import Path

        try:
            with Path(DEBUG_LOG).open("a", encoding="utf-8") as log:
                traceback.print_exception(error, file=log)
            sys.stderr.write(f"Le détail technique est dans {Path(DEBUG_LOG).resolve()}.\n")
        except OSError:
            sys.stderr.write("Le détail technique n'a pas pu être écrit.\n")
    sys.stderr.write(
        "Si le problème persiste, signalez-le aux mainteneurs du registre en joignant la "
        "commande lancée"
        + (" et ce fichier" if debug else " (relancez-la avec --debug pour un détail technique)")
        + ".\n"
    )
    return EXIT_USAGE


def run() -> None:
    """The installed command: :func:`main`, then an end without the interpreter's
    teardown.

    Once polars is imported, Python spends 50 to 130 ms (measured here) freeing every
    module's objects one by one before the process ends; the system frees the whole
    process at once. Exit handlers still run first (temporary folders, thread pools,
    logging) and the standard streams are flushed. The server, a command that left a
    thread running, or one run under a profiler or a tracer (which write their results
    at the end) ends the usual way. Tests call :func:`main` directly."""
    try:
        code = main()
    except SystemExit as stop:  # --help, usage errors
        if not isinstance(stop.code, int | None):
            raise
        code = stop.code or 0
    threading = sys.modules.get("threading")
    serving = [a for a in sys.argv[1:] if a != "--debug"][:1] == ["serve"]
    watched = sys.getprofile() is not None or sys.gettrace() is not None  # cProfile, coverage
    if serving or watched or (threading is not None and threading.active_count() > 1):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        # a reader that went away (| head), a closed stream: nothing more to say
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
