"""The validation engine: header, row shape, cells, unique/primaryKey/foreignKeys,
and the registry's own checks (code systems, code lists, statistical secrecy)."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import Any

import polars as pl

from .. import codesystems, extensions
from .business_rules import NO_EXTRA_NOTICE, RuleChecker, partial_notices
from .columns import ColumnResult, FieldPlan, boolean_arrays, column_exprs, finish, plan_field
from .errors import UnusableInput, ValidationError, ValidationReport
from .messages import code_list_fix, describe, fr_int, lost_zero_notices
from .reading import Batch, NotUtf8, Source, open_source
from .schema_check import check_descriptor
from .types import missing_value_labels, missing_values_of

MAX_STORED_ERRORS = 1_000_000
COLUMNS_PER_QUERY = 256
NULL = "\x00"
SEP = "\x1f"


@dataclass
class Expected:
    """A data column and the field judging it (an ``any`` field for unknown labels)."""

    number: int
    name: str
    plan: FieldPlan
    fabricated: bool = False


def _header(
    labels: list[str], fields: list[dict[str, Any]], fields_match: str, primary_key: list[str]
) -> tuple[list[Expected], list[ValidationError], list[dict[str, Any]]]:
    """Label errors and the expected fields, as frictionless pairs them."""
    raw: list[tuple[str, str | None, int | None, str]] = []  # type, field_name, number, label
    by_name = fields_match != "exact"
    names = [str(f.get("name", "")) for f in fields]
    index_by_name: dict[str, int] = {}
    for i, name in enumerate(names):
        index_by_name.setdefault(name, i)

    def matching(position: int, label: str) -> int | None:
        if not by_name:
            return position if position < len(fields) else None
        return index_by_name.get(label)

    missing_fields: list[int]
    if not labels:
        return [], [], fields
    if fields_match not in ("subset", "partial"):
        for number, label in enumerate(labels, start=1):
            if matching(number - 1, label) is None:
                raw.append(("extra-label", "", number, label))
    if (
        fields_match == "partial"
        and fields
        and not any(matching(i, lab) is not None for i, lab in enumerate(labels))
    ):
        raw.append(("unmatched-header", None, None, ""))
    if not by_name:
        missing_fields = list(range(len(labels), len(fields)))
    else:
        present = set(labels)
        missing_fields = [i for i, name in enumerate(names) if name not in present]
    if fields_match in ("superset", "partial"):
        missing_fields = [i for i in missing_fields if _is_required(fields[i], primary_key)]
    for offset, i in enumerate(missing_fields):
        raw.append(("missing-label", names[i], len(labels) + offset + 1, ""))
    if by_name:
        if len(set(labels)) != len(labels):
            raise UnusableInput(
                f"L'en-tête contient des noms de colonnes en double alors que le schéma "
                f"(fieldsMatch « {fields_match} ») associe les colonnes par leur nom : "
                "renommez les colonnes en double."
            )
    else:
        first_position: dict[str, int] = {}  # label -> its first column (linear, not quadratic)
        for number, label in enumerate(labels, start=1):
            first_position.setdefault(label, number)
        for number, (fdesc, label) in enumerate(zip(fields, labels, strict=False), start=1):
            fname = str(fdesc.get("name", ""))
            if not label:
                raw.append(("blank-label", fname, number, ""))
                continue
            if first_position[label] < number:
                raw.append(("duplicate-label", fname, number, label))
                continue
            if label != fname:
                raw.append(("incorrect-label", fname, number, label))
    errors = [
        ValidationError(
            type=t, row_number=None, field_name=fn, field_number=num, cell=lab, note="", message=""
        )
        for t, fn, num, lab in raw
    ]
    # Expected fields, in data order.
    matched = [matching(position, label) for position, label in enumerate(labels)]
    chosen = [
        names[m] if m is not None else label for m, label in zip(matched, labels, strict=True)
    ]
    used: set[str] = set()
    deduped: list[str] = []
    for name in chosen:
        new, suffix = name, 2
        while new in used:
            new, suffix = f"{name}{suffix}", suffix + 1
        used.add(new)
        deduped.append(new)
    expected_descriptors = [
        fields[m] if m is not None else {"name": name, "type": "any"}
        for m, name in zip(matched, deduped, strict=True)
    ]
    return [], errors, expected_descriptors


def _is_required(field: dict[str, Any], primary_key: list[str]) -> bool:
    constraints = field.get("constraints")
    if field.get("name") in primary_key:
        return True
    return isinstance(constraints, dict) and bool(constraints.get("required"))


def validate_file(
    path: Path,
    descriptor: dict[str, Any],
    *,
    sheet: str | None = None,
    registry: Any = None,
    extra_checks: bool = True,
    strict: bool = False,
    check_code_lists: bool = False,
    schema_name: str | None = None,
    secrecy: bool = True,
) -> ValidationReport:
    """Validate a CSV or XLSX file against a Table Schema descriptor.

    ``secrecy=False`` (a draft) leaves out the statistical-secrecy rules, and the report
    says so; ``strict`` turns every warning into an error.

    Raises :class:`UnusableInput` (French ``.message``) when the file or the schema
    cannot be validated at all.
    """
    options: dict[str, Any] = {
        "sheet": sheet,
        "registry": registry,
        "extra_checks": extra_checks,
        "strict": strict,
        "check_code_lists": check_code_lists,
        "schema_name": schema_name,
        "secrecy": secrecy,
    }
    try:
        return _validate(path, descriptor, quick_encoding=True, **options)
    except NotUtf8:
        # The first block looked like UTF-8 but a later one is not: start again with
        # the whole-file encoding detection.
        return _validate(path, descriptor, quick_encoding=False, **options)


def _validate(
    path: Path,
    descriptor: dict[str, Any],
    *,
    sheet: str | None = None,
    registry: Any = None,
    extra_checks: bool = True,
    strict: bool = False,
    check_code_lists: bool = False,
    schema_name: str | None = None,
    quick_encoding: bool = False,
    secrecy: bool = True,
) -> ValidationReport:
    path = Path(path)
    check_descriptor(descriptor)
    source = open_source(path, sheet, quick_encoding=quick_encoding)
    fields = [f for f in descriptor["fields"] if isinstance(f, dict)]
    missing_values = missing_values_of(descriptor.get("missingValues", [""]))
    fields_match = descriptor.get("fieldsMatch", "exact")
    pk = descriptor.get("primaryKey") or []
    if isinstance(pk, str):
        pk = [pk]
    report = ValidationReport(
        path=str(path),
        schema_name=schema_name or descriptor.get("name"),
        errors=[],
        encoding=source.encoding,
        delimiter=source.delimiter if source.kind == "csv" else None,
        kind=source.kind,
    )
    report.notices.extend(source.warnings)
    with_pk = dict(descriptor)
    _, header_errors, expected_desc = _header(source.labels, fields, fields_match, pk)
    if not source.labels:
        expected_desc = fields
    if "primaryKey" in descriptor:
        # a field of the primary key is required for superset/partial matching
        pass
    plans = [plan_field(d, missing_values) for d in expected_desc]
    declared = {id(f) for f in fields}  # identity: comparing dicts would be quadratic
    expected = [
        Expected(
            number=i + 1, name=str(d.get("name", "")), plan=p, fabricated=id(d) not in declared
        )
        for i, (d, p) in enumerate(zip(expected_desc, plans, strict=True))
    ]
    expected_names = {e.name for e in expected}
    field_numbers = {str(f.get("name", "")): i + 1 for i, f in enumerate(fields)}
    for error in header_errors:
        describe(error, fields_by_name={str(f.get("name")): f for f in fields})
    report.errors.extend(header_errors)
    report.errors.extend(misencoded_line_errors(source))
    del with_pk

    has_pk = bool(pk) and set(pk) <= expected_names
    unique_fields = [
        e
        for e in expected
        if e.plan.constraints.get("unique")
        or (e.plan.descriptor.get("constraints") or {}).get("unique")
    ]
    foreign = _foreign_groups(descriptor, expected_names, registry, report)
    secret = extensions.secret_threshold(descriptor) if extra_checks and secrecy else None
    rules = (
        RuleChecker(
            descriptor,
            {e.name: (e.number, e.plan.type) for e in expected if not e.fabricated},
            registry=registry,
            secrecy=secrecy,
        )
        if extra_checks
        else None
    )
    if rules is None:
        report.notices.append(NO_EXTRA_NOTICE)
    else:
        report.notices.extend(rules.notices)
        if check_code_lists:
            report.notices.extend(partial_notices(fields, registry))
    key_names = {e.name for e in unique_fields} | (set(pk) if has_pk else set())
    for group in foreign:
        key_names |= set(group["fields"]) | (set(group["reference"]) if group["self"] else set())
    for e in expected:
        e.plan.needs_key = e.name in key_names or (
            bool(secret) and extensions.is_person_count(e.plan.descriptor)
        )
    n_fields = len(expected)

    collected: dict[str, list[pl.Series]] = {
        name: [] for name in key_names if name in expected_names
    }
    first_data_row: int | None = None
    rows_total = 0
    stored = 0
    counted_extra = 0
    row_errors: list[ValidationError] = []

    def add(error: ValidationError) -> None:
        nonlocal stored, counted_extra
        if stored >= MAX_STORED_ERRORS:
            counted_extra += 1
            return
        stored += 1
        row_errors.append(error)

    source.column_types = [e.plan.type for e in expected]
    # Each column's expressions read its own cells only, so columns are judged in groups,
    # one query per group: polars plans a query in a time that grows faster than its
    # number of expressions (a header of 40,000 columns took minutes in one query).
    groups: list[tuple[list[str], list[list[pl.Expr]], list[pl.Expr]]] = []
    for index, e in enumerate(expected):
        if index % COLUMNS_PER_QUERY == 0:
            groups.append((["__n"], [], []))
        group_columns, stages, group_outputs = groups[-1]
        group_columns.append(f"c{e.number - 1}")
        # every column's stage k runs in one with_columns
        staged = column_exprs(e.plan, index, f"c{e.number - 1}", pl.col("__n") >= e.number)
        for k, exprs in enumerate(staged.inputs):
            if k == len(stages):
                stages.append([])
            stages[k] += exprs
        group_outputs += staged.outputs
    outputs = [o for _, _, group_outputs in groups for o in group_outputs]
    wanted = [f"c{e.number - 1}" for e in expected]

    def judge(batch: Batch) -> tuple[Batch, pl.DataFrame, dict[str, ColumnResult], Any]:
        """The verdicts on every column of a batch: polars' vectorised pass, then the
        exact reader on the cells it could not settle, then the rules between columns.
        Runs in the reading threads, several batches at once, ahead of the error
        reporting."""
        frame = batch.frame
        present = set(frame.columns)  # a set: a header may have many thousands of columns
        absent = [c for c in wanted if c not in present]
        if absent:
            frame = frame.with_columns([pl.lit("", dtype=pl.String).alias(c) for c in absent])
        frame = frame.with_columns(batch.counts.alias("__n"))
        if not outputs:
            out = pl.DataFrame()
        else:
            # the stages already share every costly subexpression: polars' own search
            # for common subexpressions would only add planning time
            no_cse = pl.QueryOptFlags(comm_subexpr_elim=False)
            parts = []
            for group_columns, stages, group_outputs in groups:
                query = frame.lazy() if len(groups) == 1 else frame.select(group_columns).lazy()
                for stage in stages:
                    query = query.with_columns(stage)
                parts.append(query.select(group_outputs).collect(optimizations=no_cse))
            out = parts[0] if len(parts) == 1 else pl.concat(parts, how="horizontal")
        arrays = boolean_arrays(out)
        results = {
            e.name: finish(e.plan, index, out, frame[f"c{e.number - 1}"], arrays)
            for index, e in enumerate(expected)
        }
        for e in expected:
            forced = batch.forced.get(e.number - 1)
            if forced is not None:
                r = results[e.name]
                forced = forced & ~r.blank
                r.type_error = r.type_error | forced
                for name in r.failed:
                    if name != "required":
                        r.failed[name] = r.failed[name] & ~forced
                if r.key is not None and forced.any():
                    r.key = r.key.scatter(forced.arg_true(), None)
        return batch, frame, results, rules.verdicts(frame, results) if rules is not None else None

    for batch, frame, results, rule_verdicts in source.batches(judge):
        counts = batch.counts
        size = len(counts)
        rows_total += size
        if n_fields:
            blank_row = reduce(operator.and_, (r.blank for r in results.values()))
        else:
            blank_row = counts == 0
        first = batch.first_row
        row_numbers = pl.int_range(first, first + size, dtype=pl.Int64, eager=True)
        # per-row errors (suppressed on blank rows)
        keep = ~blank_row
        for e in expected:
            r = results[e.name]
            values = frame[f"c{e.number - 1}"]
            refused = batch.forced.get(e.number - 1)
            formula = batch.formula_errors.get(e.number - 1)
            for i in _positions(r.type_error, keep):
                note = "spreadsheet" if refused is not None and refused[i] else "type"
                if formula is not None and formula[i]:
                    note = "formula-error"
                add(_cell_error("type-error", e, first + i, values[i], note))
            for name, mask in r.failed.items():
                for i in _positions(mask, keep):
                    cell = values[i] if counts[i] >= e.number else ""
                    add(_cell_error("constraint-error", e, first + i, cell, name))
            if extra_checks and not e.fabricated:
                _extra_checks(
                    e, r, values, keep, row_numbers, add, registry, check_code_lists, secret, strict
                )
        if rules is not None:
            rules.report_batch(rule_verdicts, keep, row_numbers, add)
        for i in _positions(counts > n_fields, keep):
            for j in range(n_fields, counts[i]):
                cell = batch.frame[f"c{j}"][i]
                add(ValidationError("extra-cell", first + i, "", j + 1, cell, "", ""))
        for i in _positions(counts < n_fields, keep):
            for j in range(counts[i], n_fields):
                add(ValidationError("missing-cell", first + i, expected[j].name, j + 1, "", "", ""))
        for i in _each(blank_row.arg_true()):
            add(ValidationError("blank-row", first + i, None, None, None, "", ""))
        if first_data_row is None:
            first_data_row = batch.first_row
        for name, store in collected.items():
            column_key = results[name].key
            store.append(
                column_key if column_key is not None else pl.Series([None] * size, dtype=pl.String)
            )

    if rows_total == 0:
        report.notices.append(
            "Le fichier ne contient que la ligne d'en-tête, aucune ligne de données : il n'y a "
            "rien à valider."
        )

    keys = {name: pl.concat(store, rechunk=False) for name, store in collected.items() if store}
    collected.clear()  # the batches' keys now live in ``keys`` only
    offset = first_data_row or 2

    def key_of(names: list[str]) -> pl.Series | None:
        if not keys:
            return None
        parts = [
            keys[n] if n in keys else pl.Series([None] * rows_total, dtype=pl.String) for n in names
        ]
        return parts[0] if len(parts) == 1 else _composite(parts)

    # unique (a primary key of one field with unique: true is the same computation)
    memo: dict[str, list[tuple[str, int, int]]] = {}
    for e in unique_fields:
        if e.name not in keys:
            continue
        memo[e.name] = _duplicates(keys[e.name], offset)
        for key, row, first_row in memo[e.name]:
            error = _cell_error("unique-error", e, row, key, "unique")
            error.note = f"the same as in the row at position {first_row}"
            add(error)
    pk_keys = key_of(list(pk)) if has_pk else None
    if pk_keys is not None:
        all_null = SEP.join([NULL] * len(pk))
        null_key = pk_keys.is_null() if len(pk) == 1 else pk_keys == all_null
        for position in _each(null_key.arg_true()):
            add(
                ValidationError(
                    "primary-key",
                    int(position) + offset,
                    None,
                    None,
                    None,
                    'cells composing the primary keys are all "None"',
                    "",
                )
            )
        if len(pk) == 1 and pk[0] in memo:
            duplicates = [(k, r, f) for k, r, f in memo[pk[0]]]
        elif len(pk) == 1:
            duplicates = _duplicates(pk_keys, offset)
        else:
            rest = pl.select(pl.when(pk_keys != all_null).then(pk_keys)).to_series()
            duplicates = _duplicates(rest, offset)
        for key, row, first_row in duplicates:
            add(
                ValidationError(
                    "primary-key",
                    row,
                    None,
                    None,
                    key.replace(SEP, ", ").replace(NULL, ""),
                    f"the same as in the row at position {first_row}",
                    "",
                )
            )
    for group in foreign:
        target = key_of(group["fields"])
        if target is None:
            continue
        all_null = SEP.join([NULL] * len(group["fields"]))
        target = target.fill_null(all_null)
        if group["self"]:
            source_keys = key_of(group["reference"])
            assert source_keys is not None
            lookup = source_keys.drop_nulls().unique()
            lookup = lookup.filter(lookup != SEP.join([NULL] * len(group["reference"])))
        else:
            lookup = pl.Series(sorted(group["codes"]), dtype=pl.String)
        bad = (target != all_null) & ~target.is_in(lookup.implode())
        names = ", ".join(group["fields"])
        if group["self"]:
            target_fr = "la colonne « " + ", ".join(group["reference"]) + " » du fichier"
        else:
            target_fr = f"le référentiel « {group['resource']} »"
        for position in _each(bad.arg_true()):
            value = str(target[int(position)]).replace(SEP, ", ").replace(NULL, "")
            row = int(position) + offset
            # frictionless reports foreign keys as row errors, without a field name
            error = ValidationError(
                "foreign-key",
                row,
                None,
                None,
                value,
                f'for "{names}": values not found in the lookup table "{group["resource"]}"',
                f"Ligne {row}, colonne « {names} » : « {value} » ne figure pas dans {target_fr}.",
            )
            error.fix = f"Utilisez une valeur présente dans {target_fr}."
            add(error)

    if rules is not None:
        row_errors.extend(rules.table_errors)
    fields_by_name = {str(f.get("name")): f for f in fields}
    for error in row_errors:
        if error.field_name and error.field_number is None:
            error.field_number = field_numbers.get(error.field_name)
        if not error.message:
            describe(error, fields_by_name=fields_by_name, foreign=foreign)
            _say_why_missing(error, fields_by_name, descriptor)
    row_errors.sort(key=lambda x: (x.row_number or 0, x.field_number or 0))
    report.notices.extend(lost_zero_notices(row_errors))
    for error in row_errors:
        if strict:
            error.severity = "error"
        if error.severity == "warning":
            report.warnings.append(error)
        else:
            report.errors.append(error)
    report.stats = {
        "rows": rows_total,
        "fields": len(fields),
        "columns": len(source.labels),
        "errors": len(report.errors) + counted_extra,
        "warnings": len(report.warnings),
        "errorsNotStored": counted_extra,
        "bytes": path.stat().st_size,
    }
    if counted_extra:
        report.notices.append(
            f"Plus de {fr_int(MAX_STORED_ERRORS)} erreurs : seules les {fr_int(MAX_STORED_ERRORS)} "
            "premières sont "
            "détaillées ; le décompte, lui, est complet."
        )
    return report


def _say_why_missing(
    error: ValidationError, fields_by_name: dict[str, Any], descriptor: dict[str, Any]
) -> None:
    """A required cell holding a labelled missing value (Table Schema v2) says why it
    is missing: « -99 » (refus de répondre)."""
    if error.type != "constraint-error" or not error.cell or "required" not in error.note:
        return
    field = fields_by_name.get(error.field_name or "", {})
    entries = field.get("missingValues", descriptor.get("missingValues"))
    label = missing_value_labels(entries).get(error.cell)
    if label:
        error.message = error.message.rstrip(".") + f" (« {error.cell} » : {label})."


def misencoded_line_errors(source: Source) -> list[ValidationError]:
    """One ``encoding-error`` per line of a UTF-8 file that is not UTF-8 (frictionless
    reports one such error for the whole file, without saying where)."""
    errors = []
    mostly_utf8 = source.encoding.startswith("utf-8")
    for line, text in source.misencoded:
        error = ValidationError(
            "encoding-error",
            None,
            None,
            None,
            text,
            "not UTF-8" if mostly_utf8 else "not Windows-1252",
            f"Ligne {line} du fichier : « {text} » n'est pas écrit en UTF-8 comme le reste du "
            "fichier (probablement du Windows-1252, copié depuis un autre export)."
            if mostly_utf8
            else f"Ligne {line} du fichier : « {text} » est écrit en UTF-8, alors que le reste "
            "du fichier est en Windows-1252 (copié depuis un autre export ?).",
        )
        error.fix = (
            "Ouvrez le fichier dans un tableur, corrigez les lettres de cette ligne, puis "
            "enregistrez le fichier entier en « CSV UTF-8 »."
        )
        errors.append(error)
    hidden = source.misencoded_total - len(source.misencoded)
    if hidden > 0:
        errors[-1].fix += f" ({hidden} autres lignes dans ce cas ne sont pas détaillées.)"
    return errors


def _duplicates(keys: pl.Series, offset: int) -> list[tuple[str, int, int]]:
    """(key, row, first row of that key) for each non-null key already seen on an
    earlier row. Rows are ``offset + position``. A 64-bit hash settles the common case
    (no duplicate) with little memory; exact strings decide among the rows whose hash
    repeats."""
    hashes = keys.hash()
    ordered = hashes.sort()  # in parallel
    repeated_hashes = ordered.filter(ordered == ordered.shift(1)).unique()
    del ordered
    if not len(repeated_hashes):
        return []
    repeated = hashes.is_in(repeated_hashes.implode()) & keys.is_not_null()
    del hashes
    positions = repeated.arg_true()
    if not len(positions):
        return []
    candidates = pl.DataFrame({"i": positions, "key": keys.gather(positions)})
    dups = candidates.filter(~pl.col("key").is_first_distinct())
    if dups.is_empty():
        return []
    first = candidates.group_by("key").agg(pl.col("i").min().alias("first"))
    dups = dups.join(first, on="key", how="left", maintain_order="left")
    return [
        (key, int(i) + offset, int(f) + offset)
        for i, key, f in dups.select("i", "key", "first").iter_rows()
    ]


def _composite(keys: list[pl.Series]) -> pl.Series:
    frame = pl.DataFrame({f"k{i}": k.fill_null(NULL) for i, k in enumerate(keys)})
    return frame.select(pl.concat_str(pl.all(), separator=SEP).alias("key"))["key"]


def _positions(mask: pl.Series, keep: pl.Series) -> Iterator[int]:
    """Positions where both ``mask`` and ``keep`` hold; a mask without any true value
    (most of them, in a sound file) costs one look."""
    if mask.any():
        yield from _each((mask & keep).arg_true())


def _each(values: pl.Series, step: int = 65_536) -> Iterator[int]:
    """The items of a series of integers, a slice at a time (millions of blank rows
    would otherwise become as many Python integers at once)."""
    for start in range(0, len(values), step):
        yield from values.slice(start, step).to_list()


def _cell_error(kind: str, e: Expected, row: int, cell: str | None, note: str) -> ValidationError:
    return ValidationError(
        type=kind,
        row_number=row,
        field_name=e.name,
        field_number=e.number,
        cell=cell,
        note=note,
        message="",
    )


def _foreign_groups(
    descriptor: dict[str, Any], expected_names: set[str], registry: Any, report: ValidationReport
) -> list[dict[str, Any]]:
    groups = []
    for fk in descriptor.get("foreignKeys") or []:
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            continue
        fields = fk.get("fields")
        fields = [fields] if isinstance(fields, str) else list(fields or [])
        ref = fk["reference"]
        ref_fields = ref.get("fields")
        ref_fields = [ref_fields] if isinstance(ref_fields, str) else list(ref_fields or [])
        resource = ref.get("resource", "")
        if not set(fields) <= expected_names:
            continue
        group: dict[str, Any] = {
            "fields": fields,
            "reference": ref_fields,
            "resource": resource or "",
            "self": not resource,
        }
        if resource:
            referentiels = getattr(registry, "referentiels", {}) if registry is not None else {}
            table = referentiels.get(resource)
            if table is None:
                report.notices.append(
                    f"Clé étrangère vers « {resource} » non vérifiée : ce référentiel n'est pas "
                    "connu du registre."
                )
                continue
            group["codes"] = {
                SEP.join(str(row.get(c, "")) for c in ref_fields) for row in table.rows
            }
        groups.append(group)
    return groups


def _extra_checks(
    e: Expected,
    r: Any,
    values: pl.Series | None,
    keep: pl.Series,
    row_numbers: pl.Series,
    add: Any,
    registry: Any,
    check_code_lists: bool,
    secret: int | None,
    strict: bool,
) -> None:
    if values is None:
        return
    descriptor = e.plan.descriptor
    ok = keep & ~r.blank & ~r.type_error
    for mask in r.failed.values():
        ok &= ~mask
    system = extensions.code_system(descriptor)
    if system in codesystems.SYSTEMS_WITH_CHECK and ok.any():
        idx = ok.arg_true()
        subset = values.gather(idx)
        distinct = subset.unique().to_list()
        verdicts = {v: codesystems.check(system, v) for v in distinct}
        bad = {v for v, verdict in verdicts.items() if verdict is not None}
        if bad:
            for i in idx.filter(subset.is_in(list(bad))):
                value = values[int(i)]
                verdict = verdicts[value]
                assert verdict is not None
                error = _cell_error(
                    codesystems.error_type(system), e, int(row_numbers[i]), value, system
                )
                error.message = f"Ligne {int(row_numbers[i])}, colonne « {e.name} » : {verdict[0]}."
                error.fix = (
                    f"Valeur attendue : « {verdict[1]} »."
                    if verdict[1]
                    else "Vérifiez l'identifiant à la source (annuaire officiel)."
                )
                add(error)
    code_list = extensions.code_list(descriptor)
    if check_code_lists and code_list and ok.any():
        table = (
            getattr(registry, "referentiels", {}).get(code_list) if registry is not None else None
        )
        if table is not None and not table.partial:  # an extract never rejects a code
            codes = set(table.codes)
            idx = ok.arg_true()
            subset = values.gather(idx)
            for i in idx.filter(~subset.is_in(list(codes))):
                value = values[int(i)]
                error = _cell_error("code-list-error", e, int(row_numbers[i]), value, code_list)
                error.message = (
                    f"Ligne {int(row_numbers[i])}, colonne « {e.name} » : « {value} » n'est pas un code "
                    f"du référentiel « {table.title} »."
                )
                error.fix = code_list_fix(
                    value, table.codes, table.title, f"referentiels/{code_list}.csv"
                )
                add(error)
    if secret and extensions.is_person_count(descriptor) and ok.any():
        idx = ok.arg_true()
        numbers = r.key.gather(idx).cast(pl.Float64, strict=False)
        small = ((numbers > 0) & (numbers < secret) & ~numbers.is_nan()).fill_null(False)
        for i in idx.filter(small):
            value = values[int(i)]
            error = _cell_error("secret-statistique", e, int(row_numbers[i]), value, str(secret))
            error.message = (
                f"Ligne {int(row_numbers[i])}, colonne « {e.name} » : effectif {value} inférieur au "
                f"seuil de secret statistique ({secret})."
            )
            error.fix = "Masquez cette valeur (laissez la cellule vide) ou regroupez les lignes jusqu'à atteindre le seuil."
            add(error)
