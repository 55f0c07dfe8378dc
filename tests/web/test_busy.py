"""A busy database answers 503 with Retry-After within a moment, never a 500 after seconds: a write that
finds another writer holding the lock (an import), and a request that finds no pooled connection free."""

from __future__ import annotations

import sqlite3
import time

import pytest
from fastapi.testclient import TestClient
from httpx import Headers
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout

from tests.staff_support import OWN, bearer, build_app, make_user, staff_database  # noqa: F401
from tests.web.test_staff import _own_id, _population_and_version
from tsunagari.access.roles import Role
from tsunagari.config import get_settings
from tsunagari.db import get_engine

pytestmark = pytest.mark.usefixtures("staff_database")


def _assert_busy(response_status: int, headers: Headers, seconds: float) -> None:
    assert response_status == 503
    assert headers["retry-after"] == "1"
    # The default wait is a second; well under SQLite's old 10 s and the pool's old 30 s.
    assert seconds < 5


def test_a_write_while_another_writer_holds_the_lock_answers_503_and_writes_nothing(
    staff_database: str,  # noqa: F811
) -> None:
    editor = make_user(Role.editor, (OWN,))
    record_id = _own_id()
    population, version = _population_and_version(record_id)
    client = TestClient(build_app())
    url = f"/api/v1/municipalities/{record_id}"
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        assert engine.url.database
        holder = sqlite3.connect(engine.url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # what an import does for its whole length
        release = holder.rollback
    else:
        connection = engine.connect()
        transaction = connection.begin()
        connection.execute(text("SELECT id FROM municipality WHERE id = :id FOR UPDATE"), {"id": record_id})
        release = transaction.rollback
    try:
        started = time.monotonic()
        response = client.patch(
            url, json={"population": population + 1, "version": version}, headers=bearer(editor)
        )
        elapsed = time.monotonic() - started
    finally:
        release()
    _assert_busy(response.status_code, response.headers, elapsed)
    assert response.json()["error"]["code"] == "busy"
    assert _population_and_version(record_id) == (population, version)
    # Retried once the lock is gone, the same request succeeds.
    again = client.patch(url, json={"population": population + 1, "version": version}, headers=bearer(editor))
    assert again.status_code == 200, again.text


def test_no_free_connection_answers_503_at_once_on_pages_and_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGARI_DATABASE_WAIT_MS", "200")
    get_settings.cache_clear()
    get_engine().dispose()
    get_engine.cache_clear()
    engine = get_engine()
    # Every connection the pool may open (db.make_engine: the request threads, and as many again).
    held = [engine.connect() for _ in range(2 * get_settings().worker_threads)]
    with pytest.raises(PoolTimeout):  # the pool really is empty, so the requests below find it so
        engine.connect()
    try:
        client = TestClient(build_app())
        for path in ("/api/v1/municipalities?limit=1", "/prefectures/東京都"):
            started = time.monotonic()
            response = client.get(path)
            _assert_busy(response.status_code, response.headers, time.monotonic() - started)
    finally:
        for connection in held:
            connection.close()
    assert TestClient(build_app()).get("/api/v1/municipalities?limit=1").status_code == 200
