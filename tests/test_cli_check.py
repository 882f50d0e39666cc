"""`esr-schemas check` through its real entry point: formats, exit codes, --fix, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rulecases import edit_schema, field_of, schema_path

ESR = str(Path(sys.executable).parent / "esr-schemas")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ESR, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def break_in_many_ways(root: Path) -> None:
    def change(data: dict) -> None:
        effectif = field_of(data, "effectif")
        effectif["contraints"] = effectif.pop("constraints")
        field_of(data, "code_uai")["constraints"]["pattern"] = "^[0-9]{7[A-Z]$("
        field_of(data, "niveau")["constraints"]["enum"] = ["L", "M", "L"]
        data["version"] = "1.1"

    edit_schema(root, change)


def test_clean_registry_exits_0(base_registry: Path) -> None:
    result = run("check", "--root", str(base_registry))
    assert result.returncode == 0
    assert result.stdout == "Aucun problème trouvé (1 schéma vérifié).\n"


def test_every_problem_is_reported_with_rule_and_location(base_registry: Path) -> None:
    break_in_many_ways(base_registry)
    result = run("check", "--root", str(base_registry), "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    found = {(f["rule"], f.get("pointer")) for f in report["findings"]}
    assert ("unknown-key", "/fields/3/contraints") in found
    assert ("field-pattern-invalid", "/fields/0/constraints/pattern") in found
    assert ("field-enum-invalid", "/fields/2/constraints/enum") in found
    assert ("metadata-invalid", "/version") in found
    for finding in report["findings"]:
        assert finding["file"] and finding["message"] and finding["fix"] and finding["severity"]


def test_text_output_is_french_and_says_how_to_fix(base_registry: Path) -> None:
    break_in_many_ways(base_registry)
    result = run("check", "--root", str(base_registry))
    assert result.returncode == 1
    assert (
        "schemas/demo/schema.json (/fields/3/contraints), ligne 80 : erreur [unknown-key]\n"
        "  Clé inconnue « contraints » dans le champ « effectif ». Vouliez-vous dire « constraints » ?\n"
    ) in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("Résultat : ")


def test_github_annotations(base_registry: Path) -> None:
    edit_schema(base_registry, lambda d: field_of(d, "effectif").update(example="-5"))
    result = run("check", "--root", str(base_registry), "--format", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "::error file=schemas/demo/schema.json,line=79,title=field-example-invalid::L'exemple « -5 »"
    )


def test_fix_rewrites_canonical_json_only(base_registry: Path) -> None:
    path = schema_path(base_registry)
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data, indent=4, ensure_ascii=True), encoding="utf-8")
    assert run("check", "--root", str(base_registry)).returncode == 1
    fixed = run("check", "--root", str(base_registry), "--fix")
    assert fixed.returncode == 0, fixed.stdout
    assert "Corrigé : schemas/demo/schema.json" in fixed.stderr
    assert json.loads(path.read_text(encoding="utf-8")) == data
    assert path.read_text(encoding="utf-8").startswith('{\n  "$schema"')


def test_named_schema_and_unknown_name(base_registry: Path) -> None:
    assert run("check", "demo", "--root", str(base_registry)).returncode == 0
    result = run("check", "inconnu", "--root", str(base_registry))
    assert result.returncode == 2
    assert "Schéma « inconnu » inconnu du registre" in result.stderr


def test_usage_error_is_french_with_exit_2() -> None:
    result = run("check", "--format", "xml")
    assert result.returncode == 2
    assert "erreur" in result.stderr and "choix invalide" in result.stderr


def test_outside_a_registry(tmp_path: Path) -> None:
    result = run("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "aucun dépôt n'a été trouvé" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_json_files_are_findings_not_tracebacks(base_registry: Path) -> None:
    folder = base_registry / "schemas"
    for name, content in {
        "vide": b"",
        "bom": b'\xef\xbb\xbf{"fields": []}',
        "doublon": b'{"name": "doublon", "name": "x", "fields": []}',
        "syntaxe": b'{"name": "syntaxe",,}',
        "latin1": '{"title": "Intitulé"}'.encode("latin-1"),
        "tableau": b"[1, 2]",
    }.items():
        (folder / name).mkdir()
        (folder / name / "schema.json").write_bytes(content)
    (folder / "sans-schema").mkdir()
    result = run("check", "--root", str(base_registry), "--format", "json")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    rules = {(f["schema"], f["rule"]) for f in json.loads(result.stdout)["findings"]}
    assert {
        ("vide", "json-invalid"),
        ("bom", "json-bom"),
        ("doublon", "json-duplicate-key"),
        ("syntaxe", "json-invalid"),
        ("latin1", "json-invalid"),
        ("tableau", "json-invalid"),
        ("sans-schema", "schema-file-missing"),
    } <= rules
