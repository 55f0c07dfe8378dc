"""Every staff list downloads as CSV and XLSX (issue 13 item 4): `?format=csv|xlsx` on the list's own
address gives exactly the rows the page shows, with its filters and its permission checks, headers in
Japanese (English in English mode), codes as labels, dates as ISO beside 和暦, references by name."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from tests.staff_support import (
    OTHER,
    OWN,
    build_app,
    cookie_client,
    make_user,
    municipality_id,
    new_contact,
    new_foreign_municipality,
    new_partnership,
    new_programme,
    staff_database,  # noqa: F401 - fixture
    unique,
)
from tsunagari.access.roles import Role
from tsunagari.auth import service as auth_service
from tsunagari.auth.models import ApiToken
from tsunagari.db import get_engine
from tsunagari.evaluation import indicators as indicators_service
from tsunagari.evaluation import service as evaluation_service
from tsunagari.exchange import activity_service, network_service, programme_service
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.staff_pages import describe_municipality
from tsunagari.names.models import ReviewItem
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.schemas import ContactCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PartnershipType
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.policy import service as policy_service
from tsunagari.session import unit_of_work
from tsunagari.web.i18n import gettext, half

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv(client: TestClient, path: str, **params: str) -> list[list[str]]:
    response = client.get(path, params={**params, "format": "csv"})
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith(CSV_TYPE)
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(client: TestClient, path: str, **params: str) -> list[list[Any]]:
    """The sheet's rows, after checking the header is bold and frozen and the autofilter covers it."""
    response = client.get(path, params={**params, "format": "xlsx"})
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    assert response.headers["content-type"] == XLSX_TYPE
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1] if cell.value)
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _same_in_both(client: TestClient, path: str, **params: str) -> list[list[str]]:
    """Downloads a list in both formats, checks they hold the same cells, and returns the CSV rows."""
    rows = _csv(client, path, **params)
    sheet = _xlsx(client, path, **params)
    as_text = [["" if cell is None else str(cell) for cell in row] for row in sheet]
    # CSV marks a formula-like text with a leading quote; XLSX keeps the text and sets a quote prefix.
    assert [[cell.removeprefix("'") for cell in row] for row in rows] == as_text, path
    return rows


def _row(rows: list[list[str]], column: int, value: str) -> list[str]:
    found = [row for row in rows[1:] if row[column] == value]
    assert len(found) == 1, (value, rows[:5])
    return found[0]


def _page_offers_downloads(client: TestClient, path: str, **params: str) -> None:
    page = client.get(path, params=params)
    assert page.status_code == 200, (path, page.status_code)
    assert "data-downloads" in page.text, path
    links = re.findall(r'<a class="button" href="([^"]+)" download>', page.text)
    assert any("format=csv" in link for link in links) and any("format=xlsx" in link for link in links)
    for key, value in params.items():  # the list's current filters go with the download
        assert all(f"{key}=" in link for link in links), (links, key, value)


