"""The command's parser loads no heavy library: each command imports what it needs
when it runs (the speed of ``esr-schemas --help`` is measured in ``benchmarks/``)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("polars", "numpy", "mkdocs", "openpyxl", "fastexcel", "frictionless", "jinja2", "yaml")


def test_the_parser_imports_no_heavy_module() -> None:
    code = (
        "import sys\n"
        "from esr_schemas.cli import build_parser\n"
        "build_parser().format_help()\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_help_still_lists_every_command() -> None:
    from esr_schemas.cli import COMMANDS

    result = subprocess.run(
        [sys.executable, "-m", "esr_schemas.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.stdout


def test_the_working_version_name_is_the_versioning_one() -> None:
    from esr_schemas.commands import diff
    from esr_schemas.versioning import WORKING

    assert diff.WORKING == WORKING


def test_parsers_name_the_registry_variable_of_the_library() -> None:
    from esr_schemas import registry_source
    from esr_schemas.commands import _common

    assert _common.ENV_VAR == registry_source.ENV_VAR


def test_validate_against_a_schema_file_loads_only_what_it_uses(tmp_path) -> None:  # noqa: ANN001
    """A valid schema is checked without jsonschema, the référentiels' rows are not read
    unless a field cites one, and no other command's libraries are imported; a CSV file,
    quoted or not, is read and judged without numpy (polars alone)."""
    schema = tmp_path / "schema.json"
    schema.write_text(
        '{"fields": [{"name": "code", "type": "string", "constraints": {"required": true}},'
        ' {"name": "effectif", "type": "integer"}]}',
        encoding="utf-8",
    )
    data = tmp_path / "donnees.csv"
    data.write_text('code;effectif\nA1;3\n"B;2";x\n', encoding="utf-8")
    code = (
        "import sys\n"
        "from esr_schemas import cli, model\n"
        "read = []\n"
        "rows = model.Referentiel.rows.fget\n"
        "model.Referentiel.rows = property(lambda self: read.append(self.name) or rows(self))\n"
        f"status = cli.main(['validate', {str(data)!r}, '--schema', {str(schema)!r}])\n"
        "heavy = ('jsonschema', 'yaml', 'mkdocs', 'openpyxl', 'frictionless', 'jinja2', 'numpy')\n"
        "print(status, sorted(m for m in heavy if m in sys.modules), read)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "1 [] []", result.stdout + result.stderr


def test_an_invalid_schema_is_still_judged_by_the_profile(tmp_path) -> None:  # noqa: ANN001
    """The fast check of the profile only ever says « valid »; a doubt goes to jsonschema,
    whose French message names the place."""
    schema = tmp_path / "schema.json"
    schema.write_text(
        '{"fields": [{"name": "n", "type": "integer", "bareNumber": "non"}]}', encoding="utf-8"
    )
    data = tmp_path / "donnees.csv"
    data.write_text("n\n1\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "esr_schemas.cli", "validate", str(data), "--schema", str(schema)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "fields/0/bareNumber" in result.stderr and "true ou false" in result.stderr


def test_the_fast_profile_check_never_passes_what_jsonschema_refuses() -> None:
    """``guards._conforms`` (no jsonschema import) may only say « valid » when
    jsonschema agrees: the registry's schemas and seeded mutations of them."""
    import copy
    import json
    import random
    from pathlib import Path

    from jsonschema import Draft4Validator

    from esr_schemas import guards

    top, by_type = guards._validators()
    rng = random.Random(14)
    values = [None, True, 1, 1.0, 1.5, "x", "", [], {}, ["a"], {"a": 1}, "integer", "default"]

    def mutated(value: object) -> object:
        value = copy.deepcopy(value)
        spots: list[tuple[object, object]] = []
        stack = [value]
        while stack:
            item = stack.pop()
            keys = item.keys() if isinstance(item, dict) else range(len(item))  # type: ignore[arg-type]
            for key in keys:
                spots.append((item, key))
                child = item[key]  # type: ignore[index]
                if isinstance(child, dict | list):
                    stack.append(child)
        parent, key = rng.choice(spots)
        parent[key] = rng.choice(values)  # type: ignore[index]
        return value

    judged = refused = 0
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.glob("schemas/*/schema.json")):
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        for trial in range(30):
            instance = descriptor if trial == 0 else mutated(descriptor)
            pairs = [(top, instance)]
            if isinstance(instance, dict) and isinstance(instance.get("fields"), list):
                for field in instance["fields"]:
                    kind = field.get("type", "string") if isinstance(field, dict) else None
                    if isinstance(kind, str) and kind in by_type:
                        pairs.append((by_type[kind], field))
            for schema, value in pairs:
                valid = Draft4Validator(schema).is_valid(value)
                assert not guards._conforms(schema, value) or valid, json.dumps(value)[:300]
                judged += 1
                refused += not valid
    assert judged > 1000 and refused > 50


def test_dates_and_addresses_refused_at_a_glance_need_no_parser(tmp_path) -> None:  # noqa: ANN001
    """« hier » in a date-time field, « midi » in a time field and simple addresses are
    judged without importing dateutil's parser or validators (20 to 40 ms each); a
    date-time with a time zone, or a time (no fast path), still goes through the
    parser, and is accepted."""
    schema = tmp_path / "schema.json"
    schema.write_text(
        '{"fields": [{"name": "maj", "type": "datetime"}, {"name": "heure", "type": "time"},'
        ' {"name": "contact", "type": "string", "format": "email"}]}',
        encoding="utf-8",
    )
    plain = tmp_path / "simple.csv"
    plain.write_text(
        "maj;heure;contact\n2024-03-12T10:30:00;;a@univ.fr\nhier;midi;b@univ.fr\n",
        encoding="utf-8",
    )
    zoned = tmp_path / "fuseau.csv"
    zoned.write_text("maj;heure;contact\n2024-03-12T10:30:00+02:00;10:30:00;\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from esr_schemas import cli\n"
        "for path in sys.argv[2:]:\n"
        "    status = cli.main(['validate', path, '--schema', sys.argv[1], '--format', 'json'])\n"
        "    lazy = ('dateutil.parser', 'validators')\n"
        "    print(status, sorted(m for m in lazy if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(schema), str(plain), str(zoned)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stderr.strip().splitlines()[-2:] == ["1 []", "0 ['dateutil.parser']"], (
        result.stderr
    )
    assert result.stdout.count('"type": "type-error"') == 2, result.stdout  # hier, midi
