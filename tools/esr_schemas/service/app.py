"""The Starlette application: the French page, the Validata-shaped API, health and catalog.

A face, and only a face: every validation goes through
:func:`esr_schemas.validation.validate_file` with the schema from
:func:`esr_schemas.validation.resolve_schema`, exactly as ``esr-schemas validate`` does;
the catalog is :func:`esr_schemas.catalog.catalog`; the export is the library's
:mod:`esr_schemas.templates.export`. What this module adds is the HTTP around them:
limits, temporary files, statuses and French errors.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .. import netfetch, resolve, semver
from ..catalog import catalog
from ..loader import load_registry
from ..model import Registry
from ..validation import UnusableInput, resolve_schema
from ..validation.messages import fr_int
from ..validation.report import problem_groups, render_csv, summary
from . import allocator, work
from .config import ServiceConfig
from .errors import ServiceError
from .openapi import openapi
from .slots import Slots
from .uploads import Upload, Workspace, is_multipart, receive

LOG = logging.getLogger("esr_schemas.service")
ACCEPTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".ods")
MAX_EMBEDDED_ERRORS = 50_000
"""Errors put in the page's JSON and CSV downloads; beyond, the API gives them all."""
SHOWN_PER_GROUP = 100
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _package_folder(name: str) -> str:
    return str(resources.files("esr_schemas") / "service" / name)


@dataclass(frozen=True)
class SchemaChoice:
    """The schema a request names, resolved as ``esr-schemas validate`` resolves it."""

    spec: str
    descriptor: dict[str, Any]
    name: str | None
    version: str | None
    title: str
    schema_url: str
    docs_page: str | None
    schema_name: str | None
    """What the report calls the schema (the CLI's choice: the name given, or the URL's)."""


@dataclass(frozen=True)
class Outcome:
    report: Any
    """The :class:`ValidationReport` for the page; its JSON bytes for the API."""
    choice: SchemaChoice
    url: str | None
    options: dict[str, Any]
    date: str


