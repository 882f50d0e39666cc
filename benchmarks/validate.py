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
    # two rules between columns (frictionless ignores them; their errors are left out of
    # the comparison): a Validata comparison and one of the registry's conditions. Both
    # hold on the generated rows, as in a file ready to publish: the « regles » shape
    # measures what checking them costs (a reported error costs what any other does)
    "custom_checks": [
        {
            "name": "compare-columns-value",
            "params": {"column": "annee", "column2": "taux", "op": ">="},
        }
    ],
    "x-esr": {
        "rules": [
            {
                "type": "condition",
                "if": {"field": "secteur", "in": ["public", "privé", "consulaire"]},
                "then": {"field": "actif", "in": ["true", "false"]},
            }
        ]
    },
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
    # not write_only: that mode leaves out the sheet's dimension, which spreadsheets
    # always write (and without which openpyxl, hence frictionless, trims each row)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Données"
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
python_blocks = 0
from esr_schemas.validation import validate_file, reading
# only the engine's own library: the peak RSS is then the engine's, not the three's
if engine == "frictionless":
    import frictionless
elif engine == "fastexcel":
    import fastexcel, polars
else:
    import polars
_python_chunk = reading._python_chunk
def _counted(*args):
    global python_blocks
    python_blocks += 1
    return _python_chunk(*args)
reading._python_chunk = _counted
_usage = resource.getrusage(resource.RUSAGE_SELF)
cpu_start = _usage.ru_utime + _usage.ru_stime
start = time.perf_counter()
if engine == "ours":
    report = validate_file(Path(path), schema)  # no code system declared: only the rules
    rules = ("compare-columns-value", "condition-value")
    triples = [(e.type, e.row_number or 0, e.field_name or "") for e in report.errors if e.type not in rules]
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
elif engine == "fastexcel":
    frame = fastexcel.read_excel(path).load_sheet(0).to_polars()
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - cpu_start
# the process's own peak: Linux carries ru_maxrss over from the parent through fork and
# exec (every engine showed the benchmark's own peak), VmHWM starts again at exec
status = Path("/proc/self/status")
hwm = [l for l in status.read_text().splitlines() if l.startswith("VmHWM:")] if status.exists() else []
rss = int(hwm[0].split()[1]) * 1024 if hwm else usage.ru_maxrss * 1024
Path(out).write_text(json.dumps({"time": elapsed, "cpu": cpu, "rss": rss, "errors": sorted(triples), "python_blocks": python_blocks}))
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


