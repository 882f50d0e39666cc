"""The schema's business rules in the Excel template.

Three signals, from the strongest:

- **refused at entry**: a rule a formula can test (comparisons, sums, one-of-required
  between numbers, SIRET/SIREN agreement, conditions) joins, in the column's one custom
  validation formula, the column's own check (type, bounds, length, secrecy threshold);
  a condition whose column has a dropdown makes the dropdown depend on the other column
  (a list source choosing between ranges of the hidden list sheet). A rule holds while a
  cell it needs is still empty, as ``validate`` says;
- **highlighted**: a cell that breaks such a rule turns yellow (conditional format), the
  only signal for a pasted row (a paste bypasses validation) and for a rule the validation
  cannot carry (too long for Excel's 255 characters, a column with a dropdown);
- **the Notice** says each rule in plain French and which of these the template does;
  ``export`` refuses every broken rule anyway (the registry's validator).

A cohesive group (« toutes remplies ou toutes vides ») is only highlighted: what breaks it
is an empty cell, and a spreadsheet never validates an empty cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ..validation.declared_rules import (
    STATUS_PUBLISHED,
    STATUS_SECRET,
    VALIDATA_OPS,
    BusinessRule,
    declared_rules,
    describe,
)
from ..wording import LABEL_SEPARATOR

RULE_FILL = PatternFill(bgColor="FFEB9C")
LAST_ROW = 1048576
FORMULA_MAX = 255
"""Excel refuses a validation formula longer than this (LibreOffice reads it anyway)."""
_COMPARISONS = {">": ">", ">=": ">=", "==": "=", "<=": "<=", "<": "<"}
NUMBER_KINDS = ("integer", "number", "year")
MOMENT_KINDS = ("date", "datetime", "time")


@dataclass(frozen=True)
class Target:
    """What the rules need to know of one data column."""

    name: str
    letter: str
    kind: str
    values: tuple[Any, ...] = ()
    """The dropdown's entries (« L — Licence » or a bare code), empty without dropdown."""
    codes: tuple[str, ...] = ()
    """The code behind each dropdown entry, in the same order."""

    @property
    def cell(self) -> str:
        return f"${self.letter}2"


@dataclass
class Refusal:
    """One rule carried by one column's validation: the formula true while row 2 keeps
    the rule, and the sentence its error alert adds."""

    rule: BusinessRule
    formula: str
    alert: str


@dataclass
class DependentList:
    """A dropdown that offers, for each value of ``source``, only what the conditions allow."""

    rules: list[BusinessRule]
    source: Target
    branches: list[tuple[list[Any], list[Any]]]
    """(values of ``source``, entries of the dropdown allowed then), in order."""
    alert: str


@dataclass
class Outcome:
    """What the data sheet ended up doing with each rule (for the Notice)."""

    refused: dict[int, set[str]] = field(default_factory=dict)
    """id(rule) -> the columns whose validation refuses a value breaking it."""
    too_long: set[int] = field(default_factory=set)
    """Rules a column would have carried but Excel's 255-character limits left out."""
    highlighted: set[int] = field(default_factory=set)

    def refuse(self, rule: BusinessRule, column: str) -> None:
        self.refused.setdefault(id(rule), set()).add(column)


# -- the formulas ---------------------------------------------------------------------


def _is(target: Target, values: list[str]) -> str:
    """A formula true when ``target`` holds one of ``values`` (bare code, or the
    dropdown's « code — libellé » entry)."""
    tests = []
    for value in values:
        escaped = value.replace('"', '""')
        tests.append(f'{target.cell}&""="{escaped}"')
        if any(
            code == value and str(entry) != value
            for entry, code in zip(target.values, target.codes, strict=True)
        ):  # « code — libellé », chosen in the dropdown
            prefix = f"{escaped}{LABEL_SEPARATOR}"
            tests.append(f'LEFT({target.cell},{len(value) + len(LABEL_SEPARATOR)})="{prefix}"')
    return tests[0] if len(tests) == 1 else f"OR({','.join(tests)})"


def _comparable(a: Target, b: Target) -> bool:
    """Both cells hold numbers in the spreadsheet, compared as ``validate`` compares them
    (numbers as numbers; dates, which ``validate`` compares as ISO texts, by their order)."""
    if a.kind in NUMBER_KINDS and b.kind in NUMBER_KINDS:
        return True
    return a.kind == b.kind and a.kind in MOMENT_KINDS


