"""Writes of visits (an activity planned under the visit policy) and of a municipality's visit rules,
permission-checked: the one way the web, the API and the CLI change them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.access.action_kit import check_version, delete_record, given_changes, stale_is_conflict
from tsunagari.access.permissions import Target, require
from tsunagari.access.principal import Principal
from tsunagari.errors import Conflict, parse
from tsunagari.exchange import programme_service
from tsunagari.exchange.actions import activity_target, programme_target
from tsunagari.exchange.schemas import ActivityCreate
from tsunagari.municipality import service as municipality_service
from tsunagari.policy import permissions as _rules  # noqa: F401 - registers this domain's rules
from tsunagari.policy import service as policy_service
from tsunagari.policy.models import PolicyRules, Visit
from tsunagari.policy.schemas import VISIT_FIELDS, VisitCreate


def visit_target(session: Session, visit: Visit) -> Target:
    # Both the visiting municipality and the programme's owners must be in an editor's scope.
    programme_owners = activity_target(session, visit.activity).municipality_ids
    return Target(
        "visit",
        frozenset({visit.municipality_id}) & programme_owners or frozenset(),
        record_id=visit.activity_id,
    )


def create_visit(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Visit:
    visit_in = parse(VisitCreate, data)
    programme = programme_service.get_programme(session=session, programme_id=visit_in.programme_id)
    owners = programme_target(session, programme).municipality_ids
    require("create_visit", actor, Target("visit", frozenset({visit_in.municipality_id}) & owners))
    return policy_service.create_visit(session=session, data=visit_in)


def update_visit(
    *,
    session: Session,
    actor: Principal | None,
    activity_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Visit:
    visit = policy_service.get_visit(session=session, activity_id=activity_id)
    require("update_visit", actor, visit_target(session, visit))
    # The visit's version is the activity's: that is where dates, costs and publication live.
    check_version(visit.activity, version)
    given_changes(changes, {**ActivityCreate.model_fields, **dict.fromkeys(VISIT_FIELDS)})
    with stale_is_conflict():
        visit = policy_service.update_visit(session=session, visit=visit, changes=changes)
    require("update_visit", actor, visit_target(session, visit))
    return visit


def delete_visit(
    *, session: Session, actor: Principal | None, activity_id: int, version: int | None = None
) -> None:
    """The visit and its activity, both audited; the version is the activity's."""
    visit = policy_service.get_visit(session=session, activity_id=activity_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_visit",
        record=visit,
        target=visit_target(session, visit),
        version=version,
        versioned=visit.activity,
        remove=lambda: policy_service.delete_visit(session=session, visit=visit),
    )


def update_policy_rules(
    *,
    session: Session,
    actor: Principal | None,
    municipality_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> PolicyRules:
    """Change a municipality's visit rules; version 0 means "still the defaults, nothing stored yet"."""
    municipality = municipality_service.get(session=session, municipality_id=municipality_id)
    require("update_policy_rules", actor, Target("policy_rules", frozenset({municipality.id})))
    rules = policy_service.rules_for(session=session, municipality_id=municipality_id)
    if rules.id is None:
        if version not in (0, None):
            raise Conflict(
                f"規則はまだ保存されていません (版 0)、あなたの版 {version} / the rules are not stored yet"
            )
    else:
        check_version(rules, version)
    with stale_is_conflict():
        return policy_service.set_rules(session=session, municipality_id=municipality_id, changes=changes)
