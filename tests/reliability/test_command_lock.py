"""A command that writes (an import) reads first and writes later; a web write committed in between must
make it wait, never fail. On SQLite a transaction that read before another connection committed cannot
take the write lock at all ("database is locked" at once, whatever the busy timeout), so a writing
command takes the lock before its first read (cli.common.acting_scope → db.patient(writes=True))."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from tests.conftest import Databases, select_database
from tsunagari.cli.common import acting_scope
from tsunagari.db import get_engine
from tsunagari.municipality.models import Municipality


@pytest.fixture
def database(databases: Databases, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = databases.copy(demo=True)
    select_database(monkeypatch, url)
    yield url
    get_engine().dispose()
    databases.discard(url)


def _web_write(url: str, record_id: int, done: threading.Event, failures: list[str]) -> None:
    """Another connection writing as a web request would, waiting for the lock as long as it takes."""
    try:
        engine = get_engine()
        if engine.dialect.name == "sqlite":
            assert engine.url.database
            connection = sqlite3.connect(engine.url.database, timeout=60)
            with connection:
                connection.execute("UPDATE municipality SET population = 111 WHERE id = ?", (record_id,))
            connection.close()
        else:
            with engine.begin() as pg:
                pg.execute(text("UPDATE municipality SET population = 111 WHERE id = :id"), {"id": record_id})
    except Exception as error:  # reported to the test's thread
        failures.append(repr(error))
    finally:
        done.set()


def test_a_writing_command_that_reads_first_waits_for_a_web_write_instead_of_failing(database: str) -> None:
    done, failures = threading.Event(), list[str]()
    with acting_scope("test") as (session, _actor), session.begin_nested():
        # Within a savepoint, as the importers check each record (pysqlite opens no transaction for
        # a plain SELECT, but a SAVEPOINT opens one, and the reads after it hold their snapshot).
        municipalities = session.scalars(select(Municipality).order_by(Municipality.id).limit(2)).all()
        read, written = municipalities
        writer = threading.Thread(target=_web_write, args=(database, read.id, done, failures))
        writer.start()
        # The web write cannot commit while the command holds the write lock (SQLite); on
        # PostgreSQL it commits at once, touching another row. Either way the command's own write
        # below goes through.
        done.wait(timeout=2)
        written.population = 222
        session.flush()
    writer.join(timeout=60)
    assert not failures, failures
    with get_engine().connect() as connection:
        populations = dict(
            connection.execute(
                text("SELECT id, population FROM municipality WHERE id IN (:a, :b)"),
                {"a": read.id, "b": written.id},
            ).all()
        )
    assert populations == {read.id: 111, written.id: 222}
