"""Exchange fields (交流分野) on activities (issue 16): a new activity takes its programme's fields unless
given its own, codes or labels in any of the three languages; the API, the staff form and the activities
file read and write them; a bad field is refused naming the field (and row) and the value; matching
counts the fields of a municipality's partnerships and activities."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.staff_support import (
    OWN,
    bearer,
    build_app,
    cookie_client,
    make_user,
    municipality_id,
    staff_database,  # noqa: F401 - fixture
    unique,
)
from tests.web.test_staff_forms import read_form
from tsunagari.access.roles import Role
from tsunagari.audit import service as audit_service
from tsunagari.db import get_engine
from tsunagari.errors import InvalidInput
from tsunagari.exchange import activity_service, programme_service
from tsunagari.exchange.models import Activity
from tsunagari.importers.activities import import_activities
from tsunagari.matching import candidates
from tsunagari.matching.scoring import rank
from tsunagari.municipality import service as municipality_service
from tsunagari.partnership import service as partnership_service
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD


def _programme(session: Session, fields: list[str], owner: str = OWN) -> int:
    return programme_service.create_programme(
        session=session,
        data={
            "title": unique("青少年交流"),
            "format": "people",
            "owners": [{"municipality_id": municipality_id(session, owner)}],
            "fields": fields,
        },
    ).id


# ----------------------------------------------------------------------------- the service
def test_a_new_activity_takes_its_programmes_fields_unless_given_its_own(session: Session) -> None:
    programme = _programme(session, ["youth", "education"])
    plain = activity_service.record_activity(
        session=session, data={"programme_id": programme, "title": "派遣"}
    )
    assert plain.fields == ["youth", "education"]
    own = activity_service.record_activity(
        session=session, data={"programme_id": programme, "title": "受入", "fields": "スポーツ、환경"}
    )
    assert own.fields == ["sports", "environment"]  # a Japanese and a Korean label, read as codes
    none = activity_service.record_activity(
        session=session, data={"programme_id": programme, "title": "視察", "fields": []}
    )
    assert none.fields == []  # an empty list given is kept empty
    # An update changes them only when given: null leaves them, a list replaces them.
    activity_service.update_activity(
        session=session, activity=own, changes={"fields": None, "place": "市役所"}
    )
    assert own.fields == ["sports", "environment"]
    activity_service.update_activity(
        session=session, activity=own, changes={"fields": ["Culture", "教育・青少年"]}
    )
    assert own.fields == ["culture", "education", "youth"]


def test_an_unknown_field_is_refused_naming_the_field_and_value(session: Session) -> None:
    programme = _programme(session, ["youth"])
    with pytest.raises(InvalidInput) as refused:
        activity_service.record_activity(
            session=session,
            data={"programme_id": programme, "title": "派遣", "fields": ["youth", "宇宙開発"]},
        )
    [problem] = refused.value.problems
    assert problem.field == "fields" and "宇宙開発" in problem.reason
    assert not activity_service.activities_for_programme(session=session, programme_id=programme)


def test_activities_are_listed_by_field(session: Session) -> None:
    programme = _programme(session, ["youth"])
    youth = activity_service.record_activity(
        session=session, data={"programme_id": programme, "title": "派遣"}
    )
    sports = activity_service.record_activity(
        session=session, data={"programme_id": programme, "title": "大会", "fields": ["sports"]}
    )
    found = activity_service.list_activities(session=session, field="sports", programme_id=programme)
    assert [a.id for a in found] == [sports.id]
    owned = activity_service.list_activities(
        session=session, field="youth", municipality_id=municipality_id(session, OWN)
    )
    assert youth.id in {a.id for a in owned} and sports.id not in {a.id for a in owned}


# ----------------------------------------------------------------------------- the activities file
def _csv(path: Path, programme: int, *rows: str) -> Path:
    header = "programme_id,title,start,fields"
    path.write_text("\n".join([header, *(row.format(p=programme) for row in rows)]) + "\n", encoding="utf-8")
    return path


def test_the_file_reads_codes_and_japanese_labels_and_a_second_import_changes_nothing(
    session: Session, tmp_path: Path
) -> None:
    programme = _programme(session, ["citizens"])
    path = _csv(
        tmp_path / "activities.csv",
        programme,
        "{p},青少年派遣,2024-07-25,education; youth",
        '{p},音楽祭,2024-10-01,"文化・芸術、観光"',
        "{p},市民訪問団,2024-11-03,",
    )
    first = import_activities(session=session, path=path)
    assert (first.created, first.unchanged) == (3, 0)
    stored = {
        a.title: a.fields
        for a in activity_service.activities_for_programme(session=session, programme_id=programme)
    }
    assert stored == {
        "青少年派遣": ["education", "youth"],
        "音楽祭": ["culture", "tourism"],
        "市民訪問団": ["citizens"],  # an empty cell: the programme's
    }
    second = import_activities(session=session, path=path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    # A changed cell updates that activity; an empty one leaves the stored fields alone.
    [musician] = [
        a
        for a in activity_service.activities_for_programme(session=session, programme_id=programme)
        if a.title == "音楽祭"
    ]
    activity_service.update_activity(session=session, activity=musician, changes={"fields": ["peace"]})
    again = import_activities(
        session=session,
        path=_csv(
            tmp_path / "again.csv", programme, "{p},音楽祭,2024-10-01,", "{p},青少年派遣,2024-07-25,スポーツ"
        ),
    )
    assert (again.updated, again.unchanged) == (1, 1)
    stored = {
        a.title: a.fields
        for a in activity_service.activities_for_programme(session=session, programme_id=programme)
    }
    assert stored["音楽祭"] == ["peace"] and stored["青少年派遣"] == ["sports"]


def test_a_bad_label_refuses_the_file_naming_row_field_and_value(session: Session, tmp_path: Path) -> None:
    programme = _programme(session, ["citizens"])
    path = _csv(
        tmp_path / "bad.csv", programme, "{p},青少年派遣,2024-07-25,教育", "{p},視察,2024-08-01,宇宙開発"
    )
    with pytest.raises(InvalidInput) as refused:
        import_activities(session=session, path=path)
    assert [(p.row, p.field, p.value) for p in refused.value.problems] == [(3, "fields", "宇宙開発")]
    assert not activity_service.activities_for_programme(session=session, programme_id=programme)


# ----------------------------------------------------------------------------- matching
def test_matching_counts_the_fields_of_partnerships_and_activities(session: Session) -> None:
    me = municipality_id(session, OWN)
    [kanazawa] = municipality_service.find_by_name(session=session, name="金沢市", country="JP")
    before = candidates.places(session=session)
    assert "science" not in before[me].fields and "science" not in before[kanazawa.id].fields
    assert kanazawa.id not in before[me].partners
    # 武蔵野市's ties spread to science through one partnership; 金沢市's through one activity.
    tie = partnership_service.get(
        session=session,
        partnership_id=next(
            p.id for p in partnership_service.for_municipality(session=session, municipality_id=me)
        ),
    )
    tie.fields = [*(tie.fields or []), "science"]
    programme = _programme(session, [], owner="金沢市")
    activity_service.record_activity(
        session=session, data={"programme_id": programme, "title": "研究者交流", "fields": ["science"]}
    )
    session.flush()
    after = candidates.places(session=session)
    assert "science" in after[me].fields and "science" in after[kanazawa.id].fields
    other_side = tie.partner_municipality_id if tie.home_municipality_id == me else tie.home_municipality_id
    if other_side is not None:
        assert "science" in after[other_side].fields  # a tie's fields count for both its parties
    weights = candidates.weights()
    [match] = rank(after[me], [after[kanazawa.id]], weights)
    shared = after[me].fields & after[kanazawa.id].fields
    [reason] = [r for r in match.reasons if r.kind == "fields"]
    assert "科学技術" in reason.detail
    assert reason.points == pytest.approx(weights.fields * len(shared) / len(after[me].fields))
    earlier = [r.detail for m in rank(before[me], [before[kanazawa.id]], weights) for r in m.reasons]
    assert not any("科学技術" in detail for detail in earlier)


# ----------------------------------------------------------------------------- the API and the staff form
def test_the_api_reads_writes_and_filters_activity_fields(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        programme = _programme(session, ["youth", "education"])
    client = TestClient(build_app())
    admin = make_user(Role.admin)
    created = client.post(
        "/api/v1/activities",
        json={"programme_id": programme, "title": "スポーツ交流", "fields": ["スポーツ", "youth"]},
        headers=bearer(admin),
    )
    assert created.status_code == 201, created.text
    assert created.json()["fields"] == ["sports", "youth"]
    plain = client.post(
        "/api/v1/activities", json={"programme_id": programme, "title": "派遣"}, headers=bearer(admin)
    )
    assert plain.json()["fields"] == ["youth", "education"]
    refused = client.post(
        "/api/v1/activities",
        json={"programme_id": programme, "title": "派遣", "fields": ["宇宙開発"]},
        headers=bearer(admin),
    )
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["error"]["problems"]
    assert problem["field"] == "fields" and "宇宙開発" in f"{problem['value']} {problem['reason']}"
    patched = client.patch(
        f"/api/v1/activities/{created.json()['id']}",
        json={"fields": "環境", "version": created.json()["version"]},
        headers=bearer(admin),
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["fields"] == ["environment"]
    detail = client.get(f"/api/v1/programmes/{programme}").json()
    assert {a["title"]: a["fields"] for a in detail["activities"]} == {
        "スポーツ交流": ["environment"],
        "派遣": ["youth", "education"],
    }
    listed = client.get("/api/v1/activities", params={"field": "environment", "programme": programme}).json()
    assert [a["title"] for a in listed["items"]] == ["スポーツ交流"] and listed["total"] == 1
    education = client.get("/api/v1/activities", params={"field": "education", "programme": programme}).json()
    assert [a["title"] for a in education["items"]] == ["派遣"]  # its programme's fields
    every = client.get("/api/v1/activities", params={"field": "education"}).json()
    assert every["total"] >= 1 and all("education" in a["fields"] for a in every["items"])
    bad = client.get("/api/v1/activities", params={"field": "宇宙"})
    assert bad.status_code == 422
    page = client.get(f"/programmes/{programme}").text
    assert "分野: 環境" in page and "分野: 青少年、教育" in page
    english = client.get(f"/programmes/{programme}?lang=en").text
    assert "Fields: Youth, Education" in english


def _fields_audit(activity_id: int) -> list[dict[str, object]]:
    with unit_of_work(get_engine()) as session:
        return [
            e.after
            for e in audit_service.history(session=session, table_name="activity", record_id=activity_id)
        ]


def test_the_staff_form_starts_from_the_programmes_fields_and_saves_only_what_changed(
    staff_database: str,  # noqa: F811
) -> None:
    with unit_of_work(get_engine()) as session:
        programme = _programme(session, ["youth", "education"])
    client, csrf = cookie_client(build_app(), make_user(Role.admin))
    new = client.get(f"/staff/activity/new?programme_id={programme}")
    assert new.status_code == 200
    form = read_form(new.text)
    assert {k for k in form.values if k.startswith("fields.")} == {"fields.youth", "fields.education"}
    assert "青少年交流" in form.values["programme_id__q"]
    created = client.post(
        "/staff/activity/new",
        data={
            **form.values,
            CSRF_FIELD: csrf,
            "title": "夏の派遣",
            "fields.sports": "on",
            "start_on": "2025-07-25",
        },
    )
    assert created.status_code == 303, created.text
    activity_id = int(created.headers["location"].split("/")[3])
    with unit_of_work(get_engine()) as session:
        stored = activity_service.get_activity(session=session, activity_id=activity_id).fields
        assert stored == ["education", "youth", "sports"]  # in the vocabulary's order
    # Nothing ticked on a new form: the programme's fields.
    bare = client.post(
        "/staff/activity/new", data={CSRF_FIELD: csrf, "programme_id": str(programme), "title": "秋の受入"}
    )
    assert bare.status_code == 303, bare.text
    with unit_of_work(get_engine()) as session:
        found = session.scalars(select(Activity).where(Activity.title == "秋の受入")).one()
        assert found.fields == ["youth", "education"]
    # Editing: unticking one field writes the fields alone.
    edit = read_form(client.get(f"/staff/activity/{activity_id}/edit").text)
    assert {k for k in edit.values if k.startswith("fields.")} == {
        "fields.education",
        "fields.youth",
        "fields.sports",
    }
    values = {k: v for k, v in edit.values.items() if k != "fields.sports"}
    saved = client.post(f"/staff/activity/{activity_id}/edit", data=values)
    assert saved.status_code == 303, saved.text
    last = _fields_audit(activity_id)[-1]
    assert set(last) == {"fields"}
    assert last["fields"] == ["education", "youth"]
    with unit_of_work(get_engine()) as session:
        assert activity_service.get_activity(session=session, activity_id=activity_id).fields == [
            "education",
            "youth",
        ]
