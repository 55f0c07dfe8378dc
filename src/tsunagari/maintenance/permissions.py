"""Who may move a municipality's records between databases: its editors export them (contacts included
only for staff, which every editor is); only an admin imports a bundle, which writes across the registry."""

from __future__ import annotations

from tsunagari.access.permissions import Target, editor_of, is_admin, rule
from tsunagari.access.principal import Principal


@rule
def can_export_bundle(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_import_bundle(actor: Principal | None, obj: Target) -> bool:
    return is_admin(actor)
