"""A comparison of two versions in French text or JSON (``esr-schemas diff``, ``release``)."""

from __future__ import annotations

from typing import Any

from . import Comparison
from .diff import Change, Level


def change_line(change: Change) -> str:
    """``[majeur] schema.json /fields/2 : …``: one classified change on one line."""
    where = change.file + (f" {change.pointer}" if change.pointer else "")
    return f"[{change.level.label}] {where} : {change.message}"


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    bump = comparison.bump
    return {
        "schema": comparison.name,
        "de": comparison.old.version,
        "vers": comparison.new.version,
        "vers_version_courante": comparison.new.working,
        "niveau_requis": comparison.level.label,
        "niveau_annonce": bump.label if bump is not None else None,
        "increment_suffisant": not comparison.bump_too_small and bump is not None,
        "changements": [c.to_dict() for c in comparison.changes],
    }


def comparison_text(comparison: Comparison) -> str:
    lines = [f"« {comparison.name} » : {comparison.old.label} → {comparison.new.label}"]
    if not comparison.changes:
        lines.append("Aucun changement.")
        return "\n".join(lines) + "\n"
    level = comparison.level
    lines.append(f"Changement requis : {level.label} ({explain(level)}).")
    bump = comparison.bump
    if bump is None:
        lines.append(
            f"Numéro de version : {comparison.new.version} n'est pas supérieur à "
            f"{comparison.old.version}."
        )
    elif bump < level:
        lines.append(
            f"Numéro de version : {comparison.old.version} → {comparison.new.version} annonce un "
            f"changement {bump.label}, insuffisant : il faut un changement {level.label}."
        )
    else:
        lines.append(
            f"Numéro de version : {comparison.old.version} → {comparison.new.version} "
            f"({bump.label}), suffisant."
        )
    lines.append("")
    for change in sorted(comparison.changes, key=lambda c: -c.level):
        lines.append(f"  {change_line(change)}")
    warnings = comparison.warnings
    if warnings:
        lines.append("")
        lines.append("Avertissements :")
        lines += [f"  - {w}" for w in warnings]
    return "\n".join(lines) + "\n"


def explain(level: Level) -> str:
    """What a change level means for the files already published."""
    return {
        Level.PATCH: "texte seul, aucun effet sur la validation",
        Level.MINOR: "les fichiers déjà valides restent valides",
        Level.MAJOR: "des fichiers déjà valides peuvent être rejetés",
        Level.NONE: "aucun",
    }[level]
