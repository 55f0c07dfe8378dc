"""Who may write municipalities: admins anything, editors their own and foreign partners they add."""

from __future__ import annotations

from tsunagari.access.permissions import Target, editor_of, is_admin, rule
from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role


@rule
def can_create_municipality(actor: Principal | None, obj: Target) -> bool:
    # Japanese municipalities come from the JIS reference data; editors may add foreign partners.
    if is_admin(actor):
        return True
    return actor is not None and actor.role == Role.editor and obj.country not in (None, "JP")


@rule
def can_update_municipality(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_municipality(actor: Principal | None, obj: Target) -> bool:
    return is_admin(actor)
