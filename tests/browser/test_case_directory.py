"""The case directory in Chromium: choosing 環境 and 会議形式 in the filter form lists the right records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.test_portal import start_server  # noqa: F401 - the server fixture shared with the portal walk
from tests.web.test_exchange_pages import demo_cases

pytestmark = pytest.mark.browser

playwright_sync = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


def _expected() -> list[str]:
    return sorted(
        c["title"] for c in demo_cases() if "environment" in c["fields"] and c["format"] == "conference"
    )


def _listed(p: object) -> list[str]:
    return sorted(p.locator("#programme-results a.case-title").all_inner_texts())  # type: ignore[attr-defined]


def test_case_directory_filtered_by_environment_and_conference(
    start_server: Callable[[bool], str],  # noqa: F811
    page: object,
    artifacts_dir: Path,
) -> None:
    expect = playwright_sync.expect
    p = page
    base = start_server(False)
    p.goto(f"{base}/")  # type: ignore[attr-defined]
    p.get_by_role("navigation", name="メインナビゲーション").get_by_role("link", name="事例集").click()  # type: ignore[attr-defined]
    expect(p.get_by_role("heading", level=1)).to_have_text("事例集")  # type: ignore[attr-defined]
    rows = p.locator("#programme-results a.case-title")  # type: ignore[attr-defined]
    expect(rows).to_have_count(17)

    # HTMX updates the list as each filter changes.
    p.get_by_label("分野").select_option(label="環境")  # type: ignore[attr-defined]
    p.get_by_label("形式").select_option(label="会議形式")  # type: ignore[attr-defined]
    expected = _expected()
    expect(rows).to_have_count(len(expected))
    assert _listed(p) == expected
    assert "世界冬の都市市長会" in expected and "北東アジア地域自治体連合" in expected
    expect(p.locator("#programme-results")).not_to_contain_text("島嶼観光政策フォーラム")  # type: ignore[attr-defined]
    p.wait_for_timeout(300)  # type: ignore[attr-defined]
    p.screenshot(path=str(artifacts_dir / "cases-01-environment-conference.png"), full_page=True)  # type: ignore[attr-defined]

    # The plain form submit gives the same records, and the URL carries the filters.
    p.get_by_role("button", name="絞り込み").click()  # type: ignore[attr-defined]
    p.wait_for_url("**/cases?*field=environment*")  # type: ignore[attr-defined]
    expect(rows).to_have_count(len(expected))
    assert _listed(p) == expected


def test_case_directory_form_works_without_javascript(
    start_server: Callable[[bool], str],  # noqa: F811
    browser: object,
    artifacts_dir: Path,
) -> None:
    expect = playwright_sync.expect
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")  # type: ignore[attr-defined]
    p = context.new_page()
    try:
        base = start_server(False)
        p.goto(f"{base}/cases")
        p.get_by_label("分野").select_option(label="環境")
        p.get_by_label("形式").select_option(label="会議形式")
        p.get_by_role("button", name="絞り込み").click()
        p.wait_for_url("**/cases?*")
        rows = p.locator("#programme-results a.case-title")
        expect(rows).to_have_count(len(_expected()))
        assert _listed(p) == _expected()
        p.screenshot(path=str(artifacts_dir / "cases-02-no-javascript.png"), full_page=True)
    finally:
        context.close()


def test_network_page_shows_members_on_a_map_and_meetings(
    start_server: Callable[[bool], str],  # noqa: F811
    page: object,
    artifacts_dir: Path,
) -> None:
    expect = playwright_sync.expect
    p = page
    base = start_server(False)
    p.goto(f"{base}/networks")  # type: ignore[attr-defined]
    p.get_by_role("link", name="姉妹友好都市間地球市民環境会議").click()  # type: ignore[attr-defined]
    expect(p.locator("li.member")).to_have_count(6)  # type: ignore[attr-defined]
    expect(p.locator("li.meeting")).to_have_count(6)  # type: ignore[attr-defined]
    expect(p.locator(".map[data-outlines]")).to_be_visible()  # type: ignore[attr-defined]
    expect(p.locator(".map .leaflet-interactive").first).to_be_visible()  # type: ignore[attr-defined]
    p.wait_for_timeout(300)  # type: ignore[attr-defined]
    p.screenshot(path=str(artifacts_dir / "cases-03-network.png"), full_page=True)  # type: ignore[attr-defined]
