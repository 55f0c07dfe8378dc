"""Who may score and read evaluations: reviewers (and admins) score; every staff member reads."""

from __future__ import annotations

from tsunagari.access.permissions import Target, is_reviewer, is_staff, rule
from tsunagari.access.principal import Principal


@rule
def can_score_evaluation(actor: Principal | None, obj: Target) -> bool:
    return is_reviewer(actor)


@rule
def can_view_evaluations(actor: Principal | None, obj: Target) -> bool:
    return is_staff(actor)
