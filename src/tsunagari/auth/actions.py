"""Writes of staff accounts and API tokens, permission-checked: the one way the web, the API and the CLI
change them (every other domain's writes are in its own `actions` module)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.access.action_kit import check_version, stale_is_conflict
from tsunagari.access.permissions import Target, require
from tsunagari.access.principal import Principal
from tsunagari.auth import service as auth_service
from tsunagari.auth.models import ApiToken, User
from tsunagari.auth.schemas import UserCreate, UserUpdate
from tsunagari.errors import Conflict, parse


def create_user(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> User:
    require("create_user", actor, Target("user"))
    return auth_service.create_user(session=session, data=parse(UserCreate, data))


def update_user(
    *,
    session: Session,
    actor: Principal | None,
    user_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> User:
    require("update_user", actor, Target("user", record_id=user_id))
    user = auth_service.get(session=session, user_id=user_id)
    check_version(user, version)
    with stale_is_conflict():
        return auth_service.update_user(session=session, user=user, data=parse(UserUpdate, changes))


def disable_user(*, session: Session, actor: Principal | None, user_id: int) -> tuple[User, int]:
    """Disable an account and revoke its tokens: it can neither log in nor call the API afterwards.
    Returns the account and how many tokens were revoked."""
    require("disable_user", actor, Target("user", record_id=user_id))
    user = auth_service.get(session=session, user_id=user_id)
    if not user.active:
        raise Conflict("このアカウントは既に無効です / the account is already disabled")
    auth_service.disable_user(session=session, user=user)
    return user, auth_service.revoke_tokens(session=session, user=user)


def issue_token(
    *, session: Session, actor: Principal | None, label: str | None, user_id: int | None = None
) -> str:
    """A new token, returned once: for the actor's own account, or (an admin's) for `user_id`'s."""
    owner = user_id if user_id is not None else (actor.user_id if actor is not None else None)
    require("issue_token", actor, Target("api_token", record_id=user_id))
    assert owner is not None  # the rule refuses the public
    user = auth_service.get(session=session, user_id=owner)
    return auth_service.issue_token(session=session, user=user, label=label)


def revoke_token(*, session: Session, actor: Principal | None, token_id: int) -> ApiToken:
    require("revoke_token", actor, Target("api_token"))
    assert actor is not None  # the rule refuses the public
    user = auth_service.get(session=session, user_id=actor.user_id)
    return auth_service.revoke_token(session=session, user=user, token_id=token_id)
