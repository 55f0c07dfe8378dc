"""Who may write seeking profiles: a municipality's own editors (or an admin)."""

from __future__ import annotations

from tsunagari.access.permissions import Target, editor_of, rule
from tsunagari.access.principal import Principal


@rule
def can_create_seeking_profile(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_seeking_profile(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_seeking_profile(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)
