"""Regular expressions of schemas (``pattern``), always in linear time or under a budget.

A pattern has frictionless' meaning: ``re.match("^" + pattern + "$", cell)``. Most
patterns translate to Rust's ``regex`` crate (see ``columns.rust_translation``), which
polars runs in linear time: catastrophic backtracking cannot happen. The others (look-
around, back-references) run in Python's ``re`` in a child process with a total time
budget; past it the schema is refused, whatever else the validation was doing. Field
patterns and ``arrayItem`` patterns go through the same two paths.

Google's RE2 is linear too but reads ``\\d`` and ``\\w`` as ASCII only, where Python and
Rust read them as Unicode: it would change verdicts, so it is not used for matching.
"""

from __future__ import annotations

import contextlib
import json
import re
import select
import subprocess
import sys
import threading
import time
import warnings
import weakref
from typing import Any

from .errors import SchemaUnusable

PATTERN_TIME_BUDGET = 10.0
"""Seconds of Python ``re`` work one pattern may cost over a whole validation."""

_WORKER = """
import json, re, sys
compiled = re.compile(sys.argv[1])
for line in sys.stdin:
    values = json.loads(line)
    sys.stdout.write(json.dumps([compiled.match(v) is not None for v in values]) + "\\n")
    sys.stdout.flush()
"""


def check_compiles(pattern: Any, where: str) -> str:
    """``pattern`` if Python's ``re`` compiles it (frictionless' engine); a French
    refusal otherwise. ``where`` names it: « du champ « x » »."""
    if not isinstance(pattern, str):
        raise SchemaUnusable(f"Schéma invalide : le motif (pattern) {where} doit être un texte.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # "possible nested set"
            re.compile(f"^{pattern}$")
    except (re.error, RecursionError, OverflowError, ValueError) as error:
        position = getattr(error, "pos", None)
        reason = f" (position {position})" if position is not None else ""
        raise SchemaUnusable(
            f"Le motif (pattern) {where} n'est pas une expression régulière valide{reason}. "
            "Corrigez le schéma."
        ) from error
    return pattern


def rust_pattern(pattern: str) -> str | None:
    """The anchored Rust form of ``pattern`` with Python's meaning, or None when it does
    not translate (or does not compile in Rust)."""
    import polars as pl

    from .columns import rust_translation

    translated = rust_translation(pattern)
    if translated is None:
        return None
    rust = "^(?:^" + translated + "(?:\\n?\\z))"
    try:
        pl.Series(["x"]).str.contains(rust)
    except Exception:
        return None
    return rust


def too_costly(where: str) -> SchemaUnusable:
    return SchemaUnusable(
        f"Le motif (pattern) {where} est trop coûteux à évaluer (plus de "
        f"{PATTERN_TIME_BUDGET:.0f} s : retour arrière catastrophique, « ReDoS »). Simplifiez "
        "l'expression régulière du schéma (évitez les répétitions imbriquées comme (a+)+ et les "
        "références arrière)."
    )


class BudgetedPattern:
    """Python ``re`` in a child process, with one time budget for all its calls.

    Thread-safe: the validation judges several batches at once."""

    def __init__(self, pattern: str, where: str) -> None:
        self.pattern = pattern
        self.where = where
        self.left = PATTERN_TIME_BUDGET
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self._process is None:
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _WORKER, f"^{self.pattern}$"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                errors="surrogatepass",
            )
            weakref.finalize(self, _stop, self._process)
        return self._process

    def matches(self, values: list[str]) -> list[bool]:
        """Whether each value matches; :class:`SchemaUnusable` once the budget is spent."""
        if not values:
            return []
        with self._lock:
            if self.left <= 0:
                raise too_costly(self.where)
            process = self._start()
            assert process.stdin is not None and process.stdout is not None
            start = time.monotonic()
            try:
                process.stdin.write(json.dumps(values) + "\n")
                process.stdin.flush()
                ready, _, _ = select.select([process.stdout], [], [], self.left)
                line = process.stdout.readline() if ready else ""
            except (OSError, ValueError):
                line = ""
            self.left -= time.monotonic() - start
            if not line:
                self.left = 0
                _stop(process)
                raise too_costly(self.where)
            return [bool(v) for v in json.loads(line)]

    def __call__(self, value: Any) -> bool:
        return self.matches([str(value)])[0]


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
