"""Runs Validata's core on files, inside Validata's own virtual environment.

Reads ``[[csv_path, schema_path], ...]`` as JSON on stdin and writes, for each pair,
``{"valid": bool, "errors": [[type, rowNumber, fieldName, message], ...]}`` as one JSON
list on stdout. Imported by nothing: ``tests/test_validata.py`` runs it with the
Validata venv's Python, so that Validata's dependencies never mix with ours.
"""

import json
import sys

import validata_core


def main() -> None:
    jobs = json.load(sys.stdin)
    results = []
    for csv_path, schema_path in jobs:
        with open(schema_path, encoding="utf-8") as handle:
            schema = json.load(handle)
        report = validata_core.validate(csv_path, schema).to_dict()
        results.append(
            {
                "valid": report["valid"],
                "errors": [
                    [e.get("type"), e.get("rowNumber"), e.get("fieldName"), e.get("message")]
                    for e in report["errors"]
                ],
            }
        )
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
