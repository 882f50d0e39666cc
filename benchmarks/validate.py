"""Benchmark: our validator against frictionless-py on generated CSV files.

    .venv/bin/python benchmarks/validate.py [--sizes 10000,100000,1000000]
        [--engines ours,frictionless,polars] [--repeat 3]

Generates ``;``-separated files of 12 columns mixing types (about 0.1 % of rows carry
an error of every kind) under benchmarks/data/, then times each engine in its own
subprocess (elapsed and CPU time, peak RSS measured there; best of ``--repeat`` runs
for the fast engines, run in alternation, the machine being shared) and checks that ours and frictionless
report the same multiset of (error type, row, field). Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

SCHEMA = {
    "name": "banc-essai",
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
        {"name": "uai", "type": "string", "constraints": {"pattern": "[0-9]{7}[A-Z]"}},
        {"name": "libelle", "type": "string", "constraints": {"required": True, "maxLength": 60}},
        {"name": "effectif", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "taux", "type": "number", "constraints": {"minimum": 0, "maximum": 100}},
        {"name": "date_ouverture", "type": "date"},
        {"name": "annee", "type": "year"},
        {"name": "actif", "type": "boolean"},
        {
            "name": "secteur",
            "type": "string",
            "constraints": {"enum": ["public", "privé", "consulaire"]},
        },
        {"name": "contact", "type": "string", "format": "email"},
        {"name": "maj", "type": "datetime"},
        {"name": "code_postal", "type": "string", "constraints": {"pattern": "[0-9]{5}"}},
    ],
    "primaryKey": ["id"],
}

BAD = {
    "effectif": ["12a", "-4", "3,5"],
    "taux": ["101", "abc", "12,5"],
    "date_ouverture": ["12/03/2024", "2024-02-30"],
    "annee": ["24", "2O24"],
    "actif": ["oui", "vrai"],
    "secteur": ["Public", "autre"],
    "contact": ["pas-un-mail", "a@"],
    "maj": ["2024-03-12 10:00", "hier"],
    "code_postal": ["7500", "75OO1"],
    "uai": ["075171J", "0751717j"],
    "libelle": ["", "x" * 70],
}


QUOTED = [
    'Lycée "Jean Moulin", site de Valence',  # doubled quotes and a comma
    "Campus Troyes; bâtiment A",  # the separator inside quotes
    'IUT "Paul Sabatier"; antenne de Castres',
    'Antenne "Centre-Val de Loire"',
]
QUOTED_BREAK = "Bâtiment B\nentrée 2"  # a line break inside quotes


def records(rows: int, seed: int = 1, quoted_share: float = 0.0) -> Iterator[list[str]]:
    """The data rows (text cells), about 0.1 % of them with an error of some kind;
    ``quoted_share`` of them hold a cell that needs quotes in CSV."""
    rng = random.Random(seed)
    quotes = random.Random(seed + 1)
    emails = [f"contact{i}@univ-{i % 97}.fr" for i in range(1000)]
    secteurs = ["public", "privé", "consulaire"]
    names = list(BAD)
    for i in range(1, rows + 1):
        cells = [
            str(i),
            f"{rng.randrange(10**7):07d}A",
            f"Établissement {rng.randrange(10**6)}",
            str(rng.randrange(5000)),
            f"{rng.random() * 100:.2f}",
            f"{rng.randrange(1990, 2025)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            str(rng.randrange(1990, 2025)),
            rng.choice(("true", "false")),
            rng.choice(secteurs),
            rng.choice(emails),
            f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}",
            f"{rng.randrange(1000, 99999):05d}",
        ]
        if quoted_share and quotes.random() < quoted_share:
            cells[2] = QUOTED_BREAK if quotes.random() < 0.01 else quotes.choice(QUOTED)
        if rng.random() < 0.001:
            kind = rng.randrange(6)
            if kind == 0:
                name = rng.choice(names)
                index = next(j for j, f in enumerate(SCHEMA["fields"]) if f["name"] == name)
                cells[index] = rng.choice(BAD[name])
            elif kind == 1:
                cells = cells[: rng.randrange(2, 11)]  # missing cells
            elif kind == 2:
                cells.append("en trop")  # extra cell
            elif kind == 3:
                cells = []  # blank row
            elif kind == 4:
                cells[0] = str(max(1, i - 5))  # duplicate key
            else:
                cells[1] = cells[1][:7] + "Z"  # pattern passes, check letter (extra check) off
        yield cells


def generate(rows: int, path: Path, seed: int = 1, quoted_share: float = 0.0) -> None:
    header = [f["name"] for f in SCHEMA["fields"]]
    with path.open("w", encoding="utf-8", newline="") as out:
        if not quoted_share:  # the historical file: no quote at all
            out.write(";".join(header) + "\n")
            lines = []
            for cells in records(rows, seed):
                lines.append(";".join(cells))
                if len(lines) >= 50_000:
                    out.write("\n".join(lines) + "\n")
                    lines = []
            if lines:
                out.write("\n".join(lines) + "\n")
            return
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(records(rows, seed, quoted_share))


def _typed(name: str, text: str) -> Any:
    """The cell a spreadsheet would hold for ``text`` in column ``name``."""
    try:
        if name in ("id", "effectif", "annee"):
            return int(text)
        if name == "taux":
            return float(text)
        if name == "date_ouverture":
            return dt.date.fromisoformat(text)
        if name == "maj":
            return dt.datetime.fromisoformat(text)
        if name == "actif" and text in ("true", "false"):
            return text == "true"
    except ValueError:
        pass
    return text or None


def generate_xlsx(rows: int, path: Path, seed: int = 1) -> None:
    """The same rows in a workbook, each cell typed as a spreadsheet types it (numbers,
    dates, booleans; codes as text, leading zeros kept)."""
    from openpyxl import Workbook

    names = [f["name"] for f in SCHEMA["fields"]]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Données")
    sheet.append(names)
    for cells in records(rows, seed):
        sheet.append([_typed(n, c) for n, c in zip(names, cells, strict=False)] + cells[12:])
    workbook.save(path)


WORKER = r"""
import json, resource, sys, time
from pathlib import Path
engine, path, schema_path, out = sys.argv[1:5]
schema = json.loads(Path(schema_path).read_text())
triples = []
from esr_schemas.validation import validate_file
import frictionless, polars
_usage = resource.getrusage(resource.RUSAGE_SELF)
cpu_start = _usage.ru_utime + _usage.ru_stime
start = time.perf_counter()
if engine == "ours":
    report = validate_file(Path(path), schema, extra_checks=False)
    triples = [(e.type, e.row_number or 0, e.field_name or "") for e in report.errors]
