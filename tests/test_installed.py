"""The installed tool, outside any repository.

The package is built as a user would get it (a source distribution, then a wheel built
from it, offline with this environment's setuptools), installed without ``-e`` into a
fresh virtual environment, and run from an empty folder: every command that takes a
schema name works there, against the registry shipped in the wheel, a registry folder,
or a published site served over HTTP on 127.0.0.1 (and then offline from its copy).
"""

from __future__ import annotations

import csv
import hashlib
import http.server
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_templates import fill_template

from conftest import BASE_REGISTRY, REPO
from esr_schemas.cli import main
from esr_schemas.loader import PACKAGED_REGISTRY_DIR, load_registry
from esr_schemas.publish import publish
from esr_schemas.registry_source import ENV_VAR, RegistryUnavailable, locate
from esr_schemas.semver import is_semver, sort_key
from esr_schemas.templates.source import from_path

pytestmark = pytest.mark.slow

NAME = "offre-formation"
PUBLISHED = REPO / "schemas" / NAME / "versions" / "1.0.0"
VALID = PUBLISHED / "exemples" / "valide.csv"
INVALID = PUBLISHED / "exemples" / "invalide" / "uai-check-letter__lettre-cle-fausse.csv"
# A bare name designates the newest published version (1.0.0 is no longer the only one).
LATEST = max(
    (p.name for p in (REPO / "schemas" / NAME / "versions").iterdir() if is_semver(p.name)),
    key=sort_key,
)
LATEST_PUBLISHED = REPO / "schemas" / NAME / "versions" / LATEST
DEMO_VALID = BASE_REGISTRY / "schemas" / "demo" / "versions" / "1.0.0" / "exemples" / "valide.csv"
DEMO_INVALID = (
    BASE_REGISTRY
    / "schemas"
    / "demo"
    / "versions"
    / "1.0.0"
    / "exemples"
    / "invalide"
    / "constraint-error__effectif-negatif.csv"
)


@dataclass
class Installed:
    wheel: Path
    venv: Path
    home: Path
    """HOME of the runs; its ``.cache`` holds the copies of sites."""
    empty: Path
    """The current folder of every run: it holds nothing and must stay so."""
    source: Path
    """The copy of the checkout the wheel was built from."""

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        environment = {
            "PATH": f"{self.venv / 'bin'}:/usr/bin:/bin",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
            **env,
        }
        return subprocess.run(
            [str(self.venv / "bin" / "esr-schemas"), *args],
            cwd=self.empty,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )


def _sources(target: Path) -> None:
    """The files git knows in the checkout (committed or not), as a fresh clone has them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = REPO / relative
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / relative)


def _dependencies(target: Path) -> Path:
    """This environment's installed packages, minus the checkout's own (editable) install."""
    target.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.lower().startswith(("esr_schemas", "__editable__", "esr-schemas")):
            (target / entry.name).symlink_to(entry)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("installed")
    source, dist = work / "registre-schemas-esr", work / "dist"
    _sources(source)
    offline = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    build = partial(subprocess.run, capture_output=True, text=True, timeout=300, env=offline)
    # what « pip install ./registre-schemas-esr » does, offline: a wheel built from the folder
    wheel = build(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["-w", str(dist), str(source)]
    )
    assert wheel.returncode == 0, wheel.stdout + wheel.stderr
    (built,) = dist.glob("esr_schemas-*.whl")
    venv = work / "venv"
    assert build([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "esr-dependances.pth").write_text(f"{_dependencies(work / 'deps')}\n", encoding="utf-8")
    install = build(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install"]
        + ["--no-deps", "--no-index", str(built)]
    )
    assert install.returncode == 0, install.stdout + install.stderr
    where = build(
        [str(venv / "bin" / "python"), "-c", "import esr_schemas; print(esr_schemas.__file__)"],
        cwd=work,
    )
    assert Path(where.stdout.strip()).is_relative_to(site), "the installed copy is the one used"
    empty = work / "vide"
    empty.mkdir()
    home = work / "home"
    home.mkdir()
    return Installed(wheel=built, venv=venv, home=home, empty=empty, source=source)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The user's files, away from the current folder."""
    folder = tmp_path / "donnees"
    folder.mkdir()
    return folder


def _copy(path: Path, folder: Path) -> str:
    shutil.copyfile(path, folder / path.name)
    return str(folder / path.name)


