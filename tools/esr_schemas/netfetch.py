"""The one downloader of the tool: every URL it fetches (schemas, data files) goes here.

A download is bounded where it enters:

- **one total deadline** for the whole exchange (name lookup, connection, TLS, headers,
  body, every redirect): each socket read waits at most for the time left, so a server
  trickling one byte every two seconds is cut at the deadline, not held forever;
- **a size cap** on the body (the announced ``Content-Length`` is refused before any
  byte is read; a body without one is cut when it passes the cap);
- **a redirect cap** (5), and a loop of redirects ends in a French message;
- **http and https only**;
- **no private addresses** unless ``allow_private``: the host name is resolved once,
  every address it gives must be public (not loopback, private, link-local, shared,
  multicast or reserved), and the connection goes to that checked address, so a second
  lookup cannot swap it (server-side request forgery, DNS rebinding). Proxies from the
  environment are not used.

Every failure is a :class:`FetchError` whose ``message`` is a French sentence naming the
address (malformed status line, header line too long, more than 100 headers, broken
chunked body, refused connection, certificate...), never an English reason.

The command line allows private addresses (the user runs it on their own machine, often
against an intranet); the web service refuses them unless started with
``--allow-private-urls``.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import io
import ipaddress
import math
import os
import socket
import ssl
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

MAX_REDIRECTS = 5
READ_SIZE = 64 * 1024
USER_AGENT = "esr-schemas"
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A download that cannot be done; ``message`` is French and names the address."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Fetched:
    """A finished download: the final address, its type and where the body was written."""

    url: str
    content_type: str
    path: Path
    size: int
    filename: str
    """A safe file name for the body, from the address (``donnees.csv``)."""


def size_fr(size: int) -> str:
    """``size`` bytes in French units (« 12 Mo »)."""
    if size >= 1024 * 1024 * 1024:
        return f"{size / 1024 / 1024 / 1024:.1f} Go".replace(".", ",")
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.0f} Mo"
    return f"{max(size, 1) / 1024:.0f} Ko"


def _seconds_fr(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds >= 1 else f"{seconds:.1f} s".replace(".", ",")


def check_timeout(seconds: float) -> float:
    """``seconds`` if it is a usable deadline (finite, positive); a French error otherwise."""
    if not isinstance(seconds, (int, float)) or math.isnan(seconds) or seconds <= 0:
        raise FetchError(
            f"Délai d'attente invalide ({seconds}) : donnez un nombre de secondes positif, "
            "par exemple 10."
        )
    if math.isinf(seconds) or seconds > 24 * 3600:
        raise FetchError(
            f"Délai d'attente invalide ({seconds}) : il faut un délai fini, au plus 86400 s "
            "(un jour), par exemple 10."
        )
    return float(seconds)


class _Deadline:
    def __init__(self, seconds: float, url: str) -> None:
        self.seconds = seconds
        self.url = url
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise self.expired()
        return remaining

    def expired(self) -> FetchError:
        return FetchError(
            f"L'adresse {self.url} n'a pas répondu en {_seconds_fr(self.seconds)} (délai "
            "total dépassé). Réessayez plus tard, ou téléchargez le fichier et donnez-le "
            "directement."
        )


class _DeadlineReader(io.RawIOBase):
    """Socket reads that never wait past the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self.sock = sock
        self.deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.sock.settimeout(self.deadline.left())
        try:
            return self.sock.recv_into(buffer)
        except TimeoutError:
            raise self.deadline.expired() from None


