"""Citizen benefits (市民向けの特典, issue 15 item 2): what a partnership offers residents, written by the
offering municipality's editors only, shown while not over on the municipality and partnership pages, on
/benefits and in /api/v1/benefits (public fields only), with upcoming events and deadlines in an
iCalendar feed; bad input names its field and writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

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
from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role
from tsunagari.audit import service as audit_service
from tsunagari.db import Base, get_engine
from tsunagari.errors import Conflict, InvalidInput, PermissionDenied
from tsunagari.exchange import benefit_actions, benefit_service
from tsunagari.exchange.benefit_models import Benefit
from tsunagari.migrations import upgrade
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PartnershipType
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD

TODAY = dt.date.today()
ADMIN = Principal(0, "cli:test", "cli:test", Role.admin, via="cli")


def _editor_of(*ids: int) -> Principal:
    return Principal(1, "editor@example.jp", "editor", Role.editor, frozenset(ids))


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def _partnership(session: Session, home_id: int) -> int:
    partner = municipality_service.create(
        session=session,
        data=MunicipalityCreate(name=unique("特典市"), name_en=unique("Benefitville"), country="US"),
    )
    return partnership_service.create(
        session=session,
        data=PartnershipCreate(
            home_municipality_id=home_id,
            partner_municipality_id=partner.id,
            type=PartnershipType.sister_city,
        ),
    ).id


def _data(municipality: int, **extra: Any) -> dict[str, Any]:
    return {"municipality_id": municipality, "kind": "event", "title": unique("国際交流フェスタ"), **extra}


# ----------------------------------------------------------------------------- service and actions
def test_a_benefit_is_current_until_its_last_day(session: Session) -> None:
    own = municipality_id(session, OWN)
    tie = _partnership(session, own)
    past = benefit_service.create_benefit(
        session=session, data=_data(own, valid_from=_days(-30), valid_until=_days(-1))
    )
    last_day = benefit_service.create_benefit(
        session=session,
        data=_data(own, partnership_id=tie, kind="discount", valid_until=TODAY, deadline=_days(3)),
    )
    open_ended = benefit_service.create_benefit(session=session, data=_data(own, kind="association"))
    later = benefit_service.create_benefit(
        session=session, data=_data(own, kind="homestay", valid_from=_days(40), deadline=_days(1))
    )
    current = benefit_service.list_benefits(session=session, today=TODAY, municipality_id=own)
    ids = [b.id for b in current]
    assert past.id not in ids
    assert {last_day.id, open_ended.id, later.id} <= set(ids)
    # Soonest deadline first; no deadline last.
    assert ids.index(later.id) < ids.index(last_day.id) < ids.index(open_ended.id)
    assert [
        b.id for b in benefit_service.list_benefits(session=session, today=TODAY, partnership_id=tie)
    ] == [last_day.id]
    homestays = benefit_service.list_benefits(
        session=session, today=TODAY, municipality_id=own, kind="homestay"
    )
    assert later.id in [b.id for b in homestays] and last_day.id not in [b.id for b in homestays]
    # Tomorrow the discount is over.
    tomorrow = benefit_service.list_benefits(session=session, today=_days(1), municipality_id=own)
    assert last_day.id not in [b.id for b in tomorrow]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"apply_url": "javascript:alert(1)"}, "apply_url"),
        ({"apply_url": "ftp://example.jp/form"}, "apply_url"),
        ({"valid_from": "2027-04-01", "valid_until": "2027-03-31"}, "valid_until"),
        ({"kind": "lottery"}, "kind"),
        ({"title": "   "}, "title"),
        ({"cost_yen": -1}, "cost_yen"),
        ({"programme_id": 2_000_000_000}, "programme_id"),
        ({"municipality_id": 2_000_000_000}, "municipality_id"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(
    session: Session, changes: dict[str, Any], field: str
) -> None:
    own = municipality_id(session, OWN)
    before = len(benefit_service.list_benefits(session=session))
    with pytest.raises(InvalidInput) as refused:
        benefit_actions.create_benefit(session=session, actor=ADMIN, data={**_data(own), **changes})
    assert field in [p.field for p in refused.value.problems]
    assert len(benefit_service.list_benefits(session=session)) == before


def test_a_partnership_of_another_municipality_is_refused(session: Session) -> None:
    own, other = municipality_id(session, OWN), municipality_id(session, OTHER)
    theirs = _partnership(session, other)
    with pytest.raises(InvalidInput) as refused:
        benefit_actions.create_benefit(session=session, actor=ADMIN, data=_data(own, partnership_id=theirs))
    assert [p.field for p in refused.value.problems] == ["partnership_id"]


def test_only_the_offering_municipalitys_editors_write_it(session: Session) -> None:
    own, other = municipality_id(session, OWN), municipality_id(session, OTHER)
    own_editor, other_editor = _editor_of(own), _editor_of(other)
    for actor in (None, other_editor, Principal(3, "v@example.jp", "v", Role.viewer, frozenset({own}))):
        with pytest.raises(PermissionDenied):
            benefit_actions.create_benefit(session=session, actor=actor, data=_data(own))
    benefit = benefit_actions.create_benefit(session=session, actor=own_editor, data=_data(own))
    with pytest.raises(PermissionDenied):
        benefit_actions.update_benefit(
            session=session, actor=other_editor, benefit_id=benefit.id, changes={"title": "x"}, version=1
        )
    # Moving it to another municipality needs the right over that one too.
    with pytest.raises(PermissionDenied):
        benefit_actions.update_benefit(
            session=session,
            actor=own_editor,
            benefit_id=benefit.id,
            changes={"municipality_id": other},
            version=benefit.version,
        )
    updated = benefit_actions.update_benefit(
        session=session, actor=own_editor, benefit_id=benefit.id, changes={"cost_yen": 0}, version=1
    )
    assert updated.cost_yen == 0 and updated.version == 2
    with pytest.raises(Conflict):  # written from an older version
        benefit_actions.update_benefit(
            session=session, actor=own_editor, benefit_id=benefit.id, changes={"cost_yen": 5}, version=1
        )
    with pytest.raises(PermissionDenied):
        benefit_actions.delete_benefit(session=session, actor=other_editor, benefit_id=benefit.id)
    benefit_actions.delete_benefit(session=session, actor=own_editor, benefit_id=benefit.id, version=2)
    assert session.get(Benefit, benefit.id) is None
    actions = [
        e.action for e in audit_service.history(session=session, table_name="benefit", record_id=benefit.id)
    ]
    assert actions == ["create", "update", "delete"]


def test_the_demo_benefits_name_their_seed_and_say_they_are_illustrative(session: Session) -> None:
    from tsunagari.demo.citations import citation

    demo = benefit_service.list_benefits(session=session, municipality_id=municipality_id(session, OWN))
    by_title = {b.title: b for b in demo}
    junior = by_title["武蔵野市ジュニア大使親善使節団（ラボック市派遣）団員募集"]
    assert junior.kind == "student_exchange" and junior.programme is not None
    assert junior.partnership is not None and junior.partnership.partner_municipality is not None
    assert junior.partnership.partner_municipality.name == "ラボック市"
    for benefit in demo:
        assert benefit.source is not None and benefit.source.startswith("seed 000")
        assert "例示" in benefit.source and "illustrative" in benefit.source
        assert (citation(benefit.source) or "").startswith("武蔵野市「つながれば広がる")


def test_the_migration_makes_the_table_the_model_describes(tmp_path: Any) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    about_benefits = [d for d in differences if "benefit" in repr(d)]
    assert about_benefits == []
    engine.dispose()


# ----------------------------------------------------------------------------- API, pages, calendar
class Made:
    def __init__(self, own: int, tie: int, event: int, homestay: int, past: int, other: int) -> None:
        self.own, self.tie, self.event, self.homestay, self.past, self.other = (
            own,
            tie,
            event,
            homestay,
            past,
            other,
        )


@pytest.fixture
def client(cli_database: str) -> Iterator[tuple[TestClient, Made]]:
    from tsunagari.web.app import create_app

    with unit_of_work(get_engine()) as session:
        own = municipality_id(session, OWN)
        tie = _partnership(session, own)
        event = benefit_service.create_benefit(
            session=session,
            data=_data(
                own,
                partnership_id=tie,
                title="サマー交流キャンプ",
                description="姉妹都市の子どもたちと過ごす3日間",
                valid_from=_days(20),
                valid_until=_days(22),
                deadline=_days(10),
                cost_yen=0,
                apply_url="https://example.jp/camp",
            ),
        ).id
        homestay = benefit_service.create_benefit(
            session=session,
            data=_data(
                own, kind="homestay", title="ホームステイ受入家庭募集", deadline=_days(5), cost_yen=30000
            ),
        ).id
        past = benefit_service.create_benefit(
            session=session,
            data=_data(
                own, title="終わった催し", valid_from=_days(-5), valid_until=_days(-2), deadline=_days(-10)
            ),
        ).id
        other = benefit_service.create_benefit(
            session=session,
            data=_data(municipality_id(session, OTHER), title="村山市の奨学金", kind="scholarship"),
        ).id
    with TestClient(create_app()) as test_client:
        yield test_client, Made(own, tie, event, homestay, past, other)


def test_the_api_lists_current_benefits_with_public_fields(client: tuple[TestClient, Made]) -> None:
    http, made = client
    response = http.get("/api/v1/benefits", params={"municipality": made.own, "limit": 100})
    assert response.status_code == 200, response.text
    body = response.json()
    ids = [item["id"] for item in body["items"]]
    assert made.event in ids and made.homestay in ids
    assert made.past not in ids and made.other not in ids
    assert body["total"] == len(ids)
    camp = next(item for item in body["items"] if item["id"] == made.event)
    assert camp["kind"] == "event" and camp["kind_label"] == "市民参加のイベント"
    assert camp["municipality"]["name"] == OWN and camp["partnership_id"] == made.tie
    assert camp["valid_from"] == _days(20).isoformat() and camp["cost_yen"] == 0
    assert camp["apply_url"] == "https://example.jp/camp"
    assert not {"version", "created_at", "updated_at"} & set(camp)
    homestays = http.get("/api/v1/benefits", params={"municipality": made.own, "kind": "homestay"}).json()
    assert [item["id"] for item in homestays["items"] if item["id"] in (made.event, made.homestay)] == [
        made.homestay
    ]


def test_the_api_refuses_what_it_does_not_know(client: tuple[TestClient, Made]) -> None:
    http, _ = client
    unknown = http.get("/api/v1/benefits", params={"prefecture": "東京都"})
    assert unknown.status_code == 422 and "prefecture" in unknown.text
    assert http.get("/api/v1/benefits", params={"kind": "lottery"}).status_code == 422
    assert http.get("/api/v1/benefits", params={"municipality": 2_000_000_000}).status_code == 404
    schema = http.get("/openapi.json").json()["components"]["schemas"]["BenefitRead"]
    assert {"eligibility", "deadline", "valid_until", "cost_yen", "apply_url"} <= set(schema["properties"])


def test_the_municipality_and_partnership_pages_show_current_benefits(
    client: tuple[TestClient, Made],
) -> None:
    http, made = client
    page = http.get(f"/municipalities/{made.own}").text
    assert 'id="benefits-h"' in page and "サマー交流キャンプ" in page and "ホームステイ受入家庭募集" in page
    assert "終わった催し" not in page and "村山市の奨学金" not in page
    assert "無料" in page and f"/municipalities/{made.own}/events.ics" in page
    english = http.get(f"/municipalities/{made.own}", params={"lang": "en"}).text
    assert "Benefits for residents" in english and "Free" in english and "Event open to citizens" in english
    tie = http.get(f"/partnerships/{made.tie}").text
    assert "サマー交流キャンプ" in tie and "ホームステイ受入家庭募集" not in tie
    # A municipality with no current benefit shows no block at all.
    with unit_of_work(get_engine()) as session:
        partner = partnership_service.get(session=session, partnership_id=made.tie).partner_municipality_id
    assert 'id="benefits-h"' not in http.get(f"/municipalities/{partner}").text


def test_the_benefits_page_filters_by_municipality_and_kind(client: tuple[TestClient, Made]) -> None:
    http, made = client
    everything = http.get("/benefits").text
    assert (
        "サマー交流キャンプ" in everything
        and "村山市の奨学金" in everything
        and "終わった催し" not in everything
    )
    mine = http.get("/benefits", params={"municipality": made.own, "kind": "homestay"}).text
    assert (
        "ホームステイ受入家庭募集" in mine
        and "サマー交流キャンプ" not in mine
        and "村山市の奨学金" not in mine
    )
    refused = http.get("/benefits", params={"kind": "lottery", "municipality": "abc"})
    assert refused.status_code == 422
    assert (
        "種類「lottery」はありません" in refused.text and "自治体「abc」は登録されていません" in refused.text
    )
    assert 'aria-invalid="true"' in refused.text


def test_the_calendar_lists_upcoming_events_and_deadlines(client: tuple[TestClient, Made]) -> None:
    http, made = client
    response = http.get(f"/municipalities/{made.own}/events.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    camp = events[f"benefit-{made.event}@tsunagari"]
    assert str(camp["SUMMARY"]) == "サマー交流キャンプ"
    assert camp.decoded("DTSTART") == _days(20) and camp.decoded("DTEND") == _days(23)
    assert str(camp["URL"]) == "https://example.jp/camp"
    assert events[f"benefit-{made.event}-deadline@tsunagari"].decoded("DTSTART") == _days(10)
    assert events[f"benefit-{made.homestay}-deadline@tsunagari"].decoded("DTSTART") == _days(5)
    # A homestay is no event: only its deadline is in the calendar; what is over is not at all.
    assert f"benefit-{made.homestay}@tsunagari" not in events
    assert {f"benefit-{made.past}@tsunagari", f"benefit-{made.past}-deadline@tsunagari"}.isdisjoint(events)
    assert not any(str(e["SUMMARY"]).endswith("村山市の奨学金") for e in events.values())
    assert http.get("/municipalities/2000000000/events.ics").status_code == 404


# ----------------------------------------------------------------------------- the staff form
def test_staff_enter_a_benefit_in_wareki_and_a_bad_link_is_marked(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        own = municipality_id(session, OWN)
    client, csrf = cookie_client(build_app(), make_user(Role.editor, (OWN,)))
    assert "姉妹都市割引" in client.get("/staff/benefit/new").text  # the kinds by their Japanese labels
    title = unique("美術館の姉妹都市割引")
    form = {
        CSRF_FIELD: csrf,
        "municipality_id": str(own),
        "kind": "discount",
        "title": title,
        "valid_from": "令和9年4月1日",
        "valid_until": "R10.3.31",
        "cost_yen": "500円",
        "apply_url": "javascript:alert(1)",
    }
    refused = client.post("/staff/benefit/new", data=form)
    assert refused.status_code == 422
    assert 'class="field invalid" id="field-apply_url"' in refused.text
    assert "javascript:alert(1)" in refused.text  # what was typed stays on the form
    with unit_of_work(get_engine()) as session:
        assert not session.scalars(select(Benefit).where(Benefit.title == title)).all()
    saved = client.post("/staff/benefit/new", data={**form, "apply_url": "https://example.jp/museum"})
    assert saved.status_code == 303, saved.text
    with unit_of_work(get_engine()) as session:
        stored = session.scalars(select(Benefit).where(Benefit.title == title)).one()
        assert (stored.valid_from, stored.valid_until) == (dt.date(2027, 4, 1), dt.date(2028, 3, 31))
        assert stored.cost_yen == 500 and stored.apply_url == "https://example.jp/museum"
    # Another municipality's editor may not create one for 武蔵野市.
    other_client, other_csrf = cookie_client(build_app(), make_user(Role.editor, (OTHER,)))
    denied = other_client.post(
        "/staff/benefit/new",
        data={**form, CSRF_FIELD: other_csrf, "title": unique("x"), "apply_url": "https://example.jp/x"},
    )
    assert denied.status_code == 403


def test_the_write_api_checks_the_link_and_the_municipality(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        own = municipality_id(session, OWN)
    http = TestClient(build_app())
    editor, other = make_user(Role.editor, (OWN,)), make_user(Role.editor, (OTHER,))
    body = _data(own, kind="scholarship", deadline="2027-01-15", apply_url="data:text/html,x")
    refused = http.post("/api/v1/benefits", json=body, headers=bearer(editor))
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["error"]["problems"]] == ["apply_url"]
    assert refused.json()["error"]["problems"][0]["value"] == "data:text/html,x"
    body["apply_url"] = "https://example.jp/scholarship"
    assert http.post("/api/v1/benefits", json=body, headers=bearer(other)).status_code == 403
    created = http.post("/api/v1/benefits", json=body, headers=bearer(editor))
    assert created.status_code == 201, created.text
    benefit_id = created.json()["id"]
    changed = http.patch(
        f"/api/v1/benefits/{benefit_id}", json={"cost_yen": 0, "version": 1}, headers=bearer(editor)
    )
    assert changed.status_code == 200 and changed.json()["cost_yen"] == 0
    public = http.get("/api/v1/benefits", params={"municipality": own, "kind": "scholarship"}).json()
    assert benefit_id in [item["id"] for item in public["items"]]
