"""How the installed command ends (``cli.run``): without the interpreter's teardown, but
with its exit code, all of its output, its exit handlers and its threads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

COMMAND = [sys.executable, "-m", "esr_schemas.cli"]


def _schema(tmp_path: Path) -> Path:
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps(
            {
                "fields": [
                    {"name": "code", "type": "string", "constraints": {"required": True}},
                    {"name": "effectif", "type": "integer"},
                ]
            }
        ),
        encoding="utf-8",
    )
    return schema


def test_a_long_report_reaches_a_pipe_whole_with_the_exit_code(tmp_path: Path) -> None:
    """More than a pipe holds (64 KB): every byte is written before the process ends."""
    data = tmp_path / "donnees.csv"
    rows = "".join(f"C{i};pas un nombre {i}\n" for i in range(3000))
    data.write_text("code;effectif\n" + rows, encoding="utf-8")
    result = subprocess.run(
        [*COMMAND, "validate", str(data), "--schema", str(_schema(tmp_path)), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert len(result.stdout) > 65536
    report = json.loads(result.stdout)
    assert len(report["errors"]) == 3000
    assert result.stderr == ""


def test_valid_file_usage_error_and_help_keep_their_codes(tmp_path: Path) -> None:
    data = tmp_path / "donnees.csv"
    data.write_text("code;effectif\nA;1\n", encoding="utf-8")
    valid = subprocess.run(
        [*COMMAND, "validate", str(data), "--schema", str(_schema(tmp_path))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert valid.returncode == 0, valid.stderr
    assert "VALIDE" in valid.stdout
    usage = subprocess.run([*COMMAND, "valider"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2
    assert "choix invalide" in usage.stderr
    shown = subprocess.run([*COMMAND, "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0
    assert "validate" in shown.stdout


def _run_with(tmp_path: Path, setup: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    marker = tmp_path / "marque.txt"
    code = (
        "import atexit, sys, threading, time\n"
        "from esr_schemas import cli\n"
        f"marker = {str(marker)!r}\n"
        f"{setup}\n"
        "sys.argv = ['esr-schemas', '--help']\n"
        "cli.run()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    return result, marker


def test_exit_handlers_run_and_their_output_is_flushed(tmp_path: Path) -> None:
    result, marker = _run_with(
        tmp_path,
        "def handler():\n"
        "    open(marker, 'w').write('fait')\n"
        "    sys.stdout.write('fin du gestionnaire')\n"
        "atexit.register(handler)",
    )
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "fait"
    assert result.stdout.endswith("fin du gestionnaire")


def test_a_thread_still_running_is_waited_for(tmp_path: Path) -> None:
    """A command that leaves a thread working ends the usual way: the thread finishes."""
    result, marker = _run_with(
        tmp_path,
        "def late():\n"
        "    time.sleep(0.5)\n"
        "    open(marker, 'w').write('fini')\n"
        "threading.Thread(target=late).start()",
    )
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "fini"


def test_a_profiled_run_still_writes_its_profile(tmp_path: Path) -> None:
    """``python -m cProfile`` writes its results once the command has returned."""
    profile = tmp_path / "profil.out"
    result = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "esr_schemas.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert profile.stat().st_size > 0
