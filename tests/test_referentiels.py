"""The shipped référentiels: well formed, documented, and consistent with each other."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from esr_schemas.loader import load_registry

REPO = Path(__file__).resolve().parent.parent
FOLDER = REPO / "referentiels"
REGISTRY = load_registry(REPO)
NAMES = sorted(p.stem for p in FOLDER.glob("*.csv"))
REQUIRED = {
    "academies", "regions", "departements", "types-diplome-sise", "secteurs-disciplinaires-sise",
    "cursus-lmd", "sections-cnu", "corps", "categories-fonction-publique", "bap",
    "regimes-inscription", "niveaux-europeens", "diplomes-sise",
}  # fmt: skip


def test_every_required_referentiel_is_shipped() -> None:
    assert set(NAMES) >= REQUIRED
    assert set(REGISTRY.referentiels) >= REQUIRED


@pytest.mark.parametrize("name", NAMES)
def test_referentiel_files_are_well_formed(name: str) -> None:
    raw = (FOLDER / f"{name}.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with (FOLDER / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    assert header[:2] == ["code", "libelle"]
    codes = [r[0] for r in rows]
    assert codes and len(codes) == len(set(codes)), "codes en double"
    assert all(c.strip() == c and c for c in codes)
    assert all(len(r) == len(header) and r[1].strip() for r in rows)
    meta = json.loads((FOLDER / f"{name}.json").read_text(encoding="utf-8"))
    assert meta["name"] == name
    for key in ("title", "description", "millesime"):
        assert isinstance(meta[key], str) and meta[key], key
    assert meta["source"]["title"] and meta["source"]["path"].startswith("https://")
    assert "etalab-2.0" in meta["licence"]


def _codes(name: str) -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in REGISTRY.referentiels[name].rows}


def test_geography_is_complete_and_consistent() -> None:
    regions, academies, departements = (
        _codes("regions"),
        _codes("academies"),
        _codes("departements"),
    )
    overseas = {"975", "977", "978", "986", "987", "988"}  # collectivités d'outre-mer
    assert len(regions) == 19 and len(departements) == 108  # with « 99 » Étranger
    assert {"2A", "2B", "971", "976"} <= set(departements) and "20" not in departements
    assert {c for c, d in departements.items() if not d["region"]} == overseas
    assert departements["99"]["region"] == "99" and departements["99"]["academie"] == "00"
    assert all(departements[c]["academie"] in academies for c in overseas)
    departements = {c: d for c, d in departements.items() if c not in overseas | {"99"}}
    metro_academies = [a for a in academies.values() if a["region"]]
    assert len(metro_academies) == 30
    assert (
        academies["70"]["libelle"] == "Normandie"
        and "05" not in academies
        and "21" not in academies
    )
    for code, dep in departements.items():
        assert dep["region"] in regions, code
        assert academies[dep["academie"]]["region"] == dep["region"], code
    assert all(
        any(d["academie"] == a for d in departements.values())
        for a, row in academies.items()
        if row["region"]
    )


def test_sise_and_personnel_lists_match_their_sources() -> None:
    types = _codes("types-diplome-sise")
    assert (
        types["XA"]["cursus"] == "L"
        and types["XB"]["cursus"] == "M"
        and types["YB"]["cursus"] == "D"
    )
    assert {t["cursus"] for t in types.values()} <= set(_codes("cursus-lmd")) | {""}
    sectors = _codes("secteurs-disciplinaires-sise")
    assert all(len(c) == 2 and c.isdigit() for c in sectors) and "14" in sectors
    corps = _codes("corps")
    assert corps["300"]["libelle"].startswith("Professeur des universités")
    assert {"301", "836", "835", "834", "839"} <= set(corps)
    cnu = _codes("sections-cnu")
    assert all(len(c) == 2 for c in cnu) and {"00", "27", "87"} <= set(cnu)
    assert list(_codes("bap")) == ["A", "B", "C", "D", "E", "F", "G", "J"]
    assert list(_codes("niveaux-europeens")) == [str(n) for n in range(1, 9)]
    assert list(_codes("categories-fonction-publique")) == ["A", "B", "C"]


BCN_DIPLOMES = (
    REPO.parent / "shared" / "domain" / "sources" / "bcn-n_diplome_sise.full.iso-8859-1.csv.bz2"
)


def test_diplomes_sise_is_the_whole_bcn_table() -> None:
    """Every N_DIPLOME_SISE code of the BCN export, with its label, type and sector."""
    import bz2
    import io

    ref = REGISTRY.referentiels["diplomes-sise"]
    assert ref.metadata.get("partiel") is not True
    assert ref.metadata["millesime"] == "2021-06-08"
    assert ref.columns == [
        "code", "libelle", "libelle_complement", "type_diplome", "secteur_disciplinaire",
        "date_fermeture",
    ]  # fmt: skip
    shipped = _codes("diplomes-sise")
    assert len(shipped) == 48401
    assert sum(1 for row in shipped.values() if not row["date_fermeture"]) == 25801
    assert list(shipped) == sorted(shipped)
    if not BCN_DIPLOMES.is_file():
        pytest.skip(f"export BCN absent : {BCN_DIPLOMES}")
    text = bz2.decompress(BCN_DIPLOMES.read_bytes()).decode("iso-8859-1")
    source = {r["DIPLOME_SISE"]: r for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    assert set(source) == set(shipped)
    for code, row in source.items():
        ours = shipped[code]
        assert ours["libelle"] == " ".join(row["LIBELLE_INTITULE_1"].split()), code
        assert ours["libelle_complement"] == " ".join(row["LIBELLE_INTITULE_2"].split()), code
        assert ours["type_diplome"] == row["TYPE_DIPLOME_SISE"], code
        assert ours["secteur_disciplinaire"] == row["SECTEUR_DISCIPLINAIRE_SISE"], code
        closed = row["DATE_FERMETURE"]
        assert ours["date_fermeture"] == (
            f"{closed[6:10]}-{closed[3:5]}-{closed[0:2]}" if closed else ""
        ), code
    types = _codes("types-diplome-sise")
    open_types = {row["type_diplome"] for row in shipped.values() if not row["date_fermeture"]}
    assert {"XA", "XB", "DP", "DR", "YB"} <= open_types
    assert {"XA", "XB", "DP", "DR", "YB"} <= set(types)


def test_examples_use_real_diplome_codes() -> None:
    """The working examples that name a diploma use codes of the whole BCN table."""
    known = _codes("diplomes-sise")
    for entry in REGISTRY.schemas.values():
        for example in entry.valid_examples:
            with example.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
            if rows and "diplome_sise" in rows[0]:
                unknown = {r["diplome_sise"] for r in rows} - set(known)
                assert not unknown, (entry.name, sorted(unknown))