def paired(a: list[float], b: list[float]) -> float:
    """Median of the ratios a[i] / b[i] of runs made one after the other."""
    ratios = sorted(x / y for x, y in zip(a, b, strict=True))
    return ratios[len(ratios) // 2]


def process(command: list[str], cwd: Path) -> tuple[float, float]:
    """(elapsed, CPU) seconds of a whole process, start-up included."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu


def alternate(commands: dict[str, list[str]], repeat: int, cwd: Path) -> dict[str, list[float]]:
    """Each command ``repeat`` times, in turn: elapsed times per command (CPU in
    ``name + ":cpu"``)."""
    times: dict[str, list[float]] = {}
    for _ in range(repeat):
        for name, command in commands.items():
            elapsed, cpu = process(command, cwd)
            times.setdefault(name, []).append(elapsed)
            times.setdefault(name + ":cpu", []).append(cpu)
    return times


def polars_read(path: Path) -> list[str]:
    code = (
        f"import polars as pl; pl.read_csv({str(path)!r}, separator=';', infer_schema=False, "
        "truncate_ragged_lines=True)"
    )
    return [sys.executable, "-c", code]


TARGETS: list[tuple[str, str, bool]] = []


def target(name: str, figure: str, met: bool) -> None:
    TARGETS.append((name, figure, met))


def esr() -> str:
    return str(Path(sys.executable).with_name("esr-schemas"))


def compare_engines(
    label: str, path: Path, schema_path: Path, reader: str, repeat: int, with_frictionless: bool
) -> dict:
    """ours / ``reader`` (polars or fastexcel) in alternation, frictionless once."""
    results = run(["ours", reader], path, schema_path, repeat)
    if with_frictionless:
        results.update(run(["frictionless"], path, schema_path))
    for engine, r in results.items():
        print(
            f"{label:>22}  {engine:<12} {r['time']:8.2f} s (CPU {r['cpu']:6.2f} s)  "
            f"RSS max {r['rss'] / 1e6:7.0f} Mo  erreurs {len(r['errors'])}",
            flush=True,
        )
    ours, other = results["ours"], results[reader]
    ratio = paired(ours["times"], other["times"])
    print(
        f"{'':>22}  nous / {reader} : {ratio:.2f}× (médiane des {len(ours['times'])} paires), "
        f"{ours['time'] / other['time']:.2f}× (meilleurs temps)"
    )
    if "frictionless" in results:
        same = ours["errors"] == results["frictionless"]["errors"]
        speed = results["frictionless"]["time"] / ours["time"]
        print(
            f"{'':>22}  frictionless / nous : {speed:.1f}×, erreurs identiques : "
            f"{'oui' if same else 'NON'} ({len(ours['errors'])})"
        )
        if not same:
            a = {tuple(x) for x in ours["errors"]}
            b = {tuple(x) for x in results["frictionless"]["errors"]}
            print("   seulement nous :", sorted(a - b)[:5])
            print("   seulement frictionless :", sorted(b - a)[:5])
        results["ours"]["same"] = same
        results["ours"]["speedup"] = speed
    results["ours"]["ratio"] = ratio
    return results


def shape_quoted(args: argparse.Namespace, schema_path: Path) -> None:
    rows, share = args.quoted_rows, args.quoted_share
    path = DATA / f"guillemets-{rows}-{round(share * 100)}.csv"
    if not path.exists():
        generate(rows, path, quoted_share=share)
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle, delimiter=";"))[1:]
    raw = path.read_text(encoding="utf-8").split("\n")
    quoted = sum(1 for line in raw[1:] if '"' in line)
    print(
        f"\n== CSV avec guillemets : {rows} lignes, {quoted / max(len(records), 1):.0%} des "
        f"lignes avec une cellule entre guillemets ({path.stat().st_size / 1e6:.0f} Mo)"
    )
    results = compare_engines("guillemets", path, schema_path, "polars", args.repeat, True)
    blocks = results["ours"]["python_blocks"]
    print(f"{'':>22}  blocs lus par le module csv de Python : {blocks}")
    cwd = Path("/tmp")
    times = alternate(
        {
            "nous": [
                esr(),
                "validate",
                str(path),
                "--schema",
                str(schema_path),
                "--no-extra-checks",
                "--format",
                "json",
            ],
            "polars": polars_read(path),
        },
        args.repeat,
        cwd,
    )
    ratio = paired(times["nous"], times["polars"])
    cpu = paired(times["nous:cpu"], times["polars:cpu"])
    print(
        f"{'':>22}  processus entier : nous {min(times['nous']):.2f} s, lecture polars "
        f"{min(times['polars']):.2f} s ; rapport {ratio:.2f}× (médiane des paires ; "
        f"temps processeur {cpu:.2f}×)"
    )
    target("CSV avec guillemets, processus entier ≤ 2× lecture polars", f"{ratio:.2f}×", ratio <= 2)
    ours = results["ours"]
    target(
        "CSV avec guillemets ≥ 20× frictionless, mêmes erreurs",
        f"{ours.get('speedup', 0):.1f}×, {'mêmes' if ours.get('same') else 'AUTRES'} erreurs",
        ours.get("speedup", 0) >= 20 and bool(ours.get("same")),
    )
    target("blocs avec guillemets par polars", f"{blocks} bloc(s) par csv", blocks == 0)


def shape_xlsx(args: argparse.Namespace, schema_path: Path) -> None:
    for size in (int(s) for s in args.xlsx_sizes.split(",") if s):
        path = DATA / f"classeur-{size}.xlsx"
        if not path.exists():
            t = time.perf_counter()
            generate_xlsx(size, path)
            print(f"généré {path.name} en {time.perf_counter() - t:.0f} s")
        print(f"\n== XLSX : {size} lignes ({path.stat().st_size / 1e6:.0f} Mo)")
        with_frictionless = size <= 100_000 and "frictionless" in args.engines.split(",")
        results = compare_engines(
            f"xlsx {size}", path, schema_path, "fastexcel", args.repeat, with_frictionless
        )
        ours = results["ours"]
        if size == max(int(s) for s in args.xlsx_sizes.split(",")):
            target(f"XLSX {size} ≤ 2× fastexcel", f"{ours['ratio']:.2f}×", ours["ratio"] <= 2)
            if "speedup" in ours:
                target(
                    f"XLSX {size} ≥ 10× frictionless, mêmes erreurs",
                    f"{ours['speedup']:.1f}×, {'mêmes' if ours['same'] else 'AUTRES'} erreurs",
                    ours["speedup"] >= 10 and ours["same"],
                )


def shape_startup(args: argparse.Namespace, schema_path: Path) -> None:
    print("\n== Démarrage")
    small = DATA / "bench-10000.csv"
    if not small.exists():
        generate(10_000, small)
    cwd = Path("/tmp")
    times = alternate(
        {
            "aide": [esr(), "--help"],
            "import polars": [sys.executable, "-c", "import polars"],
            "validate 10k": [
                esr(),
                "validate",
                str(small),
                "--schema",
                str(schema_path),
                "--no-extra-checks",
                "--format",
                "json",
            ],
            "polars 10k": polars_read(small),
        },
        max(args.repeat, 5),
        cwd,
    )
    for name in ("aide", "import polars", "validate 10k", "polars 10k"):
        print(
            f"{name:>22}  {min(times[name]):.3f} s (médiane {sorted(times[name])[len(times[name]) // 2]:.3f} s)"
        )
    help_ratio = paired(times["aide"], times["import polars"])
    small_ratio = paired(times["validate 10k"], times["polars 10k"])
    print(f"{'':>22}  esr-schemas --help / import polars : {help_ratio:.2f}× (médiane des paires)")
    print(f"{'':>22}  validate 10k / polars 10k : {small_ratio:.2f}× (médiane des paires)")
    target("esr-schemas --help < ½ import polars", f"{help_ratio:.2f}×", help_ratio < 0.5)
    target(
        "validate 10 000 lignes ≤ 1,5× import polars + lecture",
        f"{small_ratio:.2f}×",
        small_ratio <= 1.5,
    )


def shape_export(args: argparse.Namespace, schema_path: Path) -> None:
    rows = args.export_rows
    filled = DATA / f"modele-rempli-{rows}.xlsx"
    if not filled.exists():
        from openpyxl import load_workbook

        subprocess.run(
            [esr(), "template", str(schema_path), "-o", str(DATA)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        template = next(DATA.glob("modele-banc-essai-*.xlsx"))
        workbook = load_workbook(template)
        sheet = workbook["Données"]
        names = [f["name"] for f in SCHEMA["fields"]]
        generated = (r for r in records(rows * 2, seed=3) if len(r) == 12)
        for number, cells in zip(range(2, rows + 2), generated, strict=False):
            cells[0] = str(number - 1)  # keys unique: the export is valid
            for column, (name, text) in enumerate(zip(names, cells, strict=True), start=1):
                sheet.cell(row=number, column=column, value=_typed(name, text))
        workbook.save(filled)
    print(f"\n== Export d'un modèle rempli de {rows} lignes")
    out = DATA / "export.csv"
    elapsed, cpu = [], []
    for _ in range(max(args.repeat, 3)):
        out.unlink(missing_ok=True)
        t, c = process(
            [esr(), "export", str(filled), "--schema", str(schema_path), "-o", str(out), "--force"],
            Path("/tmp"),
        )
        elapsed.append(t)
        cpu.append(c)
    lines = len(out.read_text(encoding="utf-8").splitlines()) - 1 if out.exists() else 0
    best = min(elapsed)
    print(
        f"{'':>22}  {best:.2f} s au mieux (médiane {sorted(elapsed)[len(elapsed) // 2]:.2f} s, "
        f"CPU {min(cpu):.2f} s), {lines} lignes écrites"
    )
    target(f"export de {rows} lignes < 1 s", f"{best:.2f} s (CPU {min(cpu):.2f} s)", best < 1)


def shape_csv(args: argparse.Namespace, schema_path: Path) -> None:
    print("\n== CSV sans guillemets")
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


def shape_rules(args: argparse.Namespace, schema_path: Path) -> None:
    """The 1M-row file with and without the schema's two rules between columns, in
    alternation (issue 12: the rules may cost at most 10 %)."""
    rows = max(int(s) for s in args.sizes.split(",") if s)
    path = DATA / f"bench-{rows}.csv"
    if not path.exists():
        generate(rows, path)
    bare = {k: v for k, v in SCHEMA.items() if k not in ("custom_checks", "x-esr")}
    bare_path = DATA / "schema-sans-regles.json"
    bare_path.write_text(json.dumps(bare, ensure_ascii=False))
    print(f"\n== Règles entre colonnes : {rows:,} lignes, avec et sans les deux règles du schéma")

    def command(schema: Path) -> list[str]:
        return [esr(), "validate", str(path), "--schema", str(schema), "--format", "json"]

    times = alternate(
        {"avec": command(schema_path), "sans": command(bare_path)},
        max(args.repeat, 5),
        Path("/tmp"),
    )
    ratio = paired(times["avec"], times["sans"])
    cpu = paired(times["avec:cpu"], times["sans:cpu"])
    print(
        f"{'':>22}  avec règles {min(times['avec']):.2f} s, sans {min(times['sans']):.2f} s "
        f"(meilleurs temps) ; rapport {ratio:.3f}× (médiane des paires ; processeur {cpu:.3f}×)"
    )
    target(f"{rows:,} lignes : deux règles coûtent au plus 10 %", f"{ratio:.3f}×", ratio <= 1.10)


SHAPES = {
    "csv": shape_csv,
    "regles": shape_rules,
    "guillemets": shape_quoted,
    "xlsx": shape_xlsx,
    "demarrage": shape_startup,
    "export": shape_export,
}


def main() -> int:
    parser = argparse.ArgumentParser(description="Banc d'essai du validateur")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="parmi " + ", ".join(SHAPES))
    parser.add_argument("--sizes", default="10000,100000,1000000", help="CSV sans guillemets")
    parser.add_argument("--engines", default="ours,frictionless,polars")
    parser.add_argument(
        "--frictionless-max", type=int, default=1_000_000, help="pas de frictionless au-delà"
    )
    parser.add_argument("--quoted-rows", type=int, default=300_000)
    parser.add_argument(
        "--quoted-share", type=float, default=0.28, help="part des lignes avec des guillemets"
    )
    parser.add_argument("--xlsx-sizes", default="10000,100000")
    parser.add_argument("--export-rows", type=int, default=50_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="exécutions de chaque mesure rapide, en alternance (meilleur temps et médiane des paires)",
    )
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    # an installed package has its bytecode (pip compiles it); without it, and with
    # PYTHONDONTWRITEBYTECODE set, every process would compile our modules (0.1 s)
    import compileall

    compileall.compile_dir(str(HERE.parent / "tools" / "esr_schemas"), quiet=1)
    schema_path = DATA / "schema.json"
    schema_path.write_text(json.dumps(SCHEMA, ensure_ascii=False))
    for name in args.shapes.split(","):
        SHAPES[name](args, schema_path)
    if TARGETS:
        print(
            "\n== Objectifs (machine partagée : rapports mesurés en alternance, médiane des paires)"
        )
        for name, figure, met in TARGETS:
            print(f"  [{'atteint' if met else 'MANQUÉ '}] {name} : {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