class Service:
    """The registry (loaded once) and the limits, shared by every request of a worker."""

    def __init__(self, config: ServiceConfig, registry: Registry) -> None:
        self.config = config
        self.registry = registry
        self.docs_url = config.docs_url if config.docs_url.endswith("/") else config.docs_url + "/"
        self.slots = Slots(config.slots, config.time_limit, str(registry.root))
        self.templates = Jinja2Templates(directory=_package_folder("templates"))
        self.templates.env.globals["fr_int"] = fr_int
        self.catalog = catalog(registry, self.docs_url)
        self.resolved: dict[str, SchemaChoice] = {}
        """Registry schemas already resolved (checked once: the registry does not change
        while the service runs). Only names found are kept, so it stays as small as
        the registry."""

    # -- schemas --------------------------------------------------------------------

    def schema_options(self) -> list[dict[str, Any]]:
        """Every schema and its versions for the page's list: titles first, newest first."""
        options = []
        for name in sorted(self.registry.schemas, key=lambda n: self.registry.schemas[n].title):
            entry = self.registry.schemas[name]
            versions = [p.version for p in entry.published if p.descriptor is not None]
            versions.sort(key=_version_key, reverse=True)
            choices = [
                {
                    "value": f"{name}@{version}",
                    "label": f"version {version}" + (" (la plus récente)" if i == 0 else ""),
                    "version": version,
                }
                for i, version in enumerate(versions)
            ]
            if not choices and entry.descriptor is not None:
                choices = [{"value": name, "label": "brouillon, non publié", "version": ""}]
            if choices:
                options.append({"name": name, "title": entry.title, "choices": choices})
        return options

    def docs_page(self, name: str, version: str | None) -> str:
        return f"{self.docs_url}schemas/{name}/" + (f"{version}/" if version else "")

    def choose(self, spec: str, version: str = "") -> SchemaChoice:
        choice = self._choose(spec, version, wait=True)
        assert choice is not None
        return choice

    def choose_at_once(self, spec: str, version: str = "") -> SchemaChoice | None:
        """:meth:`choose` when it has nothing to wait for (a registry schema already
        resolved, or a refusal); ``None`` when it would fetch or load a schema."""
        return self._choose(spec, version, wait=False)

    def _choose(self, spec: str, version: str, wait: bool) -> SchemaChoice | None:
        spec = spec.strip()
        if not spec:
            raise ServiceError(
                400,
                "schema-manquant",
                "Indiquez le schéma : un nom du registre (champ « schema », par exemple "
                "« offre-formation » ou « offre-formation@1.0.0 ») ou l'adresse d'un schéma.",
            )
        if spec.startswith(("http://", "https://")):
            if not wait:
                return None
            try:
                descriptor = resolve_schema(
                    spec,
                    self.registry,
                    timeout=self.config.url_timeout,
                    allow_private=self.config.allow_private_urls,
                )
            except UnusableInput as problem:
                raise ServiceError(400, "schema-inutilisable", problem.message) from None
            name = descriptor.get("name") if isinstance(descriptor.get("name"), str) else None
            return SchemaChoice(
                spec=spec,
                descriptor=descriptor,
                name=name,
                version=str(descriptor.get("version") or "") or None,
                title=str(descriptor.get("title") or name or spec),
                schema_url=spec,
                docs_page=None,
                schema_name=name,
            )
        if "/" in spec or "\\" in spec or spec.endswith(".json") or spec.startswith("."):
            raise ServiceError(
                400,
                "schema-invalide",
                f"« {spec} » n'est ni un nom du registre ni une adresse http(s) : le service "
                "n'ouvre pas de fichier sur le serveur. Donnez un nom (offre-formation, "
                "offre-formation@1.0.0) ou l'adresse d'un schema.json publié.",
            )
        if version and "@" not in spec:
            spec = f"{spec}@{version.strip()}"
        known = self.resolved.get(spec)
        if known is None and wait:
            known = self.resolved[spec] = self._from_registry(spec)
        return known

    def _from_registry(self, spec: str) -> SchemaChoice:
        try:
            found = resolve.lookup(self.registry, spec)
        except resolve.ResolveError as error:
            raise ServiceError(404, "schema-inconnu", str(error)) from None
        try:
            descriptor = resolve_schema(spec, self.registry)
        except UnusableInput as problem:
            raise ServiceError(400, "schema-inutilisable", problem.message) from None
        published = found.published is not None
        return SchemaChoice(
            spec=spec,
            descriptor=descriptor,
            name=found.name,
            version=found.version,
            title=found.entry.title,
            schema_url=(
                f"{self.docs_url}schemas/{found.name}/{found.version}/schema.json"
                if published
                else f"{self.docs_url}schemas/{found.name}/"
            ),
            docs_page=self.docs_page(found.name, found.version if published else None),
            schema_name=spec,
        )

    # -- one validation --------------------------------------------------------------

    async def run_validation(
        self,
        fields: dict[str, str],
        upload: Upload | None,
        workspace: Workspace,
        as_json: bool = False,
    ) -> Outcome:
        """Validate the uploaded file or the ``url`` field; owns ``workspace`` from here on."""
        handed_over = False
        try:
            spec, version = fields.get("schema", ""), fields.get("version", "")
            choice = self.choose_at_once(spec, version)  # resolved before: no thread
            if choice is None:
                choice = await asyncio.to_thread(self.choose, spec, version)
            options = _options(fields)
            url = fields.get("url", "").strip() or None
            if upload is not None and upload.file is not None and url:
                raise ServiceError(
                    400,
                    "fichier-et-adresse",
                    "Donnez soit un fichier, soit une adresse, pas les deux.",
                )
            if upload is not None and upload.file is not None:
                if upload.size == 0:
                    raise ServiceError(
                        400,
                        "fichier-vide",
                        f"Le fichier {upload.filename} est vide (0 octet) : il faut au moins "
                        "une ligne d'en-tête et une ligne de données.",
                    )
                path, shown_as = upload.file, upload.filename
            elif url:
                fetched = await asyncio.to_thread(self.download, url, workspace.path)
                path, shown_as = fetched.path, url
            else:
                raise ServiceError(
                    400,
                    "fichier-manquant",
                    "Aucun fichier reçu : joignez le fichier dans le champ « file » (CSV, "
                    "XLSX ou ODS), ou donnez son adresse dans le champ « url ».",
                )
            _check_suffix(path.name, shown_as)
            handed_over = True
            report = await self.slots.run(
                work.validate_to_json if as_json else work.validate,
                path,
                choice.descriptor,
                choice.schema_name,
                shown_as,
                options,
                cleanup=workspace.remove,
            )
            return Outcome(
                report=report,
                choice=choice,
                url=url,
                options=options,
                date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            )
        finally:
            if not handed_over:
                workspace.remove()
                self.slots.give_back()

    def download(self, url: str, folder: Path) -> netfetch.Fetched:
        try:
            return netfetch.download(
                url,
                folder,
                timeout=self.config.url_timeout,
                max_bytes=self.config.max_upload_bytes,
                allow_private=self.config.allow_private_urls,
            )
        except netfetch.FetchError as error:
            raise ServiceError(400, "adresse-inutilisable", error.message) from None


