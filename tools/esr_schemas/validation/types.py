"""Table Schema v1 cell semantics, one value at a time.

These readers define what a valid cell is (the same rules as frictionless-py 5, so
that both engines agree). The engine applies them to the *distinct* values of a
column that its vectorised fast paths (see ``columns.py``) cannot settle, so they
rarely run more than a few thousand times per file.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]
BOUND_CONSTRAINTS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")

SUPPORTED: dict[str, list[str]] = {
    "string": ["required", "minLength", "maxLength", "pattern", "enum"],
    "integer": ["required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"],
    "number": ["required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"],
    "boolean": ["required", "enum"],
    "date": ["required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"],
    "time": ["required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"],
    "datetime": ["required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"],
    "year": ["required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"],
    "yearmonth": ["required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"],
    # frictionless refuses bounds on durations and lengths on GeoJSON, which the
    # Table Schema v1 profile allows: they are enforced here (see ``duration_gap``)
    "duration": ["required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"],
    "geopoint": ["required", "enum"],
    "geojson": ["required", "minLength", "maxLength", "enum"],
    "object": ["required", "minLength", "maxLength", "enum"],
    "array": ["required", "minLength", "maxLength", "enum"],
    "any": ["required", "enum"],
}
KNOWN_TYPES = set(SUPPORTED)
DEPRECATED_FORMAT_PREFIX = "fmt:"


def field_format(field: dict[str, Any]) -> Any:
    """The field's ``format``, without the deprecated ``fmt:`` prefix of Table Schema's
    first drafts (``fmt:%d/%m/%Y`` means ``%d/%m/%Y``, as in frictionless)."""
    fmt = field.get("format", "default")
    if isinstance(fmt, str) and fmt.startswith(DEPRECATED_FORMAT_PREFIX):
        return fmt[len(DEPRECATED_FORMAT_PREFIX) :]
    return fmt


def missing_values_of(entries: Any) -> list[str]:
    """The missing values of a ``missingValues`` list: plain texts (Table Schema v1)
    or objects ``{"value": "-99", "label": "REFUSED"}`` (v2, the label says why)."""
    if not isinstance(entries, list):
        return [""]
    return [e["value"] if isinstance(e, dict) else e for e in entries]


def missing_value_labels(entries: Any) -> dict[str, str]:
    """Value -> label of the v2 object entries of a ``missingValues`` list."""
    if not isinstance(entries, list):
        return {}
    return {
        e["value"]: e["label"]
        for e in entries
        if isinstance(e, dict)
        and isinstance(e.get("value"), str)
        and isinstance(e.get("label"), str)
    }


class YearMonth(NamedTuple):
    year: int
    month: int


class GeoPoint(NamedTuple):
    lon: Decimal
    lat: Decimal


_NON_BARE = re.compile(r"((^[^-\d]*)|(\D*$))")
_GEOJSON_VALIDATOR: Any = None


def _geojson_validator() -> Any:
    global _GEOJSON_VALIDATOR
    if _GEOJSON_VALIDATOR is None:
        from frictionless import settings  # the GeoJSON JSON Schema it ships
        from jsonschema.validators import validator_for

        profile = settings.GEOJSON_PROFILE
        _GEOJSON_VALIDATOR = validator_for(profile)(profile)
    return _GEOJSON_VALIDATOR


def value_reader(field: dict[str, Any]) -> Callable[[Any], Any]:
    """A function cell -> parsed value, or None when the cell is not of the field's type."""
    ftype = field.get("type", "string")
    fmt = field_format(field)
    if ftype == "string":
        return _string_reader(fmt)
    if ftype == "integer":
        bare = field.get("bareNumber", True)

        def read_integer(cell: Any) -> Any:
            if isinstance(cell, bool):
                return None
            if isinstance(cell, int):
                return cell
            if isinstance(cell, float):
                return int(cell) if cell.is_integer() else None
            if isinstance(cell, Decimal):
                return int(cell) if cell % 1 == 0 else None
            if not isinstance(cell, str):
                return None
            cell = cell.strip()
            if not bare:
                cell = _NON_BARE.sub("", cell)
            try:
                return int(cell)
            except Exception:
                return None

        return read_integer
    if ftype == "number":
        return _number_reader(field)
    if ftype == "boolean":
        mapping: dict[str, bool] = {}
        for value in field.get("trueValues", DEFAULT_TRUE):
            mapping[value] = True
        for value in field.get("falseValues", DEFAULT_FALSE):
            mapping[value] = False

        def read_boolean(cell: Any) -> Any:
            if cell is True or cell is False:
                return cell
            if isinstance(cell, str):
                return mapping.get(cell)
            return None

        return read_boolean
    if ftype == "date":
        return _date_reader(fmt)
    if ftype == "datetime":
        return _datetime_reader(fmt)
    if ftype == "time":
        return _time_reader(fmt)
    if ftype == "year":

        def read_year(cell: Any) -> Any:
            if not isinstance(cell, int):
                if not isinstance(cell, str) or len(cell) != 4:
                    return None
                try:
                    cell = int(cell)
                except Exception:
                    return None
            if cell < 0 or cell > 9999:
                return None
            return cell

        return read_year
    if ftype == "yearmonth":

        def read_yearmonth(cell: Any) -> Any:
            if isinstance(cell, (tuple, list)):
                return YearMonth(cell[0], cell[1]) if len(cell) == 2 else None
            if not isinstance(cell, str):
                return None
            try:
                year, month = cell.split("-")
                y, m = int(year), int(month)
            except Exception:
                return None
            return YearMonth(y, m) if 1 <= m <= 12 else None

        return read_yearmonth
    if ftype == "duration":
        import isodate

        def read_duration(cell: Any) -> Any:
            if isinstance(cell, (isodate.Duration, dt.timedelta)):
                return cell
            if not isinstance(cell, str):
                return None
            try:
                return isodate.parse_duration(cell)
            except Exception:
                return None

        return read_duration
    if ftype == "geopoint":
        return _geopoint_reader(fmt)
    if ftype == "geojson":

        def read_geojson(cell: Any) -> Any:
            if isinstance(cell, str):
                try:
                    cell = json.loads(cell)
                except Exception:
                    return None
            if not isinstance(cell, dict):
                return None
            if fmt in ("default", "topojson"):
                if fmt == "topojson":
                    return cell
                try:
                    _geojson_validator().validate(cell)
                except Exception:
                    return None
            return cell

        return read_geojson
    if ftype in ("object", "array"):
        wanted: type = dict if ftype == "object" else list

        def read_json(cell: Any) -> Any:
            if isinstance(cell, wanted):
                return cell
            if ftype == "array" and isinstance(cell, tuple):
                return list(cell)
            if not isinstance(cell, str):
                return None
            try:
                cell = json.loads(cell)
            except Exception:
                return None
            return cell if isinstance(cell, wanted) else None

        return read_json
    return lambda cell: cell  # any


