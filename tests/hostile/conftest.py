"""Fixtures of the hostile-input suite (the bounded runner is in ``bounded.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

BASE_REGISTRY = Path(__file__).resolve().parents[1] / "fixtures" / "base-registry"


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """A copy of the small clean registry (one schema ``demo``, version 1.0.0 published)."""
    root = tmp_path / "registry"
    shutil.copytree(BASE_REGISTRY, root)
    return root
