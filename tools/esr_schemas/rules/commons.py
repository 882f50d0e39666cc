"""The common block (producer, ``date_maj``) shared by every schema.

The block is defined once, in ``schemas/_commun/champs-communs.json``, and copied into
each schema so that every schema.json stays self-contained for consumers (frictionless,
Validata, the Excel templates). This rule proves that each copy equals the shared
definition, field descriptor for field descriptor.

Policy: every schema carries every common field. A schema whose grain makes one of them
meaningless records an exception in ``schemas/exceptions.yml`` (rule
``common-block-mismatch``, pointer ``/fields``) with a written reason.

The rule is silent when the registry has no common block (``registry.common_fields``
empty), e.g. in a registry that does not use one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..findings import Finding, Severity
from ..jsonutil import dumps_canonical
from . import SchemaContext, iter_fields, pointer, rule

COMMON_FILE = "schemas/_commun/champs-communs.json"


@rule(
    "common-block-mismatch",
    Severity.ERROR,
    "Chaque schéma reprend à l'identique les champs communs définis dans "
    "schemas/_commun/champs-communs.json.",
    fixable=True,
)
def common_block_mismatch(ctx: SchemaContext) -> Iterator[Finding]:
    common = [f for f in ctx.registry.common_fields if isinstance(f.get("name"), str)]
    if not common:
        return
    by_name = {
        f["name"]: (i, f) for i, f in iter_fields(ctx.descriptor) if isinstance(f.get("name"), str)
    }
    changed = False
    for shared in common:
        name = shared["name"]
        if name not in by_name:
            yield ctx.finding(
                "common-block-mismatch",
                f"Le champ commun « {name} » manque au schéma.",
                f"Copiez sa définition depuis {COMMON_FILE} dans « fields », ou, si le grain "
                "du schéma le rend sans objet, déclarez une exception motivée dans "
                "schemas/exceptions.yml (règle common-block-mismatch, pointeur /fields).",
                pointer="/fields",
            )
            continue
        index, copy = by_name[name]
        if copy == shared:
            continue
        if ctx.fix:
            ctx.descriptor["fields"][index] = json.loads(json.dumps(shared))
            changed = True
            continue
        yield ctx.finding(
            "common-block-mismatch",
            f"Le champ commun « {name} » diffère de sa définition partagée : "
            f"{_differences(copy, shared)}.",
            f"Recopiez la définition de {COMMON_FILE}, ou lancez « esr-schemas check --fix » "
            "qui la recopie pour vous. Pour changer le bloc commun, modifiez le fichier "
            "partagé puis corrigez tous les schémas.",
            pointer=pointer("fields", index),
        )
    if changed:
        refused = ctx.write_fix("common-block-mismatch", dumps_canonical(ctx.descriptor))
        if refused is not None:
            yield refused


def _differences(copy: dict[str, Any], shared: dict[str, Any]) -> str:
    keys = sorted(set(copy) | set(shared), key=lambda k: (k not in shared, k))
    parts = []
    for key in keys:
        if key not in copy:
            parts.append(f"« {key} » manque")
        elif key not in shared:
            parts.append(f"« {key} » est en trop")
        elif copy[key] != shared[key]:
            parts.append(f"« {key} » a une autre valeur")
    return ", ".join(parts) or "ordre ou forme des clés"
