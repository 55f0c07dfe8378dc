"""Awards and their partners: the only module writing their tables; flushes, never commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagari.errors import Conflict, InvalidInput, Problem
from tsunagari.exchange._common import Outcome, assign, check_party, get_existing
from tsunagari.exchange.models import CRITERIA_SETS, Award, AwardPartner, Criterion, party_key
from tsunagari.exchange.programme_service import referenced_programme
from tsunagari.exchange.schemas import AwardCreate, parse
from tsunagari.municipality.models import Municipality


def criteria(criteria_set: str = "clair") -> tuple[Criterion, ...]:
    """The criteria an award is judged on; "clair" is 先進性・独自性・継続性・活発性・協働性・成果."""
    found = CRITERIA_SETS.get(criteria_set)
    if found is None:
        raise InvalidInput("unknown criteria set", field="criteria_set", value=criteria_set)
    return found


def _check_award_references(session: Session, award_in: AwardCreate) -> None:
    """The recipient, partners and programme an award names must exist (InvalidInput naming the field)."""
    recipient = award_in.recipient
    check_party(session, recipient.municipality_id, recipient.organisation_id, "recipient")
    for index, municipality_id in enumerate(award_in.partner_municipality_ids):
        if session.get(Municipality, municipality_id) is None:
            raise InvalidInput(
                "no such municipality", field=f"partner_municipality_ids.{index}", value=municipality_id
            )
    if award_in.programme_id is not None:
        referenced_programme(session=session, programme_id=award_in.programme_id)


def upsert_award(*, session: Session, data: AwardCreate | Mapping[str, Any]) -> tuple[Award, Outcome]:
    """Insert by (name, edition, prize, recipient), or update where a given value differs."""
    award_in = parse(AwardCreate, data)
    recipient = award_in.recipient
    _check_award_references(session, award_in)
    party = party_key(recipient.municipality_id, recipient.organisation_id)
    values = award_in.model_dump(exclude={"recipient", "partner_municipality_ids"})
    values["evaluation_points"] = [point.model_dump() for point in award_in.evaluation_points]
    statement = select(Award).where(
        Award.name == award_in.name,
        Award.prize == award_in.prize,
        Award.recipient_party == party,
        Award.edition.is_(None) if award_in.edition is None else Award.edition == award_in.edition,
    )
    existing = session.scalars(statement).first()
    outcome: Outcome
    if existing is None:
        award = Award(
            **values,
            recipient_municipality_id=recipient.municipality_id,
            recipient_organisation_id=recipient.organisation_id,
            recipient_party=party,
        )
        session.add(award)
        session.flush()
        outcome = "created"
    else:
        award = existing
        changed = {
            name: value
            for name, value in values.items()
            if value not in (None, [], "") and getattr(award, name) != value
        }
        for name, value in changed.items():
            setattr(award, name, value)
        outcome = "updated" if changed else "unchanged"
    present = {partner.municipality_id for partner in award.partners}
    for municipality_id in award_in.partner_municipality_ids:
        if municipality_id not in present:
            award.partners.append(AwardPartner(municipality_id=municipality_id))
            present.add(municipality_id)
            if outcome == "unchanged":
                outcome = "updated"
    session.flush()
    return award, outcome


def get_award(*, session: Session, award_id: int) -> Award:
    return get_existing(session, Award, award_id, "award")


def create_award(*, session: Session, data: AwardCreate | Mapping[str, Any]) -> Award:
    award, outcome = upsert_award(session=session, data=data)
    if outcome != "created":
        raise Conflict("この表彰は登録済みです / this award (name, edition, prize, recipient) already exists")
    return award


def _award_fields(award: Award) -> dict[str, Any]:
    return {
        "recipient": {
            "municipality_id": award.recipient_municipality_id,
            "organisation_id": award.recipient_organisation_id,
        },
        "partner_municipality_ids": [partner.municipality_id for partner in award.partners],
    }


def update_award(*, session: Session, award: Award, changes: Mapping[str, Any]) -> Award:
    """Edit an award; `partner_municipality_ids`, when given, is the whole new list of partners."""
    unknown = [name for name in changes if name not in AwardCreate.model_fields]
    if unknown:
        raise InvalidInput(problems=[Problem("unknown or read-only field", field=name) for name in unknown])
    current = {name: getattr(award, name) for name in AwardCreate.model_fields if hasattr(award, name)}
    award_in = parse(AwardCreate, {**current, **_award_fields(award), **changes})
    recipient = award_in.recipient
    _check_award_references(session, award_in)
    values = award_in.model_dump(exclude={"recipient", "partner_municipality_ids"})
    values["evaluation_points"] = [point.model_dump() for point in award_in.evaluation_points]
    values["recipient_municipality_id"] = recipient.municipality_id
    values["recipient_organisation_id"] = recipient.organisation_id
    values["recipient_party"] = party_key(recipient.municipality_id, recipient.organisation_id)
    assign(award, values)
    wanted = list(dict.fromkeys(award_in.partner_municipality_ids))
    for partner in [p for p in award.partners if p.municipality_id not in wanted]:
        award.partners.remove(partner)
    present = {partner.municipality_id for partner in award.partners}
    award.partners.extend(AwardPartner(municipality_id=m) for m in wanted if m not in present)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            "この表彰は登録済みです / another award has this name, edition, prize and recipient"
        ) from None
    return award


def delete_award(*, session: Session, award: Award) -> None:
    session.flush()
    for partner in session.scalars(select(AwardPartner).where(AwardPartner.award_id == award.id)):
        session.delete(partner)
    session.flush()
    session.expire(award, ["partners"])
    session.delete(award)
    session.flush()


def list_awards(*, session: Session, name: str | None = None) -> Sequence[Award]:
    statement = select(Award).order_by(Award.fiscal_year, Award.edition, Award.id)
    if name:
        statement = statement.where(Award.name == name)
    return list(session.scalars(statement).unique())


def awards_for_municipality(*, session: Session, municipality_id: int) -> Sequence[Award]:
    return list(
        session.scalars(
            select(Award)
            .where(Award.recipient_municipality_id == municipality_id)
            .order_by(Award.fiscal_year, Award.id)
        ).unique()
    )
