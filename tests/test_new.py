"""``esr-schemas new``: a scaffold whose placeholders ``check`` reports until completed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO
from esr_schemas.check import run_check
from esr_schemas.cli import main
from esr_schemas.loader import load_registry

NAME = "insertion-pro"


def new(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["new", *args, "--root", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


def fill(folder: Path) -> None:
    """What a contributor does: replace every placeholder with real text."""
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    schema["title"] = "Insertion professionnelle des diplômés"
    schema["description"] = "Taux d'insertion des diplômés de master, par établissement."
    schema["contributors"][0]["title"] = "Service statistique ministériel"
    schema["sources"][0] = {
        "title": "Code de l'éducation, article L. 612-1",
        "path": "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006525163",
    }
    schema["keywords"] = ["insertion"]
    for field in schema["fields"]:
        if "À COMPLÉTER" in field["title"]:
            field["title"] = field["name"].capitalize()
            field["description"] = f"{field['title']} de la ligne, tel que déclaré."
    (folder / "schema.json").write_text(
        json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    readme = (folder / "README.md").read_text(encoding="utf-8")
    lines = [
        "# Insertion professionnelle" if line.startswith("# ") else line
        for line in readme.splitlines()
    ]
    text = "\n".join(lines).replace("À COMPLÉTER : ", "Rédigé : ")
    (folder / "README.md").write_text(text + "\n", encoding="utf-8")


@pytest.fixture(params=["base", "depot"])
def registry_root(request: pytest.FixtureRequest, base_registry: Path, tmp_path: Path) -> Path:
    """The minimal base registry, or a copy of this repository (with its common block)."""
    if request.param == "base":
        return base_registry
    root = tmp_path / "depot"
    root.mkdir()
    for name in ("schemas", "referentiels"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(NAME))
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def test_new_then_check_reports_placeholders_until_filled(
    registry_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_registry = registry_root
    code, out, _ = new(base_registry, capsys, NAME, "--date", "2026-05-01")
    assert code == 0
    folder = base_registry / "schemas" / NAME
    for relpath in (
        "schema.json",
        "README.md",
        "CHANGELOG.md",
        "exemples/valide.csv",
        "exemples/invalide/type-error__effectif-non-entier.csv",
    ):
        assert (folder / relpath).is_file(), relpath
    assert f"Schéma « {NAME} » créé" in out
    findings = run_check(load_registry(base_registry), [NAME]).findings
    placeholders = [f for f in findings if f.rule == "placeholder-left"]
    pointers = {f.pointer for f in placeholders if f.file.endswith("schema.json")}
    assert {"/title", "/description", "/sources/0/path"} <= pointers
    assert any(p and p.startswith("/fields/") and p.endswith("/title") for p in pointers)
    assert any(f.file.endswith("README.md") and f.row == 5 for f in placeholders)
    # Placeholders are the only problems of a fresh scaffold.
    assert {f.rule for f in findings} == {"placeholder-left"}
    capsys.readouterr()
    assert main(["check", NAME, "--root", str(base_registry)]) == 1
    assert "Texte à compléter laissé en place : « À COMPLÉTER : titre du schéma »" in (
        capsys.readouterr().out
    )
    fill(folder)
    assert run_check(load_registry(base_registry), [NAME]).findings == []


def test_new_refuses_bad_names_and_existing_folders(
    base_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = new(base_registry, capsys, "Insertion_Pro")
    assert code == 2 and "Nom de schéma invalide « Insertion_Pro »" in err
    code, _, err = new(base_registry, capsys, "demo")
    assert code == 2 and "Le dossier schemas/demo/ existe déjà" in err
    assert not (base_registry / "schemas" / "Insertion_Pro").exists()
