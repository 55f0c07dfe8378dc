"""Staff pages in Chromium: an inline status edit with HTMX, a stale inline edit showing both versions,
and a reviewer resolving an ambiguous name from the review list."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.app_server import running_app
from tests.conftest import Databases

pytestmark = pytest.mark.browser

playwright_sync = pytest.importorskip("playwright.sync_api")

PASSWORD = "correct horse battery staple"
PARTNER = "インライン編集テスト市"


@dataclass(frozen=True)
class StaffSite:
    base: str
    editor: str
    reviewer: str
    editor_token: str
    partnership_id: int
    review_item_id: int
    review_choice: int
    """The registry id of the candidate the reviewer picks."""


def _prepare(url: str) -> tuple[str, int, int, int]:
    """Accounts, a partnership of 武蔵野市 and an ambiguous review item, committed before the server runs."""
    from tsunagari.access.roles import Role
    from tsunagari.auth import service as auth_service
    from tsunagari.auth.schemas import UserCreate
    from tsunagari.db import make_engine
    from tsunagari.municipality import service as municipality_service
    from tsunagari.municipality.schemas import MunicipalityCreate
    from tsunagari.names import service as names_service
    from tsunagari.partnership import service as partnership_service
    from tsunagari.partnership.models import PartnershipType
    from tsunagari.partnership.schemas import PartnershipCreate
    from tsunagari.session import unit_of_work

    engine = make_engine(url)
    with unit_of_work(engine) as session:
        musashino = municipality_service.get_by_jis_code(session=session, jis_code="132039")
        assert musashino is not None
        editor = auth_service.create_user(
            session=session,
            data=UserCreate(
                email="editor@musashino.example.jp",
                display_name="武蔵野 編集",
                role=Role.editor,
                municipality_ids=[musashino.id],
                password=PASSWORD,
            ),
        )
        auth_service.create_user(
            session=session,
            data=UserCreate(
                email="reviewer@example.jp", display_name="審査 担当", role=Role.reviewer, password=PASSWORD
            ),
        )
        token = auth_service.issue_token(session=session, user=editor, label="browser test")
        partner = municipality_service.create(
            session=session, data=MunicipalityCreate(name=PARTNER, name_en="Inlineville", country="US")
        )
        partnership = partnership_service.create(
            session=session,
            data=PartnershipCreate(
                home_municipality_id=musashino.id,
                partner_municipality_id=partner.id,
                type=PartnershipType.friendship_city,
            ),
        )
        resolution = names_service.resolve(session=session, text="府中市", country="JP")
        assert resolution.status == "ambiguous"
        item = names_service.send_to_review(
            session=session, resolution=resolution, source="browser test import"
        )
        choice = next(c for c in item.candidates if c["source"] == "registry" and c["region"] == "東京都")
        result = (token, partnership.id, item.id, int(choice["id"]))
    engine.dispose()
    return result


@pytest.fixture(scope="module")
def staff_site(databases: Databases) -> Iterator[StaffSite]:
    """uvicorn over a private copy of the demo database on the run's backend; stopped and removed after."""
    url = databases.copy(demo=True)
    token, partnership_id, item_id, choice = _prepare(url)
    try:
        with running_app(url, what="the staff server") as base:
            yield StaffSite(
                base,
                "editor@musashino.example.jp",
                "reviewer@example.jp",
                token,
                partnership_id,
                item_id,
                choice,
            )
    finally:
        databases.discard(url)


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ja-JP")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


def _login(p: object, site: StaffSite, email: str) -> None:
    expect = playwright_sync.expect
    p.goto(f"{site.base}/staff/login")  # type: ignore[attr-defined]
    p.get_by_label("ログインID").fill(email)  # type: ignore[attr-defined]
    p.get_by_label("パスワード").fill(PASSWORD)  # type: ignore[attr-defined]
    p.get_by_role("button", name="ログイン").click()  # type: ignore[attr-defined]
    expect(p.get_by_role("heading", level=1)).to_have_text("職員ホーム")  # type: ignore[attr-defined]


def _shot(p: object, artifacts_dir: Path, name: str, full_page: bool = False) -> None:
    # Mid-interaction shots are of the viewport: a full-page capture resizes the page, and in Chromium the
    # next click on the swapped-in row was then lost.
    p.screenshot(path=str(artifacts_dir / f"staff-{name}.png"), full_page=full_page)  # type: ignore[attr-defined]


