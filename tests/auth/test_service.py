"""Accounts: argon2 passwords, the login limiter, API tokens, and a permission rule for every action."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tsunagari.auth import permissions
from tsunagari.auth import service as auth_service
from tsunagari.auth.models import Role
from tsunagari.auth.permissions import Target
from tsunagari.auth.schemas import Principal, UserCreate
from tsunagari.errors import PermissionDenied

PASSWORD = "a long enough password"


def _user(session: Session, email: str = "staff@example.jp", role: Role = Role.viewer) -> auth_service.User:
    return auth_service.create_user(
        session=session, data=UserCreate(email=email, role=role, password=PASSWORD)
    )


def test_passwords_are_argon2_hashed_and_never_audited(session: Session) -> None:
    from sqlalchemy import select

    from tsunagari.audit.models import AuditEntry

    user = _user(session)
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert (
        auth_service.authenticate(session=session, email="STAFF@example.jp", password=PASSWORD).id == user.id
    )
    entries = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "staff_user")).all()
    assert entries and all(
        "password_hash" not in (e.after or {}) or e.after["password_hash"] is None for e in entries
    )
    assert all("argon2" not in str(e.after) + str(e.before) for e in entries)


def test_sixth_wrong_password_within_a_minute_is_refused_unchecked(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _user(session)
    now = [1000.0]
    limiter = auth_service.LoginLimiter(clock=lambda: now[0])
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            auth_service.authenticate(
                session=session, email="staff@example.jp", password="wrong", login_limiter=limiter
            )
    called: list[str] = []
    monkeypatch.setattr(auth_service, "_verify", lambda h, p: called.append(p) or True)
    with pytest.raises(auth_service.TooManyAttempts):
        auth_service.authenticate(
            session=session, email="staff@example.jp", password=PASSWORD, login_limiter=limiter
        )
    assert called == []
    now[0] += 61  # a minute later the login is checked again
    assert (
        auth_service.authenticate(
            session=session, email="staff@example.jp", password=PASSWORD, login_limiter=limiter
        ).email
        == "staff@example.jp"
    )
    assert called == [PASSWORD]


def test_tokens_are_shown_once_stored_hashed_and_die_with_the_account(session: Session) -> None:
    user = _user(session)
    token = auth_service.issue_token(session=session, user=user)
    assert token.startswith("tsg_")
    [stored] = auth_service.tokens_of(session=session, user=user)
    assert stored.token_hash != token and token not in stored.token_hash
    assert auth_service.user_for_token(session=session, token=token) == user
    auth_service.disable_user(session=session, user=user)
    assert auth_service.user_for_token(session=session, token=token) is None


def test_every_action_has_a_permission_rule() -> None:
    for action in permissions.WRITE_ACTIONS + permissions.READ_ACTIONS:
        assert callable(permissions.rule_for(action))
    with pytest.raises(KeyError):
        permissions.rule_for("launch_rockets")


def _principal(role: Role, *municipalities: int) -> Principal:
    return Principal(1, "p@example.jp", "p", role, frozenset(municipalities))


def test_editor_scope_and_the_public() -> None:
    partnership = Target("partnership", frozenset({1, 2}))
    assert permissions.can_update_partnership(
        _principal(Role.editor, 2), partnership
    )  # either party's editor
    assert not permissions.can_update_partnership(_principal(Role.editor, 3), partnership)
    assert not permissions.can_update_partnership(_principal(Role.viewer), partnership)
    assert permissions.can_update_partnership(_principal(Role.admin), partnership)
    for action in permissions.WRITE_ACTIONS:
        if action not in ("login", "logout"):
            assert not permissions.allowed(action, None, partnership), action
    assert not permissions.can_view_contacts(None, Target("contact"))
    assert permissions.can_view_contacts(_principal(Role.viewer), Target("contact"))
    assert permissions.can_score_evaluation(_principal(Role.reviewer), Target("evaluation"))
    assert not permissions.can_score_evaluation(_principal(Role.editor, 1), Target("evaluation"))
