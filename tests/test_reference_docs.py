"""The generated reference pages are committed fresh, and document every rule and command."""

from __future__ import annotations

from conftest import REPO
from esr_schemas import reference_docs
from esr_schemas.cli import COMMANDS
from esr_schemas.rules import documented_ids


def test_reference_pages_are_fresh() -> None:
    for relpath, content in reference_docs.pages().items():
        committed = (REPO / relpath).read_text(encoding="utf-8")
        assert committed == content, (
            f"{relpath} est périmée : lancez « make reference » (python -m esr_schemas.reference_docs)"
        )


def test_every_rule_is_documented() -> None:
    page = reference_docs.rules_markdown()
    for rule_id in documented_ids():
        assert f"| `{rule_id}` |" in page


def test_every_command_is_documented_with_an_example() -> None:
    page = reference_docs.cli_markdown()
    for name in COMMANDS:
        assert f"## esr-schemas {name}\n" in page
        section = page.split(f"## esr-schemas {name}\n", 1)[1].split("\n## ", 1)[0]
        assert "Exemple" in section, f"la commande {name} n'a pas de bloc « Exemple »"