def _version_key(version: str) -> tuple[int, int, int]:
    return semver.sort_key(version)


def _check_suffix(filename: str, shown_as: str) -> None:
    suffix = Path(filename).suffix.lower()
    if suffix and suffix not in ACCEPTED_SUFFIXES:
        raise ServiceError(
            415,
            "format-non-pris-en-charge",
            f"Le fichier {shown_as} ({suffix}) n'est pas dans un format accepté : envoyez un "
            "fichier CSV, XLSX ou ODS.",
        )


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "vrai", "oui", "on", "yes")


def _options(fields: dict[str, str]) -> dict[str, Any]:
    return {
        "strict": _truthy(fields.get("strict")),
        "referentiels": _truthy(fields.get("referentiels")),
        "sheet": fields.get("sheet", "").strip() or None,
    }


def _envelope(outcome: Outcome) -> dict[str, Any]:
    return {
        "schema": outcome.choice.schema_url,
        "url": outcome.url,
        "options": outcome.options,
        "date": outcome.date,
    }


def answer(outcome: Outcome) -> dict[str, Any]:
    """The Validata-shaped answer: schema, url, options, date and the report."""
    report = outcome.report.to_dict()
    report["summary"] = summary(outcome.report)
    return {**_envelope(outcome), "report": report}


def answer_bytes(outcome: Outcome) -> bytes:
    """:func:`answer` as JSON, around the report the worker process already encoded."""
    _, report, _ = outcome.report
    head = json.dumps(_envelope(outcome), ensure_ascii=False)[:-1]
    return head.encode("utf-8") + b', "report": ' + report + b"}"


# -- HTTP faces ------------------------------------------------------------------------


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def error_json(error: ServiceError) -> JSONResponse:
    return JSONResponse(
        {"error": error.code, "message": error.message, "status": error.status},
        status_code=error.status,
        headers=error.headers,
    )


async def _receive_fields(request: Request, service: Service, workspace: Workspace) -> Upload:
    """The upload, within the time limit (a client sending slowly cannot hold a slot)."""
    try:
        return await asyncio.wait_for(
            receive(request, workspace.path, service.config.max_upload_bytes),
            service.config.upload_timeout,
        )
    except TimeoutError:
        raise ServiceError(
            408,
            "envoi-trop-lent",
            f"L'envoi du fichier a duré plus de {service.config.upload_timeout:g} s : il a été "
            "interrompu. Réessayez avec une meilleure connexion, ou validez le fichier sur "
            "votre poste avec la commande esr-schemas validate.",
        ) from None


async def _take_slot_and_receive(request: Request, service: Service) -> tuple[Upload, Workspace]:
    """A slot (or the 503), then the upload in a fresh workspace; if the upload fails,
    the workspace is removed and the slot given back before the error goes up."""
    service.slots.take()
    workspace = Workspace()
    try:
        return await _receive_fields(request, service, workspace), workspace
    except BaseException:
        workspace.remove()
        service.slots.give_back()
        raise


async def api_validate(request: Request) -> Response:
    service = _service(request)
    began, received = time.perf_counter(), 0.0
    try:
        if request.method == "GET":
            fields = {k: v for k, v in request.query_params.items()}
            if not fields.get("url"):
                raise ServiceError(
                    400,
                    "adresse-manquante",
                    "GET /validate valide un fichier publié : donnez son adresse (paramètre "
                    "« url ») et le schéma (« schema »). Pour envoyer un fichier, utilisez "
                    "POST /validate en multipart.",
                )
            service.slots.take()
            outcome = await service.run_validation(fields, None, Workspace(), as_json=True)
        else:
            upload, workspace = await _take_slot_and_receive(request, service)
            received = time.perf_counter()
            fields = {**dict(request.query_params.items()), **upload.fields}
            outcome = await service.run_validation(fields, upload, workspace, as_json=True)
    except ServiceError as error:
        return error_json(error)
    done = time.perf_counter()
    timing = f"total;dur={(done - began) * 1000:.0f}"
    if received:
        timing += f", envoi;dur={(received - began) * 1000:.0f}"
    timing += f", validation;dur={outcome.report[2] * 1000:.0f}"
    # Server-Timing: where the time went (upload, then validation), for clients and benchmarks
    return Response(
        answer_bytes(outcome), media_type="application/json", headers={"Server-Timing": timing}
    )


