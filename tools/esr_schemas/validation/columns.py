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

import multiprocessing
import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .errors import UnusableInput
from .types import (
    SUPPORTED,
    CellResult,
    array_item_constraints,
    canonical_key,
    cell_checker,
    decimal_key,
    value_reader,
)

PATTERN_TIME_BUDGET = 10.0
CACHE_LIMIT = 2_000_000


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
    fmt = descriptor.get("format", "default")
    constraints = descriptor.get("constraints")
    constraints = constraints if isinstance(constraints, dict) else {}
    supported = SUPPORTED.get(ftype, ["required", "enum"])
    active = {k: v for k, v in constraints.items() if k in supported and v is not None}
    own_missing = descriptor.get("missingValues")
    plan = FieldPlan(
        descriptor=descriptor,
        name=str(descriptor.get("name", "")),
        type=ftype,
        missing_values=list(own_missing) if isinstance(own_missing, list) else missing_values,
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
    try:
        re.compile(f"^{pattern}$")
    except re.error as error:
        raise UnusableInput(
            f"Le motif (pattern) du champ « {plan.name} » n'est pas une expression régulière "
            f"valide : {error}. Corrigez le schéma."
        ) from error
    rust = "^(?:^" + pattern + "(?:\\n?\\z))"
    try:
        pl.Series(["x"]).str.contains(rust)
    except Exception:
        plan.python_pattern = pattern
    else:
        plan.rust_pattern = rust


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
    blank: pl.Series
    type_error: pl.Series
    failed: dict[str, pl.Series]
    key: pl.Series


def analyze(plan: FieldPlan, values: pl.Series, present: pl.Series) -> ColumnResult:
    """Judge one column of a batch. ``values`` is a String series, ``present`` tells
    which rows really have the cell."""
    n = len(values)
    if plan.missing_values == [""]:
        missing = values == ""
    elif plan.missing_values:
        missing = values.is_in(plan.missing_values)
    else:
        missing = pl.Series([False] * n)
    blank = (~present) | missing
    frame = pl.DataFrame({"v": values, "blank": blank})
    false = pl.lit(False)
    exprs: dict[str, pl.Expr] = {}
    fast_ok: pl.Expr = false
    key: pl.Expr = pl.lit(None, dtype=pl.String)
    v = pl.col("v")
    c = plan.constraints
    reader = value_reader(plan.descriptor)
    kind = plan.fast
    if kind == "string":
        fast_ok = pl.lit(True)
        key = v
    elif kind == "integer":
        fast_ok = v.str.contains(r"^-?[0-9]{1,18}$")
        parsed = v.cast(pl.Int64, strict=False)
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
        fast_ok = p.str.contains(r"^-?[0-9]+(\.[0-9]+)?$") & (p.str.len_bytes() <= 16)
        parsed = p.cast(pl.Float64, strict=False)
        exprs.update(_bound_exprs(c, parsed, reader, as_float=True))
    if kind == "number" and plan.needs_key:
        int_part = p.str.extract(r"^-?([0-9]+)").str.strip_chars_start("0")
        frac = p.str.extract(r"\.([0-9]+)$").fill_null("").str.strip_chars_end("0")
        int_part = pl.when(int_part == "").then(pl.lit("0")).otherwise(int_part)
        body = pl.when(frac == "").then(int_part).otherwise(int_part + "." + frac)
        key = (
            pl.when(body == "0")
            .then(pl.lit("0"))
            .otherwise(pl.when(p.str.starts_with("-")).then("-" + body).otherwise(body))
        )
    if kind == "boolean":
        d = plan.descriptor
        trues = list(d.get("trueValues", ["true", "True", "TRUE", "1"]))
        falses = list(d.get("falseValues", ["false", "False", "FALSE", "0"]))
        is_false = v.is_in(falses)
        is_true = v.is_in(trues) & ~is_false
        fast_ok = pl.lit(True)
        exprs["__type__"] = ~(is_true | is_false)
        key = pl.when(is_true).then(pl.lit("1")).otherwise(pl.lit("0"))
        if "enum" in c:
            allowed = {reader(e) for e in c["enum"]} - {None}
            ok = pl.lit(False)
            if True in allowed:
                ok = ok | is_true
            if False in allowed:
                ok = ok | is_false
            exprs["enum"] = ~ok
    elif kind == "date":
        parsed = v.str.to_date("%Y-%m-%d", strict=False)
        fast_ok = v.str.contains(r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$") & parsed.is_not_null()
        key = v
        exprs.update(_bound_exprs(c, parsed, reader))
        if "enum" in c:
            exprs["enum"] = ~parsed.is_in([reader(e) for e in c["enum"]])
    elif kind == "year":
        fast_ok = v.str.contains(r"^[0-9]{4}$")
        parsed = v.cast(pl.Int64, strict=False)
        key = parsed.cast(pl.String)
        exprs.update(_bound_exprs(c, parsed, reader))
        if "enum" in c:
            exprs["enum"] = ~parsed.is_in(
                [x for x in (reader(e) for e in c["enum"]) if x is not None]
            )
    elif kind == "datetime":
        parsed_dt = v.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False)
        fast_ok = v.str.contains(
            r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$"
        ) & (parsed_dt.is_not_null())
        key = v
    if kind in ("string", "string-format"):
        if "minLength" in c:
            exprs["minLength"] = v.str.len_chars() < int(c["minLength"])
        if "maxLength" in c:
            exprs["maxLength"] = v.str.len_chars() > int(c["maxLength"])
        if "enum" in c:
            exprs["enum"] = ~v.is_in([e for e in c["enum"] if isinstance(e, str)])
        if plan.rust_pattern is not None:
            exprs["pattern"] = ~v.str.contains(plan.rust_pattern)
    if kind == "string-format":
        key = v
    fast_ok = fast_ok & ~pl.col("blank")
    if not plan.needs_key:
        key = pl.lit(None, dtype=pl.String)
    columns = [fast_ok.alias("fast"), key.alias("key")]
    columns += [e.fill_null(False).alias(f"x_{name}") for name, e in exprs.items()]
    frame = frame.with_columns(columns)
    # Values the fast path could not settle: exact reader, once per distinct value.
    todo_mask = ~frame["fast"] & ~frame["blank"]
    if kind == "string-format":
        todo_mask = ~frame["blank"]
    type_error = pl.Series([False] * n)
    if "x___type__" in frame.columns:
        type_error = frame["x___type__"] & ~frame["blank"]
    failed = {
        name: (frame[f"x_{name}"] & frame["fast"])
        if f"x_{name}" in frame.columns
        else pl.Series([False] * n)
        for name in plan.names
    }
    key_series = pl.when(frame["fast"]).then(frame["key"]).otherwise(None)
    key_out = frame.select(key_series.alias("k"))["k"]
    if todo_mask.any():
        todo_values = frame.filter(todo_mask)["v"].unique().to_list()
        results = plan.lookup(todo_values)
        table = {
            "v": todo_values,
            "t_type": [r.type_error for r in results],
            "t_key": [r.key for r in results],
        }
        for name in plan.names:
            table[f"t_{name}"] = [name in r.failed for r in results]
        joined = (
            frame.select("v")
            .with_columns(todo_mask.alias("todo"))
            .join(
                pl.DataFrame(table, schema_overrides={"t_key": pl.String}),
                on="v",
                how="left",
                maintain_order="left",
            )
        )
        todo = joined["todo"]
        type_error = type_error | (todo & joined["t_type"].fill_null(False))
        key_out = pl.select(pl.when(todo).then(joined["t_key"]).otherwise(key_out)).to_series()
        for name in plan.names:
            if kind in ("string", "string-format") and name in (
                "minLength",
                "maxLength",
                "enum",
                "pattern",
            ):
                # evaluated on the whole column; only cells of the right type count
                failed[name] = (
                    frame[f"x_{name}"] if f"x_{name}" in frame.columns else failed[name]
                ) & ~type_error
                continue
            failed[name] = failed[name] | (todo & joined[f"t_{name}"].fill_null(False))
    elif kind in ("string", "string-format"):
        for name in ("minLength", "maxLength", "enum", "pattern"):
            if name in failed and f"x_{name}" in frame.columns:
                failed[name] = frame[f"x_{name}"] & ~frame["blank"]
    if "pattern" in plan.names and plan.python_pattern is not None:
        failed["pattern"] = _python_pattern(plan, values, ~blank & ~type_error)
    blank_out = frame["blank"]
    for name in failed:
        failed[name] = failed[name] & ~blank_out & ~type_error
    if plan.required:
        failed["required"] = blank_out
    key_out = pl.select(pl.when(blank_out | type_error).then(None).otherwise(key_out)).to_series()
    return ColumnResult(
        blank=blank_out, type_error=type_error & ~blank_out, failed=failed, key=key_out
    )


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


def _match_all(pattern: str, values: list[str]) -> list[bool]:
    compiled = re.compile(f"^{pattern}$")
    return [bool(compiled.match(v)) for v in values]


def _python_pattern(plan: FieldPlan, values: pl.Series, mask: pl.Series) -> pl.Series:
    """Patterns Rust's regex cannot compile: Python ``re`` in a child process, with a
    time budget (a catastrophic pattern cannot hang the validation)."""
    assert plan.python_pattern is not None
    distinct = values.filter(mask).unique().to_list()
    if not distinct:
        return pl.Series([False] * len(values))
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        job = pool.apply_async(_match_all, (plan.python_pattern, distinct))
        try:
            matches = job.get(timeout=PATTERN_TIME_BUDGET)
        except multiprocessing.TimeoutError as error:
            pool.terminate()
            raise UnusableInput(
                f"Le motif (pattern) du champ « {plan.name} » est trop coûteux à évaluer "
                f"(plus de {PATTERN_TIME_BUDGET:.0f} s : retour arrière catastrophique, « ReDoS »). "
                "Simplifiez l'expression régulière du schéma (évitez les répétitions imbriquées "
                "comme (a+)+ et les références arrière)."
            ) from error
    bad = {v for v, ok in zip(distinct, matches, strict=True) if not ok}
    return values.is_in(list(bad)) & mask


__all__ = ["FieldPlan", "plan_field", "analyze", "ColumnResult", "canonical_key"]
