"""Database plumbing: the declarative base, engines for SQLite and PostgreSQL, bulk inserts.

Imports no domain: sessions, and the audit trail they write, come from tsunagari.session."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, Table, create_engine, event, func, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from tsunagari.config import get_settings

# Stable constraint names so Alembic migrations are reproducible on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    """Created/updated times on every editable record."""

    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def connect(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets the portal read while an import writes; foreign keys are off by default in SQLite.
        # The busy timeout is short: a web write that finds an import holding the lock answers 503
        # with Retry-After (web.errors) rather than holding its thread for seconds.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return connect


def make_engine(url: str, *, pool_size: int | None = None, wait_ms: int | None = None) -> Engine:
    """An engine whose pool holds a connection for every request thread (settings.worker_threads), so
    no request waits on a connection another holds, and whose waits (pool, SQLite lock) end within
    settings.database_wait_ms."""
    settings = get_settings()
    size = pool_size or settings.worker_threads
    wait = wait_ms or settings.database_wait_ms
    # As many again beyond the request threads: sessions being closed after their response, /healthz.
    pool = {"pool_size": size, "max_overflow": size, "pool_timeout": wait / 1000}
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and ":memory:" not in path:
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            pool = {}  # an in-memory database lives in one connection (SingletonThreadPool)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas(wait))
        return engine
    # A write that finds a row locked (by an import, say) gives up as soon as SQLite's would.
    options = {"options": f"-c lock_timeout={int(wait)}"}
    return create_engine(url, pool_pre_ping=True, connect_args=options, **pool)


@contextmanager
def patient(session: Session, wait_ms: int, *, writes: bool = False) -> Iterator[Session]:
    """Let this session wait up to `wait_ms` for a lock (SQLite's write lock, a PostgreSQL row lock): a
    command-line import may wait for a web write to finish, where a web request answers 503 at once.

    `writes`: on SQLite the transaction takes the write lock before its first read (BEGIN IMMEDIATE).
    A transaction that reads first and writes later cannot wait for the lock: if another connection
    committed in between, SQLite refuses the upgrade at once ("database is locked", SQLITE_BUSY_SNAPSHOT)
    whatever the busy timeout, since its snapshot is stale."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        # For this transaction only: the connection goes back to the pool as it was.
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait_ms)}")
        yield session
        return
    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
    driver = connection.connection.dbapi_connection
    if writes and isinstance(driver, sqlite3.Connection) and not driver.in_transaction:
        # pysqlite opens its own transaction only before a write; COMMIT and ROLLBACK stay the driver's.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield session
    finally:
        # The connection goes back to the pool that web requests draw from: give it back as it was.
        with suppress(Exception):
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(get_settings().database_wait_ms)}")


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    return make_engine(url or get_settings().database_url)


# --------------------------------------------------------------------------- bulk writes
# Loading reference data and importing whole corpora write hundreds of thousands of rows, where
# building SQLAlchemy's parameters row by row costs more than inserting them.
def insert_tuples(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """executemany of plain tuples, values already as the driver takes them, in the caller's
    transaction."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(marker for _ in columns)})"
    )
    connection.exec_driver_sql(statement, list(rows))


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT rows, each with the keys of the first, in one executemany; the caller's transaction.

    On SQLite the rows go to the driver as plain tuples (insert_tuples), each value through its
    column's own bind processor (JSON to text, None to 'null' …), so what is stored is what Core
    would store; Core's executemany builds every row's parameters in Python, about 1 s of the
    140,000 rows an import of the global corpus writes. PostgreSQL keeps Core, whose driver adapts
    JSON and enums itself.
    """
    if not rows:
        return
    dialect = session.connection().dialect
    if dialect.name != "sqlite":
        session.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    converted = [(index, processor) for index, processor in enumerate(processors) if processor is not None]
    parameters: list[tuple[Any, ...]] = []
    for row in rows:
        values = [row[name] for name in columns]
        for index, processor in converted:
            values[index] = processor(values[index])
        parameters.append(tuple(values))
    insert_tuples(session, table, columns, parameters)
