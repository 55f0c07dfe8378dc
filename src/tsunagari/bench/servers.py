"""Servers under measurement, each a subprocess on a free loopback port, and their resident memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from tsunagari.errors import TsunagariError

HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process in MiB, from /proc/<pid>/status (VmRSS now, VmHWM at its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise TsunagariError(f"/proc/{pid}/status has no {field}")


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _uvicorn_command(app: str, port: int, workers: int = 1) -> list[str]:
    # The same settings for our app and the floor: one worker, no access log, log level warning.
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def _datasette_command(database: Path, port: int) -> list[str]:
    datasette = Path(sys.executable).with_name("datasette")
    return [
        str(datasette) if datasette.exists() else "datasette",
        "serve",
        str(database),
        "--host",
        HOST,
        "--port",
        str(port),
        # Long enough that a slow LIKE is measured rather than cut off with an error; facet
        # suggestions are off because the equivalent API answers of ours do not compute any.
        "--setting",
        "sql_time_limit_ms",
        "30000",
        "--setting",
        "suggest_facets",
        "off",
    ]


def _start(
    name: str, command: Sequence[str], port: int, ready_path: str, workdir: Path, env: Mapping[str, str]
) -> Server:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT, env=dict(env))
    server = Server(name=name, port=port, process=process, log=log)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise TsunagariError(f"{name} exited at start-up:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            if (
                httpx.get(f"http://{HOST}:{port}{ready_path}", timeout=2.0, trust_env=False).status_code
                == 200
            ):
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise TsunagariError(f"{name} did not answer {ready_path} within {STARTUP_TIMEOUT_S:.0f} s")


def tsunagari_name(*, cached: bool = True, workers: int = 1) -> str:
    return ("tsunagari" if cached else "tsunagari_uncached") + (f"_workers{workers}" if workers > 1 else "")


def start_tsunagari(
    database_url: str, workdir: Path, *, cached: bool = True, workers: int = 1, name: str | None = None
) -> Server:
    """Our app; with `cached=False` its response cache is off, so every request builds its answer;
    `workers` processes as `tsunagari serve --workers N` runs them (uvicorn's workers)."""
    port = free_port()
    env = {**os.environ, "TSUNAGARI_DATABASE_URL": database_url}
    if not cached:
        env["TSUNAGARI_RESPONSE_CACHE_ENTRIES"] = "0"
    command = _uvicorn_command("tsunagari.web.app:create_app", port, workers)
    name = name or tsunagari_name(cached=cached, workers=workers)
    return _start(name, command, port, "/healthz", workdir, env)


def start_floor(workdir: Path) -> Server:
    port = free_port()
    command = _uvicorn_command("tsunagari.bench.floor:create_app", port)
    return _start("floor", command, port, "/", workdir, os.environ)


def start_datasette(database: Path, workdir: Path) -> Server:
    port = free_port()
    return _start(
        "datasette", _datasette_command(database, port), port, "/-/versions.json", workdir, os.environ
    )
