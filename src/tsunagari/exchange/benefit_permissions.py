"""Who may write citizen benefits: the editors of the municipality offering it (an admin too); the public
only reads them."""

from __future__ import annotations

from tsunagari.access.permissions import Target, editor_of, rule
from tsunagari.access.principal import Principal


@rule
def can_create_benefit(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_benefit(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_benefit(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)
