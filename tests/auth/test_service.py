"""Accounts: argon2 passwords, the login limiter, API tokens, and a permission rule for every action."""

from __future__ import annotations

import types

import pytest
from sqlalchemy.orm import Session

from tests.action_modules import action_modules
from tsunagari.access import permissions
from tsunagari.access.permissions import Target
from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role
from tsunagari.audit import service as audit_service
from tsunagari.audit.models import AuditEntry
from tsunagari.auth import service as auth_service
from tsunagari.auth.schemas import UserCreate
from tsunagari.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tsunagari.evaluation import permissions as evaluation_permissions
from tsunagari.organisation import permissions as organisation_permissions
from tsunagari.partnership import permissions as partnership_permissions

PASSWORD = "a long enough password"


def _user(session: Session, email: str = "staff@example.jp", role: Role = Role.viewer) -> auth_service.User:
    return auth_service.create_user(
        session=session, data=UserCreate(email=email, role=role, password=PASSWORD)
    )


def _audit(session: Session, table: str, record_id: int) -> list[AuditEntry]:
    return list(audit_service.history(session=session, table_name=table, record_id=record_id))


def test_passwords_are_argon2_hashed_and_never_audited(session: Session) -> None:
    user = _user(session)
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert (
        auth_service.authenticate(session=session, email="STAFF@example.jp", password=PASSWORD).id == user.id
    )
    [created] = _audit(session, "staff_user", user.id)  # one account, one entry: hashed before the insert
    assert created.action == "create" and created.after is not None
    assert created.after["password_hash"] == audit_service.REDACTED
    assert "argon2" not in str(created.after)


def test_a_password_change_is_one_audit_entry_saying_it_changed(session: Session) -> None:
    user = _user(session)
    before = len(_audit(session, "staff_user", user.id))
    old_hash = user.password_hash
    with audit_service.acting_as(audit_service.Actor(name=user.email, via="web", user_id=user.id)):
        auth_service.change_password(
            session=session, user=user, current=PASSWORD, new="another long password"
        )
    entries = _audit(session, "staff_user", user.id)
    assert len(entries) == before + 1
    change = entries[-1]
    assert (change.action, change.actor_name, change.actor_id) == ("update", user.email, user.id)
    assert change.before == {"password_hash": audit_service.REDACTED}
    assert change.after == {"password_hash": audit_service.REDACTED}
    assert old_hash not in str(change.before) and user.password_hash not in str(change.after)
    assert "argon2" not in str(change.before) + str(change.after)


def test_token_issue_and_revocation_are_audited_without_the_token(session: Session) -> None:
    user = _user(session)
    token = auth_service.issue_token(session=session, user=user, label="nightly export")
    [stored] = auth_service.tokens_of(session=session, user=user)
    [created] = _audit(session, "api_token", stored.id)
    assert created.action == "create" and created.after is not None
    assert created.after["token_hash"] == audit_service.REDACTED
    assert created.after["label"] == "nightly export" and created.after["user_id"] == user.id
    assert token not in str(created.after) and stored.token_hash not in str(created.after)
    # Using the token only notes last_used_at: bookkeeping, not an audited change.
    assert auth_service.user_for_token(session=session, token=token) == user
    assert len(_audit(session, "api_token", stored.id)) == 1

    auth_service.revoke_token(session=session, user=user, token_id=stored.id)
    entries = _audit(session, "api_token", stored.id)
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].before == {"revoked_at": None}
    assert entries[1].after is not None and set(entries[1].after) == {"revoked_at"}
    assert auth_service.user_for_token(session=session, token=token) is None
    with pytest.raises(Conflict):
        auth_service.revoke_token(session=session, user=user, token_id=stored.id)


def test_someone_elses_token_cannot_be_revoked(session: Session) -> None:
    owner, other = _user(session), _user(session, "other@example.jp")
    auth_service.issue_token(session=session, user=owner)
    [stored] = auth_service.tokens_of(session=session, user=owner)
    with pytest.raises(NotFound):
        auth_service.revoke_token(session=session, user=other, token_id=stored.id)
    assert stored.revoked_at is None


