"""Staff forms keep records intact: a save writes only what the person changed (for every record kind and
every partnership type), selects offer every value of their enum, a missing reference is a field error
and never a 500, and a review resolution overwrites nothing without its confirmation step."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.staff_support import (
    OWN,
    build_app,
    cookie_client,
    make_user,
    municipality_id,
    new_foreign_municipality,
    new_organisation,
    staff_database,  # noqa: F401 - fixture
    unique,
)
from tsunagari.access.roles import Role
from tsunagari.audit import service as audit_service
from tsunagari.db import get_engine
from tsunagari.exchange import activity_service, award_service, network_service, programme_service
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.schemas import ContactCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, STATUS_LABELS, PartnershipType
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.policy import service as policy_service
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD


# ----------------------------------------------------------------------------- a browser's form submission
class _Form(HTMLParser):
    """The fields a browser would submit from the page's record form (form.record-form)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.values: dict[str, str] = {}
        self.selects: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_chosen: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "record-form" in a.get("class", ""):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values[a["name"]] = a.get("value") or "on"
            else:
                self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select, self._select_chosen, self._first_option = a.get("name"), None, None
            self.selects[a.get("name", "")] = []
        elif tag == "option" and self._select:
            self.selects[self._select].append(a.get("value", ""))
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self._select_chosen = a.get("value", "")
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            self.values[self._select] = self._select_chosen or self._first_option or ""
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values[self._textarea] = "".join(self._text).removeprefix("\n")
            self._textarea = None


def read_form(html: str) -> _Form:
    parser = _Form()
    parser.feed(html)
    return parser


# ----------------------------------------------------------------------------- records of every kind
def _own(session: Session) -> int:
    return municipality_id(session, OWN)


def _partnership(kind: PartnershipType) -> Callable[[Session], int]:
    def make(session: Session) -> int:
        return partnership_service.create(
            session=session,
            data=PartnershipCreate(
                home_municipality_id=_own(session),
                partner_municipality_id=new_foreign_municipality(session),
                type=kind,
                signed_on=dt.date(1992, 4, 1),
                signed_on_precision="month",
                origin="中学生の相互派遣から",
            ),
        ).id

    return make


def _programme(session: Session) -> int:
    return programme_service.create_programme(
        session=session,
        data={
            "title": unique("青少年交流"),
            "format": "people",
            "owners": [{"municipality_id": _own(session)}],
            "fields": ["youth", "education"],
            "fiscal_years_text": "令和7年度",
        },
    ).id


def _activity(session: Session) -> int:
    return activity_service.record_activity(
        session=session,
        data={
            "programme_id": _programme(session),
            "title": unique("派遣"),
            "direction": "outbound",
            "start_on": dt.date(2025, 7, 25),
            "participants": {"junior_high_students": 10, "chaperones": 2},
            "public_cost": 1_200_000,
            "official_visit": True,
        },
    ).id


def _network(session: Session) -> int:
    return network_service.create_network(
        session=session,
        data={
            "name": unique("環境会議"),
            "kind": "conference",
            "secretariat_municipality_id": _own(session),
            "fields": ["environment"],
            "founded_fy": 2010,
            "member_count_as_of": dt.date(2019, 3, 1),
            "member_count_as_of_precision": "month",
        },
    ).id


def _meeting(session: Session) -> int:
    meeting, _ = network_service.add_meeting(
        session=session,
        data={"network_id": _network(session), "fiscal_year": 2012, "place": "高崎", "title": unique("総会")},
    )
    return meeting.id


def _award(session: Session) -> int:
    return award_service.create_award(
        session=session,
        data={
            "name": unique("姉妹自治体交流表彰"),
            "fiscal_year": 2011,
            "recipient": {"municipality_id": _own(session)},
            "partner_municipality_ids": [new_foreign_municipality(session)],
            "evaluation_points": [{"criterion": "continuity", "text": "長年の青少年交流"}],
        },
    ).id


def _contact(session: Session) -> int:
    return organisation_service.add_contact(
        session=session,
        data=ContactCreate(person_name=unique("山田"), role="国際交流係", municipality_id=_own(session)),
    ).id


def _visit(session: Session) -> int:
    return policy_service.create_visit(
        session=session,
        data={
            "programme_id": _programme(session),
            "title": unique("公式訪問"),
            "municipality_id": _own(session),
            "destination_municipality_id": new_foreign_municipality(session),
            "start_on": dt.date(2025, 10, 1),
        },
    ).activity_id


# (kind, table, maker, the field changed)
KINDS: list[tuple[str, str, Callable[[Session], int], str]] = [
    ("municipality", "municipality", new_foreign_municipality, "overview_ja"),
    ("organisation", "organisation", new_organisation, "overview_ja"),
    ("contact", "contact", _contact, "notes"),
    ("programme", "programme", _programme, "description"),
    ("activity", "activity", _activity, "outcomes"),
    ("network", "network", _network, "description"),
    ("meeting", "network_meeting", _meeting, "notes"),
    ("award", "award", _award, "citation"),
    ("visit", "visit", _visit, "citizen_meeting_notes"),
] + [("partnership", "partnership", _partnership(t), "notes") for t in PartnershipType]
IDS = [k[0] for k in KINDS[:9]] + [f"partnership-{t.value}" for t in PartnershipType]


