"""Business logic of citizen benefits: the only module that reads or writes the benefit table (flush, never
commit). "Current" means not yet over: no end, or an end today or later (one starting later is upcoming)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, bindparam, exists, or_, select
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput, NotFound, parse
from tsunagari.exchange import programme_service
from tsunagari.exchange._common import assign, get_existing
from tsunagari.exchange.benefit_models import Benefit, BenefitKind
from tsunagari.exchange.benefit_schemas import BenefitCreate
from tsunagari.municipality import service as municipality_service
from tsunagari.partnership import service as partnership_service


def get_benefit(*, session: Session, benefit_id: int) -> Benefit:
    return get_existing(session, Benefit, benefit_id, "benefit")


def check_links(*, session: Session, data: BenefitCreate) -> None:
    """Every record the benefit names exists, and its partnership is one of the municipality's: a bad
    reference is invalid input naming its field (422), never a foreign-key error."""
    try:
        municipality_service.get(session=session, municipality_id=data.municipality_id)
    except NotFound:
        raise InvalidInput(
            "no such municipality", field="municipality_id", value=data.municipality_id
        ) from None
    if data.partnership_id is not None:
        try:
            partnership = partnership_service.get(session=session, partnership_id=data.partnership_id)
        except NotFound:
            raise InvalidInput(
                "no such partnership", field="partnership_id", value=data.partnership_id
            ) from None
        if data.municipality_id not in (
            partnership.home_municipality_id,
            partnership.partner_municipality_id,
        ):
            raise InvalidInput(
                "the municipality is not a party of this partnership",
                field="partnership_id",
                value=data.partnership_id,
            )
    if data.programme_id is not None:
        try:
            programme_service.get_programme(session=session, programme_id=data.programme_id)
        except NotFound:
            raise InvalidInput("no such programme", field="programme_id", value=data.programme_id) from None


def create_benefit(*, session: Session, data: BenefitCreate | Mapping[str, Any]) -> Benefit:
    benefit_in = parse(BenefitCreate, data)
    check_links(session=session, data=benefit_in)
    values = benefit_in.model_dump()
    values["kind"] = benefit_in.kind.value
    benefit = Benefit(**values)
    session.add(benefit)
    session.flush()
    return benefit


def update_benefit(*, session: Session, benefit: Benefit, changes: Mapping[str, Any]) -> Benefit:
    """Write the changed fields after checking the whole record as it would be stored."""
    current = {name: getattr(benefit, name) for name in BenefitCreate.model_fields}
    merged = parse(BenefitCreate, {**current, **changes})
    check_links(session=session, data=merged)
    values = merged.model_dump()
    values["kind"] = merged.kind.value
    assign(benefit, {name: values[name] for name in changes})
    session.flush()
    return benefit


def delete_benefit(*, session: Session, benefit: Benefit) -> None:
    session.delete(benefit)
    session.flush()


def is_current(benefit: Benefit, today: dt.date) -> bool:
    return benefit.valid_until is None or benefit.valid_until >= today


# Few municipalities offer benefits: a prebuilt check skips building the listing for the rest.
_OFFERS_ANY = select(exists().where(Benefit.municipality_id == bindparam("municipality_id", type_=Integer)))


def list_benefits(
    *,
    session: Session,
    today: dt.date | None = None,
    municipality_id: int | None = None,
    partnership_id: int | None = None,
    kind: BenefitKind | str | None = None,
) -> Sequence[Benefit]:
    """Benefits in a stable order (soonest deadline, then soonest start, then id); with `today`, only the
    current ones (not over by that day)."""
    if municipality_id is not None and not session.connection().scalar(
        _OFFERS_ANY, {"municipality_id": municipality_id}
    ):
        return []
    statement = select(Benefit)
    if today is not None:
        statement = statement.where(or_(Benefit.valid_until.is_(None), Benefit.valid_until >= today))
    if municipality_id is not None:
        statement = statement.where(Benefit.municipality_id == municipality_id)
    if partnership_id is not None:
        statement = statement.where(Benefit.partnership_id == partnership_id)
    if kind is not None:
        statement = statement.where(Benefit.kind == str(getattr(kind, "value", kind)))
    statement = statement.order_by(
        Benefit.deadline.is_(None),
        Benefit.deadline,
        Benefit.valid_from.is_(None),
        Benefit.valid_from,
        Benefit.id,
    )
    return list(session.scalars(statement).unique())


def offering_municipality_ids(*, session: Session, today: dt.date) -> list[int]:
    """The municipalities with at least one current benefit (the filter of the benefits page)."""
    statement = (
        select(Benefit.municipality_id)
        .where(or_(Benefit.valid_until.is_(None), Benefit.valid_until >= today))
        .distinct()
    )
    return sorted(session.scalars(statement))