def test_changing_an_editors_municipalities_bumps_the_version(session: Session) -> None:
    from tsunagari.auth.schemas import UserUpdate
    from tsunagari.municipality import service as municipality_service

    [musashino] = municipality_service.find_by_name(session=session, name="武蔵野市", country="JP")
    [murayama] = municipality_service.find_by_name(session=session, name="村山市", country="JP")
    user = auth_service.create_user(
        session=session,
        data=UserCreate(email="ed@example.jp", role=Role.editor, municipality_ids=[musashino.id]),
    )
    version = user.version
    auth_service.update_user(session=session, user=user, data=UserUpdate(municipality_ids=[murayama.id]))
    assert auth_service.municipality_ids(user) == {murayama.id}
    assert user.version == version + 1
    with pytest.raises(InvalidInput) as refused:
        auth_service.update_user(session=session, user=user, data=UserUpdate(municipality_ids=[]))
    assert refused.value.problems[0].field == "municipality_ids"


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
    modules = {module.__name__: module for module in action_modules()}
    assert {
        "tsunagari.auth.actions",
        "tsunagari.municipality.actions",
        "tsunagari.partnership.actions",
        "tsunagari.partnership.contact_actions",
        "tsunagari.organisation.actions",
        "tsunagari.exchange.actions",
        "tsunagari.policy.actions",
        "tsunagari.evaluation.actions",
        "tsunagari.names.actions",
    } <= set(modules)
    for name, module in modules.items():
        assert permissions.actions_of(module), f"{name} offers no action"
        assert permissions.unruled(module) == [], f"{name}: actions without a can_<action> rule"
    for action in ("import_partnerships", "import_pairs", "import_cases", "import_activities"):
        assert callable(permissions.rule_for(action))
    with pytest.raises(KeyError):
        permissions.rule_for("launch_rockets")


def test_an_action_without_a_rule_is_found() -> None:
    """The check above would fail on a new action that nobody wrote a rule for."""
    module = types.ModuleType("tsunagari.rockets.actions")

    def launch_rockets(*, session: object, actor: Principal | None) -> None:
        permissions.require("launch_rockets", actor)

    def _countdown(*, actor: Principal | None) -> None:  # private helpers are not actions
        pass

    for function in (launch_rockets, _countdown):
        function.__module__ = module.__name__
        setattr(module, function.__name__, function)
    assert permissions.actions_of(module) == ["launch_rockets"]
    assert permissions.unruled(module) == ["launch_rockets"]


def _principal(role: Role, *municipalities: int) -> Principal:
    return Principal(1, "p@example.jp", "p", role, frozenset(municipalities))


def test_editor_scope_and_the_public() -> None:
    action_modules()  # every domain's rules registered
    partnership = Target("partnership", frozenset({1, 2}))
    assert partnership_permissions.can_update_partnership(
        _principal(Role.editor, 2), partnership
    )  # either party's editor
    assert not partnership_permissions.can_update_partnership(_principal(Role.editor, 3), partnership)
    assert not partnership_permissions.can_update_partnership(_principal(Role.viewer), partnership)
    assert partnership_permissions.can_update_partnership(_principal(Role.admin), partnership)
    for action in permissions.registered():
        if action not in ("login", "logout"):
            assert not permissions.allowed(action, None, partnership), action
    assert not organisation_permissions.can_view_contacts(None, Target("contact"))
    assert organisation_permissions.can_view_contacts(_principal(Role.viewer), Target("contact"))
    assert evaluation_permissions.can_score_evaluation(_principal(Role.reviewer), Target("evaluation"))
    assert not evaluation_permissions.can_score_evaluation(_principal(Role.editor, 1), Target("evaluation"))


def test_the_system_actor_is_an_admin_without_an_account() -> None:
    system = auth_service.system_principal(name="cli:test")
    assert system.role == Role.admin and system.via == "cli" and system.email == "cli:test"
    assert permissions.allowed("import_partnerships", system)
    assert not permissions.allowed("import_partnerships", _principal(Role.editor, 1))


def test_the_login_limit_is_shared_by_limiters_on_one_database(session: Session) -> None:
    """Two processes each have their own limiter object; the failures they count are the same rows."""
    _user(session)
    now = [5000.0]
    first = auth_service.LoginLimiter(clock=lambda: now[0])
    second = auth_service.LoginLimiter(clock=lambda: now[0])
    for limiter in (first, second, first, second, first):
        with pytest.raises(PermissionDenied):
            auth_service.authenticate(
                session=session, email="staff@example.jp", password="wrong", login_limiter=limiter
            )
    for limiter in (first, second):
        with pytest.raises(auth_service.TooManyAttempts):
            auth_service.authenticate(
                session=session, email="staff@example.jp", password=PASSWORD, login_limiter=limiter
            )


