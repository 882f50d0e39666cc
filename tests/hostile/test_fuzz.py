"""Property-based fuzzing of schemas and CSV bytes: the library either answers or refuses
in French (``UnusableInput``), in bounded time; it never raises anything else.

Example counts are modest so that the file runs in well under a minute.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esr_schemas.validation import UnusableInput, resolve_schema, validate_file

TYPES = ["string", "integer", "number", "boolean", "date", "year", "array", "any", "geopoint"]
KEYS = [
    "name",
    "type",
    "format",
    "constraints",
    "trueValues",
    "falseValues",
    "groupChar",
    "decimalChar",
    "bareNumber",
    "arrayItem",
    "missingValues",
]
CONSTRAINTS = ["required", "unique", "enum", "pattern", "minimum", "maximum", "minLength"]

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(TYPES + ["(a+)+$", "[", "^\\d{2}$", "(?=x)a"]),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
constraints = st.dictionaries(st.sampled_from(CONSTRAINTS), json_value, max_size=3)
field = st.fixed_dictionaries(
    {"name": st.one_of(st.sampled_from(["a", "b", "c"]), json_value)},
    optional={
        "type": st.one_of(st.sampled_from(TYPES), json_value),
        "constraints": st.one_of(constraints, json_value),
        **{k: json_value for k in KEYS[2:]},
    },
)
schema = st.fixed_dictionaries(
    {"fields": st.one_of(st.lists(field, min_size=1, max_size=4), json_value)},
    optional={
        "primaryKey": json_value,
        "foreignKeys": json_value,
        "missingValues": json_value,
        "fieldsMatch": st.one_of(st.sampled_from(["exact", "subset", "partial"]), json_value),
    },
)

FUZZ = settings(
    max_examples=60,
    deadline=5000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _judge(csv_bytes: bytes, descriptor: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        schema_path = Path(tmp) / "schema.json"
        schema_path.write_text(json.dumps(descriptor), encoding="utf-8")
        data = Path(tmp) / "donnees.csv"
        data.write_bytes(csv_bytes)
        try:
            resolved = resolve_schema(str(schema_path))
            report = validate_file(data, resolved)
        except UnusableInput as refusal:
            assert refusal.message and "Traceback" not in refusal.message
            return
        assert isinstance(report.stats["errors"], int)
        assert report.to_dict()["stats"]["errors"] == report.stats["errors"]


@FUZZ
@given(descriptor=schema)
def test_any_schema_is_used_or_refused_in_french(descriptor: dict[str, Any]) -> None:
    _judge(b"a,b,c\n1,2,3\nx,,2024-01-01\n", descriptor)


CSV_ALPHABET = st.sampled_from(
    [
        b"a",
        b"1",
        b",",
        b";",
        b"\t",
        b'"',
        b"\n",
        b"\r",
        b"\r\n",
        b"\xe9",
        b"\xc3\xa9",
        b"\x00",
        b" ",
    ]
)


@FUZZ
@given(body=st.lists(CSV_ALPHABET, max_size=200).map(b"".join))
def test_any_csv_bytes_are_judged_or_refused_in_french(body: bytes) -> None:
    descriptor = {
        "fields": [
            {"name": "a", "type": "integer", "constraints": {"required": True}},
            {"name": "b", "type": "string", "constraints": {"pattern": "[a-z]*"}},
        ],
        "primaryKey": ["a"],
    }
    _judge(b"a,b\n" + body, descriptor)
