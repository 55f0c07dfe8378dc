"""Who may write partnerships: the editors of either party's municipalities; bulk imports are admins'."""

from __future__ import annotations

from tsunagari.access.permissions import Target, editor_of, is_admin, rule
from tsunagari.access.principal import Principal


@rule
def can_create_partnership(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_partnership(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_partnership(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_import_partnerships(actor: Principal | None, obj: Target) -> bool:
    """A file of partnerships writes across municipalities: admins (and the CLI's system actor) only."""
    return is_admin(actor)


@rule
def can_import_pairs(actor: Principal | None, obj: Target) -> bool:
    """Global twin-town pairs create municipalities and partnerships worldwide: admins only."""
    return is_admin(actor)