async def health(request: Request) -> Response:
    service = _service(request)
    return JSONResponse(
        {"status": "ok", "busy": service.slots.busy, "slots": service.slots.count},
        headers={"Cache-Control": "no-store"},
    )


async def schemas(request: Request) -> Response:
    return JSONResponse(_service(request).catalog)


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi(_service(request).config))


async def api_export(request: Request) -> Response:
    """A filled template → the canonical CSV, as ``esr-schemas export`` writes it."""
    from ..templates.export import describe

    service = _service(request)
    try:
        service.slots.take()
        workspace = Workspace()
        handed = False
        try:
            upload = await _receive_fields(request, service, workspace)
            if upload.file is None or upload.size == 0:
                raise ServiceError(
                    400,
                    "fichier-manquant",
                    "Aucun classeur reçu : joignez le modèle rempli (.xlsx) dans le champ « file ».",
                )
            fields = {**dict(request.query_params.items()), **upload.fields}
            spec = fields.get("schema", "").strip() or None
            if spec is not None and ("/" in spec or "\\" in spec or spec.endswith(".json")):
                raise ServiceError(
                    400, "schema-invalide", f"« {spec} » n'est pas un nom du registre."
                )
            handed = True
            header, result = await service.slots.run(
                work.export_workbook, upload.file, spec, cleanup=workspace.remove
            )
        finally:
            if not handed:
                workspace.remove()
                service.slots.give_back()
    except ServiceError as error:
        return error_json(error)
    problems = result.header_problems + result.errors
    if problems and not _truthy(fields.get("force")):
        return JSONResponse(
            {
                "error": "classeur-invalide",
                "status": 422,
                "message": f"Le classeur contient {len(problems)} erreur(s) : aucun CSV produit "
                "(force=true le produit malgré les erreurs).",
                "errors": [
                    {
                        "rowNumber": p.row,
                        "fieldName": p.column,
                        "type": p.type,
                        "message": describe(p, header),
                        "fix": p.fix,
                    }
                    for p in problems
                ],
                "notes": result.notes,
            },
            status_code=422,
        )
    stem = Path(upload.filename).stem or "export"
    return Response(
        result.csv_text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{stem}.csv"',
            "X-Esr-Rows": str(result.row_count),
            "X-Esr-Errors": str(len(problems)),
        },
    )


def _preselected(request: Request) -> tuple[str, str]:
    schema = request.query_params.get("schema", "").strip()
    version = request.query_params.get("version", "").strip()
    if "@" in schema:
        schema, _, version = schema.partition("@")
    return schema, version


def _page_context(request: Request, **extra: Any) -> dict[str, Any]:
    service = _service(request)
    return {
        "docs_url": service.docs_url,
        "max_upload": netfetch.size_fr(service.config.max_upload_bytes),
        **extra,
    }


async def _page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    """A page rendered off the event loop (a report page can be long)."""
    template = _service(request).templates.env.get_template(name)
    html = await asyncio.to_thread(template.render, _page_context(request, **context))
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


async def index(request: Request, error: ServiceError | None = None, **kept: str) -> Response:
    service = _service(request)
    schema, version = kept.get("schema_name", ""), kept.get("version", "")
    if not kept:
        schema, version = _preselected(request)
    options = service.schema_options()
    selected = ""
    for option in options:
        if option["name"] == schema:
            values = [c for c in option["choices"] if c["version"] == version] if version else []
            selected = (values or option["choices"])[0]["value"]
    unknown = bool(schema) and not selected
    docs_page = None
    if selected:
        name, _, chosen_version = selected.partition("@")
        docs_page = service.docs_page(name, chosen_version or None)
    return await _page(
        request,
        "index.html",
        status=error.status if error else 200,
        schemas=options,
        selected=selected,
        unknown=schema if unknown else "",
        error=error,
        url=kept.get("url", ""),
        docs_page=docs_page,
    )


