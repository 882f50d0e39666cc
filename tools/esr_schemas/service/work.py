"""What runs in the validation processes: the library calls, nothing else.

Each worker process (:class:`.slots.Worker`) loads the registry once (:func:`start`),
then runs :func:`validate`, :func:`validate_to_json` or :func:`export_workbook` for one
request at a time (:func:`serve_jobs`). Running them in processes rather than threads
keeps the server's event loop (and ``/health``) free of the engine's Python work,
whatever the number of validations in flight, and lets the server stop a validation
that passes its time limit by killing its process.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .. import validation
from ..loader import load_registry
from ..model import Registry
from ..validation import UnusableInput, ValidationReport
from .errors import ServiceError

# The engine (polars, numpy) is reached through ``validation.validate_file`` when a job
# runs: the server process imports this module for the jobs' names only, and stays light.

_REGISTRY: Registry | None = None


_WARM_UP_SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
        {"name": "code", "type": "string", "constraints": {"pattern": "[0-9]{7}[A-Z]"}},
        {"name": "taux", "type": "number"},
        {"name": "jour", "type": "date"},
        {"name": "actif", "type": "boolean"},
    ],
    "primaryKey": ["id"],
}


def start(root: str) -> None:
    """Pool initializer: the registry of this process, loaded once, and the engine warmed
    up on a tiny file (its first run pays for lazy imports and thread pools)."""
    global _REGISTRY
    _REGISTRY = load_registry(Path(root))
    with tempfile.TemporaryDirectory(prefix="esr-service-chauffe-") as folder:
        sample = Path(folder) / "essai.csv"
        sample.write_text(
            "id,code,taux,jour,actif\n1,0751717J,1.5,2024-03-12,true\n2,x,a,12/03/2024,oui\n",
            encoding="utf-8",
        )
        validation.validate_file(sample, _WARM_UP_SCHEMA, registry=_REGISTRY)


def serve_jobs(connection: Connection, root: str) -> None:
    """A worker's life: start, say so, then one job at a time until the server goes.

    The worker leads its own process group, so that killing the group also stops
    what a job started (the child process of a pattern); and Ctrl+C in the server's
    terminal reaches the server alone, which then stops its workers.
    """
    os.setpgrp()
    start(root)
    connection.send(("ready", None))
    while True:
        try:
            job, args = connection.recv()
        except (EOFError, OSError):
            return  # the server is gone
        try:
            answer: tuple[str, object] = ("ok", job(*args))
        except ServiceError as error:
            answer = ("error", error)
        except Exception as error:  # noqa: BLE001 (the server answers a French 500)
            logging.getLogger("esr_schemas.service").error(
                "unexpected %s in a validation process", type(error).__name__
            )
            answer = ("failed", type(error).__name__)
        connection.send(answer)


def validate(
    path: Path,
    descriptor: dict[str, Any],
    schema_name: str | None,
    shown_as: str,
    options: dict[str, Any],
) -> ValidationReport:
    """The library's validation with the CLI's defaults (``esr-schemas validate``)."""
    try:
        report = validation.validate_file(
            path,
            descriptor,
            sheet=options.get("sheet") or None,
            registry=_REGISTRY,
            extra_checks=True,
            strict=bool(options.get("strict")),
            check_code_lists=bool(options.get("referentiels")),
            schema_name=schema_name,
        )
    except UnusableInput as problem:
        raise ServiceError(
            400, "fichier-inutilisable", problem.message.replace(str(path.parent) + "/", "")
        ) from None
    report.path = shown_as
    if report.stats.get("rows", 0) == 0 and report.valid:
        raise ServiceError(
            400,
            "fichier-sans-donnees",
            f"Le fichier {shown_as} ne contient que la ligne d'en-tête : aucune donnée à valider.",
        )
    return report


def validate_to_json(
    path: Path,
    descriptor: dict[str, Any],
    schema_name: str | None,
    shown_as: str,
    options: dict[str, Any],
) -> tuple[bool, bytes, float]:
    """:func:`validate`, with the report already as JSON (the API's ``report``).

    Encoding here, in the worker process, keeps a report of a million errors from
    holding the server's event loop.
    """
    from ..validation.report import summary

    began = time.perf_counter()
    report = validate(path, descriptor, schema_name, shown_as, options)
    data = report.to_dict()
    data["summary"] = summary(report)
    encoded = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return report.valid, encoded, time.perf_counter() - began


def export_workbook(workbook: Path, spec: str | None) -> tuple[list[str], Any]:
    """``esr-schemas export``'s work: the header read and the library's ExportResult."""
    from ..templates import SourceError
    from ..templates.export import ExportError, export, read_filled
    from ..templates.source import for_workbook

    assert _REGISTRY is not None
    try:
        sheet = read_filled(workbook)
        source = for_workbook(spec, sheet.marker, registry=_REGISTRY)
    except (ExportError, SourceError) as exc:
        raise ServiceError(400, "classeur-inutilisable", str(exc)) from None
    return sheet.header, export(sheet, source)
