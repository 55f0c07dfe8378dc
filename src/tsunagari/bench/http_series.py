"""HTTP series: our server, Datasette and a fixed-JSON floor; every path must answer 200, then rounds."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import Engine, select

from tsunagari.bench import cold_mix, queries
from tsunagari.bench.cold_mix import Mix
from tsunagari.bench.load import Client, Job, Result
from tsunagari.bench.loadgen import LoadGenerator
from tsunagari.bench.measure import Profile, Steps, median
from tsunagari.bench.servers import (
    HOST,
    Server,
    rss_mb,
    start_datasette,
    start_floor,
    start_tsunagari,
    tsunagari_name,
)
from tsunagari.db import make_engine
from tsunagari.errors import TsunagariError
from tsunagari.session import unit_of_work

CONNECTIONS = 32
LATIN_SEARCH = "Suzhou"
JAPANESE_SEARCH = "金沢"
TWO_CHARACTER_WORDS = ("花火", "温泉")


@dataclass(frozen=True)
class Series:
    """One HTTP measurement: a server and the paths every connection asks for in turn."""

    name: str
    server: str
    paths: list[str]
    client: Client = "raw"
    random_order: bool = False
    """Each request a path drawn at random (the cold mix), not the paths in turn."""


def _busiest(engine: Engine) -> dict[str, Any]:
    """The municipality with the most partners: the heaviest detail page and partner list."""
    from tsunagari.analytics import service as analytics_service
    from tsunagari.municipality import service as municipality_service

    with unit_of_work(engine) as session:
        graph = analytics_service.load_graph(session=session, active_only=False)
        busiest = max(graph.neighbours, key=lambda node: (len(graph.neighbours[node]), -node))
        municipality = municipality_service.get(session=session, municipality_id=busiest)
        return {
            "id": busiest,
            "name": municipality.name,
            "name_en": municipality.name_en,
            "country": municipality.country,
            "partners": len(graph.neighbours[busiest]),
        }


def _search_path(term: str) -> str:
    return f"/api/v1/search?q={quote(term)}"


CACHED_COLD_SERIES = ("detail_cold", "partners_cold", "search_cold", "search2_cold")
"""The cold series of our app with its response cache as deployed: their hits give the hit rate."""
WORKERS = 2


def plan_cold_series(mix: Mix, datasette_mix: Mix, database: str) -> list[Series]:
    """The random mix (issue 19): ours as deployed, ours with the cache off, Datasette on the same mix."""

    def cold(name: str, server: str, paths: list[str]) -> Series:
        return Series(name, server, paths, random_order=True)

    ours, theirs = mix, datasette_mix
    return [
        cold("detail_cold", "tsunagari", cold_mix.detail_paths(ours.ids)),
        cold("datasette_detail_cold", "datasette", cold_mix.datasette_detail_paths(database, theirs.ids)),
        cold("detail_cold_uncached", "tsunagari_uncached", cold_mix.detail_paths(ours.ids)),
        cold(
            f"workers{WORKERS}_detail_cold", tsunagari_name(workers=WORKERS), cold_mix.detail_paths(ours.ids)
        ),
        cold("partners_cold", "tsunagari", cold_mix.partners_paths(ours.ids)),
        cold("datasette_partners_cold", "datasette", cold_mix.datasette_partners_paths(database, theirs.ids)),
        cold("partners_cold_uncached", "tsunagari_uncached", cold_mix.partners_paths(ours.ids)),
        cold("search_cold", "tsunagari", cold_mix.search_paths(ours.words)),
        cold("datasette_search_cold", "datasette", cold_mix.datasette_search_paths(database, theirs.words)),
        cold("search_cold_uncached", "tsunagari_uncached", cold_mix.search_paths(ours.words)),
        cold("search2_cold", "tsunagari", cold_mix.search_paths(ours.two_character)),
        cold("search2_cold_uncached", "tsunagari_uncached", cold_mix.search_paths(ours.two_character)),
        cold("datasette_page", "datasette", cold_mix.datasette_page_paths(database, theirs.ids)),
        cold("search_page_cold", "tsunagari", cold_mix.search_page_paths(ours.words)),
        cold("page_cold", "tsunagari", cold_mix.page_paths(ours.ids)),
    ]


BESIDE = "tsunagari_postgresql"
"""Ours served from PostgreSQL, beside the SQLite figures: both backends in the same run."""


def plan_beside_series(beside_mix: Mix) -> list[Series]:
    """The mix again on our app served from PostgreSQL, cache as deployed (runs given --database)."""
    ids, words = beside_mix.ids, beside_mix.words
    return [
        Series("postgresql_detail_cold", BESIDE, cold_mix.detail_paths(ids), random_order=True),
        Series("postgresql_partners_cold", BESIDE, cold_mix.partners_paths(ids), random_order=True),
        Series("postgresql_search_cold", BESIDE, cold_mix.search_paths(words), random_order=True),
        Series("postgresql_page_cold", BESIDE, cold_mix.page_paths(ids), random_order=True),
    ]


def plan_series(busy: int, datasette_busy: int, datasette_database: str) -> list[Series]:
    searches = (LATIN_SEARCH, JAPANESE_SEARCH)
    return [
        Series("floor", "floor", ["/"]),
        Series("floor_httpx", "floor", ["/"], client="httpx"),
        Series("detail", "tsunagari", [f"/api/v1/municipalities/{busy}"]),
        Series(
            "datasette_detail", "datasette", [f"/{datasette_database}/municipality.json?id={datasette_busy}"]
        ),
        Series("partners", "tsunagari", [f"/api/v1/partnerships?municipality={busy}"]),
        Series(
            "datasette_partners",
            "datasette",
            [queries.query_path(datasette_database, queries.PARTNERS, id=datasette_busy)],
        ),
        Series("search", "tsunagari", [_search_path(term) for term in searches]),
        Series(
            "datasette_search", "datasette", [queries.search_path(datasette_database, t) for t in searches]
        ),
        Series("search2", "tsunagari", [_search_path(term) for term in TWO_CHARACTER_WORDS]),
        # The same requests with the response cache off: what building each answer costs.
        Series("detail_uncached", "tsunagari_uncached", [f"/api/v1/municipalities/{busy}"]),
        Series("partners_uncached", "tsunagari_uncached", [f"/api/v1/partnerships?municipality={busy}"]),
        Series("search_uncached", "tsunagari_uncached", [_search_path(term) for term in searches]),
        Series(
            "search2_uncached", "tsunagari_uncached", [_search_path(term) for term in TWO_CHARACTER_WORDS]
        ),
        Series(
            "datasette_search2",
            "datasette",
            [queries.search_path(datasette_database, term) for term in TWO_CHARACTER_WORDS],
        ),
        Series("datasette_stats", "datasette", [queries.query_path(datasette_database, queries.STATS)]),
        # Ours last in each round: when its requests outlast the round, the server is restarted.
        Series("stats", "tsunagari", ["/api/v1/stats?group_by=country"]),
    ]


CHECKED_PER_SERIES = 8


def _check_answers(server: Server, paths: list[str]) -> None:
    """Each path answers 200 before it is measured, so a wrong query fails loudly, not as zero req/s
    (and the server has met every query once before the first round); of a random mix, a sample."""
    if len(paths) > CHECKED_PER_SERIES:
        paths = random.Random(len(paths)).sample(paths, CHECKED_PER_SERIES)
    for path in paths:
        response = httpx.get(f"http://{HOST}:{server.port}{path}", timeout=120.0, trust_env=False)
        if response.status_code != 200:
            raise TsunagariError(
                f"{server.name} answered {response.status_code} to {path}: {response.text[:500]}"
            )


def _search_recall(server: Server, engine: Engine, terms: Sequence[str]) -> dict[str, Any]:
    """Recall of our search against a plain substring scan of every name and profile text."""
    from tsunagari.municipality.models import Municipality, MunicipalityName

    expected: dict[str, set[int]] = {term: set() for term in terms}
    with unit_of_work(engine) as session:
        texts: dict[int, list[str]] = {}
        for row in session.execute(
            select(
                Municipality.id,
                Municipality.name,
                Municipality.name_en,
                Municipality.kana,
                Municipality.local_name,
                Municipality.overview_ja,
                Municipality.overview_en,
            )
        ):
            texts[row[0]] = [value.casefold() for value in row[1:] if value]
        for municipality_id, name in session.execute(
            select(MunicipalityName.municipality_id, MunicipalityName.name)
        ):
            texts.setdefault(municipality_id, []).append(name.casefold())
    for term in terms:
        folded = term.casefold()
        expected[term] = {m for m, values in texts.items() if any(folded in value for value in values)}
    recall: dict[str, Any] = {}
    for term in terms:
        found: set[int] = set()
        offset = 0
        while True:
            response = httpx.get(
                f"http://{HOST}:{server.port}/api/v1/search",
                params={"q": term, "limit": 200, "offset": offset},
                timeout=120.0,
                trust_env=False,
            )
            response.raise_for_status()
            body = response.json()
            found |= {item["id"] for item in body["items"]}
            offset += 200
            if offset >= body["total"]:
                break
        hits = len(expected[term] & found)
        recall[term] = {
            "expected": len(expected[term]),
            "found": len(found),
            "recall": hits / len(expected[term]) if expected[term] else 1.0,
        }
    return recall


def measure_http(
    *,
    profile: Profile,
    database_url: str,
    sqlite_file: Path,
    engine: Engine,
    workdir: Path,
    steps: Steps,
    beside_url: str | None = None,
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    busy = _busiest(engine)
    figures["busy_municipality"] = busy
    servers: dict[str, Server] = {}
    restarts = 0
    # VmRSS after every series, per server, read before any restart: the largest is the figure.
    workers_name = tsunagari_name(workers=WORKERS)
    rss: dict[str, list[float]] = {
        "tsunagari": [],
        "tsunagari_uncached": [],
        workers_name: [],
        "datasette": [],
        "floor": [],
    }
    peak: dict[str, list[float]] = {name: [] for name in rss}
    rss_by_series: dict[str, float] = {}
    try:
        steps.show("starting servers: floor, tsunagari (with and without its response cache), datasette")
        # Started side by side: each spends its start-up importing, and none is measured yet.
        with ThreadPoolExecutor(max_workers=5) as pool:
            starting = {
                "floor": pool.submit(start_floor, workdir),
                "tsunagari": pool.submit(start_tsunagari, database_url, workdir),
                "tsunagari_uncached": pool.submit(start_tsunagari, database_url, workdir, cached=False),
                workers_name: pool.submit(start_tsunagari, database_url, workdir, workers=WORKERS),
                "datasette": pool.submit(start_datasette, sqlite_file, workdir),
            }
            failures = []
            for name, future in starting.items():
                try:
                    servers[name] = future.result()
                except TsunagariError as error:  # the others started are stopped below all the same
                    failures.append(error)
            if failures:
                raise failures[0]
        datasette_busy = busy
        mix = datasette_mix = cold_mix.build_mix(engine)
        beside_mix: Mix | None = None
        if beside_url is not None:
            # PostgreSQL numbers its rows itself: its own ids for its own mix.
            beside_engine = make_engine(beside_url)
            beside_mix = cold_mix.build_mix(beside_engine)
            beside_engine.dispose()
            servers[BESIDE] = start_tsunagari(beside_url, workdir, name=BESIDE)
            rss[BESIDE], peak[BESIDE] = [], []
        figures["cold_mix"] = {
            "municipalities": len(mix.ids),
            "search_words": len(mix.words),
            "two_character_words": len(mix.two_character),
            "datasette_municipalities": len(datasette_mix.ids),
            "sample_words": mix.words[:: max(1, len(mix.words) // 12)][:12],
        }
        plan = plan_series(busy["id"], datasette_busy["id"], sqlite_file.stem) + plan_cold_series(
            mix, datasette_mix, sqlite_file.stem
        )
        if beside_mix is not None:
            plan += plan_beside_series(beside_mix)
        for series in plan:
            steps.show(f"checking and warming {series.name}")
            _check_answers(servers[series.server], series.paths)
        steps.advance("servers answer")
        results: dict[str, list[Result]] = {series.name: [] for series in plan}
        with LoadGenerator() as generator:
            # Rounds rather than series one after another, so drift on a shared machine falls
            # on ours and the references alike.
            for repetition in range(profile.repetitions):
                for series in plan:
                    if series.random_order and repetition >= profile.cold_repetitions:
                        continue
                    steps.show(f"HTTP round {repetition + 1}/{profile.repetitions}: {series.name}")
                    server = servers[series.server]
                    result = generator.run(
                        Job(
                            host=HOST,
                            port=server.port,
                            paths=series.paths,
                            connections=CONNECTIONS,
                            max_requests=profile.http_max_requests,
                            seconds=profile.http_seconds,
                            grace_seconds=profile.grace_seconds,
                            client=series.client,
                            random_order=series.random_order,
                            seed=repetition,
                        )
                    )
                    results[series.name].append(result)
                    rss[server.name].append(rss_mb(server.pid))
                    rss_by_series[series.name] = max(
                        rss_by_series.get(series.name, 0.0), rss[server.name][-1]
                    )
                    if result.timeouts:
                        # Abandoned requests would still be running: the next series would share its CPU.
                        peak[server.name].append(rss_mb(server.pid, "VmHWM"))
                        servers[series.server] = _restart(
                            server, database_url, sqlite_file, workdir, beside_url
                        )
                        restarts += 1
                    steps.advance(f"{series.name}: {result.rps:,.0f} req/s")
        for name, server in servers.items():
            peak[name].append(rss_mb(server.pid, "VmHWM"))
        figures["server_rss_mb"] = max(rss["tsunagari"])
        figures["server_rss_peak_mb"] = max(peak["tsunagari"])
        figures["uncached_rss_mb"] = max(rss["tsunagari_uncached"])
        figures["datasette_rss_mb"] = max(rss["datasette"])
        figures["datasette_rss_peak_mb"] = max(peak["datasette"])
        figures["floor_rss_mb"] = max(rss["floor"])
        figures["rss_by_series_mb"] = rss_by_series
        figures[f"workers{WORKERS}_rss_mb"] = max(rss[workers_name])
        home = httpx.get(f"http://{HOST}:{servers['tsunagari'].port}/", timeout=120.0, trust_env=False)
        figures["home_page_kb"] = len(home.content) / 1000
        steps.show("bulk downloads")
        figures.update(_measure_downloads(servers["tsunagari"].port, profile.repetitions))
        steps.show("search recall")
        recall = _search_recall(
            servers["tsunagari"], engine, [LATIN_SEARCH, JAPANESE_SEARCH, *TWO_CHARACTER_WORDS]
        )
        figures["search_recall_by_term"] = recall
        figures["search_recall"] = min(r["recall"] for r in recall.values())
        steps.advance("search recall checked")
    finally:
        for server in servers.values():
            server.stop()
    for name, runs in results.items():
        figures[f"{name}_rps"] = median([r.rps for r in runs])
        figures[f"{name}_p50_ms"] = median([r.p50_ms for r in runs])
        figures[f"{name}_p95_ms"] = median([r.p95_ms for r in runs])
        figures[f"{name}_p99_ms"] = median([r.p99_ms for r in runs])
        figures[f"{name}_requests"] = sum(r.completed for r in runs)
        figures[f"{name}_errors"] = sum(r.errors for r in runs)
        figures[f"{name}_timeouts"] = sum(r.timeouts for r in runs)
        figures[f"{name}_cache_hits"] = sum(r.cache_hits for r in runs)
    answered = sum(figures[f"{name}_requests"] for name in CACHED_COLD_SERIES)
    hits = sum(figures[f"{name}_cache_hits"] for name in CACHED_COLD_SERIES)
    figures["cache_hit_rate"] = hits / answered if answered else 0.0
    figures["server_restarts"] = restarts
    figures["series_paths"] = {
        series.name: series.paths if not series.random_order else [*series.paths[:3], "…"] for series in plan
    }
    return figures


def _restart(
    server: Server, database_url: str, sqlite_file: Path, workdir: Path, beside_url: str | None
) -> Server:
    server.stop()
    if server.name == BESIDE and beside_url is not None:
        return start_tsunagari(beside_url, workdir, name=BESIDE)
    if server.name.startswith("tsunagari"):
        workers = WORKERS if server.name.endswith(f"_workers{WORKERS}") else 1
        return start_tsunagari(
            database_url, workdir, cached=not server.name.startswith("tsunagari_uncached"), workers=workers
        )
    if server.name == "datasette":
        return start_datasette(sqlite_file, workdir)
    return start_floor(workdir)


BULK_DOWNLOADS = ("/data/partnerships.csv", "/data/partnerships.json", "/data/partnerships.jsonld")


def _first_byte(client: httpx.Client, path: str) -> tuple[float, float]:
    """Seconds to the first byte of the body and to its last, reading it as a client streams it."""
    started = time.perf_counter()
    with client.stream("GET", path) as response:
        response.raise_for_status()
        first = None
        for _chunk in response.iter_raw():
            if first is None:
                first = time.perf_counter() - started
        whole = time.perf_counter() - started
    return (first if first is not None else whole), whole


def _measure_downloads(port: int, repetitions: int) -> dict[str, Any]:
    """The bulk downloads with the corpus loaded: the first request (which builds the file for this
    data version unless an earlier request kept it) and the first byte of the requests after it."""
    by_path: dict[str, dict[str, float]] = {}
    with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=600.0, trust_env=False) as client:
        for path in BULK_DOWNLOADS:
            first_byte, whole = _first_byte(client, path)
            kept = [_first_byte(client, path) for _ in range(repetitions)]
            by_path[path] = {
                "first_request_s": whole,
                "first_request_first_byte_ms": first_byte * 1000,
                "kept_first_byte_ms": median([byte for byte, _ in kept]) * 1000,
                "kept_whole_s": median([whole for _, whole in kept]),
            }
    return {
        "downloads": by_path,
        "download_first_byte_ms": max(figures["kept_first_byte_ms"] for figures in by_path.values()),
    }
