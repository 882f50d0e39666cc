"""The service's validation processes (``service.slots.Worker``), driven directly.

A worker stopped at the time limit must release at once the thread that waits for its
answer, and its pipe must not be handed to the next worker while that thread may still
read it (seen in CI: the next request lost its fresh worker, a 500).
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO
from esr_schemas.service.slots import Worker, WorkerLost

pytestmark = pytest.mark.slow


def hold_pipe_and_sleep(pid_file: str, seconds: float) -> None:
    """A job (run in the worker) that starts, outside the worker's process group, a
    process holding the worker's end of the pipe, then sleeps: killing the worker does
    not end the pipe, as long as that process lives."""
    sockets = [
        int(name)
        for name in os.listdir("/proc/self/fd")
        if _is_socket(int(name))  # the pipe to the server (and nothing else here)
    ]
    holder = subprocess.Popen(["sleep", str(seconds)], pass_fds=sockets, start_new_session=True)
    written = Path(pid_file + ".part")
    written.write_text(str(holder.pid), encoding="utf-8")
    written.rename(pid_file)  # whole, or not there yet
    time.sleep(seconds)


def _is_socket(fd: int) -> bool:
    try:
        return stat.S_ISSOCK(os.fstat(fd).st_mode)
    except OSError:
        return False


def test_a_killed_worker_releases_its_waiting_thread_and_the_next_worker_answers(
    tmp_path: Path,
) -> None:
    worker = Worker(str(REPO))
    worker.wait_ready()
    pid_file = tmp_path / "holder.pid"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(worker.call, hold_pipe_and_sleep, (str(pid_file), 60.0))
        deadline = time.monotonic() + 30
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pid_file.exists(), "the job started"
        holder = int(pid_file.read_text(encoding="utf-8"))
        fresh: Worker | None = None
        try:
            worker.kill()
            fresh = Worker(str(REPO))
            # the thread blocked in the read of the answer is woken at once, although
            # a process outside the worker's group still holds the other end
            with pytest.raises(WorkerLost):
                waiting.result(timeout=10)
            fresh.wait_ready()
            assert fresh.call(len, ("abc",)) == 3, "the next worker answers its jobs"
            worker.reap()
            assert worker.connection.closed, "the pipe is closed once no thread reads it"
            assert not fresh.connection.closed
        finally:
            os.kill(holder, signal.SIGKILL)
            if fresh is not None:
                fresh.kill()
                fresh.reap()