# ----------------------------------------------------------------------------- every list, cell by cell
def test_every_staff_list_downloads_in_both_formats(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        own = municipality_id(session, OWN)
        murayama = municipality_id(session, OTHER)
        partner = new_foreign_municipality(session)
        partner_record = municipality_service.get(session=session, municipality_id=partner)
        partner_name, partner_label = partner_record.name, describe_municipality(partner_record)
        assert partner_label.startswith(f"{partner_name}（") and partner_label != partner_name
        dated = partnership_service.create(
            session=session,
            data=PartnershipCreate(
                home_municipality_id=own,
                partner_municipality_id=partner,
                type=PartnershipType.disaster_mutual_aid,
                signed_on=dt.date(2025, 4, 1),
            ),
        ).id
        brasov_tie = next(
            p
            for p in partnership_service.for_municipality(session=session, municipality_id=own)
            if p.partner_municipality is not None and p.partner_municipality.name == "ブラショフ市"
        )
        brasov_id, brasov_notes = brasov_tie.id, brasov_tie.notes or ""
        contact = new_contact(session)
        contact_name = organisation_service.get_contact(session=session, contact_id=contact).person_name
        review = ReviewItem(
            text=unique("ブラショフ町"),
            country="RO",
            source="テスト",
            reason="候補が複数 / several candidates",
            candidates=[{"id": 1, "name": "ブラショフ市", "country": "RO", "region": None}],
            status="open",
        )
        session.add(review)
        session.flush()
        review_id, review_text = review.id, review.text
        policy_service.set_rules(
            session=session, municipality_id=murayama, changes={"report_deadline_days": 14}
        )
        network = network_service.create_network(
            session=session, data={"name": unique("ネットワーク"), "secretariat_municipality_id": own}
        ).id
        network_service.add_membership(
            session=session,
            data={"network_id": network, "municipality_id": partner, "role": "member", "joined_fy": 2025},
        )
        programme = new_programme(session)
        programme_title = programme_service.get_programme(session=session, programme_id=programme).title
        activity = activity_service.record_activity(
            session=session,
            data={
                "programme_id": programme,
                "title": unique("派遣"),
                "start_on": dt.date(2025, 7, 25),
                "direction": "outbound",
                "public_cost": 1_200_000,
                "participants": {"junior_high_students": 10, "chaperones": 2},
            },
        ).id
    editor = make_user(Role.editor, (OWN,))
    admin = make_user(Role.admin)
    with unit_of_work(get_engine()) as session:
        evaluation_service.score(
            session=session,
            kind="partnership",
            subject_id=dated,
            reviewer_id=admin.id,
            reviewer_name="審査 太郎",
            data={"scores": {"continuity": {"score": 4}}},
        )
        editor_name = auth_service.get(session=session, user_id=editor.id).display_name
        admin_token = session.scalars(select(ApiToken.prefix).where(ApiToken.user_id == admin.id)).one()
        due = policy_service.check(session=session, municipality_id=None, today=dt.date.today())
        dormant = indicators_service.dormant(
            session=session, municipality_id=own, years=10, today=dt.date.today()
        )
        brasov_programme = next(
            p.id
            for p in programme_service.list_programmes(session=session, municipality_id=own)
            if any(partner.written_name.startswith("ブラショフ") for partner in p.partners)
        )
    client, _ = cookie_client(build_app(), editor)
    boss, _ = cookie_client(build_app(), admin)

    # 提携の一覧: the demo's 武蔵野市–ブラショフ市 (交流都市) as the list shows it, and a dated tie.
    rows = _same_in_both(client, "/staff/partnerships")
    assert rows[0] == ["ID", "自治体", "相手", "種別", "提携日", "提携日（和暦）", "状態", "備考"]
    assert _row(rows, 0, str(brasov_id)) == [
        str(brasov_id),
        "武蔵野市（東京都）",
        "ブラショフ市（ルーマニア）",
        "交流都市",
        "",
        "",
        "継続中",
        brasov_notes,
    ]
    assert "日本武蔵野センター" in brasov_notes
    assert _row(rows, 0, str(dated))[2:6] == [
        partner_label,
        "災害時相互応援協定",
        "2025-04-01",
        "令和7年4月1日",
    ]
    # The list's filter goes with the download: another municipality's list holds only its ties.
    other = _csv(client, "/staff/partnerships", municipality=OTHER)
    assert len(other) > 1 and all(row[1].startswith("村山市") for row in other[1:])
    _page_offers_downloads(client, "/staff/partnerships", municipality=OTHER)

    # 連絡先: what it belongs to by name.
    rows = _same_in_both(client, "/staff/contacts")
    assert rows[0][:3] == ["ID", "所属", "氏名"]
    assert _row(rows, 0, str(contact))[:3] == [str(contact), "武蔵野市（東京都）", contact_name]

    # 職員アカウント (administrators only) and one's own API tokens.
    rows = _same_in_both(boss, "/staff/users")
    assert rows[0] == ["ログインID", "表示名", "役割", "担当の自治体", "状態"]
    assert _row(rows, 0, editor.email) == [editor.email, editor_name, "編集者", "武蔵野市", "有効"]
    assert client.get("/staff/users", params={"format": "csv"}).status_code == 403
    rows = _same_in_both(boss, "/staff/tokens")
    token_row = _row(rows, 0, admin_token)
    assert token_row[-1] == "有効" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", token_row[2])
    assert token_row[3].startswith("令和")

    # 要確認リスト: the candidates named with their country.
    rows = _same_in_both(client, "/staff/review")
    item = _row(rows, 0, str(review_id))
    assert item[:7] == [
        str(review_id),
        review_text,
        "ルーマニア",
        "",
        "テスト",
        "候補が複数",
        "ブラショフ市（ルーマニア）",
    ]

    # Visits due and violations, as the policy service finds them; the rules index.
    rows = _same_in_both(client, "/staff/policy")
    assert rows[0] == ["状態", "期限", "期限（和暦）", "自治体", "訪問", "内容"]
    assert len(rows) == len(due) + 1
    if due:
        first = due[0]
        assert rows[1][0] == gettext(
            "ja", str(first.status.value if hasattr(first.status, "value") else first.status)
        )
        assert rows[1][1] == (first.due_on.isoformat() if first.due_on else "")
        assert rows[1][3:] == [first.municipality, first.title, half(first.message, "ja")]
    rows = _same_in_both(client, "/staff/policy/rules")
    murayama_row = _row(rows, 0, "村山市（山形県）")
    assert murayama_row[3] == "14" and murayama_row[1] in ("はい", "いいえ")

    # 評価: the subject by name, not partnership:12.
    rows = _same_in_both(client, "/staff/evaluations")
    assert rows[0][:3] == ["対象", "審査担当", "項目数"]
    scored = [row for row in rows[1:] if row[1] == "審査 太郎"]
    assert (
        scored and scored[0][0] == f"武蔵野市 – {partner_name}（災害時相互応援協定）" and scored[0][2] == "1"
    )

    # 休眠中の提携 with the list's filters, in the indicator's order.
    rows = _same_in_both(client, "/staff/evaluation/dormant", municipality=OWN, years="10")
    assert len(rows) == len(dormant) + 1 and dormant
    assert rows[1][0] == "武蔵野市（東京都）" and rows[1][1].startswith(dormant[0].partner)
    _page_offers_downloads(client, "/staff/evaluation/dormant", municipality=OWN, years="10")

    # A network's members and a programme's partners.
    rows = _same_in_both(client, f"/staff/network/{network}/members")
    assert rows[0] == ["会員", "役割", "加入年度", "加入年度（和暦）", "備考"]
    assert rows[1] == [partner_label, "会員", "2025", "令和7年度", ""]
    rows = _same_in_both(client, f"/staff/programme/{brasov_programme}/partners")
    assert rows[0] == ["#", "相手", "国", "台帳"]  # the staff lists' word for a partner
    assert rows[1][0] == "1" and rows[1][2:] == ["ルーマニア", "ブラショフ市（ルーマニア）"]

    # The staff home's programmes, activities and networks of the editor's municipality.
    rows = _same_in_both(client, "/staff", list="programmes")
    assert _row(rows, 1, str(programme))[:3] == ["武蔵野市（東京都）", str(programme), programme_title]
    rows = _same_in_both(client, "/staff", list="activities")
    assert rows[0][4:7] == ["開始日", "開始日（和暦）", "終了日"]
    done = _row(rows, 2, str(activity))
    assert done[1] == programme_title and done[4:6] == ["2025-07-25", "令和7年7月25日"]
    assert done[8] == "派遣" and "outbound" not in done
    assert set(done[10].split("、")) == {"中学生 10", "引率 2"} and done[11] == "1200000"
    rows = _same_in_both(client, "/staff", list="networks")
    assert _row(rows, 1, str(network))[4] == "1"

    # The audit trail of one record (the filtered log is tested with its filters in test_staff_workbench).
    rows = _same_in_both(boss, f"/staff/history/partnership/{dated}")
    assert rows[0][:3] == ["日時", "日時（和暦）", "利用者"] and len(rows) > 1


def test_the_money_is_a_whole_number_in_the_workbook(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        programme = new_programme(session)
        activity_service.record_activity(
            session=session,
            data={"programme_id": programme, "title": unique("派遣"), "public_cost": 1_200_000},
        )
    client, _ = cookie_client(build_app(), make_user(Role.editor, (OWN,)))
    sheet = _xlsx(client, "/staff", list="activities")
    cost = sheet[0].index("公費 (円)")
    assert 1_200_000 in [row[cost] for row in sheet[1:]]


def test_headers_and_labels_follow_english_mode(staff_database: str) -> None:  # noqa: F811
    client, _ = cookie_client(build_app(), make_user(Role.viewer, (OWN,)))
    rows = _csv(client, "/staff/partnerships", lang="en")
    assert rows[0] == [
        "ID",
        "Municipality",
        "Partner",
        "Type",
        "Signed",
        "Signed (Japanese era)",
        "Status",
        "Notes",
    ]
    brasov = [row for row in rows[1:] if row[2].startswith("ブラショフ市")]
    assert brasov and brasov[0][1] == "武蔵野市（東京都）" and brasov[0][3] == "Exchange partner"
    assert brasov[0][6] == "Active"


# ----------------------------------------------------------------------------- permissions and safety
def test_a_viewer_downloads_what_it_sees_and_an_anonymous_request_is_refused(staff_database: str) -> None:  # noqa: F811
    viewer, _ = cookie_client(build_app(), make_user(Role.viewer))
    assert len(_csv(viewer, "/staff/partnerships", municipality=OWN)) > 1
    assert len(_csv(viewer, "/staff/contacts")) >= 1  # contacts: every staff role, never the public
    anonymous = TestClient(build_app(), follow_redirects=False)
    for path in ("/staff/partnerships", "/staff/contacts", "/staff/review", "/staff/audit", "/staff/users"):
        for fmt in ("csv", "xlsx"):
            refused = anonymous.get(path, params={"format": fmt})
            assert refused.status_code in (303, 401, 403), (path, refused.status_code)
            assert refused.headers.get("location", "").startswith("/staff/login")
            assert not refused.headers.get("content-type", "").startswith((CSV_TYPE, XLSX_TYPE))


def test_a_bad_filter_is_refused_as_the_page_refuses_it(staff_database: str) -> None:  # noqa: F811
    client, _ = cookie_client(build_app(), make_user(Role.editor, (OWN,)))
    wrong = client.get("/staff/evaluation/dormant", params={"years": "abc", "format": "csv"})
    assert wrong.status_code == 422 and "abc" in wrong.text
    unknown = client.get("/staff", params={"list": "everything", "format": "csv"})
    assert unknown.status_code == 422 and "everything" in unknown.text


def test_a_formula_like_value_is_neutralised(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        contact = organisation_service.add_contact(
            session=session,
            data=ContactCreate(
                person_name='=HYPERLINK("http://x","y")', municipality_id=municipality_id(session, OWN)
            ),
        ).id
    client, _ = cookie_client(build_app(), make_user(Role.editor, (OWN,)))
    rows = _csv(client, "/staff/contacts")
    assert _row(rows, 0, str(contact))[2] == '\'=HYPERLINK("http://x","y")'
    response = client.get("/staff/contacts", params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cell = next(row[2] for row in sheet.iter_rows(min_row=2) if str(row[0].value) == str(contact))
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s" and cell.quotePrefix


# ----------------------------------------------------------------------------- no list without a download
# Staff pages with a table that are not lists of records: reports chosen by a form (they have their own
# PDF and XLSX downloads) and the spreadsheet import's column guide.
NOT_LISTS = {"/staff/evaluation/verification", "/staff/evaluation/jimu-jigyo", "/staff/import/partnerships"}


def test_every_staff_page_with_a_table_offers_both_downloads(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        network = network_service.create_network(
            session=session,
            data={
                "name": unique("ネットワーク"),
                "secretariat_municipality_id": municipality_id(session, OWN),
            },
        ).id
        programme = new_programme(session)
        partnership = new_partnership(session)
    filled = {
        "/staff/network/{record_id}/members": f"/staff/network/{network}/members",
        "/staff/programme/{record_id}/partners": f"/staff/programme/{programme}/partners",
        "/staff/history/{table}/{record_id}": f"/staff/history/partnership/{partnership}",
    }
    app = build_app()
    client, _ = cookie_client(app, make_user(Role.admin, (OWN,)))
    walked, lists, missing = [], [], []
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute) or "GET" not in (context.methods or ()):
            continue
        if not context.path.startswith("/staff") or context.path in NOT_LISTS:
            continue
        path = filled.get(context.path, context.path)
        if "{" in path or path.endswith("/new"):  # one record's form (new, edit, delete …), not a list
            continue
        page = client.get(path)
        walked.append(path)
        if page.status_code != 200 or "<table" not in page.text:
            continue
        lists.append(path)
        if "data-downloads" not in page.text:
            missing.append(path)
            continue
        for fmt, media in (("csv", CSV_TYPE), ("xlsx", XLSX_TYPE)):
            response = client.get(path, params={"format": fmt})
            assert response.status_code == 200 and response.headers["content-type"].startswith(media), path
    for expected in (
        "/staff/partnerships",
        "/staff/contacts",
        "/staff/users",
        "/staff/policy",
        "/staff/audit",
    ):
        assert expected in lists, (expected, lists)
    assert set(filled.values()) <= set(lists), lists
