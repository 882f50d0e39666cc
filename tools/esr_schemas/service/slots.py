"""Bounded work: a fixed number of slots per server process, each job in its own process.

A request takes a slot before it reads its upload; when none is free it is answered
503 with ``Retry-After`` at once, so memory and disk never grow with a queue. The
validation itself runs in one of as many worker processes as slots (:mod:`.work`),
each with the registry loaded once, so the event loop keeps answering, ``/health``
first.

The workers are ours rather than a ``ProcessPoolExecutor``'s, for two reasons:

- **a job past the time limit is stopped**: its worker (and whatever the worker
  started, such as the child process of a pattern) is killed, the request answered
  504, its temporary folder removed and its slot freed at once; a fresh worker takes
  its place in the background. A pool's task cannot be stopped;
- **the last worker used is the next one used**: an idle worker whose memory pages
  and caches are still warm validates faster than one that sat idle while the others
  worked (a pool hands jobs round the workers, and each then starts cold).

The time limit counts from the moment the worker starts the job, not while a
replacement worker is still starting. A worker that dies (memory exhausted, killed)
answers the request with a 500 and is replaced.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import signal
import socket
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from . import work
from .errors import ServiceError

T = TypeVar("T")
LOG = logging.getLogger("esr_schemas.service")
RETRY_AFTER_SECONDS = 5
START_LIMIT_SECONDS = 300.0
"""How long a worker may take to load the registry and warm up before it is given up."""


class WorkerLost(Exception):
    """The worker process ended before it answered (killed, out of memory)."""


class Worker:
    """One validation process and the pipe it takes jobs from."""

    def __init__(self, root: str) -> None:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe(duplex=True)
        self.process: BaseProcess = context.Process(
            target=work.serve_jobs, args=(theirs, root), name="esr-schemas-validation"
        )
        self.process.start()
        theirs.close()
        self.connection: Connection = ours
        self.ready = False
        self.waiting: concurrent.futures.Future[Any] | None = None
        """The last call of :meth:`wait_ready` or :meth:`call` handed to a thread."""

    def wait_ready(self) -> None:
        """Blocks until the worker has loaded the registry and warmed up."""
        if self.ready:
            return
        if not self.connection.poll(START_LIMIT_SECONDS):
            raise WorkerLost("the worker did not start")
        self._receive()
        self.ready = True

    def call(self, job: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """Runs ``job(*args)`` in the worker; blocks until its answer."""
        try:
            self.connection.send((job, args))
        except OSError:
            raise WorkerLost("the worker is gone") from None
        kind, value = self._receive()
        if kind == "error":
            raise value
        if kind == "failed":
            raise RuntimeError(f"validation worker failed with {value}")
        return value

    def _receive(self) -> tuple[str, Any]:
        try:
            message: tuple[str, Any] = self.connection.recv()
        except (EOFError, OSError):
            raise WorkerLost("the worker ended") from None
        return message

    def kill(self) -> None:
        """Kills the worker and every process it started (it leads its own group), and
        wakes the thread that may still wait for its answer.

        The pipe is shut down here but closed only by :meth:`reap`, once no thread reads
        it any more. Closed at once, its number could be given to the next worker's pipe
        while a thread still waits on it: a read the kernel restarts (after a signal)
        then takes the next worker's messages, and that worker is lost.
        """
        pid = self.process.pid
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # in case it had not made its group yet
        if not self.connection.closed:
            with contextlib.suppress(OSError):
                fd = self.connection.fileno()
                with socket.fromfd(fd, socket.AF_UNIX, socket.SOCK_STREAM) as pipe:  # a dup
                    pipe.shutdown(socket.SHUT_RDWR)

    def reap(self) -> None:
        """After :meth:`kill`: the process waited for, and the pipe closed once the thread
        that waited on it (if any) has returned."""
        self.process.join(timeout=10)
        if self.waiting is not None:
            done, _ = concurrent.futures.wait([self.waiting], timeout=10)
            if not done:  # never seen: the pipe stays open rather than be reused under it
                LOG.error("a thread still waits on a stopped validation process")
                return
        self.connection.close()


class Slots:
    def __init__(self, count: int, time_limit: float, root: str) -> None:
        self.count = count
        self.time_limit = time_limit
        self.root = root
        self.busy = 0
        self.idle: list[Worker] = []
        """Most recently used last: :meth:`run` takes from the end."""
        self.working: set[Worker] = set()
        # each job holds one thread (start, then answer), and a killed worker one more
        # while it is reaped
        self.threads = concurrent.futures.ThreadPoolExecutor(
            max_workers=2 * count + 2, thread_name_prefix="esr-slot"
        )

    async def warm_up(self) -> None:
        """Start the workers now, and wait until they are ready, rather than on the first
        request."""
        self.idle = [Worker(self.root) for _ in range(self.count)]
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self.threads, w.wait_ready) for w in self.idle))

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

    def _replace(self, worker: Worker) -> None:
        """Kills ``worker`` now; a fresh one, started at once, is the last choice of the
        next requests (the warm ones come first)."""
        worker.kill()
        self.threads.submit(worker.reap)
        self.idle.insert(0, Worker(self.root))

    def _in_thread(self, worker: Worker, call: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """``call(*args)`` in a thread, remembered by ``worker`` so that its pipe is not
        closed under it (:meth:`Worker.reap`)."""
        worker.waiting = self.threads.submit(call, *args)
        return asyncio.wrap_future(worker.waiting)

    async def run(self, job: Callable[..., T], *args: Any, cleanup: Callable[[], None]) -> T:
        """``job(*args)`` in a worker process; then ``cleanup()`` and the slot's release.

        The caller must have taken the slot; from here on the slot and ``cleanup``
        belong to the job. ``cleanup`` (the removal of the upload) runs in a thread of
        asyncio's default executor, which the server waits for when it stops: the
        answer does not wait for the removal of a large file (a millisecond per 10 MB
        of page cache to free).
        """
        loop = asyncio.get_running_loop()
        worker = self.idle.pop() if self.idle else Worker(self.root)
        self.working.add(worker)
        kept = False
        try:
            if not worker.ready:  # a worker still starting: wait for it off the event loop
                await self._in_thread(worker, worker.wait_ready)
            result: T = await asyncio.wait_for(
                self._in_thread(worker, worker.call, job, args), self.time_limit
            )
            kept = True
            return result
        except ServiceError:
            kept = True  # the job's own answer (unusable file...): the worker is fine
            raise
        except TimeoutError:
            raise ServiceError(
                504,
                "delai-depasse",
                f"La validation a dépassé la durée maximale de ce service ({self.time_limit:g} "
                "s) : elle a été arrêtée. Validez ce fichier sur votre poste avec la commande "
                "esr-schemas validate, qui n'a pas de limite de durée.",
            ) from None
        except WorkerLost:
            LOG.error("a validation process ended before answering; replaced")
            raise ServiceError(
                500,
                "validation-interrompue",
                "La validation de ce fichier a été interrompue (mémoire du serveur épuisée ?). "
                "Validez-le sur votre poste avec la commande esr-schemas validate.",
            ) from None
        finally:
            # a job that did not end normally (time limit, lost worker, request
            # cancelled, unexpected error) is stopped with its worker
            self.working.discard(worker)
            if kept:
                self.idle.append(worker)
            else:
                self._replace(worker)
            try:
                loop.run_in_executor(None, cleanup)
            except RuntimeError:  # the server is stopping: no new threads
                cleanup()
            self.give_back()

    def close(self) -> None:
        every = self.idle + list(self.working)
        for worker in every:
            worker.kill()
        for worker in every:
            worker.reap()
        self.idle, self.working = [], set()
        self.threads.shutdown(wait=False, cancel_futures=True)
