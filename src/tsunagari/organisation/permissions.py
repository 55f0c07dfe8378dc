"""Who may write organisations and contacts: the editors of the municipalities they belong to; contacts
are personal data, seen by staff only."""

from __future__ import annotations

from tsunagari.access.permissions import Target, editor_of, is_staff, rule
from tsunagari.access.principal import Principal


@rule
def can_create_organisation(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_organisation(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_organisation(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_create_contact(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_contact(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_contact(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_view_contacts(actor: Principal | None, obj: Target) -> bool:
    """Contacts are personal data: every staff role (viewer and above), never the public."""
    return is_staff(actor)


@rule
def can_list_contacts(actor: Principal | None, obj: Target) -> bool:
    return can_view_contacts(actor, obj)
