"""Writes of citizen benefits, permission-checked: the one way the web, the API and the CLI change them. A
benefit belongs to the municipality offering it (a party of its partnership): only that municipality's
editors write it, and moving it to another municipality needs the right over both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.access.action_kit import (
    check_version,
    current_values,
    delete_record,
    given_changes,
    stale_is_conflict,
)
from tsunagari.access.permissions import Target, require
from tsunagari.access.principal import Principal
from tsunagari.errors import parse
from tsunagari.exchange import benefit_permissions as _rules  # noqa: F401 - registers the benefit rules
from tsunagari.exchange import benefit_service
from tsunagari.exchange.benefit_models import Benefit
from tsunagari.exchange.benefit_schemas import BenefitCreate


def benefit_target(benefit: Benefit | BenefitCreate, record_id: int | None = None) -> Target:
    return Target("benefit", frozenset({benefit.municipality_id}), record_id=record_id)


def get_benefit(*, session: Session, benefit_id: int) -> Benefit:
    """A benefit by id (public data: no permission needed to read it)."""
    return benefit_service.get_benefit(session=session, benefit_id=benefit_id)


def create_benefit(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Benefit:
    benefit_in = parse(BenefitCreate, data)
    require("create_benefit", actor, benefit_target(benefit_in))
    return benefit_service.create_benefit(session=session, data=benefit_in)


def update_benefit(
    *,
    session: Session,
    actor: Principal | None,
    benefit_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Benefit:
    benefit = benefit_service.get_benefit(session=session, benefit_id=benefit_id)
    require("update_benefit", actor, benefit_target(benefit, benefit.id))
    check_version(benefit, version)
    given = given_changes(changes, BenefitCreate.model_fields)
    merged = parse(BenefitCreate, {**current_values(benefit, BenefitCreate), **given})
    # Moving a benefit to another municipality needs the editor's scope there too.
    require("update_benefit", actor, benefit_target(merged, benefit.id))
    with stale_is_conflict():
        return benefit_service.update_benefit(session=session, benefit=benefit, changes=given)


def delete_benefit(
    *, session: Session, actor: Principal | None, benefit_id: int, version: int | None = None
) -> None:
    benefit = benefit_service.get_benefit(session=session, benefit_id=benefit_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_benefit",
        record=benefit,
        target=benefit_target(benefit, benefit.id),
        version=version,
    )
