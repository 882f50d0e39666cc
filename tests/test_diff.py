"""Diff between schema versions: each classification on real version pairs, the proof by
data, the corpus, and the ``esr-schemas diff`` command."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BASE_REGISTRY, REPO, corpus_files
from esr_schemas.cli import main
from esr_schemas.examples import example_errors
from esr_schemas.loader import load_registry
from esr_schemas.versioning import Level, compare, diff_descriptors, required_level, side
from rulecases import edit_schema, field_of
from rulecases.versions import bump

Mutation = Callable[[dict[str, Any]], None]


def _demo() -> dict[str, Any]:
    entry = load_registry(BASE_REGISTRY).get("demo")
    assert entry.descriptor is not None
    return copy.deepcopy(entry.descriptor)


def _f(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda d: field_of(d, name)


def _c(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda d: field_of(d, name).setdefault("constraints", {})


# (id, mutation of the demo descriptor, expected level, a change kind that must appear)
PAIRS: list[tuple[str, Mutation, Level, str]] = [
    ("title", lambda d: d.update(title="Démonstration"), Level.PATCH, "metadata-changed"),
    (
        "field-description",
        lambda d: _f("effectif")(d).update(description="Inscriptions principales."),
        Level.PATCH,
        "text-changed",
    ),
    ("example", lambda d: _f("niveau")(d).update(example="M"), Level.PATCH, "text-changed"),
    (
        "deprecated",
        lambda d: _f("effectif")(d).update(
            {"x-esr": {"deprecated": {"since": "1.1.0", "reason": "x"}}}
        ),
        Level.PATCH,
        "deprecated",
    ),
    (
        "enum-value-added",
        lambda d: _c("niveau")(d)["enum"].append("DU"),
        Level.MINOR,
        "enum-value-added",
    ),
    (
        "minimum-loosened",
        lambda d: _c("effectif")(d).update(minimum=-10),
        Level.MINOR,
        "constraint-loosened",
    ),
    (
        "required-removed",
        lambda d: _c("rentree")(d).pop("required"),
        Level.MINOR,
        "required-removed",
    ),
    ("pattern-removed", lambda d: _c("code_uai")(d).pop("pattern"), Level.MINOR, "pattern-removed"),
    (
        "integer-to-number",
        lambda d: _f("effectif")(d).update(type="number"),
        Level.MINOR,
        "type-widened",
    ),
    (
        "optional-field-superset",
        lambda d: (
            d.update(fieldsMatch="superset"),
            d["fields"].append({"name": "commentaire", "type": "string"}),
        ),
        Level.MINOR,
        "field-added",
    ),
    (
        "fields-match-loosened",
        lambda d: d.update(fieldsMatch="equal"),
        Level.MINOR,
        "fields-match-loosened",
    ),
    (
        "optional-field-exact",
        lambda d: d["fields"].append({"name": "commentaire", "type": "string"}),
        Level.MAJOR,
        "field-added",
    ),
    (
        "required-field-superset",
        lambda d: (
            d.update(fieldsMatch="superset"),
            d["fields"].append(
                {"name": "sexe", "type": "string", "constraints": {"required": True}}
            ),
        ),
        Level.MAJOR,
        "field-added-required",
    ),
    ("field-removed", lambda d: d["fields"].pop(3), Level.MAJOR, "field-removed"),
    (
        "field-renamed",
        lambda d: _f("effectif")(d).update(name="effectif_total"),
        Level.MAJOR,
        "field-renamed",
    ),
    (
        "field-retyped",
        lambda d: _f("niveau")(d).update(type="integer"),
        Level.MAJOR,
        "type-changed",
    ),
    (
        "minimum-tightened",
        lambda d: _c("effectif")(d).update(minimum=10),
        Level.MAJOR,
        "constraint-tightened",
    ),
    (
        "maximum-added",
        lambda d: _c("effectif")(d).update(maximum=10),
        Level.MAJOR,
        "constraint-added",
    ),
    (
        "enum-value-removed",
        lambda d: _c("niveau")(d)["enum"].remove("D"),
        Level.MAJOR,
        "enum-value-removed",
    ),
    (
        "pattern-changed",
        lambda d: _c("code_uai")(d).update(pattern="^[0-9]{7}[A-Z]{2}$"),
        Level.MAJOR,
        "pattern-changed",
    ),
    (
        "required-added",
        lambda d: _c("effectif")(d).update(required=True),
        Level.MAJOR,
        "required-added",
    ),
    (
        "primary-key-changed",
        lambda d: d.update(primaryKey=["code_uai", "niveau"]),
        Level.MAJOR,
        "primary-key-changed",
    ),
    (
        "foreign-key-added",
        lambda d: d.update(
            foreignKeys=[{"fields": "niveau", "reference": {"resource": "", "fields": "niveau"}}]
        ),
        Level.MAJOR,
        "foreign-key-added",
    ),
    (
        "missing-values-narrowed",
        lambda d: d.update(missingValues=["NA"]),
        Level.MAJOR,
        "missing-values-narrowed",
    ),
    (
        "field-order-exact",
        lambda d: d["fields"].insert(0, d["fields"].pop(3)),
        Level.MAJOR,
        "field-order-changed",
    ),
]


@pytest.mark.parametrize(("label", "mutate", "level", "kind"), PAIRS, ids=[p[0] for p in PAIRS])
def test_classification(label: str, mutate: Mutation, level: Level, kind: str) -> None:
    old = _demo()
    new = _demo()
    mutate(new)
    changes = diff_descriptors(old, new)
    assert required_level(changes) == level, [c.message for c in changes]
    if kind:
        assert kind in {c.kind for c in changes}
    for change in changes:
        assert len(change.message) > 20 and change.pointer.startswith("/")


def test_order_change_is_text_only_when_fields_match_by_name() -> None:
    old = _demo()
    old["fieldsMatch"] = "equal"
    new = copy.deepcopy(old)
    new["fields"].insert(0, new["fields"].pop(3))
    changes = diff_descriptors(old, new)
    assert [(c.kind, c.level) for c in changes] == [("field-order-changed", Level.PATCH)]


def test_fields_match_tightened_is_major() -> None:
    old = _demo()
    old["fieldsMatch"] = "partial"
    new = copy.deepcopy(old)
    new["fieldsMatch"] = "equal"
    changes = diff_descriptors(old, new)
    assert [(c.kind, c.level) for c in changes] == [("fields-match-tightened", Level.MAJOR)]


def test_removal_without_deprecation_warns() -> None:
    old = _demo()
    new = _demo()
    new["fields"].pop(3)
    (change,) = diff_descriptors(old, new)
    assert change.warning is not None and "sans avoir été déprécié" in change.warning
    old["fields"][3]["x-esr"] = {"deprecated": {"since": "1.1.0", "reason": "Remplacé."}}
    (change,) = diff_descriptors(old, new)
    assert change.warning is None


@pytest.mark.parametrize(("label", "mutate", "level", "kind"), PAIRS, ids=[p[0] for p in PAIRS])
def test_minor_and_patch_keep_old_examples_valid(
    label: str, mutate: Mutation, level: Level, kind: str
) -> None:
    """The descriptor classification agrees with the data: old valid examples still pass."""
    if level == Level.MAJOR:
        return
    new = _demo()
    mutate(new)
    valid = BASE_REGISTRY / "schemas/demo/versions/1.0.0/exemples/valide.csv"
    assert example_errors(valid, new) == []


def _released_pair(root: Path, mutate: Mutation, version: str) -> None:
    edit_schema(root, mutate)
    bump(version)(root)


def test_data_proof_on_published_version(base_registry: Path) -> None:
    """A new required column: the 1.0.0 example is rejected, with the row and column."""

    def add_required(data: dict[str, Any]) -> None:
        data["fields"].append(
            {"name": "sexe", "title": "Sexe", "type": "string", "constraints": {"required": True}}
        )

    _released_pair(base_registry, add_required, "2.0.0")
    registry = load_registry(base_registry)
    entry = registry.get("demo")
    comparison = compare(registry, "demo", side(entry, "1.0.0"), side(entry, None))
    proofs = [c for c in comparison.changes if c.kind == "example-rejected"]
    assert proofs and proofs[0].level == Level.MAJOR
    assert proofs[0].file == "exemples/valide.csv"
    assert (
        "l'exemple valide exemples/valide.csv de la version 1.0.0 est rejeté" in proofs[0].message
    )
    assert comparison.level == Level.MAJOR and comparison.bump == Level.MAJOR
    assert not comparison.bump_too_small


def test_data_proof_passes_for_minor(base_registry: Path) -> None:
    _released_pair(
        base_registry, lambda d: field_of(d, "niveau")["constraints"]["enum"].append("DU"), "1.1.0"
    )
    registry = load_registry(base_registry)
    entry = registry.get("demo")
    comparison = compare(registry, "demo", side(entry, "1.0.0"), side(entry, None))
    kinds = [c.kind for c in comparison.changes]
    assert kinds == ["metadata-changed", "enum-value-added"]  # lastModified, then the enum
    assert comparison.level == Level.MINOR and not comparison.bump_too_small


def _enum_field(descriptor: dict[str, Any]) -> dict[str, Any] | None:
    for field in descriptor.get("fields", []):
        if isinstance(field.get("constraints", {}).get("enum"), list):
            return field
    return None


def _successors(old: dict[str, Any]) -> list[tuple[str, dict[str, Any], Level]]:
    """Plausible next versions of a real schema, with the level each one requires."""
    result = []
    patch = copy.deepcopy(old)
    patch["description"] = str(patch.get("description", "")) + " (précisé)"
    for field in patch["fields"]:
        field["description"] = "Nouvelle description."
    result.append(("descriptions", patch, Level.PATCH))
    added = copy.deepcopy(old)
    added["fields"].append({"name": "colonne_ajoutee", "type": "string"})
    by_name = old.get("fieldsMatch") in ("superset", "partial")
    result.append(("colonne-ajoutee", added, Level.MINOR if by_name else Level.MAJOR))
    removed = copy.deepcopy(old)
    removed["fields"].pop()
    result.append(("colonne-retiree", removed, Level.MAJOR))
    minor = copy.deepcopy(old)
    field = _enum_field(minor)
    if field is not None:
        values = field["constraints"]["enum"]
        # a value of the enum's own JSON type (the Table Schema profile refuses a mix)
        extra = max(values) + 1 if all(isinstance(v, int) for v in values) else "valeur-ajoutee"
        field["constraints"]["enum"] = [*values, extra]
        result.append(("enum-elargi", minor, Level.MINOR))
    return result


def test_registry_schemas_successive_versions() -> None:
    """The repository's schemas against plausible successors, checked by their own examples."""
    registry = load_registry(REPO)
    checked = 0
    for entry in registry.schemas.values():
        if entry.descriptor is None or not entry.fields:
            continue
        assert diff_descriptors(entry.descriptor, entry.descriptor) == []
        for published in entry.published:
            if published.descriptor is not None:
                required_level(diff_descriptors(published.descriptor, entry.descriptor))
        examples = [p for p in entry.valid_examples if not example_errors(p, entry.descriptor)]
        for label, new, level in _successors(entry.descriptor):
            assert required_level(diff_descriptors(entry.descriptor, new)) == level, (
                entry.name,
                label,
            )
            for example in examples:
                errors = example_errors(example, new)
                if level < Level.MAJOR:
                    assert errors == [], (entry.name, label, errors[:1])
                elif label == "colonne-ajoutee" or label == "colonne-retiree":
                    # fieldsMatch exact: the old valid file is now rejected, as classified.
                    assert errors, (entry.name, label)
            checked += 1
    if registry.schemas:
        assert checked > 0


