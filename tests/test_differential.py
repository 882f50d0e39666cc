"""Our engine against frictionless-py on generated files (registry + 40 real schemas).

Known, documented divergences are excluded in ``differential/harness.py``
(``comparable``: foreign keys to other resources; ``excluded``: frictionless's header-row
guess). Open disagreements found by the wider fuzzing (tab and pipe delimiters, header
variants with an extra column) are listed in the xfail test below, not hidden.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from differential.harness import (
    comparable,
    disagreement,
    excluded,
    generate,
    header_variants,
    write_csv,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "schema-data-gouv"
SCHEMAS = sorted(ROOT.glob("schemas/*/schema.json")) + sorted(CORPUS.glob("*.json"))


@pytest.mark.parametrize("schema_path", SCHEMAS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_same_errors_as_frictionless(schema_path: Path, tmp_path: Path) -> None:
    descriptor = comparable(json.loads(schema_path.read_text(encoding="utf-8")))
    labels, rows = generate(descriptor, seed=0)
    path = write_csv(tmp_path / "data.csv", labels, rows, delimiter=",")
    reason = excluded(path)
    if reason:
        pytest.skip(f"divergence documentée : {reason}")
    assert disagreement(path, descriptor) is None


@pytest.mark.slow
@pytest.mark.xfail(
    reason="open: some tab/pipe-delimited and header-variant files still disagree", strict=False
)
@pytest.mark.parametrize("delimiter", ["\t", "|"])
def test_other_delimiters_and_headers(delimiter: str, tmp_path: Path) -> None:
    import random

    problems = []
    for schema_path in SCHEMAS:
        descriptor = comparable(json.loads(schema_path.read_text(encoding="utf-8")))
        labels, rows = generate(descriptor, seed=3)
        for index, variant in enumerate([labels, *header_variants(labels, random.Random(0))]):
            path = write_csv(
                tmp_path / f"{schema_path.stem}-{index}.csv", variant, rows, delimiter=delimiter
            )
            if excluded(path):
                continue
            problem = disagreement(path, descriptor)
            if problem:
                problems.append(f"{schema_path.stem}-{index}: {problem[:200]}")
    assert not problems, "\n".join(problems[:10])
