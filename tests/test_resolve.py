"""One lookup of NAME / NAME@VERSION for every command, with one French message per failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from esr_schemas import resolve
from esr_schemas.cli import main
from esr_schemas.loader import load_registry

UNKNOWN = "Schéma « inconnu » inconnu du registre. Schémas du registre : demo."
UNKNOWN_VERSION = "La version « 9.9.9 » de « demo » n'est pas publiée (versions publiées : 1.0.0)."


def test_name_is_the_newest_published_version_and_at_picks_one(base_registry: Path) -> None:
    registry = load_registry(base_registry)
    newest = resolve.lookup(registry, "demo")
    assert newest.published is not None and newest.version == "1.0.0"
    assert newest.folder == base_registry / "schemas" / "demo" / "versions" / "1.0.0"
    assert newest.date == "2026-01-15" and not newest.working
    assert [p.name for p in newest.valid_examples] == ["valide.csv"]
    assert resolve.lookup(registry, "demo@1.0.0").descriptor == newest.descriptor
    working = resolve.working_copy(registry.schemas["demo"])
    assert working.working and working.folder == base_registry / "schemas" / "demo"


def test_working_copy_while_nothing_is_published(base_registry: Path) -> None:
    shutil.rmtree(base_registry / "schemas" / "demo" / "versions")
    found = resolve.lookup(load_registry(base_registry), "demo")
    assert found.working and found.published is None and found.date is None


def test_unknown_schema_version_and_unreadable_schema(base_registry: Path) -> None:
    registry = load_registry(base_registry)
    with pytest.raises(resolve.ResolveError) as unknown:
        resolve.lookup(registry, "inconnu@1.0.0")
    assert str(unknown.value) == UNKNOWN
    with pytest.raises(resolve.ResolveError) as version:
        resolve.lookup(registry, "demo@9.9.9")
    assert str(version.value) == UNKNOWN_VERSION
    assert resolve.unknown_schema_message(registry, ["a", "b"]).startswith(
        "Schémas « a », « b » inconnus du registre."
    )
    (base_registry / "schemas" / "demo" / "schema.json").write_text("{", encoding="utf-8")
    with pytest.raises(resolve.ResolveError) as unreadable:
        resolve.working_copy(load_registry(base_registry).schemas["demo"])
    assert str(unreadable.value) == (
        "Le schema.json de la version de travail de « demo » est absent ou illisible "
        "(schemas/demo/schema.json) : lancez « esr-schemas check demo » pour le détail."
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "inconnu"],
        ["diff", "inconnu"],
        ["release", "inconnu", "--date", "2026-03-01"],
        ["template", "inconnu"],
        ["validate", "x.csv", "--schema", "inconnu"],
    ],
)
def test_every_command_says_unknown_schema_the_same_way(
    base_registry: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("code_uai\n0751717J\n", encoding="utf-8")
    assert main([*argv, "--root", str(base_registry)]) == 2
    assert UNKNOWN in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["diff", "demo", "9.9.9"],
        ["template", "demo@9.9.9"],
        ["validate", "x.csv", "--schema", "demo@9.9.9"],
    ],
)
def test_every_command_says_unknown_version_the_same_way(
    base_registry: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("code_uai\n0751717J\n", encoding="utf-8")
    assert main([*argv, "--root", str(base_registry)]) == 2
    assert UNKNOWN_VERSION in capsys.readouterr().err