def _made(maker: Callable[[Session], int]) -> int:
    with unit_of_work(get_engine()) as session:
        return int(maker(session))


def _latest(table: str, record_id: int) -> Any:
    with unit_of_work(get_engine()) as session:
        return list(audit_service.history(session=session, table_name=table, record_id=record_id))[-1]


@pytest.mark.parametrize(("kind", "table", "maker", "changed"), KINDS, ids=IDS)
def test_a_save_writes_only_the_field_that_was_changed(
    staff_database: str,  # noqa: F811
    kind: str,
    table: str,
    maker: Callable[[Session], int],
    changed: str,
) -> None:
    record_id = _made(maker)
    client, _ = cookie_client(build_app(), make_user(Role.admin))
    page = client.get(f"/staff/{kind}/{record_id}/edit")
    assert page.status_code == 200, page.text
    form = read_form(page.text)
    if kind == "partnership":
        assert set(form.selects["type"]) == {t.value for t in PartnershipType}
    before = _latest(table, record_id).id
    saved = client.post(
        f"/staff/{kind}/{record_id}/edit", data={**form.values, changed: "備考を書き足しました"}
    )
    assert saved.status_code == 303, saved.text
    entry = _latest(table, record_id)
    assert entry.id > before and entry.action == "update"
    assert set(entry.after) == {changed}, entry.after
    assert entry.after[changed] == "備考を書き足しました"


def test_an_untouched_form_writes_nothing(staff_database: str) -> None:  # noqa: F811
    record_id = _made(_activity)
    client, _ = cookie_client(build_app(), make_user(Role.admin))
    form = read_form(client.get(f"/staff/activity/{record_id}/edit").text)
    before = _latest("activity", record_id).id
    assert client.post(f"/staff/activity/{record_id}/edit", data=form.values).status_code == 303
    assert _latest("activity", record_id).id == before


def test_every_select_offers_every_value_of_its_enum_with_japanese_labels(staff_database: str) -> None:  # noqa: F811
    record_id = _made(_partnership(PartnershipType.exchange_city))
    client, _ = cookie_client(build_app(), make_user(Role.admin))
    page = client.get(f"/staff/partnership/{record_id}/edit").text
    for ja, _en in PARTNERSHIP_TYPE_LABELS.values():
        assert f">{ja}</option>" in page
    for ja, _en in STATUS_LABELS.values():
        assert f">{ja}</option>" in page
    assert '<option value="exchange_city" selected>交流都市</option>' in page
    english = client.get(f"/staff/partnership/{record_id}/edit?lang=en").text
    assert '<option value="exchange_city" selected>Exchange partner</option>' in english


def test_a_partner_that_does_not_exist_is_a_field_error_not_a_500(staff_database: str) -> None:  # noqa: F811
    record_id = _made(_partnership(PartnershipType.sister_city))
    client, csrf = cookie_client(build_app(), make_user(Role.editor, (OWN,)))
    form = read_form(client.get(f"/staff/partnership/{record_id}/edit").text)
    before = _latest("partnership", record_id).id
    refused = client.post(
        f"/staff/partnership/{record_id}/edit", data={**form.values, "partner_municipality_id": "99999"}
    )
    assert refused.status_code == 422
    assert 'id="field-partner_municipality_id"' in refused.text
    assert 'class="field invalid" id="field-partner_municipality_id"' in refused.text
    assert "相手自治体: 「99999」 指定された記録は存在しません" in refused.text
    assert _latest("partnership", record_id).id == before
    created = client.post(
        "/staff/partnership/new",
        data={
            CSRF_FIELD: csrf,
            "home_municipality_id": form.values["home_municipality_id"],
            "partner_municipality_id": "99999",
            "type": "sister_city",
            "status": "active",
        },
    )
    assert created.status_code == 422 and "指定された記録は存在しません" in created.text


def test_a_delete_asks_first_naming_what_depends_on_the_record(staff_database: str) -> None:  # noqa: F811
    record_id = _made(_partnership(PartnershipType.sister_city))
    client, csrf = cookie_client(build_app(), make_user(Role.editor, (OWN,)))
    first = client.post(f"/staff/partnership/{record_id}/delete", data={CSRF_FIELD: csrf})
    assert first.status_code == 303 and first.headers["location"].endswith(f"/partnership/{record_id}/delete")
    with unit_of_work(get_engine()) as session:
        partnership_service.get(session=session, partnership_id=record_id)  # still there
    confirm = client.get(f"/staff/partnership/{record_id}/delete")
    assert (
        confirm.status_code == 200 and 'class="danger"' in confirm.text and 'name="confirm"' in confirm.text
    )
    done = client.post(
        f"/staff/partnership/{record_id}/delete",
        data={
            CSRF_FIELD: csrf,
            "confirm": "yes",
            "version": re.findall(r'name="version" value="(\d+)"', confirm.text)[0],
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff?deleted=1"
