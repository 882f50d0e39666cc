"""Evaluates a schema's business rules (:mod:`.declared_rules`) on the validator's blocks.

Each rule becomes one polars expression per block, true on the rows that break it; the
rows found are then reported one by one (only they cost Python work). A cell that is
empty or already wrong (type, constraint) takes no part in a rule: the error it has is
enough. The table validator calls :meth:`RuleChecker.verdicts` on each block in its
reading threads, then :meth:`RuleChecker.report_batch` in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from .. import codesystems, extensions
from .declared_rules import (
    STATUS_PUBLISHED,
    STATUS_SECRET,
    VALIDATA_OPS,
    BusinessRule,
    declared_rules,
    quote_list,
)
from .errors import ValidationError

NUMERIC = {"integer", "number"}
NUMBERS = {"integer", "number", "year"}
"""Types whose values Validata receives as numbers (frictionless reads a year as an int)."""
PERCENT_TOLERANCE = 1.0
RATIO_TOLERANCE = 0.01
SUM_RELATIVE_TOLERANCE = 1e-12
"""A sum is exact in Validata (decimals); ours adds floats, whose rounding on amounts of
hundreds of millions of euros reaches 1e-7: a gap below 1e-12 of the amounts is no gap."""
KEY_SEPARATOR = "\x1f"
KEY_EMPTY = "\x00"

DRAFT_NOTICE = (
    "Le secret statistique n'a pas été vérifié (option --brouillon) : ni les effectifs sous le "
    "seuil, ni le statut de diffusion, ni les taux tirés de trop petits effectifs. Ce fichier "
    "ne doit pas être publié avant une validation complète, sans cette option."
)
NO_EXTRA_NOTICE = (
    "Contrôles propres au registre désactivés : ni les clés de contrôle, ni les règles entre "
    "colonnes, ni le secret statistique n'ont été vérifiés."
)


@dataclass
class _Check:
    """One violation test: an expression over the block's columns, the column the error
    is reported on, and how to word it."""

    rule: BusinessRule
    expr: pl.Expr
    field: str
    message: Callable[[dict[str, Any]], tuple[str, str]]
    """Row values (column -> cell text) -> (what is wrong, how to fix it)."""
    severity: str = "error"


@dataclass
class BlockVerdicts:
    """One block's rule verdicts (:meth:`RuleChecker.verdicts`)."""

    table: pl.DataFrame
    """Column ``r<k>``: the rows that break check k."""
    cells: dict[str, pl.Series]
    """Each column the rules use: the block's text cells."""
    blanks: dict[str, pl.Series]
    """Each column the rules use: its empty cells."""