def _centre(locator: object) -> None:
    locator.evaluate("el => el.scrollIntoView({block: 'center'})")  # type: ignore[attr-defined]


def test_inline_status_edit_and_a_stale_inline_edit(
    staff_site: StaffSite, page: object, artifacts_dir: Path
) -> None:
    expect = playwright_sync.expect
    p = page
    _login(p, staff_site, staff_site.editor)
    p.get_by_role("navigation").get_by_role("link", name="提携", exact=True).click()  # type: ignore[attr-defined]
    row = p.locator(f"#row-partnership-{staff_site.partnership_id}")  # type: ignore[attr-defined]
    expect(row).to_contain_text(PARTNER)
    expect(row.locator("td.field-status")).to_have_text("継続中")

    # Edit in place: the row becomes a small form, saving swaps it back without leaving the page.
    row.get_by_role("button", name="編集", exact=True).click()
    expect(row.get_by_label("状態")).to_be_visible()
    row.get_by_label("状態").select_option("suspended")
    row.get_by_label("備考").fill("訪問団の受入を一時休止")
    _centre(row)
    _shot(p, artifacts_dir, "01-inline-editing")
    row.get_by_role("button", name="保存", exact=True).click()
    expect(row).to_contain_text("保存しました")
    expect(row.locator("td.field-status")).to_have_text("休止中")
    expect(row.locator("td.field-notes")).to_have_text("訪問団の受入を一時休止")
    assert p.url.endswith("/staff/partnerships")  # type: ignore[attr-defined]
    _centre(row)
    _shot(p, artifacts_dir, "02-inline-saved")

    # Open the row for editing, then someone else saves the record first (a script with a token).
    row.get_by_role("button", name="編集", exact=True).click()
    expect(row.get_by_label("状態")).to_be_visible()
    current = httpx.get(
        f"{staff_site.base}/api/v1/staff/partnerships/{staff_site.partnership_id}",
        headers={"Authorization": f"Bearer {staff_site.editor_token}"},
    ).json()
    patched = httpx.patch(
        f"{staff_site.base}/api/v1/partnerships/{staff_site.partnership_id}",
        json={"status": "active", "notes": "再開しました", "version": current["version"]},
        headers={"Authorization": f"Bearer {staff_site.editor_token}"},
    )
    assert patched.status_code == 200, patched.text
    row.get_by_label("状態").select_option("ended")
    row.get_by_role("button", name="保存", exact=True).click()
    expect(row).to_contain_text("上書きはしていません")
    conflict = row.locator("table.conflict")
    expect(conflict.locator("tr", has_text="状態").locator("td.mine")).to_have_text("解消")
    expect(conflict.locator("tr", has_text="状態").locator("td.theirs")).to_have_text("継続中")
    expect(conflict.locator("tr", has_text="備考").locator("td.theirs")).to_have_text("再開しました")
    _centre(row)
    _shot(p, artifacts_dir, "03-inline-conflict")

    # Starting again from the current version saves.
    row.get_by_role("button", name="現在の内容から編集し直す").click()
    expect(row.get_by_label("備考")).to_have_value("再開しました")
    row.get_by_label("状態").select_option("ended")
    row.get_by_role("button", name="保存", exact=True).click()
    expect(row).to_contain_text("保存しました")
    expect(row.locator("td.field-status")).to_have_text("解消")
    stored = httpx.get(
        f"{staff_site.base}/api/v1/staff/partnerships/{staff_site.partnership_id}",
        headers={"Authorization": f"Bearer {staff_site.editor_token}"},
    ).json()
    assert (stored["status"], stored["notes"]) == ("ended", "再開しました")
    _shot(p, artifacts_dir, "04-inline-saved-again", full_page=True)


