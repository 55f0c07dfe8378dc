"""One benchmark run: a fresh database with reference, demo and corpus data, measured beside the
reference tools (Datasette, sqlite-utils, networkx) and a fixed-JSON floor; medians of repetitions.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from tsunagari.bench import queries
from tsunagari.bench.load import Client, Job, Result
from tsunagari.bench.loadgen import LoadGenerator
from tsunagari.bench.servers import HOST, Server, rss_mb, start_datasette, start_floor, start_tsunagari
from tsunagari.db import make_engine, unit_of_work
from tsunagari.errors import InvalidInput, TsunagariError
from tsunagari.migrations import upgrade
from tsunagari.reference.gazetteer import Dataset as GazetteerDataset

if TYPE_CHECKING:
    from tsunagari.importers.pairs import PairsReport

CONNECTIONS = 32
LATIN_SEARCH = "Suzhou"
JAPANESE_SEARCH = "金沢"
TWO_CHARACTER_WORDS = ("花火", "温泉")
GATHERINGS_COUNTRY = "US"

T = TypeVar("T")

StepProgress = Callable[[str, int, int], None]
"""Called with (what is being done, steps done, steps in all)."""


@dataclass(frozen=True)
class Profile:
    name: str
    gazetteer: GazetteerDataset
    repetitions: int
    """Of every HTTP series and analysis; the figure is their median."""
    import_repetitions: int
    http_seconds: float
    http_max_requests: int
    grace_seconds: float
    """How long requests still in flight at the end of a repetition may take before being abandoned."""


QUICK = Profile(
    name="quick",
    gazetteer="cities15000",
    repetitions=3,
    import_repetitions=3,
    http_seconds=0.3,
    http_max_requests=1_500,
    # Waited only while answers are still coming: a restart after abandoned requests costs more.
    grace_seconds=5.0,
)
FULL = Profile(
    name="full",
    gazetteer="cities500",
    repetitions=5,
    import_repetitions=3,
    http_seconds=3.0,
    http_max_requests=100_000,
    grace_seconds=5.0,
)


@dataclass(frozen=True)
class Series:
    """One HTTP measurement: a server and the paths every connection asks for in turn."""

    name: str
    server: str
    paths: list[str]
    client: Client = "raw"


class _Steps:
    def __init__(self, progress: StepProgress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def show(self, description: str) -> None:
        if self.progress is not None:
            self.progress(description, self.done, self.total)

    def advance(self, description: str) -> None:
        self.done += 1
        self.show(description)


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def _timed(function: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


# ------------------------------------------------------------------------------ the machine
def describe_machine() -> dict[str, Any]:
    """CPU model, cores, memory, Python and SQLite versions: what the figures were measured on."""
    cpu_model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    memory_gib = 0.0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = int(line.split()[1]) / 1024 / 1024
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)
    return {
        "cpu_model": cpu_model,
        "cores": cores,
        "memory_gib": round(memory_gib, 1),
        "python_version": platform.python_version(),
        "sqlite_version": sqlite3.sqlite_version,
        "os": platform.platform(),
    }


def _load_average() -> float:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else 0.0


# ------------------------------------------------------------------------------ databases
def _load_reference_and_demo(engine: Engine, gazetteer: GazetteerDataset, steps: _Steps) -> dict[str, float]:
    """Schema, countries, Japanese municipalities, the gazetteer and the demo data, committed."""
    from tsunagari.demo.service import load_demo
    from tsunagari.reference import service as reference_service

    upgrade(engine)
    started = time.perf_counter()
    loaded = 0

    def advance(count: int) -> None:
        nonlocal loaded
        loaded += count
        steps.show(f"reference data: gazetteer {gazetteer}, {loaded:,} cities")

    with unit_of_work(engine) as session:
        reference_service.load_countries(session=session)
        reference_service.load_japanese_municipalities(session=session)
        reference_service.load_gazetteer(session=session, dataset=gazetteer, progress=advance)
    reference_s = time.perf_counter() - started
    steps.advance("demo data")
    demo_s, _ = _timed(lambda: _in_unit_of_work(engine, lambda session: load_demo(session=session)))
    steps.advance("demo data loaded")
    return {"reference_load_s": reference_s, "demo_load_s": demo_s}


def _in_unit_of_work(engine: Engine, work: Callable[[Any], Any]) -> Any:
    with unit_of_work(engine) as session:
        return work(session)


def _import_corpus(engine: Engine, corpus: Path, steps: _Steps, label: str) -> tuple[float, PairsReport]:
    """import_pairs with resolution, timed to its commit."""
    from tsunagari.importers.pairs import import_pairs

    def progress(stage: str, done: int, total: int) -> None:
        steps.show(f"{label}: {stage} {done:,}/{total:,}")

    started = time.perf_counter()
    with unit_of_work(engine) as session:
        report = import_pairs(session=session, path=corpus, progress=progress, source_name=corpus.name)
    return time.perf_counter() - started, report


def _checkpoint(engine: Engine) -> None:
    # Fold the WAL into the main file so a plain file copy is the whole database.
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def _build_sqlite(
    workdir: Path, gazetteer: GazetteerDataset, corpus: Path, repetitions: int, steps: _Steps
) -> tuple[Path, list[float], PairsReport, dict[str, float]]:
    """Reference + demo once, then the corpus imported into a fresh copy per repetition; the last
    copy is the database that is served."""
    base = workdir / "base" / "tsunagari.db"
    base.parent.mkdir()
    engine = make_engine(f"sqlite:///{base}")
    setup = _load_reference_and_demo(engine, gazetteer, steps)
    _checkpoint(engine)
    times: list[float] = []
    report: PairsReport | None = None
    served = base
    for repetition in range(repetitions):
        target = workdir / f"import-{repetition}" / "tsunagari.db"
        target.parent.mkdir()
        shutil.copyfile(base, target)
        engine = make_engine(f"sqlite:///{target}")
        label = f"import_pairs {repetition + 1}/{repetitions}"
        elapsed, report = _import_corpus(engine, corpus, steps, label)
        _checkpoint(engine)
        times.append(elapsed)
        if served != base:
            shutil.rmtree(served.parent, ignore_errors=True)
        served = target
        steps.advance(f"{label}: {elapsed:.1f} s")
    shutil.rmtree(base.parent, ignore_errors=True)
    assert report is not None  # at least one repetition
    return served, times, report, setup


class _PostgresDatabases:
    """Fresh databases on a PostgreSQL server for this run only, dropped when it ends."""

    def __init__(self, server_url: str) -> None:
        self.url = make_url(server_url)
        self.admin = create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        self.prefix = f"tsunagari_bench_{uuid.uuid4().hex[:8]}"
        self.names: list[str] = []

    def create(self, suffix: str, template: str | None = None) -> str:
        name = f"{self.prefix}_{suffix}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.names.append(name)
        return name

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.names:
            self.names.remove(name)

    def version(self) -> str:
        with self.admin.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar())

    def close(self) -> None:
        for name in list(self.names):
            self.drop(name)
        self.admin.dispose()


def _build_postgres(
    databases: _PostgresDatabases,
    gazetteer: GazetteerDataset,
    corpus: Path,
    repetitions: int,
    steps: _Steps,
) -> tuple[str, list[float], PairsReport, dict[str, float]]:
    base = databases.create("base")
    engine = make_engine(databases.url_of(base))
    setup = _load_reference_and_demo(engine, gazetteer, steps)
    engine.dispose()
    times: list[float] = []
    report: PairsReport | None = None
    served: str | None = None
    for repetition in range(repetitions):
        # A copy of the prepared database per repetition (CREATE DATABASE … TEMPLATE copies its files).
        name = databases.create(f"import{repetition}", template=base)
        engine = make_engine(databases.url_of(name))
        label = f"import_pairs {repetition + 1}/{repetitions}"
        elapsed, report = _import_corpus(engine, corpus, steps, label)
        engine.dispose()
        times.append(elapsed)
        if served is not None:
            databases.drop(served)
        served = name
        steps.advance(f"{label}: {elapsed:.1f} s")
    databases.drop(base)
    assert served is not None and report is not None  # at least one repetition
    return databases.url_of(served), times, report, setup


# ------------------------------------------------------------------------------ sqlite-utils
def _sqlite_utils() -> str:
    beside = Path(sys.executable).with_name("sqlite-utils")
    found = str(beside) if beside.exists() else shutil.which("sqlite-utils")
    if not found:
        raise TsunagariError("sqlite-utils is not installed (pip install sqlite-utils)")
    return found


def _measure_sqlite_utils(workdir: Path, corpus: Path, repetitions: int, steps: _Steps) -> dict[str, Any]:
    """`sqlite-utils insert <db> pairs <csv> --csv` into a fresh file, timed as a command (start-up too)."""
    command = _sqlite_utils()
    startup = []
    for _ in range(repetitions):
        elapsed, _ = _timed(lambda: subprocess.run([command, "--version"], check=True, capture_output=True))
        startup.append(elapsed)
    times = []
    for repetition in range(repetitions):
        target = workdir / f"raw-{repetition}.db"
        elapsed, _ = _timed(
            partial(
                subprocess.run,
                [command, "insert", str(target), "pairs", str(corpus), "--csv"],
                check=True,
                capture_output=True,
            )
        )
        times.append(elapsed)
        target.unlink(missing_ok=True)
        steps.advance(f"sqlite-utils insert {repetition + 1}/{repetitions}: {elapsed:.2f} s")
    return {
        "sqlite_utils_insert_s": _median(times),
        "sqlite_utils_insert_runs_s": times,
        "sqlite_utils_startup_s": _median(startup),
    }


# ------------------------------------------------------------------------------ analytics
def _networkx_triangles(graph: Any) -> list[tuple[int, int, int]]:
    """Every triangle listed by networkx's own `all_triangles`, as sorted triples like ours."""
    import networkx as nx

    result = [(a, b, c) for a, b, c in (sorted(triangle) for triangle in nx.all_triangles(graph))]
    result.sort()
    return result


