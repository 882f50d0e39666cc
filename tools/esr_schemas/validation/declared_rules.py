"""Business rules of a schema: the checks that join several columns of a row.

A schema declares them in two places (see :mod:`esr_schemas.extensions`):

- ``custom_checks``, Validata's list, for what Validata knows (``siren``, ``siret``,
  ``compare-columns-value``, ``sum-columns-value``, ``cohesive-columns-value``,
  ``one-of-required``): the national validator enforces them too;
- ``x-esr.rules`` for ours: ``condition`` (when a column takes one of some values,
  another must take one of others, be filled, or have a given shape), ``lookup`` (a code
  of a référentiel fixes the value of other columns), ``unique`` (no two rows share a
  combination of columns, an empty cell counting as a value) and ``sum`` (a total is the
  sum of the parts that are filled, an empty part counting as zero).

Statistical secrecy follows from the fields' declarations (``personCount``,
``denominator``, ``numerator``, a ``statuts-diffusion`` column, the schema's
``secretThreshold`` and ``rateThreshold``): its rules are listed here too, so that every
face (validation, schema page, Excel Notice) shows the same list.

:func:`declared_rules` reads the declarations into :class:`BusinessRule` objects and
reports the broken ones as :class:`DeclarationProblem` (``check`` turns them into
findings); :func:`describe` says a rule in plain French. The validator evaluates them
with :mod:`esr_schemas.validation.business_rules`; the declarations are read only here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .. import extensions


def quote_list(items: Any, last: str = "et") -> str:
    """« a », « b » et « c »."""
    quoted = [f"« {item} »" for item in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + f" {last} " + quoted[-1]


VALIDATA_OPS = {
    ">": "supérieure",
    ">=": "supérieure ou égale",
    "==": "égale",
    "<=": "inférieure ou égale",
    "<": "inférieure",
}
"""Validata's comparison operators (``compare-columns-value``) and their French words."""

VALIDATA_CHECKS = {
    "siren": ("column",),
    "siret": ("column",),
    "compare-columns-value": ("column", "column2", "op"),
    "sum-columns-value": ("column", "columns"),
    "cohesive-columns-value": ("column", "othercolumns"),
    "one-of-required": ("column1", "column2"),
}
"""The Validata ``custom_checks`` our engine enforces, with their required parameters."""

XESR_RULE_TYPES = ("condition", "lookup", "unique", "sum")

STATUS_CODE_LIST = "statuts-diffusion"
STATUS_PUBLISHED = "diffuse"
STATUS_SECRET = "secret_statistique"

ERROR_CODES = {
    "siren": "siren-checksum",
    "siret": "siret-checksum",
    "siret-siren": "siret-siren-mismatch",
    "compare-columns-value": "compare-columns-value",
    "sum-columns-value": "sum-columns-value",
    "cohesive-columns-value": "cohesive-columns-value",
    "one-of-required": "one-of-required",
    "condition": "condition-value",
    "condition-required": "condition-required",
    "condition-pattern": "condition-pattern",
    "unique": "unique-key",
    "sum": "total-incoherent",
    "lookup": "referentiel-lookup",
    "secret-threshold": "secret-statistique",
    "secret-status-published": "secret-valeur-publiee",
    "secret-status-masked": "diffuse-valeur-masquee",
    "rate-threshold": "taux-effectif-insuffisant",
    "rate-base-masked": "taux-base-masquee",
    "rate-consistency": "taux-incoherent",
}
"""Rule kind -> the error code the validator reports."""

SECRECY_KINDS = frozenset(
    {
        "secret-threshold",
        "secret-status-published",
        "secret-status-masked",
        "rate-threshold",
        "rate-base-masked",
    }
)
"""The statistical-secrecy rules, which ``validate --brouillon`` leaves out (saying so)."""


@dataclass(frozen=True)
class BusinessRule:
    kind: str
    """``siren``, ``compare-columns-value``…, ``condition`` (``condition-required``,
    ``condition-pattern``), ``lookup``, ``unique``, ``sum``, or a secrecy kind."""
    columns: tuple[str, ...]
    """The columns involved; errors are reported on the first one."""
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    pointer: str = ""
    """Where the rule is declared in ``schema.json`` (JSON pointer)."""

    @property
    def code(self) -> str:
        return ERROR_CODES[self.kind]

    @property
    def secrecy(self) -> bool:
        return self.kind in SECRECY_KINDS


