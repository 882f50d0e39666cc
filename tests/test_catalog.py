"""The catalog and the feed, read by real consumers over real HTTP on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import requests
from frictionless import Schema

from conftest import REPO
from esr_schemas.catalog import catalog_schema_path
from esr_schemas.cli import main
from esr_schemas.config import site_url
from esr_schemas.loader import load_registry, sha256_file
from esr_schemas.publish import publish
from esr_schemas.snapshot import write_snapshot
from rulecases import edit_schema, field_of
from rulecases.versions import bump

CORPUS_CATALOG = REPO.parent / "shared" / "corpus" / "schema-data-gouv-catalog.json"
ATOM = "{http://www.w3.org/2005/Atom}"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(base URL, folder served) — the folder is empty until the test publishes into it."""
    out = tmp_path / "site"
    out.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", out
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def two_versions(base_registry: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The base registry with demo 1.0.0 and a released 1.1.0."""
    edit_schema(base_registry, lambda d: field_of(d, "niveau")["constraints"]["enum"].append("DU"))
    bump("1.1.0", date="2026-03-01", note="- Niveau « DU » accepté.")(base_registry)
    assert main(["release", "demo", "--root", str(base_registry)]) == 0
    capsys.readouterr()
    return base_registry


def test_local_catalog_schema_accepts_the_national_catalog() -> None:
    """Our offline description of the format accepts the real schema.data.gouv.fr catalog."""
    schema = json.loads(catalog_schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    if not CORPUS_CATALOG.is_file():
        pytest.skip(f"catalogue national absent : {CORPUS_CATALOG}")
    jsonschema.validate(json.loads(CORPUS_CATALOG.read_text(encoding="utf-8")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": 2, "schemas": []}, schema)


def _read_catalog_like_validata(base_url: str) -> dict[str, dict]:
    from opendataschema import SchemaCatalog

    catalog = SchemaCatalog(base_url + "schemas.json", catalog_schema=str(catalog_schema_path()))
    loaded = {}
    for reference in catalog.references:
        url = reference.get_schema_url()
        assert url.startswith(base_url), url
        response = requests.get(url, timeout=10)
        response.raise_for_status()
        schema = Schema.from_descriptor(response.json())
        assert schema.fields, url
        loaded[reference.name] = response.json()
    return loaded


def test_catalog_served_and_read_by_opendataschema(
    server: tuple[str, Path], two_versions: Path
) -> None:
    base_url, out = server
    publish(load_registry(two_versions), out, base_url)
    loaded = _read_catalog_like_validata(base_url)
    assert set(loaded) == {"demo"}
    assert loaded["demo"]["version"] == "1.1.0"  # latest/ is the newest published version
    data = requests.get(base_url + "schemas.json", timeout=10).json()
    (entry,) = data["schemas"]
    assert data["version"] == 1 and data["$schema"].startswith("https://")
    assert entry["schema_type"] == "tableschema"
    assert entry["schema_url"] == base_url + "schemas/demo/latest/schema.json"
    assert [v["version_name"] for v in entry["versions"]] == ["1.0.0", "1.1.0"]
    for key in ("name", "title", "description", "contact", "examples", "labels", "homepage"):
        assert entry[key], key
    # Every file URL is absolute, under the base URL, and served.
    urls = [entry["schema_url"], *(v["schema_url"] for v in entry["versions"])]
    urls += [example["path"] for example in entry["examples"]]
    for url in urls:
        assert url.startswith(base_url), url
        assert requests.get(url, timeout=10).status_code == 200, url
    old = requests.get(entry["versions"][0]["schema_url"], timeout=10)
    assert old.content == (two_versions / "schemas/demo/versions/1.0.0/schema.json").read_bytes()
    Schema.from_descriptor(old.json())


def test_registry_catalog_served(server: tuple[str, Path]) -> None:
    """The repository's own schemas: every published version at its stable URL."""
    base_url, out = server
    registry = load_registry(REPO)
    publish(registry, out, base_url)
    loaded = _read_catalog_like_validata(base_url)
    published = {name for name, entry in registry.schemas.items() if entry.published}
    assert set(loaded) == published
    data = json.loads((out / "schemas.json").read_text(encoding="utf-8"))
    for item in data["schemas"]:
        entry = registry.get(item["name"])
        assert [v["version_name"] for v in item["versions"]] == [p.version for p in entry.published]
        for version in item["versions"]:
            relative = version["schema_url"][len(base_url) :]
            assert (out / relative).is_file(), relative


def test_catalog_and_feed_are_deterministic(tmp_path: Path, two_versions: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    publish(load_registry(two_versions), first, "https://exemple.test/registre/")
    publish(load_registry(two_versions), second, "https://exemple.test/registre/")
    for name in ("schemas.json", "feed.xml"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    text = (first / "schemas.json").read_text(encoding="utf-8")
    assert "https://exemple.test/registre/schemas/demo/1.0.0/schema.json" in text


def test_atom_feed_of_releases(server: tuple[str, Path], two_versions: Path) -> None:
    base_url, out = server
    publish(load_registry(two_versions), out, base_url)
    response = requests.get(base_url + "feed.xml", timeout=10)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}updated") == "2026-03-01T00:00:00Z"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Schéma de démonstration — version 1.1.0",
        "Schéma de démonstration — version 1.0.0",
    ]
    newest = entries[0]
    assert newest.findtext(f"{ATOM}updated") == "2026-03-01T00:00:00Z"
    assert "Niveau « DU » accepté." in (newest.findtext(f"{ATOM}content") or "")
    for entry in entries:
        assert entry.findtext(f"{ATOM}id", "").startswith(base_url)
        for link in entry.findall(f"{ATOM}link"):
            if link.get("rel") == "enclosure":
                assert requests.get(link.get("href", ""), timeout=10).status_code == 200


@pytest.mark.slow
def test_registry_next_release_is_served_next_to_the_previous(
    tmp_path: Path, server: tuple[str, Path]
) -> None:
    """A copy of the repository where every schema gets a patch release: the catalog lists
    both versions, latest/ moves to the new one, the old one stays byte for byte."""
    copy = tmp_path / "copie"
    copy.mkdir()
    for name in ("schemas", "referentiels"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, copy / name)
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    registry = load_registry(copy)
    previous: dict[str, str] = {}
    for entry in registry.schemas.values():
        latest = entry.latest_published
        if entry.descriptor is None or latest is None:
            continue
        major, minor, patch = (int(p) for p in latest.version.split("."))
        version = f"{major}.{minor}.{patch + 1}"

        def retitle(data: dict, version: str = version) -> None:
            data["version"] = version
            data["description"] = str(data.get("description", "")) + " Précision."

        edit_schema(copy, retitle, name=entry.name)
        changelog = entry.changelog_file
        text = changelog.read_text(encoding="utf-8") if changelog.is_file() else "# Changements\n"
        head, _, rest = text.partition("\n## ")
        changelog.write_text(
            f"{head}\n## {version} (2026-06-01)\n\n- Description précisée.\n\n## {rest}",
            encoding="utf-8",
        )
        write_snapshot(load_registry(copy).get(entry.name), version, "2026-06-01")
        previous[entry.name] = latest.version
    if not previous:
        pytest.skip("aucune version publiée dans le dépôt")
    base_url, out = server
    publish(load_registry(copy), out, base_url)
    loaded = _read_catalog_like_validata(base_url)
    data = json.loads((out / "schemas.json").read_text(encoding="utf-8"))
    by_name = {item["name"]: item for item in data["schemas"]}
    for name, old in previous.items():
        versions = [v["version_name"] for v in by_name[name]["versions"]]
        assert versions[-2:] == [old, loaded[name]["version"]], name
        served = requests.get(f"{base_url}schemas/{name}/{old}/schema.json", timeout=10)
        assert (
            served.content
            == (REPO / "schemas" / name / "versions" / old / "schema.json").read_bytes()
        )


@pytest.mark.slow
def test_full_build_catalog_urls_all_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``esr-schemas build``: every URL of the catalog and the feed is a file of site/."""
    out = tmp_path / "site"
    assert main(["build", "--root", str(REPO), "--out", str(out)]) == 0
    capsys.readouterr()
    base_url = site_url(REPO)
    data = json.loads((out / "schemas.json").read_text(encoding="utf-8"))
    urls: list[str] = []
    for item in data["schemas"]:
        urls += [item["schema_url"], item["homepage"], item["external_doc"]]
        urls += [v["schema_url"] for v in item["versions"]]
        urls += [e["path"] for e in item["examples"]]
    feed = ET.parse(out / "feed.xml").getroot()
    urls += [link.get("href", "") for link in feed.iter(f"{ATOM}link")]
    assert data["schemas"] and len(urls) > 5 * len(data["schemas"])
    for url in urls:
        assert url.startswith(base_url), url
        target = out / url[len(base_url) :]
        assert target.is_file() or (target / "index.html").is_file(), url


@pytest.mark.slow
def test_fresh_clone_serves_every_published_version_byte_for_byte(tmp_path: Path) -> None:
    """A clone of the repository, without tags or network, rebuilds every published version:
    each served file matches the hash recorded at release time."""
    if not (REPO / ".git").exists():
        pytest.skip("le dépôt n'est pas un clone git")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-tags", "--no-local", str(REPO), str(clone)],
        check=True,
        capture_output=True,
    )
    registry = load_registry(clone)
    out = tmp_path / "site"
    publish(registry, out, "https://exemple.test/")
    checked = 0
    for entry in registry.schemas.values():
        for version in entry.published:
            assert version.recorded_hashes, (entry.name, version.version)
            folder = out / "schemas" / entry.name / version.version
            for relpath, digest in version.recorded_hashes.items():
                assert sha256_file(folder / relpath) == digest, (
                    entry.name,
                    version.version,
                    relpath,
                )
                checked += 1
        if entry.latest_published is not None:
            latest = out / "schemas" / entry.name / "latest" / "schema.json"
            assert latest.read_bytes() == (entry.latest_published.path / "schema.json").read_bytes()
    catalog = json.loads((out / "schemas.json").read_text(encoding="utf-8"))
    listed = {(s["name"], v["version_name"]) for s in catalog["schemas"] for v in s["versions"]}
    assert listed == {(e.name, p.version) for e in registry.schemas.values() for p in e.published}
    if registry.schemas:
        assert checked > 0