def test_corpus_successive_versions() -> None:
    """Each corpus schema (one version each) against mutated successors."""
    files = corpus_files()
    if not files:
        pytest.skip("corpus absent")
    seen_minor = 0
    for path in files:
        old = json.loads(path.read_text(encoding="utf-8"))
        assert diff_descriptors(old, old) == [], path.name
        for label, new, level in _successors(old):
            assert required_level(diff_descriptors(old, new)) == level, (path.name, label)
            seen_minor += label == "enum-elargi"
    assert seen_minor > 0


def test_cli_diff_text_and_json(base_registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _released_pair(
        base_registry, lambda d: field_of(d, "effectif")["constraints"].update(minimum=1), "1.1.0"
    )
    capsys.readouterr()
    assert main(["diff", "demo", "--root", str(base_registry)]) == 0
    out = capsys.readouterr().out
    assert "« demo » : version 1.0.0 → version courante (1.1.0)" in out
    assert "Changement requis : majeur" in out
    assert "annonce un changement mineur, insuffisant : il faut un changement majeur" in out
    assert "[majeur] schema.json /fields/3/constraints/minimum : Contrainte « minimum »" in out
    assert (
        main(
            ["diff", "demo", "1.0.0", "courante", "--root", str(base_registry), "--format", "json"]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["niveau_requis"] == "majeur" and data["niveau_annonce"] == "mineur"
    assert data["increment_suffisant"] is False
    assert any(c["pointeur"] == "/fields/3/constraints/minimum" for c in data["changements"])


def test_cli_diff_errors(base_registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "inconnu", "--root", str(base_registry)]) == 2
    assert "Schéma « inconnu » inconnu" in capsys.readouterr().err
    assert main(["diff", "demo", "9.9.9", "--root", str(base_registry)]) == 2
    assert "n'est pas publiée (versions publiées : 1.0.0)" in capsys.readouterr().err
    assert main(["diff", "demo", "--root", str(base_registry)]) == 0
    assert "Aucun changement." in capsys.readouterr().out


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
_keys = st.sampled_from(
    ["type", "format", "constraints", "trueValues", "falseValues", "decimalChar", "groupChar",
     "bareNumber", "missingValues", "x-esr", "title", "enum", "required", "minimum",
     "maxLength", "pattern", "unique"]
)  # fmt: skip
_field = st.builds(
    lambda name, extra: {"name": name, **extra},
    st.sampled_from(["a", "b", "c"]),
    st.dictionaries(_keys, _json, max_size=4),
)
_descriptor = st.fixed_dictionaries(
    {"fields": st.lists(_field, max_size=4)},
    optional={
        "primaryKey": _json,
        "foreignKeys": _json,
        "uniqueKeys": _json,
        "missingValues": _json,
        "fieldsMatch": st.sampled_from(["exact", "equal", "subset", "superset", "partial", "x"])
        | _json,
        "x-esr": st.dictionaries(
            st.sampled_from(["secretThreshold", "status", "autre"]), _json, max_size=2
        ),
        "title": _json,
    },
)


@settings(max_examples=300, deadline=None)
@given(old=_descriptor, new=_descriptor)
def test_diff_never_raises_on_malformed_descriptors(old: dict, new: dict) -> None:
    """check runs the diff on every working copy: broken JSON must not crash it."""
    changes = diff_descriptors(old, new)
    assert all(isinstance(c.level, Level) and c.message for c in changes)
    assert diff_descriptors(new, new) == []
