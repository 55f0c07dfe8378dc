"""HTML portal on the demo DB: pages render what their contexts declare, downloads parse, no contacts."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tsunagari.municipality import pages as municipality_pages
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.schemas import ContactCreate
from tsunagari.partnership import pages as partnership_pages
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.portal import pages as portal_pages
from tsunagari.portal import service as portal_service
from tsunagari.web import rendering, static

CONTACT = {"person_name": "山田太郎", "email": "taro@example.jp", "phone": "03-1234-5678"}
XSS = "<script>alert(1)</script>"


@pytest.fixture
def client(demo_client: TestClient) -> TestClient:
    """The shared app on the shared demo database; a private copy for a test marked `writes`."""
    return demo_client


@pytest.fixture
def session(demo_session: Session) -> Session:
    return demo_session


def _musashino(session: Session) -> Municipality:
    found = municipality_service.get_by_jis_code(session=session, jis_code="132039")
    assert found is not None
    return found


def _text(body: str) -> str:
    """The page's visible text, tags removed and entities decoded, for assertions about what users see."""
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_home_renders_figures_map_and_anniversaries(client: TestClient, session: Session) -> None:
    page = portal_pages.home_page(session=session, lang="ja")
    body = client.get("/").text
    assert '<html lang="ja">' in body
    for value in page.figures.values():
        assert f"<dd>{value:,}</dd>" in body
    for anniversary in page.anniversaries:
        assert anniversary.municipality in body and anniversary.partner in body
    # The map fetches its lines from the API (the whole registry's are megabytes): the page carries none.
    assert 'data-lines-url="/api/v1/map"' in body and 'data-lines="' not in body
    assert 'data-tile-url=""' in body
    assert client.get("/api/v1/map").json()["items"]
    assert 'id="q"' in body and '<label for="q">' in body
    assert 'href="#main"' in body and "<header" in body and "<nav" in body and "<footer" in body
    assert "GeoNames" in body and "Natural Earth" in body and "JpGeocode" in body and "JIS X 0402" in body


@pytest.mark.parametrize(
    ("q", "expected"),
    [("武蔵野", "武蔵野市"), ("花火", "長岡市"), ("温泉", "岩美町"), ("Brasov", "ブラショフ市")],
)
def test_search_finds_names_and_profile_words(client: TestClient, q: str, expected: str) -> None:
    response = client.get("/search", params={"q": q})
    assert response.status_code == 200
    assert expected in _text(response.text)
    partial = client.get("/search", params={"q": q}, headers={"HX-Request": "true"})
    assert expected in partial.text and "<html" not in partial.text


def test_municipality_page_renders_musashino_and_its_fifteen_partners(
    client: TestClient, session: Session
) -> None:
    musashino = _musashino(session)
    page = municipality_pages.municipality_page(session=session, municipality_id=musashino.id, lang="ja")
    assert (len(page.domestic), len(page.international)) == (9, 6)
    body = client.get(f"/municipalities/{musashino.id}").text
    text = _text(body)
    assert page.profile.name in text and (page.profile.name_en or "") in text
    assert page.profile.overview and page.profile.overview in text
    assert 'data-count="domestic">(9)' in body and 'data-count="international">(6)' in body
    domestic_at, international_at = body.index('id="domestic-h"'), body.index('id="international-h"')
    for partner in page.domestic:
        assert body.index(partner.name, domestic_at) < international_at
    for partner in page.international:
        assert body.index(partner.name, international_at) < body.index('id="map-h"')
    for partner in page.domestic + page.international:
        assert partner.name in text and partner.type_label in text
        if partner.signed:
            assert partner.signed in text
        if partner.origin:
            assert partner.origin in text
    for entry in page.timeline:
        assert f"/partnerships/{entry.partnership_id}" in body
    for source in page.sources:
        assert source in text
    assert f"/municipalities/{musashino.id}/brochure" in body


def test_dates_show_seireki_and_wareki_in_japanese_and_iso_in_english(
    client: TestClient, session: Session
) -> None:
    dated = partnership_rows.list_partnerships(session=session, limit=1).items[0]
    assert dated.signed_on is not None and dated.home_municipality_id is not None
    page = municipality_pages.municipality_page(
        session=session, municipality_id=dated.home_municipality_id, lang="ja"
    )
    row = next(p for p in page.domestic + page.international if p.partnership_id == dated.id)
    assert re.fullmatch(r"\d{4}年(\d+月(\d+日)?)?（(明治|大正|昭和|平成|令和)(元|\d+)年.*）", row.signed)
    assert row.years_since_signing is not None
    body = client.get(f"/municipalities/{dated.home_municipality_id}").text
    assert row.signed in _text(body) and f"{row.years_since_signing}年" in _text(body)
    english = client.get(f"/municipalities/{dated.home_municipality_id}?lang=en").text
    assert f'<time datetime="{row.signed_iso}">{row.signed_iso}</time>' in english


