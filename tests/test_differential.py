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
from collections import Counter
from pathlib import Path

import pytest

from esr_schemas.examples import frictionless_errors
from esr_schemas.validation import validate_file

sys.path.insert(0, str(Path(__file__).resolve().parent))

from differential.harness import (
    SHAPES,
    WKT_DIFFERENCES,
    Shape,
    comparable,
    corrections,
    disagreement,
    frictionless_view,
    generate,
    header_variants,
    mixed_encoding_file,
    ours,
    same_errors,
    sniffer_gives_up,
    theirs,
    wkt_file,
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


# Shapes of the reference implementations' own fixtures (``harness.SHAPES``): both
# engines give the same errors, or both refuse the schema.


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_fixture_shapes_agree_with_frictionless(shape: Shape, tmp_path: Path) -> None:
    path = tmp_path / f"{shape.name}.csv"
    path.write_bytes(shape.data)
    assert disagreement(path, shape.schema) is None
    mine, reference = ours(path, shape.schema), theirs(path, shape.schema)
    assert isinstance(mine, str) == isinstance(reference, str)


def test_missing_value_objects_are_missing_and_v1_refuses_them(tmp_path: Path) -> None:
    shape = next(s for s in SHAPES if s.name == "valeurs-manquantes-objets-schema")
    path = tmp_path / "data.csv"
    path.write_bytes(shape.data)
    assert same_errors(path, shape.schema) == Counter(
        {
            ("constraint-error", 3, "effectif"): 1,  # -99: refus de répondre, but required
            ("constraint-error", 4, "code"): 1,
            ("constraint-error", 5, "effectif"): 1,  # -1 < 0
            ("constraint-error", 6, "effectif"): 1,
            ("blank-row", 7, ""): 1,
            ("blank-row", 8, ""): 1,  # -99 and -98: every cell is missing
        }
    )
    refused = next(s for s in SHAPES if s.name == "valeurs-manquantes-objets-en-v1")
    path.write_bytes(refused.data)
    assert str(ours(path, refused.schema)).startswith("unusable: ")
    assert "Table Schema v2" in str(ours(path, refused.schema))


def test_fmt_prefix_reads_as_the_bare_format(tmp_path: Path) -> None:
    shape = next(s for s in SHAPES if s.name == "prefixe-fmt")
    path = tmp_path / "data.csv"
    path.write_bytes(shape.data)
    errors = same_errors(path, shape.schema)
    assert ("type-error", 2, "ouverture") not in errors  # 01/09/2024 is read
    assert errors[("type-error", 3, "ouverture")] == 1  # ISO dates are not this format


# Deliberate differences, documented in docs/reference/ecarts-frictionless.md: each is
# shown on a focused file, with what frictionless does.


def test_empty_date_format_is_refused_where_frictionless_rejects_every_value(
    tmp_path: Path,
) -> None:
    schema = {"fields": [{"name": "ouverture", "type": "date", "format": ""}]}
    path = tmp_path / "data.csv"
    path.write_text("ouverture\n2024-09-01\n01/09/2024\n", encoding="utf-8")
    assert theirs(path, schema) == Counter(
        {("type-error", 2, "ouverture"): 1, ("type-error", 3, "ouverture"): 1}
    )
    mine = ours(path, schema)
    assert isinstance(mine, str) and "« format » vide" in mine


def test_duration_bounds_are_enforced_where_frictionless_refuses_the_schema(
    tmp_path: Path,
) -> None:
    schema = {
        "fields": [
            {"name": "duree", "type": "duration", "constraints": {"maximum": "P2Y"}},
            {"name": "delai", "type": "duration", "constraints": {"minimum": "P30D"}},
        ]
    }
    path = tmp_path / "data.csv"
    path.write_text(
        "duree,delai\nP2Y,P1M\nP3Y,P31D\nP24M,PT720H\nP1Y12M1D,P1Y\nP730D,P29D\n",
        encoding="utf-8",
    )
    assert str(theirs(path, schema)).startswith("unusable: ")  # "not supported by type"
    assert ours(path, schema) == Counter(
        {
            # P1M lasts 28 to 31 days: it may be shorter than 30 days
            ("constraint-error", 2, "delai"): 1,
            ("constraint-error", 3, "duree"): 1,  # P3Y > P2Y
            ("constraint-error", 5, "duree"): 1,  # P2Y and one day
            # row 6: P730D never exceeds two years (730 or 731 days); P29D < P30D
            ("constraint-error", 6, "delai"): 1,
        }
    )


def test_geojson_lengths_are_enforced_where_frictionless_refuses_the_schema(
    tmp_path: Path,
) -> None:
    schema = {"fields": [{"name": "forme", "type": "geojson", "constraints": {"maxLength": 2}}]}
    path = tmp_path / "data.csv"
    point = '"{""type"": ""Point"", ""coordinates"": [1, 2]}"'
    named = '"{""type"": ""Point"", ""coordinates"": [1, 2], ""bbox"": [1, 2, 1, 2]}"'
    path.write_text(f"forme\n{point}\n{named}\n", encoding="utf-8")
    assert str(theirs(path, schema)).startswith("unusable: ")
    assert ours(path, schema) == Counter({("constraint-error", 3, "forme"): 1})


def test_wkt_differences_are_the_documented_ones(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "geometrie", "format": "wkt"}]}
    path = tmp_path / "data.csv"
    values = list(WKT_DIFFERENCES)
    path.write_bytes(wkt_file(values))
    mine, reference = ours(path, schema), theirs(path, schema)
    assert not isinstance(mine, str) and not isinstance(reference, str)
    for row, value in enumerate(values, start=2):
        ours_accepts = ("type-error", row, "geometrie") not in mine
        theirs_accepts = ("type-error", row, "geometrie") not in reference
        assert ours_accepts == WKT_DIFFERENCES[value], value
        assert theirs_accepts != ours_accepts, value


def test_mixed_encoding_names_the_line_where_frictionless_stops(tmp_path: Path) -> None:
    path = tmp_path / "melange.csv"
    line = mixed_encoding_file(path)
    reference = frictionless_errors(path, {"fields": [{"name": "nom"}, {"name": "effectif"}]})
    assert [e.type for e in reference] == ["encoding-error"]  # no line, nothing else judged
    assert reference[0].row is None
    report = validate_file(
        path, {"fields": [{"name": "nom"}, {"name": "effectif", "type": "integer"}]}
    )
    assert not report.valid and report.encoding == "utf-8"
    assert [(e.type, e.cell) for e in report.errors] == [
        ("encoding-error", "Hélène Lefèvre 15000,15000")
    ]
    assert f"Ligne {line} du fichier" in report.errors[0].message
    assert report.stats["rows"] == 20_000  # every row judged