@dataclass(frozen=True)
class DeclarationProblem:
    pointer: str
    message: str
    fix: str


def declared_rules(
    descriptor: dict[str, Any], referentiels: dict[str, Any] | None = None
) -> tuple[list[BusinessRule], list[DeclarationProblem]]:
    """The business rules ``descriptor`` declares, and the declarations that are broken.

    ``referentiels`` (name -> :class:`~esr_schemas.model.Referentiel`), when given,
    lets ``lookup`` rules be checked against their référentiel's columns.
    """
    rules: list[BusinessRule] = []
    problems: list[DeclarationProblem] = []
    fields = [f for f in descriptor.get("fields") or [] if isinstance(f, dict)]
    names = {str(f.get("name")): f for f in fields}
    _validata_rules(descriptor, names, rules, problems)
    _xesr_rules(descriptor, names, referentiels, rules, problems)
    _siret_siren_rule(descriptor, fields, rules)
    _secrecy_rules(descriptor, fields, names, rules, problems)
    return rules, problems


def _unknown_columns(
    params: dict[str, Any], keys: tuple[str, ...], names: dict[str, Any]
) -> list[str]:
    unknown = []
    for key in keys:
        value = params.get(key)
        for name in value if isinstance(value, list) else [value]:
            if isinstance(name, str) and name not in names:
                unknown.append(name)
    return unknown


def _validata_rules(
    descriptor: dict[str, Any],
    names: dict[str, Any],
    rules: list[BusinessRule],
    problems: list[DeclarationProblem],
) -> None:
    checks = descriptor.get("custom_checks")
    if checks is None:
        return
    if not isinstance(checks, list):
        problems.append(
            DeclarationProblem(
                "/custom_checks",
                "« custom_checks » doit être une liste de règles.",
                'Écrivez « custom_checks » sous la forme [{"name": "siren", "params": {"column": "..."}}].',
            )
        )
        return
    for index, check in enumerate(checks):
        where = f"/custom_checks/{index}"
        if not isinstance(check, dict) or not isinstance(check.get("params"), dict):
            problems.append(
                DeclarationProblem(
                    where,
                    "Chaque règle de « custom_checks » est un objet avec « name » et « params ».",
                    'Écrivez par exemple {"name": "siren", "params": {"column": "etablissement_siren"}}.',
                )
            )
            continue
        name, params = check.get("name"), check["params"]
        if name not in VALIDATA_CHECKS:
            problems.append(
                DeclarationProblem(
                    where + "/name",
                    f"La règle « {name} » n'est pas une des règles de Validata que le registre "
                    f"applique ({quote_list(sorted(VALIDATA_CHECKS))}).",
                    "Utilisez une de ces règles, ou déclarez la vôtre dans « x-esr.rules ».",
                )
            )
            continue
        required = VALIDATA_CHECKS[name]
        absent = [key for key in required if key not in params]
        if absent:
            problems.append(
                DeclarationProblem(
                    where + "/params",
                    f"La règle « {name} » demande les paramètres {quote_list(required)} ; "
                    f"il manque {quote_list(absent)}.",
                    "Ajoutez les paramètres manquants.",
                )
            )
            continue
        if name == "compare-columns-value" and params["op"] not in VALIDATA_OPS:
            problems.append(
                DeclarationProblem(
                    where + "/params/op",
                    f"L'opérateur « {params['op']} » n'est pas reconnu par Validata.",
                    f"Utilisez un de ces opérateurs : {quote_list(list(VALIDATA_OPS))}.",
                )
            )
            continue
        listed = [k for k in required if k in ("columns", "othercolumns")]
        if any(not isinstance(params[k], list) or not params[k] for k in listed):
            problems.append(
                DeclarationProblem(
                    where + "/params",
                    f"Le paramètre « {listed[0]} » de la règle « {name} » est une liste de colonnes.",
                    'Écrivez-le sous la forme ["colonne_a", "colonne_b"].',
                )
            )
            continue
        column_keys = tuple(k for k in required if k != "op")
        unknown = _unknown_columns(params, column_keys, names)
        if unknown:
            problems.append(
                DeclarationProblem(
                    where + "/params",
                    f"La règle « {name} » cite des colonnes absentes du schéma : {quote_list(unknown)}.",
                    "Corrigez le nom des colonnes (ce sont les « name » des champs).",
                )
            )
            continue
        columns: list[str] = []
        for key in column_keys:
            value = params[key]
            columns.extend(value if isinstance(value, list) else [value])
        rules.append(BusinessRule(name, tuple(columns), dict(params), where))


