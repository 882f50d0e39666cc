"""Vectorised checks of one column of a batch (polars), with exact per-value fallback.

For each field the engine computes, for every row of a batch: whether the cell is
blank (absent or a missing value), whether it has a type error, which constraints
fail, and a canonical key of its parsed value (for unique, primaryKey, foreignKeys).

Fast paths settle the common, unambiguous shapes (``12``, ``3.5``, ``2024-03-12``,
``true``...) with polars expressions; every other distinct value goes through the
exact reader of ``types.py`` (cached across batches). Fast paths only ever accept
values the exact reader accepts, with the same parsed value.

Regular expressions (``pattern``) run in polars, i.e. Rust's ``regex`` crate, which
works in linear time: catastrophic backtracking (ReDoS) cannot happen. Patterns that
crate cannot compile (look-around, back-references) run in Python's ``re`` in a child
process with a time budget; past it, the file is declared unusable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import polars as pl

from .types import (
    SUPPORTED,
    CellResult,
    array_item_constraints,
    canonical_key,
    cell_checker,
    decimal_key,
    field_format,
    missing_values_of,
    value_reader,
)

_ATOM = r"[0-9A-Za-z!#$%&'*+/=?^_`{}|~\-]+"
_LABEL = r"[0-9A-Za-z](?:[0-9A-Za-z\-]{0,61}[0-9A-Za-z])?"
EMAIL_FAST = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[0-9A-Za-z][0-9A-Za-z\-]{{0,61}}[A-Za-z]$"
"""The plain ASCII addresses (``prenom.nom@univ-exemple.fr``) that the exact reader,
``validators.email``, accepts, whatever their case: its dot-atom user part (at most 64
characters) and its domain rule (labels of at most 63 characters, a last label ending
with a letter, 253 characters at most). Every other address goes to the exact reader."""

CACHE_LIMIT = 2_000_000
FEW_CELLS = 2_000
BOUNDS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}


@dataclass
class FieldPlan:
    descriptor: dict[str, Any]
    name: str
    type: str
    missing_values: list[str]
    constraints: dict[str, Any]
    required: bool
    checker: Any
    cache: dict[str, CellResult] = field(default_factory=dict)
    fast: str | None = None
    rust_pattern: str | None = None
    python_pattern: str | None = None
    python_matcher: Any = None
    """The budgeted child-process matcher of ``python_pattern`` (``patterns.BudgetedPattern``)."""
    needs_key: bool = True
    """Whether canonical keys are needed (unique, primaryKey, foreignKeys, secrecy)."""
    names: list[str] = field(default_factory=list)
    """Constraint names evaluated on non-missing cells (in frictionless order)."""

    def lookup(self, values: list[str]) -> list[CellResult]:
        cache = self.cache
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        out = []
        for value in values:
            result = cache.get(value)
            if result is None:
                result = self.checker(value)
                cache[value] = result
            out.append(result)
        return out


def plan_field(descriptor: dict[str, Any], missing_values: list[str]) -> FieldPlan:
    ftype = descriptor.get("type", "string") or "string"
    fmt = field_format(descriptor)
    constraints = descriptor.get("constraints")
    constraints = constraints if isinstance(constraints, dict) else {}
    supported = SUPPORTED.get(ftype, ["required", "enum"])
    active = {k: v for k, v in constraints.items() if k in supported and v is not None}
    own_missing = descriptor.get("missingValues")
    plan = FieldPlan(
        descriptor=descriptor,
        name=str(descriptor.get("name", "")),
        type=ftype,
        missing_values=missing_values_of(own_missing)
        if isinstance(own_missing, list)
        else missing_values,
        constraints=active,
        required=bool(active.get("required")),
        checker=cell_checker(descriptor),
    )
    plan.names = [n for n in supported if n in active and n != "required"]
    plan.names += array_item_constraints(descriptor)
    if "pattern" in active and ftype == "string":
        _plan_pattern(plan, str(active["pattern"]))
    plan.fast = _fast_kind(plan, fmt)
    return plan


def _plan_pattern(plan: FieldPlan, pattern: str) -> None:
    from .patterns import BudgetedPattern, check_compiles, rust_pattern

    check_compiles(pattern, f"du champ « {plan.name} »")
    rust = rust_pattern(pattern)
    if rust is None:
        plan.python_pattern = pattern
        plan.python_matcher = BudgetedPattern(pattern, f"du champ « {plan.name} »")
    else:
        plan.rust_pattern = rust


def rust_translation(pattern: str) -> str | None:
    """The pattern for Rust's ``regex`` crate with Python's meaning, or None when the
    two syntaxes may disagree on it (Python ``re`` is then used).

    frictionless matches ``re.match("^" + pattern + "$", cell)``: the whole cell, where
    ``$`` also matches just before a final newline (a cell ending with a line break, in
    quotes). The engine wraps the pattern the same way, with ``(?:\\n?\\z)`` for that
    final ``$`` (alternation binds as in frictionless: ``a|b`` means ``^a`` or ``b$``).
    Inside the pattern, each unescaped ``$`` outside a character class becomes
    ``(?:\\n?\\z)`` too, when it ends an alternative (followed by ``|``, ``)`` or the
    end); elsewhere Python's rules are kept by falling back to ``re``. Character-class
    syntax only Rust knows (``[[:alpha:]]``, ``&&``, ``--``, ``~~``, nested ``[``) also
    falls back.
    """
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if char == "[" or pattern.startswith(("&&", "--", "~~"), i):
                return None
            if char == "]":
                in_class = False
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
            if pattern.startswith("^", i + 1):
                out.append("^")
                i += 1
            if pattern.startswith("]", i + 1):  # a leading "]" is a literal in both
                out.append("\\]")
                i += 1
        elif char == "$":
            if i + 1 < len(pattern) and pattern[i + 1] not in "|)":
                return None
            out.append("(?:\\n?\\z)")
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _fast_kind(plan: FieldPlan, fmt: str) -> str | None:
    d = plan.descriptor
    c = plan.constraints
    reader = value_reader(d)
    bounds = [
        c[k] for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") if k in c
    ]
    if plan.type == "string" and fmt == "default":
        return "string"
    if plan.type == "string":
        return "string-format"
    if plan.type == "integer" and d.get("bareNumber", True) is not False:
        parsed = [reader(b) for b in bounds] + [reader(v) for v in c.get("enum", []) or []]
        if all(isinstance(p, int) and not isinstance(p, bool) for p in parsed if p is not None):
            return "integer"
        return None
    if plan.type == "number" and d.get("bareNumber", True) is not False and "enum" not in c:
        for bound in bounds:
            value = reader(bound)
            if value is None:
                return None
            digits = decimal_key(value if not isinstance(value, int) else _dec(value))
            if len(digits.replace("-", "").replace(".", "").lstrip("0")) > 15:
                return None
        return "number"
    if plan.type == "boolean":
        return "boolean"
    if plan.type == "date" and fmt in ("default", "%Y-%m-%d"):
        parsed = [reader(b) for b in bounds] + [reader(v) for v in c.get("enum", []) or []]
        return "date" if all(p is not None for p in parsed) else None
    if plan.type == "year":
        parsed = [reader(b) for b in bounds] + [reader(v) for v in c.get("enum", []) or []]
        return "year" if all(isinstance(p, int) for p in parsed if p is not None) else None
    if plan.type == "datetime" and fmt == "default" and not c.keys() - {"required"}:
        return "datetime"
    return None


def _dec(value: int) -> Any:
    from decimal import Decimal

    return Decimal(value)


@dataclass
class ColumnResult:
    """Verdicts on one column of a batch (boolean series, one item per row)."""

    blank: pl.Series
    type_error: pl.Series
    failed: dict[str, pl.Series]
    key: pl.Series | None
    """Canonical key of each parsed value (None when blank or of the wrong type), only
    when ``plan.needs_key``."""


@dataclass
class ColumnExprs:
    """The polars expressions judging one column, in stages: ``inputs[k]`` compute
    each costly intermediate (blank cells, parse, shape test) once, as columns, from
    the data and the earlier stages' columns; ``outputs`` combine them into the
    verdicts."""

    inputs: list[list[pl.Expr]]
    outputs: list[pl.Expr]


def column_exprs(plan: FieldPlan, index: int, column: str, present: pl.Expr) -> ColumnExprs:
    """Expressions judging one column, to run with every other column's in one query.

    The batch's frame pads the cells a record lacks with ``""``, so ``present`` (the
    record has this cell) only matters when ``""`` is not a missing value.

    Outputs (prefixed ``f{index}_``): ``blank``, ``todo`` (cells the fast path cannot
    settle: exact reader needed), ``type`` (fast type errors), ``x_<constraint>`` (fast
    constraint failures, on settled cells) and ``key``.
    """
    v = pl.col(column)
    prefix = f"f{index}_"
    inputs: list[list[pl.Expr]] = []
    stage_of: dict[str, int] = {}

    def stash(name: str, expr: pl.Expr) -> pl.Expr:
        """Compute ``expr`` once, as an input column, and refer to it: in stage 0 when
        it reads the data only, else in the stage after the columns it uses."""
        used = [stage_of[root] for root in expr.meta.root_names() if root in stage_of]
        stage = max(used) + 1 if used else 0
        while len(inputs) <= stage:
            inputs.append([])
        inputs[stage].append(expr.alias(prefix + name))
        stage_of[prefix + name] = stage
        return pl.col(prefix + name)

    if plan.missing_values == [""]:
        missing = v == ""
    elif plan.missing_values:
        missing = v.is_in(plan.missing_values)
    else:
        missing = pl.lit(False)
    blank = stash("blank", missing if "" in plan.missing_values else ~present | missing)
    exprs: dict[str, pl.Expr] = {}
    fast_ok: pl.Expr = pl.lit(False)
    key: pl.Expr = pl.lit(None, dtype=pl.String)
    c = plan.constraints
    reader = value_reader(plan.descriptor)
    kind = plan.fast
    type_expr: pl.Expr | None = None
    if kind in ("string", "string-format"):
        fast_ok = pl.lit(kind == "string")
        if kind == "string-format" and field_format(plan.descriptor) == "email":
            at = v.str.find("@", literal=True)
            fast_ok = (
                v.str.contains(EMAIL_FAST) & (at <= 64) & (v.str.len_bytes() - at <= 254)
            ).fill_null(False)
        key = v
        if "minLength" in c:
            exprs["minLength"] = v.str.len_chars() < int(c["minLength"])
        if "maxLength" in c:
            exprs["maxLength"] = v.str.len_chars() > int(c["maxLength"])
        if "enum" in c:
            exprs["enum"] = ~v.is_in([e for e in c["enum"] if isinstance(e, str)])
        if plan.rust_pattern is not None:
            exprs["pattern"] = ~v.str.contains(plan.rust_pattern)
    elif kind == "integer":
        # polars accepts [+-]?digits only, which Python's int() reads to the same value
        parsed = stash("value", v.cast(pl.Int64, strict=False))
        fast_ok = parsed.is_not_null()
        key = parsed.cast(pl.String)
        exprs.update(_bound_exprs(c, parsed, reader))
        if "enum" in c:
            allowed = [x for x in (reader(e) for e in c["enum"]) if x is not None]
            exprs["enum"] = ~parsed.is_in(allowed)
    elif kind == "number":
        p = v
        d = plan.descriptor
        if any(k in d for k in ("decimalChar", "groupChar", "bareNumber")):
            group = d.get("groupChar", "")
            dec = d.get("decimalChar", ".")
            p = p.str.strip_chars()
            if group:
                p = p.str.replace_all(group, "", literal=True)
            if dec != ".":
                p = (
                    pl.when(p.str.contains(".", literal=True))
                    .then(pl.lit("x"))
                    .otherwise(p.str.replace_all(dec, ".", literal=True))
                )
            p = stash("text", p)
        fast_ok = stash("ok", p.str.contains(r"^-?[0-9]+(\.[0-9]+)?$") & (p.str.len_bytes() <= 16))
        parsed = stash("value", p.cast(pl.Float64, strict=False))
        exprs.update(_bound_exprs(c, parsed, reader, as_float=True))
        if plan.needs_key:
            int_part = p.str.extract(r"^-?([0-9]+)").str.strip_chars_start("0")
            frac = p.str.extract(r"\.([0-9]+)$").fill_null("").str.strip_chars_end("0")
            int_part = pl.when(int_part == "").then(pl.lit("0")).otherwise(int_part)
            body = pl.when(frac == "").then(int_part).otherwise(int_part + "." + frac)
            key = (
                pl.when(body == "0")
                .then(pl.lit("0"))
                .otherwise(pl.when(p.str.starts_with("-")).then("-" + body).otherwise(body))
            )
    elif kind == "boolean":
        d = plan.descriptor
        trues = list(d.get("trueValues", ["true", "True", "TRUE", "1"]))
        falses = list(d.get("falseValues", ["false", "False", "FALSE", "0"]))
        is_false = stash("false", v.is_in(falses))
        is_true = stash("true", v.is_in(trues)) & ~is_false
        fast_ok = pl.lit(True)
        type_expr = ~(is_true | is_false)
        key = pl.when(is_true).then(pl.lit("1")).otherwise(pl.lit("0"))
        if "enum" in c:
            truth = {reader(e) for e in c["enum"]} - {None}
            ok = pl.lit(False)
            if True in truth:
                ok = ok | is_true
            if False in truth:
                ok = ok | is_false
            exprs["enum"] = ~ok
    elif kind == "date":
        parsed = v.str.to_date("%Y-%m-%d", strict=False, cache=False)
        if "enum" in c or c.keys() & BOUNDS:  # the parsed date is used more than once
            parsed = stash("value", parsed)
        fast_ok = v.str.contains(r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$") & parsed.is_not_null()
        key = v
        exprs.update(_bound_exprs(c, parsed, reader))
        if "enum" in c:
            exprs["enum"] = ~parsed.is_in([reader(e) for e in c["enum"]])
    elif kind == "year":
        # four bytes polars reads as a non-negative integer ([+-]?digits): the exact
        # reader (four characters, int(), 0 to 9999) reads them to the same year
        parsed = stash("value", v.cast(pl.Int64, strict=False))
        fast_ok = ((v.str.len_bytes() == 4) & (parsed >= 0)).fill_null(False)
        key = parsed.cast(pl.String)
        exprs.update(_bound_exprs(c, parsed, reader))
        if "enum" in c:
            exprs["enum"] = ~parsed.is_in(
                [x for x in (reader(e) for e in c["enum"]) if x is not None]
            )
    elif kind == "datetime":
        parsed_dt = v.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, cache=False)
        # seconds up to 59: polars reads a leap second ":60" as the next minute, where
        # the exact reader refuses it
        fast_ok = v.str.contains(
            r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-5][0-9]$"
        ) & (parsed_dt.is_not_null())
        key = v
    if kind in ("date", "datetime"):  # a shape test and a parse: computed once
        fast_ok = stash("fast", fast_ok)
    settled = fast_ok & ~blank
    outputs = [blank]
    if kind != "string":  # plain strings are always settled
        outputs.append((~blank & ~fast_ok).alias(prefix + "todo"))
    if type_expr is not None:
        outputs.append((type_expr & ~blank).fill_null(False).alias(prefix + "type"))
    for name, expr in exprs.items():
        if kind in ("string", "string-format"):
            # judged on every non-blank cell; cells of the wrong type are dropped later
            outputs.append((expr & ~blank).fill_null(False).alias(f"{prefix}x_{name}"))
        else:
            outputs.append((expr & settled).fill_null(False).alias(f"{prefix}x_{name}"))
    if plan.needs_key:
        outputs.append(pl.when(settled).then(key).otherwise(None).alias(prefix + "key"))
    return ColumnExprs(inputs, outputs)


def boolean_arrays(out: pl.DataFrame) -> dict[str, pl.Series]:
    """Every boolean column of a batch's verdicts, as a series (no copy)."""
    return {name: out[name] for name, dtype in out.schema.items() if dtype == pl.Boolean}


