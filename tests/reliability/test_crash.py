"""Crash safety: `tsunagari import pairs` (the global corpus), `import partnerships` and `import cases`
(CLAIR seed 001) killed with SIGKILL at seeded random points leave the database intact (SQLite's
integrity and foreign-key checks, no orphan rows on either backend, no transaction left open on
PostgreSQL) holding either all of the import or none of it; a restarted import then completes.

Bounded in `make test` (TSUNAGARI_CRASH_KILLS, default 2 kills per kind); `make crash` kills more
and writes the figures into RELIABILITY.md.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, and_, create_engine, func, not_, select, text
from sqlalchemy.sql.elements import ColumnElement

from tests.conftest import TEST_BACKEND, TEST_GAZETTEER, Databases, shared_path
from tests.reliability.figures import record
from tsunagari.municipality.models import Municipality
from tsunagari.reference.models import GazetteerCity

KILLS = int(os.environ.get("TSUNAGARI_CRASH_KILLS", "2"))
SEED = int(os.environ.get("TSUNAGARI_CRASH_SEED", "20261217"))
# An import that takes longer than this is stuck, not slow.
IMPORT_LIMIT_S = 900
PARTNERSHIP_ROWS = 300


# --------------------------------------------------------------------------- the database's state
def _engine(url: str) -> Engine:
    return create_engine(url)


def counts(url: str) -> dict[str, int]:
    """Every table's row count."""
    engine = _engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return {
                name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in sorted(metadata.tables.items())
            }
    finally:
        engine.dispose()


def damage(url: str) -> list[str]:
    """What is wrong with the database: SQLite's integrity and foreign-key checks, rows whose foreign key
    points at nothing (both backends), constraints PostgreSQL holds as not validated, and transactions
    still open on it. Empty when intact."""
    problems: list[str] = []
    engine = _engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            if url.startswith("sqlite"):
                integrity = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
                if integrity != ["ok"]:
                    problems.append(f"integrity_check: {integrity[:5]}")
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    problems.append(f"foreign_key_check: {broken[:5]}")
            else:
                invalid = connection.execute(
                    text("SELECT conname FROM pg_constraint WHERE NOT convalidated")
                ).all()
                if invalid:
                    problems.append(f"constraints not validated: {invalid}")
                open_ = connection.execute(
                    text(
                        "SELECT pid, state FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
                    )
                ).all()
                if open_:
                    problems.append(f"transactions left open: {open_}")
            for table in metadata.sorted_tables:
                for key in table.foreign_key_constraints:
                    # An alias, so that a table pointing at itself (a municipality's parent) is matched
                    # against its other rows rather than correlated with the row itself.
                    parent = key.referred_table.alias(f"{key.referred_table.name}_parent")
                    pairs = [(element.parent, parent.c[element.column.name]) for element in key.elements]
                    present: list[ColumnElement[bool]] = [child.is_not(None) for child, _ in pairs]
                    matches = select(1).select_from(parent).where(and_(*[p == child for child, p in pairs]))
                    orphans = connection.scalar(
                        select(func.count()).select_from(table).where(and_(*present), not_(matches.exists()))
                    )
                    if orphans:
                        problems.append(f"{orphans} rows of {table.name} point at nothing in {parent.name}")
    finally:
        engine.dispose()
    return problems


def settled(url: str) -> list[str]:
    """`damage`, after giving PostgreSQL a moment to notice that a killed client's connection is gone."""
    deadline = time.monotonic() + 15
    while True:
        problems = damage(url)
        if not any(p.startswith("transactions left open") for p in problems) or time.monotonic() > deadline:
            return problems
        time.sleep(0.2)


# --------------------------------------------------------------------------- the imports
@dataclass(frozen=True)
class Kind:
    name: str
    command: list[str]


def _partnerships_file(url: str, path: Path) -> Path:
    """PARTNERSHIP_ROWS partnerships between Japanese municipalities and gazetteer cities (seeded)."""
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            japanese = connection.execute(
                select(Municipality.name, Municipality.jis_code, Municipality.region)
                .where(Municipality.country == "JP", Municipality.jis_code.is_not(None))
                .order_by(Municipality.id)
            ).all()
            cities = connection.execute(
                select(GazetteerCity.name, GazetteerCity.country)
                .where(GazetteerCity.country != "JP")
                .order_by(GazetteerCity.geonameid)
            ).all()
    finally:
        engine.dispose()
    rng = random.Random(SEED)
    chosen: set[tuple[str, str, str]] = set()
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        columns = ["municipality", "municipality_code", "municipality_prefecture", "partner"]
        writer.writerow([*columns, "partner_name_en", "partner_country", "type", "signed_on"])
        while len(chosen) < PARTNERSHIP_ROWS:
            home, city = rng.choice(japanese), rng.choice(cities)
            if (home.name, city.name, city.country) in chosen:
                continue
            chosen.add((home.name, city.name, city.country))
            signed = f"{rng.randint(1960, 2020)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
            place = [city.name, city.name, city.country]
            writer.writerow([home.name, home.jis_code, home.region, *place, "姉妹都市", signed])
    return path