def _xesr_rules(
    descriptor: dict[str, Any],
    names: dict[str, Any],
    referentiels: dict[str, Any] | None,
    rules: list[BusinessRule],
    problems: list[DeclarationProblem],
) -> None:
    declared = extensions.ext(descriptor).get("rules")
    if declared is None:
        return
    base = f"/{extensions.EXTENSION_KEY}/rules"
    if not isinstance(declared, list):
        problems.append(
            DeclarationProblem(
                base, "« rules » doit être une liste de règles.", "Écrivez [{...}, {...}]."
            )
        )
        return
    for index, item in enumerate(declared):
        where = f"{base}/{index}"
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "condition":
            problem = _condition_problem(item, names)
            if problem:
                problems.append(DeclarationProblem(where, *problem))
                continue
            columns = (item["then"]["field"], item["if"]["field"])
            then = item["then"]
            variant = (
                "condition-required"
                if "required" in then
                else "condition-pattern"
                if "pattern" in then
                else "condition"
            )
            rules.append(BusinessRule(variant, columns, dict(item), where))
        elif kind in ("unique", "sum"):
            problem = _columns_problem(item, names)
            if problem:
                problems.append(DeclarationProblem(where, *problem))
                continue
            columns = (
                tuple(item["fields"]) if kind == "unique" else (item["field"], *item["fields"])
            )
            rules.append(BusinessRule(kind, columns, dict(item), where))
        elif kind == "lookup":
            problem = _lookup_problem(item, names, referentiels)
            if problem:
                problems.append(DeclarationProblem(where, *problem))
                continue
            columns = (item["field"], *item["columns"])
            rules.append(BusinessRule("lookup", columns, dict(item), where))
        else:
            problems.append(
                DeclarationProblem(
                    where + "/type",
                    f"Une règle du registre a pour « type » {quote_list(XESR_RULE_TYPES)}.",
                    'Écrivez {"type": "condition", "if": {...}, "then": {...}}, '
                    '{"type": "lookup", "field": ..., "referentiel": ..., "columns": {...}}, '
                    '{"type": "unique", "fields": [...]} ou '
                    '{"type": "sum", "field": ..., "fields": [...]}.',
                )
            )


def _values_listed(clause: dict[str, Any]) -> bool:
    values = clause.get("in")
    return isinstance(values, list) and bool(values) and all(isinstance(v, str) for v in values)


def _then_problem(clause: dict[str, Any]) -> tuple[str, str] | None:
    """The ``then`` part says one thing: values (``in``), filled (``required``), or a shape
    (``pattern`` with its plain-French ``patternHelp``)."""
    said = [key for key in ("in", "required", "pattern") if key in clause]
    if said == ["in"] and _values_listed(clause):
        return None
    if said == ["required"] and clause["required"] is True:
        return None
    if said == ["pattern"] and isinstance(clause["pattern"], str):
        help_text = clause.get("patternHelp")
        if not (isinstance(help_text, str) and help_text.strip()):
            return (
                "Une condition de forme (« pattern ») dit aussi cette forme en clair "
                "(« patternHelp »), pour les messages et la documentation.",
                'Ajoutez "patternHelp": "code de l\'ANR, par exemple ANR-21-CE06-0017".',
            )
        try:
            re.compile(clause["pattern"])
        except re.error:
            return (
                "La forme (« pattern ») d'une règle conditionnelle n'est pas une expression "
                "valide.",
                "Corrigez l'expression.",
            )
        return None
    return (
        "La partie « then » d'une règle conditionnelle nomme une colonne (« field ») et dit "
        "une seule chose : ses valeurs possibles (« in »), qu'elle est remplie "
        "(« required »: true) ou sa forme (« pattern » et « patternHelp »).",
        'Écrivez "then": {"field": "nom_de_colonne", "in": ["valeur", "..."]} ou '
        '"then": {"field": "nom_de_colonne", "required": true}.',
    )


