"""Bounded work: a fixed number of slots per server process, each job in its own process.

A request takes a slot before it reads its upload; when none is free it is answered
503 with ``Retry-After`` at once, so memory and disk never grow with a queue. The
validation itself runs in a pool of as many processes as slots (:mod:`.work`), each
with the registry loaded once, so the event loop keeps answering, ``/health`` first.

Past the time limit the request is answered with an error. The job is not stopped
(the pool cannot stop one task), so its slot stays taken until it really ends, and
only then is the request's temporary folder removed (``cleanup``): the count of busy
slots is always the count of validations really running. A worker process that dies
(memory exhausted, killed) breaks the pool: it is replaced and the request gets a 500.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from . import work
from .errors import ServiceError

T = TypeVar("T")
RETRY_AFTER_SECONDS = 5


class Slots:
    def __init__(self, count: int, time_limit: float, root: str) -> None:
        self.count = count
        self.time_limit = time_limit
        self.root = root
        self.busy = 0
        self.executor = self._pool()

    def _pool(self) -> concurrent.futures.ProcessPoolExecutor:
        return concurrent.futures.ProcessPoolExecutor(
            max_workers=self.count,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=work.start,
            initargs=(self.root,),
        )

    async def warm_up(self) -> None:
        """Start the pool's processes now rather than on the first request."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(self.executor, work.ready) for _ in range(self.count))
        )

    def take(self) -> None:
        """Take a slot, or raise the 503 that tells the client to come back."""
        if self.busy >= self.count:
            raise ServiceError(
                503,
                "service-occupe",
                "Le service valide déjà autant de fichiers qu'il le peut. Réessayez dans "
                f"quelques secondes ({RETRY_AFTER_SECONDS} s).",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        self.busy += 1

    def give_back(self) -> None:
        self.busy -= 1

    async def run(self, job: Callable[..., T], *args: Any, cleanup: Callable[[], None]) -> T:
        """``job(*args)`` in a worker process; then ``cleanup()`` and the slot's release.

        The caller must have taken the slot; from here on the slot and ``cleanup``
        belong to the job.
        """
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self.executor, job, *args)
        except BrokenProcessPool:
            self.executor = self._pool()
            future = loop.run_in_executor(self.executor, job, *args)

        def finished(_: asyncio.Future[T]) -> None:
            cleanup()
            self.give_back()

        future.add_done_callback(finished)
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.time_limit)
        except TimeoutError:
            raise ServiceError(
                504,
                "delai-depasse",
                f"La validation a dépassé la durée maximale de ce service ({self.time_limit:g} "
                "s). Validez ce fichier sur votre poste avec la commande esr-schemas validate, "
                "qui n'a pas de limite de durée.",
            ) from None
        except BrokenProcessPool:
            self.executor = self._pool()
            raise ServiceError(
                500,
                "validation-interrompue",
                "La validation de ce fichier a été interrompue (mémoire du serveur épuisée ?). "
                "Validez-le sur votre poste avec la commande esr-schemas validate.",
            ) from None

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
