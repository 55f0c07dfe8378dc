"""Staff forms for programmes and activities (issue 5): create, refuse impossible values with Japanese
messages naming the field, edit, delete; an editor of another municipality cannot touch them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.staff_support import (
    OTHER,
    OWN,
    bearer,
    build_app,
    cookie_client,
    make_user,
    municipality_id,
    staff_database,  # noqa: F401 - fixture
    unique,
)
from tsunagari.access.roles import Role
from tsunagari.audit.models import AuditEntry
from tsunagari.db import get_engine
from tsunagari.exchange.models import Activity, Programme
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD


def _own_id() -> int:
    with unit_of_work(get_engine()) as session:
        return municipality_id(session, OWN)


def _programme_via_form(client: TestClient, csrf: str, title: str) -> int:
    """A people-exchange programme of OWN created through the staff form; its id."""
    created = client.post(
        "/staff/programme/new",
        data={CSRF_FIELD: csrf, "title": title, "format": "people", "owner_municipality_id": str(_own_id())},
    )
    assert created.status_code == 303, created.text
    return int(created.headers["location"].split("/")[3])


def _audit_actions(table: str, record_id: int) -> list[str]:
    with unit_of_work(get_engine()) as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.table_name == table, AuditEntry.record_id == str(record_id))
                .order_by(AuditEntry.id)
            )
        )


def test_programme_and_activity_forms_create_validate_and_delete(staff_database: str) -> None:  # noqa: F811
    editor = make_user(Role.editor, (OWN,))
    client, csrf = cookie_client(build_app(), editor)
    title = unique("姉妹都市青少年交流")
    programme_id = _programme_via_form(client, csrf, title)
    with unit_of_work(get_engine()) as session:
        assert session.get(Programme, programme_id) is not None

    activity = {
        CSRF_FIELD: csrf,
        "programme_id": str(programme_id),
        "title": "第1回派遣",
        "start_on": "2010-08-10",
        "end_on": "2010-08-01",
        "public_cost": "-5",
        "participants.0.key": "students",
        "participants.0.value": "10",
    }
    refused = client.post("/staff/activity/new", data=activity)
    assert refused.status_code == 422
    assert "終了日" in refused.text and "公費 (円)" in refused.text
    assert 'value="第1回派遣"' in refused.text  # what was typed is shown again, not lost
    unknown = client.post("/staff/activity/new", data={**activity, "programme_id": "987654", "end_on": ""})
    assert unknown.status_code == 422 and "交流事業: 「987654」" in unknown.text

    accepted = client.post(
        "/staff/activity/new", data={**activity, "end_on": "2010-08-20", "public_cost": "1200000"}
    )
    assert accepted.status_code == 303, accepted.text
    activity_id = int(accepted.headers["location"].split("/")[3])
    edit_page = client.get(f"/staff/activity/{activity_id}/edit")
    assert edit_page.status_code == 200 and "第1回派遣" in edit_page.text
    home = client.get("/staff").text  # where an editor finds the programme and its activities again
    assert f"/staff/programme/{programme_id}/edit" in home and f"/staff/activity/{activity_id}/edit" in home

    with unit_of_work(get_engine()) as session:
        version = session.get(Activity, activity_id).version  # type: ignore[union-attr]
    deleted = client.post(
        f"/staff/activity/{activity_id}/delete",
        data={CSRF_FIELD: csrf, "version": str(version), "confirm": "yes"},
    )
    assert deleted.status_code == 303
    with unit_of_work(get_engine()) as session:
        programme = session.get(Programme, programme_id)
        assert session.get(Activity, activity_id) is None and programme is not None
        programme_version = programme.version
    assert _audit_actions("activity", activity_id) == ["create", "delete"]

    gone = client.post(
        f"/staff/programme/{programme_id}/delete",
        data={CSRF_FIELD: csrf, "version": str(programme_version), "confirm": "yes"},
    )
    assert gone.status_code == 303
    with unit_of_work(get_engine()) as session:
        assert session.get(Programme, programme_id) is None
    assert _audit_actions("programme", programme_id)[0] == "create"
    assert _audit_actions("programme", programme_id)[-1] == "delete"


def test_an_editor_of_another_municipality_cannot_add_activities(staff_database: str) -> None:  # noqa: F811
    owner, outsider = make_user(Role.editor, (OWN,)), make_user(Role.editor, (OTHER,))
    client, csrf = cookie_client(build_app(), owner)
    programme_id = _programme_via_form(client, csrf, unique("職員派遣"))
    other, other_csrf = cookie_client(build_app(), outsider)
    refused = other.post(
        "/staff/activity/new",
        data={CSRF_FIELD: other_csrf, "programme_id": str(programme_id), "title": "派遣"},
    )
    assert refused.status_code == 403
    with unit_of_work(get_engine()) as session:
        assert not session.scalars(select(Activity).where(Activity.programme_id == programme_id)).all()


# ----------------------------------------------------------------------------- networks, meetings, awards
def test_a_network_with_its_meetings_and_members_is_kept_by_its_secretariat(staff_database: str) -> None:  # noqa: F811
    editor, outsider = make_user(Role.editor, (OWN,)), make_user(Role.editor, (OTHER,))
    client, csrf = cookie_client(build_app(), editor)
    created = client.post(
        "/staff/network/new",
        data={
            CSRF_FIELD: csrf,
            "name": unique("姉妹都市環境会議"),
            "kind": "conference",
            "secretariat_municipality_id": str(_own_id()),
            "fields.environment": "on",
            "member_count": "-4",
        },
    )
    assert created.status_code == 422 and "会員数" in created.text
    created = client.post(
        "/staff/network/new",
        data={
            CSRF_FIELD: csrf,
            "name": unique("姉妹都市環境会議"),
            "kind": "conference",
            "secretariat_municipality_id": str(_own_id()),
            "fields.environment": "on",
        },
    )
    assert created.status_code == 303, created.text
    network_id = int(created.headers["location"].split("/")[3])
    meeting = client.post(
        "/staff/meeting/new",
        data={CSRF_FIELD: csrf, "network_id": str(network_id), "fiscal_year": "2012", "place": "高崎"},
    )
    assert meeting.status_code == 303, meeting.text
    meeting_id = int(meeting.headers["location"].split("/")[3])
    with unit_of_work(get_engine()) as session:
        murayama = municipality_id(session, OTHER)
    # The other municipality's editor may add its own membership, not change the meeting.
    other = TestClient(build_app())
    joined = other.post(
        "/api/v1/memberships",
        json={"network_id": network_id, "municipality_id": murayama},
        headers=bearer(outsider),
    )
    assert joined.status_code == 201, joined.text
    version = other.get(f"/api/v1/staff/meetings/{meeting_id}", headers=bearer(editor)).json()["version"]
    refused = other.patch(
        f"/api/v1/meetings/{meeting_id}", json={"place": "村山", "version": version}, headers=bearer(outsider)
    )
    assert refused.status_code == 403
    stale = other.patch(
        f"/api/v1/meetings/{meeting_id}",
        json={"place": "前橋", "version": version - 1},
        headers=bearer(editor),
    )
    assert stale.status_code == 409
    moved = other.patch(
        f"/api/v1/meetings/{meeting_id}", json={"place": "前橋", "version": version}, headers=bearer(editor)
    )
    assert moved.status_code == 200 and moved.json()["place"] == "前橋"
    left = other.delete(f"/api/v1/memberships/{joined.json()['id']}", headers=bearer(outsider))
    assert left.status_code == 204
    assert f"/staff/meeting/{meeting_id}/edit" in client.get("/staff").text
    page = client.get(f"/staff/network/{network_id}/edit")
    assert page.status_code == 200 and "事務局の自治体" in page.text and "環境" in page.text
    assert _audit_actions("network_membership", joined.json()["id"]) == ["create", "delete"]


def test_awards_are_recorded_by_admins_with_recipient_and_partners(staff_database: str) -> None:  # noqa: F811
    admin, editor = make_user(Role.admin), make_user(Role.editor, (OWN,))
    with unit_of_work(get_engine()) as session:
        partner = municipality_id(session, OTHER)
    form = {
        "name": unique("姉妹自治体交流表彰"),
        "edition": "6",
        "fiscal_year": "2011",
        "prize": "総務大臣賞",
        "recipient_municipality_id": str(_own_id()),
        "partner_municipality_ids": str(partner),
        "evaluation_points.0.key": "continuity",
        "evaluation_points.0.value": "長年の青少年交流",
    }
    editor_client, editor_csrf = cookie_client(build_app(), editor)
    assert editor_client.post("/staff/award/new", data={**form, CSRF_FIELD: editor_csrf}).status_code == 403
    client, csrf = cookie_client(build_app(), admin)
    bad = client.post(
        "/staff/award/new",
        data={**form, CSRF_FIELD: csrf, "evaluation_points.0.key": "beauty"},
    )
    assert bad.status_code == 422 and "unknown criterion beauty" in bad.text
    created = client.post("/staff/award/new", data={**form, CSRF_FIELD: csrf})
    assert created.status_code == 303, created.text
    award_id = int(created.headers["location"].split("/")[3])
    edit = client.get(f"/staff/award/{award_id}/edit")
    assert f'value="{partner}"' in edit.text and "受賞自治体" in edit.text and "継続性" in edit.text
    again = client.post("/staff/award/new", data={**form, CSRF_FIELD: csrf})
    assert again.status_code == 409
    public = TestClient(build_app()).get("/api/v1/awards")
    assert any(item["id"] == award_id for item in public.json()["items"]), public.text


def test_programme_partners_are_added_by_id_or_name_and_removed(staff_database: str) -> None:  # noqa: F811
    editor = make_user(Role.editor, (OWN,))
    client, csrf = cookie_client(build_app(), editor)
    programme_id = _programme_via_form(client, csrf, unique("青少年交流"))
    assert (
        f"/staff/programme/{programme_id}/partners"
        in client.get(f"/staff/programme/{programme_id}/edit").text
    )
    with unit_of_work(get_engine()) as session:
        partner_id = municipality_id(session, OTHER)
    url = f"/staff/programme/{programme_id}/partners"
    assert client.post(url, data={CSRF_FIELD: csrf, "municipality_id": str(partner_id)}).status_code == 303
    again = client.post(url, data={CSRF_FIELD: csrf, "municipality_id": str(partner_id)})
    assert again.status_code == 422 and "登録済み" in again.text
    empty = client.post(url, data={CSRF_FIELD: csrf})
    assert empty.status_code == 422 and "相手自治体" in empty.text
    unknown = client.post(url, data={CSRF_FIELD: csrf, "municipality_id": "987654"})
    assert unknown.status_code == 422
    api = TestClient(build_app())
    by_name = api.post(
        f"/api/v1/programmes/{programme_id}/partners",
        json={"written_name": "バリー市の高校", "country": "CA"},
        headers=bearer(editor),
    )
    assert by_name.status_code == 201, by_name.text
    page = client.get(url).text
    assert OTHER in page and "バリー市の高校" in page
    public = api.get(f"/api/v1/programmes/{programme_id}").json()
    assert [p["written_name"] for p in public["partners"]] == [OTHER, "バリー市の高校"], public
    removed = api.delete(f"/api/v1/programme-partners/{by_name.json()['id']}", headers=bearer(editor))
    assert removed.status_code == 204
    assert [p["written_name"] for p in api.get(f"/api/v1/programmes/{programme_id}").json()["partners"]] == [
        OTHER
    ]
    assert _audit_actions("programme_partner", by_name.json()["id"]) == ["create", "delete"]


def test_an_unknown_network_in_the_body_is_422_naming_network_id(staff_database: str) -> None:  # noqa: F811
    admin = make_user(Role.admin)
    api = TestClient(build_app())
    with unit_of_work(get_engine()) as session:
        member = municipality_id(session, OTHER)
        before = session.scalar(select(func.count()).select_from(AuditEntry))
    for path, body in (
        ("/api/v1/memberships", {"network_id": 987654, "municipality_id": member}),
        ("/api/v1/meetings", {"network_id": 987654, "fiscal_year": 2012}),
    ):
        response = api.post(path, json=body, headers=bearer(admin))
        assert response.status_code == 422, response.text
        problems = response.json()["error"]["problems"]
        assert [(p["field"], p["value"]) for p in problems] == [("network_id", 987654)]
    with unit_of_work(get_engine()) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before