def test_old_failures_are_pruned_and_a_success_clears_the_login(session: Session) -> None:
    from sqlalchemy import func, select

    from tsunagari.auth.models import LoginFailure

    _user(session)
    now = [9000.0]
    limiter = auth_service.LoginLimiter(clock=lambda: now[0])
    limiter.record_failure("someone@example.jp", session=session, ip="192.0.2.1")
    now[0] += limiter.longest_window + 1
    limiter.record_failure("staff@example.jp", session=session, ip="192.0.2.1")
    logins = session.scalars(select(LoginFailure.login).where(LoginFailure.at >= 9000.0)).all()
    assert logins == ["staff@example.jp"]  # the failure older than every window was pruned
    auth_service.authenticate(
        session=session, email="staff@example.jp", password=PASSWORD, login_limiter=limiter, ip="192.0.2.1"
    )
    count = session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.login == "staff@example.jp")
    )
    assert count == 0


def _wrong(session: Session, limiter: auth_service.LoginLimiter, email: str, ip: str) -> None:
    with pytest.raises(PermissionDenied) as refused:
        auth_service.authenticate(
            session=session, email=email, password="wrong", login_limiter=limiter, ip=ip
        )
    assert not isinstance(refused.value, auth_service.TooManyAttempts)


def test_someone_elses_guesses_from_elsewhere_do_not_lock_the_user_out(session: Session) -> None:
    _user(session)
    now = [20_000.0]
    limiter = auth_service.LoginLimiter(clock=lambda: now[0])
    for _ in range(5):
        _wrong(session, limiter, "staff@example.jp", "203.0.113.9")
    with pytest.raises(auth_service.TooManyAttempts):
        auth_service.authenticate(
            session=session,
            email="staff@example.jp",
            password=PASSWORD,
            login_limiter=limiter,
            ip="203.0.113.9",
        )
    # The real user, at the office, is let in.
    user = auth_service.authenticate(
        session=session, email="staff@example.jp", password=PASSWORD, login_limiter=limiter, ip="192.0.2.10"
    )
    assert user.email == "staff@example.jp"


def test_spraying_one_password_over_many_accounts_is_limited_per_source(session: Session) -> None:
    _user(session)
    now = [30_000.0]
    limiter = auth_service.LoginLimiter(clock=lambda: now[0])
    per_source = next(limit for limit in limiter.limits if limit.per == "source")
    for index in range(per_source.failures):
        _wrong(session, limiter, f"guess{index}@example.jp", "203.0.113.50")
    # The next account from that source is refused unchecked, even with the right password …
    with pytest.raises(auth_service.TooManyAttempts):
        auth_service.authenticate(
            session=session,
            email="staff@example.jp",
            password=PASSWORD,
            login_limiter=limiter,
            ip="203.0.113.50",
        )
    # … while everyone else logs in, and the source is let in again once its window has passed.
    auth_service.authenticate(
        session=session, email="staff@example.jp", password=PASSWORD, login_limiter=limiter, ip="192.0.2.10"
    )
    now[0] += per_source.window_seconds + 1
    auth_service.authenticate(
        session=session, email="staff@example.jp", password=PASSWORD, login_limiter=limiter, ip="203.0.113.50"
    )


def test_guesses_at_one_account_from_many_sources_are_limited_for_a_bounded_time(session: Session) -> None:
    _user(session)
    now = [40_000.0]
    assert any(limit.per == "login" for limit in auth_service.LoginLimiter().limits)
    # The real limit is a hundred an hour; the same rule at ten keeps the test to ten password checks.
    per_login = auth_service.LoginLimit("login", 10, 3600.0)
    limiter = auth_service.LoginLimiter(clock=lambda: now[0], limits=(per_login,))
    for index in range(per_login.failures):
        _wrong(session, limiter, "staff@example.jp", f"198.51.100.{index % 250}-{index}")
    with pytest.raises(auth_service.TooManyAttempts):
        auth_service.authenticate(
            session=session,
            email="staff@example.jp",
            password=PASSWORD,
            login_limiter=limiter,
            ip="192.0.2.10",
        )
    now[0] += per_login.window_seconds + 1
    assert auth_service.authenticate(
        session=session, email="staff@example.jp", password=PASSWORD, login_limiter=limiter, ip="192.0.2.10"
    )


def test_failures_record_the_client_address(session: Session) -> None:
    from sqlalchemy import select

    from tsunagari.auth.models import LoginFailure

    _user(session)
    limiter = auth_service.LoginLimiter(clock=lambda: 8000.0)
    with pytest.raises(PermissionDenied):
        auth_service.authenticate(
            session=session,
            email="staff@example.jp",
            password="wrong",
            login_limiter=limiter,
            ip="198.51.100.7",
        )
    recorded = session.execute(
        select(LoginFailure.login, LoginFailure.ip).where(LoginFailure.at == 8000.0)
    ).all()
    assert [tuple(r) for r in recorded] == [("staff@example.jp", "198.51.100.7")]