def test_the_wheel_carries_every_published_version_as_recorded(installed: Installed) -> None:
    assert not (REPO / "tools" / "esr_schemas" / PACKAGED_REGISTRY_DIR).exists(), "never committed"
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        base = f"esr_schemas/{PACKAGED_REGISTRY_DIR}"
        registry = load_registry(REPO)
        for entry in registry.schemas.values():
            assert f"{base}/schemas/{entry.name}/versions/index.json" in names
            for version in entry.published:
                assert version.recorded_hashes
                for relpath, digest in version.recorded_hashes.items():
                    packed = wheel.read(
                        f"{base}/schemas/{entry.name}/versions/{version.version}/{relpath}"
                    )
                    assert hashlib.sha256(packed).hexdigest() == digest
        for referentiel in registry.referentiels.values():
            assert f"{base}/referentiels/{referentiel.name}.csv" in names
        assert b"site_url: https://" in wheel.read(f"{base}/mkdocs.yml")


def test_the_source_distribution_carries_the_registry(installed: Installed, tmp_path: Path) -> None:
    """A wheel built from the source distribution (« python -m build ») gets the data too."""
    sdist = subprocess.run(
        [sys.executable, "-c", "from setuptools import build_meta as b; print(b.build_sdist('x'))"],
        cwd=installed.source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert sdist.returncode == 0, sdist.stderr
    archive = installed.source / "x" / sdist.stdout.strip().splitlines()[-1]
    with tarfile.open(archive) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert {"setup.py", "MANIFEST.in", "mkdocs.yml"} <= names
    assert f"schemas/{NAME}/versions/index.json" in names
    assert f"schemas/{NAME}/versions/1.0.0/schema.json" in names
    assert "referentiels/academies.csv" in names


def test_the_publication_guide_word_for_word(installed: Installed, tmp_path: Path) -> None:
    """The guide's install steps: a plain install of the checkout, then its commands as written."""
    guide = (REPO / "docs" / "guide" / "publication.md").read_text(encoding="utf-8")
    section = guide.split("## Vérifier le fichier", 1)[1].split("\n## ", 1)[0]
    lines = [
        line.strip()
        for block in section.split("```bash")[1:]
        for line in block.split("```", 1)[0].splitlines()
        if line.strip()
    ]
    assert "python3 -m venv ~/esr-schemas" in lines
    assert "~/esr-schemas/bin/pip install ./registre-schemas-esr" in lines  # the test's install
    commands = [line for line in lines if line.startswith("~/esr-schemas/bin/esr-schemas ")]
    assert len(commands) >= 2 and any(" validate " in c for c in commands)
    folder = tmp_path / "mes-fichiers"
    folder.mkdir()
    shutil.copyfile(VALID, folder / "offre.csv")
    for command in commands:
        argv = shlex.split(command)[1:]
        result = subprocess.run(
            [str(installed.venv / "bin" / "esr-schemas"), *argv],
            cwd=folder,
            env={"PATH": "/usr/bin:/bin", "HOME": str(installed.home), "LANG": "C.UTF-8"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
    assert "Registre utilisé : le registre fourni avec l'outil" in result.stderr


def test_validate_by_name_from_an_empty_folder(installed: Installed, data: Path) -> None:
    valid, invalid = _copy(VALID, data), _copy(INVALID, data)
    for spec in (NAME, f"{NAME}@1.0.0"):
        result = installed.run("validate", valid, "--schema", spec)
        assert result.returncode == 0, result.stderr
        assert "VALIDE — 24 lignes, aucune erreur" in result.stdout
        assert (
            "Registre utilisé : le registre fourni avec l'outil (esr-schemas 0.1.0)"
            in result.stderr
        )
    result = installed.run("validate", invalid, "--schema", NAME)
    assert result.returncode == 1
    assert "INVALIDE" in result.stdout and "lettre" in result.stdout
    as_json = installed.run("validate", invalid, "--schema", f"{NAME}@1.0.0", "--format", "json")
    assert as_json.returncode == 1
    assert {e["type"] for e in json.loads(as_json.stdout)["errors"]} == {"uai-check-letter"}
    unknown = installed.run("validate", valid, "--schema", "inconnu")
    assert unknown.returncode == 2
    assert "Schéma « inconnu » inconnu du registre" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    version = installed.run("validate", valid, "--schema", f"{NAME}@9.9.9")
    assert version.returncode == 2 and "n'est pas publiée" in version.stderr
    assert list(installed.empty.iterdir()) == []


def test_template_then_export_by_name(installed: Installed, data: Path) -> None:
    result = installed.run("template", NAME, "-o", str(data))
    assert result.returncode == 0, result.stderr
    assert "Modèle Excel écrit" in result.stdout
    template = data / f"modele-{NAME}-{LATEST}.xlsx"
    descriptor = json.loads((LATEST_PUBLISHED / "schema.json").read_text(encoding="utf-8"))
    header = [c.value for c in next(load_workbook(template)["Données"].iter_rows(max_row=1))]
    assert header == [f["name"] for f in descriptor["fields"]]
    filled = fill_template(
        template,
        data / "rempli.xlsx",
        from_path(LATEST_PUBLISHED / "schema.json"),
        LATEST_PUBLISHED / "exemples" / "valide.csv",
    )
    out = data / "export.csv"
    exported = installed.run("export", str(filled), "-o", str(out))  # the schema the workbook names
    assert exported.returncode == 0, exported.stderr
    assert (
        "CSV valide écrit" in exported.stdout
        and f"schéma offre-formation {LATEST}" in exported.stdout
    )
    checked = installed.run("validate", str(out), "--schema", f"{NAME}@{LATEST}")
    assert checked.returncode == 0, checked.stdout
    assert list(installed.empty.iterdir()) == []


def test_template_writes_in_the_current_folder_by_default(installed: Installed) -> None:
    result = installed.run("template", f"{NAME}@1.0.0")
    try:
        assert result.returncode == 0, result.stderr
        assert sorted(p.name for p in installed.empty.iterdir()) == [
            f"modele-{NAME}-1.0.0.csv",
            f"modele-{NAME}-1.0.0.xlsx",
        ]
    finally:
        for path in installed.empty.iterdir():
            path.unlink()


def test_diff_by_name(installed: Installed) -> None:
    result = installed.run("diff", NAME)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"« {NAME} » : version {LATEST} → version courante")
    as_json = installed.run("diff", NAME, "1.0.0", "1.0.0", "--format", "json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["changements"] == []


@pytest.mark.parametrize(
    "argv",
    [["check"], ["release", NAME], ["new", "nouveau-schema"], ["build"]],
    ids=["check", "release", "new", "build"],
)
def test_repository_commands_say_they_need_the_repository(
    installed: Installed, argv: list[str]
) -> None:
    result = installed.run(*argv)
    assert result.returncode == 2
    assert f"« esr-schemas {argv[0]} » travaille sur les sources du registre" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(installed.empty.iterdir()) == []


def test_a_registry_folder_by_variable_or_option(
    installed: Installed, data: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "mon-registre"
    shutil.copytree(BASE_REGISTRY, folder)
    (folder / "pyproject.toml").unlink()  # any folder holding schemas/, not only a checkout
    valid, invalid = _copy(DEMO_VALID, data), _copy(DEMO_INVALID, data)
    by_variable = installed.run("validate", valid, "--schema", "demo", **{ENV_VAR: str(folder)})
    assert by_variable.returncode == 0, by_variable.stderr
    assert (
        f"Registre utilisé : le registre du dossier {folder} (variable d'environnement {ENV_VAR})"
        in by_variable.stderr
    )
    by_option = installed.run(
        "validate", invalid, "--schema", "demo@1.0.0", "--registre", str(folder)
    )
    assert by_option.returncode == 1
    assert "Registre utilisé" not in by_option.stderr, "the user just named it"
    elsewhere = installed.run("validate", valid, "--schema", NAME, **{ENV_VAR: str(folder)})
    assert elsewhere.returncode == 2
    assert "Schéma « offre-formation » inconnu du registre. Schémas du registre : demo." in (
        elsewhere.stderr
    )
    # the option wins over the variable
    wrong = installed.run(
        "diff", "demo", "--registre", str(tmp_path / "absent"), **{ENV_VAR: str(folder)}
    )
    assert wrong.returncode == 2
    assert f"le dossier {tmp_path / 'absent'} n'existe pas" in wrong.stderr
    assert installed.run("template", "demo", "-o", str(data), "--root", str(folder)).returncode == 0
    assert (data / "modele-demo-1.0.0.xlsx").is_file()


class _Site:
    """A published site (the project's own publish: catalog and version files) on loopback."""

    def __init__(self, folder: Path, port: int = 0) -> None:
        self.folder = folder
        handler = partial(_QuietHandler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if not self.thread.is_alive():
            return
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requested: list[str] = []

    def log_message(self, format: str, *args: object) -> None:
        _QuietHandler.requested.append(self.path)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[_Site]:
    folder = tmp_path / "site"
    folder.mkdir()
    served = _Site(folder)
    try:
        publish(load_registry(BASE_REGISTRY), folder, served.url)
        yield served
    finally:
        served.stop()


def test_a_published_site_then_offline(
    installed: Installed, site: _Site, data: Path, tmp_path: Path
) -> None:
    valid, invalid = _copy(DEMO_VALID, data), _copy(DEMO_INVALID, data)
    cache = tmp_path / "cache"
    online = installed.run(
        "validate", valid, "--schema", "demo", **{ENV_VAR: site.url, "XDG_CACHE_HOME": str(cache)}
    )
    assert online.returncode == 0, online.stderr
    assert f"Registre utilisé : le site {site.url} (variable d'environnement {ENV_VAR})" in (
        online.stderr
    )
    (copy,) = (cache / "esr-schemas" / "sites").iterdir()
    published = BASE_REGISTRY / "schemas" / "demo" / "versions" / "1.0.0" / "schema.json"
    kept = copy / "schemas" / "demo" / "versions" / "1.0.0" / "schema.json"
    assert kept.read_bytes() == published.read_bytes()
    _QuietHandler.requested.clear()
    again = installed.run(
        "validate", invalid, "--schema", "demo@1.0.0", "--registre", site.url,
        **{"XDG_CACHE_HOME": str(cache)},
    )  # fmt: skip
    assert again.returncode == 1 and "INVALIDE" in again.stdout
    template = installed.run(
        "template", "demo", "-o", str(data), "--registre", site.url, XDG_CACHE_HOME=str(cache)
    )
    assert template.returncode == 0, template.stderr
    notice = [
        str(cell.value)
        for row in load_workbook(data / "modele-demo-1.0.0.xlsx")["Notice"].iter_rows()
        for cell in row
        if cell.value
    ]
    assert any(f"{site.url}schemas/demo/1.0.0/" in text for text in notice)
    assert set(_QuietHandler.requested) == {"/schemas.json"}, "published versions are kept"
    diff = installed.run("diff", "demo", "--registre", site.url, XDG_CACHE_HOME=str(cache))
    assert diff.returncode == 2
    assert "ne contient que les versions publiées de « demo » (1.0.0)" in diff.stderr

    site.stop()
    offline = installed.run(
        "validate", valid, "--schema", "demo", **{ENV_VAR: site.url, "XDG_CACHE_HOME": str(cache)}
    )
    assert offline.returncode == 0, offline.stderr
    assert f"Le site {site.url} ne répond pas" in offline.stderr
    assert "refuse la connexion" in offline.stderr and "copie locale du" in offline.stderr

    kept.write_bytes(kept.read_bytes().replace(b'"demo"', b'"demo-modifie"', 1))
    tampered = installed.run(
        "validate", valid, "--schema", "demo", **{ENV_VAR: site.url, "XDG_CACHE_HOME": str(cache)}
    )
    assert tampered.returncode == 2
    assert "La version publiée 1.0.0 de « demo » a été modifiée depuis sa publication" in (
        tampered.stderr
    )
    back = _Site(site.folder, site.server.server_address[1])  # the same address, online again
    try:
        healed = installed.run(
            "validate",
            valid,
            "--schema",
            "demo",
            **{ENV_VAR: site.url, "XDG_CACHE_HOME": str(cache)},
        )
    finally:
        back.stop()
    assert healed.returncode == 0, healed.stderr
    assert kept.read_bytes() == published.read_bytes(), "the damaged copy is downloaded again"

    never = installed.run(
        "validate",
        valid,
        "--schema",
        "demo",
        **{ENV_VAR: site.url, "XDG_CACHE_HOME": str(tmp_path / "neuf")},
    )
    assert never.returncode == 2
    assert "n'a encore jamais été lu sur ce poste" in never.stderr


# -- in process: the order of the choice, and the refusal of an edited snapshot ----------


def test_the_order_of_the_choice(tmp_path: Path) -> None:
    folder = tmp_path / "dossier"
    shutil.copytree(BASE_REGISTRY, folder)
    other = tmp_path / "autre"
    shutil.copytree(BASE_REGISTRY, other)
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    inside = folder / "schemas" / "demo"

    assert locate(environ={}, cwd=inside).root == folder.resolve()
    assert locate(environ={}, cwd=inside).announce is False
    by_variable = locate(environ={ENV_VAR: str(other)}, cwd=inside)
    assert by_variable.root == other.resolve() and by_variable.announce
    assert locate(other, environ={ENV_VAR: str(outside)}, cwd=inside).root == other.resolve()
    assert locate(registre=str(other), environ={}, cwd=outside).chosen_by == "option --registre"
    fallback = locate(environ={}, cwd=outside)
    assert fallback.announce and fallback.root != folder.resolve()
    with pytest.raises(RegistryUnavailable, match="n'en donnez qu'un"):
        locate(folder, str(other), environ={}, cwd=outside)
    with pytest.raises(RegistryUnavailable, match="n'est pas un registre"):
        locate(registre=str(outside), environ={}, cwd=outside)
    built = tmp_path / "site"
    publish(load_registry(BASE_REGISTRY), built, "https://exemple.org/")
    with pytest.raises(RegistryUnavailable, match="est un site construit"):
        locate(registre=str(built), environ={}, cwd=outside)
    with pytest.raises(RegistryUnavailable, match="http:// et https://"):
        locate(environ={ENV_VAR: "ftp://exemple.org/"}, cwd=outside)


def test_an_edited_published_snapshot_is_refused(
    base_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    valid = str(DEMO_VALID)
    assert main(["validate", valid, "--schema", "demo@1.0.0", "--root", str(base_registry)]) == 0
    snapshot = base_registry / "schemas" / "demo" / "versions" / "1.0.0" / "schema.json"
    snapshot.write_text(
        snapshot.read_text(encoding="utf-8").replace('"title": "', '"title": "Modifié ', 1),
        encoding="utf-8",
    )
    capsys.readouterr()
    for argv in (
        ["validate", valid, "--schema", "demo@1.0.0"],
        ["validate", valid, "--schema", "demo"],
        ["diff", "demo"],
        ["template", "demo", "-o", str(base_registry.parent / "modeles")],
    ):
        assert main([*argv, "--root", str(base_registry)]) == 2, argv
        err = capsys.readouterr().err
        assert "La version publiée 1.0.0 de « demo » a été modifiée depuis sa publication" in err
        assert "schema.json ne correspond plus à l'empreinte enregistrée" in err
    assert not (base_registry.parent / "modeles").exists()


def test_a_snapshot_missing_from_the_index_is_refused(
    base_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = base_registry / "schemas" / "demo" / "versions" / "index.json"
    index.write_text("{}\n", encoding="utf-8")
    argv = ["validate", str(DEMO_VALID), "--schema", "demo@1.0.0", "--root", str(base_registry)]
    assert main(argv) == 2
    assert "n'est pas inscrite dans versions/index.json" in capsys.readouterr().err


def test_a_site_copy_brings_the_referentiels_its_schemas_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = load_registry(REPO)
    registry.schemas = {NAME: registry.schemas[NAME]}
    folder = tmp_path / "site"
    folder.mkdir()
    served = _Site(folder)
    try:
        publish(registry, folder, served.url)
        shutil.copytree(REPO / "referentiels", folder / "referentiels")  # as the docs site has them
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        argv = ["validate", str(VALID), "--schema", NAME, "--registre", served.url]
        assert main(argv) == 0, capsys.readouterr()
    finally:
        served.stop()
    (copy,) = (tmp_path / "cache" / "esr-schemas" / "sites").iterdir()
    used = {
        "cursus-lmd",
        "diplomes-sise",
        "niveaux-europeens",
        "secteurs-disciplinaires-sise",
        "types-diplome-sise",
    }
    assert {p.stem for p in (copy / "referentiels").glob("*.csv")} == used
    for name in used:
        kept = (copy / "referentiels" / f"{name}.csv").read_bytes()
        assert kept == (REPO / "referentiels" / f"{name}.csv").read_bytes()
    bad = tmp_path / "hors-liste.csv"
    header, first = list(csv.reader(VALID.read_text(encoding="utf-8").splitlines()))[:2]
    first[header.index("diplome_sise")] = "9999999"  # a code list too long for an enum
    with bad.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows([header, first])
    capsys.readouterr()
    assert (
        main(["validate", str(bad), "--schema", NAME, "--registre", served.url, "--referentiels"])
        == 1
    )
    captured = capsys.readouterr()
    assert "ne répond pas" in captured.err, "offline: the copy, référentiels included"
    assert "« 9999999 » n'est pas un code du référentiel « Diplômes SISE" in captured.out


def test_no_release_on_top_of_an_edited_snapshot(
    base_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = base_registry / "schemas" / "demo" / "versions" / "1.0.0" / "README.md"
    snapshot.write_text(snapshot.read_text(encoding="utf-8") + "\nAjout.\n", encoding="utf-8")
    assert main(["release", "demo", "--root", str(base_registry)]) == 1
    err = capsys.readouterr().err
    assert "La version publiée 1.0.0 de « demo » a été modifiée depuis sa publication" in err
    assert "README.md ne correspond plus" in err
    assert main(["check", "demo", "--root", str(base_registry)]) == 1
    out = capsys.readouterr().out
    assert "[published-version-modified]" in out and "Traceback" not in out
