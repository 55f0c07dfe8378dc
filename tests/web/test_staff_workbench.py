"""What staff do in the browser besides editing one record (issue 13 item 4): new accounts start as 閲覧者,
the policy-rules index lists every municipality with rules, network members are added and removed by
name, the audit trail reads as a field-by-field diff with names, and a spreadsheet is imported through a
dry-run preview that names every bad row before anything is written."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.staff_support import (
    OWN,
    build_app,
    cookie_client,
    make_user,
    municipality_id,
    new_foreign_municipality,
    new_partnership,
    staff_database,  # noqa: F401 - fixture
    unique,
)
from tsunagari.access.roles import Role
from tsunagari.audit.models import AuditEntry
from tsunagari.db import get_engine
from tsunagari.exchange import network_service
from tsunagari.municipality import service as municipality_service
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.export import COLUMNS
from tsunagari.policy import service as policy_service
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD


def _audit_count() -> int:
    with unit_of_work(get_engine()) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


# ----------------------------------------------------------------------------- accounts and policy rules
def test_the_add_user_form_starts_at_the_least_privilege(staff_database: str) -> None:  # noqa: F811
    client, _ = cookie_client(build_app(), make_user(Role.admin))
    page = client.get("/staff/users")
    assert page.status_code == 200
    chosen = re.findall(r'<option value="(\w+)" selected>', page.text)
    assert chosen == ["viewer"], chosen


def test_the_policy_rules_index_lists_every_municipality_with_rules(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        murayama = municipality_id(session, "村山市")
        policy_service.set_rules(
            session=session, municipality_id=murayama, changes={"report_deadline_days": 14}
        )
    client, _ = cookie_client(build_app(), make_user(Role.admin))
    page = client.get("/staff/policy/rules")
    assert page.status_code == 200
    assert "村山市" in page.text and f"/staff/policy/rules/{murayama}" in page.text
    # Any other municipality's rules are one typed name away.
    found = client.get("/staff/policy/rules", params={"municipality_id__q": "武蔵野市"})
    with unit_of_work(get_engine()) as session:
        own = municipality_id(session, OWN)
    assert found.status_code == 303 and found.headers["location"] == f"/staff/policy/rules/{own}"
    missing = client.get("/staff/policy/rules", params={"municipality_id__q": "存在しない市ZZZ"})
    assert missing.status_code == 200 and "該当する記録がありません" in missing.text


# ----------------------------------------------------------------------------- network members
def test_network_members_are_added_by_name_and_removed(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        network = network_service.create_network(
            session=session,
            data={
                "name": unique("ネットワーク"),
                "secretariat_municipality_id": municipality_id(session, OWN),
            },
        ).id
        partner = new_foreign_municipality(session)
        partner_name = municipality_service.get(session=session, municipality_id=partner).name
    client, csrf = cookie_client(build_app(), make_user(Role.editor, (OWN,)))
    page = client.get(f"/staff/network/{network}/members")
    assert page.status_code == 200 and 'name="municipality_id__q"' in page.text
    assert f"/staff/network/{network}/members" in client.get(f"/staff/network/{network}/edit").text

    added = client.post(
        "/staff/network-members/new",
        data={
            CSRF_FIELD: csrf,
            "network_id": str(network),
            "municipality_id__q": partner_name,
            "role": "member",
            "joined_fy": "令和7年度",
        },
    )
    assert added.status_code == 303, added.text
    listed = client.get(added.headers["location"])
    assert partner_name in listed.text and "会員" in listed.text and "2025" in listed.text
    with unit_of_work(get_engine()) as session:
        memberships = network_service.get_network(session=session, network_id=network).memberships
        assert [(m.municipality_id, m.role, m.joined_fy) for m in memberships] == [(partner, "member", 2025)]
        membership = memberships[0].id

    exported = client.get(f"/staff/network/{network}/members", params={"format": "csv"})
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[0] == ["会員", "役割", "加入年度", "加入年度（和暦）", "備考"], lines
    assert lines[1][1:4] == ["会員", "2025", "令和7年度"], lines
    assert lines[1][0].startswith(partner_name)
    book = load_workbook(io.BytesIO(client.get(f"/staff/network/{network}/members?format=xlsx").content))
    assert book.active.cell(2, 3).value == 2025

    before = _audit_count()
    unknown = client.post(
        "/staff/network-members/new",
        data={CSRF_FIELD: csrf, "network_id": str(network), "municipality_id__q": "存在しない市ZZZ"},
    )
    assert unknown.status_code == 422 and "自治体" in unknown.text and "存在しない市ZZZ" in unknown.text
    assert _audit_count() == before

    removed = client.post(f"/staff/network-membership/{membership}/remove", data={CSRF_FIELD: csrf})
    assert removed.status_code == 303
    with unit_of_work(get_engine()) as session:
        assert network_service.get_network(session=session, network_id=network).memberships == []


def test_another_citys_editor_cannot_add_members(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        network = network_service.create_network(
            session=session,
            data={
                "name": unique("ネットワーク"),
                "secretariat_municipality_id": municipality_id(session, OWN),
            },
        ).id
        partner = new_foreign_municipality(session)
    client, csrf = cookie_client(build_app(), make_user(Role.editor, ("村山市",)))
    before = _audit_count()
    refused = client.post(
        "/staff/network-members/new",
        data={CSRF_FIELD: csrf, "network_id": str(network), "municipality_id": str(partner)},
    )
    assert refused.status_code == 403 and _audit_count() == before


# ----------------------------------------------------------------------------- the audit trail
def test_history_is_a_field_by_field_diff_with_names(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        record = new_partnership(session)
        partnership = partnership_service.get(session=session, partnership_id=record)
        partner_name = partnership.partner_municipality.name
    client, csrf = cookie_client(build_app(), make_user(Role.editor, (OWN,)))
    form = client.get(f"/staff/partnership/{record}/edit").text
    version = re.findall(r'name="version" value="(\d+)"', form)[0]
    saved = client.post(
        f"/staff/partnership/{record}/edit",
        data={CSRF_FIELD: csrf, "version": version, "notes": "監査テストのメモ"},
    )
    assert saved.status_code == 303, saved.text

    history = client.get(f"/staff/history/partnership/{record}")
    assert history.status_code == 200
    text = history.text
    assert "提携" in text and partner_name in text  # the record type in Japanese, the partner by name
    assert "partner_municipality_id" not in text and "{" not in text.split("<main", 1)[-1]  # no raw JSON
    assert "備考" in text and "監査テストのメモ" in text
    assert "姉妹都市" in text  # the type's label on the creation entry, not sister_city
    # The update entry lists only the field that changed.
    rows = re.findall(r"<tr class=\"entry-update\">(.*?)</tr>", text, re.S)
    assert len(rows) == 1 and "備考" in rows[0]
    english = client.get(f"/staff/history/partnership/{record}?lang=en").text
    assert "History" in english and "Notes" in english


def test_the_audit_log_filters_by_record_type_user_and_date(staff_database: str) -> None:  # noqa: F811
    editor = make_user(Role.editor, (OWN,))
    client, csrf = cookie_client(build_app(), editor)
    with unit_of_work(get_engine()) as session:
        record = new_partnership(session)
    form = client.get(f"/staff/partnership/{record}/edit").text
    version = re.findall(r'name="version" value="(\d+)"', form)[0]
    client.post(
        f"/staff/partnership/{record}/edit", data={CSRF_FIELD: csrf, "version": version, "notes": "x"}
    )
    admin, _ = cookie_client(build_app(), make_user(Role.admin))
    page = admin.get("/staff/audit", params={"table": "partnership", "user": editor.email})
    assert page.status_code == 200
    assert '<option value="partnership" selected>提携</option>' in page.text
    entries = re.findall(r'<tr class="entry-(\w+)">', page.text)
    assert entries == ["update"], entries
    assert (
        admin.get("/staff/audit", params={"table": "network_membership", "user": editor.email}).text.count(
            'class="entry-'
        )
        == 0
    )
    late = admin.get("/staff/audit", params={"user": editor.email, "since": "2099-01-01", "until": ""})
    assert late.status_code == 200 and 'class="entry-' not in late.text
    # Dates as staff write them; a date that is none is named on the form, never a bare JSON error.
    wareki = admin.get("/staff/audit", params={"user": editor.email, "since": "令和7年1月1日", "until": ""})
    assert wareki.status_code == 200 and 'value="2025-01-01"' in wareki.text
    # The same filtered log downloads as CSV and XLSX through the one export writer.
    filters = {"table": "partnership", "user": editor.email}
    exported = admin.get("/staff/audit", params={**filters, "format": "csv"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[0][:5] == ["日時", "日時（和暦）", "利用者", "経路", "記録の種類"] and len(lines) == 2, lines
    assert lines[1][4] == "提携" and lines[1][7] == "備考" and lines[1][9] == "x"
    book = load_workbook(io.BytesIO(admin.get("/staff/audit", params={**filters, "format": "xlsx"}).content))
    assert [c.value for c in next(book.active.iter_rows(min_row=2, max_row=2))][7:] == ["備考", None, "x"]
    wrong = admin.get("/staff/audit", params={"since": "令和0年4月1日"})
    assert wrong.status_code == 422 and "令和0年4月1日" in wrong.text and 'class="field-error"' in wrong.text


# ----------------------------------------------------------------------------- spreadsheet import
def _csv(rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue().encode(encoding)


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(c, "") for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client: Any, csrf: str, name: str, data: bytes) -> Any:
    return client.post(
        "/staff/import/partnerships/preview", data={CSRF_FIELD: csrf}, files={"file": (name, data)}
    )


def _rows(partner: str) -> list[dict[str, str]]:
    return [
        {"municipality": "武蔵野市", "municipality_prefecture": "東京都", "partner": partner,
         "partner_country": "US", "type": "姉妹都市", "signed_on": "令和7年4月1日"},
        {"municipality": "村山市", "municipality_prefecture": "山形県", "partner": partner + "二",
         "partner_country": "US", "type": "友好都市", "signed_on": "平成31年3月"},
    ]  # fmt: skip


def test_an_import_previews_every_row_names_the_bad_one_and_writes_on_confirm(
    staff_database: str,  # noqa: F811
) -> None:
    client, csrf = cookie_client(build_app(), make_user(Role.admin))
    assert client.get("/staff/import/partnerships").status_code == 200
    partner = unique("インポート市")
    rows = _rows(partner)
    bad = [rows[0], {**rows[1], "type": "仲良し都市"}]
    before = _audit_count()
    refused = _upload(client, csrf, "提携.csv", _csv(bad, "cp932"))  # Shift_JIS, as Excel saves it
    assert refused.status_code == 422
    preview = refused.text
    assert "仲良し都市" in preview and 'id="import-problems"' in preview
    problem_rows = re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td><td>([^<]*)</td>", preview)
    assert problem_rows == [("3", "type", "仲良し都市")], problem_rows
    assert partner in preview  # the good row is listed too, marked fine
    assert "/staff/import/partnerships/confirm" not in preview  # nothing to confirm
    assert _audit_count() == before

    fixed = _upload(client, csrf, "提携.csv", _csv(rows, "cp932"))
    assert fixed.status_code == 200, fixed.text
    assert 'id="import-summary"' in fixed.text and re.search(r"新規\s*2", fixed.text)
    assert _audit_count() == before  # a dry run writes nothing
    token = re.findall(r'name="token" value="([0-9a-f]+)"', fixed.text)[0]

    done = client.post("/staff/import/partnerships/confirm", data={CSRF_FIELD: csrf, "token": token})
    assert done.status_code == 303 and "created=2" in done.headers["location"]
    with unit_of_work(get_engine()) as session:
        assert municipality_service.find_by_name(session=session, name=partner)
    again = client.post("/staff/import/partnerships/confirm", data={CSRF_FIELD: csrf, "token": token})
    assert again.status_code == 422  # the file was used up: no second import from one preview


def test_an_xlsx_previews_and_a_wrong_file_is_a_field_error(staff_database: str) -> None:  # noqa: F811
    client, csrf = cookie_client(build_app(), make_user(Role.admin))
    partner = unique("エクセル市")
    xlsx = _upload(client, csrf, "partnerships.xlsx", _xlsx(_rows(partner)))
    assert xlsx.status_code == 200 and 'id="import-summary"' in xlsx.text and partner in xlsx.text
    wrong = _upload(client, csrf, "notes.txt", b"hello")
    assert wrong.status_code == 422 and "XLSX" in wrong.text
    missing = client.post("/staff/import/partnerships/preview", data={CSRF_FIELD: csrf})
    assert missing.status_code == 422


def test_only_administrators_import(staff_database: str) -> None:  # noqa: F811
    client, csrf = cookie_client(build_app(), make_user(Role.editor, (OWN,)))
    assert client.get("/staff/import/partnerships").status_code == 403
    before = _audit_count()
    refused = _upload(client, csrf, "提携.csv", _csv(_rows(unique("拒否市"))))
    assert refused.status_code == 403 and _audit_count() == before