def _condition_problem(item: dict[str, Any], names: dict[str, Any]) -> tuple[str, str] | None:
    for part in ("if", "then"):
        clause = item.get(part)
        if not (isinstance(clause, dict) and isinstance(clause.get("field"), str)) or (
            part == "if" and not _values_listed(clause)
        ):
            return (
                f"La partie « {part} » d'une règle conditionnelle nomme une colonne (« field ») "
                "et une liste de valeurs (« in »).",
                f'Écrivez "{part}": {{"field": "nom_de_colonne", "in": ["valeur", "..."]}}.',
            )
        if part == "then":
            problem = _then_problem(clause)
            if problem:
                return problem
        if clause["field"] not in names:
            return (
                f"La règle conditionnelle cite la colonne « {clause['field']} », absente du schéma.",
                "Corrigez le nom de la colonne.",
            )
    return None


def _columns_problem(item: dict[str, Any], names: dict[str, Any]) -> tuple[str, str] | None:
    """``unique``: ``fields``, two columns or more; ``sum``: ``field`` and ``fields``."""
    kind = item["type"]
    listed = item.get("fields")
    total = item.get("field")
    well_formed = (
        isinstance(listed, list)
        and len(listed) >= (2 if kind == "unique" else 1)
        and all(isinstance(name, str) for name in listed)
        and len(set(listed)) == len(listed)
        and (kind == "unique" or (isinstance(total, str) and total not in listed))
    )
    if not well_formed:
        if kind == "unique":
            return (
                "Une règle d'unicité nomme au moins deux colonnes différentes (« fields »).",
                'Écrivez {"type": "unique", "fields": ["annee", "corps", "sexe"]}.',
            )
        return (
            "Une règle de total nomme la colonne du total (« field ») et les colonnes "
            "additionnées (« fields »), sans la répéter.",
            'Écrivez {"type": "sum", "field": "ae_total", "fields": ["ae_personnel", "..."]}.',
        )
    parts = [str(name) for name in listed or []]
    cited = parts if kind == "unique" else [str(total), *parts]
    unknown = [n for n in cited if n not in names]
    if unknown:
        return (
            f"La règle cite des colonnes absentes du schéma : {quote_list(unknown)}.",
            "Corrigez le nom des colonnes (ce sont les « name » des champs).",
        )
    return None


def _lookup_problem(
    item: dict[str, Any], names: dict[str, Any], referentiels: dict[str, Any] | None
) -> tuple[str, str] | None:
    key, ref, columns = item.get("field"), item.get("referentiel"), item.get("columns")
    if not (
        isinstance(key, str) and isinstance(ref, str) and isinstance(columns, dict) and columns
    ):
        return (
            "Une règle de correspondance nomme la colonne du code (« field »), le référentiel "
            "(« referentiel ») et les colonnes qu'il détermine (« columns »).",
            'Écrivez {"type": "lookup", "field": "corps", "referentiel": "corps", '
            '"columns": {"filiere": "filiere", "categorie": "categorie"}}.',
        )
    unknown = [n for n in [key, *columns] if n not in names]
    if unknown:
        return (
            f"La règle de correspondance cite des colonnes absentes du schéma : {quote_list(unknown)}.",
            "Corrigez le nom des colonnes.",
        )
    if referentiels is not None:
        table = referentiels.get(ref)
        if table is None:
            return (
                f"La règle de correspondance cite le référentiel « {ref} », absent de referentiels/.",
                "Corrigez son nom ou ajoutez le référentiel.",
            )
        missing = [c for c in columns.values() if c not in table.columns]
        if missing:
            return (
                f"Le référentiel « {ref} » n'a pas les colonnes {quote_list(missing)}.",
                f"Ajoutez ces colonnes à referentiels/{ref}.csv ou corrigez la règle.",
            )
    return None


def _siret_siren_rule(
    descriptor: dict[str, Any], fields: list[dict[str, Any]], rules: list[BusinessRule]
) -> None:
    """A row's SIRET starts with its SIREN, when the schema has one column of each."""
    sirens = [f["name"] for f in fields if _system(descriptor, f) == "siren"]
    sirets = [f["name"] for f in fields if _system(descriptor, f) == "siret"]
    if len(sirens) == 1 and len(sirets) == 1:
        rules.append(BusinessRule("siret-siren", (sirets[0], sirens[0])))


