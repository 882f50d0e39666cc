"""``esr-schemas release``: publishes good versions, refuses bad ones with a French reason."""

from __future__ import annotations

import filecmp
import json
import shutil
from pathlib import Path

import pytest

from esr_schemas.check import run_check
from esr_schemas.cli import main
from esr_schemas.loader import load_registry
from rulecases import edit_schema, field_of
from rulecases.versions import bump


def release(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["release", "demo", "--root", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def add_level(root: Path) -> None:
    edit_schema(root, lambda d: field_of(d, "niveau")["constraints"]["enum"].append("DU"))


def test_release_publishes_a_minor_version(
    base_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_level(base_registry)
    bump("1.1.0", date="2026-03-01", note="- Niveau « DU » accepté.")(base_registry)
    code, out, err = release(base_registry, capsys)
    assert code == 0, err
    assert "Version 1.1.0 de « demo » publiée (2026-03-01)" in out
    folder = base_registry / "schemas/demo/versions/1.1.0"
    assert (folder / "schema.json").read_bytes() == (
        base_registry / "schemas/demo/schema.json"
    ).read_bytes()
    assert (folder / "CHANGELOG.md").read_text(encoding="utf-8").startswith("## 1.1.0 (2026-03-01)")
    index = json.loads((base_registry / "schemas/demo/versions/index.json").read_text("utf-8"))
    assert list(index) == ["1.0.0", "1.1.0"] and index["1.1.0"]["date"] == "2026-03-01"
    registry = load_registry(base_registry)
    assert [p.version for p in registry.get("demo").published] == ["1.0.0", "1.1.0"]
    assert run_check(registry).findings == []
    # Publishing twice is refused.
    code, _, err = release(base_registry, capsys)
    assert code == 1
    assert "La version 1.1.0 est déjà publiée : une version publiée ne change plus." in err


def test_release_is_deterministic(
    tmp_path: Path, base_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"
    shutil.copytree(base_registry, other)
    for root in (base_registry, other):
        add_level(root)
        bump("1.1.0", date="2026-03-01")(root)
        assert release(root, capsys)[0] == 0
    comparison = filecmp.dircmp(
        base_registry / "schemas/demo/versions", other / "schemas/demo/versions"
    )
    assert comparison.diff_files == [] and comparison.left_only == comparison.right_only == []
    assert filecmp.cmp(
        base_registry / "schemas/demo/versions/index.json",
        other / "schemas/demo/versions/index.json",
        shallow=False,
    )


def test_release_date_option_overrides_changelog(
    base_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_level(base_registry)
    bump("1.1.0", date="2026-03-01")(base_registry)
    assert release(base_registry, capsys, "--date", "2026-03-05")[0] == 0
    index = json.loads((base_registry / "schemas/demo/versions/index.json").read_text("utf-8"))
    assert index["1.1.0"]["date"] == "2026-03-05"
    code, _, err = release(base_registry, capsys, "--date", "05/03/2026")
    assert code == 2 and "Date invalide « 05/03/2026 » : attendu AAAA-MM-JJ" in err


def test_refuses_existing_version(base_registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = release(base_registry, capsys)
    assert code == 1
    assert "Publication de « demo » 1.0.0 refusée :" in err
    assert "La version 1.0.0 est déjà publiée" in err
    index = json.loads((base_registry / "schemas/demo/versions/index.json").read_text("utf-8"))
    assert list(index) == ["1.0.0"]


def test_refuses_when_check_fails(base_registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_level(base_registry)
    bump("1.1.0")(base_registry)
    (base_registry / "schemas/demo/exemples/valide.csv").write_text(
        "code_uai,rentree,niveau,effectif\n0751717J,2024,L,beaucoup\n", encoding="utf-8"
    )
    code, _, err = release(base_registry, capsys)
    assert code == 1
    assert "« esr-schemas check demo » signale" in err
    assert "schemas/demo/exemples/valide.csv" in err
    assert not (base_registry / "schemas/demo/versions/1.1.0").exists()


def test_refuses_without_changelog_entry(
    base_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_level(base_registry)
    edit_schema(base_registry, lambda d: d.update(version="1.1.0"))
    code, _, err = release(base_registry, capsys)
    assert code == 1
    assert "CHANGELOG.md n'a pas d'entrée pour la version 1.1.0" in err
    assert "« ## 1.1.0 (AAAA-MM-JJ) »" in err
    assert not (base_registry / "schemas/demo/versions/1.1.0").exists()


def test_refuses_bump_too_small(base_registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_schema(base_registry, lambda d: field_of(d, "niveau")["constraints"]["enum"].remove("D"))
    (base_registry / "schemas/demo/exemples/valide.csv").write_text(
        "code_uai,rentree,niveau,effectif\n0751717J,2024,L,120\n0751717J,2024,M,80\n",
        encoding="utf-8",
    )
    bump("1.1.0", note="- Niveau D retiré.")(base_registry)
    code, _, err = release(base_registry, capsys)
    assert code == 1
    assert "Incrément insuffisant : 1.0.0 → 1.1.0 annonce un changement mineur" in err
    assert "exigent un changement majeur" in err
    assert "Valeur(s) « D » retirée(s) de la liste autorisée du champ « niveau »" in err
    # The data proof is part of the reason: the 1.0.0 example has a D row.
    assert (
        "Preuve par les données : l'exemple valide exemples/valide.csv de la version 1.0.0" in err
    )
    assert not (base_registry / "schemas/demo/versions/1.1.0").exists()


def test_unknown_schema(base_registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["release", "absent", "--root", str(base_registry)]) == 2
    assert "Schéma « absent » inconnu" in capsys.readouterr().err


def test_library_refuses_and_releases_without_the_command(base_registry: Path) -> None:
    """``versioning.release`` is the library the command (and any other tool) calls."""
    from esr_schemas.versioning.release import refusals
    from esr_schemas.versioning.release import release as release_version

    registry = load_registry(base_registry)
    reasons, _ = refusals(registry, registry.get("demo"), None)
    assert any("La version 1.0.0 est déjà publiée" in reason for reason in reasons)
    add_level(base_registry)
    bump("1.1.0", date="2026-03-01", note="- Niveau « DU » accepté.")(base_registry)
    registry = load_registry(base_registry)
    entry = registry.get("demo")
    assert refusals(registry, entry, None) == ([], [])
    released = release_version(entry, "2026-03-02")
    assert (released.version, released.date) == ("1.1.0", "2026-03-02")
    assert released.folder == base_registry / "schemas/demo/versions/1.1.0"
    assert (released.folder / "schema.json").is_file()
