"""The login limit holds across app processes on one database: wrong passwords sent to two instances
(this process and a uvicorn subprocess) add up, and the sixth is refused by either without being checked."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.app_server import running_app
from tests.staff_support import PASSWORD, build_app, make_user, staff_database  # noqa: F401 - fixture
from tsunagari.access.roles import Role
from tsunagari.auth import service as auth_service
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD


@pytest.fixture
def second_instance(staff_database: str) -> Iterator[str]:  # noqa: F811
    """Another app process (uvicorn) on the same database; stopped by its pid after the test."""
    with running_app(staff_database, what="the second app instance") as base:
        yield base


def _csrf(html: str) -> str:
    return html.split(f'name="{CSRF_FIELD}" value="', 1)[1].split('"', 1)[0]


def _login(client: TestClient | httpx.Client, email: str, password: str) -> int:
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login", data={"email": email, "password": password, CSRF_FIELD: _csrf(page.text)}
    )
    return response.status_code


def test_two_app_instances_share_the_login_limit(
    staff_database: str,  # noqa: F811
    second_instance: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = make_user(Role.viewer)
    # Both from this machine, as the subprocess sees them: the limit counts per login and source.
    here = TestClient(build_app(), follow_redirects=False, client=("127.0.0.1", 50000))
    with httpx.Client(base_url=second_instance, follow_redirects=False, timeout=30) as there:
        # Five wrong passwords, split between the two instances.
        for client in (here, there, here, there, here):
            assert _login(client, user.email, "not the password!") == 401

        calls: list[str] = []
        real = auth_service.hasher

        class SpyHasher:
            def verify(self, hash_: str, password: str) -> bool:
                calls.append(password)
                return real.verify(hash_, password)

            def check_needs_rehash(self, hash_: str) -> bool:
                return real.check_needs_rehash(hash_)

        monkeypatch.setattr(auth_service, "hasher", SpyHasher())
        # Even the right password is refused, by either instance, and this one never looks at it.
        assert _login(here, user.email, PASSWORD) == 429
        assert calls == []
        assert _login(there, user.email, PASSWORD) == 429
        refused = there.get("/staff")
        assert refused.status_code == 303  # not logged in
    with unit_of_work() as session:
        auth_service.limiter.reset(user.email, session=session, ip="127.0.0.1")
    assert _login(here, user.email, PASSWORD) == 303
