"""Bounded work: a fixed number of slots per worker, each job in a thread, a time limit.

A request takes a slot before it reads its upload; when none is free it is answered
503 with ``Retry-After`` at once, so memory and disk never grow with the queue. The
validation itself runs in a worker thread (the engine is CPU-bound and releases the
GIL in polars), so the event loop keeps answering, ``/health`` first.

Past the time limit the request is answered with an error; a thread cannot be
stopped, so the slot stays taken until the validation really ends, and only then is
the request's temporary folder removed (``cleanup``). The count of busy slots is thus
always the count of validations really running.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import TypeVar

from .errors import ServiceError

T = TypeVar("T")
RETRY_AFTER_SECONDS = 5


class Slots:
    def __init__(self, count: int, time_limit: float) -> None:
        self.count = count
        self.time_limit = time_limit
        self.busy = 0
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=count, thread_name_prefix="esr-validation"
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

    async def run(self, job: Callable[[], T], cleanup: Callable[[], None]) -> T:
        """``job()`` in a thread; ``cleanup()`` and the slot's release once it has ended.

        The caller must have taken the slot; from here on the slot and ``cleanup``
        belong to the job.
        """
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, job)

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
                f"La validation a dépassé la durée maximale de ce service ({self.time_limit:.0f} "
                "s). Validez ce fichier sur votre poste avec la commande esr-schemas validate, "
                "qui n'a pas de limite de durée.",
            ) from None

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
