"""A citizen's walk through the portal in Chromium: search, municipality, partner, country, statistics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.app_server import running_app
from tests.conftest import Databases

pytestmark = pytest.mark.browser

XSS = "<script>alert(1)</script>"

playwright_sync = pytest.importorskip("playwright.sync_api")


def _add_xss_partner(url: str) -> None:
    """A partner whose name is markup, partnered with 武蔵野市, committed before the server starts."""
    from tsunagari.db import make_engine
    from tsunagari.municipality import service as municipality_service
    from tsunagari.municipality.schemas import MunicipalityCreate
    from tsunagari.partnership import service as partnership_service
    from tsunagari.partnership.schemas import PartnershipCreate
    from tsunagari.session import unit_of_work

    engine = make_engine(url)
    with unit_of_work(engine) as session:
        musashino = municipality_service.get_by_jis_code(session=session, jis_code="132039")
        assert musashino is not None
        partner = municipality_service.create(
            session=session, data=MunicipalityCreate(name=XSS, name_en=XSS, country="JP", region="東京都")
        )
        partnership_service.create(
            session=session,
            data=PartnershipCreate(
                home_municipality_id=musashino.id, partner_municipality_id=partner.id, type="friendship_city"
            ),
        )
    engine.dispose()


@pytest.fixture(scope="module")
def start_server(databases: Databases) -> Iterator[Callable[[bool], str]]:
    """Starts uvicorn on a free port over a private copy of the demo database on the run's backend;
    stops every one it started and removes its database."""
    urls: list[str] = []

    def start(with_xss_partner: bool) -> str:
        url = databases.copy(demo=True)
        urls.append(url)
        if with_xss_partner:
            _add_xss_partner(url)
        return stack.enter_context(running_app(url, what="the portal server"))

    with ExitStack() as stack:
        yield start
    for url in urls:
        databases.discard(url)


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


def _shot(page: object, artifacts_dir: Path, name: str) -> None:
    page.screenshot(path=str(artifacts_dir / f"portal-{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_walk_search_municipality_partner_country_stats_and_language(
    start_server: Callable[[bool], str], page: object, artifacts_dir: Path
) -> None:
    expect = playwright_sync.expect
    p = page
    base = start_server(False)
    p.goto(f"{base}/")  # type: ignore[attr-defined]
    expect(p.locator(".map[data-outlines]").first).to_be_visible()  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "01-home")

    p.get_by_label("自治体を検索").fill("武蔵野")  # type: ignore[attr-defined]
    result = p.locator("#search-results").get_by_role("link", name="武蔵野市", exact=True)  # type: ignore[attr-defined]
    expect(result).to_be_visible()
    _shot(p, artifacts_dir, "02-search-musashino")
    result.click()

    expect(p.get_by_role("heading", level=1)).to_contain_text("武蔵野市")  # type: ignore[attr-defined]
    domestic = p.locator("section[aria-labelledby=domestic-h] li.partner")  # type: ignore[attr-defined]
    international = p.locator("section[aria-labelledby=international-h] li.partner")  # type: ignore[attr-defined]
    expect(domestic).to_have_count(9)
    expect(international).to_have_count(6)
    expect(p.locator("#partners-h")).to_contain_text("15")  # type: ignore[attr-defined]
    expect(p.locator(".map[data-outlines]")).to_be_visible()  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "03-musashino")

    international.get_by_role("link", name="ブラショフ市").click()
    expect(p.get_by_role("heading", level=1)).to_contain_text("ブラショフ市")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "04-partner-brasov")

    p.locator("#main").get_by_role("link", name="ルーマニア").first.click()  # type: ignore[attr-defined]
    expect(p.get_by_role("heading", level=1)).to_contain_text("ルーマニア")  # type: ignore[attr-defined]
    expect(p.locator("table")).to_contain_text("武蔵野市")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "05-country-romania")

    p.get_by_role("navigation", name="メインナビゲーション").get_by_role("link", name="統計").click()  # type: ignore[attr-defined]
    heading = p.get_by_role("heading", level=1)  # type: ignore[attr-defined]
    expect(heading).to_have_text("統計")
    # By country, prefecture, type, decade and exchange field.
    expect(p.locator("table.stat-table")).to_have_count(5)  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "06-stats")

    p.get_by_role("link", name="English").click()  # type: ignore[attr-defined]
    expect(heading).to_have_text("Statistics")
    expect(p.locator("html")).to_have_attribute("lang", "en")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "07-stats-english")
    p.get_by_role("link", name="日本語").click()  # type: ignore[attr-defined]
    expect(heading).to_have_text("統計")
    _shot(p, artifacts_dir, "08-stats-japanese-again")


@pytest.mark.parametrize(("word", "expected"), [("花火", "長岡市"), ("温泉", "岩美町")])
def test_search_short_japanese_words_finds_profiles(
    start_server: Callable[[bool], str], page: object, artifacts_dir: Path, word: str, expected: str
) -> None:
    expect = playwright_sync.expect
    p = page
    base = start_server(False)
    p.goto(f"{base}/")  # type: ignore[attr-defined]
    box = p.get_by_label("自治体を検索")  # type: ignore[attr-defined]
    box.fill(word)
    box.press("Enter")
    p.wait_for_url("**/search?q=*")  # type: ignore[attr-defined]  # the form also works without HTMX
    link = p.locator("#search-results").get_by_role("link", name=expected, exact=True)  # type: ignore[attr-defined]
    expect(link).to_be_visible()
    _shot(p, artifacts_dir, f"09-search-{expected}")
    link.click()
    expect(p.locator(".overview")).to_contain_text(word)  # type: ignore[attr-defined]


def test_markup_in_a_partner_name_renders_as_text(
    start_server: Callable[[bool], str], page: object, artifacts_dir: Path
) -> None:
    expect = playwright_sync.expect
    p = page
    dialogs: list[str] = []
    p.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))  # type: ignore[attr-defined]
    base = start_server(True)
    p.goto(f"{base}/search?q=script")  # type: ignore[attr-defined]
    link = p.locator("#search-results").get_by_role("link", name=XSS, exact=True)  # type: ignore[attr-defined]
    expect(link).to_be_visible()
    link.click()
    expect(p.get_by_role("heading", level=1)).to_contain_text(XSS)  # type: ignore[attr-defined]
    expect(p.locator("#partners-h")).to_contain_text("1")  # type: ignore[attr-defined]
    p.get_by_role("link", name="武蔵野市").first.click()  # type: ignore[attr-defined]
    expect(p.locator("section[aria-labelledby=domestic-h] li.partner")).to_have_count(10)  # type: ignore[attr-defined]
    expect(p.get_by_text(XSS, exact=True).first).to_be_visible()  # type: ignore[attr-defined]
    p.goto(f"{base}/municipalities/{p.url.rsplit('/', 1)[-1]}/brochure")  # type: ignore[attr-defined]
    expect(p.get_by_text(XSS).first).to_be_visible()  # type: ignore[attr-defined]
    p.wait_for_timeout(500)  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "10-markup-as-text")
    assert dialogs == []
