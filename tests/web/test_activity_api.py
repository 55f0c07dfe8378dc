"""The activity write API refuses impossible records with 422 naming the field (issue 5)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.staff_support import (
    bearer,
    build_app,
    make_user,
    new_programme,
    staff_database,  # noqa: F401 - fixture
)
from tsunagari.access.roles import Role
from tsunagari.db import get_engine
from tsunagari.session import unit_of_work


def _programme() -> int:
    with unit_of_work(get_engine()) as session:
        return new_programme(session)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_on": "2010-08-10", "end_on": "2010-08-01"}, "end_on"),
        ({"participants": {"students": -3}}, "participants"),
        ({"public_cost": -1}, "public_cost"),
        ({"private_cost": -500}, "private_cost"),
    ],
)
def test_impossible_activities_are_refused_naming_the_field(
    staff_database: str,  # noqa: F811
    changes: dict[str, Any],
    field: str,
) -> None:
    client = TestClient(build_app())
    admin = make_user(Role.admin)
    body = {"programme_id": _programme(), "title": "市民交流団派遣", **changes}
    response = client.post("/api/v1/activities", json=body, headers=bearer(admin))
    assert response.status_code == 422, response.text
    fields = [problem["field"] or "" for problem in response.json()["error"]["problems"]]
    assert any(field in f for f in fields), fields


def test_an_unknown_programme_is_refused_naming_the_field(staff_database: str) -> None:  # noqa: F811
    client = TestClient(build_app())
    admin = make_user(Role.admin)
    response = client.post(
        "/api/v1/activities", json={"programme_id": 987654, "title": "訪問"}, headers=bearer(admin)
    )
    assert response.status_code == 422, response.text
    problems = response.json()["error"]["problems"]
    assert [(p["field"], p["value"]) for p in problems] == [("programme_id", 987654)]


def test_moving_an_activity_to_an_unknown_programme_is_refused(staff_database: str) -> None:  # noqa: F811
    client = TestClient(build_app())
    admin = make_user(Role.admin)
    created = client.post(
        "/api/v1/activities", json={"programme_id": _programme(), "title": "訪問"}, headers=bearer(admin)
    ).json()
    response = client.patch(
        f"/api/v1/activities/{created['id']}",
        json={"programme_id": 987654, "version": created["version"]},
        headers=bearer(admin),
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["problems"][0]["field"] == "programme_id"
    kept = client.get(f"/api/v1/staff/activities/{created['id']}", headers=bearer(admin)).json()
    assert kept["programme_id"] == created["programme_id"]


def test_a_valid_activity_is_created(staff_database: str) -> None:  # noqa: F811
    client = TestClient(build_app())
    admin = make_user(Role.admin)
    body = {
        "programme_id": _programme(),
        "title": "青少年派遣",
        "start_on": "2010-08-01",
        "end_on": "2010-08-10",
        "participants": {"students": 12},
        "public_cost": 1200000,
    }
    response = client.post("/api/v1/activities", json=body, headers=bearer(admin))
    assert response.status_code in (200, 201), response.text