def test_merger_history_and_inherited_partnership(client: TestClient, session: Session) -> None:
    nanto = municipality_service.find_by_name(session=session, name="南砺市")
    nanto = nanto[0] if isinstance(nanto, list) else nanto
    assert nanto is not None
    page = municipality_pages.municipality_page(session=session, municipality_id=nanto.id, lang="ja")
    text = _text(client.get(f"/municipalities/{nanto.id}").text)
    assert [f.name for f in page.former] and all(f.name in text for f in page.former)
    assert "利賀村" in text


def test_partnership_country_and_prefecture_pages(client: TestClient, session: Session) -> None:
    musashino = _musashino(session)
    rows = partnership_rows.partner_rows(session=session, municipality=musashino)
    brasov = next(r for r in rows if r.country == "RO")
    partnership = partnership_pages.partnership_page(
        session=session, partnership_id=brasov.partnership_id, lang="ja"
    )
    text = _text(client.get(f"/partnerships/{brasov.partnership_id}").text)
    assert partnership.home.name in text and partnership.partner.name in text
    assert partnership.type_label in text and partnership.signed in text

    country = portal_pages.country_page(session=session, alpha2="RO", lang="ja")
    text = _text(client.get("/countries/RO").text)
    assert "ルーマニア" in text and country.partnerships
    for line in country.partnerships:
        assert line.home in text and line.partner in text

    prefecture = portal_pages.prefecture_page(session=session, name="東京都", lang="ja")
    text = _text(client.get("/prefectures/東京都").text)
    assert "武蔵野市" in text and len(prefecture.partnerships) >= 15
    for line in prefecture.partnerships:
        assert line.partner in text


