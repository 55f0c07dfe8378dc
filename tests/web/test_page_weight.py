"""Page weight with the global corpus loaded (issue 19): every public page under 300 kB, the maps'
lines fetched from the map API rather than carried; the whole-registry downloads built once per data
version, kept, and served again from the kept file until a write."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, union_all

from tests.conftest import Databases, prepare, release_database, select_database, shared_path
from tsunagari.db import make_engine
from tsunagari.importers.pairs import import_pairs
from tsunagari.municipality.models import Municipality
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import Partnership
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.portal import open_data_pages
from tsunagari.session import unit_of_work
from tsunagari.web.app import create_app
from tsunagari.web.download_store import DownloadStore

PAGE_LIMIT_BYTES = 300_000

# Public GET routes that are no HTML page: files, feeds, the API's documents and probes.
NOT_PAGES = {
    "/anniversaries.ics",
    "/countries/{alpha2}/partnerships.{fmt}",
    "/prefectures/{name}/partnerships.{fmt}",
    "/data/partnerships.csv",
    "/data/partnerships.csv-metadata.json",
    "/data/partnerships.json",
    "/data/partnerships.jsonld",
    "/data/partnerships.xlsx",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/openapi.json",
    "/healthz",
    "/municipalities/{municipality_id}/anniversaries.ics",
    "/municipalities/{municipality_id}/publications.atom",
    "/stats/{group_by}.{fmt}",
    "/anniversaries",  # a redirect to this year's page
    # Every list page's CSV and XLSX (portal.list_download_pages).
    "/anniversaries/{year}/partnerships.{fmt}",
    "/awards.{fmt}",
    "/benefits.{fmt}",
    "/cases.{fmt}",
    "/countries.{fmt}",
    "/decades.{fmt}",
    "/decades/{decade}/partnerships.{fmt}",
    "/municipalities/{municipality_id}/partners.{fmt}",
    "/municipalities/{municipality_id}/publications.{fmt}",
    "/networks.{fmt}",
    "/prefectures.{fmt}",
    "/programmes.{fmt}",
    "/search.{fmt}",
    "/seeking.{fmt}",
    "/stats.{fmt}",
}
NOT_PUBLIC = ("/api/", "/staff", "/static", "/login", "/logout", "/account")


def _corpus_and_demo(engine: Engine) -> None:
    """The demo data and the whole world corpus (25,917 pairs), committed."""
    prepare(engine, demo=True)
    with unit_of_work(engine) as session:
        import_pairs(session=session, path=shared_path("data", "global-twinning", "twin_cities.csv"))


@pytest.fixture(scope="module")
def corpus_url(databases: Databases) -> Iterator[str]:
    """A private copy of the demo data with the world corpus imported (built once and kept between runs
    like the test templates)."""
    corpus = shared_path("data", "global-twinning", "twin_cities.csv")
    inputs = [hashlib.sha256(corpus.read_bytes()).hexdigest(), inspect.getsource(_corpus_and_demo)]
    url = databases.copy_of(databases.prepared("corpus_demo", _corpus_and_demo, inputs=inputs))
    yield url
    databases.discard(url)


@pytest.fixture
def corpus_client(
    corpus_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[TestClient, DownloadStore]]:
    select_database(monkeypatch, corpus_url)
    app = create_app()
    store = DownloadStore(tmp_path / "downloads")
    app.state.download_store = store
    try:
        with TestClient(app) as client:
            yield client, store
    finally:
        release_database()


def _heaviest(engine: Engine) -> dict[str, object]:
    """The values that make each page its largest: the municipality with the most partners, the country
    and the prefecture with the most partnerships."""
    with engine.connect() as connection:
        ends = union_all(
            select(Partnership.home_municipality_id.label("m")), select(Partnership.partner_municipality_id)
        ).subquery()
        busiest = connection.execute(
            select(ends.c.m, func.count())
            .where(ends.c.m.is_not(None))
            .group_by(ends.c.m)
            .order_by(func.count().desc())
        ).first()
        assert busiest is not None and busiest[1] >= 50
        japanese = connection.execute(
            select(Municipality.id, Municipality.region)
            .join(ends, ends.c.m == Municipality.id)
            .where(Municipality.country == "JP", Municipality.region.is_not(None))
            .group_by(Municipality.id, Municipality.region)
            .order_by(func.count().desc())
        ).first()
        assert japanese is not None
        partnership = connection.scalar(select(func.max(Partnership.id)))
    return {
        "municipality": busiest[0],
        "japanese": japanese[0],
        "prefecture": japanese[1],
        "partnership": partnership,
    }


@pytest.mark.corpus
def test_every_public_page_stays_under_300_kb_with_the_corpus_loaded(
    corpus_client: tuple[TestClient, DownloadStore], corpus_url: str
) -> None:
    client, _ = corpus_client
    engine = make_engine(corpus_url)
    try:
        heavy = _heaviest(engine)
    finally:
        engine.dispose()
    m, jp, pref = heavy["municipality"], heavy["japanese"], heavy["prefecture"]
    networks = client.get("/api/v1/networks").json()["items"]
    programmes = client.get("/api/v1/programmes").json()["items"]
    profiles = client.get("/api/v1/seeking").json()["items"]
    pages = {
        "/": ["/", "/?lang=en"],
        "/map": ["/map", "/map?type=sister_city", "/map?country=DE"],
        "/search": ["/search?q=a", "/search?q=市", "/search?country=DE"],
        "/stats": ["/stats"],
        "/data": ["/data"],
        "/countries": ["/countries"],
        "/countries/{alpha2}": ["/countries/DE", "/countries/DE?page=2", "/countries/FR", "/countries/US"],
        "/prefectures": ["/prefectures"],
        "/decades": ["/decades"],
        "/decades/{decade}": ["/decades/1990", "/decades/2000"],
        "/prefectures/{name}": [f"/prefectures/{pref}"],
        "/municipalities/{municipality_id}": [f"/municipalities/{m}", f"/municipalities/{jp}"],
        "/municipalities/{municipality_id}/brochure": [f"/municipalities/{jp}/brochure"],
        "/municipalities/{municipality_id}/publications": [f"/municipalities/{jp}/publications"],
        "/embed/municipalities/{municipality_id}": [f"/embed/municipalities/{m}"],
        "/partnerships/{partnership_id}": [f"/partnerships/{heavy['partnership']}"],
        "/anniversaries/{year}": ["/anniversaries/2026", "/anniversaries/2027"],
        "/awards": ["/awards"],
        "/cases": ["/cases"],
        "/networks": ["/networks"],
        "/networks/{network_id}": [f"/networks/{n['id']}" for n in networks[:3]],
        "/programmes": ["/programmes"],
        "/programmes/{programme_id}": [f"/programmes/{p['id']}" for p in programmes[:3]],
        "/seeking": ["/seeking"],
        "/seeking/{profile_id}": [f"/seeking/{p['id']}" for p in profiles[:3]],
    }
    public = {
        route.path
        for route in client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, APIRoute)
        and "GET" in route.methods
        and not route.path.startswith(NOT_PUBLIC)
        and route.path not in NOT_PAGES
    }
    # A new public page joins this test: it is weighed, or said not to be a page.
    assert public - set(pages) == set()
    weights: dict[str, int] = {}
    for urls in pages.values():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["content-type"].startswith("text/html"), url
            weights[url] = len(response.content)
    heavy_pages = {url: size for url, size in weights.items() if size >= PAGE_LIMIT_BYTES}
    assert heavy_pages == {}
    # The maps carry no lines: they fetch them, filtered, from the map API.
    home = client.get("/").text
    assert 'data-lines-url="/api/v1/map"' in home and "data-lines=" not in home
    germany = client.get("/countries/DE").text
    assert 'data-lines-url="/api/v1/map?country=DE"' in germany
    lines = client.get("/api/v1/map", params={"country": "DE"}).json()
    assert lines["total"] > 1_000
    # The list of Germany's 4,500 partnerships is there without JavaScript, 200 to a page.
    assert germany.count('href="/partnerships/') == 200 and 'href="/countries/DE?page=2"' in germany
    assert client.get("/countries/DE?page=99").status_code == 404


@pytest.mark.corpus
def test_downloads_are_kept_per_data_version_and_rebuilt_after_a_write(
    corpus_client: tuple[TestClient, DownloadStore], corpus_url: str
) -> None:
    client, store = corpus_client
    first = client.get("/data/partnerships.csv")
    assert first.status_code == 200 and store.builds == 1
    etag = first.headers["etag"]
    assert first.headers["last-modified"] and first.headers["content-disposition"]
    assert int(first.headers["content-length"]) == len(first.content)

    again = client.get("/data/partnerships.csv")
    assert again.content == first.content and again.headers["etag"] == etag
    assert store.builds == 1, "the second request is served from the kept file"
    assert client.get("/data/partnerships.csv", headers={"If-None-Match": etag}).status_code == 304

    # The same bytes as building the file afresh, as every download was built before it was kept.
    engine = make_engine(corpus_url)
    try:
        with unit_of_work(engine) as session:
            assert first.content == open_data_pages.build_csv(session=session).body
            assert (
                client.get("/data/partnerships.json").content
                == open_data_pages.build_json(session=session).body
            )
            assert (
                client.get("/data/partnerships.jsonld").content
                == open_data_pages.build_jsonld(session, "http://testserver").body
            )
        builds = store.builds
        for path in ("/data/partnerships.json", "/data/partnerships.jsonld", "/data/partnerships.xlsx"):
            assert client.get(path).status_code == 200
        assert store.builds == builds + 1, "only the xlsx was not kept yet"

        with unit_of_work(engine) as session:
            ids = session.scalars(
                select(Municipality.id).where(Municipality.country == "JP").order_by(Municipality.id).limit(2)
            ).all()
            partnership_service.create(
                session=session,
                data=PartnershipCreate(
                    home_municipality_id=ids[0],
                    partner_municipality_id=ids[1],
                    type="disaster_mutual_aid",
                ),
            )
    finally:
        engine.dispose()
    after = client.get("/data/partnerships.csv", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert len(after.content.splitlines()) == len(first.content.splitlines()) + 1
    assert store.builds == builds + 2
    kept = sorted(p.name for p in store.directory.iterdir())
    assert all(not name.startswith(".") for name in kept), "no half-written file is left"


def test_the_map_api_gives_each_page_its_lines_by_type_country_and_prefecture(
    shared_demo_client: TestClient,
) -> None:
    client = shared_demo_client
    everything = client.get("/api/v1/map").json()
    sister = client.get("/api/v1/map", params={"type": "sister_city"}).json()
    assert 0 < sister["total"] < everything["total"]
    assert {line["type"] for line in sister["items"]} == {"sister_city"}
    romania = client.get("/api/v1/map", params={"country": "ro"}).json()
    names = {end["name"] for line in romania["items"] for end in (line["from"], line["to"])}
    assert 0 < romania["total"] < everything["total"] and "ブラショフ市" in names
    tokyo = client.get("/api/v1/map", params={"prefecture": "東京都"}).json()
    names = {end["name"] for line in tokyo["items"] for end in (line["from"], line["to"])}
    assert "武蔵野市" in names and 0 < tokyo["total"] < everything["total"]
    # The /map page's filters are the API's: its count is the number of lines the map fetches.
    page = client.get("/map", params={"type": "sister_city"}).text
    assert f'data-total="{sister["total"]}"' in page
    assert 'data-lines-url="/api/v1/map?type=sister_city"' in page

    unknown = client.get("/api/v1/map", params={"prefecture": "無い県"})
    assert unknown.status_code == 422 and "prefecture" in unknown.text and "無い県" in unknown.text
    assert client.get("/api/v1/map", params={"type": "twinned"}).status_code == 422
    assert client.get("/api/v1/map", params={"colour": "red"}).status_code == 422
