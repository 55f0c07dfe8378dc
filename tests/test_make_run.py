"""`make run` on a fresh database: reference data, demo data, and the portal answering /healthz."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_BACKEND, Databases

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def empty_database(databases: Databases) -> Iterator[str]:
    """A database with nothing in it on the run's backend, for `make run` to initialise."""
    url = databases.empty()
    yield url
    databases.discard(url)


def test_make_run_serves_healthz_with_the_demo_loaded(tmp_path: Path, empty_database: str) -> None:
    port = free_port()
    env = {
        **os.environ,
        "TSUNAGARI_DATABASE_URL": empty_database,
        "TSUNAGARI_GAZETTEER": "cities15000",
        "TSUNAGARI_PORT": str(port),
    }
    log = (tmp_path / "make-run.log").open("w")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    body = None
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = json.load(response)
                    break
            except OSError:
                time.sleep(1)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
    output = (tmp_path / "make-run.log").read_text()
    assert body is not None, output[-3000:]
    assert body["status"] == "ok"
    assert body["database"] == TEST_BACKEND
    assert body["partnerships"] >= 30
    assert "デモデータ / demo data" in output