def _string_reader(fmt: str) -> Callable[[Any], Any]:
    if fmt == "uri":
        import rfc3986
        from rfc3986 import exceptions as rfc_exceptions
        from rfc3986 import validators as rfc_validators

        def read_uri(cell: Any) -> Any:
            if not isinstance(cell, str):
                return None
            validator = rfc_validators.Validator().require_presence_of("scheme")
            try:
                validator.validate(rfc3986.uri_reference(cell))
            except rfc_exceptions.ValidationError:
                return None
            return cell

        return read_uri
    if fmt in ("email", "uuid"):

        def read_checked(cell: Any) -> Any:
            if not isinstance(cell, str):
                return None
            # imported at the first cell to check (10 to 27 ms): the fast path settles
            # most addresses, often all of them
            import validators

            check = validators.email if fmt == "email" else validators.uuid
            return cell if check(cell) is True else None

        return read_checked
    if fmt == "wkt":

        def read_wkt(cell: Any) -> Any:
            return cell if isinstance(cell, str) and wkt_problem(cell) is None else None

        return read_wkt
    if fmt == "binary":

        def read_binary(cell: Any) -> Any:
            if not isinstance(cell, str):
                return None
            try:
                base64.b64decode(cell)
            except Exception:
                return None
            return cell

        return read_binary
    return lambda cell: cell if isinstance(cell, str) else None


def _number_reader(field: dict[str, Any]) -> Callable[[Any], Any]:
    bare = field.get("bareNumber", True)
    decimal_char = field.get("decimalChar", ".")
    group_char = field.get("groupChar", "")
    processing = any(k in field for k in ("decimalChar", "groupChar", "bareNumber"))

    def read_number(cell: Any) -> Any:
        if isinstance(cell, bool):
            return None
        if isinstance(cell, Decimal):
            return cell
        if isinstance(cell, int):
            return cell
        if isinstance(cell, float):
            return Decimal(str(cell))
        if not isinstance(cell, str):
            return None
        cell = cell.strip()
        if processing:
            if not bare:
                cell = _NON_BARE.sub("", cell)
            cell = cell.replace(group_char, "")
            if decimal_char != "." and "." in cell:
                return None
            cell = cell.replace(decimal_char, ".")
        try:
            return Decimal(cell)
        except Exception:
            return None

    return read_number