@lru_cache(maxsize=8)
def _no_hits(height: int) -> pl.Series:
    """A verdict true nowhere (shared: verdicts are never changed in place)."""
    return pl.repeat(False, height, dtype=pl.Boolean, eager=True)


def finish(
    plan: FieldPlan,
    index: int,
    out: pl.DataFrame,
    values: pl.Series,
    arrays: dict[str, pl.Series] | None = None,
) -> ColumnResult:
    """Complete the fast verdicts of ``column_exprs`` with the exact reader on the
    cells it could not settle (once per distinct value)."""
    prefix = f"f{index}_"
    n = out.height
    if arrays is None:
        arrays = boolean_arrays(out)
    nothing = _no_hits(n)
    blank = arrays[prefix + "blank"]
    todo = arrays.get(prefix + "todo", nothing)
    type_error = arrays.get(prefix + "type", nothing)
    failed: dict[str, pl.Series] = {
        name: arrays.get(f"{prefix}x_{name}", nothing) for name in plan.names
    }
    key = out[prefix + "key"] if plan.needs_key else None
    if todo.any():
        positions = todo.arg_true()
        # a format column (email...) is unsettled almost everywhere: no gather then
        todo_values = values if len(positions) == n else values.gather(positions)
        if len(positions) <= FEW_CELLS:
            # a few cells (errors, unusual spellings): one cached lookup each
            results = plan.lookup(todo_values.to_list())
            by_cell = True
        else:
            # many: the exact reader once per distinct value, mapped back when needed
            distinct = todo_values.unique()
            results = plan.lookup(distinct.to_list())
            by_cell = False

        def add(mask: pl.Series, verdicts: list[bool]) -> pl.Series:
            """``mask`` plus the unsettled cells whose result has a True verdict."""
            if not any(verdicts):
                return mask
            hit = pl.Series(verdicts, dtype=pl.Boolean)
            if not by_cell:  # the cells holding one of the distinct values hit
                hit = todo_values.is_in(distinct.filter(hit).implode())
            # a new series: ``mask`` may be a column of the verdicts, or ``nothing``
            return mask.clone().scatter(positions.filter(hit), True)

        type_error = add(type_error, [r.type_error for r in results])
        vectorised = plan.fast in ("string", "string-format")
        for name in plan.names:
            if vectorised and name in ("minLength", "maxLength", "enum", "pattern"):
                continue
            failed[name] = add(failed[name], [name in r.failed for r in results])
        if key is not None:
            mapped = pl.Series([r.key for r in results], dtype=pl.String)
            if not by_cell:
                mapped = todo_values.replace_strict(distinct, mapped, return_dtype=pl.String)
            key = key.scatter(positions, mapped)
    if plan.python_pattern is not None and "pattern" in plan.names:
        mask = ~blank & ~type_error
        failed["pattern"] = _python_pattern(plan, values, mask)
    wrong = blank | type_error
    for name in failed:
        failed[name] = failed[name] & ~wrong
    if plan.required:
        failed["required"] = blank
    if key is not None and type_error.any():
        key = key.scatter(type_error.arg_true(), None)
    return ColumnResult(blank=blank, type_error=type_error & ~blank, failed=failed, key=key)