async def index_page(request: Request) -> Response:
    return await index(request)


def _data_uri(content: str, media_type: str) -> str:
    return f"data:{media_type};base64," + base64.b64encode(content.encode("utf-8")).decode("ascii")


async def report_page(request: Request) -> Response:
    """The form's target: the result page (or the form again, with the problem on top)."""
    service = _service(request)
    fields: dict[str, str] = {}
    try:
        if not is_multipart(request):
            raise ServiceError(
                415, "multipart-attendu", "Le formulaire doit être envoyé avec son fichier."
            )
        upload, workspace = await _take_slot_and_receive(request, service)
        fields = upload.fields
        outcome = await service.run_validation(fields, upload, workspace)
    except ServiceError as error:
        schema, _, version = fields.get("schema", "").partition("@")
        return await index(
            request, error, schema_name=schema, version=version, url=fields.get("url", "")
        )
    context = await asyncio.to_thread(_result_context, outcome)
    return await _page(request, "result.html", **context)


def _result_context(outcome: Outcome) -> dict[str, Any]:
    report = outcome.report
    per_column = Counter(e.field_name or "(en-tête ou ligne entière)" for e in report.errors)
    embedded = dataclasses.replace(
        report,
        errors=report.errors[:MAX_EMBEDDED_ERRORS],
        warnings=report.warnings[:MAX_EMBEDDED_ERRORS],
    )
    shown = answer(dataclasses.replace(outcome, report=embedded))
    shown["report"]["stats"] = answer(outcome)["report"]["stats"]
    truncated = len(report.errors) > MAX_EMBEDDED_ERRORS or (
        len(report.warnings) > MAX_EMBEDDED_ERRORS
    )
    stem = Path(report.path.rstrip("/").rsplit("/", 1)[-1]).stem or "fichier"
    return {
        "outcome": outcome,
        "report": report,
        "summary": summary(report),
        "per_column": per_column.most_common(),
        "error_groups": problem_groups(report.errors),
        "warning_groups": problem_groups(report.warnings),
        "shown_per_group": SHOWN_PER_GROUP,
        "json_uri": _data_uri(
            json.dumps(shown, ensure_ascii=False, indent=2), "application/json;charset=utf-8"
        ),
        "csv_uri": _data_uri(render_csv(embedded), "text/csv;charset=utf-8"),
        "download_stem": f"rapport-{stem}",
        "truncated": truncated,
        "max_embedded": MAX_EMBEDDED_ERRORS,
    }


async def not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        error = ServiceError(
            404, "page-inconnue", f"Cette adresse n'existe pas : {request.url.path}."
        )
    elif status == 405:
        error = ServiceError(
            405, "methode-non-permise", f"La méthode {request.method} n'est pas permise ici."
        )
    else:
        error = ServiceError(status, "erreur", "La requête n'a pas pu être traitée.")
    return error_json(error)


async def server_error(request: Request, exc: Exception) -> Response:
    LOG.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return error_json(
        ServiceError(
            500,
            "erreur-interne",
            "Le service a rencontré une erreur imprévue et n'a pas pu valider ce fichier. "
            "Réessayez ; si le problème persiste, signalez-le à l'équipe du registre.",
        )
    )


def create_app(config: ServiceConfig, registry: Registry | None = None) -> Starlette:
    """The application over ``registry`` (loaded from ``config.root`` when not given)."""
    allocator.keep_freed_memory()  # this process receives the uploads
    service = Service(config, registry or load_registry(config.registry_root))
    routes = [
        Route("/", index_page, methods=["GET"]),
        Route("/rapport", report_page, methods=["POST"]),
        Route("/validate", api_validate, methods=["GET", "POST"]),
        Route("/export", api_export, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/schemas", schemas, methods=["GET"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
        Mount("/static", StaticFiles(directory=_package_folder("static")), name="static"),
    ]
    handlers: dict[Any, Callable[..., Any]] = {
        HTTPException: not_found,
        Exception: server_error,
    }

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await service.slots.warm_up()
        yield
        service.slots.close()

    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    app.state.service = service
    return app


def factory() -> Starlette:
    """What each uvicorn worker imports: the settings come from ``esr-schemas serve``."""
    return create_app(ServiceConfig.from_env())