def test_a_reviewer_resolves_a_name_from_the_review_list(
    staff_site: StaffSite, page: object, artifacts_dir: Path
) -> None:
    expect = playwright_sync.expect
    p = page
    _login(p, staff_site, staff_site.reviewer)
    p.get_by_role("navigation").get_by_role("link", name="要確認", exact=True).click()  # type: ignore[attr-defined]
    expect(p.get_by_role("heading", level=1)).to_have_text("要確認リスト")  # type: ignore[attr-defined]
    item = p.locator(f"#review-{staff_site.review_item_id}")  # type: ignore[attr-defined]
    expect(item).to_contain_text("府中市")
    expect(item.locator("tbody tr")).not_to_have_count(0)
    _shot(p, artifacts_dir, "05-review-list")
    item.locator(f'input[type=radio][value="{staff_site.review_choice}"]').check()
    item.get_by_role("button", name=f"この自治体で #{staff_site.review_item_id} を確定").click()
    # The diff screen first: what the resolution writes, before anything is saved.
    expect(p.get_by_role("heading", level=1)).to_contain_text("確定内容")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "05b-review-diff", full_page=True)
    p.get_by_role("button", name="確定する").click()  # type: ignore[attr-defined]
    expect(p.get_by_role("status")).to_contain_text(f"#{staff_site.review_item_id} を確定しました")  # type: ignore[attr-defined]
    expect(p.locator(f"#review-{staff_site.review_item_id}")).to_have_count(0)  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "06-review-resolved", full_page=True)


def test_a_reviewer_scores_a_partnership_and_reads_the_scorecard(
    staff_site: StaffSite, page: object, artifacts_dir: Path
) -> None:
    expect = playwright_sync.expect
    p = page
    _login(p, staff_site, staff_site.reviewer)
    p.goto(f"{staff_site.base}/staff/evaluation/partnership/{staff_site.partnership_id}")  # type: ignore[attr-defined]
    expect(p.get_by_role("heading", level=1)).to_contain_text(PARTNER)  # type: ignore[attr-defined]
    p.get_by_label("継続性", exact=True).select_option("4")  # type: ignore[attr-defined]
    p.get_by_label("継続性 の所見").fill("毎年の相互訪問が続いている")  # type: ignore[attr-defined]
    p.get_by_label("成果", exact=True).select_option("2")  # type: ignore[attr-defined]
    p.get_by_label("総評", exact=True).fill("報告の公表が少ない")  # type: ignore[attr-defined]
    p.get_by_role("button", name="評価を保存").click()  # type: ignore[attr-defined]
    expect(p.get_by_role("status")).to_contain_text("評価を保存しました")  # type: ignore[attr-defined]
    expect(p.locator("#criterion-continuity td.mean")).to_have_text("4.0")  # type: ignore[attr-defined]
    expect(p.locator("#overall")).to_have_text("3.0")  # type: ignore[attr-defined]
    expect(p.locator("#criterion-continuity")).to_contain_text("毎年の相互訪問が続いている")  # type: ignore[attr-defined]
    expect(p.locator("#ind-dormant")).to_have_text("はい")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "07-scorecard", full_page=True)


def _pick(p: object, name: str, typed: str, shown: str) -> None:
    """Type a name into a picker and choose the match the HTMX typeahead offers."""
    expect = playwright_sync.expect
    p.locator(f"#f-{name}").fill(typed)  # type: ignore[attr-defined]
    match = p.locator(f"#f-{name}-matches label.match", has_text=shown).first  # type: ignore[attr-defined]
    expect(match).to_be_visible()
    match.locator("input").check()


