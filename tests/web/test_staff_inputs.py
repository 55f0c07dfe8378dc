"""Staff forms read input the way Japanese staff write it: 和暦 and 西暦 dates, 年度, amounts with commas,
円 and 万, participants as rows, 分野 as checkboxes, records picked by name; refusals name the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.staff_support import (
    OTHER,
    OWN,
    build_app,
    cookie_client,
    make_user,
    municipality_id,
    new_foreign_municipality,
    new_programme,
    staff_database,  # noqa: F401 - fixture
    unique,
)
from tsunagari.access.roles import Role
from tsunagari.db import get_engine
from tsunagari.exchange.models import Activity, NetworkMeeting, Programme
from tsunagari.partnership.models import Partnership
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD


def _ids() -> tuple[int, int, int]:
    with unit_of_work(get_engine()) as session:
        return municipality_id(session, OWN), new_foreign_municipality(session), new_programme(session)


def _editor() -> tuple[TestClient, str]:
    return cookie_client(build_app(), make_user(Role.editor, (OWN,)))


def _created(response: Any) -> int:
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("/")[3])


def _get(model: Any, record_id: int) -> Any:
    with unit_of_work(get_engine()) as session:
        record = session.get(model, record_id)
        assert record is not None
        session.expunge(record)
        return record


@pytest.mark.parametrize(
    ("written", "stored", "precision"),
    [
        ("令和7年4月1日", dt.date(2025, 4, 1), "day"),
        ("R7.4.1", dt.date(2025, 4, 1), "day"),
        ("2025/4/1", dt.date(2025, 4, 1), "day"),
        ("平成31年3月", dt.date(2019, 3, 1), "month"),
    ],
)
def test_a_date_is_read_as_written_and_echoed(
    staff_database: str,  # noqa: F811
    written: str,
    stored: dt.date,
    precision: str,
) -> None:
    home, partner, _ = _ids()
    client, csrf = _editor()
    form = {
        CSRF_FIELD: csrf,
        "home_municipality_id": str(home),
        "partner_municipality_id": str(partner),
        "type": "exchange_city",
        "status": "active",
        "signed_on": written,
    }
    record_id = _created(client.post("/staff/partnership/new", data=form))
    partnership = _get(Partnership, record_id)
    assert (partnership.signed_on, partnership.signed_on_precision) == (stored, precision)
    page = client.get(f"/staff/partnership/{record_id}/edit").text
    wareki = "令和7年4月1日 = 2025-04-01" if precision == "day" else "平成31年3月 = 2019-03"
    assert wareki in page
    echo = client.get("/staff/echo/date", params={"field": "signed_on", "signed_on": written})
    assert echo.status_code == 200 and echo.text == wareki


def test_an_activity_is_recorded_as_staff_write_it(staff_database: str) -> None:  # noqa: F811
    _, _, programme_id = _ids()
    client, csrf = _editor()
    form = {
        CSRF_FIELD: csrf,
        "programme_id": str(programme_id),
        "title": "中学生派遣",
        "direction": "outbound",
        "start_on": "令和7年7月25日",
        "public_cost": "1,200,000",
        "private_cost": "120万円",
        "participants.0.key": "junior_high_students",
        "participants.0.value": "10",
        "participants.1.key": "chaperones",
        "participants.1.value": "２",
    }
    activity = _get(Activity, _created(client.post("/staff/activity/new", data=form)))
    assert activity.start_on == dt.date(2025, 7, 25)
    assert (activity.public_cost, activity.private_cost) == (1_200_000, 1_200_000)
    assert activity.participants == {"junior_high_students": 10, "chaperones": 2}
    assert activity.direction == "outbound"
    page = client.get(f"/staff/activity/{activity.id}/edit").text
    assert '<option value="outbound" selected>派遣</option>' in page and "outbound</" not in page
    assert '<option value="junior_high_students" selected>中学生</option>' in page
    assert "令和7年7月25日 = 2025-07-25" in page and "1,200,000円" in page
    assert 'value="{' not in page  # no JSON anywhere

    for written in ("1200000円", "120万円", "¥1,200,000"):
        echo = client.get("/staff/echo/money", params={"field": "x", "x": written})
        assert echo.text == "1,200,000円", written


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("start_on", "令和0年4月1日", "開始日"),
        ("participants.0.value", "-5", "参加者"),
        ("public_cost", "abc円", "公費 (円)"),
    ],
)
def test_a_refusal_names_the_field_and_writes_nothing(
    staff_database: str,  # noqa: F811
    field: str,
    value: str,
    label: str,
) -> None:
    _, _, programme_id = _ids()
    client, csrf = _editor()
    title = unique("派遣")
    form = {
        CSRF_FIELD: csrf,
        "programme_id": str(programme_id),
        "title": title,
        "participants.0.key": "junior_high_students",
        "participants.0.value": "10",
        field: value,
    }
    refused = client.post("/staff/activity/new", data=form)
    assert refused.status_code == 422
    assert f"{label}" in refused.text and f"「{value}」" in refused.text
    head = field.split(".")[0]
    assert f'class="field invalid" id="field-{head}"' in refused.text
    assert f'value="{title}"' in refused.text  # what was typed stays on the form
    with unit_of_work(get_engine()) as session:
        assert not [a for a in session.get(Programme, programme_id).activities if a.title == title]  # type: ignore[union-attr]


def test_fiscal_years_are_read_in_either_calendar(staff_database: str) -> None:  # noqa: F811
    from tsunagari.exchange import network_service

    with unit_of_work(get_engine()) as session:
        network_id = network_service.create_network(
            session=session,
            data={"name": unique("会議"), "secretariat_municipality_id": municipality_id(session, OWN)},
        ).id
    client, csrf = _editor()
    for written in ("令和7年度", "FY2025", "R7年度"):
        form = {
            CSRF_FIELD: csrf,
            "network_id": str(network_id),
            "fiscal_year": written,
            "title": unique("総会"),
        }
        meeting = _get(NetworkMeeting, _created(client.post("/staff/meeting/new", data=form)))
        assert meeting.fiscal_year == 2025, written
    echo = client.get("/staff/echo/fiscal_year", params={"field": "f", "f": "令和7年度"})
    assert echo.text == "令和7年度 = FY2025"


def test_fields_are_checkboxes_with_japanese_labels(staff_database: str) -> None:  # noqa: F811
    client, csrf = _editor()
    form = {
        CSRF_FIELD: csrf,
        "title": unique("青少年交流"),
        "format": "people",
        "owner_municipality_id__q": OWN,
        "fields.youth": "on",
        "fields.education": "on",
    }
    programme = _get(Programme, _created(client.post("/staff/programme/new", data=form)))
    assert programme.fields == ["education", "youth"]
    page = client.get(f"/staff/programme/{programme.id}/edit").text
    assert 'name="fields.youth" checked' in page and "青少年" in page and 'name="fields.culture">' in page


def test_records_are_picked_by_name_in_any_script(staff_database: str) -> None:  # noqa: F811
    home, _, _ = _ids()
    client, csrf = cookie_client(build_app(), make_user(Role.editor, (OWN, OTHER)))
    matches = client.get(
        "/staff/pick/municipality",
        params={"field": "partner_municipality_id", "partner_municipality_id__q": "Murayama"},
    )
    assert matches.status_code == 200 and "村山市（山形県）" in matches.text
    assert 'name="partner_municipality_id__pick"' in matches.text
    form = {
        CSRF_FIELD: csrf,
        "home_municipality_id": str(home),
        "partner_municipality_id__q": OTHER,
        "type": "friendship_city",
        "status": "active",
    }
    record_id = _created(client.post("/staff/partnership/new", data=form))
    with unit_of_work(get_engine()) as session:
        assert _get(Partnership, record_id).partner_municipality_id == municipality_id(session, OTHER)
    page = client.get(f"/staff/partnership/{record_id}/edit").text
    assert 'value="村山市（山形県）"' in page and 'value="武蔵野市（東京都）"' in page
    ambiguous = client.post("/staff/partnership/new", data={**form, "partner_municipality_id__q": "府中市"})
    assert (
        ambiguous.status_code == 422
        and 'class="field invalid" id="field-partner_municipality_id"' in ambiguous.text
    )


def test_a_typed_partner_goes_through_the_one_partner_resolution(staff_database: str) -> None:  # noqa: F811
    """The partner field resolves typed text as the importers do (names.partners.resolve_partner): a
    prefecture or country written beside the name narrows it; a gazetteer place not yet in the registry
    becomes a registry record; candidates are listed, never guessed."""
    home, _, _ = _ids()
    # An administrator: a tie between two Japanese municipalities needs rights over both (tenancy).
    client, csrf = cookie_client(build_app(), make_user(Role.admin))
    form = {
        CSRF_FIELD: csrf,
        "home_municipality_id": str(home),
        "type": "friendship_city",
        "status": "active",
    }
    fuchu = _created(
        client.post("/staff/partnership/new", data={**form, "partner_municipality_id__q": "府中市（広島県）"})
    )
    partner = _get(Partnership, fuchu).partner_municipality
    assert partner is not None and (partner.name, partner.region, partner.jis_code) == (
        "府中市",
        "広島県",
        "342084",
    )
    tartu = _created(
        client.post("/staff/partnership/new", data={**form, "partner_municipality_id__q": "Tartu, EE"})
    )
    partner = _get(Partnership, tartu).partner_municipality
    assert partner is not None and (partner.country, partner.geonameid is not None) == ("EE", True)
    assert "Tartu" in (partner.name, partner.name_en)
    ambiguous = client.post("/staff/partnership/new", data={**form, "partner_municipality_id__q": "府中市"})
    assert ambiguous.status_code == 422
    assert "東京都" in ambiguous.text and "広島県" in ambiguous.text
