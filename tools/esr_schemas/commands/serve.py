"""``esr-schemas serve``: the validation web service (page and API) on uvicorn."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from typing import Any

from ._common import UsageError, add_command, load

DESCRIPTION = """Lance le service web de validation : une page en français pour valider un
fichier CSV, XLSX ou ODS depuis un navigateur, et une API compatible avec celle de
Validata (POST /validate, GET /validate?schema=…&url=…, /schemas, /export, /health,
description OpenAPI sur /openapi.json).

Le registre est chargé une fois au démarrage. Les fichiers envoyés sont écrits dans un
dossier temporaire (TMPDIR) et effacés dès la réponse envoyée ; leur contenu n'est
jamais journalisé. Le service ne garde aucun état entre deux requêtes : plusieurs
processus (--workers) ou plusieurs machines peuvent servir le même registre.

Codes de sortie : 0 arrêt normal, 2 option invalide ou registre introuvable.

Exemple :
  esr-schemas serve --port 8080
  esr-schemas serve --host 0.0.0.0 --workers 4 --max-upload-mb 200
"""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un nombre entier") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} : il faut au moins 1")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un numéro de port") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} : un port va de 0 à 65535")
    return value


def _seconds(text: str) -> float:
    from ..netfetch import FetchError, check_timeout

    try:
        return check_timeout(float(text.replace(",", ".")))
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un nombre de secondes") from None
    except FetchError as error:
        raise argparse.ArgumentTypeError(error.message) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "serve",
        help="lance le service web de validation (page et API)",
        description=DESCRIPTION,
        run=run,
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="adresse d'écoute (127.0.0.1 par défaut)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=8080,
        help="port d'écoute (8080 par défaut ; 0 : un port libre)",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        metavar="N",
        help="nombre de processus (1 par défaut)",
    )
    parser.add_argument(
        "--max-upload-mb",
        type=_positive_int,
        default=500,
        metavar="MO",
        help="taille maximale d'un fichier envoyé ou téléchargé, en Mo (500 par défaut)",
    )
    parser.add_argument(
        "--allow-private-urls",
        action="store_true",
        help="permet de valider des adresses du réseau local ou privé (refusées par défaut)",
    )
    parser.add_argument(
        "--slots",
        type=_positive_int,
        default=2,
        metavar="N",
        help="validations simultanées par processus ; au-delà, réponse 503 (2 par défaut)",
    )
    parser.add_argument(
        "--time-limit",
        type=_seconds,
        default=600.0,
        metavar="S",
        help="durée maximale d'une validation, en secondes (600 par défaut)",
    )
    parser.add_argument(
        "--upload-timeout",
        type=_seconds,
        default=600.0,
        metavar="S",
        help="durée maximale de l'envoi d'un fichier, en secondes (600 par défaut)",
    )
    parser.add_argument(
        "--url-timeout",
        type=_seconds,
        default=60.0,
        metavar="S",
        help="délai total d'un téléchargement (fichier ou schéma distant), en secondes (60 par défaut)",
    )
    parser.add_argument(
        "--docs-url",
        metavar="URL",
        help="adresse du site de documentation (par défaut : site_url de mkdocs.yml)",
    )


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from ..config import site_url
    from ..service.config import ENV_VARIABLE, ServiceConfig

    registry = load(args)
    if args.docs_url and not args.docs_url.startswith(("http://", "https://")):
        raise UsageError(f"--docs-url « {args.docs_url} » : une adresse http(s) est attendue.")
    config = ServiceConfig(
        root=str(registry.root),
        docs_url=args.docs_url or site_url(registry.root),
        max_upload_bytes=args.max_upload_mb * 1024 * 1024,
        allow_private_urls=args.allow_private_urls,
        slots=args.slots,
        time_limit=args.time_limit,
        upload_timeout=args.upload_timeout,
        url_timeout=args.url_timeout,
    )
    os.environ[ENV_VARIABLE] = config.to_env()
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as error:
        sock.close()
        reason = "déjà utilisé" if error.errno == 98 else "indisponible"
        raise UsageError(
            f"Impossible d'écouter sur {args.host}:{args.port} (adresse ou port {reason}) : "
            "choisissez un autre --port."
        ) from None
    sock.set_inheritable(True)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    if args.workers > 1:
        application: Any = "esr_schemas.service.app:factory"  # each process loads its own
    else:

        def application() -> Any:  # this process: the registry loaded above, not again
            from ..service.app import create_app

            return create_app(config, registry)

    uv_config = uvicorn.Config(
        application,
        factory=True,
        workers=args.workers,
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    sys.stderr.write(
        f"Service de validation prêt sur http://{shown}:{port}/ ({len(registry.schemas)} schéma(s), "
        f"{args.workers} processus). Ctrl+C pour l'arrêter.\n"
    )
    sys.stderr.flush()
    if args.workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(uv_config, sockets=[sock]).run()
    else:
        uvicorn.Server(uv_config).run(sockets=[sock])
    return 0
