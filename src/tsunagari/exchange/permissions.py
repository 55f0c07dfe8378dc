"""Who may write exchange records: a programme (its activities and partners) belongs to its owners'
municipalities, a network (its members and meetings) to its secretariat's; awards and bulk imports are
admins'."""

from __future__ import annotations

from tsunagari.access.permissions import Target, editor_of, is_admin, rule
from tsunagari.access.principal import Principal


# ----------------------------------------------------------------------------- programmes and activities
@rule
def can_create_programme(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_programme(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_programme(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_create_activity(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_activity(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_activity(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_add_programme_partner(actor: Principal | None, obj: Target) -> bool:
    """Partners are part of the programme: its owners' editors say who they are."""
    return editor_of(actor, obj)


@rule
def can_remove_programme_partner(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


# ----------------------------------------------------------------------------- networks
@rule
def can_create_network(actor: Principal | None, obj: Target) -> bool:
    """A network belongs to its secretariat's municipality; one without a municipal secretariat to admins."""
    return editor_of(actor, obj)


@rule
def can_update_network(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_network(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_create_membership(actor: Principal | None, obj: Target) -> bool:
    """The secretariat's editors, or the member's own editors for their own membership."""
    return editor_of(actor, obj)


@rule
def can_delete_membership(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_create_meeting(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_meeting(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_meeting(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


# ----------------------------------------------------------------------------- awards
@rule
def can_create_award(actor: Principal | None, obj: Target) -> bool:
    """Awards are given by national bodies such as CLAIR: recorded by admins only."""
    return is_admin(actor)


@rule
def can_update_award(actor: Principal | None, obj: Target) -> bool:
    return is_admin(actor)


@rule
def can_delete_award(actor: Principal | None, obj: Target) -> bool:
    return is_admin(actor)


# ----------------------------------------------------------------------------- bulk imports
@rule
def can_import_cases(actor: Principal | None, obj: Target) -> bool:
    """CLAIR case records create programmes of many municipalities: admins only."""
    return is_admin(actor)


@rule
def can_import_activities(actor: Principal | None, obj: Target) -> bool:
    """A file of activities may touch any programme: admins only."""
    return is_admin(actor)
