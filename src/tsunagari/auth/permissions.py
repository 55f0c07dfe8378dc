"""Permission rules: one `can_<action>(actor, obj)` per action, checked by the action layer before any write.

`actor` is None for the public. Editors may change only records belonging to their municipalities: a
partnership belongs to both parties' municipalities, a contact to its municipality, organisation or
partnership, a programme and its activities (visits included) to the programme's owners.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from tsunagari.auth.models import Role
from tsunagari.auth.schemas import Principal
from tsunagari.errors import PermissionDenied


@dataclass(frozen=True)
class Target:
    """What a rule needs to know about a record (or a record about to be created)."""

    kind: str
    municipality_ids: frozenset[int] = field(default_factory=frozenset)
    """The municipalities the record belongs to."""
    country: str | None = None
    record_id: int | None = None


NOTHING = Target(kind="none")

Rule = Callable[[Principal | None, Target], bool]

# Every action that changes data; a test checks each has a rule and each write route names one.
_KINDS = (
    "municipality",
    "partnership",
    "organisation",
    "contact",
    "programme",
    "activity",
    "visit",
    "network",
    "meeting",
    "award",
)
WRITE_ACTIONS: tuple[str, ...] = (
    *(f"{verb}_{kind}" for kind in _KINDS for verb in ("create", "update", "delete")),
    "create_membership",
    "delete_membership",
    "add_programme_partner",
    "remove_programme_partner",
    "resolve_review",
    "score_evaluation",
    "update_policy_rules",
    "login",
    "logout",
    "change_password",
    "create_user",
    "update_user",
    "disable_user",
    "issue_token",
    "revoke_token",
)

READ_ACTIONS: tuple[str, ...] = (
    "view_contacts",
    "view_staff_pages",
    "view_audit_log",
    "view_policy",
    "view_users",
    "view_review_list",
    "view_evaluations",
)


def _staff(actor: Principal | None) -> bool:
    return actor is not None


def _admin(actor: Principal | None) -> bool:
    return actor is not None and actor.role == Role.admin


def _editor_of(actor: Principal | None, obj: Target) -> bool:
    """An admin, or an editor one of whose municipalities the record belongs to."""
    if _admin(actor):
        return True
    return (
        actor is not None
        and actor.role == Role.editor
        and bool(actor.municipality_ids & obj.municipality_ids)
    )


# ----------------------------------------------------------------------------- municipalities
def can_create_municipality(actor: Principal | None, obj: Target) -> bool:
    # Japanese municipalities come from the JIS reference data; editors may add foreign partners.
    if _admin(actor):
        return True
    return actor is not None and actor.role == Role.editor and obj.country not in (None, "JP")


def can_update_municipality(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_delete_municipality(actor: Principal | None, obj: Target) -> bool:
    return _admin(actor)


# ------------------------------------------------------------ records owned by municipalities
def can_create_partnership(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_update_partnership(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_delete_partnership(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_create_organisation(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_update_organisation(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_delete_organisation(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_create_contact(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_update_contact(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_delete_contact(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_create_programme(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_update_programme(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_delete_programme(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_create_activity(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_update_activity(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_delete_activity(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_create_visit(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_update_visit(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_delete_visit(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_add_programme_partner(actor: Principal | None, obj: Target) -> bool:
    """Partners are part of the programme: its owners' editors say who they are."""
    return _editor_of(actor, obj)


