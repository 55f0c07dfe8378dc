"""Import timings: each repetition imports the corpus into a fresh copy of one prepared database."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tsunagari.bench.measure import Steps, in_unit_of_work, median, timed
from tsunagari.db import make_engine
from tsunagari.errors import TsunagariError
from tsunagari.migrations import upgrade
from tsunagari.reference.gazetteer import Dataset as GazetteerDataset
from tsunagari.session import unit_of_work

if TYPE_CHECKING:
    from tsunagari.importers.pairs_report import PairsReport


# ------------------------------------------------------------------------------ databases
def _load_reference_and_demo(engine: Engine, gazetteer: GazetteerDataset, steps: Steps) -> dict[str, float]:
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
    demo_s, _ = timed(lambda: in_unit_of_work(engine, lambda session: load_demo(session=session)))
    steps.advance("demo data loaded")
    return {"reference_load_s": reference_s, "demo_load_s": demo_s}


def _import_corpus(engine: Engine, corpus: Path, steps: Steps, label: str) -> tuple[float, PairsReport]:
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


def build_sqlite(
    workdir: Path, gazetteer: GazetteerDataset, corpus: Path, repetitions: int, steps: Steps
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


class PostgresDatabases:
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


def build_postgres(
    databases: PostgresDatabases,
    gazetteer: GazetteerDataset,
    corpus: Path,
    repetitions: int,
    steps: Steps,
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


def measure_sqlite_utils(workdir: Path, corpus: Path, repetitions: int, steps: Steps) -> dict[str, Any]:
    """`sqlite-utils insert <db> pairs <csv> --csv` into a fresh file, timed as a command (start-up too)."""
    command = _sqlite_utils()
    startup = []
    for _ in range(repetitions):
        elapsed, _ = timed(lambda: subprocess.run([command, "--version"], check=True, capture_output=True))
        startup.append(elapsed)
    times = []
    for repetition in range(repetitions):
        target = workdir / f"raw-{repetition}.db"
        elapsed, _ = timed(
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
        "sqlite_utils_insert_s": median(times),
        "sqlite_utils_insert_runs_s": times,
        "sqlite_utils_startup_s": median(startup),
    }