def _date_reader(fmt: str) -> Callable[[Any], Any]:
    def read_date(cell: Any) -> Any:
        if isinstance(cell, dt.datetime):
            if cell.hour == 0 and cell.minute == 0 and cell.second == 0:
                return cell.date()
            return None
        if isinstance(cell, dt.date):
            return cell
        if not isinstance(cell, str):
            return None
        try:
            if fmt == "default":
                return dt.datetime.strptime(cell, "%Y-%m-%d").date()
            if fmt == "any":
                from dateutil import parser

                return parser.parse(cell).date()
            return dt.datetime.strptime(cell, fmt).date()
        except Exception:
            return None

    return read_date


def _datetime_reader(fmt: str) -> Callable[[Any], Any]:
    def read_datetime(cell: Any) -> Any:
        if isinstance(cell, dt.datetime):
            return cell
        if not isinstance(cell, str):
            return None
        if fmt == "default" and (len(cell) < 19 or cell[16] != ":"):
            return None  # no ISO date-time (« hier »): refused without dateutil
        # imported on the first cell the fast path leaves to this reader that may be a
        # date-time (most files have none: a command would pay 20 to 40 ms for nothing)
        from dateutil import parser

        try:
            if fmt == "default":
                return parser.isoparse(cell)
            if fmt == "any":
                return parser.parse(cell)
            return dt.datetime.strptime(cell, fmt)
        except Exception:
            return None

    return read_datetime


def _time_reader(fmt: str) -> Callable[[Any], Any]:
    def read_time(cell: Any) -> Any:
        if isinstance(cell, dt.time):
            return cell
        if not isinstance(cell, str):
            return None
        if fmt == "default" and (len(cell) < 8 or cell[5] != ":"):
            return None  # no ISO time: refused without dateutil
        from dateutil import parser  # at the first cell that needs it, as above

        try:
            if fmt == "default":
                return parser.isoparse(f"2000-01-01T{cell}").timetz()
            if fmt == "any":
                return parser.parse(cell).timetz()
            return dt.datetime.strptime(cell, fmt).timetz()
        except Exception:
            return None

    return read_time


def _geopoint_reader(fmt: str) -> Callable[[Any], Any]:
    def read_geopoint(cell: Any) -> Any:
        try:
            if isinstance(cell, str):
                if fmt == "array":
                    lon, lat = json.loads(cell)
                elif fmt == "object":
                    data = json.loads(cell)
                    if len(data) != 2:
                        return None
                    lon, lat = data["lon"], data["lat"]
                else:
                    lon, lat = cell.split(",")
                    lon, lat = lon.strip(), lat.strip()
                point = GeoPoint(Decimal(lon), Decimal(lat))
            else:
                point = GeoPoint(*cell)
            if point.lon > 180 or point.lon < -180 or point.lat > 90 or point.lat < -90:
                return None
        except Exception:
            return None
        return point

    return read_geopoint


WKT_TYPES = (
    "POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON, GEOMETRYCOLLECTION"
)


def wkt_problem(text: str) -> str | None:
    """Why ``text`` is not a geometry in Well-Known Text (OGC Simple Features), in
    French, or None when it is one. Read by GEOS (through shapely): rings must be
    closed, lines need two points, nothing may follow the geometry, coordinates are
    finite numbers."""
    import shapely

    try:
        geometry = shapely.from_wkt(text)
    except NotImplementedError:
        return "les géométries courbes (CIRCULARSTRING, COMPOUNDCURVE…) ne sont pas acceptées"
    except (shapely.errors.GEOSException, ValueError, TypeError) as error:
        reason = str(error)
        if "Unknown type" in reason:
            word = reason.rsplit(":", 1)[-1].strip().strip("'")
            return f"« {word} » n'est pas un type de géométrie WKT (types : {WKT_TYPES})"
        if "closed linestring" in reason:
            return "le contour d'un polygone doit se refermer (son dernier point répète le premier)"
        if "LinearRing" in reason:
            return "le contour d'un polygone doit compter au moins 4 points (le dernier répète le premier)"
        if "point array" in reason:
            return "une ligne doit compter au moins 2 points"
        if "after end of geometry" in reason:
            return "du texte suit la géométrie"
        if "end of stream" in reason:
            return "la géométrie est incomplète (une parenthèse n'est pas refermée ?)"
        return (
            "la syntaxe WKT n'est pas respectée (coordonnées séparées par une espace, "
            "points séparés par une virgule, entre parenthèses)"
        )
    if geometry is None:
        return "la géométrie est vide"
    import numpy as np

    coordinates = shapely.get_coordinates(geometry, include_z=bool(shapely.has_z(geometry)))
    if not np.isfinite(coordinates).all():
        return "une coordonnée n'est pas un nombre fini"
    return None


