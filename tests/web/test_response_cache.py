"""The public API's response cache: served while the data version holds, rebuilt after any write."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tsunagari.audit.service import data_version
from tsunagari.config import get_settings
from tsunagari.db import get_engine
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.names.normalize import name_keys
from tsunagari.session import unit_of_work
from tsunagari.web.app import create_app
from tsunagari.web.response_cache import CachedResponse, ResponseCache

API = "/api/v1"


@pytest.fixture
def client(cli_database: str) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


def _cache(client: TestClient) -> ResponseCache:
    app = client.app
    assert isinstance(app, FastAPI)
    cache = app.state.response_cache
    assert isinstance(cache, ResponseCache)
    return cache


def _musashino(client: TestClient) -> int:
    found = client.get(f"{API}/search", params={"q": "武蔵野市"}).json()["items"]
    return int(next(item["id"] for item in found if item["name"] == "武蔵野市"))


def test_a_repeated_request_is_served_from_the_cache_with_the_same_body_and_etag(client: TestClient) -> None:
    path = f"{API}/municipalities/{_musashino(client)}"
    first = client.get(path)
    cache = _cache(client)
    hits = cache.hits
    again = client.get(path)
    assert cache.hits == hits + 1
    assert (again.status_code, again.content, again.headers["etag"]) == (
        200,
        first.content,
        first.headers["etag"],
    )
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert again.headers["content-length"] == str(len(first.content))
    not_modified = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    assert cache.hits == hits + 2


def test_a_write_made_elsewhere_is_seen_by_the_next_request(client: TestClient) -> None:
    # The write goes through a session of its own, as another process's would: only the version
    # read from the database can tell the app.
    musashino = _musashino(client)
    path = f"{API}/municipalities/{musashino}"
    first = client.get(path)
    before = client.get(path).json()
    with unit_of_work(get_engine()) as session:
        record = session.get(Municipality, musashino)
        assert record is not None
        record.overview_en = "A city west of central Tokyo (edited)."
    after = client.get(path)
    assert after.json()["overview_en"] == "A city west of central Tokyo (edited)."
    assert after.json() != before and after.headers["etag"] != first.headers["etag"]


def test_a_new_alias_alone_changes_what_search_finds(client: TestClient) -> None:
    # A name row is written without an audit entry of its own: the version counts names too.
    path = f"{API}/search"
    assert client.get(path, params={"q": "ムサシノテスト"}).json()["total"] == 0
    musashino = _musashino(client)
    with unit_of_work(get_engine()) as session:
        for key in name_keys("ムサシノテスト"):
            session.add(
                MunicipalityName(municipality_id=musashino, name="ムサシノテスト", key=key, kind="alias")
            )
    found = client.get(path, params={"q": "ムサシノテスト"}).json()
    assert [item["id"] for item in found["items"]] == [musashino]


def test_errors_and_other_queries_are_not_mixed_up(client: TestClient) -> None:
    assert client.get(f"{API}/municipalities/999999").status_code == 404
    assert client.get(f"{API}/municipalities/999999").status_code == 404
    five, six = client.get(f"{API}/partnerships?limit=5"), client.get(f"{API}/partnerships?limit=6")
    assert len(five.json()["items"]) == 5 and len(six.json()["items"]) == 6
    assert client.get(f"{API}/partnerships?limit=5").content == five.content
    assert not any(key[1].endswith("999999") for key in _cache(client)._entries)


def test_the_cache_can_be_turned_off(cli_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGARI_RESPONSE_CACHE_ENTRIES", "0")
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as client:
            assert client.get(f"{API}/stats").status_code == 200
            assert client.get(f"{API}/stats").status_code == 200
            cache = _cache(client)
            assert not cache.enabled and len(cache) == 0 and cache.hits == 0
    finally:
        get_settings.cache_clear()


def test_the_data_version_moves_with_every_write(cli_database: str) -> None:
    engine = get_engine()
    before = data_version(engine)
    with unit_of_work(engine) as session:
        record = session.scalars(select(Municipality).limit(1)).one()
        record.website = "https://example.org/"
    assert data_version(engine)[0] > before[0]


def _entry(size: int, version: tuple[int, int] = (1, 1)) -> CachedResponse:
    return CachedResponse(version, b"x" * size, {"content-type": "application/json"}, '"tag"')


def test_the_least_recently_used_go_first_within_the_entry_and_byte_budgets() -> None:
    cache = ResponseCache(max_entries=3, max_bytes=1000)
    for name in ("a", "b", "c"):
        cache.put(("db", name, ""), _entry(100))
    assert cache.get(("db", "a", ""), (1, 1)) is not None  # a is now the most recent
    cache.put(("db", "d", ""), _entry(100))
    assert cache.get(("db", "b", ""), (1, 1)) is None and len(cache) == 3
    cache.put(("db", "e", ""), _entry(900))
    assert cache.size <= 1000 and cache.get(("db", "e", ""), (1, 1)) is not None
    assert cache.get(("db", "a", ""), (1, 1)) is None
    cache.put(("db", "huge", ""), _entry(2000))  # larger than the whole budget: not kept
    assert cache.get(("db", "huge", ""), (1, 1)) is None


def test_an_entry_of_another_version_is_a_miss() -> None:
    cache = ResponseCache(max_entries=10, max_bytes=10_000)
    cache.put(("db", "a", ""), _entry(10, (5, 7)))
    assert cache.get(("db", "a", ""), (5, 8)) is None
    assert cache.get(("db", "a", ""), (5, 7)) is not None
    assert (cache.hits, cache.misses) == (1, 1)
