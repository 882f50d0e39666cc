"""The page-rendering helpers of the site, without mkdocs."""

from __future__ import annotations

import pytest

from esr_schemas import wording
from esr_schemas.docsite import render


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ({"type": "string"}, "chaîne de caractères"),
        ({"type": "integer"}, "nombre entier"),
        ({"type": "number"}, "nombre décimal"),
        ({"type": "date"}, "date (AAAA-MM-JJ)"),
        ({"type": "date", "format": "%d/%m/%Y"}, "date (JJ/MM/AAAA)"),
        ({"type": "string", "format": "email"}, "chaîne de caractères (adresse électronique)"),
        ({"type": "year"}, "année (AAAA)"),
        ({"type": "boolean"}, "booléen (true / false)"),
        ({}, "chaîne de caractères"),
        ({"type": "mystere"}, "type « mystere »"),
    ],
)
def test_type_labels_are_plain_french(field: dict[str, object], label: str) -> None:
    assert wording.type_label(field) == label


def test_constraints_in_french() -> None:
    lines = wording.constraint_lines(
        {
            "type": "number",
            "constraints": {
                "required": True,
                "minimum": 0,
                "maximum": 12.5,
                "pattern": "^[0-9]{7}[A-Z]$",
                "unique": True,
                "maxLength": 8,
            },
        },
        render.code,
    )
    assert "Valeur comprise entre `0` et `12,5`." in lines
    assert "Forme attendue : 8 caractères : 7 chiffres puis 1 lettre majuscule." in lines
    assert not any("[0-9]" in line for line in lines)  # never the regular expression
    assert "Chaque valeur doit être unique dans le fichier." in lines
    assert "Au plus 8 caractères." in lines
    assert not any("required" in line or "obligatoire" in line for line in lines)


def test_prose_is_safe_to_embed() -> None:
    text = "valeur `<nom>` et <b>gras</b> et <5, <https://x.fr> [guide](guide.md) [site](https://d.fr)\n# titre"
    out = render.prose(text)
    assert "`<nom>`" in out  # code spans untouched
    assert "&lt;b>" in out and "&lt;5" in out
    assert "<https://x.fr>" in out
    assert "guide.md" not in out and "[site](https://d.fr)" in out
    assert "\\# titre" in out


def test_headings_demoted_outside_code() -> None:
    text = "# Titre\n\n## Contexte\n\n```\n# commentaire\n```\n\n### Détail\n"
    out = render.demote_headings(text, 1)
    assert "# Titre" not in out.splitlines()
    assert "### Contexte" in out and "#### Détail" in out and "# commentaire" in out.splitlines()


def test_sizes_and_anchors() -> None:
    assert render.human_size(1) == "1 octet"
    assert render.human_size(500) == "500 octets"
    assert render.human_size(2048) == "2 Ko"
    assert render.human_size(11_700) == "11,4 Ko"
    assert render.human_size(3 * 1024 * 1024) == "3 Mo"
    assert render.field_anchor("code_uai") == "champ-code_uai"
    assert render.field_anchor("COLL SIRET") == "champ-coll-siret"


def test_table_cells_cannot_break_tables() -> None:
    assert render.cell("a | b\nc") == "a \\| b c"
    assert render.code_cell("a|b") == "<code>a&#124;b</code>"
    assert render.code("a`b") == "``a`b``"


def test_schema_page_order_and_coded_values_with_labels() -> None:
    from conftest import REPO
    from esr_schemas.loader import load_registry

    registry = load_registry(REPO)
    ctx = render.SiteContext(registry=registry)
    entry = registry.get("effectifs-etudiants")
    markdown = render.render_schema_page(ctx, entry, render.page_versions(entry)[0])
    assert "`F` — " in markdown or "`10` — Formation initiale hors apprentissage" in markdown
    assert "x-esr" not in markdown and "Data Package" not in markdown
    order = [markdown.index(h) for h in ("## Outils", "## Contexte", "## Modèle de données")]
    assert order == sorted(order)
    assert markdown.index("## Modèle de données") < markdown.index("## Informations techniques")
    lead = render.referentiel_lead(ctx, registry.referentiels["regimes-inscription"])
    assert lead.startswith("Cette liste compte **14 codes**, chacun avec son libellé.")
    assert "Base centrale des nomenclatures" in lead
