"""Pass and fail cases for the foundation's rules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from . import Expected, RuleCase, edit_schema, field_of, schema_path

S = "schemas/demo/schema.json"
V = "schemas/demo/versions/1.0.0"


def _set(path: str, value: Any):
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[last] = value

    return lambda root: edit_schema(root, change)


def _del(key: str):
    return lambda root: edit_schema(root, lambda d: d.pop(key))


def _field(field_name: str, /, **changes: Any):
    def change(data: dict[str, Any]) -> None:
        field = field_of(data, field_name)
        for key, value in changes.items():
            if value is None:
                field.pop(key, None)
            else:
                field[key] = value

    return lambda root: edit_schema(root, change)


def _write(relpath: str, content: str | bytes):
    def mutate(root: Path) -> None:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return mutate


def _remove(relpath: str):
    def mutate(root: Path) -> None:
        path = root / relpath
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return mutate


def _exceptions(text: str):
    return _write("schemas/exceptions.yml", text)


def _add_field_after(data: dict[str, Any]) -> None:
    data["fields"].append(
        {
            "name": "commentaire",
            "title": "Commentaire",
            "description": "Texte libre.",
            "type": "string",
            "example": "ok",
        }
    )


CASES = [
    RuleCase(
        "schema-file-missing",
        _write("schemas/vide/README.md", "# Vide\n"),
        [Expected("schemas/vide/")],
    ),
    RuleCase(
        "json-invalid", _write(S, '{"name": "demo",\n  "fields": [}\n'), [Expected(S, line=2)]
    ),
    RuleCase("json-invalid", _write(S, ""), [Expected(S)], id="empty"),
    RuleCase(
        "json-bom",
        lambda r: schema_path(r).write_bytes(b"\xef\xbb\xbf" + schema_path(r).read_bytes()),
        [Expected(S)],
    ),
    RuleCase(
        "json-duplicate-key",
        _write(S, '{"name": "demo", "name": "demo", "fields": []}\n'),
        [Expected(S)],
    ),
    RuleCase(
        "file-missing",
        _write("referentiels/cursus.csv", "code,libelle\nL,Licence\n"),
        [Expected("referentiels/cursus.json")],
    ),
    RuleCase(
        "referentiel-invalid",
        lambda r: (
            _write("referentiels/x.csv", "id,libelle\n1,a\n")(r),
            _write("referentiels/x.json", '{"title": "X"}\n')(r),
        ),
        [Expected("referentiels/x.csv", row=1)],
    ),
    RuleCase(
        "exception-invalid",
        _exceptions("- schema: demo\n  rule: unknown-key\n"),
        [Expected("schemas/exceptions.yml", pointer="/0")],
    ),
    RuleCase(
        "exception-invalid",
        _exceptions(
            "- schema: demo\n  rule: regle-inexistante\n  reason: une raison assez longue\n"
        ),
        [Expected("schemas/exceptions.yml", pointer="/0")],
        id="unknown-rule",
    ),
    RuleCase(
        "exception-unused",
        _exceptions("- schema: demo\n  rule: unknown-key\n  reason: plus rien à excepter ici\n"),
        [Expected("schemas/exceptions.yml", pointer="/0")],
        pass_=lambda r: (
            _field("effectif", exemple="12")(r),
            _exceptions(
                "- schema: demo\n  rule: unknown-key\n  reason: clé héritée d'un ancien outil\n"
            )(r),
        ),
    ),
    RuleCase(
        "spec-table-schema",
        _field("effectif", type="entier"),
        [Expected(S, pointer="/fields/3/type")],
    ),
    RuleCase(
        "spec-table-schema",
        _set("primaryKey", 12),
        [Expected(S, pointer="/primaryKey")],
        id="pk-type",
    ),
    RuleCase("spec-frictionless", _set("missingValues", "NA"), [Expected(S, pointer="")]),
    RuleCase(
        "unknown-key",
        _field("effectif", contraints={"minimum": 0}, exemple="3"),
        [Expected(S, pointer="/fields/3/contraints"), Expected(S, pointer="/fields/3/exemple")],
    ),
    RuleCase(
        "unknown-key",
        _set("fields/0/constraints/requried", True),
        [Expected(S, pointer="/fields/0/constraints/requried")],
        id="constraint",
    ),
    RuleCase("unknown-key", _set("autheur", "x"), [Expected(S, pointer="/autheur")], id="top"),
    RuleCase("metadata-missing", _del("licenses"), [Expected(S, pointer="")]),
    RuleCase("metadata-invalid", _set("version", "v1.0"), [Expected(S, pointer="/version")]),
    RuleCase(
        "metadata-invalid",
        _set("created", "15/01/2026"),
        [Expected(S, pointer="/created")],
        id="date",
    ),
    RuleCase("metadata-invalid", _set("name", "autre"), [Expected(S, pointer="/name")], id="name"),
    RuleCase(
        "readme-missing",
        _write("schemas/demo/README.md", "# Démo\n\nPas de section.\n"),
        [Expected("schemas/demo/README.md")],
    ),
    RuleCase(
        "field-property-missing",
        _field("effectif", title=None, example=None),
        [Expected(S, pointer="/fields/3"), Expected(S, pointer="/fields/3")],
    ),
    RuleCase(
        "field-name-invalid",
        _field("effectif", name="Effectif_Étudiants"),
        [Expected(S, pointer="/fields/3/name")],
    ),
    RuleCase(
        "field-name-invalid",
        _field("effectif", name="niveau"),
        [Expected(S, pointer="/fields/2/name")],
        id="duplicate",
    ),
    RuleCase(
        "field-description-repeats-title",
        _field("effectif", description="Effectif inscrit."),
        [Expected(S, pointer="/fields/3/description")],
    ),
    RuleCase(
        "field-pattern-invalid",
        _set("fields/0/constraints/pattern", "^[0-9]{7[A-Z]$("),
        [Expected(S, pointer="/fields/0/constraints/pattern")],
    ),
    RuleCase(
        "field-example-invalid",
        _field("effectif", example="-5"),
        [Expected(S, pointer="/fields/3/example")],
    ),
    RuleCase(
        "field-example-invalid",
        _field("code_uai", example="751717J"),
        [Expected(S, pointer="/fields/0/example")],
        id="pattern",
    ),
    RuleCase(
        "field-codesystem-invalid",
        _field("code_uai", example="0751717A"),
        [Expected(S, pointer="/fields/0/example")],
    ),
    RuleCase(
        "field-codesystem-invalid",
        _set("fields/0/x-esr/codeSystem", "rne"),
        [Expected(S, pointer="/fields/0/x-esr/codeSystem")],
        id="unknown",
    ),
    RuleCase(
        "field-enum-invalid",
        _set("fields/2/constraints/enum", ["L", "M", "L"]),
        [Expected(S, pointer="/fields/2/constraints/enum")],
    ),
    RuleCase(
        "field-enum-invalid",
        _set("fields/2/constraints/enum", []),
        [Expected(S, pointer="/fields/2/constraints/enum")],
        id="empty",
    ),
    RuleCase(
        "primary-key-invalid",
        _set("primaryKey", ["code_uai", "annee"]),
        [Expected(S, pointer="/primaryKey/1")],
    ),
    RuleCase(
        "primary-key-invalid",
        _set("primaryKey", ["code_uai", "effectif"]),
        [Expected(S, pointer="/fields/3/constraints")],
        id="not-required",
    ),
    RuleCase(
        "foreign-key-invalid",
        _set(
            "foreignKeys",
            [{"fields": "inconnu", "reference": {"resource": "", "fields": "code_uai"}}],
        ),
        [Expected(S, pointer="/foreignKeys/0/fields")],
    ),
    RuleCase(
        "example-missing",
        _remove("schemas/demo/exemples/invalide"),
        [Expected("schemas/demo/exemples/invalide/")],
    ),
    RuleCase(
        "example-valid-fails",
        _write(
            "schemas/demo/exemples/valide.csv",
            "code_uai,rentree,niveau,effectif\n0751717J,2024,L,abc\n",
        ),
        [Expected("schemas/demo/exemples/valide.csv", row=2)],
    ),
    RuleCase(
        "example-invalid-mismatch",
        _write(
            "schemas/demo/exemples/invalide/type-error__effectif.csv",
            "code_uai,rentree,niveau,effectif\n0751717J,2024,L,12\n",
        ),
        [Expected("schemas/demo/exemples/invalide/type-error__effectif.csv")],
    ),
    RuleCase(
        "example-invalid-mismatch",
        _write(
            "schemas/demo/exemples/invalide/type-error__deux.csv",
            "code_uai,rentree,niveau,effectif\n0751717J,2024,L,abc\n0751717J,2024,X,1\n",
        ),
        [Expected("schemas/demo/exemples/invalide/type-error__deux.csv", row=3)],
        id="extra-error",
    ),
    RuleCase(
        "changelog-missing-entry", _set("version", "1.1.0"), [Expected("schemas/demo/CHANGELOG.md")]
    ),
    RuleCase(
        "changelog-malformed",
        _write(
            "schemas/demo/CHANGELOG.md",
            "# Changements\n\n## 1.0.0 (15 janvier 2026)\n\n- Première version.\n",
        ),
        [Expected("schemas/demo/CHANGELOG.md", line=3)],
    ),
    RuleCase(
        "json-not-canonical",
        lambda r: schema_path(r).write_text(
            json.dumps(json.loads(schema_path(r).read_text()), indent=4)
        ),
        [Expected(S, line=2)],
    ),
    RuleCase(
        "published-version-modified",
        _write(f"{V}/exemples/valide.csv", "code_uai,rentree,niveau,effectif\n"),
        [Expected(f"{V}/exemples/valide.csv")],
    ),
    RuleCase(
        "published-version-missing",
        _remove(V),
        [Expected("schemas/demo/versions/index.json", pointer="/1.0.0")],
    ),
    RuleCase(
        "version-behind-published",
        lambda r: (
            _set("version", "0.9.0")(r),
            _write(
                "schemas/demo/CHANGELOG.md", "# Changements\n\n## 0.9.0 (2026-01-10)\n\n- Essai.\n"
            )(r),
        ),
        [Expected(S, pointer="/version")],
    ),
]
