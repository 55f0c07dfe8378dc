"""Who may write visits and visit rules: a visit needs both the visiting municipality and the programme's
owners in the editor's scope; a municipality's rules are its own editors'."""

from __future__ import annotations

from tsunagari.access.permissions import Target, editor_of, is_staff, rule
from tsunagari.access.principal import Principal


@rule
def can_create_visit(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_visit(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_visit(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_policy_rules(actor: Principal | None, obj: Target) -> bool:
    """A municipality's visit rules are changed by its own editors (or an admin)."""
    return editor_of(actor, obj)


@rule
def can_view_policy(actor: Principal | None, obj: Target) -> bool:
    return is_staff(actor)
