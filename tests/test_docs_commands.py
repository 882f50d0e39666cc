"""Every shell block of docs/ runs, against the real registry, with the files it needs.

Each ``bash``/``sh`` block is run with bash (``-e``: the first failing command fails the
block) in a scratch copy of the registry (``schemas/``, ``referentiels/``, the project
files), with ``.venv/bin`` first on PATH. A file a command reads is made first: a
``.csv`` given to ``validate`` is the schema's valid example; an ``.xlsx`` given to
``export`` is the schema's template with its Exemple sheet typed into « Données ».

A block that cannot run here says so just above itself, in a comment the site does not
show: ``<!-- non testé : la raison -->``; the test is then skipped with that reason.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import REPO

DOCS = REPO / "docs"
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[a-z]*)\s*$")
SKIP = re.compile(r"<!--\s*non testé\s*:\s*(?P<reason>.+?)\s*-->")
SHELLS = {"bash", "sh", "shell"}
MAX_LINE = 80  # wider lines are cut off in the site's code blocks at 1280 px


def shell_blocks() -> list[tuple[str, int, str, str | None]]:
    """(file, line, code, skip reason) of every shell block of docs/."""
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        index = 0
        while index < len(lines):
            match = FENCE.match(lines[index])
            if not match or not match["lang"]:
                index += 1
                continue
            end = index + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            if match["lang"] in SHELLS:
                previous = next((ln for ln in reversed(lines[:index]) if ln.strip()), "")
                skip = SKIP.search(previous)
                code = "\n".join(ln[len(match["indent"]) :] for ln in lines[index + 1 : end])
                found.append(
                    (path.relative_to(REPO).as_posix(), index + 1, code, skip and skip["reason"])
                )
            index = end + 1
    return found


BLOCKS = shell_blocks()


def _scratch_registry(root: Path) -> Path:
    for name in ("schemas", "referentiels"):
        shutil.copytree(REPO / name, root / name)
    for name in ("pyproject.toml", "mkdocs.yml"):
        shutil.copyfile(REPO / name, root / name)
    return root


def _schema_of(words: list[str]) -> str | None:
    if "--schema" in words:
        return words[words.index("--schema") + 1].split("@")[0]
    return None


def _make_inputs(code: str, cwd: Path) -> None:
    """The files the block's commands read, made from the real registry."""
    from esr_schemas.loader import load_registry
    from esr_schemas.templates import resolve, write_templates

    registry = load_registry(cwd)
    for line in code.splitlines():
        words = shlex.split(line, comments=True)
        if len(words) < 3 or words[0] != "esr-schemas" or words[1] not in ("validate", "export"):
            continue
        target = cwd / words[2]
        if target.exists():
            continue
        name = _schema_of(words) or "effectifs-etudiants"
        entry = registry.schemas[name]
        if target.suffix == ".csv":
            shutil.copyfile(entry.valid_examples[0], target)
        elif target.suffix == ".xlsx":
            xlsx, _ = write_templates(resolve(name, cwd), cwd / "modeles-vierges")
            workbook = load_workbook(xlsx)
            example, data = workbook["Exemple"], workbook["Données"]
            for row in example.iter_rows(min_row=2):
                for cell in row:
                    data.cell(row=cell.row, column=cell.column).value = cell.value
            workbook.save(target)


def test_docs_have_shell_blocks() -> None:
    assert len(BLOCKS) >= 5, BLOCKS


@pytest.mark.parametrize(
    ("doc", "line", "code", "skip"), BLOCKS, ids=[f"{d}:{n}" for d, n, _, _ in BLOCKS]
)
def test_shell_block_runs(doc: str, line: int, code: str, skip: str | None, tmp_path: Path) -> None:
    too_long = [ln for ln in code.splitlines() if len(ln) > MAX_LINE]
    assert not too_long, f"{doc}:{line} : ligne coupée à l'écran (plus de {MAX_LINE} caractères)"
    if skip:
        pytest.skip(f"{doc}:{line} non exécuté ici : {skip}")
    cwd = _scratch_registry(tmp_path / "registre")
    _make_inputs(code, cwd)
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        f"{doc}:{line} : code {result.returncode}\n{code}\n{result.stdout}\n{result.stderr}"
    )
