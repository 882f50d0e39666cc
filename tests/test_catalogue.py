"""The ESR schema catalogue: check is clean, examples behave, documentation is complete."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from esr_schemas.check import run_check
from esr_schemas.codesystems import check as code_check
from esr_schemas.examples import frictionless_errors
from esr_schemas.extensions import code_list, code_system, is_person_count, secret_threshold
from esr_schemas.loader import load_registry
from esr_schemas.validation.declared_rules import ERROR_CODES

REPO = Path(__file__).resolve().parent.parent
REGISTRY = load_registry(REPO)
NAMES = sorted(REGISTRY.schemas)
FRICTIONLESS_BLIND = {"annee-universitaire-invalide", *ERROR_CODES.values()}
"""Rules between columns, secrecy and the academic year: frictionless knows none."""
OWN_CODES = {
    "uai-check-letter",
    "siren-checksum",
    "siret-checksum",
    "orcid-checksum",
    "ror-checksum",
}
README_SECTIONS = {
    "contexte": r"contexte",
    "producteur et fréquence": r"producteur",
    "grain": r"grain",
    "base légale": r"base l[ée]gale",
    "exclusions": r"exclu",
}
CATALOGUE = {
    "etablissements", "structures-internes", "offre-formation", "effectifs-etudiants",
    "diplomes-delivres", "insertion-professionnelle", "personnels-enseignants",
    "personnels-biatss", "structures-recherche", "ecoles-doctorales",
    "indicateurs-financiers", "patrimoine-immobilier",
}  # fmt: skip


def test_the_catalogue_is_complete() -> None:
    assert len(NAMES) >= 12
    assert set(NAMES) >= CATALOGUE


def test_check_is_clean_on_every_schema() -> None:
    findings = run_check(REGISTRY).findings
    # Until the registry's validator replaces frictionless in check, invalid examples named
    # after our own check codes (UAI letter, Luhn) pass frictionless: that is expected.
    unexpected = [
        f
        for f in findings
        if not (
            f.rule == "example-invalid-mismatch"
            and f.file.split("/")[-1].split("__")[0] in OWN_CODES
        )
    ]
    assert unexpected == [], "\n".join(f"{f.location} [{f.rule}] {f.message}" for f in unexpected)


@pytest.mark.parametrize("name", NAMES)
def test_valid_example_passes_frictionless(name: str) -> None:
    entry = REGISTRY.schemas[name]
    assert entry.descriptor is not None and entry.valid_examples
    for path in entry.valid_examples:
        errors = frictionless_errors(path, entry.descriptor)
        assert errors == [], [(e.type, e.row, e.field, e.message) for e in errors[:5]]
        rows = path.read_text(encoding="utf-8").splitlines()
        assert len(rows) - 1 >= 20, f"{path}: moins de 20 lignes"


@pytest.mark.parametrize("name", NAMES)
def test_invalid_examples_fail_with_their_declared_error_only(name: str) -> None:
    entry = REGISTRY.schemas[name]
    assert entry.descriptor is not None
    assert len(entry.invalid_examples) >= 2
    declared = {e.expected_error for e in entry.invalid_examples}
    assert {"constraint-error", "type-error"} <= declared, declared
    for example in entry.invalid_examples:
        types = sorted({e.type for e in frictionless_errors(example.path, entry.descriptor)})
        if example.expected_error in OWN_CODES | FRICTIONLESS_BLIND:
            assert types == [], f"{example.path.name}: frictionless devrait l'accepter, vu {types}"
        else:
            assert types == [example.expected_error], f"{example.path.name}: {types}"


@pytest.mark.parametrize("name", NAMES)
def test_own_code_examples_break_exactly_one_check_digit(name: str) -> None:
    """uai-check-letter / siren-checksum files differ from a valid row by a bad check only."""
    entry = REGISTRY.schemas[name]
    assert entry.descriptor is not None
    systems = {f["name"]: code_system(f) for f in entry.fields if code_system(f)}
    for example in entry.invalid_examples:
        if example.expected_error not in OWN_CODES:
            continue
        system = example.expected_error.split("-")[0]
        header, *rows = [
            line.split(",") for line in example.path.read_text(encoding="utf-8").splitlines()
        ]
        bad = [
            (column, cell)
            for row in rows
            for column, cell in zip(header, row, strict=False)
            if systems.get(column) and cell and code_check(systems[column], cell) is not None
        ]
        assert len(bad) == 1 and systems[bad[0][0]] == system, (example.path.name, bad)


@pytest.mark.parametrize("name", NAMES)
def test_valid_examples_pass_the_check_digits(name: str) -> None:
    entry = REGISTRY.schemas[name]
    systems = {f["name"]: code_system(f) for f in entry.fields if code_system(f)}
    for path in entry.valid_examples:
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                for column, system in systems.items():
                    value = row.get(column) or ""
                    assert not value or code_check(str(system), value) is None, (
                        path.name,
                        number,
                        column,
                        value,
                    )


@pytest.mark.parametrize("name", NAMES)
def test_enums_equal_their_referentiel(name: str) -> None:
    for field in REGISTRY.schemas[name].fields:
        ref = code_list(field)
        if ref is None:
            continue
        assert ref in REGISTRY.referentiels, f"{name}.{field['name']}: référentiel {ref} absent"
        enum = field.get("constraints", {}).get("enum")
        if enum is not None:
            assert [str(v) for v in enum] == REGISTRY.referentiels[ref].codes, field["name"]


@pytest.mark.parametrize("name", NAMES)
def test_metadata_and_privacy_declarations(name: str) -> None:
    descriptor = REGISTRY.schemas[name].descriptor
    assert descriptor is not None
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    assert descriptor["missingValues"] == [""]
    assert descriptor["sources"] and descriptor["keywords"] and descriptor["contributors"]
    for field in descriptor["fields"]:
        assert isinstance(field["example"], str), field["name"]
        assert field["description"] != field["title"]
    if any(is_person_count(f) for f in descriptor["fields"]):
        assert (secret_threshold(descriptor) or 0) >= 1
        assert any(f["name"] == "statut_diffusion" for f in descriptor["fields"])
    names = [f["name"] for f in descriptor["fields"]]
    common = [f["name"] for f in REGISTRY.common_fields]
    assert set(common) <= set(names)


@pytest.mark.parametrize("name", NAMES)
def test_readme_has_the_required_sections(name: str) -> None:
    readme = REGISTRY.schemas[name].readme or ""
    headings = [h.lower() for h in re.findall(r"^##\s+(.+)$", readme, flags=re.MULTILINE)]
    for label, pattern in README_SECTIONS.items():
        assert any(re.search(pattern, h) for h in headings), f"{name}: section « {label} » absente"
    changelog = (REPO / "schemas" / name / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changements\n") and "## 1.0.0 (" in changelog


def test_common_block_fix_rewrites_the_copy(tmp_path: Path) -> None:
    root = tmp_path / "registry"
    (root / "schemas").mkdir(parents=True)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    shutil.copytree(REPO / "schemas" / "_commun", root / "schemas" / "_commun")
    shutil.copytree(REPO / "referentiels", root / "referentiels")
    shutil.copytree(
        REPO / "schemas" / "diplomes-delivres",
        root / "schemas" / "diplomes-delivres",
        ignore=shutil.ignore_patterns("versions"),
    )
    path = root / "schemas" / "diplomes-delivres" / "schema.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["fields"][0]["description"] = "Autre description."
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    found = [
        f for f in run_check(load_registry(root)).findings if f.rule == "common-block-mismatch"
    ]
    assert [(f.pointer, "check --fix" in f.fix) for f in found] == [("/fields/0", True)]
    run_check(load_registry(root), fix=True)
    fixed = json.loads(path.read_text(encoding="utf-8"))
    assert fixed["fields"][0] == REGISTRY.common_fields[0]
    assert [
        f for f in run_check(load_registry(root)).findings if f.rule == "common-block-mismatch"
    ] == []


@pytest.mark.parametrize(
    ("name", "row_level", "aggregated"),
    [
        ("ine_etudiant", True, True),
        ("date_naissance", True, True),
        ("adresse_domicile", True, True),
        ("age", True, False),
        ("code_nationalite", True, False),
        ("salaire_brut", True, False),
        ("est_boursier", True, False),
        ("tranche_age", False, False),
        ("salaire_net_median", False, False),
        ("note_reparabilite", False, False),
        ("labels_familles_handicap", False, False),
    ],
)
def test_forbidden_names_tell_persons_from_things(
    name: str, row_level: bool, aggregated: bool
) -> None:
    from esr_schemas.rules.privacy import _forbidden_name

    assert (_forbidden_name(name, aggregated=False) is not None) is row_level
    assert (_forbidden_name(name, aggregated=True) is not None) is aggregated