class RuleChecker:
    """The business rules of one validation: built once, run on every block."""

    def __init__(
        self,
        descriptor: dict[str, Any],
        columns: dict[str, tuple[int, str]],
        *,
        registry: Any = None,
        secrecy: bool = True,
    ) -> None:
        """``columns``: each data column's name -> (its number, its field type)."""
        referentiels = getattr(registry, "referentiels", None) if registry is not None else None
        rules, _ = declared_rules(descriptor)
        self.columns = columns
        # Validata's sums (every part filled): our own ``sum`` of the same columns then
        # checks only the rows where a part is empty, so that no row is reported twice
        self.validata_sums = {
            (rule.columns[0], frozenset(rule.columns[1:]))
            for rule in rules
            if rule.kind == "sum-columns-value"
        }
        self.notices: list[str] = []
        self.table_errors: list[ValidationError] = []
        self.decimal = {
            str(f.get("name")): str(f.get("decimalChar", "."))
            for f in descriptor.get("fields") or []
            if isinstance(f, dict)
        }
        self.own_systems = {
            str(f.get("name")): extensions.code_system(f)
            for f in descriptor.get("fields") or []
            if isinstance(f, dict)
        }
        self.checks: list[_Check] = []
        for rule in rules:
            if rule.secrecy and not secrecy:
                continue
            self.checks.extend(self._compile(rule, referentiels or {}))
        self.used = sorted(
            {name for check in self.checks for name in check.rule.columns if name in columns}
        )
        if not secrecy and any(r.secrecy for r in rules):
            self.notices.append(DRAFT_NOTICE)

    # -- expressions over the block frame: v_<name> (text, null unless usable),
    # -- b_<name> (blank), x_<name> (already wrong)
    @staticmethod
    def _v(name: str) -> pl.Expr:
        return pl.col(f"v_{name}")

    def _n(self, name: str) -> pl.Expr:
        value = self._v(name)
        decimal = self.decimal.get(name, ".")
        if decimal != ".":
            value = value.str.replace_all(decimal, ".", literal=True)
        return value.cast(pl.Float64, strict=False)

    @staticmethod
    def _blank(name: str) -> pl.Expr:
        return pl.col(f"b_{name}")

    def _skip(self, names: tuple[str, ...] | list[str]) -> pl.Expr:
        """Rows where a cell of these columns is already wrong."""
        present = [pl.col(f"x_{n}") for n in names]
        return pl.any_horizontal(present) if present else pl.lit(False)

    def _table_error(self, rule: BusinessRule, message: str, fix: str) -> None:
        """An error on the whole file (a column the rule needs is missing), row 1."""
        self.table_errors.append(ValidationError(rule.code, 1, None, None, None, "", message, fix))

    def _compile(self, rule: BusinessRule, referentiels: dict[str, Any]) -> list[_Check]:
        kind, c, p = rule.kind, rule.columns, rule.params
        v, n, blank = self._v, self._n, self._blank
        if any(name not in self.columns for name in c) and kind not in (
            "cohesive-columns-value",
            "one-of-required",
            "secret-status-published",
            "secret-status-masked",
            "sum",
        ):
            return []  # a column the file lacks: its missing-label error says it all
        if kind in ("siren", "siret"):
            if self.own_systems.get(c[0]) == kind:
                return []  # the column's own code check already runs
            return [self._system_check(rule, kind)]
        if kind == "siret-siren":
            siret = v(c[0]).str.replace_all(" ", "", literal=True)
            siren = v(c[1]).str.replace_all(" ", "", literal=True)
            expr = (
                (siret.str.len_chars() == 14)
                & (siren.str.len_chars() == 9)
                & (siret.str.slice(0, 9) != siren)
            )
            # a SIREN with a wrong key has its own error: the mismatch is its consequence
            siren_check = self._system_check(BusinessRule("siren", (c[1],)), "siren")
            siren_failing = siren_check.values_failing  # type: ignore[attr-defined]
            checks = [
                _Check(
                    rule,
                    expr,
                    c[0],
                    lambda row: (
                        f"le SIRET « {row[c[0]]} » ne commence pas par le SIREN « {row[c[1]]} » "
                        "de la même ligne",
                        "Un SIRET est le SIREN de l'établissement suivi de cinq chiffres : "
                        "corrigez l'un ou l'autre.",
                    ),
                )
            ]
            checks[0].unless_failing = (c[1], siren_failing)  # type: ignore[attr-defined]
            return checks
        if kind == "compare-columns-value":
            # Validata's order: two numbers (or texts that read as numbers) compare as
            # numbers; two texts as texts; two values of one other type by their text;
            # anything else is "not comparable", an error.
            types = (self.columns[c[0]][1], self.columns[c[1]][1])
            a, b = n(c[0]), n(c[1])
            op = p["op"]
            both = v(c[0]).is_not_null() & v(c[1]).is_not_null()
            if types[0] in NUMBERS and types[1] in NUMBERS:
                expr = both & ~_compare(a, op, b)
            else:
                numeric = self._numberlike(c[0], a) & self._numberlike(c[1], b)
                same_kind = types[0] == types[1]
                as_text = ~_compare(v(c[0]), op, v(c[1])) if same_kind else pl.lit(True)
                expr = both & pl.when(numeric).then(~_compare(a, op, b)).otherwise(as_text)
            word = VALIDATA_OPS[op]
            return [
                _Check(
                    rule,
                    expr,
                    c[0],
                    lambda row: (
                        f"la valeur « {row[c[0]]} » devrait être {word} à celle de la colonne "
                        f"« {c[1]} » (« {row[c[1]]} »)",
                        f"Corrigez « {c[0]} » ou « {c[1]} » : la première doit être {word} "
                        "à la seconde.",
                    ),
                )
            ]
        if kind == "sum-columns-value":
            parts = [n(name) for name in c[1:]]
            filled = pl.all_horizontal([v(name).is_not_null() for name in c])
            numbers = pl.all_horizontal([n(name).is_not_null() for name in c])
            expr = filled & numbers & _sum_mismatch(n(c[0]), parts)
            return [
                _Check(
                    rule,
                    expr,
                    c[0],
                    lambda row: (
                        f"la valeur « {row[c[0]]} » n'est pas la somme de "
                        f"{quote_list(list(c[1:]))} ("
                        + " + ".join(str(row[name]) for name in c[1:])
                        + ")",
                        f"Corrigez « {c[0]} » ou l'une des colonnes additionnées.",
                    ),
                )
            ]
        if kind == "sum":
            if c[0] not in self.columns:
                return []
            present = [name for name in c[1:] if name in self.columns]  # absent: zero
            if not present:
                return []
            amounts = [n(name) for name in present]
            expr = (
                ~self._skip([c[0], *present])
                & n(c[0]).is_not_null()
                & pl.any_horizontal([x.is_not_null() for x in amounts])
                & _sum_mismatch(n(c[0]), [x.fill_null(0.0) for x in amounts])
            )
            if (c[0], frozenset(c[1:])) in self.validata_sums:
                expr = expr & ~pl.all_horizontal([x.is_not_null() for x in amounts])

            def sum_wording(row: dict[str, Any]) -> tuple[str, str]:
                filled = [name for name in present if row[name] not in (None, "")]
                shown = " + ".join(str(row[name]) for name in filled)
                return (
                    f"la valeur « {row[c[0]]} » n'est pas la somme des colonnes remplies parmi "
                    f"{quote_list(list(c[1:]))} ({shown})",
                    f"Corrigez « {c[0]} » ou l'une des colonnes additionnées (une cellule vide "
                    "compte pour zéro).",
                )

            return [_Check(rule, expr, c[0], sum_wording)]
        if kind == "unique":
            return [self._unique_check(rule)]
        if kind == "condition-required":
            when = p["if"]
            expr = v(c[1]).is_in(when["in"]) & blank(c[0])
            return [
                _Check(
                    rule,
                    expr,
                    c[0],
                    lambda row: (
                        f"la cellule est vide alors que « {c[1]} » vaut « {row[c[1]]} » : "
                        f"« {c[0]} » est alors obligatoire",
                        f"Remplissez « {c[0]} », ou corrigez « {c[1]} ».",
                    ),
                )
            ]
        if kind == "condition-pattern":
            when, then = p["if"], p["then"]
            shape = then["patternHelp"].strip().rstrip(".")
            anchored = f"^(?:{then['pattern']})$"
            try:
                pl.select(pl.lit("").str.contains(anchored))
            except pl.exceptions.PolarsError:  # valid for Python, not for polars (lookaround)
                self.notices.append(
                    f"Règle non vérifiée : la forme attendue de « {c[0]} » quand « {c[1]} » "
                    f"vaut {quote_list(when['in'], 'ou')} n'a pas pu être lue par le validateur."
                )
                return []
            matches = v(c[0]).str.contains(anchored)
            expr = v(c[1]).is_in(when["in"]) & v(c[0]).is_not_null() & ~matches
            return [
                _Check(
                    rule,
                    expr,
                    c[0],
                    lambda row: (
                        f"« {row[c[0]]} » n'a pas la forme attendue quand « {c[1]} » vaut "
                        f"« {row[c[1]]} » : {shape}",
                        f"Corrigez « {c[0]} » ou « {c[1]} ».",
                    ),
                )
            ]
        if kind == "cohesive-columns-value":
            absent = [name for name in c if name not in self.columns]
            if absent:
                if len(absent) < len(c):
                    self._table_error(
                        rule,
                        f"Les colonnes {quote_list(list(c))} vont ensemble, mais le fichier "
                        f"n'a pas {quote_list(absent)}.",
                        "Ajoutez les colonnes manquantes, ou retirez-les toutes.",
                    )
                return []
            each = [~blank(name) for name in c]
            expr = ~self._skip(c) & pl.any_horizontal(each) & ~pl.all_horizontal(each)
            return [
                _Check(
                    rule,
                    expr,
                    c[0],
                    lambda row: (
                        f"les colonnes {quote_list(list(c))} doivent être toutes remplies ou "
                        "toutes vides",
                        "Remplissez les cellules vides de ces colonnes, ou videz les autres.",
                    ),
                )
            ]
        if kind == "one-of-required":
            absent = [name for name in c if name not in self.columns]
            if len(absent) == 2:
                self._table_error(
                    rule,
                    f"Il faut au moins une des colonnes « {c[0]} » et « {c[1]} » : le "
                    "fichier n'a ni l'une ni l'autre.",
                    "Ajoutez l'une de ces colonnes et remplissez-la.",
                )
                return []
            empty = [self._falsy(name) for name in c]
            expr = ~self._skip([x for x in c if x in self.columns]) & pl.all_horizontal(empty)
            return [
                _Check(
                    rule,
                    expr,
                    c[0] if c[0] in self.columns else c[1],
                    lambda row: (
                        f"au moins une des colonnes « {c[0]} » et « {c[1]} » doit être remplie "
                        "(zéro ne compte pas)",
                        f"Remplissez « {c[0]} » ou « {c[1]} ».",
                    ),
                )
            ]
        if kind == "condition":
            when, then = p["if"], p["then"]
            expr = v(c[1]).is_in(when["in"]) & v(c[0]).is_not_null() & ~v(c[0]).is_in(then["in"])
            return [
                _Check(
                    rule,
                    expr,
                    c[0],
                    lambda row: (
                        f"« {row[c[0]]} » n'est pas possible quand « {c[1]} » vaut "
                        f"« {row[c[1]]} » : « {c[0]} » doit alors valoir "
                        f"{quote_list(then['in'], 'ou')}",
                        f"Corrigez « {c[0]} » ou « {c[1]} ».",
                    ),
                )
            ]
        if kind == "lookup":
            return self._lookup_checks(rule, referentiels)
        if kind == "secret-status-published":
            status, published = c[0], [x for x in c[1:] if x in self.columns]
            if status not in self.columns:
                return []

            def secret_wording(name: str) -> Callable[[dict[str, Any]], tuple[str, str]]:
                return lambda row: (
                    f"la valeur « {row[name]} » est publiée alors que « {status} » vaut "
                    f"« {STATUS_SECRET} »",
                    "Laissez la cellule vide : une valeur couverte par le secret statistique "
                    "ne se publie pas (ou corrigez le statut).",
                )

            return [
                _Check(
                    rule,
                    (v(status) == STATUS_SECRET) & v(name).is_not_null(),
                    name,
                    secret_wording(name),
                )
                for name in published
            ]
        if kind == "secret-status-masked":
            status, counts = c[0], [x for x in c[1:] if x in self.columns]
            if status not in self.columns:
                return []
            masked_wording = (
                f"l'effectif est vide alors que « {status} » vaut « {STATUS_PUBLISHED} »",
                "Publiez l'effectif, ou indiquez pourquoi il manque dans "
                f"« {status} » (« {STATUS_SECRET} », « non_disponible »…).",
            )
            return [
                _Check(
                    rule,
                    (v(status) == STATUS_PUBLISHED) & blank(name),
                    name,
                    lambda row: masked_wording,
                )
                for name in counts
            ]
        if kind == "rate-threshold":
            threshold = p["threshold"]
            expr = v(c[0]).is_not_null() & (n(c[1]) < threshold)
            return [
                _Check(
                    rule,
                    expr,
                    c[0],
                    lambda row: (
                        f"« {row[c[0]]} » est tiré de {row[c[1]]} personnes (colonne « {c[1]} »), "
                        f"moins que le seuil de {threshold}",
                        "Laissez la cellule vide et indiquez « secret_statistique » ou "
                        "« non_significatif » dans le statut de diffusion.",
                    ),
                )
            ]
        if kind == "rate-base-masked":
            expr = v(c[0]).is_not_null() & blank(c[1])
            return [
                _Check(
                    rule,
                    expr,
                    c[0],
                    lambda row: (
                        f"« {row[c[0]]} » est publié alors que l'effectif dont il est tiré "
                        f"(« {c[1]} ») est vide",
                        f"Publiez « {c[1]} » ou laissez cette cellule vide.",
                    ),
                    severity="warning",
                )
            ]
        if kind == "rate-consistency":
            scale = p["scale"]
            tolerance = PERCENT_TOLERANCE if scale == 100 else RATIO_TOLERANCE
            tops = [n(name) for name in c[1:-1]]
            top = (
                tops[0]
                if len(tops) == 1
                else pl.when(pl.all_horizontal([x.is_not_null() for x in tops])).then(
                    pl.sum_horizontal(tops)
                )
            )
            rate, bottom = n(c[0]), n(c[-1])
            expr = (
                rate.is_not_null()
                & top.is_not_null()
                & (bottom > 0)
                & ((rate - scale * top / bottom).abs() > tolerance)
            )

            def wording(row: dict[str, Any]) -> tuple[str, str]:
                parts = c[1:-1]
                counted = sum(float(row[name].replace(",", ".")) for name in parts)
                expected = scale * counted / float(row[c[-1]].replace(",", "."))
                shown = f"{expected:.1f}".replace(".", ",")
                if len(parts) == 1:
                    names, values = f"« {parts[0]} »", str(row[parts[0]])
                else:
                    names = "(" + " + ".join(f"« {name} »" for name in parts) + ")"
                    values = "(" + " + ".join(str(row[name]) for name in parts) + ")"
                return (
                    f"« {row[c[0]]} » ne correspond pas à {names} / « {c[-1]} » "
                    f"({values} / {row[c[-1]]}, soit {shown})",
                    f"Recalculez « {c[0]} » à partir des effectifs, ou corrigez-les.",
                )

            return [_Check(rule, expr, c[0], wording)]
        return []

    def _unique_check(self, rule: BusinessRule) -> _Check:
        """No two rows share the cells of ``rule.columns``; the keys seen in earlier
        blocks (with their first row) are kept from one block to the next."""
        c = rule.columns
        state: dict[str, pl.DataFrame] = {
            "seen": pl.DataFrame(schema={"key": pl.String, "first": pl.Int64})
        }

        def duplicates(
            raw: dict[str, pl.Series], blanks: dict[str, Any], keep: pl.Series, rows: pl.Series
        ) -> tuple[pl.Series, list[int]]:
            parts = [
                pl.select(
                    pl.when(pl.lit(blanks[name]))
                    .then(pl.lit(KEY_EMPTY))
                    .otherwise(pl.lit(raw[name]))
                ).to_series()
                for name in c
            ]
            block = pl.DataFrame(
                {
                    "key": pl.select(pl.concat_str(parts, separator=KEY_SEPARATOR)).to_series(),
                    "row": pl.Series(rows, dtype=pl.Int64),
                    "keep": pl.Series(keep, dtype=pl.Boolean),
                }
            ).with_row_index("i")
            block = block.filter(pl.col("keep")).with_columns(
                pl.col("key").is_first_distinct().alias("head"),
                pl.col("key").is_in(state["seen"]["key"].implode()).alias("known"),
            )
            heads = block.filter(pl.col("head") & ~pl.col("known")).select(
                "key", pl.col("row").alias("first")
            )
            found = block.filter(~pl.col("head") | pl.col("known"))
            if len(found):  # rare: only then look up where each key first appeared
                firsts = pl.concat([state["seen"], heads])
                found = found.join(firsts, on="key", how="left").sort("i")
            else:
                found = found.with_columns(pl.col("row").alias("first"))
            state["seen"] = pl.concat([state["seen"], heads])
            return found["i"], found["first"].to_list()

        quoted = quote_list(list(c))
        check = _Check(
            rule,
            pl.lit(False),
            c[0],
            lambda row: (
                f"la même combinaison de valeurs dans {quoted} ("
                + ", ".join(str(row[name] or "vide") for name in c)
                + f") figure déjà à la ligne {row['__first']}",
                "Une combinaison ne figure qu'une fois : regroupez ces lignes en une seule, ou "
                "corrigez la colonne qui devait les distinguer.",
            ),
        )
        check.duplicates = duplicates  # type: ignore[attr-defined]
        return check

    def _numberlike(self, name: str, number: pl.Expr) -> pl.Expr:
        """Validata's ``is_a_number``: a number, or a text that reads as one."""
        kind = self.columns[name][1]
        if kind in NUMBERS:
            return pl.lit(True)
        if kind == "string":
            return number.is_not_null()
        return pl.lit(False)

    def _falsy(self, name: str) -> pl.Expr:
        """Validata's ``not value``: empty, or 0 in a numeric column."""
        if name not in self.columns:
            return pl.lit(True)
        empty = self._blank(name)
        if self.columns[name][1] in NUMERIC:
            empty = empty | (self._n(name) == 0).fill_null(False)
        return empty

    def _system_check(self, rule: BusinessRule, system: str) -> _Check:
        name = rule.columns[0]
        verdicts: dict[str, Any] = {}

        def values_failing(series: pl.Series) -> list[str]:
            bad = []
            for value in series.drop_nulls().unique().to_list():
                if value not in verdicts:
                    verdicts[value] = codesystems.check(system, value)
                if verdicts[value] is not None:
                    bad.append(value)
            return bad

        check = _Check(
            rule,
            pl.lit(False),
            name,
            lambda row: (
                str(verdicts[row[name]][0]),
                "Vérifiez l'identifiant à la source (annuaire Sirene de l'Insee).",
            ),
        )
        check.values_failing = values_failing  # type: ignore[attr-defined]
        return check

    def _lookup_checks(self, rule: BusinessRule, referentiels: dict[str, Any]) -> list[_Check]:
        key, params = rule.columns[0], rule.params
        table = referentiels.get(params["referentiel"])
        if table is None:
            self.notices.append(
                f"Règle de correspondance non vérifiée : le référentiel « {params['referentiel']} » "
                "n'est pas disponible."
            )
            return []
        checks = []
        for column, ref_column in params["columns"].items():
            if column not in self.columns:
                continue
            known = {
                row["code"]: row.get(ref_column, "")
                for row in table.rows
                if row.get(ref_column, "")
            }
            codes, expected = list(known), list(known.values())
            wanted = self._v(key).replace_strict(
                codes, expected, default=None, return_dtype=pl.String
            )
            expr = (
                wanted.is_not_null() & self._v(column).is_not_null() & (self._v(column) != wanted)
            )

            def wording(
                row: dict[str, Any], column: str = column, known: dict[str, str] = known
            ) -> tuple[str, str]:
                return (
                    f"« {row[column]} » ne correspond pas au code « {row[key]} » de « {key} » : "
                    f"le référentiel « {table.title} » donne « {known[row[key]]} »",
                    f"Écrivez « {known[row[key]]} » dans « {column} », ou corrigez « {key} ».",
                )

            checks.append(_Check(rule, expr, column, wording))
        return checks

    # -- per block
    def verdicts(self, frame: pl.DataFrame, results: dict[str, Any]) -> BlockVerdicts | None:
        """Every rule's verdict on one block, row by row (one boolean column per check),
        with the cells the messages quote. ``frame`` holds the block's text cells
        (column ``c<k>`` for data column k+1), ``results`` each column's verdicts. Needs
        nothing of the other blocks (the uniqueness rules, which do, are settled in
        :meth:`report_batch`): it runs in the reading threads, beside the columns' own
        verdicts."""
        if not self.checks:
            return None
        data: dict[str, Any] = {}
        raw: dict[str, pl.Series] = {}
        for name in self.used:
            number, _ = self.columns[name]
            r = results[name]
            wrong = r.type_error
            for mask in r.failed.values():
                wrong = wrong | mask
            raw[name] = data[f"r_{name}"] = frame[f"c{number - 1}"]
            data[f"u_{name}"] = ~r.blank & ~wrong
            data[f"b_{name}"] = r.blank
            data[f"x_{name}"] = wrong
        # v_<name>: the cell's text where it is usable (neither empty nor already wrong);
        # one query per block computes it and every rule's verdict
        query = (
            pl.DataFrame(data)
            .lazy()
            .with_columns(
                pl.when(pl.col(f"u_{name}")).then(pl.col(f"r_{name}")).alias(f"v_{name}")
                for name in self.used
            )
        )
        exprs = []
        for index, check in enumerate(self.checks):
            failing = getattr(check, "values_failing", None)
            if failing is not None:
                name = check.field
                usable = pl.select(pl.when(pl.lit(data[f"u_{name}"])).then(pl.lit(raw[name])))
                bad = failing(usable.to_series())
                expr = self._v(name).is_in(bad) if bad else pl.lit(False)
            else:
                expr = check.expr
            unless = getattr(check, "unless_failing", None)
            if unless is not None:
                name, failing_of = unless
                usable = pl.select(pl.when(pl.lit(data[f"u_{name}"])).then(pl.lit(raw[name])))
                bad = failing_of(usable.to_series())
                if bad:
                    expr = expr & ~self._v(name).is_in(bad)
            exprs.append(expr.fill_null(False).alias(f"r{index}"))
        blanks = {name: data[f"b_{name}"] for name in self.used}
        return BlockVerdicts(query.select(exprs).collect(), raw, blanks)

    def report_batch(
        self,
        verdicts: BlockVerdicts | None,
        keep: pl.Series,
        row_numbers: pl.Series,
        add: Callable[[ValidationError], None],
    ) -> None:
        """Report the rows of one block that break a rule (``verdicts`` from
        :meth:`verdicts`), except the blank rows (``keep`` False). Called on the blocks
        in order: the uniqueness rules remember the keys seen in earlier blocks."""
        if verdicts is None:
            return
        raw = verdicts.cells
        for index, check in enumerate(self.checks):
            duplicates = getattr(check, "duplicates", None)
            first_rows: list[int] = []
            if duplicates is not None:
                blanks = {name: verdicts.blanks[name] for name in check.rule.columns}
                hits, first_rows = duplicates(raw, blanks, keep, row_numbers)
            else:
                hits = (verdicts.table[f"r{index}"] & keep).arg_true()
            if not len(hits):
                continue
            number = self.columns[check.field][0]
            names = [name for name in check.rule.columns if name in raw]
            cells = {name: raw[name].gather(hits).to_list() for name in names}
            for position, i in enumerate(hits):
                row = {name: cells[name][position] for name in names}
                if first_rows:
                    row["__first"] = first_rows[position]
                what, fix = check.message(row)
                line = int(row_numbers[i])
                add(
                    ValidationError(
                        type=check.rule.code,
                        row_number=line,
                        field_name=check.field,
                        field_number=number,
                        cell=row.get(check.field),
                        note=check.rule.kind,
                        message=f"Ligne {line}, colonne « {check.field} » : {what}.",
                        fix=fix,
                        severity=check.severity,
                    )
                )


