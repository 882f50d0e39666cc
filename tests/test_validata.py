"""Our schemas and examples read by Validata's core (validata-table 0.13.0), the national
validator, in its own virtual environment (``make validata``, see ../shared/CLIENTS.md).

- every example of the registry gets the same verdict from Validata, except the invalid
  examples whose rule Validata cannot know (UAI letter, ROR checksum, code lists,
  référentiel lookups, conditions, statistical secrecy...);
- on the rules both know (``siren``, ``siret``, ``compare-columns-value``,
  ``sum-columns-value``, ``cohesive-columns-value``, ``one-of-required``), a generated
  file gets exactly the same errors (rule, row) from both.

The venv is ``.validata-venv/`` at the root of the repository (or ``ESR_VALIDATA_PYTHON``):
when it is absent the tests are skipped with the reason, and fail under ESR_REQUIRE_ALL=1.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from esr_schemas.validation import validate_file

ROOT = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).parent / "validata" / "runner.py"
UNKNOWN_TO_VALIDATA = {
    "uai-check-letter",
    "ror-checksum",
    "orcid-checksum",
    "annee-universitaire-invalide",
    "siret-siren-mismatch",
    "condition-value",
    "condition-required",
    "condition-pattern",
    "unique-key",
    "total-incoherent",
    "referentiel-lookup",
    "secret-statistique",
    "secret-valeur-publiee",
    "diffuse-valeur-masquee",
    "taux-effectif-insuffisant",
    "taux-incoherent",
}
"""Our error codes for rules that no Validata check can express."""


def validata_python() -> Path:
    path = Path(os.environ.get("ESR_VALIDATA_PYTHON", ROOT / ".validata-venv" / "bin" / "python"))
    if not path.exists():
        message = (
            f"Validata absent ({path}) : créez son environnement avec « make validata » "
            "(pip depuis PyPI, une fois)"
        )
        if os.environ.get("ESR_REQUIRE_ALL") == "1":
            pytest.fail(message + " — ESR_REQUIRE_ALL=1 interdit de sauter ce test")
        pytest.skip(message)
    return path


def run_validata(jobs: list[tuple[Path, Path]]) -> list[dict[str, Any]]:
    """Validata's verdicts on (csv, schema) pairs, in one process (its import is slow)."""
    completed = subprocess.run(
        [str(validata_python()), str(RUNNER)],
        input=json.dumps([[str(c), str(s)] for c, s in jobs]),
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
        env={**os.environ, "NO_PROXY": "*"},
    )
    return json.loads(completed.stdout)


def _examples() -> list[tuple[Path, Path]]:
    pairs = []
    for schema in sorted((ROOT / "schemas").glob("*/schema.json")):
        folder = schema.parent / "exemples"
        pairs.append((folder / "valide.csv", schema))
        pairs += [(path, schema) for path in sorted((folder / "invalide").glob("*.csv"))]
    return pairs


@pytest.fixture(scope="module")
def example_verdicts() -> dict[Path, dict[str, Any]]:
    pairs = _examples()
    return {
        csv_path: verdict for (csv_path, _), verdict in zip(pairs, run_validata(pairs), strict=True)
    }


def test_every_example_gets_our_verdict_from_validata(
    example_verdicts: dict[Path, dict[str, Any]],
) -> None:
    disagreements = []
    for path, verdict in example_verdicts.items():
        code = path.name.split("__")[0]
        if path.name == "valide.csv":
            if not verdict["valid"]:
                disagreements.append((str(path.relative_to(ROOT)), verdict["errors"][:3]))
        elif code not in UNKNOWN_TO_VALIDATA and verdict["valid"]:
            disagreements.append((str(path.relative_to(ROOT)), "valide pour Validata"))
    assert disagreements == []


def test_siren_examples_fail_in_validata_for_the_siren(
    example_verdicts: dict[Path, dict[str, Any]],
) -> None:
    """The schemas declare the SIREN check, so Validata finds the wrong key itself."""
    siren = {p: v for p, v in example_verdicts.items() if p.name.startswith("siren-checksum__")}
    assert len(siren) >= 9
    for verdict in siren.values():
        assert [e for e in verdict["errors"] if e[2] == "etablissement_siren"], verdict


# -- differential test on the rules both engines know