def test_an_editor_records_a_partnership_and_an_activity_as_staff_write_them(
    staff_site: StaffSite, page: object, artifacts_dir: Path
) -> None:
    """The walk of issue 13: a 交流都市 picked by name, only its notes edited (its type stays), and a 派遣
    recorded as 令和7年7月25日 with 1,200,000円 and 中学生 10 / 引率 2; desktop and 390 px screenshots."""
    expect = playwright_sync.expect
    p = page
    _login(p, staff_site, staff_site.editor)

    p.goto(f"{staff_site.base}/staff/partnership/new")  # type: ignore[attr-defined]
    _pick(p, "home_municipality_id", "武蔵野", "武蔵野市（東京都）")
    _pick(p, "partner_municipality_id", "Inlineville", PARTNER)
    p.get_by_label("種別").select_option(label="交流都市")  # type: ignore[attr-defined]
    p.get_by_label("提携日").fill("令和7年4月1日")  # type: ignore[attr-defined]
    expect(p.locator("#f-signed_on-echo")).to_have_text("令和7年4月1日 = 2025-04-01")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "08-partnership-new", full_page=True)
    p.get_by_role("button", name="保存", exact=True).click()  # type: ignore[attr-defined]
    expect(p.locator("p.notice")).to_contain_text("保存しました")  # type: ignore[attr-defined]
    partnership_id = int(p.url.split("/")[-2])  # type: ignore[attr-defined]
    expect(p.get_by_label("種別")).to_have_value("exchange_city")  # type: ignore[attr-defined]

    p.get_by_label("備考").fill("令和7年度は中学生の相互派遣を再開")  # type: ignore[attr-defined]
    p.get_by_role("button", name="保存", exact=True).click()  # type: ignore[attr-defined]
    expect(p.locator("p.notice")).to_contain_text("保存しました")  # type: ignore[attr-defined]
    expect(p.get_by_label("種別")).to_have_value("exchange_city")  # type: ignore[attr-defined]
    stored = httpx.get(
        f"{staff_site.base}/api/v1/staff/partnerships/{partnership_id}",
        headers={"Authorization": f"Bearer {staff_site.editor_token}"},
    ).json()
    assert (stored["type"], stored["notes"]) == ("exchange_city", "令和7年度は中学生の相互派遣を再開")
    assert stored["signed_on"] == "2025-04-01"
    _shot(p, artifacts_dir, "09-partnership-notes-saved", full_page=True)

    p.goto(f"{staff_site.base}/staff/programme/new")  # type: ignore[attr-defined]
    p.get_by_label("事業名").fill("ウォーキ市中学生交流")  # type: ignore[attr-defined]
    p.get_by_label("形式").select_option(label="人的交流")  # type: ignore[attr-defined]
    p.get_by_label("実施年度").fill("令和7年度")  # type: ignore[attr-defined]
    p.get_by_label("青少年").check()  # type: ignore[attr-defined]
    p.get_by_label("教育").check()  # type: ignore[attr-defined]
    _pick(p, "owner_municipality_id", "むさしの", "武蔵野市（東京都）")
    p.get_by_role("button", name="保存", exact=True).click()  # type: ignore[attr-defined]
    expect(p.locator("p.notice")).to_contain_text("保存しました")  # type: ignore[attr-defined]
    programme_id = int(p.url.split("/")[-2])  # type: ignore[attr-defined]

    p.goto(f"{staff_site.base}/staff/activity/new")  # type: ignore[attr-defined]
    _pick(p, "programme_id", "ウォーキ", "ウォーキ市中学生交流")
    p.get_by_label("件名").fill("中学生派遣団")  # type: ignore[attr-defined]
    p.get_by_label("方向").select_option(label="派遣")  # type: ignore[attr-defined]
    p.get_by_label("開始日").fill("令和7年7月25日")  # type: ignore[attr-defined]
    p.get_by_label("公費 (円)").fill("1,200,000")  # type: ignore[attr-defined]
    p.get_by_label("参加者 1", exact=True).select_option(label="中学生")  # type: ignore[attr-defined]
    p.get_by_label("人数 1", exact=True).fill("10")  # type: ignore[attr-defined]
    p.get_by_label("参加者 2", exact=True).select_option(label="引率")  # type: ignore[attr-defined]
    p.get_by_label("人数 2", exact=True).fill("2")  # type: ignore[attr-defined]
    expect(p.locator("#f-start_on-echo")).to_have_text("令和7年7月25日 = 2025-07-25")  # type: ignore[attr-defined]
    expect(p.locator("#f-public_cost-echo")).to_have_text("1,200,000円")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "10-activity-new", full_page=True)
    p.get_by_role("button", name="保存", exact=True).click()  # type: ignore[attr-defined]
    expect(p.locator("p.notice")).to_contain_text("保存しました")  # type: ignore[attr-defined]
    expect(p.locator("#f-start_on-echo")).to_have_text("令和7年7月25日 = 2025-07-25")  # type: ignore[attr-defined]
    expect(p.get_by_label("公費 (円)")).to_have_value("1,200,000")  # type: ignore[attr-defined]
    expect(p.get_by_label("参加者 1", exact=True)).to_have_value("junior_high_students")  # type: ignore[attr-defined]
    expect(p.get_by_label("人数 2", exact=True)).to_have_value("2")  # type: ignore[attr-defined]
    expect(p.get_by_label("交流事業")).to_have_value("ウォーキ市中学生交流（令和7年度）")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "11-activity-saved-desktop", full_page=True)
    p.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "12-activity-saved-390", full_page=True)
    assert programme_id > 0