@pytest.mark.parametrize(
    "url", ["/municipalities/999999", "/partnerships/999999", "/countries/ZZ", "/prefectures/無い県"]
)
def test_unknown_records_are_friendly_404_pages(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "見つかりません" in response.text and "<main" in response.text


def _stat_tables(body: str) -> dict[str, dict[str, int]]:
    tables: dict[str, dict[str, int]] = {}
    for group, table in re.findall(r'<table class="stat-table" data-group="(\w+)">(.*?)</table>', body, re.S):
        rows = re.findall(r'<tr data-key="([^"]+)">.*?<td class="num">(\d+)</td>', table, re.S)
        tables[group] = {html.unescape(key): int(count) for key, count in rows}
    return tables


def test_stats_tables_equal_the_portal_statistics(client: TestClient, session: Session) -> None:
    tables = _stat_tables(client.get("/stats").text)
    assert set(tables) == {"country", "prefecture", "type", "decade", "field"}
    for group_by in ("country", "prefecture", "type", "decade", "field"):
        expected = portal_service.statistics(session=session, group_by=group_by)  # type: ignore[arg-type]
        assert tables[group_by] == {r.key: r.count for r in expected}


@pytest.mark.parametrize("group_by", ["country", "prefecture", "type", "decade", "field"])
def test_stats_downloads_as_csv_with_bom_and_xlsx(
    client: TestClient, session: Session, group_by: str
) -> None:
    expected = [
        [r.key, r.label, r.label_en, str(r.count)]
        for r in portal_service.statistics(session=session, group_by=group_by)  # type: ignore[arg-type]
    ]
    response = client.get(f"/stats/{group_by}.csv")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["key", "label", "label_en", "count"] and rows[1:] == expected
    response = client.get(f"/stats/{group_by}.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [[str(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[1:] == expected
    assert client.get(f"/stats/{group_by}.pdf").status_code == 404


def test_open_data_downloads_parse(client: TestClient, session: Session) -> None:
    response = client.get("/data/partnerships.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert any(r["municipality"] == "武蔵野市" and r["partner_country"] == "RO" for r in rows)

    document = client.get("/data/partnerships.json").json()
    assert document["licence"] and "GeoNames" in document["attribution"]
    assert len(document["partnerships"]) == len(rows)

    response = client.get("/data/partnerships.jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    graph = response.json()
    assert "https://schema.org" in graph["@context"]
    places = [n for n in graph["@graph"] if n["@type"] in ("City", "AdministrativeArea")]
    relations = [n for n in graph["@graph"] if n["@type"] == "OrganizationRole"]
    assert len(relations) == len(rows)
    ids = {p["@id"] for p in places}
    assert all(r["tsunagari:parties"][0]["@id"] in ids for r in relations)
    assert any(str(p.get("sameAs", "")).startswith("https://www.geonames.org/") for p in places)

    text = _text(client.get("/data").text)
    assert "CC BY 4.0" in text and "/data/partnerships.jsonld" in text


def test_brochure_is_a4_with_domestic_before_international(client: TestClient, session: Session) -> None:
    musashino = _musashino(session)
    page = municipality_pages.brochure_page(session=session, municipality_id=musashino.id, lang="ja")
    body = client.get(f"/municipalities/{musashino.id}/brochure").text
    text = _text(body)
    assert "つながれば広がる" in text
    assert text.index("国内交流") < text.index("国際交流")
    for partner in page.domestic + page.international:
        assert partner.name in text and (partner.name_en or "") in text
        assert partner.overview is None or partner.overview in text
    nagaoka = next(p for p in page.domestic if p.name == "長岡市")
    assert nagaoka.region == "新潟県" and "花火" in (nagaoka.overview or "")
    css = client.get("/static/brochure.css").text
    assert "@page" in css and "A4" in css


def test_english_switch_sets_a_cookie_and_translates(client: TestClient, session: Session) -> None:
    musashino = _musashino(session)
    response = client.get("/stats?lang=en")
    assert response.cookies.get("lang") == "en"
    assert '<html lang="en">' in response.text and "<h1>Statistics</h1>" in response.text
    assert 'href="/stats?lang=ja"' in response.text
    body = client.get(f"/municipalities/{musashino.id}").text  # the cookie keeps English
    assert "Domestic" in body and "International" in body and "Musashino City" in body
    back = client.get("/stats?lang=ja")
    assert back.cookies.get("lang") == "ja" and "<h1>統計</h1>" in back.text


def test_catalogues_translate_every_message() -> None:
    from babel.messages.pofile import read_po

    rendering.compile_catalogues()
    po = rendering.LOCALES / "ja" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
    assert po.with_suffix(".mo").stat().st_mtime >= po.stat().st_mtime


def _add_partner(session: Session, home: Municipality, name: str) -> Municipality:
    partner = municipality_service.create(
        session=session, data=MunicipalityCreate(name=name, name_en=name, country="JP", region="東京都")
    )
    partnership_service.create(
        session=session,
        data=PartnershipCreate(
            home_municipality_id=home.id, partner_municipality_id=partner.id, type="friendship_city"
        ),
    )
    return partner


@pytest.mark.writes
def test_markup_in_names_is_shown_as_text(client: TestClient, session: Session) -> None:
    partner = _add_partner(session, _musashino(session), XSS)
    session.commit()
    for url in [
        f"/municipalities/{_musashino(session).id}",
        f"/municipalities/{partner.id}",
        "/search?q=script",
    ]:
        body = client.get(url).text
        assert XSS not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def _crawl(client: TestClient, start: list[str], limit: int = 400) -> dict[str, bytes]:
    seen: dict[str, bytes] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.content
        if response.headers.get("content-type", "").startswith("text/html"):
            for link in re.findall(r'href="(/[^"#]*)"', response.text):
                link = html.unescape(link)
                if not link.startswith("/static/") and link not in seen:
                    queue.append(link)
    return seen


@pytest.mark.writes
def test_contacts_appear_on_no_public_page_or_download(client: TestClient, session: Session) -> None:
    musashino = _musashino(session)
    organisation_service.add_contact(
        session=session, data=ContactCreate(municipality_id=musashino.id, **CONTACT)
    )
    session.commit()
    downloads = ["/data/partnerships.csv", "/data/partnerships.json", "/data/partnerships.jsonld"]
    downloads += [
        f"/stats/{g}.{f}" for g in ("country", "prefecture", "type", "decade") for f in ("csv", "xlsx")
    ]
    start = [
        "/",
        "/stats",
        "/data",
        f"/municipalities/{musashino.id}",
        f"/municipalities/{musashino.id}/brochure",
    ]
    start += ["/search?q=武蔵野", "/?lang=en", f"/municipalities/{musashino.id}?lang=en"]
    outputs = _crawl(client, start + downloads)
    assert len(outputs) > 40
    assert any(url.startswith("/partnerships/") for url in outputs)
    for url, content in outputs.items():
        if url.endswith(".xlsx"):
            sheet = load_workbook(io.BytesIO(content)).active
            content = json.dumps(list(sheet.iter_rows(values_only=True)), ensure_ascii=False).encode()
        decoded = content.decode("utf-8", errors="replace")
        for value in CONTACT.values():
            assert value not in decoded, f"{value} leaked on {url}"


def test_static_vendor_files_are_served_with_licences(client: TestClient) -> None:
    root = Path(static.STATIC) / "vendor"
    for name in ("htmx.org-2.0.4", "leaflet-1.9.4", "world-atlas-2.0.2", "topojson-client-3.1.0"):
        assert (root / name / "LICENSE").exists()
    world = client.get("/static/vendor/world-atlas-2.0.2/countries-110m.json").json()
    assert world["type"] == "Topology" and "countries" in world["objects"]
    assert client.get("/static/portal.js").status_code == 200
