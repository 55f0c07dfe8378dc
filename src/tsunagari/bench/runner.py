"""One benchmark run: the series in order on fresh databases, their figures assembled into one dict.

Measured beside the reference tools (Datasette, sqlite-utils, networkx) and a fixed-JSON floor, each
figure the median of its repetitions; the series themselves live in import_series, analytics_series
and http_series.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tsunagari.bench.analytics_series import measure_analytics
from tsunagari.bench.cold_mix import Mix
from tsunagari.bench.command_series import measure_cli_start, measure_import_partnerships
from tsunagari.bench.http_series import (
    CONNECTIONS,
    measure_http,
    plan_beside_series,
    plan_cold_series,
    plan_series,
)
from tsunagari.bench.import_series import (
    PostgresDatabases,
    build_postgres,
    build_sqlite,
    measure_sqlite_utils,
)
from tsunagari.bench.match_series import measure_matching
from tsunagari.bench.measure import FULL, QUICK, Profile, StepProgress, Steps, median
from tsunagari.db import make_engine
from tsunagari.errors import InvalidInput

__all__ = [
    "CONNECTIONS",
    "FULL",
    "QUICK",
    "Profile",
    "StepProgress",
    "describe_machine",
    "run",
    "total_steps",
]


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


# ------------------------------------------------------------------------------ the run
def total_steps(profile: Profile) -> int:
    dummy = Mix(ids=[1], words=["x"], two_character=["xx"])
    series = len(plan_series(1, 1, "x"))
    cold = len(plan_cold_series(dummy, dummy, "x"))
    return (
        2
        + profile.import_repetitions
        + profile.import_repetitions
        + profile.repetitions
        + 1
        + (series * profile.repetitions)
        + (cold * profile.cold_repetitions)
        + 1
        + 3  # the command line's start-up (--help, dates parse), import partnerships
        + 1  # matching
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

    Every figure is served from a fresh SQLite file in a temporary directory (the embedded default,
    which the references read too). `database_url` names a PostgreSQL server measured beside it in
    the same run: a fresh database is built there the same way (and dropped afterwards), its import
    timed, and our app served from it on the random mix.
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
    beside = len(plan_beside_series(Mix(ids=[1], words=["x"], two_character=["xx"])))
    steps = Steps(
        progress, total_steps(profile) + ((3 + beside * profile.cold_repetitions) if database_url else 0)
    )
    started = time.perf_counter()
    figures: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "profile": profile.name,
        "gazetteer": profile.gazetteer,
        "repetitions": profile.repetitions,
        "cold_repetitions": profile.cold_repetitions,
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
        postgres = PostgresDatabases(database_url) if database_url else None
        try:
            # Served from SQLite, the embedded default, which Datasette and sqlite-utils read too: the
            # references compare like with like. A PostgreSQL server, when given, is built beside it and
            # measured in the same run (its import, and ours served from it on the random mix).
            figures["database"] = "sqlite"
            figures["database_version"] = sqlite3.sqlite_version
            sqlite_file, times, report, setup = build_sqlite(
                workdir, profile.gazetteer, corpus, profile.import_repetitions, steps
            )
            served_url = f"sqlite:///{sqlite_file}"
            beside_url: str | None = None
            if postgres is not None:
                figures["beside_database"] = "postgresql"
                figures["beside_database_version"] = postgres.version()
                beside_url, beside_times, _, _ = build_postgres(
                    postgres, profile.gazetteer, corpus, profile.import_repetitions, steps
                )
                figures["postgresql_import_pairs_s"] = median(beside_times)
                figures["postgresql_import_pairs_runs_s"] = beside_times
            figures.update(setup)
            figures["import_pairs_s"] = median(times)
            figures["import_pairs_runs_s"] = times
            figures["corpus_rows"] = report.rows
            figures["import_report"] = report.as_json() | {"errors": len(report.errors)}
            phases["database and imports"] = time.perf_counter() - started
            mark = time.perf_counter()
            figures.update(measure_sqlite_utils(workdir, corpus, profile.import_repetitions, steps))
            phases["sqlite-utils"] = time.perf_counter() - mark
            engine = make_engine(served_url)
            try:
                mark = time.perf_counter()
                figures.update(measure_analytics(engine, profile.repetitions, steps))
                figures.update(measure_matching(engine, profile.match_samples, steps))
                phases["analytics"] = time.perf_counter() - mark
                mark = time.perf_counter()
                figures.update(
                    measure_http(
                        profile=profile,
                        database_url=served_url,
                        sqlite_file=sqlite_file,
                        beside_url=beside_url,
                        engine=engine,
                        workdir=workdir,
                        steps=steps,
                    )
                )
                phases["HTTP"] = time.perf_counter() - mark
                mark = time.perf_counter()
                figures.update(measure_cli_start(profile.cli_repetitions, steps))
                # Last: it writes to the served database.
                figures.update(measure_import_partnerships(engine, workdir, profile.registry_rows, steps))
                phases["commands"] = time.perf_counter() - mark
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
