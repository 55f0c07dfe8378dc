"""The staff workbench in Chromium (issue 13 item 4): an editor of 武蔵野市 adds a network member by typing
its name and removes it, reads a partnership's history as a field-by-field diff; an administrator
uploads a spreadsheet with one bad row, sees the preview name it, uploads the fixed file, confirms, and
finds the import in the audit log filtered by record type and user."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.app_server import running_app
from tests.conftest import Databases

pytestmark = pytest.mark.browser

playwright_sync = pytest.importorskip("playwright.sync_api")

PASSWORD = "correct horse battery staple"
EDITOR = "workbench-editor@musashino.example.jp"
ADMIN = "workbench-admin@example.jp"
MEMBER = "ワークベンチ市"
IMPORTED = "取込テスト市"


@dataclass(frozen=True)
class Site:
    base: str
    network_id: int
    partnership_id: int


def _prepare(url: str) -> tuple[int, int]:
    """Two accounts, a network run by 武蔵野市, a partner to add to it and a partnership to edit."""
    from tsunagari.access.roles import Role
    from tsunagari.auth import service as auth_service
    from tsunagari.auth.schemas import UserCreate
    from tsunagari.db import make_engine
    from tsunagari.exchange import network_service
    from tsunagari.municipality import service as municipality_service
    from tsunagari.municipality.schemas import MunicipalityCreate
    from tsunagari.partnership import service as partnership_service
    from tsunagari.partnership.models import PartnershipType
    from tsunagari.partnership.schemas import PartnershipCreate
    from tsunagari.session import unit_of_work

    engine = make_engine(url)
    with unit_of_work(engine) as session:
        musashino = municipality_service.get_by_jis_code(session=session, jis_code="132039")
        assert musashino is not None
        auth_service.create_user(
            session=session,
            data=UserCreate(
                email=EDITOR, role=Role.editor, municipality_ids=[musashino.id], password=PASSWORD
            ),
        )
        auth_service.create_user(
            session=session, data=UserCreate(email=ADMIN, role=Role.admin, password=PASSWORD)
        )
        network = network_service.create_network(
            session=session,
            data={"name": "ワークベンチ交流ネットワーク", "secretariat_municipality_id": musashino.id},
        )
        municipality_service.create(
            session=session, data=MunicipalityCreate(name=MEMBER, name_en="Workbenchville", country="US")
        )
        partner = municipality_service.create(
            session=session,
            data=MunicipalityCreate(name="履歴テスト市", name_en="Historyville", country="US"),
        )
        partnership = partnership_service.create(
            session=session,
            data=PartnershipCreate(
                home_municipality_id=musashino.id,
                partner_municipality_id=partner.id,
                type=PartnershipType.exchange_city,
            ),
        )
        result = (network.id, partnership.id)
    engine.dispose()
    return result


@pytest.fixture(scope="module")
def site(databases: Databases) -> Iterator[Site]:
    url = databases.copy(demo=True)
    network_id, partnership_id = _prepare(url)
    try:
        with running_app(url, what="the staff server") as base:
            yield Site(base, network_id, partnership_id)
    finally:
        databases.discard(url)


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ja-JP")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


def _login(p: object, site: Site, email: str) -> None:
    p.goto(f"{site.base}/staff/login")  # type: ignore[attr-defined]
    p.locator("#login-email").fill(email)  # type: ignore[attr-defined]
    p.locator("#login-password").fill(PASSWORD)  # type: ignore[attr-defined]
    p.locator("main button[type=submit]").click()  # type: ignore[attr-defined]
    p.wait_for_url(f"{site.base}/staff")  # type: ignore[attr-defined]


def _shot(p: object, artifacts_dir: Path, name: str) -> None:
    p.screenshot(path=str(artifacts_dir / f"workbench-{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_an_editor_adds_and_removes_a_network_member_by_name(
    site: Site, page: object, artifacts_dir: Path
) -> None:
    expect = playwright_sync.expect
    p = page
    _login(p, site, EDITOR)
    p.goto(f"{site.base}/staff/network/{site.network_id}/edit")  # type: ignore[attr-defined]
    p.get_by_role("link", name="ネットワークの会員を編集").click()  # type: ignore[attr-defined]
    expect(p.locator("#members")).to_contain_text("会員はまだ登録されていません")  # type: ignore[attr-defined]
    p.locator("#f-municipality_id").fill("ワークベンチ")  # type: ignore[attr-defined]
    match = p.get_by_role("radio", name=re.compile(f"^{MEMBER}（"))  # type: ignore[attr-defined]
    expect(match).to_be_visible()
    match.check()
    p.locator("#f-role").select_option("member")  # type: ignore[attr-defined]
    p.locator("#f-joined_fy").fill("令和7年度")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "01-member-picked")
    p.get_by_role("button", name="追加", exact=True).click()  # type: ignore[attr-defined]
    row = p.locator("#members tbody tr", has_text=MEMBER)  # type: ignore[attr-defined]
    expect(row).to_contain_text("会員")
    expect(row).to_contain_text("2025")
    expect(p.locator("p.notice")).to_contain_text("会員を追加しました")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "02-member-added")
    row.get_by_role("button", name="外す").click()
    expect(p.locator("#members")).to_contain_text("会員はまだ登録されていません")  # type: ignore[attr-defined]
    expect(p.locator("p.notice")).to_contain_text("会員を外しました")  # type: ignore[attr-defined]


def test_a_records_history_is_a_field_diff_with_names(site: Site, page: object, artifacts_dir: Path) -> None:
    expect = playwright_sync.expect
    p = page
    _login(p, site, EDITOR)
    p.goto(f"{site.base}/staff/partnership/{site.partnership_id}/edit")  # type: ignore[attr-defined]
    p.locator("#f-notes").fill("令和7年度は訪問団を受け入れる")  # type: ignore[attr-defined]
    p.locator("form.record-form button.primary").click()  # type: ignore[attr-defined]
    p.get_by_role("link", name="変更履歴").click()  # type: ignore[attr-defined]
    expect(p.get_by_role("heading", level=1)).to_contain_text("履歴テスト市")  # type: ignore[attr-defined]
    update = p.locator("tr.entry-update")  # type: ignore[attr-defined]
    expect(update).to_have_count(1)
    expect(update).to_contain_text("備考")
    expect(update.locator("td.after")).to_have_text("令和7年度は訪問団を受け入れる")
    created = p.locator("tr.entry-create")  # type: ignore[attr-defined]
    expect(created).to_contain_text("提携")
    table = p.locator("table.audit")  # type: ignore[attr-defined]
    expect(table).to_contain_text("交流都市")  # the type's label, not exchange_city
    expect(table).to_contain_text("履歴テスト市")  # the partner by name, not its id
    expect(table).not_to_contain_text("partner_municipality_id")
    _shot(p, artifacts_dir, "03-history-diff")


def _csv(rows: list[dict[str, str]]) -> bytes:
    from tsunagari.partnership.export import COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue().encode("cp932")  # Shift_JIS, as Excel in Japan saves a CSV


ROWS = [
    {"municipality": "武蔵野市", "municipality_prefecture": "東京都", "partner": IMPORTED,
     "partner_country": "US", "type": "姉妹都市", "signed_on": "令和7年4月1日"},
    {"municipality": "武蔵野市", "municipality_prefecture": "東京都", "partner": IMPORTED + "北",
     "partner_country": "US", "type": "友好都市", "signed_on": "R7.4.1"},
]  # fmt: skip


def test_an_administrator_imports_a_spreadsheet_after_fixing_the_bad_row(
    site: Site, page: object, artifacts_dir: Path
) -> None:
    expect = playwright_sync.expect
    p = page
    _login(p, site, ADMIN)
    p.goto(f"{site.base}/staff/import/partnerships")  # type: ignore[attr-defined]
    bad = [ROWS[0], {**ROWS[1], "type": "仲良し都市"}]
    p.locator("#f-file").set_input_files(  # type: ignore[attr-defined]
        {"name": "提携一覧.csv", "mimeType": "text/csv", "buffer": _csv(bad)}
    )
    p.get_by_role("button", name="ファイルを確認する（書き込みなし）").click()  # type: ignore[attr-defined]
    problems = p.locator("#import-problems")  # type: ignore[attr-defined]
    expect(problems).to_contain_text("問題のある行があるため、取り込めません")
    problem = problems.locator("tbody tr")
    expect(problem).to_have_count(1)
    expect(problem.locator("td").nth(0)).to_have_text("3")
    expect(problem.locator("td").nth(1)).to_have_text("type")
    expect(problem.locator("td").nth(2)).to_have_text("仲良し都市")
    rows = p.locator("#import-rows tbody tr")  # type: ignore[attr-defined]
    expect(rows).to_have_count(2)  # every row is listed, the good one marked fine
    expect(rows.nth(0)).to_contain_text("✓")
    expect(rows.nth(1)).to_contain_text("仲良し都市")
    expect(p.get_by_role("button", name="この内容で取り込む")).to_have_count(0)  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "04-import-bad-row")

    p.locator("#f-file").set_input_files(  # type: ignore[attr-defined]
        {"name": "提携一覧.csv", "mimeType": "text/csv", "buffer": _csv(ROWS)}
    )
    p.get_by_role("button", name="ファイルを確認する（書き込みなし）").click()  # type: ignore[attr-defined]
    expect(p.locator("#import-summary")).to_contain_text("すべての行に問題はありません")  # type: ignore[attr-defined]
    expect(p.locator("#import-summary")).to_contain_text("新規 2")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "05-import-preview-clean")
    p.get_by_role("button", name="この内容で取り込む").click()  # type: ignore[attr-defined]
    expect(p.locator("p.notice")).to_contain_text("取り込みました")  # type: ignore[attr-defined]
    expect(p.locator("p.notice")).to_contain_text("新規 2")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "06-import-done")

    # The audit log, filtered by record type and user, shows the two partnerships the import created.
    p.goto(f"{site.base}/staff/audit")  # type: ignore[attr-defined]
    p.locator("select[name=table]").select_option(label="提携")  # type: ignore[attr-defined]
    p.locator("input[name=user]").fill(ADMIN)  # type: ignore[attr-defined]
    p.get_by_role("button", name="絞り込み").click()  # type: ignore[attr-defined]
    entries = p.locator("table.audit tr.entry-create")  # type: ignore[attr-defined]
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text(IMPORTED)
    expect(p.locator("table.audit")).to_contain_text("姉妹都市")  # type: ignore[attr-defined]
    _shot(p, artifacts_dir, "07-audit-log-filtered")
