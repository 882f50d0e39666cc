"""French names of the validation error types: one table for every place that names them.

Each type has a singular (one error: a data proof in ``versioning``, an export line) and
a plural (a group of errors under one heading of the validation report).
"""

from __future__ import annotations

ERROR_TYPE_NAMES: dict[str, tuple[str, str]] = {
    "type-error": ("valeur du mauvais type", "valeurs du mauvais type"),
    "constraint-error": ("contrainte non respectée", "contraintes non respectées"),
    "missing-cell": ("cellule manquante", "cellules manquantes"),
    "extra-cell": ("cellule en trop", "cellules en trop"),
    "blank-row": ("ligne vide", "lignes vides"),
    "unique-error": (
        "valeur répétée dans une colonne unique",
        "valeurs répétées dans une colonne unique",
    ),
    "primary-key": (
        "clé primaire en double ou incomplète",
        "clés primaires en double ou incomplètes",
    ),
    "foreign-key": (
        "valeur absente de la table de référence",
        "valeurs absentes de la table de référence",
    ),
    "missing-label": ("colonne absente", "colonnes absentes"),
    "extra-label": ("colonne en trop", "colonnes en trop"),
    "blank-label": ("colonne sans nom", "colonnes sans nom"),
    "duplicate-label": ("nom de colonne en double", "noms de colonnes en double"),
    "incorrect-label": ("nom de colonne incorrect", "noms de colonnes incorrects"),
    "unmatched-header": (
        "en-tête sans rapport avec le schéma",
        "en-têtes sans rapport avec le schéma",
    ),
    "encoding-error": (
        "ligne dans un autre encodage que le reste du fichier",
        "lignes dans un autre encodage que le reste du fichier",
    ),
    "uai-check-letter": (
        "lettre de contrôle d'UAI erronée",
        "lettres de contrôle d'UAI erronées",
    ),
    "siren-checksum": ("clé de contrôle de SIREN erronée", "clés de contrôle de SIREN erronées"),
    "siret-checksum": ("clé de contrôle de SIRET erronée", "clés de contrôle de SIRET erronées"),
    "orcid-checksum": (
        "caractère de contrôle d'ORCID erroné",
        "caractères de contrôle d'ORCID erronés",
    ),
    "ror-checksum": ("somme de contrôle de ROR erronée", "sommes de contrôle de ROR erronées"),
    "annee-universitaire-invalide": (
        "année universitaire mal formée",
        "années universitaires mal formées",
    ),
    "siret-siren-mismatch": (
        "SIRET qui ne commence pas par le SIREN de la ligne",
        "SIRET qui ne commencent pas par le SIREN de la ligne",
    ),
    "compare-columns-value": (
        "comparaison entre colonnes non respectée",
        "comparaisons entre colonnes non respectées",
    ),
    "sum-columns-value": ("somme de colonnes fausse", "sommes de colonnes fausses"),
    "cohesive-columns-value": (
        "colonnes solidaires remplies en partie",
        "colonnes solidaires remplies en partie",
    ),
    "one-of-required": ("colonnes toutes deux vides", "colonnes toutes deux vides"),
    "condition-value": (
        "valeur impossible compte tenu d'une autre colonne",
        "valeurs impossibles compte tenu d'une autre colonne",
    ),
    "condition-required": (
        "cellule vide alors qu'une autre colonne la rend obligatoire",
        "cellules vides alors qu'une autre colonne les rend obligatoires",
    ),
    "condition-pattern": (
        "code de forme inattendue compte tenu d'une autre colonne",
        "codes de forme inattendue compte tenu d'une autre colonne",
    ),
    "unique-key": (
        "combinaison de valeurs en double",
        "combinaisons de valeurs en double",
    ),
    "total-incoherent": (
        "total différent de la somme de ses parties",
        "totaux différents de la somme de leurs parties",
    ),
    "referentiel-lookup": (
        "valeur contraire au référentiel",
        "valeurs contraires au référentiel",
    ),
    "secret-valeur-publiee": (
        "valeur publiée malgré le secret statistique",
        "valeurs publiées malgré le secret statistique",
    ),
    "diffuse-valeur-masquee": (
        "effectif vide sur une ligne diffusée",
        "effectifs vides sur des lignes diffusées",
    ),
    "taux-effectif-insuffisant": (
        "taux tiré d'un effectif trop petit",
        "taux tirés d'effectifs trop petits",
    ),
    "taux-base-masquee": (
        "taux publié sans son effectif",
        "taux publiés sans leur effectif",
    ),
    "taux-incoherent": (
        "taux incohérent avec ses effectifs",
        "taux incohérents avec leurs effectifs",
    ),
    "code-list-error": ("code hors référentiel", "codes hors référentiel"),
    "secret-statistique": (
        "effectif soumis au secret statistique",
        "effectifs soumis au secret statistique",
    ),
}
"""Error code → (singular, plural) French name."""


def error_type_name(kind: str, plural: bool = False) -> str | None:
    """The French name of error type ``kind``; None for a type this table does not know."""
    names = ERROR_TYPE_NAMES.get(kind)
    if names is None:
        return None
    return names[1] if plural else names[0]
