"""Who may load the demo data set: admins (and `tsunagari demo`'s system actor) only."""

from __future__ import annotations

from tsunagari.access.permissions import Target, is_admin, rule
from tsunagari.access.principal import Principal


@rule
def can_load_demo_data(actor: Principal | None, obj: Target) -> bool:
    """The demo writes municipalities, partnerships and programmes across the registry, like an import."""
    return is_admin(actor)
