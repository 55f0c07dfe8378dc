"""Who may load the shipped reference data (countries, JIS X 0402, former municipalities, gazetteer)."""

from __future__ import annotations

from tsunagari.access.permissions import Target, is_admin, rule
from tsunagari.access.principal import Principal


@rule
def can_load_reference_data(actor: Principal | None, obj: Target) -> bool:
    """Reference data replaces countries and the gazetteer for everyone: admins (and `tsunagari init`'s
    system actor) only."""
    return is_admin(actor)
