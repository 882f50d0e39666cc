"""Pass and fail cases for the version-history rules (rules/history.py).

The pull-request rules compare the working tree with a git revision: their mutations
turn the registry copy into a git repository, commit it and tag the commit ``base``,
then change the working tree as a pull request would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from esr_schemas.loader import load_registry
from esr_schemas.snapshot import write_snapshot

from . import Expected, RuleCase, edit_schema, field_of

S = "schemas/demo/schema.json"
README = "schemas/demo/README.md"
CHANGELOG = "schemas/demo/CHANGELOG.md"
V1 = "schemas/demo/versions/1.0.0"
BASE = "base"


def git(root: Path, *args: str) -> str:
    result = subprocess.run(
        [
            "git",
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
            *args,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def git_base(root: Path) -> None:
    """Commits the registry as it is and tags that commit ``base``."""
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base", "--allow-empty")
    git(root, "tag", "-f", BASE)


def bump(
    version: str, date: str = "2026-03-01", note: str = "- Changement."
) -> Callable[[Path], None]:
    """Sets the working version and adds its changelog entry."""

    def mutate(root: Path) -> None:
        edit_schema(root, lambda d: d.update(version=version, lastModified=date))
        path = root / CHANGELOG
        text = path.read_text(encoding="utf-8")
        head, rest = text.split("\n## ", 1)
        path.write_text(f"{head}\n## {version} ({date})\n\n{note}\n\n## {rest}", encoding="utf-8")

    return mutate


def chain(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        for step in steps:
            step(root)

    return mutate


def field_change(name: str, **changes: Any) -> Callable[[Path], None]:
    def change(data: dict[str, Any]) -> None:
        field = field_of(data, name)
        for key, value in changes.items():
            field[key] = value

    return lambda root: edit_schema(root, change)


def constraint(name: str, key: str, value: Any) -> Callable[[Path], None]:
    def change(data: dict[str, Any]) -> None:
        field_of(data, name).setdefault("constraints", {})[key] = value

    return lambda root: edit_schema(root, change)


def remove_field(name: str) -> Callable[[Path], None]:
    def change(data: dict[str, Any]) -> None:
        data["fields"] = [f for f in data["fields"] if f["name"] != name]

    return lambda root: edit_schema(root, change)


def drop_column(name: str) -> Callable[[Path], None]:
    """Removes a column from every working example, so that the examples stay coherent."""

    def mutate(root: Path) -> None:
        for path in sorted((root / "schemas/demo/exemples").rglob("*.csv")):
            lines = path.read_text(encoding="utf-8").splitlines()
            index = lines[0].split(",").index(name)
            kept = [
                ",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines
            ]
            path.write_text("\n".join(kept) + "\n", encoding="utf-8")
        negative = root / "schemas/demo/exemples/invalide/constraint-error__effectif-negatif.csv"
        if name == "effectif" and negative.exists():
            negative.unlink()

    return mutate


def release(root: Path) -> None:
    """Publishes the working version, as ``esr-schemas release`` does."""
    entry = load_registry(root).get("demo")
    assert entry.version is not None
    write_snapshot(entry, entry.version, "2026-03-01")


def write(relpath: str, text: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        (root / relpath).write_text(text, encoding="utf-8")

    return mutate


def unpublish_index(root: Path) -> None:
    path = root / "schemas/demo/versions/index.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["1.0.0"]["date"] = "2026-02-02"
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def deprecate(name: str, since: str = "1.1.0") -> Callable[[Path], None]:
    def change(data: dict[str, Any]) -> None:
        field_of(data, name)["x-esr"] = {
            "deprecated": {"since": since, "reason": "Remplacé par un autre indicateur."}
        }

    return lambda root: edit_schema(root, change)


CASES = [
    RuleCase(
        "placeholder-left",
        chain(
            lambda r: edit_schema(r, lambda d: d.update(title="À COMPLÉTER : titre")),
            write(README, "# Démo\n\n## Contexte\n\nÀ compléter : contexte.\n"),
        ),
        [Expected(S, pointer="/title"), Expected(README, row=5)],
    ),
    RuleCase(
        "field-removed-without-deprecation",
        chain(remove_field("effectif"), drop_column("effectif"), bump("2.0.0")),
        [Expected(S, pointer="/fields")],
        # Deprecated in a published 1.1.0, then removed in 2.0.0: no warning.
        pass_=chain(
            deprecate("effectif"),
            bump("1.1.0"),
            release,
            remove_field("effectif"),
            drop_column("effectif"),
            bump("2.0.0", date="2026-04-01"),
        ),
    ),
    RuleCase(
        "field-deprecation-invalid",
        chain(
            lambda r: edit_schema(
                r,
                lambda d: field_of(d, "effectif").update(
                    {"x-esr": {"deprecated": {"since": "3.0.0"}}}
                ),
            ),
            lambda r: edit_schema(
                r, lambda d: field_of(d, "niveau").update({"x-esr": {"deprecated": True}})
            ),
        ),
        [
            Expected(S, pointer="/fields/3/x-esr/deprecated/since"),
            Expected(S, pointer="/fields/3/x-esr/deprecated/reason"),
            Expected(S, pointer="/fields/2/x-esr/deprecated"),
        ],
        pass_=deprecate("effectif", since="1.0.0"),
    ),
    RuleCase(
        "published-version-changed",
        chain(git_base, write(f"{V1}/README.md", "# Démo modifiée\n")),
        [Expected(f"{V1}/README.md")],
        base=BASE,
        # A new release added after the base leaves the published 1.0.0 untouched.
        pass_=chain(
            git_base,
            field_change(
                "effectif", description="Nombre d'inscriptions principales au 15 janvier."
            ),
            bump("1.0.1"),
            release,
        ),
    ),
    RuleCase(
        "published-version-changed",
        chain(git_base, unpublish_index),
        [Expected("schemas/demo/versions/index.json", pointer="/1.0.0")],
        base=BASE,
        id="index",
    ),
    RuleCase(
        "published-version-changed",
        chain(git_base, lambda r: (r / V1 / "exemples/valide.csv").unlink()),
        [Expected(f"{V1}/exemples/valide.csv")],
        base=BASE,
        id="deleted",
    ),
    RuleCase(
        "published-version-changed",
        chain(git_base, write(f"{V1}/exemples/autre.csv", "code_uai\n")),
        [Expected(f"{V1}/exemples/autre.csv")],
        base=BASE,
        id="added",
    ),
    RuleCase(
        "published-version-changed",
        chain(git_base, lambda r: shutil.rmtree(r / "schemas/demo")),
        [Expected(f"{V1}/")],
        base=BASE,
        id="schema-deleted",
    ),
    RuleCase(
        "version-not-bumped",
        chain(
            git_base,
            field_change(
                "effectif", description="Nombre d'inscriptions principales au 15 janvier."
            ),
        ),
        [Expected(S, pointer="/version")],
        base=BASE,
        pass_=chain(
            git_base,
            field_change(
                "effectif", description="Nombre d'inscriptions principales au 15 janvier."
            ),
            bump("1.0.1"),
        ),
    ),
    RuleCase(
        "version-bump-too-small",
        chain(git_base, constraint("effectif", "maximum", 100000), bump("1.1.0")),
        [Expected(S, pointer="/version")],
        base=BASE,
        pass_=chain(git_base, constraint("effectif", "maximum", 100000), bump("2.0.0")),
    ),
    RuleCase(
        "version-bump-too-small",
        # Released in the pull request itself, then the working copy moved on.
        chain(
            git_base,
            constraint("effectif", "maximum", 100000),
            bump("1.1.0"),
            release,
            field_change("effectif", description="Nombre d'inscriptions au 15 janvier."),
            bump("1.1.1", date="2026-03-02"),
        ),
        [Expected("schemas/demo/versions/1.1.0/schema.json", pointer="/version")],
        base=BASE,
        id="released-in-pr",
    ),
]
