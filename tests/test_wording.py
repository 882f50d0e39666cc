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