elif engine == "frictionless":
    from frictionless import Resource, Schema, system
    with system.use_context(trusted=True):
        report = Resource(path=path, schema=Schema.from_descriptor(schema)).validate(limit_errors=10**9)
    for task in report.tasks:
        triples += [(e.type, getattr(e, "row_number", None) or 0, getattr(e, "field_name", None) or "") for e in task.errors]
elif engine == "polars":
    import polars as pl
    frame = pl.read_csv(path, separator=";", infer_schema=False, truncate_ragged_lines=True)
    triples = []
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - cpu_start
rss = usage.ru_maxrss * 1024
Path(out).write_text(json.dumps({"time": elapsed, "cpu": cpu, "rss": rss, "errors": sorted(triples)}))
"""


def run_once(engine: str, path: Path, schema_path: Path) -> dict:
    out = DATA / f"result-{engine}.json"
    subprocess.run(
        [sys.executable, "-c", WORKER, engine, str(path), str(schema_path), str(out)],
        check=True,
    )
    return json.loads(out.read_text())


def run(engines: list[str], path: Path, schema_path: Path, repeat: int = 1) -> dict:
    """Each engine ``repeat`` times, interleaved (a slow spell of the shared machine
    then hits every engine alike). Per engine: the fastest run (the least disturbed
    one), the largest peak RSS seen, and the time of each run, in order."""
    results: dict[str, dict] = {}
    for _ in range(repeat):
        for engine in engines:
            result = run_once(engine, path, schema_path)
            best = results.get(engine)
            if best is None:
                result["times"] = [result["time"]]
                results[engine] = result
                continue
            best["times"].append(result["time"])
            best["rss"] = max(best["rss"], result["rss"])
            if result["time"] < best["time"]:
                best.update({k: v for k, v in result.items() if k != "rss"})
    return results


def fmt(n: float) -> str:
    return f"{n:,.0f}".replace(",", "\u202f")


def main() -> int:
    parser = argparse.ArgumentParser(description="Banc d'essai du validateur")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--engines", default="ours,frictionless,polars")
    parser.add_argument(
        "--frictionless-max", type=int, default=1_000_000, help="pas de frictionless au-delà"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="nombre d'exécutions de notre moteur et de polars, en alternance (on garde la plus rapide)",
    )
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    schema_path = DATA / "schema.json"
    schema_path.write_text(json.dumps(SCHEMA, ensure_ascii=False))
    engines = args.engines.split(",")
    for size in (int(s) for s in args.sizes.split(",")):
        path = DATA / f"bench-{size}.csv"
        if not path.exists():
            t = time.perf_counter()
            generate(size, path)
            print(
                f"généré {path.name} ({path.stat().st_size / 1e6:.0f} Mo) en {time.perf_counter() - t:.1f} s"
            )
        results = {}
        if "frictionless" in engines and size <= args.frictionless_max:
            results.update(run(["frictionless"], path, schema_path))
        results.update(
            run([e for e in engines if e != "frictionless"], path, schema_path, args.repeat)
        )
        for engine in engines:
            if engine not in results:
                continue
            r = results[engine]
            print(
                f"{size:>10} lignes  {engine:<12} {r['time']:8.2f} s (CPU {r['cpu']:6.2f} s)  "
                f"{fmt(size / r['time']):>12} lignes/s  "
                f"RSS max {r['rss'] / 1e6:7.0f} Mo  erreurs {len(r['errors'])}",
                flush=True,
            )
        if "ours" in results and "frictionless" in results:
            same = results["ours"]["errors"] == results["frictionless"]["errors"]
            ratio = results["frictionless"]["time"] / results["ours"]["time"]
            print(
                f"{'':>10}         rapport frictionless/nous : {ratio:.1f}×, erreurs identiques : {'oui' if same else 'NON'}"
            )
            if not same:
                a = {tuple(x) for x in results["ours"]["errors"]}
                b = {tuple(x) for x in results["frictionless"]["errors"]}
                print(
                    "   seulement nous :",
                    sorted(a - b)[:5],
                    " seulement frictionless :",
                    sorted(b - a)[:5],
                )
        if "ours" in results and "polars" in results:
            paired = sorted(
                a / b
                for a, b in zip(results["ours"]["times"], results["polars"]["times"], strict=True)
            )
            print(
                f"{'':>10}         nous / lecture polars seule : "
                f"{results['ours']['time'] / results['polars']['time']:.1f}× (meilleurs temps), "
                f"{paired[len(paired) // 2]:.1f}× (médiane des {len(paired)} paires d'exécutions)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
