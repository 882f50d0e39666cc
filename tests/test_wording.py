"""The one French wording of fields, as the site and the templates both use it."""

from __future__ import annotations

from pathlib import Path

from esr_schemas import extensions, wording
from esr_schemas.docsite import render
from esr_schemas.templates.fields import notice_lines

FIELD = {
    "name": "code_uai",
    "type": "string",
    "constraints": {"required": True, "minLength": 8, "maxLength": 8, "pattern": "^[0-9]{7}[A-Z]$"},
    "x-esr": {"codeSystem": "uai", "deprecated": {"since": "1.2.0"}},
}


def test_every_code_system_has_a_french_label() -> None:
    assert set(wording.CODE_SYSTEM_LABELS) == extensions.CODE_SYSTEMS
    assert wording.code_system_label("inconnu") == "identifiant « inconnu »"


def test_site_and_templates_say_the_same_sentences() -> None:
    plain = wording.constraint_lines(FIELD)
    assert plain == [
        "Exactement 8 caractères.",
        "Forme attendue : 7 chiffres puis 1 lettre majuscule.",
    ]
    notice = notice_lines(FIELD)
    assert all(line in notice for line in plain)
    assert "Code UAI (sept chiffres et une lettre de contrôle) : saisir le code exact" in notice[0]
    assert notice[-1] == "Champ déprécié depuis la version 1.2.0. " + (
        wording.DEPRECATED_DEFAULT_REASON
    )
    cell = render.constraints_cell(FIELD)
    assert cell == (
        "Exactement 8 caractères.<br>Forme attendue : 7 chiffres puis 1 lettre majuscule."
    )


def test_numbers_and_exclusive_bounds_in_french() -> None:
    lines = wording.constraint_lines(
        {"type": "number", "constraints": {"exclusiveMinimum": 0, "maximum": 2.5, "minLength": 1}}
    )
    assert lines == [
        "Au moins 1 caractère.",
        "Valeur maximale : 2,5.",
        "Valeur strictement supérieure à 0.",
    ]
    assert wording.french_number(12.0) == "12"


def test_csv_spellings_are_listed_for_the_site() -> None:
    field = {"type": "boolean", "trueValues": ["oui", "o"], "falseValues": ["non"]}
    assert wording.type_label(field) == "booléen (oui / non)"
    assert wording.format_lines(field) == [
        "Valeurs acceptées pour « vrai » : oui, o.",
        "Valeurs acceptées pour « faux » : non.",
    ]


def test_validator_names_types_with_the_shared_nouns(tmp_path: Path) -> None:
    from esr_schemas.validation import validate_file

    assert wording.TYPE_LABELS["yearmonth"] == "année et mois (AAAA-MM)"
    assert wording.with_article(wording.type_noun({"type": "array"})) == "une liste JSON"
    data = tmp_path / "donnees.csv"
    data.write_text("mois,courriel\n2024/03,x@\n", encoding="utf-8")
    schema = {
        "fields": [
            {"name": "mois", "type": "yearmonth"},
            {"name": "courriel", "type": "string", "format": "email"},
        ]
    }
    messages = [e.message for e in validate_file(data, schema).errors]
    assert messages == [
        "Ligne 2, colonne « mois » : « 2024/03 » n'est pas une année et mois valide.",
        "Ligne 2, colonne « courriel » : « x@ » n'est pas une adresse électronique valide.",
    ]


def test_every_registry_pattern_is_said_in_words() -> None:
    from conftest import REPO
    from esr_schemas.loader import load_registry

    registry = load_registry(REPO)
    for entry in registry.schemas.values():
        for field in entry.fields:
            if not wording.constraints(field).get("pattern"):
                continue
            text = wording.pattern_help(field)
            assert text, (entry.name, field.get("name"))
            assert not any(ch in text for ch in "[]^$\\{}|"), (entry.name, text)


def test_pattern_words_examples_and_override() -> None:
    field = {
        "name": "commune",
        "example": "69081",
        "constraints": {"pattern": "^(?:[0-9]{2}|2A|2B)[0-9]{3}$"},
    }
    assert wording.pattern_help(field) == (
        "5 caractères : 2 chiffres (ou 2A, 2B) puis 3 chiffres, par exemple 69081"
    )
    field["x-esr"] = {"patternHelp": "code Insee de la commune, par exemple 69081"}
    assert wording.pattern_help(field) == "code Insee de la commune, par exemple 69081"
    assert wording.describe_pattern("^(PE|LS|SH)(1[0-1]|[1-9])$") == (
        "PE, LS ou SH puis un nombre de 1 à 11"
    )
    assert wording.describe_pattern("^(?=a)b") is None  # too intricate: no wording at all
    assert wording.encoding_label("cp1252") == "Windows-1252"
    assert wording.encoding_label("utf-8-sig") == "UTF-8 avec BOM"