def _networkx_triangle_count(graph: Any) -> int:
    import networkx as nx

    return int(sum(nx.triangles(graph).values()) // 3)


def _networkx_gatherings(engine: Engine, country: str) -> list[tuple[int, list[int]]]:
    """The same gatherings as analytics, the networkx way: edges and countries read, graph built, filtered."""
    import networkx as nx

    from tsunagari.municipality.models import Municipality
    from tsunagari.partnership.models import Partnership

    with unit_of_work(engine) as session:
        edges = session.execute(
            select(Partnership.home_municipality_id, Partnership.partner_municipality_id).where(
                Partnership.home_municipality_id.is_not(None),
                Partnership.partner_municipality_id.is_not(None),
                Partnership.status != "ended",
            )
        ).all()
        graph = nx.Graph()
        graph.add_edges_from((a, b) for a, b in edges if a != b)
        nodes = list(graph.nodes)
        for start in range(0, len(nodes), 5000):
            chunk = nodes[start : start + 5000]
            for node, node_country in session.execute(
                select(Municipality.id, Municipality.country).where(Municipality.id.in_(chunk))
            ):
                graph.nodes[node]["country"] = node_country
    found = []
    for node, data in graph.nodes(data=True):
        if data.get("country") != "JP":
            continue
        abroad = sorted(p for p in graph[node] if graph.nodes[p].get("country") == country)
        if abroad:
            found.append((node, abroad))
    found.sort(key=lambda g: (-len(g[1]), g[0]))
    return found


def _measure_analytics(engine: Engine, repetitions: int, steps: _Steps) -> dict[str, Any]:
    import networkx as nx

    from tsunagari.analytics import service as analytics_service

    with unit_of_work(engine) as session:
        graph = analytics_service.load_graph(session=session)
    edges = [(a, b) for a, around in graph.neighbours.items() for b in around if a < b]
    build_times, listing, service, nx_listing, nx_count = [], [], [], [], []
    gatherings, nx_gatherings = [], []
    ours: list[tuple[int, int, int]] = []
    theirs: list[tuple[int, int, int]] = []
    counted = 0
    our_gatherings: list[Any] = []
    their_gatherings: list[tuple[int, list[int]]] = []
    for repetition in range(repetitions):
        elapsed, nx_graph = _timed(lambda: nx.Graph(edges))
        build_times.append(elapsed)
        elapsed, ours = _timed(graph.triangles)
        listing.append(elapsed)
        elapsed, theirs = _timed(partial(_networkx_triangles, nx_graph))
        nx_listing.append(elapsed)
        elapsed, counted = _timed(partial(_networkx_triangle_count, nx_graph))
        nx_count.append(elapsed)
        elapsed, _ = _timed(
            lambda: _in_unit_of_work(engine, lambda s: analytics_service.triangles(session=s))
        )
        service.append(elapsed)
        elapsed, our_gatherings = _timed(
            lambda: _in_unit_of_work(
                engine, lambda s: analytics_service.gatherings(session=s, country=GATHERINGS_COUNTRY)
            )
        )
        gatherings.append(elapsed)
        elapsed, their_gatherings = _timed(lambda: _networkx_gatherings(engine, GATHERINGS_COUNTRY))
        nx_gatherings.append(elapsed)
        steps.advance(f"analytics {repetition + 1}/{repetitions}: {len(ours):,} triangles")
    ours_shape = [(g.municipality.id, [p.id for p in g.partners]) for g in our_gatherings]
    return {
        "graph_nodes": len(graph.neighbours),
        "graph_edges": len(edges),
        "triangle_count": len(ours),
        "networkx_triangle_count": counted,
        "triangles_agree": ours == theirs and len(ours) == counted,
        "triangles_s": _median(listing),
        "triangles_service_s": _median(service),
        "networkx_triangles_s": _median(nx_listing),
        "networkx_triangle_count_s": _median(nx_count),
        "networkx_graph_build_s": _median(build_times),
        "gatherings_country": GATHERINGS_COUNTRY,
        "gatherings_count": len(our_gatherings),
        "gatherings_agree": ours_shape == their_gatherings,
        "gatherings_s": _median(gatherings),
        "networkx_gatherings_s": _median(nx_gatherings),
    }


# ------------------------------------------------------------------------------ HTTP
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


def _plan_series(busy: int, datasette_busy: int, datasette_database: str) -> list[Series]:
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


def _check_answers(server: Server, paths: list[str]) -> None:
    """Each path answers 200 before it is measured, so a wrong query fails loudly, not as zero req/s
    (and the server has met every query once before the first round)."""
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


def _measure_http(
    *,
    profile: Profile,
    database_url: str,
    sqlite_file: Path,
    engine: Engine,
    workdir: Path,
    steps: _Steps,
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    busy = _busiest(engine)
    figures["busy_municipality"] = busy
    servers: dict[str, Server] = {}
    restarts = 0
    # VmRSS after every series, per server, read before any restart: the largest is the figure.
    rss: dict[str, list[float]] = {"tsunagari": [], "tsunagari_uncached": [], "datasette": [], "floor": []}
    peak: dict[str, list[float]] = {name: [] for name in rss}
    rss_by_series: dict[str, float] = {}
    try:
        steps.show("starting servers: floor, tsunagari (with and without its response cache), datasette")
        # Started side by side: each spends its start-up importing, and none is measured yet.
        with ThreadPoolExecutor(max_workers=4) as pool:
            starting = {
                "floor": pool.submit(start_floor, workdir),
                "tsunagari": pool.submit(start_tsunagari, database_url, workdir),
                "tsunagari_uncached": pool.submit(start_tsunagari, database_url, workdir, cached=False),
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
        if not database_url.startswith("sqlite"):
            # The SQLite copy Datasette serves numbers its rows itself.
            sqlite_engine = make_engine(f"sqlite:///{sqlite_file}")
            datasette_busy = _busiest(sqlite_engine)
            sqlite_engine.dispose()
        plan = _plan_series(busy["id"], datasette_busy["id"], sqlite_file.stem)
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
                        servers[series.server] = _restart(server, database_url, sqlite_file, workdir)
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
        figures[f"{name}_rps"] = _median([r.rps for r in runs])
        figures[f"{name}_p50_ms"] = _median([r.p50_ms for r in runs])
        figures[f"{name}_p95_ms"] = _median([r.p95_ms for r in runs])
        figures[f"{name}_p99_ms"] = _median([r.p99_ms for r in runs])
        figures[f"{name}_requests"] = sum(r.completed for r in runs)
        figures[f"{name}_errors"] = sum(r.errors for r in runs)
        figures[f"{name}_timeouts"] = sum(r.timeouts for r in runs)
    figures["server_restarts"] = restarts
    figures["series_paths"] = {series.name: series.paths for series in plan}
    return figures


def _restart(server: Server, database_url: str, sqlite_file: Path, workdir: Path) -> Server:
    server.stop()
    if server.name in ("tsunagari", "tsunagari_uncached"):
        return start_tsunagari(database_url, workdir, cached=server.name == "tsunagari")
    if server.name == "datasette":
        return start_datasette(sqlite_file, workdir)
    return start_floor(workdir)


# ------------------------------------------------------------------------------ the run
def total_steps(profile: Profile) -> int:
    series = len(_plan_series(1, 1, "x"))
    return (
        2
        + profile.import_repetitions
        + profile.import_repetitions
        + profile.repetitions
        + 1
        + (series * profile.repetitions)
        + 1
    )


@contextmanager
def _workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="tsunagari-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def run(
    *,
    corpus: Path,
    quick: bool = False,
    database_url: str | None = None,
    progress: StepProgress | None = None,
) -> dict[str, Any]:
    """Run every measurement once (each the median of its repetitions) and return the figures.

    `database_url` names a PostgreSQL server to run on (a fresh database is created there and
    dropped afterwards); without it the run uses a fresh SQLite file in a temporary directory.
    Datasette serves SQLite only: on PostgreSQL it serves an SQLite copy built the same way.
    """
    if not corpus.is_file():
        raise InvalidInput("the global corpus file is missing", field="--corpus", value=str(corpus))
    if database_url is not None and not database_url.startswith("postgresql"):
        raise InvalidInput(
            "--database takes a postgresql+psycopg:// server URL (SQLite is the default, in a temp dir)",
            field="--database",
            value=database_url,
        )
    profile = QUICK if quick else FULL
    steps = _Steps(progress, total_steps(profile) + (3 if database_url else 0))
    started = time.perf_counter()
    figures: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "profile": profile.name,
        "gazetteer": profile.gazetteer,
        "repetitions": profile.repetitions,
        "import_repetitions": profile.import_repetitions,
        "connections": CONNECTIONS,
        "http_seconds": profile.http_seconds,
        "http_max_requests": profile.http_max_requests,
        "grace_seconds": profile.grace_seconds,
        "client": "raw asyncio streams (HTTP/1.1 keep-alive), in a process of its own",
        **describe_machine(),
        "load_average_start": _load_average(),
    }
    figures["corpus"] = str(corpus)
    phases: dict[str, float] = {}
    figures["phase_s"] = phases
    with _workdir() as workdir:
        postgres = _PostgresDatabases(database_url) if database_url else None
        try:
            if postgres is not None:
                figures["database"] = "postgresql"
                figures["database_version"] = postgres.version()
                served_url, times, report, setup = _build_postgres(
                    postgres, profile.gazetteer, corpus, profile.import_repetitions, steps
                )
                # The reference tools read SQLite: build the same data there, untimed.
                sqlite_file, _, _, _ = _build_sqlite(workdir, profile.gazetteer, corpus, 1, steps)
            else:
                figures["database"] = "sqlite"
                figures["database_version"] = sqlite3.sqlite_version
                sqlite_file, times, report, setup = _build_sqlite(
                    workdir, profile.gazetteer, corpus, profile.import_repetitions, steps
                )
                served_url = f"sqlite:///{sqlite_file}"
            figures.update(setup)
            figures["import_pairs_s"] = _median(times)
            figures["import_pairs_runs_s"] = times
            figures["corpus_rows"] = report.rows
            figures["import_report"] = report.as_json() | {"errors": len(report.errors)}
            phases["database and imports"] = time.perf_counter() - started
            mark = time.perf_counter()
            figures.update(_measure_sqlite_utils(workdir, corpus, profile.import_repetitions, steps))
            phases["sqlite-utils"] = time.perf_counter() - mark
            engine = make_engine(served_url)
            try:
                mark = time.perf_counter()
                figures.update(_measure_analytics(engine, profile.repetitions, steps))
                phases["analytics"] = time.perf_counter() - mark
                mark = time.perf_counter()
                figures.update(
                    _measure_http(
                        profile=profile,
                        database_url=served_url,
                        sqlite_file=sqlite_file,
                        engine=engine,
                        workdir=workdir,
                        steps=steps,
                    )
                )
                phases["HTTP"] = time.perf_counter() - mark
            finally:
                engine.dispose()
        finally:
            if postgres is not None:
                postgres.close()
    figures["load_average_end"] = _load_average()
    figures["machine"] = (
        f"{figures['cpu_model']}, {figures['cores']} cores, {figures['memory_gib']} GiB, "
        f"Python {figures['python_version']}, SQLite {figures['sqlite_version']}, {figures['database']}"
    )
    figures["run_s"] = time.perf_counter() - started
    return figures
