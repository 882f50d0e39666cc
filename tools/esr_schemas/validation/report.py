"""Rendering a report: French text (default) or frictionless-shaped JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..wording import encoding_label
from .error_types import error_type_name
from .errors import ValidationError, ValidationReport
from .messages import fr_int


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{fr_int(count)} {singular if count <= 1 else plural}"


def summary(report: ValidationReport) -> str:
    rows = int(report.stats.get("rows", 0))
    errors = int(report.stats.get("errors", len(report.errors)))
    columns = {e.field_name for e in report.errors if e.field_name}
    text = _plural(rows, "ligne", "lignes") + ", "
    if errors == 0:
        text += "aucune erreur"
    else:
        text += _plural(errors, "erreur", "erreurs")
        if columns:
            text += " dans " + _plural(len(columns), "colonne", "colonnes")
    if report.warnings:
        text += ", " + _plural(len(report.warnings), "avertissement", "avertissements")
    return text


@dataclass(frozen=True)
class ProblemGroup:
    """The errors of one kind in one column (or in the header, or across rows).

    Every face (text report, web page, CSV export of a report) lists problems by these
    groups, in the order they first appear in the file.
    """

    column: str | None
    kind: str
    errors: tuple[ValidationError, ...]

    @property
    def label(self) -> str:
        """The kind of problem in French, plural (« valeurs de type incorrect »…)."""
        return error_type_name(self.kind, plural=True) or self.kind

    @property
    def where(self) -> str:
        """Where the problem is, in French: a column, the header or the rows."""
        if self.column:
            return f"colonne « {self.column} »"
        if self.kind == "encoding-error":  # located by file line, not by row
            return "fichier"
        return "en-tête" if self.errors[0].row_number is None else "lignes"

    @property
    def count(self) -> int:
        return len(self.errors)

    @property
    def rows(self) -> list[int]:
        """The row numbers concerned, in order, without repeats."""
        return sorted({e.row_number for e in self.errors if e.row_number is not None})

    @property
    def fix(self) -> str:
        """The first non-empty fix of the group (often the same for all)."""
        return next((e.fix for e in self.errors if e.fix), "")


def problem_groups(items: Sequence[ValidationError]) -> list[ProblemGroup]:
    """``items`` grouped by (column, kind), groups in order of first appearance."""
    groups: dict[tuple[str, str], list[ValidationError]] = {}
    for error in items:
        groups.setdefault((error.field_name or "", error.type), []).append(error)
    return [
        ProblemGroup(column or None, kind, tuple(errors))
        for (column, kind), errors in groups.items()
    ]


DETAILS_DEFAULT = 20
"""Up to this many problems, the text report lists every row; past it, ``--details``."""


def _example(group: ProblemGroup) -> str:
    first = group.errors[0]
    where = f"ligne {first.row_number}" if first.row_number is not None else ""
    value = f"« {first.cell} »" if first.cell else ""
    shown = " : ".join(part for part in (where, value) if part)
    return f" (ex. {shown})" if shown else ""


def render_text(
    report: ValidationReport, limit: int | None = None, *, details: bool = False
) -> str:
    """The verdict, then one line per (column, kind of problem) with its count, an example
    and the fix; the rows themselves when ``details`` is set or the problems are few.

    ``limit`` caps the rows listed (the counts stay complete).
    """
    lines: list[str] = []
    verdict = "VALIDE" if report.valid else "INVALIDE"
    lines.append(f"{report.path} : {verdict} — {summary(report)}.")
    about = []
    if report.kind == "csv":
        sep = {
            ",": "virgule",
            ";": "point-virgule",
            "\t": "tabulation",
            "|": "barre verticale",
        }.get(report.delimiter or ",", report.delimiter or ",")
        about.append(f"CSV, séparateur {sep}, encodage {encoding_label(report.encoding)}")
    else:
        about.append("classeur XLSX")
    if report.schema_name:
        about.append(f"schéma « {report.schema_name} »")
    lines.append("(" + ", ".join(about) + ")")
    for notice in report.notices:
        lines.append(f"Attention : {notice}")
    total = len(report.errors) + len(report.warnings)
    listing = details or total <= DETAILS_DEFAULT
    shown = 0
    for title, items in (("À corriger", report.errors), ("Avertissements", report.warnings)):
        if not items:
            continue
        lines.append("")
        lines.append(f"{title} :")
        for group in problem_groups(items):
            lines.append(
                f"- {group.where} — {group.label} : {fr_int(group.count)}{_example(group)}"
            )
            if group.fix:
                lines.append(f"  → {group.fix}")
            if not listing:
                continue
            for error in group.errors:
                if limit is not None and shown >= limit:
                    break
                shown += 1
                lines.append(f"    {error.message}")
                if error.fix and error.fix != group.fix:
                    lines.append(f"      → {error.fix}")
    if total and not listing:
        lines.append("")
        lines.append(
            f"Le détail ligne par ligne ({fr_int(total)} problèmes) s'affiche avec l'option "
            "--details."
        )
    elif limit is not None and total > limit:
        lines.append("")
        lines.append(
            f"({fr_int(total - min(limit, total))} autres non affichées : --limit-errors pour en voir plus ; "
            "le décompte ci-dessus est complet.)"
        )
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport, limit: int | None = None) -> str:
    data = report.to_dict()
    if limit is not None:
        data["errors"] = data["errors"][:limit]
        data["warnings"] = data["warnings"][:limit]
    data["summary"] = summary(report)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = (
    "Gravité",
    "Ligne",
    "Colonne",
    "Numéro de colonne",
    "Type d'erreur",
    "Nature",
    "Valeur",
    "Message",
    "Correction proposée",
)


def render_csv(report: ValidationReport) -> str:
    """One line per error then per warning, French column headers.

    Meant for a spreadsheet: UTF-8 with a byte order mark and ``;`` between values, so
    that Excel in French opens it in columns with its accents intact.
    """
    import csv
    import io

    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for gravity, items in (("erreur", report.errors), ("avertissement", report.warnings)):
        for error in items:
            writer.writerow(
                (
                    gravity,
                    "" if error.row_number is None else error.row_number,
                    error.field_name or "",
                    "" if error.field_number is None else error.field_number,
                    error.type,
                    error_type_name(error.type) or "",
                    "" if error.cell is None else error.cell,
                    error.message,
                    error.fix,
                )
            )
    return out.getvalue()
