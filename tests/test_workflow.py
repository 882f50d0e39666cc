"""The pull-request workflow and the pre-commit hook only call commands that exist."""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
from pathlib import Path

import yaml

from conftest import REPO
from esr_schemas.cli import COMMANDS, build_parser

WORKFLOW = REPO / ".github" / "workflows" / "pr.yml"
PRE_COMMIT = REPO / ".pre-commit-config.yaml"
SYSTEM_COMMANDS = {"sudo", "apt-get"}
"""Programs outside the project a workflow may call (checked to exist on this machine)."""


def make_targets() -> set[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", text, flags=re.MULTILINE))


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("esr-schemas sans sous-commandes")


def check_esr_schemas(words: list[str], where: str) -> None:
    """Parses an esr-schemas command line with the real parser: unknown options fail."""
    assert words, where
    assert words[0] in COMMANDS, f"{where} : sous-commande inconnue « {words[0]} »"
    parser = subparsers()[words[0]]
    options = {o for action in parser._actions for o in action.option_strings}
    for word in words[1:]:
        if word.startswith("-"):
            assert word.split("=")[0] in options, f"{where} : option inconnue « {word} »"
    # The real parser accepts the line (choices included); it exits on error.
    try:
        build_parser().parse_args(words)
    except SystemExit as exc:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"{where} : ligne refusée par esr-schemas : {words}") from exc


def check_command(command: str, where: str) -> None:
    command = re.sub(r"\$\{\{[^}]*\}\}", "main", command)
    for part in re.split(r"&&|\|\||;|\n", command):
        words = shlex.split(part)
        if not words:
            continue
        program, args = words[0], words[1:]
        if program == "make":
            targets = [a for a in args if not a.startswith("-") and "=" not in a]
            assert targets, f"{where} : make sans cible"
            for target in targets:
                assert target in make_targets(), f"{where} : cible make inconnue « {target} »"
        elif program.endswith("esr-schemas"):
            assert program in (".venv/bin/esr-schemas", "esr-schemas"), where
            check_esr_schemas(args, where)
        else:
            assert program in SYSTEM_COMMANDS, f"{where} : commande non prévue « {program} »"
            if program == "sudo":
                check_command(shlex.join(args), where)
            else:
                assert shutil.which(program), f"{where} : programme introuvable « {program} »"


def test_workflow_parses_and_calls_existing_commands() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "pull_request" in triggers
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # check --base needs the target branch history
    runs = [s["run"] for s in steps if "run" in s]
    for index, run in enumerate(runs):
        check_command(run, f"pr.yml, étape run n° {index + 1}")
    flat = "\n".join(runs)
    assert "make test" in flat and "make build" in flat
    assert re.search(
        r"esr-schemas check --base origin/\$\{\{ github.base_ref \}\} --format github", flat
    )


def test_checker_rejects_unknown_commands() -> None:
    """The checker itself can fail: unknown target, subcommand, option or choice."""
    for bad in (
        "make deploy",
        ".venv/bin/esr-schemas publish",
        ".venv/bin/esr-schemas check --strict",
        ".venv/bin/esr-schemas check --format xml",
        "curl https://example.org",
    ):
        try:
            check_command(bad, "essai")
        except AssertionError:
            continue
        raise AssertionError(f"non détecté : {bad}")


def test_pre_commit_runs_check_fix() -> None:
    config = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    (hook,) = [h for h in hooks if h["id"] == "esr-schemas-check"]
    assert hook["language"] == "system" and hook["pass_filenames"] is False
    check_command(hook["entry"], ".pre-commit-config.yaml")
    assert shlex.split(hook["entry"])[1:] == ["check", "--fix"]
    assert Path(REPO / shlex.split(hook["entry"])[0]).name == "esr-schemas"
