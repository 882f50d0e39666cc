"""Our engine against frictionless-py on generated files (registry + 40 real schemas).

No file is left out. Two documented adjustments live in ``differential/harness.py``:
``comparable`` drops foreign keys to other resources (frictionless needs a data package
for them; ours use the registry's référentiels, tested elsewhere), and ``corrections``
tells frictionless the header row, encoding or delimiter where its guess demonstrably
misreads the file (each behaviour is proven below on a focused file). With that, every
generated file must give exactly the same (error type, row, field) multiset.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from esr_schemas.validation import validate_file

sys.path.insert(0, str(Path(__file__).resolve().parent))

from differential.harness import (
    comparable,
    corrections,
    disagreement,
    frictionless_view,
    generate,
    header_variants,
    sniffer_gives_up,
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
    assert disagreement(path, descriptor) is None


DELIMITERS = {"virgule": ",", "point-virgule": ";", "tabulation": "\t", "barre": "|"}


@pytest.mark.slow
@pytest.mark.parametrize("delimiter", DELIMITERS.values(), ids=DELIMITERS.keys())
def test_delimiters_encodings_and_headers(delimiter: str, tmp_path: Path) -> None:
    """Every schema, with each header variant (missing, reordered, duplicate, blank,
    extra, upper-case label), in UTF-8 or Windows-1252 alternately."""
    import random

    seed = list(DELIMITERS.values()).index(delimiter) + 1
    problems = []
    compared = 0
    for schema_path in SCHEMAS:
        descriptor = comparable(json.loads(schema_path.read_text(encoding="utf-8")))
        labels, rows = generate(descriptor, seed=seed)
        for index, variant in enumerate([labels, *header_variants(labels, random.Random(0))]):
            path = tmp_path / f"{schema_path.stem}-{index}.csv"
            encoding = "cp1252" if (seed + index) % 2 else "utf-8"
            try:
                write_csv(path, variant, rows, delimiter=delimiter, encoding=encoding)
            except UnicodeEncodeError:
                write_csv(path, variant, rows, delimiter=delimiter)
            compared += 1
            problem = disagreement(path, descriptor)
            if problem:
                problems.append(f"{schema_path.stem}-{index}: {problem[:300]}")
    assert compared > len(SCHEMAS) * 5  # nothing is left out
    assert not problems, "\n".join(problems[:10])


# Each correction of ``corrections()`` rests on a frictionless behaviour proven here.


def test_frictionless_takes_a_data_row_as_header(tmp_path: Path) -> None:
    path = tmp_path / "entete-etroite.csv"
    header = ",".join(f"h{i}" for i in range(10))
    path.write_text(header + "\n" + "0,1,2,3,4,5,6,7,8,9,10,11\n" * 20, encoding="utf-8")
    assert frictionless_view(path)[1] == [2]  # row 1, the real header, is skipped
    assert corrections(path) == {"header_row": 1}


def test_frictionless_decodes_windows_1252_with_another_code_page(tmp_path: Path) -> None:
    from frictionless import Resource, system

    path = tmp_path / "cp1252.csv"
    path.write_bytes("nom,prénom\nCœur,Hélène\nL’Haÿ,Zoé\n".encode("cp1252"))
    with system.use_context(trusted=True):
        resource = Resource(path=str(path))
        rows = resource.read_rows()
    assert resource.encoding == "cp1250"  # chardet's low-confidence guess
    assert rows[0]["nom"] == "Cśur" and rows[0]["prénom"] == "Hélčne"  # letters changed
    report = validate_file(path, {"fields": [{"name": "nom"}, {"name": "prénom"}]})
    assert report.encoding == "cp1252" and report.valid
    assert corrections(path) == {"encoding": "cp1252"}


def test_frictionless_reads_a_tab_file_as_comma_separated(tmp_path: Path) -> None:
    from esr_schemas.examples import frictionless_errors

    text = "a\tb\tc\n1\t2\t3\n4\t5\n\n6\t7\t8\t9\n1\t2\n"
    path = tmp_path / "tabulations.csv"
    path.write_text(text, encoding="utf-8")
    assert sniffer_gives_up(text)
    schema = {"fields": [{"name": name} for name in "abc"]}
    theirs = {e.type for e in frictionless_errors(path, schema)}
    assert {"incorrect-label", "missing-label"} <= theirs  # one column "a\tb\tc"
    ours = validate_file(path, schema)
    assert ours.delimiter == "\t"
    assert {e.type for e in ours.errors} == {"missing-cell", "blank-row", "extra-cell"}
    assert corrections(path) == {"delimiter": "\t"}
    assert disagreement(path, schema) is None  # once told the delimiter, both agree
