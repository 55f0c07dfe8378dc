"""The HTTP load generator: closed-loop keep-alive clients over loopback, run in a process of its own.

`python -m tsunagari.bench.load` reads one job per line on stdin and answers one result per line on
stdout (JSON), so the runner can keep it alive across every series without sharing an interpreter
with any server it measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Client = Literal["raw", "httpx"]


@dataclass(frozen=True)
class Job:
    host: str
    port: int
    paths: list[str]
    """Requested in turn by every connection, so a mix of queries weighs each equally."""
    connections: int
    max_requests: int
    seconds: float
    """No request starts after this; requests in flight may finish during the grace period."""
    grace_seconds: float
    """Requests still unanswered this long after `seconds` are abandoned and counted as timeouts."""
    client: Client = "raw"
    random_order: bool = False
    """Each request draws its path at random (seeded per connection), as traffic arrives, rather
    than every connection asking for the paths in turn."""
    seed: int = 0


@dataclass
class Result:
    completed: int = 0
    errors: int = 0
    """Answers other than 200 and broken connections."""
    timeouts: int = 0
    """Requests abandoned at the hard deadline; their waits so far enter the percentiles as lower bounds."""
    elapsed_s: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    cache_hits: int = 0
    """Answers marked `X-Cache: hit` (served from our response cache)."""


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


class _Budget:
    """Hands out request slots until the count or the time runs out: the loop stops by itself."""

    def __init__(self, max_requests: int, seconds: float) -> None:
        self.left = max_requests
        self.deadline = time.perf_counter() + seconds

    def take(self) -> bool:
        if self.left <= 0 or time.perf_counter() >= self.deadline:
            return False
        self.left -= 1
        return True


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bool]:
    """One HTTP/1.1 response off a keep-alive stream: (status, server wants to close, cache hit)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length: int | None = None
    chunked = closing = hit = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and value.strip().lower() == "close":
            closing = True
        elif name == "x-cache" and value.strip().lower() == "hit":
            hit = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            await reader.readexactly(size + 2)  # the chunk and its CRLF
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    else:  # no length: the body runs to the end of the connection
        await reader.read()
        closing = True
    return status, closing, hit


class _Tally:
    """What the workers of one job record; shared because they run on one event loop."""

    def __init__(self) -> None:
        self.result = Result()
        self.latencies: list[float] = []
        self.in_flight: dict[int, float] = {}
        """Start time of each worker's unanswered request, for the waits of abandoned ones."""

    def answered(self, worker: int, status: int, hit: bool = False) -> None:
        self.result.cache_hits += hit
        started = self.in_flight.pop(worker)
        self.latencies.append(time.perf_counter() - started)
        key = str(status)
        self.result.statuses[key] = self.result.statuses.get(key, 0) + 1
        if status != 200:
            self.result.errors += 1

    def failed(self, worker: int) -> None:
        self.in_flight.pop(worker, None)
        self.result.errors += 1


async def _raw_worker(job: Job, worker: int, budget: _Budget, tally: _Tally) -> None:
    requests = [
        f"GET {path} HTTP/1.1\r\nHost: {job.host}:{job.port}\r\nAccept: application/json\r\n\r\n".encode()
        for path in job.paths
    ]
    turn = worker
    draw = random.Random(job.seed * 1_000 + worker)
    writer: asyncio.StreamWriter | None = None
    reader: asyncio.StreamReader | None = None
    try:
        while budget.take():
            tally.in_flight[worker] = time.perf_counter()
            try:
                if writer is None or reader is None:
                    reader, writer = await asyncio.open_connection(job.host, job.port)
                index = draw.randrange(len(requests)) if job.random_order else turn % len(requests)
                writer.write(requests[index])
                turn += 1
                status, closing, hit = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                tally.failed(worker)
                if writer is not None:
                    writer.close()
                writer = reader = None
                continue
            tally.answered(worker, status, hit)
            if closing:
                writer.close()
                writer = reader = None
    finally:
        if writer is not None:
            writer.close()


async def _httpx_worker(job: Job, worker: int, budget: _Budget, tally: _Tally, client: Any) -> None:
    import httpx

    turn = worker
    while budget.take():
        path = job.paths[turn % len(job.paths)]
        turn += 1
        tally.in_flight[worker] = time.perf_counter()
        try:
            response = await client.get(path)
        except httpx.HTTPError:
            tally.failed(worker)
            continue
        tally.answered(worker, response.status_code)


async def run_job(job: Job) -> Result:
    """Drive `job.connections` concurrent keep-alive connections until the budget is spent."""
    tally = _Tally()
    budget = _Budget(job.max_requests, job.seconds)
    started = time.perf_counter()
    hard_deadline = job.seconds + job.grace_seconds
    async with contextlib.AsyncExitStack() as stack:
        if job.client == "httpx":
            import httpx

            limits = httpx.Limits(max_connections=job.connections, max_keepalive_connections=job.connections)
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=f"http://{job.host}:{job.port}", limits=limits, timeout=None, trust_env=False
                )
            )
            workers = [_httpx_worker(job, i, budget, tally, client) for i in range(job.connections)]
        else:
            workers = [_raw_worker(job, i, budget, tally) for i in range(job.connections)]
        tasks = [asyncio.create_task(worker) for worker in workers]
        _, pending = await asyncio.wait(tasks, timeout=hard_deadline)
        now = time.perf_counter()
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    result = tally.result
    result.timeouts = len(tally.in_flight)
    # An abandoned request waited at least this long: leaving it out would flatter the percentiles.
    latencies = tally.latencies + [now - begun for begun in tally.in_flight.values()]
    result.elapsed_s = (now if pending else time.perf_counter()) - started
    result.completed = len(tally.latencies)
    result.rps = result.completed / result.elapsed_s if result.elapsed_s else 0.0
    latencies.sort()
    result.p50_ms, result.p95_ms, result.p99_ms = (percentile(latencies, f) * 1000 for f in (0.5, 0.95, 0.99))
    return result


def main() -> None:
    """Serve jobs from stdin until it closes; each answer is flushed at once (the runner waits on it)."""
    for line in sys.stdin:
        if not line.strip():
            continue
        job = Job(**json.loads(line))
        result = asyncio.run(run_job(job))
        sys.stdout.write(json.dumps(asdict(result)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
