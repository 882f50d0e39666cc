"""Shared test helpers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "schema-data-gouv"
BASE_REGISTRY = Path(__file__).resolve().parent / "fixtures" / "base-registry"


def require_program(name: str) -> str:
    """Path of a system program; skip with a reason when absent, fail under ESR_REQUIRE_ALL=1."""
    path = shutil.which(name)
    if path:
        return path
    message = f"programme « {name} » absent de cette machine (installez-le : voir .ci/run)"
    if os.environ.get("ESR_REQUIRE_ALL") == "1":
        pytest.fail(message + " — ESR_REQUIRE_ALL=1 interdit de sauter ce test")
    pytest.skip(message)


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        if os.environ.get("ESR_REQUIRE_ALL") == "1":
            pytest.fail(f"corpus absent : {CORPUS}")
        return []
    return sorted(CORPUS.glob("*.json"))


@pytest.fixture
def base_registry(tmp_path: Path) -> Path:
    """A copy of the minimal clean registry used by rule fixtures."""
    root = tmp_path / "registry"
    shutil.copytree(BASE_REGISTRY, root)
    return root
