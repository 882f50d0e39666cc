"""The OpenAPI 3.1 description of the service's API (served at ``/openapi.json``)."""

from __future__ import annotations

from typing import Any

from ..netfetch import size_fr
from .config import ServiceConfig

_ERROR = {
    "type": "object",
    "required": ["error", "message", "status"],
    "properties": {
        "error": {"type": "string", "description": "code court de l'erreur"},
        "message": {"type": "string", "description": "explication en français"},
        "status": {"type": "integer"},
    },
}

_VALIDATION_ERROR = {
    "type": "object",
    "description": "Une erreur, avec les clés de frictionless et la correction proposée.",
    "properties": {
        "type": {"type": "string", "examples": ["type-error"]},
        "rowNumber": {"type": ["integer", "null"]},
        "fieldName": {"type": ["string", "null"]},
        "fieldNumber": {"type": ["integer", "null"]},
        "cell": {"type": ["string", "null"]},
        "note": {"type": "string"},
        "message": {"type": "string", "description": "message en français"},
        "fix": {"type": "string", "description": "correction proposée, en français"},
        "severity": {"type": "string", "enum": ["warning"]},
    },
}

_ANSWER = {
    "type": "object",
    "required": ["schema", "url", "options", "date", "report"],
    "properties": {
        "schema": {"type": "string", "description": "adresse du schéma utilisé"},
        "url": {"type": ["string", "null"], "description": "adresse du fichier validé (GET)"},
        "options": {"type": "object"},
        "date": {"type": "string", "format": "date-time"},
        "report": {
            "type": "object",
            "required": ["valid", "stats", "warnings", "errors"],
            "properties": {
                "valid": {"type": "boolean"},
                "stats": {"type": "object"},
                "summary": {"type": "string"},
                "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Erreur"}},
                "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Erreur"}},
                "notices": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {
        400: "entrée inutilisable (fichier vide, illisible, adresse refusée…)",
        404: "schéma ou version inconnus du registre",
        408: "envoi du fichier plus long que la durée maximale",
        413: "fichier au-delà de la taille maximale",
        415: "requête non multipart, ou format de fichier non pris en charge",
        422: "classeur invalide : aucun CSV produit",
        503: "service occupé : réessayer après Retry-After secondes",
        500: "validation interrompue (mémoire du serveur épuisée…)",
        504: "validation plus longue que la durée maximale : elle a été arrêtée",
    }
    return {
        str(status): {
            "description": text[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Probleme"}}},
        }
        for status in statuses
    }


def _options() -> list[dict[str, Any]]:
    return [
        {
            "name": "strict",
            "in": "query",
            "schema": {"type": "boolean"},
            "description": "le secret statistique devient une erreur",
        },
        {
            "name": "referentiels",
            "in": "query",
            "schema": {"type": "boolean"},
            "description": "vérifie les codes contre les référentiels déclarés",
        },
        {
            "name": "sheet",
            "in": "query",
            "schema": {"type": "string"},
            "description": "feuille du classeur (par défaut : la première)",
        },
    ]


def openapi(config: ServiceConfig) -> dict[str, Any]:
    schema_param = {
        "name": "schema",
        "in": "query",
        "required": True,
        "schema": {"type": "string"},
        "description": "nom du registre, nom@X.Y.Z, ou adresse http(s) d'un schema.json",
        "examples": {"nom": {"value": "offre-formation"}},
    }
    ok = {
        "200": {
            "description": "rapport de validation (valide ou non)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reponse"}}},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Service de validation du registre des schémas ESR",
            "version": "1",
            "description": (
                "Valide des fichiers CSV, XLSX ou ODS contre les schémas du registre, avec le "
                "même moteur que la commande esr-schemas validate. Réponses au format de "
                "Validata. Les fichiers ne sont pas conservés. Taille maximale d'un envoi : "
                f"{size_fr(config.max_upload_bytes)}."
            ),
        },
        "paths": {
            "/validate": {
                "get": {
                    "summary": "Valide un fichier publié à une adresse",
                    "parameters": [
                        schema_param,
                        {
                            "name": "url",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "format": "uri"},
                            "description": "adresse http(s) publique du fichier",
                        },
                        *_options(),
                    ],
                    "responses": {**ok, **_errors(400, 404, 408, 413, 415, 500, 503, 504)},
                },
                "post": {
                    "summary": "Valide un fichier envoyé",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["schema", "file"],
                                    "properties": {
                                        "schema": {"type": "string"},
                                        "file": {"type": "string", "format": "binary"},
                                        "strict": {"type": "boolean"},
                                        "referentiels": {"type": "boolean"},
                                        "sheet": {"type": "string"},
                                    },
                                }
                            },
                            "text/csv": {
                                "schema": {"type": "string", "format": "binary"},
                                "description": "le fichier seul ; schema (et filename) dans "
                                "l'adresse",
                            },
                            "application/octet-stream": {
                                "schema": {"type": "string", "format": "binary"},
                                "description": "un classeur XLSX ou ODS seul ; schema dans "
                                "l'adresse",
                            },
                        },
                    },
                    "parameters": [
                        {
                            "name": "filename",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "nom du fichier envoyé seul (repris dans le rapport)",
                        }
                    ],
                    "responses": {**ok, **_errors(400, 404, 408, 413, 415, 500, 503, 504)},
                },
            },
            "/export": {
                "post": {
                    "summary": "Transforme un modèle Excel rempli en CSV prêt à publier",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["file"],
                                    "properties": {
                                        "file": {"type": "string", "format": "binary"},
                                        "schema": {"type": "string"},
                                        "force": {"type": "boolean"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "le CSV canonique",
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                        },
                        **_errors(400, 413, 415, 422, 500, 503, 504),
                    },
                }
            },
            "/schemas": {
                "get": {
                    "summary": "Le catalogue des schémas (format de schema.data.gouv.fr)",
                    "responses": {"200": {"description": "catalogue"}},
                }
            },
            "/health": {
                "get": {
                    "summary": "État du service (répond immédiatement)",
                    "responses": {"200": {"description": "en service"}},
                }
            },
        },
        "components": {
            "schemas": {"Reponse": _ANSWER, "Erreur": _VALIDATION_ERROR, "Probleme": _ERROR}
        },
    }
