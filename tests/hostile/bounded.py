"""The bounded runner of the hostile-input suite: the real command line in a child process.

Each run gets a CPU-time limit and an address-space limit set in the child itself
(``resource.setrlimit`` before ``exec``), and a wall-clock deadline: a hang or a memory
blow-up fails the test instead of stalling the suite or the machine.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# words that only a French sentence of ours carries (accents included)
FRENCH = re.compile(
    r"(fichier|schéma|classeur|dossier|ligne|version|motif|publié|refusé|erreur)", re.I
)
ENGLISH = re.compile(
    r"(Traceback|Error:|Exception|Permission denied|No such file|Expecting|KeyError|"
    r"Connection refused|Errno|panicked|RUST_BACKTRACE)"
)


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def run_cli(
    *args: str | Path,
    cwd: Path | None = None,
    seconds: int = 60,
    memory_mb: int = 1536,
    stdin: int | None = subprocess.DEVNULL,
) -> Run:
    """``esr-schemas ARGS`` in a child process under CPU, memory and wall-clock limits."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "esr_schemas.cli", *map(str, args)],
            cwd=cwd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=seconds * 2,
            preexec_fn=limits,
            stdin=stdin,
            env=env,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"esr-schemas {' '.join(map(str, args))} : plus de {seconds * 2} s (blocage)")
    return Run(done.returncode, done.stdout, done.stderr)


def assert_refused(run: Run, code: int = 2) -> None:
    """The run ended with ``code``, a French message, and nothing technical in English."""
    assert run.code == code, run.text[-2000:]
    assert FRENCH.search(run.text), run.text[-2000:]
    assert not ENGLISH.search(run.text), run.text[-2000:]


def digest(path: Path) -> str:
    """A hash of a file or of a whole folder (paths and contents), links not followed."""
    h = hashlib.sha256()
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            h.update(str(p.relative_to(path)).encode())
            if p.is_symlink():
                h.update(os.readlink(p).encode())
            elif p.is_file():
                h.update(p.read_bytes())
    else:
        h.update(path.read_bytes())
    return h.hexdigest()