def _system(descriptor: dict[str, Any], field_: dict[str, Any]) -> str | None:
    """The identifier system of a field: its ``codeSystem`` or a Validata check on it."""
    system = extensions.code_system(field_)
    if system in ("siren", "siret"):
        return system
    for check in descriptor.get("custom_checks") or []:
        if (
            isinstance(check, dict)
            and check.get("name") in ("siren", "siret")
            and isinstance(check.get("params"), dict)
            and check["params"].get("column") == field_.get("name")
        ):
            return str(check["name"])
    return None


def status_field(fields: list[dict[str, Any]]) -> str | None:
    """The column holding the publication status (code list ``statuts-diffusion``)."""
    for field_ in fields:
        if extensions.code_list(field_) == STATUS_CODE_LIST:
            return str(field_.get("name"))
    return None


def _secrecy_rules(
    descriptor: dict[str, Any],
    fields: list[dict[str, Any]],
    names: dict[str, Any],
    rules: list[BusinessRule],
    problems: list[DeclarationProblem],
) -> None:
    threshold = extensions.secret_threshold(descriptor)
    rate_threshold = extensions.rate_threshold(descriptor)
    counts = [str(f["name"]) for f in fields if extensions.is_person_count(f)]
    status = status_field(fields)
    if threshold and counts:
        for name in counts:
            rules.append(BusinessRule("secret-threshold", (name,), {"threshold": threshold}))
    derived = [f for f in fields if extensions.denominator(f)]
    if status and counts:
        published = tuple(counts + [str(f["name"]) for f in derived])
        rules.append(BusinessRule("secret-status-published", (status, *published)))
        observed = [str(f["name"]) for f in fields if extensions.is_person_count(f)
                    and not extensions.may_be_unobserved(f)]  # fmt: skip
        if observed:
            rules.append(BusinessRule("secret-status-masked", (status, *observed)))
    for index, field_ in enumerate(fields):
        name = str(field_.get("name"))
        denominator = extensions.denominator(field_)
        numerators = extensions.numerators(field_)
        where = f"/fields/{index}/{extensions.EXTENSION_KEY}"
        if extensions.ext(field_).get("numerator") is not None and numerators is None:
            problems.append(
                DeclarationProblem(
                    f"{where}/numerator",
                    f"Le numérateur du champ « {name} » est le nom d'une colonne, ou une liste "
                    "de colonnes qui s'additionnent.",
                    'Écrivez "numerator": "nombre_emploi" ou '
                    '"numerator": ["reussite_licence_3_ans", "reussite_licence_4_ans"].',
                )
            )
        cited = [("denominator", denominator)] + [("numerator", n) for n in numerators or []]
        for role, other in cited:
            if other is not None and other not in names:
                problems.append(
                    DeclarationProblem(
                        f"{where}/{role}",
                        f"Le champ « {name} » cite la colonne « {other} », absente du schéma.",
                        "Corrigez le nom de la colonne de référence.",
                    )
                )
        if denominator is None or denominator not in names:
            continue
        if rate_threshold:
            rules.append(
                BusinessRule("rate-threshold", (name, denominator), {"threshold": rate_threshold})
            )
        rules.append(BusinessRule("rate-base-masked", (name, denominator)))
        if numerators and all(n in names for n in numerators):
            scale = _scale(field_)
            rules.append(
                BusinessRule("rate-consistency", (name, *numerators, denominator), {"scale": scale})
            )


def _scale(field_: dict[str, Any]) -> int:
    """100 for a percentage (maximum 100), 1 for a ratio."""
    constraints = field_.get("constraints")
    maximum = constraints.get("maximum") if isinstance(constraints, dict) else None
    return 1 if maximum == 1 else 100