def holds(rule: BusinessRule, targets: dict[str, Target]) -> str | None:
    """A formula true while row 2 keeps ``rule`` (None: no validation formula can say it).

    Every empty or mistyped cell the rule needs lets it hold: its own check speaks."""
    if not all(name in targets for name in rule.columns):
        return None
    cols = [targets[name] for name in rule.columns]
    cells = [t.cell for t in cols]
    kind = rule.kind
    if kind == "compare-columns-value":
        a, b = cols
        if not _comparable(a, b):
            return None
        op = _COMPARISONS[rule.params["op"]]
        return f"OR(COUNT({a.cell},{b.cell})<2,{a.cell}{op}{b.cell})"
    if kind == "sum-columns-value":
        if not all(t.kind in NUMBER_KINDS for t in cols):
            return None
        total, *parts = cells
        return f"OR(COUNT({','.join(cells)})<{len(cells)},ABS({total}-SUM({','.join(parts)}))<1E-9)"
    if kind == "one-of-required":
        if not all(t.kind in ("integer", "number") for t in cols):
            return None  # a filled text is never « zero »: only two zeros break it
        return f"OR(COUNT({cells[0]},{cells[1]})<2,{cells[0]}<>0,{cells[1]}<>0)"
    if kind == "siret-siren":
        siret, siren = cells
        return f'OR(LEN({siret})<>14,LEN({siren})<>9,LEFT({siret},9)={siren}&"")'
    if kind == "condition":
        then, when = cols
        if_values, then_values = rule.params["if"]["in"], rule.params["then"]["in"]
        return f'OR(NOT({_is(when, if_values)}),{then.cell}="",{_is(then, then_values)})'
    if kind == "secret-status-published":
        status, *published = cols
        return f"OR(NOT({_is(status, [STATUS_SECRET])}),COUNTA({','.join(cells[1:])})=0)"
    if kind == "rate-threshold":
        rate, base = cells
        return f'OR(NOT(ISNUMBER({base})),{rate}="",{base}>={rule.params["threshold"]})'
    if kind == "rate-consistency":
        # the numerator may be a sum of columns: (rate, numerator…, denominator)
        rate, *tops, base = cells
        tolerance = "1" if rule.params["scale"] == 100 else "0.01"
        top = tops[0] if len(tops) == 1 else f"({'+'.join(tops)})"
        return (
            f"OR(COUNT({','.join(cells)})<{len(cells)},{base}<=0,"
            f"ABS({rate}-{rule.params['scale']}*{top}/{base})<={tolerance})"
        )
    return None


def _highlight(rule: BusinessRule, targets: dict[str, Target]) -> str | None:
    """A formula true when row 2 breaks ``rule`` (conditional format: no length limit)."""
    if not all(name in targets for name in rule.columns):
        return None
    cols = [targets[name] for name in rule.columns]
    cells = [t.cell for t in cols]
    kind = rule.kind
    if kind == "compare-columns-value":
        a, b = cells
        return f"AND(ISNUMBER({a}),ISNUMBER({b}),NOT({a}{_COMPARISONS[rule.params['op']]}{b}))"
    if kind == "sum-columns-value":
        total, *parts = cells
        return f"AND(COUNT({','.join(cells)})={len(cells)},{total}<>{'+'.join(parts)})"
    if kind == "cohesive-columns-value":
        filled = "+".join(f"(LEN({c})>0)" for c in cells)
        return f"AND({filled}>0,{filled}<{len(cells)})"
    if kind == "one-of-required":
        empty = [
            f"OR(LEN({t.cell})=0,{t.cell}=0)" if t.kind in ("integer", "number") else
            f"LEN({t.cell})=0"
            for t in cols
        ]  # fmt: skip
        last = max(targets.values(), key=lambda t: (len(t.letter), t.letter)).letter
        return f"AND(COUNTA($A2:${last}2)>0,{','.join(empty)})"
    if kind == "condition-required":
        then, when = cols
        return f"AND({_is(when, rule.params['if']['in'])},LEN({then.cell})=0)"
    if kind == "sum":  # empty parts count as zero; a total with no part filled is left alone
        total, *parts = cells
        return (
            f"AND(ISNUMBER({total}),COUNT({','.join(parts)})>0,"
            f"ROUND({total}-SUM({','.join(parts)}),6)<>0)"
        )
    if kind == "secret-status-masked":
        status, *counts = cols
        return f"AND({_is(status, [STATUS_PUBLISHED])},COUNTA({','.join(cells[1:])})<{len(counts)})"
    if kind in (
        "siret-siren",
        "condition",
        "secret-status-published",
        "rate-threshold",
        "rate-consistency",
    ):
        formula = holds(rule, targets)
        return None if formula is None else f"NOT({formula})"
    return None