def can_remove_programme_partner(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


# ----------------------------------------------------------------------------- networks and awards
def can_create_network(actor: Principal | None, obj: Target) -> bool:
    """A network belongs to its secretariat's municipality; one without a municipal secretariat to admins."""
    return _editor_of(actor, obj)


def can_update_network(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_delete_network(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_create_membership(actor: Principal | None, obj: Target) -> bool:
    """The secretariat's editors, or the member's own editors for their own membership."""
    return _editor_of(actor, obj)


def can_delete_membership(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_create_meeting(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_update_meeting(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_delete_meeting(actor: Principal | None, obj: Target) -> bool:
    return _editor_of(actor, obj)


def can_create_award(actor: Principal | None, obj: Target) -> bool:
    """Awards are given by national bodies such as CLAIR: recorded by admins only."""
    return _admin(actor)


def can_update_award(actor: Principal | None, obj: Target) -> bool:
    return _admin(actor)


def can_delete_award(actor: Principal | None, obj: Target) -> bool:
    return _admin(actor)


# ----------------------------------------------------------------------------- review and evaluation
def can_resolve_review(actor: Principal | None, obj: Target) -> bool:
    return actor is not None and actor.role in (Role.admin, Role.reviewer)


def can_score_evaluation(actor: Principal | None, obj: Target) -> bool:
    return actor is not None and actor.role in (Role.admin, Role.reviewer)


# ----------------------------------------------------------------------------- policy rules
def can_update_policy_rules(actor: Principal | None, obj: Target) -> bool:
    """A municipality's visit rules are changed by its own editors (or an admin)."""
    return _editor_of(actor, obj)


# ----------------------------------------------------------------------------- accounts
def can_login(actor: Principal | None, obj: Target) -> bool:
    return True


def can_logout(actor: Principal | None, obj: Target) -> bool:
    return True


def can_change_password(actor: Principal | None, obj: Target) -> bool:
    return _staff(actor)


def can_create_user(actor: Principal | None, obj: Target) -> bool:
    return _admin(actor)


def can_update_user(actor: Principal | None, obj: Target) -> bool:
    return _admin(actor)


def can_disable_user(actor: Principal | None, obj: Target) -> bool:
    # An admin cannot lock themselves out by mistake: another admin must do it.
    return _admin(actor) and actor is not None and obj.record_id != actor.user_id


def can_issue_token(actor: Principal | None, obj: Target) -> bool:
    """Every staff member may have tokens of their own (scoped like their account)."""
    return _staff(actor)


def can_revoke_token(actor: Principal | None, obj: Target) -> bool:
    """Only one's own tokens (obj.record_id is the owner); disabling an account revokes all of its tokens."""
    return actor is not None and (obj.record_id is None or obj.record_id == actor.user_id)


# ----------------------------------------------------------------------------- reading
def can_view_contacts(actor: Principal | None, obj: Target) -> bool:
    """Contacts are personal data: every staff role (viewer and above), never the public."""
    return _staff(actor)


def can_view_staff_pages(actor: Principal | None, obj: Target) -> bool:
    return _staff(actor)


def can_view_audit_log(actor: Principal | None, obj: Target) -> bool:
    return _staff(actor)


def can_view_policy(actor: Principal | None, obj: Target) -> bool:
    return _staff(actor)


def can_view_users(actor: Principal | None, obj: Target) -> bool:
    return _admin(actor)


def can_view_review_list(actor: Principal | None, obj: Target) -> bool:
    return _staff(actor)


def can_view_evaluations(actor: Principal | None, obj: Target) -> bool:
    return _staff(actor)


def rule_for(action: str) -> Rule:
    """The rule of an action; KeyError when an action has none (a test walks every route through this)."""
    rule = getattr(sys.modules[__name__], f"can_{action}", None)
    if rule is None or not callable(rule):
        raise KeyError(f"no permission rule can_{action}")
    return cast(Rule, rule)


def allowed(action: str, actor: Principal | None, obj: Target = NOTHING) -> bool:
    return rule_for(action)(actor, obj)


def require(action: str, actor: Principal | None, obj: Target = NOTHING) -> None:
    if not allowed(action, actor, obj):
        if actor is None:
            raise NotAuthenticated("ログインしてください / log in first")
        raise PermissionDenied(f"この操作の権限がありません / not allowed: {action}")


class NotAuthenticated(PermissionDenied):
    """The public asked for something only staff may do (401 rather than 403)."""
