"""Whole-database backup and restore: SQLite's online backup API, pg_dump and pg_restore for PostgreSQL.

A backup is a consistent copy taken while the portal keeps serving; a restore refuses to replace a
database that holds data unless forced, so an operator cannot wipe a live registry by a slip."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, literal, make_url, select, table

from tsunagari.errors import InvalidInput, TsunagariError

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
# Tables holding rows before any user acts: present after `init` on an empty registry too.
SCHEMA_ONLY_TABLES = frozenset({"alembic_version"})


@dataclass(frozen=True)
class BackupResult:
    path: Path
    backend: str
    bytes_written: int


class ToolMissing(TsunagariError):
    """pg_dump or pg_restore is not installed where the PostgreSQL backend needs it."""


def _is_sqlite(engine: Engine) -> bool:
    return engine.url.get_backend_name() == "sqlite"


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise InvalidInput("an in-memory database cannot be backed up or restored", field="database")
    return Path(database)


def _libpq_url(engine: Engine) -> str:
    # pg_dump speaks libpq, which knows postgresql:// but not SQLAlchemy's +psycopg driver suffix.
    return make_url(engine.url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    """The newest installed pg_dump/pg_restore: a dump needs a client at least as new as the server."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _run(command: list[str]) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise TsunagariError(f"{Path(command[0]).name} failed: {completed.stderr.strip()}")


def backup(engine: Engine, destination: Path) -> BackupResult:
    """Copy the whole database to `destination` (which must not exist yet) while it stays in use."""
    if destination.exists():
        raise InvalidInput(
            "the backup file already exists; choose a new name", field="FILE", value=str(destination)
        )
    destination.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite(engine):
        source = sqlite3.connect(_sqlite_path(engine))
        target = sqlite3.connect(destination)
        try:
            # The online backup API copies a consistent snapshot page by page while writers continue.
            source.backup(target)
        finally:
            target.close()
            source.close()
        backend = "sqlite"
    else:
        _run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--file={destination}",
                _libpq_url(engine),
            ]
        )
        backend = "postgresql"
    return BackupResult(path=destination, backend=backend, bytes_written=destination.stat().st_size)


def tables_with_rows(engine: Engine) -> list[str]:
    """The tables of the database that hold at least one row (alembic's bookkeeping aside)."""
    names = [name for name in inspect(engine).get_table_names() if name not in SCHEMA_ONLY_TABLES]
    with engine.connect() as connection:
        return [
            name
            for name in names
            if connection.execute(select(literal(1)).select_from(table(name)).limit(1)).first() is not None
        ]


def _backup_kind(path: Path) -> str:
    if not path.is_file():
        raise InvalidInput("no such backup file", field="FILE", value=str(path))
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header.startswith(SQLITE_HEADER):
        return "sqlite"
    if header.startswith(PG_CUSTOM_HEADER):
        return "postgresql"
    raise InvalidInput(
        "not a Tsunagari backup (neither an SQLite database nor a pg_dump custom archive)",
        field="FILE",
        value=str(path),
    )


def _check_sqlite_backup(path: Path) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()
        has_schema = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
    except sqlite3.DatabaseError as error:
        raise InvalidInput(f"the backup file is damaged: {error}", field="FILE", value=str(path)) from None
    finally:
        connection.close()
    if verdict is None or verdict[0] != "ok":
        raise InvalidInput("the backup file fails SQLite's integrity check", field="FILE", value=str(path))
    if has_schema is None:
        raise InvalidInput("the SQLite file holds no Tsunagari schema", field="FILE", value=str(path))


def restore(engine: Engine, source: Path, *, force: bool = False) -> list[str]:
    """Replace the database with the backup in `source`; refuses when the database holds data unless
    `force`. Returns the tables that held data before (empty unless forced)."""
    kind = _backup_kind(source)
    backend = "sqlite" if _is_sqlite(engine) else "postgresql"
    if kind != backend:
        raise InvalidInput(
            f"this is a {kind} backup and the database is {backend}; restore it into a {kind} database",
            field="FILE",
            value=str(source),
        )
    occupied = tables_with_rows(engine) if backend == "postgresql" or _sqlite_path(engine).exists() else []
    if occupied and not force:
        raise InvalidInput(
            "the database already holds data ("
            + ", ".join(occupied[:5])
            + ("…" if len(occupied) > 5 else "")
            + "); restore into an empty database, or pass --force to replace it",
            field="database",
        )
    engine.dispose()  # no pooled connection may keep reading the old pages
    if backend == "sqlite":
        _check_sqlite_backup(source)
        backup_connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path(engine))
        try:
            backup_connection.backup(target)
        finally:
            target.close()
            backup_connection.close()
    else:
        listing = subprocess.run(
            [_pg_tool("pg_restore"), "--list", str(source)], capture_output=True, check=False
        )
        if listing.returncode != 0:
            raise InvalidInput("the archive cannot be read by pg_restore", field="FILE", value=str(source))
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={_libpq_url(engine)}",
                str(source),
            ]
        )
    return occupied
