"""`check` on the 40 real schemas of schema.data.gouv.fr: never a crash, real findings."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import corpus_files

ESR = Path(sys.executable).parent / "esr-schemas"


@pytest.fixture(scope="module")
def corpus_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = corpus_files()
    if not files:
        pytest.skip("corpus schema.data.gouv.fr absent (../shared/corpus)")
    root = tmp_path_factory.mktemp("corpus")
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    for path in files:
        folder = root / "schemas" / path.stem.split("__", 1)[1]
        folder.mkdir(parents=True)
        shutil.copyfile(path, folder / "schema.json")
    return root


def test_check_never_crashes_on_the_corpus(corpus_registry: Path) -> None:
    run = subprocess.run(
        [str(ESR), "check", "--root", str(corpus_registry), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    findings = report["findings"]
    by_rule = Counter(f["rule"] for f in findings)
    schemas = {f.get("schema") for f in findings}
    print("\nConstats sur le corpus schema.data.gouv.fr, par règle :")
    for rule_id, count in by_rule.most_common():
        print(f"  {rule_id:35} {count:5}")
    print(f"  total : {len(findings)} constats sur {len(schemas)} schémas")
    misspelt = {
        (f["schema"], f["pointer"].rsplit("/", 1)[-1])
        for f in findings
        if f["rule"] == "unknown-key" and f["pointer"].endswith(("/contraints", "/exemple"))
    }
    # The corpus holds 8 fields with "contraints" and 3 with "exemple" (counted from the files).
    assert (
        sum(
            1
            for f in findings
            if f["rule"] == "unknown-key" and f["pointer"].endswith("/contraints")
        )
        == 8
    )
    assert (
        sum(1 for f in findings if f["rule"] == "unknown-key" and f["pointer"].endswith("/exemple"))
        == 3
    )
    assert misspelt
    hints = [f["message"] for f in findings if f.get("pointer", "").endswith("/contraints")]
    assert all("Vouliez-vous dire « constraints »" in h for h in hints)
