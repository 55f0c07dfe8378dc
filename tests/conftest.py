"""Test fixtures: databases on SQLite and PostgreSQL, one rolled-back transaction per test.

TSUNAGARI_TEST_BACKEND (sqlite, the default, or postgresql) picks the backend of every fixture that
uses one database: `backend_session`, `cli_database`, `database_copy`, the servers the browser tests
start. The `session` fixture runs each test on both backends in the sqlite pass and on PostgreSQL
only in the postgresql pass; `make test` runs both passes (docs/testing.md).

PostgreSQL comes from TSUNAGARI_TEST_DATABASE_URL when set (databases of the run's own are created in
it and dropped after); otherwise a throwaway cluster is started from the installed binaries.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
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

BACKENDS = ("sqlite", "postgresql")


def _test_backend() -> str:
    value = os.environ.get("TSUNAGARI_TEST_BACKEND", "sqlite").strip().lower() or "sqlite"
    if value not in BACKENDS:
        raise pytest.UsageError(f"TSUNAGARI_TEST_BACKEND={value!r}: expected one of {', '.join(BACKENDS)}")
    return value


TEST_BACKEND = _test_backend()
# Backends the `session` fixture (and other two-backend fixtures) run on: both in the sqlite pass, so a
# plain `pytest` still checks PostgreSQL there; PostgreSQL alone in the postgresql pass.
SESSION_BACKENDS = BACKENDS if TEST_BACKEND == "sqlite" else ("postgresql",)


def pytest_report_header(config: pytest.Config) -> str:
    server = os.environ.get("TSUNAGARI_TEST_DATABASE_URL") or "a throwaway cluster (initdb)"
    return (
        f"tsunagari: TSUNAGARI_TEST_BACKEND={TEST_BACKEND}, session fixture on "
        f"{' and '.join(SESSION_BACKENDS)}, PostgreSQL from {server}"
    )


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
    if os.environ.get("TSUNAGARI_REQUIRE_POSTGRES") or TEST_BACKEND == "postgresql":
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


# --------------------------------------------------------------------------- prepared databases
def prepare(engine: Engine, *, demo: bool) -> None:
    """Migrate, load reference data (small gazetteer) and optionally the demo data, committed."""
    from tsunagari.cli.setup import initialise
    from tsunagari.db import unit_of_work

    upgrade(engine)
    with unit_of_work(engine) as session:
        initialise(session, TEST_GAZETTEER, False)
    if demo:
        _load_demo(engine)


def _load_demo(engine: Engine) -> None:
    from tsunagari.db import unit_of_work
    from tsunagari.demo.service import load_demo

    with unit_of_work(engine) as session:
        load_demo(session=session)


class Databases:
    """Databases on one backend: two templates built once per run (reference data only, and reference
    plus demo data) and private copies of them. A SQLite copy is a file copy; a PostgreSQL copy is
    `CREATE DATABASE … TEMPLATE …`, which copies the files instead of loading the data again."""

    def __init__(self, backend: str, workdir: Path, server_url: str | None = None) -> None:
        self.backend = backend
        self.server_url = server_url
        self._workdir = workdir
        self._run = uuid.uuid4().hex[:8]
        self._numbers = itertools.count(1)
        self._templates: dict[bool, str] = {}
        self._failed: dict[bool, Exception] = {}
        self._made: set[str] = set()
        self._lock = threading.RLock()
        self._admin: Engine | None = None
        self._dropper: ThreadPoolExecutor | None = None
        if backend == "postgresql":
            assert server_url is not None
            self._admin = create_engine(
                make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT", pool_size=5
            )
            # DROP DATABASE waits for a checkpoint, seconds on a busy server: drops happen beside the
            # next tests, several at once so that they share checkpoints.
            self._dropper = ThreadPoolExecutor(max_workers=4, thread_name_prefix="drop-database")

    # ----------------------------------------------------------------------- public
    def template(self, *, demo: bool) -> str:
        """The URL of a prepared database that must only be read or copied, never written."""
        with self._lock:
            if demo in self._failed:  # fail every test that needs it at once, not after a rebuild each
                raise RuntimeError("preparing this template database failed earlier") from self._failed[demo]
            if demo not in self._templates:
                try:
                    self._templates[demo] = self._build(demo=demo)
                except Exception as error:
                    self._failed[demo] = error
                    raise
            return self._templates[demo]

    def copy(self, *, demo: bool = True) -> str:
        """A private database with reference data (and the demo data unless demo=False)."""
        return self._clone(self.template(demo=demo))

    def empty(self) -> str:
        """A new database with nothing in it (a SQLite URL whose file does not exist yet)."""
        name = self._name()
        if self.backend == "sqlite":
            url = f"sqlite:///{self._workdir / (name + '.db')}"
        else:
            self._create(f'CREATE DATABASE "{name}"')
            url = self._url(name)
        self._made.add(url)
        return url

    def discard(self, url: str) -> None:
        """Remove a copy once nothing uses it any more."""
        if url in self._templates.values():
            return
        if self.backend == "sqlite":
            self._made.discard(url)
            path = Path(url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        elif self._dropper is not None:
            self._dropper.submit(self._drop, url)

    def close(self) -> None:
        if self._dropper is not None:
            self._dropper.shutdown(wait=True)
            # The templates, session-wide copies and any copy whose drop failed.
            with ThreadPoolExecutor(max_workers=4) as dropper:
                for url in sorted(self._made):
                    dropper.submit(self._drop, url)
        if self._admin is not None:
            self._admin.dispose()

    # ----------------------------------------------------------------------- private
    def _name(self) -> str:
        return f"tsunagari_test_{self._run}_{next(self._numbers)}"

    def _url(self, name: str) -> str:
        assert self.server_url is not None
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def _clone(self, template: str) -> str:
        name = self._name()
        if self.backend == "sqlite":
            path = self._workdir / f"{name}.db"
            shutil.copy(template.removeprefix("sqlite:///"), path)
            url = f"sqlite:///{path}"
        else:
            self._create(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"')
            url = self._url(name)
        self._made.add(url)
        return url

    def _create(self, statement: str) -> None:
        # CREATE DATABASE fails while another session is connected to its template (template1 is
        # shared with everyone on the server): retry for a while.
        assert self._admin is not None
        for attempt in range(40):
            try:
                with self._admin.connect() as connection:
                    connection.execute(text(statement))
                return
            except Exception:
                if attempt == 39:
                    raise
                time.sleep(0.5)

    def _drop(self, url: str) -> None:
        assert self._admin is not None
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        self._made.discard(url)

    def _build(self, *, demo: bool) -> str:
        if demo:
            url = self._clone(self.template(demo=False))
            engine = make_engine(url)
            _load_demo(engine)
        else:
            url = self.empty()
            engine = make_engine(url)
            prepare(engine, demo=False)
        self._settle(engine)
        return url

    def _settle(self, engine: Engine) -> None:
        """Make a prepared database copyable: its SQLite WAL folded into the file, no connections left."""
        if self.backend == "sqlite":
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    databases = Databases("sqlite", tmp_path_factory.mktemp("databases"))
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def postgres_databases(
    postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Databases]:
    databases = Databases("postgresql", tmp_path_factory.mktemp("pg-databases"), postgres_server_url)
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def databases(request: pytest.FixtureRequest) -> Databases:
    """Templates and copies on the run's backend (TSUNAGARI_TEST_BACKEND)."""
    name = "sqlite_databases" if TEST_BACKEND == "sqlite" else "postgres_databases"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def database_copy(databases: Databases) -> Iterator[Callable[..., str]]:
    """Makes private databases on the run's backend, `database_copy(demo=False)` without the demo data;
    each is removed after the test."""
    made: list[str] = []

    def copy(*, demo: bool = True) -> str:
        url = databases.copy(demo=demo)
        made.append(url)
        return url

    yield copy
    for url in made:
        databases.discard(url)