def duration_parts(value: Any) -> tuple[Decimal, Decimal]:
    """(calendar months, seconds) of a parsed ISO 8601 duration: a year is 12 months,
    a week 7 days and a day 86,400 seconds (ISO 8601 nominal durations)."""
    import isodate

    months = Decimal(0)
    delta = value
    if isinstance(value, isodate.Duration):
        months = Decimal(str(value.years)) * 12 + Decimal(str(value.months))
        delta = value.tdelta
    seconds = (
        Decimal(delta.days) * 86400 + Decimal(delta.seconds) + Decimal(delta.microseconds) / 10**6
    )
    return months, seconds


def _month_spans(count: int) -> tuple[int, int]:
    """Fewest and most days ``count`` consecutive calendar months can last (Gregorian
    calendar, whatever the starting month: it repeats every 400 years)."""
    import numpy as np

    cycle_months, cycle_days = 4800, 146097
    laps, count = divmod(count, cycle_months)
    lengths = [
        (
            dt.date(2000 + (m + 1) // 12, (m + 1) % 12 + 1, 1)
            - dt.date(2000 + m // 12, m % 12 + 1, 1)
        ).days
        for m in range(2 * cycle_months)
    ]
    total = np.concatenate(([0], np.cumsum(lengths)))
    spans = total[count : count + cycle_months] - total[:cycle_months]
    return int(spans.min()) + laps * cycle_days, int(spans.max()) + laps * cycle_days


_SPANS: dict[int, tuple[int, int]] = {}


def duration_gap(value: Any, bound: Any) -> tuple[Decimal, Decimal]:
    """The least and greatest number of seconds by which ``value`` exceeds ``bound``,
    over every starting date: months and years last 28 to 31 and 365 or 366 days, so
    ``P1M`` against ``P30D`` may be more or less. Days, hours, minutes and seconds
    compare exactly (a day is 24 hours)."""
    v_months, v_seconds = duration_parts(value)
    b_months, b_seconds = duration_parts(bound)
    months = v_months - b_months
    seconds = v_seconds - b_seconds
    if months == 0:
        return seconds, seconds
    whole = int(abs(months))
    if whole != abs(months):  # fractional months: a month lasts 28 to 31 days
        shortest, longest = abs(months) * 28, abs(months) * 31
    else:
        if whole not in _SPANS:
            _SPANS[whole] = _month_spans(whole)
        low, high = _SPANS[whole]
        shortest, longest = Decimal(low), Decimal(high)
    if months > 0:
        return seconds + shortest * 86400, seconds + longest * 86400
    return seconds - longest * 86400, seconds - shortest * 86400


def _duration_bound_check(name: str, bound: Any) -> Callable[[Any], bool]:
    """A bound on durations holds only when it holds whatever the starting date."""

    def test(value: Any) -> bool:
        least, most = duration_gap(value, bound)
        if name == "minimum":
            return least >= 0
        if name == "maximum":
            return most <= 0
        if name == "exclusiveMinimum":
            return least > 0
        return most < 0

    return test


def canonical_key(value: Any) -> str:
    """A string equal for two parsed values exactly when they are equal (for unique,
    primaryKey and foreignKeys). Vectorised fast paths produce the same strings."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return decimal_key(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            return "Z" + value.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, YearMonth):
        return f"{value.year}-{value.month}"
    if isinstance(value, GeoPoint):
        return f"{decimal_key(value.lon)},{decimal_key(value.lat)}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def decimal_key(value: Decimal) -> str:
    if value.is_nan():
        return f"nan#{id(value)}"
    if value.is_infinite():
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    try:
        normal = value.normalize()
    except decimal.DecimalException:  # an exponent past the default context's range
        wide = decimal.Context(
            prec=max(len(value.as_tuple().digits), 28), Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN
        )
        normal = value.normalize(wide)
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and abs(exponent) > 400:
        return str(normal)
    return format(normal, "f")


class CellResult(NamedTuple):
    type_error: bool
    failed: tuple[str, ...]
    """Names of the failed constraints (``required`` excluded: it only concerns missing cells)."""
    key: str | None


def cell_checker(field: dict[str, Any], with_pattern: bool = False) -> Callable[[Any], CellResult]:
    """A function judging one non-missing cell: type, then constraints (except pattern
    and required, which the engine evaluates on whole columns; ``with_pattern`` for
    array items, which have no column of their own)."""
    ftype = field.get("type", "string")
    reader = value_reader(field)
    constraints = field.get("constraints") if isinstance(field.get("constraints"), dict) else {}
    assert isinstance(constraints, dict)
    supported = SUPPORTED.get(ftype, [])
    checks: list[tuple[str, Callable[[Any], bool]]] = []
    for name in supported:
        limit = constraints.get(name)
        if limit is None or name == "required":
            continue
        if name == "pattern":
            if with_pattern:
                checks.append((name, _pattern_check(limit)))
            continue
        if name in BOUND_CONSTRAINTS:
            bound = reader(limit)
            if ftype == "duration":
                checks.append((name, _duration_bound_check(name, bound)))
            else:
                checks.append((name, _bound_check(name, bound)))
        elif name == "enum" and isinstance(limit, list):
            allowed = [reader(v) for v in limit]
            checks.append((name, _enum_check(allowed)))
        elif name == "minLength" and isinstance(limit, int):
            checks.append((name, _length_check(limit, minimum=True)))
        elif name == "maxLength" and isinstance(limit, int):
            checks.append((name, _length_check(limit, minimum=False)))
    item_checker: Callable[[str], CellResult] | None = None
    item_missing: list[str] = []
    if ftype == "array" and isinstance(field.get("arrayItem"), dict) and field["arrayItem"]:
        item = dict(field["arrayItem"])
        item.pop("arrayItem", None)
        item.setdefault("type", "any")
        item_checker = cell_checker(item, with_pattern=True)
        item_missing = missing_values_of(item.get("missingValues", [""]))
        item_required = bool((item.get("constraints") or {}).get("required"))

    def check(cell: str) -> CellResult:
        value = reader(cell)
        if value is None:
            return CellResult(True, (), None)
        failed = tuple(name for name, test in checks if not _safe(test, value))
        if item_checker is not None and not failed:
            item_failed: list[str] = []
            for element in value:
                if str(element) in item_missing or element is None:
                    if item_required:
                        item_failed.append("arrayItem.required")
                    continue
                result = item_checker(element)
                if result.type_error:
                    return CellResult(True, (), None)
                item_failed.extend(f"arrayItem.{name}" for name in result.failed)
            failed = tuple(dict.fromkeys(item_failed))
        return CellResult(False, failed, canonical_key(value))

    return check


def array_item_constraints(field: dict[str, Any]) -> list[str]:
    """Internal names of the item constraints of an array field (``arrayItem.enum``…)."""
    item = field.get("arrayItem")
    if field.get("type") != "array" or not isinstance(item, dict):
        return []
    constraints = item.get("constraints")
    if not isinstance(constraints, dict):
        return []
    supported = SUPPORTED.get(item.get("type", "any"), [])
    return [
        f"arrayItem.{n}"
        for n in supported
        if constraints.get(n) is not None and constraints.get(n) is not False
    ]


def _pattern_check(pattern: Any) -> Callable[[Any], bool]:
    """An array item's pattern, with frictionless' meaning (``re.match("^p$")``): Rust's
    linear-time engine when the pattern translates, else Python's ``re`` in a child
    process under a time budget (``patterns.py``)."""
    from .patterns import BudgetedPattern, check_compiles, rust_pattern

    where = "des éléments de liste (arrayItem)"
    check_compiles(pattern, where)
    rust = rust_pattern(pattern)
    if rust is not None:
        import polars as pl

        return lambda value: bool(pl.Series([str(value)]).str.contains(rust)[0])
    return BudgetedPattern(pattern, where)


def _enum_check(allowed: list[Any]) -> Callable[[Any], bool]:
    return lambda value: _in(value, allowed)


def _length_check(limit: int, minimum: bool) -> Callable[[Any], bool]:
    if minimum:
        return lambda value: len(value) >= limit
    return lambda value: len(value) <= limit


def _in(value: Any, allowed: list[Any]) -> bool:
    try:
        return value in allowed
    except Exception:
        return False


def _safe(test: Callable[[Any], bool], value: Any) -> bool:
    from .errors import UnusableInput

    try:
        return bool(test(value))
    except UnusableInput:  # a pattern past its time budget: the whole validation stops
        raise
    except Exception:
        return False


def _bound_check(name: str, bound: Any) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        if value != value:  # NaN
            return False
        if name == "minimum":
            return bool(value >= bound)
        if name == "maximum":
            return bool(value <= bound)
        if name == "exclusiveMinimum":
            return bool(value > bound)
        return bool(value < bound)

    return test
