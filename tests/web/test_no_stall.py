"""No route can stall the server: a served instance under 64 connections of distinct requests, and under
a burst of wrong passwords, keeps answering /healthz within a second and fails no request."""

from __future__ import annotations

import random
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import httpx
import pytest
from sqlalchemy import select

from tests.app_server import running_app
from tests.conftest import Databases
from tsunagari.bench.load import Job
from tsunagari.bench.loadgen import LoadGenerator
from tsunagari.db import make_engine
from tsunagari.municipality.models import Municipality

HEALTH_LIMIT_S = 1.0


class HealthWatch:
    """Polls /healthz from its own thread and keeps the slowest answer (a failure counts as forever)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.slowest = 0.0
        self.failures: list[str] = []
        self.polls = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=10) as response:
                    if response.status != 200:
                        self.failures.append(f"status {response.status}")
            except OSError as error:
                self.failures.append(repr(error))
            self.slowest = max(self.slowest, time.perf_counter() - started)
            self.polls += 1
            self._stop.wait(0.05)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=15)


def _distinct_paths(database_url: str, count: int) -> list[str]:
    """Detail, partner list, search and page requests, each for a different municipality or word."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Municipality.id, Municipality.name)).all()
    finally:
        engine.dispose()
    rng = random.Random(20261207)
    rng.shuffle(rows)
    paths: list[str] = []
    for index, (municipality_id, name) in enumerate(rows[:count]):
        word = quote(name[: 2 if index % 3 == 0 else len(name)])
        paths += [
            f"/api/v1/municipalities/{municipality_id}",
            f"/api/v1/partnerships?municipality={municipality_id}",
            f"/api/v1/search?q={word}",
            f"/municipalities/{municipality_id}",
            f"/search?q={word}",
        ]
    rng.shuffle(paths)
    return paths


@dataclass(frozen=True)
class Served:
    url: str
    """The database the instance serves."""
    base: str
    cache: str


@pytest.fixture(scope="module", params=["on", "off"])
def served(request: pytest.FixtureRequest, databases: Databases) -> Iterator[Served]:
    """One served instance on a copy of the demo database per response-cache setting, shared by this
    module's tests (starting a server costs seconds)."""
    cache: str = request.param
    env = {} if cache == "on" else {"TSUNAGARI_RESPONSE_CACHE_ENTRIES": "0"}
    url = databases.copy(demo=True)
    try:
        with running_app(url, what="the served instance", env=env) as base:
            yield Served(url, base, cache)
    finally:
        databases.discard(url)


def _job(base: str, paths: list[str], connections: int, seconds: float) -> Job:
    parts = urlsplit(base)
    assert parts.hostname is not None and parts.port is not None
    return Job(
        host=parts.hostname,
        port=parts.port,
        paths=paths,
        connections=connections,
        max_requests=1_000_000,
        seconds=seconds,
        grace_seconds=20,
    )


def test_64_connections_of_distinct_requests_never_stall_healthz(served: Served) -> None:
    paths = _distinct_paths(served.url, 600)
    # The load comes from a process of its own: in this one it would take the interpreter from the
    # /healthz watcher, and the test would time its own client.
    with HealthWatch(served.base) as watch, LoadGenerator() as load:
        result = load.run(_job(served.base, paths, connections=64, seconds=6))
    figures = f"{result.rps:.0f} req/s, p99 {result.p99_ms:.0f} ms, /healthz at most {watch.slowest:.3f} s"
    print(f"cache {served.cache}: {figures}")
    assert result.completed > 64, result
    assert result.errors == 0 and result.timeouts == 0, result
    assert set(result.statuses) <= {"200"}, result.statuses
    assert watch.polls > 10 and not watch.failures, watch.failures
    assert watch.slowest < HEALTH_LIMIT_S, f"/healthz took {watch.slowest:.2f} s under load"


def _wrong_login(base: str) -> Callable[[], int]:
    """One browser's attempt: fetch the login form (for its CSRF cookie and token), post a wrong password."""

    def attempt() -> int:
        with httpx.Client(base_url=base, timeout=60, trust_env=False) as client:
            form = client.get("/staff/login")
            token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            answer = client.post(
                "/staff/login",
                data={
                    "email": "admin@musashino.example.jp",
                    "password": "wrong-password",
                    "csrf_token": token,
                },
            )
            return answer.status_code

    return attempt


def test_a_burst_of_wrong_passwords_never_stalls_healthz(served: Served) -> None:
    with HealthWatch(served.base) as watch:
        statuses: list[int] = []
        attempt = _wrong_login(served.base)

        def run() -> None:
            statuses.append(attempt())

        threads = [threading.Thread(target=run) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        # Two more polls after the burst, so the watch also covers its very end.
        polls_at_end = watch.polls
        deadline = time.monotonic() + 10
        while watch.polls < polls_at_end + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert len(statuses) == 8
    # Wrong passwords are refused (401), and once the limiter sees enough of them, unchecked (429).
    assert set(statuses) <= {401, 429}, statuses
    assert not watch.failures, watch.failures
    assert watch.slowest < HEALTH_LIMIT_S, f"/healthz took {watch.slowest:.2f} s during the logins"
