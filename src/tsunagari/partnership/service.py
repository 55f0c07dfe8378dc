"""Business logic of partnerships: the only module that reads or writes their tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tsunagari.dates import PartialDate
from tsunagari.errors import Conflict, NotFound
from tsunagari.municipality.models import Municipality
from tsunagari.organisation.models import Organisation
from tsunagari.partnership.models import (
    PARTNERSHIP_TYPE_LABELS,
    Partnership,
    PartnershipSourceRecord,
)
from tsunagari.partnership.schemas import PartnerRow, PartnershipCreate

UpsertOutcome = Literal["created", "updated", "unchanged"]

# Columns compared when deciding whether a re-import changes anything.
_COMPARED_FIELDS = (
    "partner_written_name",
    "signed_on",
    "signed_on_precision",
    "status",
    "suspended_on",
    "suspended_on_precision",
    "ended_on",
    "ended_on_precision",
    "origin",
    "notes",
    "inherited_through_merger",
    "via_municipality_id",
    "criterion_signed_by_heads",
    "criterion_multi_field",
    "criterion_council_approved",
    "source",
)


def party_key(municipality_id: int | None, organisation_id: int | None) -> str:
    return f"m{municipality_id}" if municipality_id is not None else f"o{organisation_id}"


def get(*, session: Session, partnership_id: int) -> Partnership:
    partnership = session.get(Partnership, partnership_id)
    if partnership is None:
        raise NotFound(f"partnership {partnership_id} does not exist")
    return partnership


def find(
    *, session: Session, home_party: str, partner_party: str, type_: str, either_direction: bool
) -> Partnership | None:
    condition = (Partnership.home_party == home_party) & (Partnership.partner_party == partner_party)
    if either_direction:
        condition = condition | (
            (Partnership.home_party == partner_party) & (Partnership.partner_party == home_party)
        )
    return session.scalars(select(Partnership).where(condition, Partnership.type == type_)).first()


def create(*, session: Session, data: PartnershipCreate) -> Partnership:
    partnership, outcome = upsert(session=session, data=data, update_existing=False)
    if outcome != "created":
        raise Conflict("this partnership is already registered")
    return partnership


def upsert(
    *,
    session: Session,
    data: PartnershipCreate,
    update_existing: bool = True,
    either_direction: bool = True,
) -> tuple[Partnership, UpsertOutcome]:
    """Insert by natural key (home, partner, type), or update the stored row when fields differ.

    A partnership listed from the partner's side is the same partnership (either_direction).
    """
    home = party_key(data.home_municipality_id, data.home_organisation_id)
    partner = party_key(data.partner_municipality_id, data.partner_organisation_id)
    if home == partner:
        from tsunagari.errors import InvalidInput

        raise InvalidInput("a partnership needs two different parties", field="partner", value=partner)
    existing = find(
        session=session,
        home_party=home,
        partner_party=partner,
        type_=data.type.value,
        either_direction=either_direction,
    )
    values = data.model_dump()
    values["type"] = data.type.value
    values["status"] = data.status.value
    if existing is None:
        values["inherited_through_merger"] = bool(values["inherited_through_merger"])
        partnership = Partnership(**values, home_party=home, partner_party=partner)
        session.add(partnership)
        session.flush()
        if data.source:
            session.add(PartnershipSourceRecord(partnership_id=partnership.id, source=data.source))
        return partnership, "created"
    changed = {
        name: values[name]
        for name in _COMPARED_FIELDS
        if values[name] is not None and getattr(existing, name) != values[name]
    }
    if not changed or not update_existing:
        return existing, "unchanged"
    for name, value in changed.items():
        setattr(existing, name, value)
    session.flush()
    return existing, "updated"


def add_source(*, session: Session, partnership: Partnership, source: str, detail: str | None) -> None:
    session.add(PartnershipSourceRecord(partnership_id=partnership.id, source=source, detail=detail))


def for_municipality(*, session: Session, municipality_id: int) -> Sequence[Partnership]:
    return list(
        session.scalars(
            select(Partnership)
            .where(
                or_(
                    Partnership.home_municipality_id == municipality_id,
                    Partnership.partner_municipality_id == municipality_id,
                )
            )
            .order_by(Partnership.signed_on.is_(None), Partnership.signed_on, Partnership.id)
        ).unique()
    )


def _years_between(start: dt.date, today: dt.date) -> int:
    years = today.year - start.year
    if (today.month, today.day) < (start.month, start.day):
        years -= 1
    return years


def partner_rows(
    *, session: Session, municipality: Municipality, today: dt.date | None = None
) -> list[PartnerRow]:
    """Everyone `municipality` has a partnership with, seen from its side."""
    today = today or dt.date.today()
    rows: list[PartnerRow] = []
    for partnership in for_municipality(session=session, municipality_id=municipality.id):
        if partnership.home_municipality_id == municipality.id:
            other_m, other_o = partnership.partner_municipality, partnership.partner_organisation
        else:
            other_m, other_o = partnership.home_municipality, partnership.home_organisation
        label_ja, label_en = PARTNERSHIP_TYPE_LABELS[partnership.type]
        signed = PartialDate.from_parts(partnership.signed_on, partnership.signed_on_precision)
        via = partnership.via_municipality.name if partnership.via_municipality else None
        common: dict[str, object] = {
            "type": partnership.type,
            "type_label": label_ja,
            "type_label_en": label_en,
            "signed_on": signed.iso() if signed else None,
            "precision": signed.precision if signed else None,
            "signed_on_wareki": signed.wareki() if signed else None,
            "status": partnership.status,
            "partnership_id": partnership.id,
            "origin": partnership.origin,
            "inherited_through_merger": partnership.inherited_through_merger,
            "via": via,
            "counts_as_sister_friendship": partnership.counts_as_sister_friendship,
            "years_since_signing": _years_between(signed.value, today) if signed else None,
        }
        if other_m is not None:
            rows.append(
                PartnerRow(
                    name=other_m.name,
                    name_en=other_m.name_en,
                    country=other_m.country,
                    region=other_m.region,
                    domestic=other_m.country == municipality.country,
                    partner_id=other_m.id,
                    partner_kind="municipality",
                    **common,
                )
            )
        else:
            assert other_o is not None
            rows.append(_organisation_row(session, other_o, municipality, common))
    return rows


def _organisation_row(
    session: Session, organisation: Organisation, home: Municipality, common: dict[str, object]
) -> PartnerRow:
    seat = session.get(Municipality, organisation.municipality_id) if organisation.municipality_id else None
    country = seat.country if seat else None
    return PartnerRow.model_validate(
        {
            "name": organisation.name,
            "name_en": organisation.name_en,
            "country": country,
            "region": seat.region if seat else None,
            "domestic": country == home.country,
            "partner_id": organisation.id,
            "partner_kind": "organisation",
            **common,
        }
    )