def _bound_exprs(
    c: dict[str, Any], parsed: pl.Expr, reader: Any, as_float: bool = False
) -> dict[str, pl.Expr]:
    out: dict[str, pl.Expr] = {}
    for name, op in (
        ("minimum", "lt"),
        ("maximum", "gt"),
        ("exclusiveMinimum", "le"),
        ("exclusiveMaximum", "ge"),
    ):
        if name not in c:
            continue
        bound = reader(c[name])
        if bound is None:
            out[name] = pl.lit(True)
            continue
        if as_float:
            bound = float(bound)
        lit = pl.lit(bound)
        out[name] = getattr(parsed, op)(lit)
    return out


def _python_pattern(plan: FieldPlan, values: pl.Series, mask: pl.Series) -> pl.Series:
    """Patterns Rust's regex cannot compile: Python ``re`` in a child process, with a
    time budget (a catastrophic pattern cannot hang the validation)."""
    assert plan.python_matcher is not None
    distinct = values.filter(mask).unique().to_list()
    if not distinct:
        return pl.Series([False] * len(values))
    matches = plan.python_matcher.matches(distinct)
    bad = {v for v, ok in zip(distinct, matches, strict=True) if not ok}
    return values.is_in(list(bad)) & mask


__all__ = ["FieldPlan", "plan_field", "ColumnResult", "canonical_key"]
