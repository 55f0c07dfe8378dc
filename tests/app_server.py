"""The application served by a real uvicorn process over a given database, for browser tests and for
tests that need a second app process beside the one under test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from tests.conftest import TEST_GAZETTEER


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(
    database_url: str, *, what: str = "the app server", env: dict[str, str] | None = None
) -> Iterator[str]:
    """Start `uvicorn tsunagari.web.app:create_app` on a free port; yield its base URL once /healthz
    answers (RuntimeError naming `what` if it never does); stop the process afterwards."""
    port = free_port()
    environment = {
        **os.environ,
        "TSUNAGARI_DATABASE_URL": database_url,
        "TSUNAGARI_GAZETTEER": TEST_GAZETTEER,
        **(env or {}),
    }
    command = [sys.executable, "-m", "uvicorn", "tsunagari.web.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, env=environment)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{what} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
