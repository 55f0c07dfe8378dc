"""Citizen benefits in Chromium, Japanese and English, desktop and a 390 px phone: the /benefits page lists
current offers and filters them by kind, 武蔵野市's page shows its block, nothing overflows the screen,
axe-core (vendored) finds no serious or critical violation, and in English no Japanese is left outside an
element marked lang="ja"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_server import running_app
from tests.browser.test_portal_english_a11y import AXE, AXE_RUN, JAPANESE_OUTSIDE_JA
from tests.conftest import Databases
from tsunagari.db import make_engine
from tsunagari.session import unit_of_work

pytestmark = pytest.mark.browser

playwright_sync = pytest.importorskip("playwright.sync_api")

EVENT = "ブラウザ確認用 国際交流フェスタ"
HOMESTAY = "ブラウザ確認用 ホームステイ受入家庭募集"
OVERFLOW = "() => document.scrollingElement.scrollWidth - window.innerWidth"


@pytest.fixture(scope="module")
def served(databases: Databases) -> Iterator[tuple[str, int]]:
    """The app over a copy of the demo database with two benefits of 武蔵野市 dated from today."""
    from tsunagari.exchange import benefit_service
    from tsunagari.municipality import service as municipality_service

    url = databases.copy(demo=True)
    engine = make_engine(url)
    today = dt.date.today()
    try:
        with unit_of_work(engine) as session:
            musashino = municipality_service.get_by_jis_code(session=session, jis_code="132039")
            assert musashino is not None
            musashino_id = musashino.id
            benefit_service.create_benefit(
                session=session,
                data={
                    "municipality_id": musashino_id,
                    "kind": "event",
                    "title": EVENT,
                    "description": "姉妹都市の料理と音楽を楽しむ市民参加のイベントです。",
                    "eligibility": "どなたでも",
                    "valid_from": today + dt.timedelta(days=30),
                    "valid_until": today + dt.timedelta(days=31),
                    "cost_yen": 0,
                    "apply_url": "https://example.jp/festa",
                },
            )
            benefit_service.create_benefit(
                session=session,
                data={
                    "municipality_id": musashino_id,
                    "kind": "homestay",
                    "title": HOMESTAY,
                    "deadline": today + dt.timedelta(days=14),
                    "cost_yen": 30000,
                    "cost_note": "食費の一部を市が負担",
                },
            )
        engine.dispose()
        with running_app(url, what="the portal server") as base:
            yield base, musashino_id
    finally:
        databases.discard(url)


def _checked(page: object, base: str, what: str) -> dict[str, object]:
    """axe's serious and critical violations, stray Japanese in English, and overflow of the page shown."""
    problems: dict[str, object] = {}
    page.add_script_tag(url=f"{base}{AXE}")  # type: ignore[attr-defined]
    if violations := page.evaluate(AXE_RUN):  # type: ignore[attr-defined]
        problems[f"{what}: axe"] = violations
    if "lang=en" in page.url and (stray := page.evaluate(JAPANESE_OUTSIDE_JA)):  # type: ignore[attr-defined]
        problems[f"{what}: Japanese in English mode"] = stray
    if (overflow := page.evaluate(OVERFLOW)) > 0:  # type: ignore[attr-defined]
        problems[f"{what}: wider than the screen by"] = overflow
    return problems


@pytest.mark.parametrize(("lang", "width"), [("ja", 1366), ("en", 1366), ("ja", 390), ("en", 390)])
def test_a_resident_finds_what_partnerships_offer(
    served: tuple[str, int], browser: object, artifacts_dir: Path, lang: str, width: int
) -> None:
    base, musashino = served
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    expect = playwright_sync.expect
    problems: dict[str, object] = {}

    page.goto(f"{base}/benefits?lang={lang}")
    heading = "市民向けの特典" if lang == "ja" else "Citizen benefits"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    event = page.locator(".benefit", has_text=EVENT)
    expect(event).to_be_visible()
    expect(event.locator(".badge").first).to_have_text(
        "市民参加のイベント" if lang == "ja" else "Event open to citizens"
    )
    expect(event.locator(".benefit-cost")).to_have_text("無料" if lang == "ja" else "Free")
    expect(
        event.get_by_role("link", name="申込・詳細" if lang == "ja" else "Apply or read more")
    ).to_have_attribute("href", "https://example.jp/festa")
    expect(page.locator(".benefit", has_text=HOMESTAY)).to_be_visible()
    problems |= _checked(page, base, "/benefits")
    page.screenshot(path=str(artifacts_dir / f"benefits-{lang}-{width}.png"), full_page=True)

    # Only homestays: the event goes, the homestay stays, and the address keeps the filter.
    page.get_by_label("区分" if lang == "ja" else "Kind", exact=True).select_option("homestay")
    page.get_by_role("button", name="絞り込み" if lang == "ja" else "Filter").click()
    page.wait_for_load_state("networkidle")
    assert "kind=homestay" in page.url
    expect(page.locator(".benefit", has_text=HOMESTAY)).to_be_visible()
    expect(page.locator(".benefit", has_text=EVENT)).to_have_count(0)

    page.goto(f"{base}/municipalities/{musashino}?lang={lang}")
    block = page.locator("section", has=page.locator("#benefits-h"))
    expect(block.locator("#benefits-h")).to_contain_text(
        "市民向けの特典" if lang == "ja" else "Benefits for residents"
    )
    expect(block.locator(".benefit", has_text=EVENT)).to_be_visible()
    expect(block.locator(".benefit", has_text=HOMESTAY).locator(".benefit-cost")).to_contain_text(
        "30,000円" if lang == "ja" else "¥30,000"
    )
    problems |= _checked(page, base, f"/municipalities/{musashino}")
    block.screenshot(path=str(artifacts_dir / f"benefits-block-{lang}-{width}.png"))
    context.close()
    assert problems == {}
