"""Helpers of the service tests (no test here): the real server, started as users start it.

``start_service`` runs ``esr-schemas serve --port 0`` in a child process with its own
``TMPDIR``, reads the address it announces, and waits for ``/health``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from conftest import REPO

CLI = str(Path(sys.executable).parent / "esr-schemas")


@dataclass
class RunningService:
    url: str
    process: subprocess.Popen[str]
    tmpdir: Path
    logs: list[str]
    """What the service wrote on its error output (its log)."""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def leftovers(self, within: float = 3.0) -> list[Path]:
        """What the service left in its temporary folder, once ``within`` seconds have
        passed (the removal of an upload runs in a thread once the answer is sent)."""
        deadline = time.monotonic() + within
        while True:
            left = sorted(self.tmpdir.rglob("*"))
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.02)


def start_service(tmpdir: Path, *options: str, root: Path = REPO) -> RunningService:
    tmpdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    process = subprocess.Popen(
        [CLI, "serve", "--root", str(root), "--port", "0", *options],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        process.kill()
        raise AssertionError(f"the service did not start: {line}{process.stderr.read()}")
    url = f"http://127.0.0.1:{found.group(1)}"
    stream = process.stderr
    logs = [line]
    threading.Thread(target=lambda: logs.extend(stream), daemon=True).start()  # drain the log
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise AssertionError("the service never answered /health")
        time.sleep(0.1)
    return RunningService(url, process, tmpdir, logs)
