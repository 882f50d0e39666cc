"""datapackage.json per published version: loads in frictionless and in datapackage-py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import require_module
from esr_schemas.datapackage import FILENAME, write_datapackage
from esr_schemas.loader import load_registry
from esr_schemas.publish import PublishContext, copy_snapshot
from esr_schemas.snapshot import write_snapshot
from esr_schemas.validation.declared_rules import ERROR_CODES

REPO = Path(__file__).resolve().parent.parent
NAMES = sorted(p.name for p in (REPO / "schemas").iterdir() if (p / "schema.json").is_file())


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every catalogue schema released as 1.0.0 in a scratch registry, then published."""
    root = tmp_path_factory.mktemp("registry")
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    for name in NAMES:
        shutil.copytree(
            REPO / "schemas" / name,
            root / "schemas" / name,
            ignore=shutil.ignore_patterns("versions"),
        )
    registry = load_registry(root)
    for name in NAMES:
        write_snapshot(registry.schemas[name], "1.0.0", "2025-11-28")
    registry = load_registry(root)
    ctx = PublishContext(registry=registry, out_dir=root / "site", base_url="https://exemple.org/")
    folders = {}
    for name in NAMES:
        entry = registry.schemas[name]
        version = entry.published[0]
        dest = ctx.version_dir(name, version.version)
        dest.mkdir(parents=True)
        copy_snapshot(ctx, entry, version, dest)
        write_datapackage(ctx, entry, version, dest)
        folders[name] = dest
    return folders


def test_every_schema_gets_a_datapackage(published: dict[str, Path]) -> None:
    assert len(published) >= 12
    for name, folder in published.items():
        data = json.loads((folder / FILENAME).read_text(encoding="utf-8"))
        assert data["name"] == name and data["version"] == "1.0.0"
        paths = [r["path"] for r in data["resources"]]
        assert paths[0] == "exemples/valide.csv"
        assert len(paths) >= 3, name
        for resource in data["resources"]:
            assert not Path(resource["path"]).is_absolute()
            assert (folder / resource["path"]).is_file()
            assert resource["schema"] == "schema.json"


@pytest.mark.parametrize("name", NAMES)
def test_frictionless_package_loads_and_validates(published: dict[str, Path], name: str) -> None:
    from frictionless import Package

    package = Package(str(published[name] / FILENAME))
    valid = package.get_resource("exemple-valide")
    assert valid.schema.get_field("etablissement_uai").type == "string"
    report = valid.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])
    invalid = [r for r in package.resources if r.name.startswith("exemple-invalide-")]
    expected = {r.name: r.description for r in invalid}
    failing = [r for r in invalid if not r.validate().valid]
    # Every invalid example fails, except those whose error only our validator detects.
    # (check letters and checksums, rules between columns, statistical secrecy)
    own_codes = {"check-letter", "checksum", "annee-universitaire-invalide", *ERROR_CODES.values()}
    own = [r for r in invalid if any(code in expected[r.name] for code in own_codes)]
    assert len(failing) == len(invalid) - len(own)


def test_datapackage_py_reads_the_package(published: dict[str, Path]) -> None:
    datapackage = require_module("datapackage")
    for name, folder in published.items():
        package = datapackage.Package(str(folder / FILENAME))
        assert package.valid, (name, package.errors)
        resource = package.get_resource("exemple-valide")
        rows = resource.read(keyed=True)
        assert len(rows) >= 20, name
        assert rows[0]["etablissement_uai"]
