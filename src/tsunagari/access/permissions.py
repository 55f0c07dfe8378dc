"""The registry of permission rules: each domain's `permissions` module registers a `can_<action>(actor,
target)` for every action it offers, and `allowed`/`require`/`rule_for` consult the registry by name.

`actor` is None for the public. Editors may change only records belonging to their municipalities (what
a record belongs to is worked out by the domain's actions as a `Target`). The rules of accounts, tokens
and the staff pages themselves live here, with the registry.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role
from tsunagari.errors import PermissionDenied


@dataclass(frozen=True)
class Target:
    """What a rule needs to know about a record (or a record about to be created)."""

    kind: str
    municipality_ids: frozenset[int] = field(default_factory=frozenset)
    """The municipalities the record belongs to."""
    country: str | None = None
    record_id: int | None = None
    every_of: frozenset[int] = field(default_factory=frozenset)
    """Municipalities the write touches that have staff of their own (Japanese ones): an editor must hold
    every one of them, not just one (a partnership shown on both parties' pages, the network a programme
    moves into)."""


NOTHING = Target(kind="none")

Rule = Callable[[Principal | None, Target], bool]

_RULES: dict[str, Rule] = {}


def rule(function: Rule) -> Rule:
    """Register `can_<action>` as the rule of <action> (a decorator; one rule per action name)."""
    name = function.__name__
    if not name.startswith("can_"):
        raise ValueError(f"a rule is named can_<action>, not {name}")
    action = name.removeprefix("can_")
    known = _RULES.get(action)
    if known is not None and known.__module__ != function.__module__:
        raise ValueError(f"two rules for {action}: {known.__module__} and {function.__module__}")
    _RULES[action] = function
    return function


def rule_for(action: str) -> Rule:
    """The rule of an action; KeyError when an action has none (a test walks every route through this)."""
    try:
        return _RULES[action]
    except KeyError:
        raise KeyError(f"no permission rule can_{action}") from None


def registered() -> frozenset[str]:
    """Every action with a rule (of the domains imported so far)."""
    return frozenset(_RULES)


def actions_of(module: ModuleType) -> list[str]:
    """The actions an actions module offers: its public functions that take an `actor`."""
    return sorted(
        name
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and function.__module__ == module.__name__
        and not name.startswith("_")
        and "actor" in inspect.signature(function).parameters
    )


def unruled(module: ModuleType) -> list[str]:
    """The actions of an actions module that have no rule of their name (should be none)."""
    return [action for action in actions_of(module) if action not in _RULES]


def allowed(action: str, actor: Principal | None, obj: Target = NOTHING) -> bool:
    return rule_for(action)(actor, obj)


def require(action: str, actor: Principal | None, obj: Target = NOTHING) -> None:
    if not allowed(action, actor, obj):
        if actor is None:
            raise NotAuthenticated("ログインしてください / log in first")
        raise PermissionDenied(f"この操作の権限がありません / not allowed: {action}")


class NotAuthenticated(PermissionDenied):
    """The public asked for something only staff may do (401 rather than 403)."""


# ----------------------------------------------------------------------------- who the actor is
def is_staff(actor: Principal | None) -> bool:
    return actor is not None


def is_admin(actor: Principal | None) -> bool:
    return actor is not None and actor.role == Role.admin


def is_reviewer(actor: Principal | None) -> bool:
    return actor is not None and actor.role in (Role.admin, Role.reviewer)


def editor_of(actor: Principal | None, obj: Target) -> bool:
    """An admin, or an editor one of whose municipalities the record belongs to and who holds every
    municipality of `obj.every_of`."""
    if is_admin(actor):
        return True
    return (
        actor is not None
        and actor.role == Role.editor
        and bool(actor.municipality_ids & obj.municipality_ids)
        and obj.every_of <= actor.municipality_ids
    )


# ----------------------------------------------------------------------------- accounts
@rule
def can_login(actor: Principal | None, obj: Target) -> bool:
    return True


@rule
def can_logout(actor: Principal | None, obj: Target) -> bool:
    return True


@rule
def can_change_password(actor: Principal | None, obj: Target) -> bool:
    return is_staff(actor)


@rule
def can_create_user(actor: Principal | None, obj: Target) -> bool:
    return is_admin(actor)


@rule
def can_update_user(actor: Principal | None, obj: Target) -> bool:
    return is_admin(actor)


@rule
def can_disable_user(actor: Principal | None, obj: Target) -> bool:
    # An admin cannot lock themselves out by mistake: another admin must do it.
    return is_admin(actor) and actor is not None and obj.record_id != actor.user_id


@rule
def can_issue_token(actor: Principal | None, obj: Target) -> bool:
    """Every staff member may have tokens of their own (scoped like their account); an admin may issue
    one for another account (obj.record_id is the owner)."""
    if actor is None:
        return False
    return obj.record_id is None or obj.record_id == actor.user_id or is_admin(actor)


@rule
def can_revoke_token(actor: Principal | None, obj: Target) -> bool:
    """Only one's own tokens (obj.record_id is the owner); disabling an account revokes all of its tokens."""
    return actor is not None and (obj.record_id is None or obj.record_id == actor.user_id)


# ----------------------------------------------------------------------------- the staff pages
@rule
def can_view_staff_pages(actor: Principal | None, obj: Target) -> bool:
    return is_staff(actor)


@rule
def can_view_audit_log(actor: Principal | None, obj: Target) -> bool:
    return is_staff(actor)


@rule
def can_view_users(actor: Principal | None, obj: Target) -> bool:
    return is_admin(actor)
