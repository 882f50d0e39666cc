"""A pull request's life in a real git repository, judged by ``esr-schemas check --base``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esr_schemas.cli import main
from esr_schemas.loader import sha256_file
from rulecases import edit_schema
from rulecases.versions import bump, constraint, field_change, git, git_base

S = "schemas/demo/schema.json"


def check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["check", "--root", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def repo(base_registry: Path) -> Path:
    """The base registry as the ``main`` branch of a git repository, on a topic branch."""
    git_base(base_registry)
    git(base_registry, "checkout", "-q", "-b", "contribution")
    return base_registry


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def test_clean_pull_request_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An enum value added is minor: a minor bump is enough.
    def add_value(data: dict) -> None:
        data["fields"][2]["constraints"]["enum"].append("DU")

    edit_schema(repo, add_value)
    bump("1.1.0", note="- Niveau « DU » accepté.")(repo)
    commit(repo, "Accept DU")
    code, out, err = check(repo, capsys, "--base", "main")
    assert (code, err) == (0, ""), out


def test_breaking_change_with_minor_bump_is_rejected(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    constraint("effectif", "maximum", 5000)(repo)
    bump("1.1.0", note="- Effectif plafonné.")(repo)
    commit(repo, "Cap effectif")
    code, out, _ = check(repo, capsys, "--base", "main")
    assert code == 1
    assert "[version-bump-too-small]" in out
    assert "« demo » passe de 1.0.0 à 1.1.0 (changement mineur)" in out
    assert "mais ses changements sont de niveau majeur" in out
    assert "Contrainte « maximum » = 5000 ajoutée au champ « effectif »" in out
    assert "Passez « version » à 2.0.0" in out
    # The same history with a major bump passes.
    git(repo, "reset", "-q", "--hard", "main")
    constraint("effectif", "maximum", 5000)(repo)
    bump("2.0.0", note="- Effectif plafonné.")(repo)
    commit(repo, "Cap effectif, major")
    code, out, _ = check(repo, capsys, "--base", "main")
    assert code == 0, out


def test_edited_published_version_is_rejected(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = repo / "schemas/demo/versions/1.0.0/schema.json"
    data = json.loads(published.read_text(encoding="utf-8"))
    data["fields"][3]["constraints"]["minimum"] = 1
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    published.write_text(text, encoding="utf-8")
    # Even with the recorded hash updated to match, the base revision remembers.
    index_file = repo / "schemas/demo/versions/index.json"
    index = json.loads(index_file.read_text(encoding="utf-8"))
    index["1.0.0"]["files"]["schema.json"] = sha256_file(published)
    index_file.write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    commit(repo, "Tamper with 1.0.0")
    code, out, _ = check(repo, capsys, "--base", "main")
    assert code == 1
    assert "[published-version-changed]" in out
    assert (
        "Le fichier schema.json de la version publiée 1.0.0 de « demo » a été modifié depuis "
        "main : une version publiée ne change plus." in out
    )
    assert "L'inscription de la version publiée 1.0.0 de « demo » dans versions/index.json" in out
    # Without --base, the in-tree hashes were forged to match: only git sees it.
    code, out, _ = check(repo, capsys)
    assert "published-version-changed" not in out


def test_working_copy_changed_without_bump(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    field_change("niveau", title="Niveau LMD")(repo)
    commit(repo, "Retitle")
    code, out, _ = check(repo, capsys, "--base", "main")
    assert code == 1
    assert "[version-not-bumped]" in out
    assert "garde le numéro 1.0.0, déjà publié. Changement patch" in out
    assert "Passez « version » à 1.0.1" in out


def test_invalid_base_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(repo, capsys, "--base", "origin/nexiste-pas")
    assert code == 2
    assert "« origin/nexiste-pas » n'est pas une révision git valide" in err
    assert "Traceback" not in err


def test_base_outside_git_is_a_usage_error(
    base_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = check(base_registry, capsys, "--base", "main")
    assert code == 2
    assert "n'est pas un dépôt git" in err
