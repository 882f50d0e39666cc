"""The skeleton of a new schema folder, with placeholders to complete (``esr-schemas new``)."""

from __future__ import annotations

import copy
import csv
import io
import re
from pathlib import Path
from typing import Any

from .extensions import code_system
from .jsonutil import dumps_canonical

PLACEHOLDER = "À COMPLÉTER"
"""Marks every text a contributor must write; ``check`` reports it (rule placeholder-left)."""
PLACEHOLDER_URL = "https://a-completer.invalid/"
"""Placeholder for URLs (``.invalid`` never resolves, RFC 2606)."""

NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


def descriptor(
    name: str, day: str, base_url: str, common: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The scaffold's schema.json; ``common`` is the registry's shared block, copied first."""
    todo = PLACEHOLDER
    return {
        "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
        "name": name,
        "title": f"{todo} : titre du schéma",
        "description": f"{todo} : ce que décrit une ligne du fichier, qui le produit et pourquoi.",
        "countryCode": "FR",
        "homepage": base_url,
        "path": f"{base_url}schemas/{name}/latest/schema.json",
        "version": "1.0.0",
        "created": day,
        "lastModified": day,
        "contributors": [{"title": f"{todo} : service producteur", "role": "author"}],
        "licenses": [
            {
                "name": "etalab-2.0",
                "title": "Licence Ouverte / Open Licence version 2.0",
                "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
            }
        ],
        "sources": [{"title": f"{todo} : texte qui fonde la publication", "path": PLACEHOLDER_URL}],
        "keywords": [todo],
        "x-esr": {"status": "brouillon"},
        "fields": [
            *copy.deepcopy(common or []),
            {
                "name": "identifiant",
                "title": f"{todo} : libellé de la colonne",
                "description": f"{todo} : ce que contient la colonne, avec son unité ou son référentiel.",
                "type": "string",
                "example": "A1",
                "constraints": {"required": True},
            },
            {
                "name": "effectif",
                "title": f"{todo} : libellé de la colonne",
                "description": f"{todo} : ce qui est compté, à quelle date d'observation.",
                "type": "integer",
                "example": "12",
                "constraints": {"minimum": 0},
            },
        ],
        "primaryKey": ["identifiant"],
        "missingValues": [""],
        # the common block's SIREN and SIRET, checked by Validata too
        **_validata_checks(common or []),
    }


def _validata_checks(common: list[dict[str, Any]]) -> dict[str, Any]:
    checks = [
        {"name": system, "params": {"column": field["name"]}}
        for field in common
        if (system := code_system(field)) in ("siren", "siret")
    ]
    return {"custom_checks": checks} if checks else {}


def readme(name: str) -> str:
    todo = PLACEHOLDER
    return f"""# {todo} : titre du schéma « {name} »

## Contexte

{todo} : à quoi servent ces données, qui les réutilise.

## Producteur et fréquence

{todo} : qui produit le fichier, à quel rythme (annuel, à chaque rentrée…).

## Grain

{todo} : ce que représente une ligne (un établissement, une formation, une année…).

## Base légale

{todo} : le texte qui fonde la publication (article de loi, décret…).

## Exclusions

{todo} : ce que le fichier ne contient pas (données personnelles, petits effectifs…).
"""


def changelog(day: str) -> str:
    return f"# Changements\n\n## 1.0.0 ({day})\n\n- Première version.\n"


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def scaffold(
    folder: Path, name: str, day: str, base_url: str, common: list[dict[str, Any]] | None = None
) -> list[Path]:
    common = common or []
    header = [str(f["name"]) for f in common] + ["identifiant", "effectif"]
    shared = [str(f.get("example", "")) for f in common]
    files = {
        "schema.json": dumps_canonical(descriptor(name, day, base_url, common)),
        "README.md": readme(name),
        "CHANGELOG.md": changelog(day),
        "exemples/valide.csv": _csv(
            header, [[*shared, "A1", "12"], [*shared, "A2", "0"], [*shared, "A3", ""]]
        ),
        "exemples/invalide/type-error__effectif-non-entier.csv": _csv(
            header, [[*shared, "A1", "douze"]]
        ),
        "exemples/invalide/primary-key__identifiant-en-double.csv": _csv(
            header, [[*shared, "A1", "12"], [*shared, "A1", "3"]]
        ),
    }
    written = []
    for relpath, text in files.items():
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
