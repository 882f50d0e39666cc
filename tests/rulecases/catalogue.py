"""Pass and fail cases for the catalogue's rules: common block, référentiels, privacy."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import Expected, RuleCase, edit_schema, field_of

S = "schemas/demo/schema.json"
README = "schemas/demo/README.md"
Mutation = Callable[[Path], None]


def _demo(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / S).read_text(encoding="utf-8"))
    return data


def _common(change: Callable[[list[dict[str, Any]]], None] | None = None) -> Mutation:
    """Writes the shared common block from the demo's own ``code_uai`` field, then changes it."""

    def mutate(root: Path) -> None:
        fields = [json.loads(json.dumps(field_of(_demo(root), "code_uai")))]
        if change is not None:
            change(fields)
        path = root / "schemas" / "_commun" / "champs-communs.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps({"fields": fields}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    return mutate


def _common_drifted(fields: list[dict[str, Any]]) -> None:
    fields[0]["description"] = "Identifiant UAI de l'établissement producteur, lettre clé comprise."
    fields.append(
        {
            "name": "date_maj",
            "title": "Date de mise à jour",
            "description": "Date d'extraction des données.",
            "type": "date",
            "example": "2025-01-15",
            "constraints": {"required": True},
        }
    )


def _referentiel(codes: list[str]) -> Mutation:
    def mutate(root: Path) -> None:
        folder = root / "referentiels"
        folder.mkdir(exist_ok=True)
        rows = "".join(f"{code},Cursus {code}\n" for code in codes)
        (folder / "cursus-lmd.csv").write_text("code,libelle\n" + rows, encoding="utf-8")
        meta = {
            "name": "cursus-lmd",
            "title": "Cursus LMD",
            "description": "Cycles licence, master, doctorat.",
            "source": {
                "title": "BCN, table N_TYPE_DIPLOME_SISE",
                "path": "https://example.org/bcn",
            },
            "millesime": "2024",
            "licence": {"name": "etalab-2.0", "title": "Licence Ouverte 2.0"},
        }
        (folder / "cursus-lmd.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    return mutate


def _ext(field_name: str, **values: Any) -> Mutation:
    def change(data: dict[str, Any]) -> None:
        field_of(data, field_name).setdefault("x-esr", {}).update(values)

    return lambda root: edit_schema(root, change)


def _schema_ext(**values: Any) -> Mutation:
    return lambda root: edit_schema(root, lambda d: d.setdefault("x-esr", {}).update(values))


def _add_field(**field: Any) -> Mutation:
    base = {
        "title": "Champ ajouté",
        "description": "Champ ajouté par la fixture.",
        "type": "string",
        "example": "x",
    }
    return lambda root: edit_schema(root, lambda d: d["fields"].append({**base, **field}))


def _set_description(field_name: str, text: str) -> Mutation:
    return lambda root: edit_schema(
        root, lambda d: field_of(d, field_name).update(description=text)
    )


def _both(*mutations: Mutation) -> Mutation:
    def mutate(root: Path) -> None:
        for mutation in mutations:
            mutation(root)

    return mutate


def _add_source(title: str) -> Mutation:
    return lambda root: edit_schema(
        root,
        lambda d: d.setdefault("sources", []).append(
            {"title": title, "path": "https://www.legifrance.gouv.fr/"}
        ),
    )


def _readme_section(text: str) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / README
        path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")

    return mutate


CRPA_1 = "Code des relations entre le public et l'administration, article D. 312-1-3 1°"
RATE = {"name": "taux_reussite", "type": "number", "example": "81.5", "title": "Taux de réussite"}

CASES = [
    # Common block: every schema carries the shared fields, identical to the definition.
    RuleCase(
        "common-block-mismatch",
        fail=_common(_common_drifted),
        expected=[Expected(S, "/fields/0"), Expected(S, "/fields")],
        pass_=_common(),
    ),
    # Référentiels.
    RuleCase(
        "codelist-unknown",
        fail=_ext("niveau", codeList="cursus-lmd"),
        expected=[Expected(S, "/fields/2/x-esr/codeList")],
        pass_=_both(_referentiel(["L", "M", "D"]), _ext("niveau", codeList="cursus-lmd")),
    ),
    RuleCase(
        "enum-referentiel-mismatch",
        fail=_both(_referentiel(["L", "M", "D", "X"]), _ext("niveau", codeList="cursus-lmd")),
        expected=[Expected(S, "/fields/2/constraints/enum")],
        pass_=_both(_referentiel(["L", "M", "D"]), _ext("niveau", codeList="cursus-lmd")),
    ),
    # Privacy.
    RuleCase(
        "privacy-personal-data-basis",
        fail=_ext("code_uai", personalData=True),
        expected=[Expected(S, "/sources"), Expected(README)],
        pass_=_both(
            _ext("code_uai", personalData=True),
            _add_source(CRPA_1),
            _readme_section(
                "## Base légale\n\nPublié au titre de l'article D. 312-1-3 1° du CRPA (annuaire).\n"
            ),
        ),
    ),
    RuleCase(
        "privacy-personal-data-basis",
        id="readme-sans-section",
        fail=_both(
            _ext("code_uai", personalData=True),
            _add_source(CRPA_1),
            _readme_section("## Remarques\n\nVoir l'article D. 312-1-3 1° du CRPA.\n"),
        ),
        expected=[Expected(README)],
    ),
    RuleCase(
        "privacy-forbidden-identifier",
        fail=_set_description(
            "effectif", "Nombre d'inscrits, calculé à partir de la date de naissance."
        ),
        expected=[Expected(S, "/fields/3/description")],
        pass_=_both(
            _ext("effectif", personCount=True),
            _schema_ext(secretThreshold=5),
            _add_field(name="tranche_age", title="Tranche d'âge"),
            _add_field(name="nationalite", title="Nationalité (modalité agrégée)"),
        ),
    ),
    RuleCase(
        "privacy-forbidden-identifier",
        id="nom-ine",
        fail=_add_field(name="ine_etudiant", title="Identifiant de l'étudiant"),
        expected=[Expected(S, "/fields/4/name")],
    ),
    RuleCase(
        "privacy-forbidden-identifier",
        id="age-ligne-a-ligne",
        fail=_add_field(name="age", type="integer", example="21", title="Âge"),
        expected=[Expected(S, "/fields/4/name")],
    ),
    RuleCase(
        "privacy-secret-threshold",
        fail=_ext("effectif", personCount=True),
        expected=[Expected(S, "")],
        pass_=_both(_ext("effectif", personCount=True), _schema_ext(secretThreshold=5)),
    ),
    RuleCase(
        "privacy-secret-threshold",
        id="seuil-nul",
        fail=_both(_ext("effectif", personCount=True), _schema_ext(secretThreshold=0)),
        expected=[Expected(S, "/x-esr/secretThreshold")],
    ),
    RuleCase(
        "privacy-rate-denominator",
        fail=_add_field(**RATE),
        expected=[Expected(S, "/fields/4")],
        pass_=_add_field(**RATE, **{"x-esr": {"denominator": "effectif"}}),
    ),
    RuleCase(
        "privacy-rate-denominator",
        id="denominateur-inconnu",
        fail=_add_field(**RATE, **{"x-esr": {"denominator": "nombre_repondants"}}),
        expected=[Expected(S, "/fields/4/x-esr/denominator")],
    ),
    RuleCase(
        "privacy-magic-string",
        fail=lambda root: edit_schema(root, lambda d: d.update(missingValues=["", "ns"])),
        expected=[Expected(S, "/missingValues/1")],
    ),
    RuleCase(
        "privacy-magic-string",
        id="missing-values-champ",
        fail=lambda root: edit_schema(
            root, lambda d: field_of(d, "effectif").setdefault("missingValues", ["", "nd"])
        ),
        expected=[Expected(S, "/fields/3/missingValues/1")],
    ),
    RuleCase(
        "privacy-magic-string",
        id="exemple-numerique",
        fail=lambda root: edit_schema(root, lambda d: field_of(d, "effectif").update(example="ns")),
        expected=[Expected(S, "/fields/3/example")],
    ),
]
