"""Test fixtures: databases on SQLite and PostgreSQL, one rolled-back transaction per test.

PostgreSQL comes from TSUNAGARI_TEST_DATABASE_URL when set (a fresh database is created in it for
the run and dropped after); otherwise a throwaway cluster is started from the installed binaries.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tsunagari.db import make_engine
from tsunagari.migrations import upgrade

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ARTIFACTS = ROOT / "test-artifacts"

# The gazetteer used by tests: big enough for real resolution, small enough to load quickly.
TEST_GAZETTEER = "cities15000"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips (or fails in CI) with the reason when it is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"{path} is missing: this test reads the shared seeds/corpus beside the checkout"
        if os.environ.get("TSUNAGARI_REQUIRE_SHARED"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


# --------------------------------------------------------------------------- PostgreSQL
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_unavailable(reason: str) -> None:
    if os.environ.get("TSUNAGARI_REQUIRE_POSTGRES"):
        pytest.fail(f"PostgreSQL is required for this run but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A server URL (database part is replaced per use)."""
    configured = os.environ.get("TSUNAGARI_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        _pg_unavailable("no PostgreSQL binaries are installed (apt-get install postgresql)")
    bindir = Path(binaries[-1]).parent
    workdir = Path(tempfile.mkdtemp(prefix="tsunagari-pg-"))
    datadir, sockdir = workdir / "data", workdir / "sock"
    sockdir.mkdir()
    port = _free_port()
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(workdir, "postgres")
        shutil.chown(sockdir, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *run_as,
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            str(bindir / "pg_ctl"),
            "-D",
            str(datadir),
            "-o",
            f"-p {port} -k {sockdir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "-l",
            str(workdir / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)


def fresh_postgres_database(server_url: str) -> tuple[str, Engine]:
    """Create a database of its own for this run so nothing else on the server is touched."""
    url = make_url(server_url)
    name = f"tsunagari_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    for attempt in range(20):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            break
        except Exception:
            if attempt == 19:
                raise
            time.sleep(0.5)
    admin.dispose()
    database_url = url.set(database=name).render_as_string(hide_password=False)
    return database_url, make_engine(database_url)


def drop_postgres_database(server_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    admin = create_engine(make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# --------------------------------------------------------------------------- prepared databases
def prepare(engine: Engine, *, demo: bool) -> None:
    """Migrate, load reference data (small gazetteer) and optionally the demo data, committed."""
    from tsunagari.cli.setup import initialise
    from tsunagari.db import unit_of_work
    from tsunagari.demo.service import load_demo

    upgrade(engine)
    with unit_of_work(engine) as session:
        initialise(session, TEST_GAZETTEER, False)
    if demo:
        with unit_of_work(engine) as session:
            load_demo(session=session)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with reference and demo data, built once and copied for tests that need a file."""
    path = tmp_path_factory.mktemp("template") / "tsunagari.db"
    engine = make_engine(f"sqlite:///{path}")
    prepare(engine, demo=True)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def sqlite_engine(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("sqlite") / "tsunagari.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine(postgres_server_url: str) -> Iterator[Engine]:
    database_url, engine = fresh_postgres_database(postgres_server_url)
    try:
        prepare(engine, demo=True)
        yield engine
    finally:
        engine.dispose()
        drop_postgres_database(postgres_server_url, database_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The registry on both backends: tests using it run twice."""
    name = "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


def _rolled_back_session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the demo database whose writes vanish after the test (SQLite and PostgreSQL)."""
    yield from _rolled_back_session(engine)


@pytest.fixture
def sqlite_session(sqlite_engine: Engine) -> Iterator[Session]:
    yield from _rolled_back_session(sqlite_engine)


@pytest.fixture
def cli_database(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private copy of the demo SQLite database for CLI runs, selected through the environment."""
    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("TSUNAGARI_DATABASE_URL", url)
    monkeypatch.setenv("TSUNAGARI_GAZETTEER", TEST_GAZETTEER)
    from tsunagari.config import get_settings
    from tsunagari.db import get_engine

    get_settings.cache_clear()
    get_engine.cache_clear()
    yield url
    get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
