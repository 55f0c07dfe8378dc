"""The council's report pages in Chromium (issue 14): an administrator opens the verification report,
the dormant ties, the indicators (across a municipality's ties, and one programme's with its records a click
away), the 事務事業評価シート, the award application and a municipality's brochure, in Japanese and English,
on a desktop and a 390 px phone; each page shows its headings and figures in the page's language, and
nothing scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.app_server import running_app
from tests.conftest import Databases

pytestmark = pytest.mark.browser

playwright_sync = pytest.importorskip("playwright.sync_api")

PASSWORD = "correct horse battery staple"
ADMIN = "reports-admin@example.jp"


@dataclass(frozen=True)
class Site:
    base: str
    programme_id: int
    musashino_id: int


def _prepare(url: str) -> tuple[int, int]:
    """An administrator, and the demo programme whose 事務事業評価 inputs the demo carries."""
    from tsunagari.access.roles import Role
    from tsunagari.auth import service as auth_service
    from tsunagari.auth.schemas import UserCreate
    from tsunagari.db import make_engine
    from tsunagari.evaluation import sheet_service
    from tsunagari.municipality import service as municipality_service
    from tsunagari.session import unit_of_work

    engine = make_engine(url)
    with unit_of_work(engine) as session:
        auth_service.create_user(
            session=session, data=UserCreate(email=ADMIN, role=Role.admin, password=PASSWORD)
        )
        musashino = municipality_service.get_by_jis_code(session=session, jis_code="132039")
        assert musashino is not None
        [sheet, *_] = sheet_service.list_sheets(session=session)
        found = (sheet.programme_id, musashino.id)
    engine.dispose()
    return found


@pytest.fixture(scope="module")
def site(databases: Databases) -> Iterator[Site]:
    url = databases.copy(demo=True)
    programme_id, musashino_id = _prepare(url)
    try:
        with running_app(url, what="the report server") as base:
            yield Site(base, programme_id, musashino_id)
    finally:
        databases.discard(url)


@pytest.mark.parametrize("width", [1366, 390])
def test_each_report_page_opens_and_reads(
    site: Site,
    browser: object,
    artifacts_dir: Path,
    width: int,
) -> None:
    expect = playwright_sync.expect
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP")  # type: ignore[attr-defined]
    p = context.new_page()
    try:
        p.goto(f"{site.base}/staff/login")
        p.locator("#login-email").fill(ADMIN)
        p.locator("#login-password").fill(PASSWORD)
        p.locator("main button[type=submit]").click()
        p.wait_for_url(f"{site.base}/staff")
        both = ["武蔵野市"]
        pages = {
            "verification": (
                "/staff/evaluation/verification?municipality=武蔵野市&from=平成27年度&to=令和7年度",
                [*both, "ブラショフ", "提携ごとの指標"],
                [*both, "ブラショフ", "Every tie with its indicators"],
            ),
            "dormant": ("/staff/evaluation/dormant?municipality=武蔵野市", both, both),
            "indicators": (
                "/staff/evaluation/indicators?municipality=武蔵野市&from=2015&to=2025",
                [*both, "ブラショフ", "継続性 (最長連続年度)"],
                [*both, "ブラショフ", "Continuity (longest run)"],
            ),
            "programme-indicators": (
                f"/staff/evaluation/indicators/programme/{site.programme_id}?from=2015&to=2025",
                ["参加者1人あたり公費", "数えた記録"],
                ["Public cost per participant", "Records counted"],
            ),
            "jimu-jigyo": (
                f"/staff/evaluation/jimu-jigyo?programme={site.programme_id}&from=2015&to=2025",
                ["フルコスト", "人件費", "活動指標", "成果指標"],
                ["Full cost", "Labour cost", "Activity indicator", "Outcome indicator"],
            ),
            "award": (
                f"/staff/evaluation/award?programme={site.programme_id}",
                ["地域の概要", "評価のポイント"],
                ["The region", "Points against the six award criteria"],
            ),
            "brochure": (f"/municipalities/{site.musashino_id}/brochure", both, both),
        }
        for name, (path, japanese, english) in pages.items():
            for lang, texts in (("ja", japanese), ("en", english)):
                response = p.goto(f"{site.base}{path}{'&' if '?' in path else '?'}lang={lang}")
                assert response is not None and response.status == 200, (name, lang)
                body = p.locator("body")
                for text in texts:
                    expect(body).to_contain_text(text)
                if name == "programme-indicators":
                    # A click on a figure's records lists the activities it counts, each a link to its record.
                    records = p.locator("#measure-participants details")
                    expect(records.locator("ul.records")).to_be_hidden()
                    records.locator("summary").click()
                    expect(records.locator("ul.records a").first).to_be_visible()
                # The page may scroll inside its tables, never sideways as a whole.
                p.screenshot(path=str(artifacts_dir / f"report-{name}-{lang}-{width}.png"), full_page=True)
                overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                widest = p.evaluate(
                    "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
                    " > window.innerWidth + 1).slice(0, 3).map(e => e.tagName + '.' + e.className)"
                )
                assert overflow <= 1, (name, lang, width, overflow, widest)
    finally:
        context.close()
