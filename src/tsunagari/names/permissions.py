"""Who may work the review list: every staff member reads it; reviewers (and admins) resolve items."""

from __future__ import annotations

from tsunagari.access.permissions import Target, is_reviewer, is_staff, rule
from tsunagari.access.principal import Principal


@rule
def can_resolve_review(actor: Principal | None, obj: Target) -> bool:
    return is_reviewer(actor)


@rule
def can_view_review_list(actor: Principal | None, obj: Target) -> bool:
    return is_staff(actor)


@rule
def can_preview_review(actor: Principal | None, obj: Target) -> bool:
    """Seeing what a resolution would write is part of resolving: the same people."""
    return is_reviewer(actor)