DIFF_SCHEMA: dict[str, Any] = {
    "name": "regles-communes",
    "fields": [
        {"name": "siren", "type": "string"},
        {"name": "siret", "type": "string"},
        {"name": "a", "type": "integer"},
        {"name": "b", "type": "integer"},
        {"name": "s1", "type": "string"},
        {"name": "s2", "type": "string"},
        {"name": "total", "type": "integer"},
        {"name": "p1", "type": "integer"},
        {"name": "p2", "type": "integer"},
        {"name": "x", "type": "string"},
        {"name": "y", "type": "string"},
        {"name": "m", "type": "integer"},
        {"name": "n", "type": "string"},
    ],
    "missingValues": [""],
    "custom_checks": [
        {"name": "siren", "params": {"column": "siren"}},
        {"name": "siret", "params": {"column": "siret"}},
        {"name": "compare-columns-value", "params": {"column": "a", "column2": "b", "op": "<="}},
        {"name": "compare-columns-value", "params": {"column": "s1", "column2": "s2", "op": ">"}},
        {"name": "sum-columns-value", "params": {"column": "total", "columns": ["p1", "p2"]}},
        {"name": "cohesive-columns-value", "params": {"column": "x", "othercolumns": ["y"]}},
        {"name": "one-of-required", "params": {"column1": "m", "column2": "n"}},
    ],
}
OUR_TO_VALIDATA = {"siren-checksum": "custom-check-error", "siret-checksum": "custom-check-error"}


def _luhn_complete(head: str) -> str:
    for digit in "0123456789":
        candidate = head + digit
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError


def _rows(count: int) -> list[list[str]]:
    rng = random.Random(12)
    words = ["", "", "abc", "abd", "10", "9", "2", "zz", "Élan", "élan"]
    rows = []
    for _ in range(count):
        siren = _luhn_complete("".join(rng.choice("0123456789") for _ in range(8)))
        if rng.random() < 0.3:
            siren = siren[:8] + str((int(siren[8]) + 1) % 10)
        if rng.random() < 0.3:
            siret = "356000000" + "".join(rng.choice("0123456789") for _ in range(5))
        else:
            siret = _luhn_complete(siren + "".join(rng.choice("0123456789") for _ in range(4)))
            if rng.random() < 0.3:
                siret = siret[:13] + str((int(siret[13]) + 3) % 10)
        number = lambda: rng.choice(["", "0", "1", "2", "3", "5", "7", "10"])  # noqa: E731
        rows.append(
            [
                rng.choice([siren, siren, ""]),
                rng.choice([siret, siret, "35600000000048", ""]),
                number(),
                number(),
                rng.choice(words),
                rng.choice(words),
                number(),
                number(),
                number(),
                rng.choice(["", "", "v"]),
                rng.choice(["", "w"]),
                number(),
                rng.choice(["", "", "0", "texte"]),
            ]
        )
    return rows


def test_rules_both_engines_know_give_the_same_errors(tmp_path: Path) -> None:
    data = tmp_path / "regles.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f["name"] for f in DIFF_SCHEMA["fields"]])
        writer.writerows(_rows(150))
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(DIFF_SCHEMA), encoding="utf-8")
    (verdict,) = run_validata([(data, schema)])
    assert len(verdict["errors"]) < 1000  # Validata stops at 1,000 errors
    theirs = sorted((e[0], e[1], e[2]) for e in verdict["errors"])
    ours_report = validate_file(data, DIFF_SCHEMA)
    ours = sorted(
        (
            OUR_TO_VALIDATA.get(e.type, e.type),
            e.row_number,
            None if e.type == "one-of-required" else e.field_name,
        )
        for e in ours_report.errors
        if e.type not in UNKNOWN_TO_VALIDATA
    )
    kinds = {t for t, _, _ in theirs}
    assert {"custom-check-error", "compare-columns-value", "sum-columns-value"} <= kinds
    assert {"cohesive-columns-value", "one-of-required"} <= kinds
    assert ours == theirs


def test_rule_examples_fail_in_validata_for_that_rule(
    example_verdicts: dict[Path, dict[str, Any]],
) -> None:
    """An invalid example named after a Validata check fails there for that very check."""
    names = {"compare-columns-value", "sum-columns-value", "cohesive-columns-value"}
    named = {p: v for p, v in example_verdicts.items() if p.name.split("__")[0] in names}
    assert len(named) >= 9
    for path, verdict in named.items():
        assert path.name.split("__")[0] in {e[0] for e in verdict["errors"]}, (path, verdict)
