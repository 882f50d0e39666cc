"""Privacy by design: what a schema may publish about persons.

- A field marked ``x-esr.personalData`` needs a legal basis: the schema cites CRPA
  D. 312-1-3 1° (organigrammes, annuaires) or 4° (results of national diplomas) in its
  ``sources`` and its README explains why, in a section on the legal basis or on personal
  data.
- Some identifiers never belong in an open dataset (INE, NIR, date of birth...). Others
  (age, nationality, scholarship, disability, pay, marks) are forbidden at row level but
  allowed as modalities of an aggregated table, i.e. a schema with ``personCount`` fields.
- A schema publishing person counts declares its statistical-secrecy threshold.
- A rate declares its denominator (the field holding the count it depends on).
- Suppressed values use an explicit status column, never magic strings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from ..extensions import EXTENSION_KEY, ext, is_person_count, is_personal_data
from ..findings import Finding, Severity
from . import SchemaContext, iter_fields, pointer, rule

LEGAL_BASIS = re.compile(r"D\.?\s*312-1-3\s*,?\s*(?:alin[ée]a\s*)?([14])\s*°")
README_SECTION = re.compile(r"base\s+l[ée]gale|donn[ée]es\s+personnelles", re.IGNORECASE)
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")

# Name tokens forbidden in any schema (identifiers of a person or of their situation).
ALWAYS_FORBIDDEN = {
    "ine": "l'identifiant national étudiant (INE)",
    "nir": "le numéro de sécurité sociale (NIR)",
    "secu": "le numéro de sécurité sociale (NIR)",
    "naissance": "la date ou l'année de naissance",
    "matricule": "le matricule d'un agent",
    "numen": "l'identifiant éducation nationale (NUMEN) d'un agent",
}
FORBIDDEN_PAIRS = {
    ("adresse", "personnelle"): "l'adresse personnelle",
    ("adresse", "domicile"): "l'adresse personnelle",
    ("telephone", "personnel"): "le téléphone personnel",
    ("courriel", "personnel"): "le courriel personnel",
}
# Name tokens forbidden at row level only: fine as a modality of an aggregated table
# (a schema with personCount fields). They are flagged when the rest of the name only
# qualifies a person ("age", "age_etudiant", "code_nationalite", "salaire_brut"), not
# when it describes something else ("note_reparabilite", "labels_familles_handicap").
ROW_LEVEL_FORBIDDEN = {
    "age": "l'âge d'une personne",
    "nationalite": "la nationalité d'une personne",
    "boursier": "le statut de boursier d'une personne",
    "handicap": "le handicap d'une personne",
    "salaire": "le salaire d'une personne",
    "remuneration": "la rémunération d'une personne",
    "echelon": "l'échelon d'un agent",
    "note": "une note individuelle",
    "notes": "des notes individuelles",
}
PERSON_WORDS = {
    "etudiant", "etudiante", "agent", "personne", "candidat", "candidate", "eleve",
    "individu", "individuel", "individuelle", "beneficiaire", "diplome", "doctorant",
    "enseignant", "salarie", "responsable", "directeur", "directrice",
    "est", "en", "de", "du", "la", "le", "code", "libelle", "situation", "statut",
    "brut", "net", "mensuel", "annuel", "examen", "finale", "obtenue", "actuel", "actuelle",
}  # fmt: skip
DESCRIPTION_PATTERNS = [
    (re.compile(r"\bINE\b"), "l'identifiant national étudiant (INE)"),
    (
        re.compile(r"identifiant national (?:de l'|d'|des? )?[ée]tudiants?", re.I),
        "l'identifiant national étudiant (INE)",
    ),
    (re.compile(r"\bNIR\b"), "le numéro de sécurité sociale (NIR)"),
    (
        re.compile(r"num[ée]ro de s[ée]curit[ée] sociale", re.I),
        "le numéro de sécurité sociale (NIR)",
    ),
    (
        re.compile(r"(?:date|ann[ée]e) de naissance", re.I),
        "la date ou l'année de naissance",
    ),
    (
        re.compile(r"adresse (?:personnelle|du domicile|postale personnelle)", re.I),
        "l'adresse personnelle",
    ),
    (re.compile(r"\bmatricule\b", re.I), "le matricule d'un agent"),
    (re.compile(r"notes? individuelles?", re.I), "une note individuelle"),
    (
        re.compile(r"(?:salaire|r[ée]mun[ée]ration|[ée]chelon) individuel(?:le)?", re.I),
        "la rémunération ou l'échelon individuel",
    ),
]
RATE_TOKENS = {"taux", "part", "pourcentage", "pct", "ratio", "proportion"}
MAGIC_STRINGS = {"ns", "nd", "fe", ".", "s", "nc", "n.s.", "n.d.", "secret"}
NUMERIC_TYPES = {"integer", "number", "year"}


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    ).lower()


def _sections(readme: str) -> list[tuple[str, str]]:
    """(heading, body) pairs of a Markdown text; a body ends at the next heading of same or higher level."""
    lines = readme.splitlines()
    result: list[tuple[str, str]] = []
    for index, line in enumerate(lines):
        match = HEADING.match(line)
        if not match:
            continue
        level = len(match.group(1))
        body: list[str] = []
        for following in lines[index + 1 :]:
            other = HEADING.match(following)
            if other and len(other.group(1)) <= level:
                break
            body.append(following)
        result.append((match.group(2), "\n".join(body)))
    return result


@rule(
    "privacy-personal-data-basis",
    Severity.ERROR,
    "Un schéma qui publie des données personnelles cite sa base légale (CRPA D. 312-1-3 1° ou 4°) "
    "dans « sources » et l'explique dans son README.",
)
def personal_data_basis(ctx: SchemaContext) -> Iterator[Finding]:
    personal = [f.get("name") for _, f in iter_fields(ctx.descriptor) if is_personal_data(f)]
    if not personal:
        return
    names = ", ".join(f"« {n} »" for n in personal)
    sources = ctx.descriptor.get("sources")
    cited = isinstance(sources, list) and any(
        isinstance(s, dict)
        and LEGAL_BASIS.search(_text(s.get("title")) + " " + _text(s.get("path")))
        for s in sources
    )
    if not cited:
        yield ctx.finding(
            "privacy-personal-data-basis",
            f"Le schéma publie des données personnelles ({names}) sans citer dans « sources » "
            "l'article D. 312-1-3 du CRPA (1° annuaires et organigrammes, 4° résultats des "
            "diplômes nationaux) qui l'autorise.",
            'Ajoutez à « sources » le texte applicable, par exemple {"title": "Code des '
            'relations entre le public et l\'administration, article D. 312-1-3 1°", "path": '
            '"https://www.legifrance.gouv.fr/..."}, ou retirez ces champs, ou '
            "ôtez « personalData » s'ils ne désignent personne.",
            pointer="/sources" if isinstance(sources, list) else "",
        )
    readme = ctx.entry.readme or ""
    explained = any(
        README_SECTION.search(heading) and LEGAL_BASIS.search(body)
        for heading, body in _sections(readme)
    )
    if not explained:
        yield ctx.finding(
            "privacy-personal-data-basis",
            f"Le README ne dit pas pourquoi le schéma peut publier des données personnelles ({names}).",
            "Ajoutez au README une section « ## Base légale » (ou « ## Données personnelles ») qui "
            "cite l'article D. 312-1-3 1° ou 4° du CRPA et explique pourquoi ces champs en relèvent.",
            file=ctx.rel(ctx.entry.path / "README.md"),
        )


@rule(
    "privacy-forbidden-identifier",
    Severity.ERROR,
    "Aucun champ ne publie un identifiant ou une caractéristique interdite d'une personne "
    "(INE, NIR, naissance, âge, nationalité, adresse personnelle, boursier, handicap, note, "
    "salaire ou échelon, matricule...).",
)
def forbidden_identifier(ctx: SchemaContext) -> Iterator[Finding]:
    aggregated = any(is_person_count(f) for _, f in iter_fields(ctx.descriptor))
    for index, field in iter_fields(ctx.descriptor):
        name = field.get("name")
        hit = _forbidden_name(name, aggregated) if isinstance(name, str) else None
        where = pointer("fields", index, "name")
        if hit is None:
            description = field.get("description")
            if isinstance(description, str):
                hit = next(
                    (what for regex, what in DESCRIPTION_PATTERNS if regex.search(description)),
                    None,
                )
                where = pointer("fields", index, "description")
        if hit is None:
            continue
        yield ctx.finding(
            "privacy-forbidden-identifier",
            f"Le champ « {name} » semble publier {hit} : une donnée qui ne doit jamais figurer "
            "ligne à ligne dans des données ouvertes (CRPA L. 311-6, L. 312-1-2).",
            "Retirez ce champ. Pour une statistique, publiez un tableau agrégé (effectifs par "
            "tranche ou modalité, avec « x-esr.personCount » et un seuil de secret) ; si le nom "
            "ou la description prête à confusion, reformulez-les.",
            pointer=where,
        )


def _forbidden_name(name: str, aggregated: bool) -> str | None:
    tokens = _fold(name).split("_")
    for token in tokens:
        if token in ALWAYS_FORBIDDEN:
            return ALWAYS_FORBIDDEN[token]
    for pair, what in FORBIDDEN_PAIRS.items():
        if all(part in tokens for part in pair):
            return what
    if aggregated:
        return None
    for position, token in enumerate(tokens):
        others = tokens[:position] + tokens[position + 1 :]
        if token in ROW_LEVEL_FORBIDDEN and all(t in PERSON_WORDS for t in others):
            return ROW_LEVEL_FORBIDDEN[token]
    return None


@rule(
    "privacy-secret-threshold",
    Severity.ERROR,
    "Un schéma qui publie des effectifs de personnes déclare son seuil de secret statistique "
    "(« x-esr.secretThreshold », entier au moins égal à 1).",
)
def secret_threshold(ctx: SchemaContext) -> Iterator[Finding]:
    counts = [f.get("name") for _, f in iter_fields(ctx.descriptor) if is_person_count(f)]
    if not counts:
        return
    value = ext(ctx.descriptor).get("secretThreshold")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return
    names = ", ".join(f"« {n} »" for n in counts)
    declared = value is not None
    yield ctx.finding(
        "privacy-secret-threshold",
        (
            f"Le seuil de secret statistique « {value} » n'est pas un entier positif"
            if declared
            else "Le schéma publie des effectifs de personnes sans déclarer de seuil de secret statistique"
        )
        + f" (champs {names}).",
        'Déclarez au niveau du schéma "x-esr": {"secretThreshold": 5} (valeur usuelle : '
        "aucune cellule de 1 à 4 personnes), et expliquez ce seuil dans le README.",
        pointer="/x-esr/secretThreshold"
        if declared
        else ("/x-esr" if EXTENSION_KEY in ctx.descriptor else ""),
    )


@rule(
    "privacy-rate-denominator",
    Severity.ERROR,
    "Un taux ou une part déclare dans « x-esr.denominator » le champ qui contient son dénominateur.",
)
def rate_denominator(ctx: SchemaContext) -> Iterator[Finding]:
    names = {f.get("name") for _, f in iter_fields(ctx.descriptor)}
    for index, field in iter_fields(ctx.descriptor):
        name = field.get("name")
        if (
            not isinstance(name, str)
            or not _is_rate(name)
            or field.get("type") not in ("number", "integer")
        ):
            continue
        denominator = ext(field).get("denominator")
        if denominator is None:
            yield ctx.finding(
                "privacy-rate-denominator",
                f"Le taux « {name} » ne dit pas de quel effectif il dépend.",
                'Ajoutez "x-esr": {"denominator": "<champ>"} avec le nom du champ qui '
                "contient le dénominateur (nombre de répondants, de sortants...), et publiez ce "
                "champ : un taux sur 3 répondants ne se lit pas comme un taux sur 300.",
                pointer=pointer("fields", index),
            )
        elif denominator not in names or denominator == name:
            yield ctx.finding(
                "privacy-rate-denominator",
                f"Le dénominateur « {denominator} » du taux « {name} » n'est pas un autre champ du schéma.",
                "Nommez dans « x-esr.denominator » un champ existant du même schéma.",
                pointer=pointer("fields", index, "x-esr", "denominator"),
            )


def _is_rate(name: str) -> bool:
    tokens = _fold(name).split("_")
    return tokens[0] in RATE_TOKENS or "taux" in tokens or "pourcentage" in tokens


@rule(
    "privacy-magic-string",
    Severity.ERROR,
    "Aucune valeur masquée n'est codée par une chaîne magique (« ns », « nd », « fe », « . », "
    "« s »...) : une colonne de statut explicite dit pourquoi une valeur manque.",
)
def magic_string(ctx: SchemaContext) -> Iterator[Finding]:
    fix = (
        'Laissez la cellule vide (missingValues [""]) et ajoutez une colonne de statut, par '
        "exemple « statut_diffusion » liée au référentiel statuts-diffusion (diffuse, "
        "secret_statistique, non_disponible, non_significatif)."
    )
    yield from _magic_in_list(
        ctx, ctx.descriptor.get("missingValues"), ("missingValues",), "missingValues du schéma", fix
    )
    for index, field in iter_fields(ctx.descriptor):
        name = field.get("name")
        yield from _magic_in_list(
            ctx,
            field.get("missingValues"),
            ("fields", index, "missingValues"),
            f"missingValues du champ « {name} »",
            fix,
        )
        if field.get("type") not in NUMERIC_TYPES:
            continue
        example = field.get("example")
        if _is_magic(example):
            yield ctx.finding(
                "privacy-magic-string",
                f"L'exemple « {example} » du champ numérique « {name} » est une chaîne magique.",
                fix,
                pointer=pointer("fields", index, "example"),
            )
        constraints = field.get("constraints")
        enum = constraints.get("enum") if isinstance(constraints, dict) else None
        if isinstance(enum, list):
            for position, value in enumerate(enum):
                if _is_magic(value):
                    yield ctx.finding(
                        "privacy-magic-string",
                        f"L'enum du champ numérique « {name} » contient la chaîne magique « {value} ».",
                        fix,
                        pointer=pointer("fields", index, "constraints", "enum", position),
                    )


def _magic_in_list(
    ctx: SchemaContext, values: Any, parts: tuple[object, ...], where: str, fix: str
) -> Iterator[Finding]:
    if not isinstance(values, list):
        return
    for position, value in enumerate(values):
        if _is_magic(value):
            yield ctx.finding(
                "privacy-magic-string",
                f"Les {where} contiennent la chaîne magique « {value} » : elle ferait passer une "
                "valeur masquée pour une valeur manquante, sans dire pourquoi.",
                fix,
                pointer=pointer(*parts, position),
            )


def _is_magic(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() in MAGIC_STRINGS


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
