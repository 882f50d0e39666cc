"""Findings emitted while loading the repository (see loader.py)."""

from __future__ import annotations

from ..findings import Severity
from . import declare

declare(
    "schema-file-missing", Severity.ERROR, "Un dossier de schemas/ ne contient pas de schema.json."
)
declare(
    "json-invalid", Severity.ERROR, "Un fichier JSON est vide, mal formé ou n'est pas en UTF-8."
)
declare(
    "json-bom", Severity.ERROR, "Un fichier JSON commence par une marque d'ordre d'octets (BOM)."
)
declare("json-duplicate-key", Severity.ERROR, "Une même clé apparaît deux fois dans un objet JSON.")
declare("file-missing", Severity.ERROR, "Un fichier attendu ou référencé est introuvable.")
declare(
    "referentiel-invalid",
    Severity.ERROR,
    "Un référentiel n'a pas la forme attendue (colonne « code »).",
)
declare(
    "exception-invalid",
    Severity.ERROR,
    "Une exception est mal formée, sans raison écrite ou vise une règle inconnue.",
)
declare(
    "exception-unused",
    Severity.ERROR,
    "Une exception ne correspond plus à aucun constat : retirez-la.",
)