# -- the sentences of the error alerts ---------------------------------------------------


def _said(values: list[str]) -> str:
    quoted = [f"« {v} »" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " ou " + quoted[-1]


def alert(rule: BusinessRule) -> str:
    """The rule as an error alert says it: short, and what to correct."""
    c, p = rule.columns, rule.params
    if rule.kind == "compare-columns-value":
        return (
            f"Règle : la valeur de « {c[0]} » doit être {VALIDATA_OPS[p['op']]} à celle de "
            f"« {c[1]} » sur la même ligne ; corrigez l'une des deux."
        )
    if rule.kind == "sum-columns-value":
        parts = ", ".join(f"« {name} »" for name in c[1:])
        return f"Règle : « {c[0]} » doit être la somme de {parts} ; corrigez le total ou une part."
    if rule.kind == "one-of-required":
        return f"Règle : « {c[0]} » et « {c[1]} » ne peuvent pas valoir 0 toutes les deux."
    if rule.kind == "siret-siren":
        return (
            f"Règle : le SIRET « {c[0]} » commence par le SIREN « {c[1]} » de la même ligne ; "
            "corrigez l'un ou l'autre."
        )
    if rule.kind == "condition":
        return (
            f"Règle : quand « {c[1]} » vaut {_said(p['if']['in'])}, « {c[0]} » vaut "
            f"{_said(p['then']['in'])}."
        )
    if rule.kind == "secret-status-published":
        return f"Règle : laissez vide quand « {c[0]} » vaut « {STATUS_SECRET} »."
    if rule.kind == "rate-threshold":
        return (
            f"Règle : « {c[0]} » ne se publie que si « {c[1]} » vaut au moins "
            f"{p['threshold']} ; sinon laissez la cellule vide."
        )
    if rule.kind == "rate-consistency":
        return (
            f"Règle : « {c[0]} » vaut "
            + (
                f"« {c[1]} »"
                if len(c) == 3
                else "(" + " + ".join(f"« {n} »" for n in c[1:-1]) + ")"
            )
            + f" divisé par « {c[-1]} »"
            + (" (en pourcentage)" if p["scale"] == 100 else "")
            + " ; recalculez-le."
        )
    return describe(rule)


# -- the plan: which column carries which rule -------------------------------------------


def _carriers(rule: BusinessRule, targets: dict[str, Target]) -> list[Target]:
    """The columns whose validation refuses a value that breaks ``rule``: each column of
    the rule without a dropdown (a person may type them in any order)."""
    if rule.kind == "condition":
        then, when = (targets[name] for name in rule.columns)
        return [t for t in (then, when) if not t.values]
    if rule.kind == "secret-status-published":
        # the status column has its dropdown: the values published beside it refuse
        return [targets[name] for name in rule.columns[1:] if not targets[name].values]
    return [targets[name] for name in rule.columns if not targets[name].values]


def plan(
    descriptor: dict[str, Any], targets: dict[str, Target]
) -> tuple[dict[str, list[Refusal]], dict[str, DependentList], list[BusinessRule]]:
    """Per column, the rules its validation formula would add, and its dependent dropdown;
    and every rule, declaration order."""
    rules, _ = declared_rules(descriptor)
    refusals: dict[str, list[Refusal]] = {}
    dependents: dict[str, DependentList] = {}
    conditions: dict[str, list[BusinessRule]] = {}
    for rule in rules:
        formula = holds(rule, targets)
        if formula is None:
            continue
        for target in _carriers(rule, targets):
            refusals.setdefault(target.name, []).append(Refusal(rule, formula, alert(rule)))
        if rule.kind == "condition" and targets[rule.columns[0]].values:
            conditions.setdefault(rule.columns[0], []).append(rule)
    for name, found in conditions.items():
        dependent = _dependent_list(targets[name], found, targets)
        if dependent is not None:
            dependents[name] = dependent
    return refusals, dependents, rules


def _dependent_list(
    then: Target, found: list[BusinessRule], targets: dict[str, Target]
) -> DependentList | None:
    """The conditions on ``then`` that share its first source column, as one dropdown."""
    source = targets[found[0].columns[1]]
    chosen = [r for r in found if r.columns[1] == source.name]
    order: list[str] = []
    for rule in chosen:
        order += [v for v in rule.params["if"]["in"] if v not in order]
    branches: list[tuple[list[Any], list[Any]]] = []
    for value in order:
        allowed = set(then.codes)
        for rule in chosen:
            if value in rule.params["if"]["in"]:
                allowed &= set(rule.params["then"]["in"])
        entries = [e for e, code in zip(then.values, then.codes, strict=True) if code in allowed]
        if not entries:
            return None  # contradictory conditions: ``check`` has its say, the highlight stays
        for values, offered in branches:
            if offered == entries:
                values.append(value)
                break
        else:
            branches.append(([value], entries))
    sentence = (
        "Valeur non autorisée : choisissez une valeur de la liste déroulante. Elle dépend "
        f"de « {source.name} » : "
        + " ; ".join(
            f"quand il vaut {_said(values)}, {_said([c for e, c in zip(then.values, then.codes, strict=True) if e in offered])}"
            for values, offered in branches
        )
        + "."
    )
    return DependentList(chosen, source, branches, sentence)


def list_source(dependent: DependentList, names: list[str], everything: str) -> str:
    """The dropdown's source: the range of the first branch whose values ``source`` holds."""
    formula = everything
    for (values, _), name in reversed(list(zip(dependent.branches, names, strict=True))):
        formula = f"IF({_is(dependent.source, values)},{name},{formula})"
    return formula


def add_highlights(
    ws: Worksheet, rules: list[BusinessRule], targets: dict[str, Target], outcome: Outcome
) -> None:
    """Colour, on the data sheet, the cells that break a rule (pasted rows included)."""
    for rule in rules:
        formula = _highlight(rule, targets)
        if formula is None:
            continue
        target = targets[rule.columns[0]].letter
        ws.conditional_formatting.add(
            f"{target}2:{target}{LAST_ROW}", FormulaRule(formula=[formula], fill=RULE_FILL)
        )
        outcome.highlighted.add(id(rule))


def _status(rule: BusinessRule, outcome: Outcome) -> str:
    columns = outcome.refused.get(id(rule))
    if columns:
        named = ", ".join(f"« {c} »" for c in rule.columns if c in columns)
        plural = "s" if len(columns) > 1 else ""
        also = " et signalée en jaune" if id(rule) in outcome.highlighted else ""
        return f" Refusée à la saisie (colonne{plural} {named}){also}."
    if id(rule) in outcome.too_long:
        return (
            " Signalée en jaune seulement : trop longue pour le contrôle de saisie du tableur "
            "(255 caractères au plus) ; l'export la vérifie."
        )
    if id(rule) in outcome.highlighted:
        return " Signalée en jaune ; le tableur ne peut pas la refuser à la saisie, l'export la vérifie."
    if rule.kind == "rate-base-masked":
        return " Signalée par l'export et la validation, sans bloquer (un avertissement)."
    return " Vérifiée seulement par l'export et la validation."


def notice_rows(rules: list[BusinessRule], outcome: Outcome) -> list[tuple[str, ...]]:
    """The Notice's « Règles entre colonnes » section (nothing when the schema has none)."""
    if not rules:
        return []
    rows: list[tuple[str, ...]] = [
        ("",),
        ("Règles entre colonnes",),
        (
            "Le fichier doit aussi respecter ces règles. Le tableur refuse une valeur saisie qui "
            "enfreint une règle « refusée à la saisie », dès que les autres cellules de la règle "
            "sont remplies (une liste déroulante peut aussi dépendre d'une autre colonne). Une "
            "valeur collée échappe à ce contrôle : la cellule qui enfreint une règle se colore "
            "alors en jaune. Les règles que le tableur ne sait pas contrôler (référentiels, "
            "secret statistique entre colonnes, cellules laissées vides) ne sont vérifiées "
            "qu'à l'export, qui refuse tout fichier qui en enfreint une.",
        ),
    ]
    rows += [(f"- {describe(rule)}{_status(rule, outcome)}",) for rule in rules]
    return rows


def too_long(formula: str, message: str, message_max: int) -> bool:
    return len(formula) > FORMULA_MAX or len(message) > message_max


def joined_alert(own: str, sentences: list[str]) -> str:
    return " ".join([own, *sentences]) if own else " ".join(sentences)
