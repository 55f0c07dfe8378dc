"""Who may score and read evaluations: reviewers (and admins) score; every staff member reads; the editors
of a programme's owners (and admins) enter its 事務事業評価 inputs, and of a municipality its labour cost."""

from __future__ import annotations

from tsunagari.access.permissions import Target, editor_of, is_reviewer, is_staff, rule
from tsunagari.access.principal import Principal


@rule
def can_score_evaluation(actor: Principal | None, obj: Target) -> bool:
    return is_reviewer(actor)


@rule
def can_view_evaluations(actor: Principal | None, obj: Target) -> bool:
    return is_staff(actor)


@rule
def can_create_labour_cost(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_labour_cost(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_labour_cost(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_create_programme_sheet(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_programme_sheet(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_programme_sheet(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_create_programme_sheet_year(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_update_programme_sheet_year(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)


@rule
def can_delete_programme_sheet_year(actor: Principal | None, obj: Target) -> bool:
    return editor_of(actor, obj)