class _DeadlineSocket:
    """What :class:`http.client.HTTPResponse` needs of a socket: ``makefile``."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self.sock = sock
        self.deadline = deadline

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self.sock, self.deadline))


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


_RESOLVER = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="esr-dns")


def _resolve(host: str, port: int, deadline: _Deadline, url: str) -> list[tuple[Any, ...]]:
    """Addresses of ``host``, looked up under the deadline (getaddrinfo has no timeout)."""
    future = _RESOLVER.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=deadline.left())
    except concurrent.futures.TimeoutError:
        raise deadline.expired() from None
    except (OSError, UnicodeError):
        raise FetchError(
            f"L'adresse {url} est introuvable : le nom « {host} » ne correspond à aucun "
            "serveur. Vérifiez l'adresse."
        ) from None
    if not infos:
        raise FetchError(f"L'adresse {url} est introuvable : « {host} » n'a aucune adresse.")
    return infos


def _connect(
    scheme: str, host: str, port: int, deadline: _Deadline, url: str, allow_private: bool
) -> socket.socket:
    infos = _resolve(host, port, deadline, url)
    if not allow_private:
        refused = [info[4][0] for info in infos if not _public(info[4][0])]
        if refused:
            raise FetchError(
                f"L'adresse {url} est refusée : « {host} » désigne une adresse interne "
                f"({refused[0]} : boucle locale, réseau privé ou réservé). Le service ne "
                "télécharge que des adresses publiques d'internet."
            )
    last: OSError | None = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(deadline.left())
            sock.connect(address)
        except TimeoutError:
            sock.close()
            raise deadline.expired() from None
        except OSError as error:
            sock.close()
            last = error
            continue
        if scheme == "https":
            context = ssl.create_default_context()
            try:
                sock.settimeout(deadline.left())
                return context.wrap_socket(sock, server_hostname=host)
            except TimeoutError:
                sock.close()
                raise deadline.expired() from None
            except ssl.SSLCertVerificationError:
                sock.close()
                raise FetchError(
                    f"L'adresse {url} présente un certificat HTTPS invalide (expiré, ou "
                    "d'un autre site) : la connexion n'est pas sûre et a été abandonnée."
                ) from None
            except (ssl.SSLError, OSError):
                sock.close()
                raise FetchError(
                    f"L'adresse {url} : la connexion sécurisée (HTTPS) a échoué. Vérifiez "
                    "l'adresse, ou essayez plus tard."
                ) from None
        return sock
    del last
    raise FetchError(
        f"L'adresse {url} est injoignable : le serveur {host} refuse la connexion ou ne "
        "répond pas. Vérifiez l'adresse, ou réessayez plus tard."
    )


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError(f"L'adresse « {url} » est mal formée.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(
            f"L'adresse « {url} » n'est pas une adresse web : seules les adresses http:// "
            "et https:// sont acceptées."
        )
    host = parts.hostname
    if not host:
        raise FetchError(f"L'adresse « {url} » n'a pas de nom de serveur.")
    if parts.username or parts.password:
        raise FetchError(
            f"L'adresse « {url} » contient un identifiant ou un mot de passe : ce n'est pas "
            "accepté. Donnez une adresse publique sans identifiants."
        )
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return scheme, host, port or (443 if scheme == "https" else 80), target


def _request(host: str, port: int, scheme: str, target: str, accept: str) -> bytes:
    default = 443 if scheme == "https" else 80
    host_header = host if port == default else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if port == default else f"[{host}]:{port}"
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: {host_header}",
        f"User-Agent: {USER_AGENT}",
        f"Accept: {accept}",
        "Accept-Encoding: gzip, identity",
        "Connection: close",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii", "strict")


def _protocol_error(url: str, error: Exception) -> FetchError:
    if isinstance(error, http.client.RemoteDisconnected):
        return FetchError(
            f"L'adresse {url} : le serveur a coupé la connexion sans répondre. Réessayez plus tard."
        )
    if isinstance(error, http.client.LineTooLong):
        what = "une ligne d'en-tête trop longue"
    elif isinstance(error, http.client.BadStatusLine):
        what = "une ligne d'état mal formée (ce n'est pas une réponse HTTP)"
    elif isinstance(error, http.client.IncompleteRead):
        what = (
            "un contenu tronqué ou mal découpé (connexion coupée avant la fin, ou morceaux "
            "annoncés illisibles)"
        )
    elif "headers" in str(error):
        what = "plus de 100 lignes d'en-tête"
    else:
        what = "une réponse HTTP mal formée"
    return FetchError(
        f"L'adresse {url} a envoyé {what} : le téléchargement a été abandonné. Vérifiez "
        "l'adresse, ou téléchargez le fichier et donnez-le directement."
    )


def _body(
    response: http.client.HTTPResponse, url: str, max_bytes: int, deadline: _Deadline
) -> Iterator[bytes]:
    """The decoded body, in pieces, never more than ``max_bytes`` in all."""
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", ""):
        raise FetchError(
            f"L'adresse {url} envoie un contenu compressé dans un format non pris en charge "
            f"({encoding})."
        )
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if "gzip" in encoding else None
    received = 0

    def too_big() -> FetchError:
        return FetchError(
            f"Le fichier à l'adresse {url} dépasse la taille maximale acceptée "
            f"({size_fr(max_bytes)}) : le téléchargement a été arrêté."
        )

    while True:
        try:
            piece = response.read1(READ_SIZE)
        except FetchError:
            raise
        except (http.client.HTTPException, ValueError) as error:
            raise _protocol_error(url, error) from None
        except OSError:
            raise FetchError(
                f"L'adresse {url} : la connexion a été coupée pendant le téléchargement. "
                "Réessayez plus tard."
            ) from None
        if not piece:
            break
        if inflater is not None:
            try:
                piece = inflater.decompress(piece, max_bytes - received + 1)
            except zlib.error:
                raise FetchError(
                    f"L'adresse {url} envoie un contenu compressé illisible (gzip abîmé)."
                ) from None
            if inflater.unconsumed_tail:
                raise too_big()
        received += len(piece)
        if received > max_bytes:
            raise too_big()
        deadline.left()
        yield piece


def _filename(url: str, content_type: str) -> str:
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._")[:100]
    if not keep:
        keep = "fichier"
    if "." not in keep:
        kind = content_type.split(";", 1)[0].strip().lower()
        keep += {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
            "application/vnd.oasis.opendocument.spreadsheet": ".ods",
            "application/json": ".json",
        }.get(kind, ".csv")
    return keep


def _status_message(url: str, status: int) -> str:
    if status == 404:
        return f"L'adresse {url} n'existe pas (erreur 404, page introuvable). Vérifiez l'adresse."
    if status in (401, 403):
        return (
            f"L'adresse {url} est protégée (erreur {status}, accès refusé) : donnez une "
            "adresse publique, ou téléchargez le fichier et donnez-le directement."
        )
    if status >= 500:
        return f"Le serveur de l'adresse {url} est en panne (erreur {status}). Réessayez plus tard."
    return f"L'adresse {url} a répondu par une erreur (code HTTP {status})."


def download(
    url: str,
    dest_dir: Path,
    *,
    timeout: float,
    max_bytes: int,
    allow_private: bool = False,
    accept: str = "*/*",
) -> Fetched:
    """Download ``url`` into a new file in ``dest_dir``; :class:`FetchError` otherwise.

    ``timeout`` is the total deadline in seconds for everything, redirects included. A
    partial file never remains: on any failure the file is removed.
    """
    deadline = _Deadline(check_timeout(timeout), url)
    seen: list[str] = []
    current = url
    while True:
        scheme, host, port, target = _split(current)
        sock = _connect(scheme, host, port, deadline, current, allow_private)
        try:
            try:
                sock.settimeout(deadline.left())
                sock.sendall(_request(host, port, scheme, target, accept))
            except TimeoutError:
                raise deadline.expired() from None
            except UnicodeEncodeError:
                raise FetchError(
                    f"L'adresse « {current} » contient des caractères invalides."
                ) from None
            except OSError:
                raise FetchError(
                    f"L'adresse {current} : la connexion a été coupée par le serveur."
                ) from None
            response = http.client.HTTPResponse(_DeadlineSocket(sock, deadline), method="GET")  # type: ignore[arg-type]
            try:
                response.begin()
            except FetchError:
                raise
            except (http.client.HTTPException, ValueError) as error:
                raise _protocol_error(current, error) from None
            except OSError:
                raise FetchError(
                    f"L'adresse {current} : le serveur a coupé la connexion sans répondre."
                ) from None
            if response.status in _REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(
                        f"L'adresse {current} annonce une redirection sans dire vers où."
                    )
                seen.append(current)
                following = urljoin(current, location.strip())
                if following in seen:
                    raise FetchError(
                        f"L'adresse {url} redirige en boucle (elle revient à {following}) : "
                        "elle ne mène à aucun fichier. Vérifiez l'adresse."
                    )
                if len(seen) > MAX_REDIRECTS:
                    raise FetchError(
                        f"L'adresse {url} redirige plus de {MAX_REDIRECTS} fois de suite : "
                        "le téléchargement a été abandonné. Donnez l'adresse finale du fichier."
                    )
                current = following
                continue
            if response.status != 200:
                raise FetchError(_status_message(current, response.status))
            length = response.getheader("Content-Length")
            if length and length.strip().isdigit() and int(length) > max_bytes:
                raise FetchError(
                    f"Le fichier à l'adresse {current} pèse {size_fr(int(length))}, plus que la "
                    f"taille maximale acceptée ({size_fr(max_bytes)})."
                )
            content_type = response.getheader("Content-Type") or ""
            dest_dir.mkdir(parents=True, exist_ok=True)
            name = _filename(current, content_type)
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, then renamed)
                "wb", dir=dest_dir, prefix="telechargement-", delete=False
            )
            written = Path(handle.name)
            size = 0
            try:
                with handle:
                    for piece in _body(response, current, max_bytes, deadline):
                        handle.write(piece)
                        size += len(piece)
                final = dest_dir / name
                if final.exists():
                    final = dest_dir / f"{written.name}-{name}"
                os.replace(written, final)
            except BaseException:
                written.unlink(missing_ok=True)
                raise
            return Fetched(current, content_type, final, size, name)
        finally:
            sock.close()


def fetch_bytes(
    url: str, *, timeout: float, max_bytes: int, allow_private: bool = False, accept: str = "*/*"
) -> bytes:
    """The body of ``url`` in memory (small documents such as a schema)."""
    with tempfile.TemporaryDirectory(prefix="esr-fetch-") as tmp:
        fetched = download(
            url,
            Path(tmp),
            timeout=timeout,
            max_bytes=max_bytes,
            allow_private=allow_private,
            accept=accept,
        )
        return fetched.path.read_bytes()


__all__ = ["FetchError", "Fetched", "check_timeout", "download", "fetch_bytes", "size_fr"]
