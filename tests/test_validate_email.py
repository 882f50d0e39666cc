"""The fast path of the ``email`` format (a polars regular expression) settles only
addresses the exact reader, ``validators.email`` (frictionless' own), accepts: on real
CSV files, every address gets the exact reader's verdict."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import validators

from esr_schemas.validation import validate_file

EDGES = [
    "prenom.nom@univ-lille.fr",
    "Prenom.NOM@Univ-Lille.FR",
    "a@b.c",
    "a@b.fr",
    "a@b.f1",  # the last label ends with a digit
    "a..b@univ.fr",
    ".a@univ.fr",
    "a.@univ.fr",
    "a@-univ.fr",
    "a@univ-.fr",
    "a@univ..fr",
    "a@univ.fr.",
    "a@univ_x.fr",
    "a@@univ.fr",
    "a b@univ.fr",
    '"a b"@univ.fr',
    "é@univ.fr",
    "a@université.fr",
    "x" * 64 + "@univ.fr",
    "x" * 65 + "@univ.fr",
    "a@" + "b" * 63 + ".fr",
    "a@" + "b" * 64 + ".fr",
    "a@" + ("b" * 62 + ".") * 4 + "fr",  # a domain of 254 characters
    "a@" + ("b" * 61 + ".") * 4 + "fr",
    "{~!#$%&'*+/=?^_`|}@univ.fr",
    "a@1.fr",
    "a@univ.123",
]


def addresses(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)

    def part(alphabet: str) -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 7)))

    found = []
    for _ in range(count):
        user = ".".join(part("abcXYZ019-_.!#~é") for _ in range(rng.randrange(1, 3)))
        domain = ".".join(part("abcXYZ09-_é") for _ in range(rng.randrange(1, 4)))
        found.append(user + rng.choice(["@", "@", "@", "@@", ""]) + domain)
    return found


def test_email_cells_get_the_exact_readers_verdict(tmp_path: Path) -> None:
    values = EDGES + addresses(3000, seed=14)
    data = tmp_path / "courriels.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(["courriel"])
        writer.writerows([value] for value in values)
    schema = {"fields": [{"name": "courriel", "type": "string", "format": "email"}]}
    (tmp_path / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
    report = validate_file(data, schema, extra_checks=False)
    refused = {e.row_number for e in report.errors if e.type == "type-error"}
    expected = {
        row
        for row, value in enumerate(values, start=2)
        if value and validators.email(value) is not True
    }
    assert refused == expected
    assert 100 < len(values) - len(expected) < len(values) - 100  # both verdicts occur