def describe(rule: BusinessRule) -> str:
    """The rule in plain French, for the schema page and the Excel Notice."""
    c, p = rule.columns, rule.params
    kind = rule.kind
    if kind == "siren":
        return f"« {c[0]} » est un numéro SIREN valide (clé de contrôle juste)."
    if kind == "siret":
        return (
            f"« {c[0]} » est un numéro SIRET valide : clé de contrôle juste, y compris celle du "
            "SIREN qui l'ouvre (les établissements de La Poste suivent leur propre règle)."
        )
    if kind == "siret-siren":
        return f"Sur une même ligne, le SIRET « {c[0]} » commence par le SIREN « {c[1]} »."
    if kind == "compare-columns-value":
        return (
            f"Quand les deux sont remplies, la valeur de « {c[0]} » est "
            f"{VALIDATA_OPS[p['op']]} à celle de « {c[1]} »."
        )
    if kind == "sum-columns-value":
        return f"Quand toutes sont remplies, « {c[0]} » est la somme de {quote_list(list(c[1:]))}."
    if kind == "cohesive-columns-value":
        return f"Les colonnes {quote_list(list(c))} sont toutes remplies ou toutes vides."
    if kind == "one-of-required":
        return (
            f"Au moins une des colonnes « {c[0]} » et « {c[1]} » est remplie (zéro ne compte pas)."
        )
    if kind == "condition":
        return (
            f"Quand « {c[1]} » vaut {quote_list(p['if']['in'], 'ou')}, « {c[0]} » vaut "
            f"{quote_list(p['then']['in'], 'ou')}."
        )
    if kind == "condition-required":
        return (
            f"Quand « {c[1]} » vaut {quote_list(p['if']['in'], 'ou')}, « {c[0]} » est obligatoire."
        )
    if kind == "condition-pattern":
        return (
            f"Quand « {c[1]} » vaut {quote_list(p['if']['in'], 'ou')}, « {c[0]} » a la forme "
            f"suivante : {p['then']['patternHelp'].strip().rstrip('.')}."
        )
    if kind == "unique":
        return (
            f"Deux lignes n'ont jamais les mêmes valeurs dans {quote_list(list(c))} (une "
            "cellule vide compte comme une valeur)."
        )
    if kind == "sum":
        return (
            f"Quand « {c[0]} » et au moins une de ses parties sont remplis, « {c[0]} » est la "
            f"somme de {quote_list(list(c[1:]))} (une cellule vide compte pour zéro)."
        )
    if kind == "lookup":
        determined = quote_list(list(c[1:]))
        values = "sa valeur est celle" if len(c) == 2 else "leurs valeurs sont celles"
        return (
            f"« {c[0]} » détermine {determined} : {values} que donne le référentiel "
            f"« {p['referentiel']} » pour ce code (un code qu'il ne renseigne pas n'est pas "
            "contrôlé)."
        )
    if kind == "secret-threshold":
        return (
            f"Secret statistique : « {c[0]} », quand il n'est pas nul, vaut au moins "
            f"{p['threshold']} ; en dessous, laissez la cellule vide et indiquez "
            "« secret_statistique »."
        )
    if kind == "secret-status-published":
        return (
            f"Une ligne dont « {c[0]} » vaut « secret_statistique » ne publie aucune valeur dans "
            f"{quote_list(list(c[1:]))}."
        )
    if kind == "secret-status-masked":
        return (
            f"Une ligne dont « {c[0]} » vaut « diffuse » publie {quote_list(list(c[1:]))} "
            "(aucune de ces cellules n'est vide)."
        )
    if kind == "rate-threshold":
        return (
            f"« {c[0]} » n'est publié que si « {c[1]} » vaut au moins {p['threshold']} : "
            "en dessous, le résultat n'est pas assez sûr et risque d'identifier des personnes."
        )
    if kind == "rate-base-masked":
        return (
            f"« {c[0]} » n'est publié que si « {c[1]} », l'effectif dont il est tiré, l'est aussi."
        )
    if kind == "rate-consistency":
        top = f"« {c[1]} »" if len(c) == 3 else "la somme de " + quote_list(list(c[1:-1]))
        return (
            f"« {c[0]} » est égal, en pourcentage, à {top} divisé par « {c[-1]} » (à un point "
            "d'arrondi près)."
            if p["scale"] == 100
            else f"« {c[0]} » est égal à {top} divisé par « {c[-1]} » (à 0,01 près)."
        )
    return kind


def descriptions(descriptor: dict[str, Any]) -> list[str]:
    """Every business rule of a schema, in plain French, declaration order."""
    rules, _ = declared_rules(descriptor)
    return [describe(rule) for rule in rules]
