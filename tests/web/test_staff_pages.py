"""Staff pages for accounts, tokens, policy rules, the review list, evaluations and inline editing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.staff_support import (
    OTHER,
    OWN,
    PASSWORD,
    StaffUser,
    bearer,
    build_app,
    cookie_client,
    make_user,
    municipality_id,
    new_contact,
    new_partnership,
    staff_database,  # noqa: F401 - fixture
    unique,
)
from tsunagari.access.roles import Role
from tsunagari.audit import service as audit_service
from tsunagari.audit.models import AuditEntry
from tsunagari.auth import service as auth_service
from tsunagari.db import get_engine
from tsunagari.names import service as names_service
from tsunagari.organisation.models import Contact
from tsunagari.partnership import service as partnership_service
from tsunagari.policy import service as policy_service
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD

HX = {"HX-Request": "true"}


def _id_of(name: str) -> int:
    with unit_of_work(get_engine()) as session:
        return municipality_id(session, name)


def _made(maker: Any) -> int:
    with unit_of_work(get_engine()) as session:
        return int(maker(session))


def _entries(table: str, record_id: int | str) -> list[AuditEntry]:
    with unit_of_work(get_engine()) as session:
        return list(audit_service.history(session=session, table_name=table, record_id=record_id))


def _client(user: StaffUser) -> tuple[TestClient, str]:
    return cookie_client(build_app(), user)


# ----------------------------------------------------------------------------- users
def test_an_admin_adds_edits_and_disables_accounts(staff_database: str) -> None:  # noqa: F811
    admin = make_user(Role.admin)
    client, csrf = _client(admin)
    listing = client.get("/staff/users")
    assert listing.status_code == 200 and admin.email in listing.text and "職員アカウント" in listing.text

    email = f"{unique('new')}@example.jp"
    created = client.post(
        "/staff/users/new",
        data={
            "email": email,
            "display_name": "新人 職員",
            "role": "editor",
            "municipalities": OWN,
            "password": PASSWORD,
            CSRF_FIELD: csrf,
        },
    )
    assert created.status_code == 303, created.text
    with unit_of_work(get_engine()) as session:
        user = auth_service.require_by_email(session=session, email=email)
        user_id, version = user.id, user.version
        assert auth_service.municipality_ids(user) == {municipality_id(session, OWN)}
    [create] = [e for e in _entries("staff_user", user_id) if e.action == "create"]
    assert create.actor_name == admin.email and create.after is not None
    assert create.after["password_hash"] == audit_service.REDACTED

    edit = client.get(f"/staff/users/{user_id}/edit")
    assert edit.status_code == 200 and f'name="version" value="{version}"' in edit.text
    form = {
        "display_name": "新人",
        "role": "viewer",
        "municipalities": "",
        "version": str(version),
        CSRF_FIELD: csrf,
    }
    assert client.post(f"/staff/users/{user_id}/edit", data=form).status_code == 303
    stale = client.post(f"/staff/users/{user_id}/edit", data={**form, "role": "reviewer"})
    assert stale.status_code == 409 and "上書きはしていません" in stale.text and "reviewer" in stale.text

    token_owner = make_user(Role.viewer)
    disabled = client.post(f"/staff/users/{token_owner.id}/disable", data={CSRF_FIELD: csrf})
    assert disabled.status_code == 303
    assert TestClient(build_app()).get("/api/v1/me", headers=bearer(token_owner)).status_code == 401
    again = client.post(f"/staff/users/{token_owner.id}/disable", data={CSRF_FIELD: csrf})
    assert again.status_code == 409 and "既に無効" in again.text


def test_account_form_errors_name_the_field_and_value(staff_database: str) -> None:  # noqa: F811
    admin = make_user(Role.admin)
    client, csrf = _client(admin)
    no_scope = client.post(
        "/staff/users/new",
        data={
            "email": f"{unique('ed')}@example.jp",
            "role": "editor",
            "municipalities": "",
            CSRF_FIELD: csrf,
        },
    )
    assert no_scope.status_code == 422 and "at least one municipality" in no_scope.text
    ambiguous = client.post(
        "/staff/users/new",
        data={
            "email": f"{unique('ed')}@example.jp",
            "role": "editor",
            "municipalities": "府中市",
            CSRF_FIELD: csrf,
        },
    )
    assert ambiguous.status_code == 422 and "府中市" in ambiguous.text and "IDで指定" in ambiguous.text


def test_only_admins_manage_accounts(staff_database: str) -> None:  # noqa: F811
    editor = make_user(Role.editor, (OWN,))
    client, csrf = _client(editor)
    assert client.get("/staff/users").status_code == 403
    refused = client.post(
        "/staff/users/new", data={"email": f"{unique('x')}@example.jp", "role": "admin", CSRF_FIELD: csrf}
    )
    assert refused.status_code == 403


def test_an_admin_cannot_disable_their_own_account(staff_database: str) -> None:  # noqa: F811
    admin = make_user(Role.admin)
    client, csrf = _client(admin)
    assert client.post(f"/staff/users/{admin.id}/disable", data={CSRF_FIELD: csrf}).status_code == 403


# ----------------------------------------------------------------------------- tokens and passwords
def test_tokens_are_shown_once_work_and_can_be_revoked(staff_database: str) -> None:  # noqa: F811
    viewer = make_user(Role.viewer)
    client, csrf = _client(viewer)
    issued = client.post("/staff/tokens/new", data={"label": "集計スクリプト", CSRF_FIELD: csrf})
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    token = issued.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert token.startswith("tsg_")
    api = TestClient(build_app())
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["email"] == viewer.email
    listing = client.get("/staff/tokens")
    assert token not in listing.text and token[:12] in listing.text and "集計スクリプト" in listing.text

    with unit_of_work(get_engine()) as session:
        owner = auth_service.get(session=session, user_id=viewer.id)
        token_id = next(t.id for t in auth_service.tokens_of(session=session, user=owner) if t.label)
    [created] = _entries("api_token", token_id)
    assert created.actor_name == viewer.email and token not in str(created.after)

    stranger = make_user(Role.admin)
    other_client, other_csrf = _client(stranger)
    assert (
        other_client.post(f"/staff/tokens/{token_id}/revoke", data={CSRF_FIELD: other_csrf}).status_code
        == 404
    )
    revoked = client.post(f"/staff/tokens/{token_id}/revoke", data={CSRF_FIELD: csrf})
    assert revoked.status_code == 303
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert [e.action for e in _entries("api_token", token_id)] == ["create", "update"]


def test_a_password_change_on_the_page_is_one_audit_entry(staff_database: str) -> None:  # noqa: F811
    viewer = make_user(Role.viewer)
    client, csrf = _client(viewer)
    before = len(_entries("staff_user", viewer.id))
    changed = client.post(
        "/staff/password",
        data={"current_password": PASSWORD, "new_password": "a brand new passphrase", CSRF_FIELD: csrf},
    )
    assert changed.status_code == 200 and "パスワードを変更しました" in changed.text
    entries = _entries("staff_user", viewer.id)
    assert len(entries) == before + 1
    assert (entries[-1].actor_name, entries[-1].via) == (viewer.email, "web")
    assert entries[-1].before == {"password_hash": audit_service.REDACTED}
    assert entries[-1].after == {"password_hash": audit_service.REDACTED}


# ----------------------------------------------------------------------------- policy rules
def test_an_editor_edits_their_municipalitys_visit_rules(staff_database: str) -> None:  # noqa: F811
    editor = make_user(Role.editor, (OWN,))
    client, csrf = _client(editor)
    own = _id_of(OWN)
    with unit_of_work(get_engine()) as session:
        rules = policy_service.rules_for(session=session, municipality_id=own)
        version = rules.version if rules.id is not None else 0
    page = client.get(f"/staff/policy/rules/{own}")
    assert page.status_code == 200 and "報告を公表するまでの日数" in page.text
    form = {
        "report_deadline_days": "14",
        "public_money_only_official_to_sister_friendship": "on",
        "require_purpose_before_visit": "on",
        "version": str(version),
        CSRF_FIELD: csrf,
    }
    assert client.post(f"/staff/policy/rules/{own}", data=form).status_code == 303
    with unit_of_work(get_engine()) as session:
        stored = policy_service.rules_for(session=session, municipality_id=own)
        assert stored.report_deadline_days == 14 and stored.require_citizen_consultation is False
        rules_id = stored.id
    assert _entries("policy_rules", rules_id)[-1].actor_name == editor.email

    stale = client.post(f"/staff/policy/rules/{own}", data={**form, "report_deadline_days": "60"})
    assert stale.status_code == 409 and "60" in stale.text and "14" in stale.text
    bad = client.post(
        f"/staff/policy/rules/{own}",
        data={**form, "report_deadline_days": "abc", "version": str(version + 1 if version else 1)},
    )
    assert bad.status_code == 422 and "report_deadline_days" in bad.text and "abc" in bad.text
    index = client.get("/staff/policy/rules")
    assert index.status_code == 200 and OWN in index.text

    other = _id_of(OTHER)
    assert client.post(f"/staff/policy/rules/{other}", data={**form, "version": "0"}).status_code == 403
    assert "権限がありません" in client.get(f"/staff/policy/rules/{other}").text


# ----------------------------------------------------------------------------- review list
def _ambiguous_review_item() -> tuple[int, list[dict[str, Any]]]:
    with unit_of_work(get_engine()) as session:
        resolution = names_service.resolve(session=session, text="府中市", country="JP")
        assert resolution.status == "ambiguous" and len(resolution.alternatives) >= 2
        item = names_service.send_to_review(
            session=session, resolution=resolution, source=unique("test import")
        )
        return item.id, item.candidates


def test_a_reviewer_resolves_an_ambiguous_name_from_the_list(staff_database: str) -> None:  # noqa: F811
    item_id, candidates = _ambiguous_review_item()
    reviewer = make_user(Role.reviewer)
    client, csrf = _client(reviewer)
    page = client.get("/staff/review")
    assert page.status_code == 200 and f"#{item_id}" in page.text and "府中市" in page.text
    chosen = next(c for c in candidates if c["source"] == "registry")
    assert chosen["region"] in page.text
    empty = client.post(f"/staff/review/{item_id}/resolve", data={CSRF_FIELD: csrf})
    assert empty.status_code == 422 and "候補を選んでください" in empty.text
    preview = client.post(
        f"/staff/review/{item_id}/resolve", data={"target": str(chosen["id"]), CSRF_FIELD: csrf}
    )
    assert (
        preview.status_code == 200 and 'name="confirm" value="yes"' in preview.text
    )  # the diff screen first
    fingerprint = preview.text.split('name="fingerprint" value="', 1)[1].split('"', 1)[0]
    done = client.post(
        f"/staff/review/{item_id}/resolve",
        data={"target": str(chosen["id"]), "confirm": "yes", "fingerprint": fingerprint, CSRF_FIELD: csrf},
    )
    assert done.status_code == 303 and done.headers["location"] == f"/staff/review?resolved={item_id}"
    with unit_of_work(get_engine()) as session:
        open_ids = {i.id for i in names_service.open_reviews(session=session)}
    assert item_id not in open_ids
    assert f'id="review-{item_id}"' not in client.get("/staff/review").text


def test_viewers_see_the_review_list_but_cannot_resolve(staff_database: str) -> None:  # noqa: F811
    item_id, candidates = _ambiguous_review_item()
    viewer = make_user(Role.viewer)
    client, csrf = _client(viewer)
    page = client.get("/staff/review")
    assert page.status_code == 200 and f"#{item_id}" in page.text and "この自治体で確定" not in page.text
    refused = client.post(
        f"/staff/review/{item_id}/resolve", data={"target": str(candidates[0]["id"]), CSRF_FIELD: csrf}
    )
    assert refused.status_code == 403


# ----------------------------------------------------------------------------- evaluations
def test_reviewers_score_a_partnership_and_the_scorecard_combines_them(staff_database: str) -> None:  # noqa: F811
    partnership_id = _made(new_partnership)
    first, second = make_user(Role.reviewer), make_user(Role.reviewer)
    url = f"/staff/evaluation/partnership/{partnership_id}"
    client, csrf = _client(first)
    page = client.get(url)
    assert page.status_code == 200
    for name in ("先進性", "独自性", "継続性", "活発性", "協働性", "成果"):
        assert name in page.text
    assert "休眠" in page.text and 'name="version" value="0"' in page.text
    saved = client.post(
        url,
        data={
            "score_continuity": "4",
            "comment_continuity": "毎年の相互派遣",
            "score_results": "2",
            "comment": "報告書が少ない",
            "version": "0",
            CSRF_FIELD: csrf,
        },
    )
    assert saved.status_code == 303
    other, other_csrf = _client(second)
    assert (
        other.post(url, data={"score_continuity": "5", "version": "0", CSRF_FIELD: other_csrf}).status_code
        == 303
    )
    card = client.get(url).text
    assert "4.5" in card and "毎年の相互派遣" in card and "報告書が少ない" in card
    assert 'id="overall">3.25<' in card

    stale = client.post(url, data={"score_continuity": "1", "version": "0", CSRF_FIELD: csrf})
    assert stale.status_code == 409 and "上書きはしていません" in stale.text
    bad = client.post(url, data={"score_continuity": "9", "version": "1", CSRF_FIELD: csrf})
    assert bad.status_code == 422 and "score" in bad.text

    editor = make_user(Role.editor, (OWN,))
    editor_client, editor_csrf = _client(editor)
    assert editor_client.get(url).status_code == 200  # staff may read the scorecard
    assert (
        editor_client.post(
            url, data={"score_results": "5", "version": "0", CSRF_FIELD: editor_csrf}
        ).status_code
        == 403
    )
    listing = client.get("/staff/evaluations")
    assert listing.status_code == 200 and f"partnership:{partnership_id}" in listing.text


# ----------------------------------------------------------------------------- inline editing
def _partnership_version(partnership_id: int) -> tuple[str, int]:
    with unit_of_work(get_engine()) as session:
        p = partnership_service.get(session=session, partnership_id=partnership_id)
        return p.status, p.version


def test_inline_status_edit_saves_in_place_and_a_stale_one_shows_both(staff_database: str) -> None:  # noqa: F811
    partnership_id = _made(new_partnership)
    editor = make_user(Role.editor, (OWN,))
    client, csrf = _client(editor)
    listing = client.get("/staff/partnerships", params={"municipality": OWN})
    assert listing.status_code == 200 and f'id="row-partnership-{partnership_id}"' in listing.text
    assert f'hx-get="/staff/partnership/{partnership_id}/inline/edit"' in listing.text

    _, version = _partnership_version(partnership_id)
    edit_row = client.get(f"/staff/partnership/{partnership_id}/inline/edit")
    assert edit_row.status_code == 200 and f'name="version" value="{version}"' in edit_row.text
    assert edit_row.text.lstrip().startswith("<tr") and "<html" not in edit_row.text
    before = len(_entries("partnership", partnership_id))
    url = f"/staff/partnership/{partnership_id}/inline"
    saved = client.post(
        url, data={"status": "suspended", "version": str(version), CSRF_FIELD: csrf}, headers=HX
    )
    assert saved.status_code == 200 and "保存しました" in saved.text and "休止中" in saved.text
    assert _partnership_version(partnership_id) == ("suspended", version + 1)
    entries = _entries("partnership", partnership_id)
    assert len(entries) == before + 1
    assert entries[-1].before == {"status": "active"} and entries[-1].after == {"status": "suspended"}

    stale = client.post(url, data={"status": "ended", "version": str(version), CSRF_FIELD: csrf}, headers=HX)
    assert stale.status_code == 409
    assert "上書きはしていません" in stale.text
    assert "Nothing was overwritten" not in stale.text  # one language at a time
    mine = stale.text.split('class="mine">', 1)[1].split("<", 1)[0]
    theirs = stale.text.split('class="theirs">', 1)[1].split("<", 1)[0]
    assert (mine, theirs) == ("解消", "休止中")
    assert _partnership_version(partnership_id) == ("suspended", version + 1)
    assert len(_entries("partnership", partnership_id)) == before + 1

    # Without JavaScript the same form posts and lands on the full form (or its conflict screen).
    plain = client.post(url, data={"status": "ended", "version": str(version + 1), CSRF_FIELD: csrf})
    assert plain.status_code == 303 and plain.headers["location"].endswith("/edit?saved=1")
    plain_stale = client.post(url, data={"status": "active", "version": str(version), CSRF_FIELD: csrf})
    assert plain_stale.status_code == 409 and "<html" in plain_stale.text


def test_inline_contact_edit_validates_and_needs_the_editor(staff_database: str) -> None:  # noqa: F811
    contact_id = _made(new_contact)
    editor = make_user(Role.editor, (OWN,))
    client, csrf = _client(editor)
    page = client.get("/staff/contacts", params={"municipality": OWN})
    assert page.status_code == 200 and f'id="row-contact-{contact_id}"' in page.text
    with unit_of_work(get_engine()) as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        version = contact.version
    url = f"/staff/contact/{contact_id}/inline"
    bad = client.post(
        url, data={"email": "not an address", "version": str(version), CSRF_FIELD: csrf}, headers=HX
    )
    assert (
        bad.status_code == 422 and "メール: 「not an address」" in bad.text and 'class="editing"' in bad.text
    )
    good = client.post(
        url,
        data={
            "email": "kouryu@example.jp",
            "phone": "0422-51-5131",
            "version": str(version),
            CSRF_FIELD: csrf,
        },
        headers=HX,
    )
    assert good.status_code == 200 and "kouryu@example.jp" in good.text
    [*_, entry] = _entries("contact", contact_id)
    assert entry.after == {"email": "kouryu@example.jp", "phone": "0422-51-5131"}

    viewer = make_user(Role.viewer)
    viewer_client, viewer_csrf = _client(viewer)
    listing = viewer_client.get("/staff/contacts", params={"municipality": OWN})
    assert listing.status_code == 200 and "kouryu@example.jp" in listing.text
    assert f'hx-get="/staff/contact/{contact_id}/inline/edit"' not in listing.text
    refused = viewer_client.post(
        url, data={"role": "x", "version": str(version + 1), CSRF_FIELD: viewer_csrf}, headers=HX
    )
    assert refused.status_code == 403
    assert TestClient(build_app(), follow_redirects=False).get("/staff/contacts").status_code == 303


def test_deleting_an_organisation_with_contacts_is_refused_on_the_page(staff_database: str) -> None:  # noqa: F811
    from tsunagari.organisation import service as organisation_service
    from tsunagari.organisation.schemas import ContactCreate, OrganisationCreate

    with unit_of_work(get_engine()) as session:
        organisation = organisation_service.create(
            session=session,
            data=OrganisationCreate(name=unique("交流協会"), municipality_id=municipality_id(session, OWN)),
        )
        organisation_service.add_contact(
            session=session, data=ContactCreate(person_name="佐藤", organisation_id=organisation.id)
        )
        organisation_id = organisation.id
    editor = make_user(Role.editor, (OWN,))
    client, csrf = _client(editor)
    with unit_of_work(get_engine()) as session:
        count = session.scalar(select(func.count()).select_from(AuditEntry))
    confirm = client.get(f"/staff/organisation/{organisation_id}/delete")
    assert confirm.status_code == 200 and "連絡先 1件" in confirm.text  # named before anything is tried
    refused = client.post(
        f"/staff/organisation/{organisation_id}/delete", data={CSRF_FIELD: csrf, "confirm": "yes"}
    )
    assert refused.status_code == 409 and "連絡先 1件" in refused.text and "1 contacts" not in refused.text
    in_english = client.post(
        f"/staff/organisation/{organisation_id}/delete?lang=en", data={CSRF_FIELD: csrf, "confirm": "yes"}
    )
    assert in_english.status_code == 409 and "1 contacts" in in_english.text
    assert "連絡先 1件" not in in_english.text
    with unit_of_work(get_engine()) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == count
    api = TestClient(build_app()).delete(f"/api/v1/organisations/{organisation_id}", headers=bearer(editor))
    assert api.status_code == 409 and api.json()["error"]["code"] == "conflict"
