"""Strict JSON reading and canonical JSON writing."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any


class JsonProblem(Exception):
    """A JSON file that cannot be read as it should. Carries a French message."""

    def __init__(self, rule: str, message: str, fix: str, line: int | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.fix = fix
        self.line = line


@dataclass
class DuplicateKey:
    key: str
    pointer: str


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise JsonProblem(
                "json-duplicate-key",
                f"La clé « {key} » apparaît deux fois dans le même objet JSON.",
                "Supprimez l'une des deux occurrences : seule la dernière serait lue par "
                "la plupart des outils.",
            )
        seen[key] = value
    return seen


def loads_strict(raw: bytes) -> Any:
    """Parse JSON bytes, refusing BOM, empty files, invalid UTF-8 and duplicate keys."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise JsonProblem(
            "json-bom",
            "Le fichier commence par une marque d'ordre d'octets (BOM UTF-8).",
            "Enregistrez le fichier en UTF-8 sans BOM, ou lancez « esr-schemas check --fix ».",
        )
    if not raw.strip():
        raise JsonProblem(
            "json-invalid",
            "Le fichier est vide.",
            "Écrivez un objet JSON Table Schema, par exemple avec « esr-schemas new NOM ».",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonProblem(
            "json-invalid",
            f"Le fichier n'est pas en UTF-8 (octet invalide à la position {exc.start}).",
            "Enregistrez le fichier en UTF-8.",
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as exc:
        raise JsonProblem(
            "json-invalid",
            f"JSON invalide, ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}.",
            "Corrigez la syntaxe JSON (virgule, guillemet ou accolade manquante ou en trop).",
            line=exc.lineno,
        ) from None


def dumps_canonical(data: Any) -> str:
    """The registry's canonical JSON: 2-space indent, UTF-8 unescaped, trailing newline.

    Key order is kept: in a schema it carries meaning for readers (name first...).
    """
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def pointer_lines(text: str) -> dict[str, int]:
    """Maps every JSON pointer of a document to the 1-based line where its value starts.

    Used to point CI annotations and messages at the right line. Returns what it could
    map before any syntax error (the loader reports those).
    """
    lines: dict[str, int] = {}
    decoder = json.JSONDecoder()
    position = 0
    line = 1

    def skip() -> None:
        nonlocal position, line
        while position < len(text) and text[position] in " \t\r\n":
            if text[position] == "\n":
                line += 1
            position += 1

    def value(pointer: str) -> None:
        nonlocal position, line
        skip()
        lines.setdefault(pointer, line)
        char = text[position] if position < len(text) else ""
        if char == "{":
            position += 1
            skip()
            if text[position] == "}":
                position += 1
                return
            while True:
                skip()
                key, end = decoder.raw_decode(text, position)
                position = end
                skip()
                position += 1  # the colon
                value(pointer + "/" + str(key).replace("~", "~0").replace("/", "~1"))
                skip()
                if text[position] == ",":
                    position += 1
                    continue
                position += 1  # the closing brace
                return
        if char == "[":
            position += 1
            skip()
            if text[position] == "]":
                position += 1
                return
            index = 0
            while True:
                value(f"{pointer}/{index}")
                index += 1
                skip()
                if text[position] == ",":
                    position += 1
                    continue
                position += 1
                return
        _, end = decoder.raw_decode(text, position)
        line += text.count("\n", position, end)
        position = end

    with contextlib.suppress(ValueError, IndexError):
        value("")
    return lines