def _sum_mismatch(total: pl.Expr, parts: list[pl.Expr]) -> pl.Expr:
    """``total`` differs from the sum of ``parts`` by more than float rounding."""
    size = total.abs() + pl.sum_horizontal([x.abs() for x in parts])
    tolerance = pl.max_horizontal(pl.lit(1e-9), SUM_RELATIVE_TOLERANCE * size)
    return (total - pl.sum_horizontal(parts)).abs() > tolerance


def _compare(left: pl.Expr, op: str, right: pl.Expr) -> pl.Expr:
    if op == ">":
        return left > right
    if op == ">=":
        return left >= right
    if op == "==":
        return left == right
    if op == "<=":
        return left <= right
    return left < right


def partial_notices(fields: list[dict[str, Any]], registry: Any) -> list[str]:
    """One notice per référentiel that is only an extract: its codes are not checked."""
    referentiels = getattr(registry, "referentiels", {}) if registry is not None else {}
    notices = []
    for name in dict.fromkeys(extensions.code_list(f) for f in fields):
        table = referentiels.get(name) if name else None
        if table is not None and table.partial:
            notices.append(
                f"Le référentiel « {table.title} » livré avec le registre n'est qu'un extrait : "
                "un code qu'il ne contient pas n'est pas refusé (les codes de cette colonne "
                "n'ont pas été vérifiés)."
            )
    return notices
