"""One renderer for findings: text (French, for people), json, github (CI annotations)."""

from __future__ import annotations

import json
from collections import Counter

from .findings import SEVERITY_FR, Finding, Severity

FORMATS = ("text", "json", "github")


def render(findings: list[Finding], fmt: str = "text", *, checked: int | None = None) -> str:
    if fmt == "json":
        return render_json(findings)
    if fmt == "github":
        return render_github(findings)
    return render_text(findings, checked=checked)


def render_text(findings: list[Finding], *, checked: int | None = None) -> str:
    lines = []
    for f in findings:
        lines.append(f"{f.location} : {SEVERITY_FR[f.severity]} [{f.rule}]")
        lines.append(f"  {f.message}")
        if f.fix:
            lines.append(f"  → {f.fix}")
    lines.append(summary(findings, checked=checked))
    return "\n".join(lines) + "\n"


def summary(findings: list[Finding], *, checked: int | None = None) -> str:
    counts = Counter(f.severity for f in findings)
    errors, warnings = counts[Severity.ERROR], counts[Severity.WARNING]
    scope = (
        f" ({checked} schéma{'s' if checked != 1 else ''} vérifié{'s' if checked != 1 else ''})"
        if checked is not None
        else ""
    )
    if not findings:
        return f"Aucun problème trouvé{scope}."
    parts = []
    if errors:
        parts.append(f"{errors} erreur{'s' if errors > 1 else ''}")
    if warnings:
        parts.append(f"{warnings} avertissement{'s' if warnings > 1 else ''}")
    return f"Résultat : {' et '.join(parts)}{scope}."


def render_json(findings: list[Finding]) -> str:
    counts = Counter(str(f.severity) for f in findings)
    payload = {
        "valid": not any(f.severity == Severity.ERROR for f in findings),
        "stats": {"errors": counts["error"], "warnings": counts["warning"]},
        "findings": [f.to_dict() for f in findings],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render_github(findings: list[Finding]) -> str:
    """GitHub Actions workflow commands: one ::error/::warning annotation per finding."""
    lines = []
    for f in findings:
        level = "error" if f.severity == Severity.ERROR else "warning"
        props = [f"file={_escape(f.file, prop=True)}"]
        line = f.line if f.line is not None else f.row
        if line is not None:
            props.append(f"line={line}")
        props.append(f"title={_escape(f.rule, prop=True)}")
        where = f" ({f.pointer})" if f.pointer else ""
        body = f"{f.message}{where}" + (f" Correction : {f.fix}" if f.fix else "")
        lines.append(f"::{level} {','.join(props)}::{_escape(body)}")
    return "\n".join(lines) + ("\n" if lines else "")
