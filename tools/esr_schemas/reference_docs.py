"""Generates the rules and CLI reference pages (docs/reference/*.md) from the code.

Run ``python -m esr_schemas.reference_docs`` (or ``make reference``) after adding a
rule or a command; a test fails while the committed pages are stale.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .findings import SEVERITY_FR
from .rules import all_rules, documented_ids

RULES_PAGE = Path("docs/reference/regles.md")
CLI_PAGE = Path("docs/reference/cli.md")


def rules_markdown() -> str:
    rules = all_rules()
    lines = [
        "# Règles de vérification",
        "",
        "<!-- Page générée par « python -m esr_schemas.reference_docs » : ne pas modifier à la main. -->",
        "",
        "`esr-schemas check` applique toutes ces règles et affiche tous les constats, chacun avec",
        "son identifiant, sa gravité, le fichier, l'emplacement (pointeur JSON ou ligne et colonne),",
        "le problème et la correction proposée.",
        "",
        "Une règle peut être levée pour un seul schéma dans `schemas/exceptions.yml`, avec une",
        "raison écrite :",
        "",
        "```yaml",
        "- schema: offre-formation",
        "  rule: field-description-repeats-title",
        "  pointer: /fields/3/description   # facultatif",
        "  reason: Le titre suffit pour ce champ déjà normalisé par la BCN.",
        "```",
        "",
        "Une exception qui ne correspond plus à aucun constat est elle-même signalée.",
        "",
        "| Règle | Gravité | Vérifie | Corrigible par `--fix` |",
        "| --- | --- | --- | --- |",
    ]
    for rule_id, (severity, description) in documented_ids().items():
        rule = rules.get(rule_id)
        fixable = "oui" if rule is not None and rule.fixable else ""
        lines.append(f"| `{rule_id}` | {SEVERITY_FR[severity]} | {description} | {fixable} |")
    return "\n".join(lines) + "\n"


def cli_markdown() -> str:
    from .cli import build_parser

    os.environ["COLUMNS"] = "100"  # argparse wraps help to the terminal width
    parser = build_parser()
    lines = [
        "# Ligne de commande",
        "",
        "<!-- Page générée par « python -m esr_schemas.reference_docs » : ne pas modifier à la main. -->",
        "",
        "Une seule commande, `esr-schemas`, installée par `make build` ou `make test` dans `.venv/`",
        "(`.venv/bin/esr-schemas`). Codes de sortie : 0 succès, 1 constats ou données invalides,",
        "2 erreur d'utilisation ou fichier inutilisable.",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
    ]
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        lines += ["", f"## esr-schemas {name}", "", "```text", sub.format_help().rstrip(), "```"]
    return "\n".join(lines) + "\n"


def pages() -> dict[Path, str]:
    return {RULES_PAGE: rules_markdown(), CLI_PAGE: cli_markdown()}


def write(root: Path) -> list[Path]:
    written = []
    for relpath, content in pages().items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            written.append(relpath)
    return written


if __name__ == "__main__":
    from .loader import find_root

    for relpath in write(find_root()):
        sys.stdout.write(f"Écrit : {relpath}\n")
