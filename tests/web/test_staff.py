"""Staff pages and the write API: login, cookies, CSRF, audit attribution, concurrency, contacts."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.staff_support import (
    OWN,
    PASSWORD,
    bearer,
    build_app,
    cookie_client,
    make_user,
    municipality_id,
    new_contact,
    staff_database,  # noqa: F401 - fixture
    unique,
)
from tsunagari.access.roles import Role
from tsunagari.audit.models import AuditEntry
from tsunagari.auth import service as auth_service
from tsunagari.db import get_engine
from tsunagari.municipality import service as municipality_service
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD, SESSION_COOKIE


def _csrf_from(html: str) -> str:
    marker = f'name="{CSRF_FIELD}" value="'
    return html.split(marker, 1)[1].split('"', 1)[0]


def _login(client: TestClient, email: str, password: str = PASSWORD, **headers: str) -> Any:
    page = client.get("/staff/login", headers=headers)
    return client.post(
        "/staff/login",
        data={"email": email, "password": password, CSRF_FIELD: _csrf_from(page.text)},
        headers=headers,
    )


def _own_id() -> int:
    with unit_of_work(get_engine()) as session:
        return municipality_id(session, OWN)


def _population_and_version(record_id: int) -> tuple[int, int]:
    with unit_of_work(get_engine()) as session:
        m = municipality_service.get(session=session, municipality_id=record_id)
        return m.population or 0, m.version


# ----------------------------------------------------------------------------- login and cookies
def test_login_sets_a_hardened_cookie_and_logout_ends_it(staff_database: str) -> None:  # noqa: F811
    user = make_user(Role.viewer)
    client = TestClient(build_app(), follow_redirects=False)
    response = _login(client, user.email)
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    cookie = response.headers["set-cookie"]
    assert (
        SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    )
    assert "Secure" not in cookie
    assert client.get("/staff").status_code == 200
    home = client.get("/staff")
    client.post("/staff/logout", data={CSRF_FIELD: _csrf_from(home.text)})
    assert client.get("/staff").status_code == 303


def test_logout_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(
    staff_database: str,  # noqa: F811
) -> None:
    user = make_user(Role.viewer)
    client = TestClient(build_app(), follow_redirects=False)
    _login(client, user.email)
    copied = client.cookies.get(SESSION_COOKIE)
    assert copied
    thief = TestClient(build_app(), follow_redirects=False)
    thief.cookies.set(SESSION_COOKIE, copied)
    assert thief.get("/staff").status_code == 200
    home = client.get("/staff")
    client.post("/staff/logout", data={CSRF_FIELD: _csrf_from(home.text)})
    # The cookie is still signed and unexpired, but the sign-in it names has ended.
    assert thief.get("/staff").status_code == 303
    assert thief.get("/staff", headers={"accept": "text/html"}).headers["location"].startswith("/staff/login")


def test_a_password_change_signs_out_every_other_browser_but_not_this_one(
    staff_database: str,  # noqa: F811
) -> None:
    user = make_user(Role.viewer)
    office, home_pc = (TestClient(build_app(), follow_redirects=False) for _ in range(2))
    _login(office, user.email)
    _login(home_pc, user.email)
    form = office.get("/staff/password")
    changed = office.post(
        "/staff/password",
        data={
            "current_password": PASSWORD,
            "new_password": PASSWORD + " renewed",
            CSRF_FIELD: _csrf_from(form.text),
        },
    )
    assert changed.status_code == 200, changed.text
    assert office.get("/staff").status_code == 200
    assert home_pc.get("/staff").status_code == 303


def test_cookie_is_secure_behind_https(staff_database: str) -> None:  # noqa: F811
    user = make_user(Role.viewer)
    proxied = TestClient(build_app(), follow_redirects=False)
    page = proxied.get("/staff/login", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in page.headers["set-cookie"] and "HttpOnly" in page.headers["set-cookie"]
    https = TestClient(build_app(), base_url="https://testserver", follow_redirects=False)
    response = _login(https, user.email)
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"] and "HttpOnly" in response.headers["set-cookie"]


def test_sixth_wrong_password_is_refused_without_checking_it(
    staff_database: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = make_user(Role.viewer)
    client = TestClient(build_app(), follow_redirects=False)
    for _ in range(5):
        assert _login(client, user.email, "wrong password!!").status_code == 401
    calls: list[str] = []
    real = auth_service.hasher

    class SpyHasher:
        def verify(self, hash_: str, password: str) -> bool:
            calls.append(password)
            return real.verify(hash_, password)

        def check_needs_rehash(self, hash_: str) -> bool:
            return real.check_needs_rehash(hash_)

    monkeypatch.setattr(auth_service, "hasher", SpyHasher())
    sixth = _login(client, user.email, PASSWORD)  # even the right password is not looked at
    assert sixth.status_code == 429
    assert "試行が多すぎます" in sixth.text
    assert calls == []


# ----------------------------------------------------------------------------- CSRF
def test_form_post_without_csrf_token_is_rejected(staff_database: str) -> None:  # noqa: F811
    editor = make_user(Role.editor, (OWN,))
    client, csrf = cookie_client(build_app(), editor)
    record_id = _own_id()
    _, version = _population_and_version(record_id)
    path = f"/staff/municipality/{record_id}/edit"
    missing = client.post(path, data={"version": str(version), "overview_en": "csrf"})
    assert missing.status_code == 403
    wrong = client.post(path, data={"version": str(version), "overview_en": "csrf", CSRF_FIELD: "x" * 43})
    assert wrong.status_code == 403
    assert _population_and_version(record_id)[1] == version
    ok = client.post(path, data={"version": str(version), "overview_en": "csrf", CSRF_FIELD: csrf})
    assert ok.status_code == 303


def test_cross_site_post_is_rejected_even_with_the_token(staff_database: str) -> None:  # noqa: F811
    editor = make_user(Role.editor, (OWN,))
    client, csrf = cookie_client(build_app(), editor)
    record_id = _own_id()
    _, version = _population_and_version(record_id)
    data = {"version": str(version), "overview_en": "cross", CSRF_FIELD: csrf}
    path = f"/staff/municipality/{record_id}/edit"
    assert client.post(path, data=data, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post(path, data=data, headers={"Referer": "https://evil.example/x"}).status_code == 403
    # The JSON API with a session cookie is held to the same rules.
    api = client.patch(f"/api/v1/municipalities/{record_id}", json={"version": version, "overview_en": "x"})
    assert api.status_code == 403 and api.json()["error"]["code"] == "csrf_failed"
    assert client.post(path, data=data, headers={"Origin": "http://testserver"}).status_code == 303


def test_bearer_tokens_skip_csrf_and_bad_tokens_are_refused(staff_database: str) -> None:  # noqa: F811
    editor = make_user(Role.editor, (OWN,))
    client = TestClient(build_app())
    record_id = _own_id()
    _, version = _population_and_version(record_id)
    response = client.patch(
        f"/api/v1/municipalities/{record_id}",
        json={"version": version, "overview_en": "token"},
        headers=bearer(editor),
    )
    assert response.status_code == 200, response.text
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer tsg_not-a-token"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"


# ----------------------------------------------------------------------------- audit
def _entries_for(table: str, record_id: int | str) -> list[AuditEntry]:
    with unit_of_work(get_engine()) as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.table_name == table, AuditEntry.record_id == str(record_id))
                .order_by(AuditEntry.id)  # PostgreSQL returns rows in no particular order otherwise
            )
        )


WRITES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    # (kind, table, create body, update changes)
    ("municipalities", "municipality", {"name": "監査テスト市", "country": "US"}, {"overview_en": "after"}),
    ("organisations", "organisation", {"name": "監査協会"}, {"name_en": "Audit Association"}),
    ("contacts", "contact", {"person_name": "監査 太郎"}, {"role": "係長"}),
    ("programmes", "programme", {"title": "監査事業", "format": "people"}, {"description": "after"}),
]


@pytest.mark.parametrize(("kind", "table", "body", "changes"), WRITES)
def test_every_api_write_writes_one_attributed_audit_entry(
    staff_database: str,  # noqa: F811
    kind: str,
    table: str,
    body: dict[str, Any],
    changes: dict[str, Any],
) -> None:
    # Municipality records an editor adds are foreign ones outside its scope: an admin edits those.
    editor = make_user(Role.admin) if kind == "municipalities" else make_user(Role.editor, (OWN,))
    own = _own_id()
    body = dict(body)
    for key in ("name", "person_name", "title"):
        if key in body:
            body[key] = unique(body[key])
    if kind in ("organisations", "contacts"):
        body["municipality_id"] = own
    if kind == "programmes":
        body["owners"] = [{"municipality_id": own}]
    client = TestClient(build_app())
    created = client.post(f"/api/v1/{kind}", json=body, headers=bearer(editor))
    assert created.status_code == 201, created.text
    record = created.json()
    [create] = _entries_for(table, record["id"])
    assert (create.action, create.actor_name, create.actor_id, create.via) == (
        "create",
        editor.email,
        editor.id,
        "api",
    )
    assert create.before is None and create.after is not None
    first = next(iter(changes))
    assert create.after[first] == record[first]

    updated = client.patch(
        f"/api/v1/{kind}/{record['id']}",
        json={**changes, "version": record["version"]},
        headers=bearer(editor),
    )
    assert updated.status_code == 200, updated.text
    entries = _entries_for(table, record["id"])
    assert [e.action for e in entries] == ["create", "update"]
    update = entries[1]
    assert update.actor_name == editor.email and update.actor_id == editor.id
    assert update.before == {first: record[first]} and update.after == {first: changes[first]}

    deleted = client.delete(f"/api/v1/{kind}/{record['id']}", headers={**bearer(editor), "If-Match": '"2"'})
    assert deleted.status_code == 204, deleted.text
    entries = _entries_for(table, record["id"])
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert (
        entries[2].before is not None
        and entries[2].before[first] == changes[first]
        and entries[2].after is None
    )
    assert entries[2].actor_name == editor.email


def test_form_write_is_attributed_to_the_logged_in_user(staff_database: str) -> None:  # noqa: F811
    editor = make_user(Role.editor, (OWN,))
    client, csrf = cookie_client(build_app(), editor)
    record_id = _own_id()
    _, version = _population_and_version(record_id)
    before = len(_entries_for("municipality", record_id))
    text_value = unique("概要")
    response = client.post(
        f"/staff/municipality/{record_id}/edit",
        data={"version": str(version), "overview_ja": text_value, CSRF_FIELD: csrf},
    )
    assert response.status_code == 303, response.text
    entries = _entries_for("municipality", record_id)
    assert len(entries) == before + 1
    assert (entries[-1].actor_name, entries[-1].via, entries[-1].after) == (
        editor.email,
        "web",
        {"overview_ja": text_value},
    )
    history = client.get(f"/staff/history/municipality/{record_id}")
    assert history.status_code == 200 and text_value in history.text
    log = client.get("/staff/audit", params={"user": editor.email})
    assert text_value in log.text


def test_the_database_refuses_to_alter_audit_entries(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        entry_id = session.scalar(select(AuditEntry.id).limit(1))
    assert entry_id is not None
    for statement in (
        "UPDATE audit_entry SET actor_name = 'x' WHERE id = :id",
        "DELETE FROM audit_entry WHERE id = :id",
    ):
        with pytest.raises(DBAPIError), unit_of_work(get_engine()) as session:
            session.execute(text(statement), {"id": entry_id})


# ----------------------------------------------------------------------------- concurrency
def test_two_clients_from_the_same_version_one_gets_409(staff_database: str) -> None:  # noqa: F811
    editor = make_user(Role.editor, (OWN,))
    record_id = _own_id()
    population, version = _population_and_version(record_id)
    first, second = TestClient(build_app()), TestClient(build_app())
    url = f"/api/v1/municipalities/{record_id}"
    a = first.patch(
        url, json={"population": population + 1}, headers={**bearer(editor), "If-Match": f'"{version}"'}
    )
    b = second.patch(url, json={"population": population + 5, "version": version}, headers=bearer(editor))
    assert a.status_code == 200, a.text
    assert b.status_code == 409 and b.json()["error"]["code"] == "conflict"
    assert _population_and_version(record_id)[0] == population + 1
    no_version = second.patch(url, json={"population": 1}, headers=bearer(editor))
    assert no_version.status_code == 422


def test_conflict_screen_shows_both_versions(staff_database: str) -> None:  # noqa: F811
    editor = make_user(Role.editor, (OWN,))
    client, csrf = cookie_client(build_app(), editor)
    record_id = _own_id()
    _, version = _population_and_version(record_id)
    path = f"/staff/municipality/{record_id}/edit"
    theirs, mine = unique("先に保存"), unique("後から保存")
    assert (
        client.post(path, data={"version": str(version), "overview_ja": theirs, CSRF_FIELD: csrf}).status_code
        == 303
    )
    stale = client.post(path, data={"version": str(version), "overview_ja": mine, CSRF_FIELD: csrf})
    assert stale.status_code == 409
    assert theirs in stale.text and mine in stale.text and "上書きはしていません" in stale.text


@pytest.mark.postgres
def test_concurrent_updates_lose_nothing(staff_database: str) -> None:  # noqa: F811
    editor = make_user(Role.editor, (OWN,))
    record_id = _own_id()
    start, _ = _population_and_version(record_id)
    app = build_app()
    url = f"/api/v1/municipalities/{record_id}"
    per_client = 200
    errors: list[str] = []
    conflicts = [0, 0]

    def work(index: int) -> None:
        with TestClient(app) as client:
            done = 0
            while done < per_client:
                current = client.get(
                    f"/api/v1/staff/municipalities/{record_id}", headers=bearer(editor)
                ).json()
                response = client.patch(
                    url,
                    json={"population": (current["population"] or 0) + 1, "version": current["version"]},
                    headers=bearer(editor),
                )
                if response.status_code == 200:
                    done += 1
                elif response.status_code == 409:
                    conflicts[index] += 1
                else:
                    errors.append(f"{response.status_code} {response.text[:200]}")
                    return

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    assert _population_and_version(record_id)[0] == start + 2 * per_client


# ----------------------------------------------------------------------------- contacts are personal data
def test_contacts_are_for_staff_only(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        contact_id = new_contact(session)
    client = TestClient(build_app())
    assert client.get("/api/v1/contacts").status_code == 401
    assert client.get(f"/api/v1/contacts/{contact_id}").status_code == 401
    for role in (Role.viewer, Role.reviewer, Role.editor, Role.admin):
        user = make_user(role, (OWN,) if role == Role.editor else ())
        listing = client.get("/api/v1/contacts", headers=bearer(user))
        assert listing.status_code == 200 and contact_id in {c["id"] for c in listing.json()}
        assert client.get(f"/api/v1/contacts/{contact_id}", headers=bearer(user)).status_code == 200
    # The public API and pages have no way to reach them.
    public = client.get(f"/api/v1/municipalities/{_own_id()}").text
    with unit_of_work(get_engine()) as session:
        from tsunagari.organisation.models import Contact

        contact = session.get(Contact, contact_id)
        assert contact is not None
        assert contact.person_name not in public
