"""Shared helpers for the staff tests: a private database per backend selected through the environment, users,
an app with the staff routes installed, and records owned by 武蔵野市 made through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import SESSION_BACKENDS, Databases, release_database, select_database
from tsunagari.access.roles import Role
from tsunagari.auth import service as auth_service
from tsunagari.auth.schemas import UserCreate
from tsunagari.db import get_engine
from tsunagari.exchange import activity_service, programme_service
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.schemas import ContactCreate, OrganisationCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PartnershipType
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.policy import service as policy_service
from tsunagari.session import unit_of_work
from tsunagari.web.app import create_app
from tsunagari.web.errors import install_error_handlers
from tsunagari.web.security import SESSION_COOKIE, encode_session, new_session, signed_in_session
from tsunagari.web.staff_pages import install_staff

PASSWORD = "correct horse battery staple"
OWN = "武蔵野市"
OTHER = "村山市"
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}-{dt.datetime.now().strftime('%H%M%S%f')}"


@pytest.fixture(params=SESSION_BACKENDS)
def staff_database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private copy of the demo database for web tests, selected through TSUNAGARI_DATABASE_URL: on
    both backends in the sqlite pass, on PostgreSQL in the postgresql pass (like `session`)."""
    name = "sqlite_databases" if request.param == "sqlite" else "postgres_databases"
    databases: Databases = request.getfixturevalue(name)
    url = databases.copy(demo=True)
    select_database(monkeypatch, url)
    try:
        yield url
    finally:
        release_database()
        databases.discard(url)


def build_app() -> FastAPI:
    app = create_app()
    if not getattr(app.state, "error_handlers_installed", False):
        install_error_handlers(app)
    if not getattr(app.state, "staff_installed", False):
        install_staff(app)
    return app


def municipality_id(session: Session, name: str) -> int:
    found = [m for m in municipality_service.find_by_name(session=session, name=name) if m.country == "JP"]
    return found[0].id


@dataclass
class StaffUser:
    id: int
    email: str
    role: str
    token: str


def make_user(role: Role, municipalities: tuple[str, ...] = (), password: str | None = PASSWORD) -> StaffUser:
    with unit_of_work(get_engine()) as session:
        user = auth_service.create_user(
            session=session,
            data=UserCreate(
                email=f"{unique(role.value)}@example.jp",
                role=role,
                municipality_ids=[municipality_id(session, name) for name in municipalities],
                password=password,
            ),
        )
        token = auth_service.issue_token(session=session, user=user)
        return StaffUser(user.id, user.email, user.role, token)


def session_cookie(user: StaffUser | None) -> tuple[str, str]:
    """A signed session cookie (value, csrf token) as the login page would set it."""
    if user is None:
        fresh = new_session()
    else:
        with unit_of_work(get_engine()) as session:
            fresh = signed_in_session(session, auth_service.get(session=session, user_id=user.id))
    return encode_session(fresh), fresh.csrf_token


def cookie_client(app: FastAPI, user: StaffUser | None) -> tuple[TestClient, str]:
    client = TestClient(app, follow_redirects=False)
    value, csrf = session_cookie(user)
    client.cookies.set(SESSION_COOKIE, value)
    return client, csrf


def bearer(user: StaffUser) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}


# ----------------------------------------------------------------------------- records owned by 武蔵野市
def new_foreign_municipality(session: Session) -> int:
    return municipality_service.create(
        session=session,
        data=MunicipalityCreate(name=unique("テスト市"), name_en=unique("Testville"), country="US"),
    ).id


def new_partnership(session: Session) -> int:
    return partnership_service.create(
        session=session,
        data=PartnershipCreate(
            home_municipality_id=municipality_id(session, OWN),
            partner_municipality_id=new_foreign_municipality(session),
            type=PartnershipType.sister_city,
        ),
    ).id


def new_organisation(session: Session) -> int:
    return organisation_service.create(
        session=session,
        data=OrganisationCreate(name=unique("交流協会"), municipality_id=municipality_id(session, OWN)),
    ).id


def new_contact(session: Session) -> int:
    return organisation_service.add_contact(
        session=session,
        data=ContactCreate(person_name=unique("山田"), municipality_id=municipality_id(session, OWN)),
    ).id


def new_programme(session: Session, owner: str = OWN) -> int:
    return programme_service.create_programme(
        session=session,
        data={
            "title": unique("交流事業"),
            "format": "people",
            "owners": [{"municipality_id": municipality_id(session, owner)}],
        },
    ).id


def new_activity(session: Session) -> int:
    return activity_service.record_activity(
        session=session, data={"programme_id": new_programme(session), "title": unique("訪問")}
    ).id


def new_visit(session: Session, **values: Any) -> int:
    data = {
        "programme_id": new_programme(session),
        "title": unique("公式訪問"),
        "municipality_id": municipality_id(session, OWN),
        **values,
    }
    return policy_service.create_visit(session=session, data=data).activity_id