def kind_command(name: str, url: str, workdir: Path) -> Kind:
    if name == "pairs":
        corpus = shared_path("data", "global-twinning", "twin_cities.csv")
        return Kind(name, ["import", "pairs", str(corpus)])
    if name == "cases":
        [seed] = sorted(shared_path("seeds").glob("001_*.txt"))
        return Kind(name, ["import", "cases", str(seed)])
    return Kind(name, ["import", "partnerships", str(_partnerships_file(url, workdir / "partners.csv"))])


def _start(kind: Kind, url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TSUNAGARI_DATABASE_URL": url, "TSUNAGARI_GAZETTEER": TEST_GAZETTEER}
    with log.open("ab") as stream:
        return subprocess.Popen(
            [sys.executable, "-c", "from tsunagari.cli.main import main; main()", *kind.command],
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def run_to_end(kind: Kind, url: str, log: Path) -> float:
    """Run the import to its end; its wall time in seconds."""
    started = time.monotonic()
    process = _start(kind, url, log)
    code = process.wait(timeout=IMPORT_LIMIT_S)
    assert code == 0, f"{kind.name} import exited {code}:\n{log.read_text(errors='replace')[-3000:]}"
    return time.monotonic() - started


@dataclass
class Outcome:
    kind: str
    kills: int = 0
    none: int = 0
    """Kills after which the database held none of the import."""
    all: int = 0
    """Kills that came after the import had committed (or that found it done)."""
    survived: int = 0
    points: list[float] = field(default_factory=list)
    """Each kill's moment, as a fraction of an uninterrupted run's wall time."""


@pytest.fixture
def copies(databases: Databases) -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    for url in made:
        databases.discard(url)


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["pairs", "partnerships", "cases"])
def test_sigkill_leaves_all_or_none_of_the_import(
    name: str, databases: Databases, copies: list[str], tmp_path: Path
) -> None:
    rng = random.Random(f"{SEED}-{name}-{TEST_BACKEND}")
    reference, victim = databases.copy(demo=False), databases.copy(demo=False)
    copies += [reference, victim]
    kind = kind_command(name, reference, tmp_path)
    log = tmp_path / "import.log"
    before = counts(victim)
    assert counts(reference) == before

    # An uninterrupted run gives what "all of the import" is, and how long the kills may wait.
    wall = run_to_end(kind, reference, log)
    complete = counts(reference)
    assert complete != before, f"the {name} import wrote nothing"
    assert damage(reference) == []

    outcome = Outcome(name)
    for _ in range(KILLS):
        fraction = rng.uniform(0.25, 0.97)
        process = _start(kind, victim, log)
        try:
            process.wait(timeout=fraction * wall)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        outcome.kills += 1
        outcome.points.append(round(fraction, 2))
        problems = settled(victim)
        assert problems == [], f"{name} killed at {fraction:.2f} of its run: database damaged: {problems}"
        state = counts(victim)
        changed = {t: n for t, n in state.items() if n not in (before[t], complete[t])}
        assert state in (before, complete), f"{name} killed at {fraction:.2f}: partial import {changed}"
        if state == before:
            outcome.none += 1
        else:
            outcome.all += 1
        outcome.survived += 1

    # Restarted, the import completes on what the kills left, to the same rows as an uninterrupted run.
    run_to_end(kind, victim, log)
    assert damage(victim) == []
    assert counts(victim) == complete
    print(f"{name} on {TEST_BACKEND}: {outcome}")
    _record(outcome, wall, sum(complete.values()) - sum(before.values()))


def _record(outcome: Outcome, wall: float, rows: int) -> None:
    record(
        f"crash-{outcome.kind}-{TEST_BACKEND}",
        f"- `import {outcome.kind}` on {TEST_BACKEND} (seed {SEED}): {outcome.kills} SIGKILLs at "
        f"{', '.join(f'{p:.2f}' for p in outcome.points)} of an uninterrupted run ({wall:.1f} s, "
        f"{rows:,} rows); {outcome.survived} survived intact — {outcome.none} held none of the import, "
        f"{outcome.all} all of it, 0 partial; the restarted import completed to the same rows.",
    )


def test_the_checks_catch_a_row_pointing_at_nothing(databases: Databases, copies: list[str]) -> None:
    """The damage check is not vacuous: a municipality whose parent is gone is reported on either
    backend (foreign keys switched off for the one write that breaks them)."""
    url = databases.copy(demo=False)
    copies.append(url)
    assert damage(url) == []
    engine = _engine(url)
    try:
        with engine.begin() as connection:
            if url.startswith("sqlite"):
                connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            else:
                connection.exec_driver_sql("SET session_replication_role = replica")
            first = connection.scalar(text("SELECT min(id) FROM municipality"))
            broken = text("UPDATE municipality SET parent_id = 2000000000 WHERE id = :id")
            connection.execute(broken, {"id": first})
    finally:
        engine.dispose()
    problems = damage(url)
    assert "1 rows of municipality point at nothing in municipality_parent" in problems
    if url.startswith("sqlite"):
        assert any(p.startswith("foreign_key_check") for p in problems), problems