@pytest.fixture(scope="session")
def sqlite_engine(sqlite_databases: Databases) -> Iterator[Engine]:
    engine = make_engine(sqlite_databases.copy(demo=True))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine(postgres_databases: Databases) -> Iterator[Engine]:
    engine = make_engine(postgres_databases.copy(demo=True))
    yield engine
    engine.dispose()


@pytest.fixture(params=SESSION_BACKENDS)
def engine(request: pytest.FixtureRequest) -> Engine:
    """The registry on both backends in the sqlite pass (tests using it run twice), PostgreSQL alone in
    the postgresql pass."""
    name = "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def backend_engine(request: pytest.FixtureRequest) -> Engine:
    """The shared demo registry on the run's backend only."""
    name = "sqlite_engine" if TEST_BACKEND == "sqlite" else "postgres_engine"
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
def backend_session(backend_engine: Engine) -> Iterator[Session]:
    """Like `session`, on the run's backend only: for tests too slow to run twice in one pass."""
    yield from _rolled_back_session(backend_engine)


def select_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Point the settings (and so get_engine(), the CLI and the web app) at `url` for this test."""
    from tsunagari.config import get_settings
    from tsunagari.db import get_engine

    monkeypatch.setenv("TSUNAGARI_DATABASE_URL", url)
    monkeypatch.setenv("TSUNAGARI_GAZETTEER", TEST_GAZETTEER)
    get_settings.cache_clear()
    get_engine.cache_clear()


def release_database() -> None:
    """Close the pooled connections get_engine() opened, so the database can be dropped."""
    from tsunagari.config import get_settings
    from tsunagari.db import get_engine

    get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def cli_database(databases: Databases, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private copy of the demo database on the run's backend for CLI and web-app runs, selected
    through TSUNAGARI_DATABASE_URL."""
    url = databases.copy(demo=True)
    select_database(monkeypatch, url)
    try:
        yield url
    finally:
        release_database()
        databases.discard(url)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
