"""The command's parser loads no heavy library: each command imports what it needs
when it runs (the speed of ``esr-schemas --help`` is measured in ``benchmarks/``)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("polars", "numpy", "mkdocs", "openpyxl", "fastexcel", "frictionless", "jinja2", "yaml")


def test_the_parser_imports_no_heavy_module() -> None:
    code = (
        "import sys\n"
        "from esr_schemas.cli import build_parser\n"
        "build_parser().format_help()\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_help_still_lists_every_command() -> None:
    from esr_schemas.cli import COMMANDS

    result = subprocess.run(
        [sys.executable, "-m", "esr_schemas.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.stdout


def test_the_working_version_name_is_the_versioning_one() -> None:
    from esr_schemas.commands import diff
    from esr_schemas.versioning import WORKING

    assert diff.WORKING == WORKING


def test_parsers_name_the_registry_variable_of_the_library() -> None:
    from esr_schemas import registry_source
    from esr_schemas.commands import _common

    assert _common.ENV_VAR == registry_source.ENV_VAR
