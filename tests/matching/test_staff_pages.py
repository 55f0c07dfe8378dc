"""The staff form of seeking profiles: countries typed as staff write them, wishes as checkboxes, and a
save that writes only what was changed (the countries shown as names are not rewritten)."""

from __future__ import annotations

from tests.staff_support import (
    OWN,
    build_app,
    cookie_client,
    make_user,
    municipality_id,
    staff_database,  # noqa: F401 - fixture
)
from tests.web.test_staff_forms import read_form
from tsunagari.access.roles import Role
from tsunagari.audit import service as audit_service
from tsunagari.db import get_engine
from tsunagari.matching import service as matching_service
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD


def test_create_then_edit_one_field(staff_database: str) -> None:  # noqa: F811
    client, csrf = cookie_client(build_app(), make_user(Role.editor, (OWN,)))
    with unit_of_work(get_engine()) as session:
        own = municipality_id(session, OWN)
    page = client.get("/staff/seeking_profile/new")
    assert page.status_code == 200
    assert "希望する国" in page.text and "英語圏" in page.text and "自然環境の類似" in page.text
    created = client.post(
        "/staff/seeking_profile/new",
        data={
            CSRF_FIELD: csrf,
            "municipality_id": str(own),
            "hoped_countries": "オーストラリア、ニュージーランド",
            "fields.education": "on",
            "fields.youth": "on",
            "conditions.nature": "on",
            "population_min": "50,000",
            "purpose": "中学生の相互派遣を始めたい",
        },
    )
    assert created.status_code == 303, created.text
    with unit_of_work(get_engine()) as session:
        profile = matching_service.profile_of(session=session, municipality_id=own)
        assert profile is not None
        assert profile.hoped_countries == ["AU", "NZ"] and profile.fields == ["education", "youth"]
        assert profile.population_min == 50_000
        profile_id = profile.id

    edit = client.get(f"/staff/seeking_profile/{profile_id}/edit")
    assert "オーストラリア、ニュージーランド" in edit.text  # names, not AU and NZ
    form = read_form(edit.text)
    saved = client.post(
        f"/staff/seeking_profile/{profile_id}/edit", data={**form.values, "purpose": "高校生も"}
    )
    assert saved.status_code == 303, saved.text
    with unit_of_work(get_engine()) as session:
        entry = list(
            audit_service.history(session=session, table_name="seeking_profile", record_id=profile_id)
        )[-1]
    assert entry.action == "update" and set(entry.after) - {"version", "updated_at"} == {"purpose"}

    form = read_form(client.get(f"/staff/seeking_profile/{profile_id}/edit").text)
    refused = client.post(
        f"/staff/seeking_profile/{profile_id}/edit", data={**form.values, "hoped_countries": "ナルニア"}
    )
    assert refused.status_code == 422 and "ナルニア" in refused.text

    stranger, _ = cookie_client(build_app(), make_user(Role.editor, ("高崎市",)))
    other = read_form(stranger.get(f"/staff/seeking_profile/{profile_id}/edit").text)
    denied = stranger.post(f"/staff/seeking_profile/{profile_id}/edit", data={**other.values, "purpose": "x"})
    assert denied.status_code == 403
