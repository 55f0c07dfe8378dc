"""Public JSON endpoints of partnerships (/api/v1/partnerships), thin over the read services (no SQL here).

Contacts are personal data and never appear here: every response is built field by field below.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query, Response
from pydantic import BaseModel, Field

from tsunagari.common.fields import FIELD_CODES, FIELD_LABELS
from tsunagari.dates import PartialDate, parse_date
from tsunagari.errors import InvalidInput
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.api import MunicipalityRef, Party
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.models import (
    PARTNERSHIP_TYPE_LABELS,
    STATUS_LABELS,
    PartnershipStatus,
    PartnershipType,
)
from tsunagari.web.deps import PaginationDep, SessionDep
from tsunagari.web.public_api import (
    CountryQuery,
    IdPath,
    Listing,
    MunicipalityQuery,
    iso,
    json_response,
    public_router,
)

router = public_router()


# ---------------------------------------------------------------------------------------- shapes
class Criteria(BaseModel):
    """CLAIR's three counting criteria; null when not known."""

    signed_by_heads: bool | None
    multi_field: bool | None
    council_approved: bool | None


class PartnershipRead(BaseModel):
    id: int
    home: Party
    partner: Party
    type: PartnershipType
    type_label: str = Field(description="Japanese label of the type")
    type_label_en: str
    signed_on: str | None = Field(description='"1992-04-21", "1992-04" or "1992"')
    precision: str | None
    signed_on_wareki: str | None
    status: PartnershipStatus
    status_label: str
    suspended_on: str | None
    ended_on: str | None
    origin: str | None = Field(description="契機: how the relationship began")
    fields: list[str] = Field(
        description="交流分野: exchange field codes, in the order the tie spread to them"
    )
    field_labels: list[str] = Field(description="Japanese labels of the fields")
    field_labels_en: list[str]
    inherited_through_merger: bool
    via: MunicipalityRef | None = Field(description="the former municipality that concluded it")
    counts_as_sister_friendship: bool
    criteria: Criteria


# --------------------------------------------------------------------------------- conversions
def _party_fields(party: partnership_rows.PartyRow) -> dict[str, Any]:
    return {
        "kind": party.kind,
        "id": party.id,
        "name": party.name,
        "name_en": party.name_en,
        "country": party.country,
        "region": party.region,
    }


def _partnership(partnership: partnership_rows.PartnershipRow) -> dict[str, Any]:
    """A PartnershipRead as plain data: a page of them is validated in one pydantic-core call, which
    costs a fraction of building the nested models one by one."""
    signed = PartialDate.from_parts(partnership.signed_on, partnership.signed_on_precision)
    label_ja, label_en = PARTNERSHIP_TYPE_LABELS[partnership.type]
    via = partnership.via
    return {
        "id": partnership.id,
        "home": _party_fields(partnership.home),
        "partner": _party_fields(partnership.partner),
        "type": partnership.type,
        "type_label": label_ja,
        "type_label_en": label_en,
        "signed_on": signed.iso() if signed else None,
        "precision": signed.precision if signed else None,
        "signed_on_wareki": signed.wareki() if signed else None,
        "status": partnership.status,
        "status_label": STATUS_LABELS[partnership.status][0],
        "suspended_on": iso(partnership.suspended_on, partnership.suspended_on_precision),
        "ended_on": iso(partnership.ended_on, partnership.ended_on_precision),
        "origin": partnership.origin,
        "fields": list(partnership.fields),
        "field_labels": [FIELD_LABELS[code][0] for code in partnership.fields if code in FIELD_LABELS],
        "field_labels_en": [FIELD_LABELS[code][1] for code in partnership.fields if code in FIELD_LABELS],
        "inherited_through_merger": partnership.inherited_through_merger,
        "via": (
            {
                "id": via.id,
                "name": via.name,
                "name_en": via.name_en,
                "kind": via.kind,
                "country": via.country,
                "region": via.region,
            }
            if via
            else None
        ),
        "counts_as_sister_friendship": partnership.counts_as_sister_friendship,
        "criteria": {
            "signed_by_heads": partnership.criterion_signed_by_heads,
            "multi_field": partnership.criterion_multi_field,
            "council_approved": partnership.criterion_council_approved,
        },
    }


def _period_bound(text: str | None, field: str, *, end: bool) -> dt.date | None:
    """A date, month or year; as an upper bound it stands for the period's last day (1992 → 1992-12-31)."""
    if text is None:
        return None
    partial = parse_date(text, field=field)
    return partial.last_day if end else partial.value


# ------------------------------------------------------------------------------------ endpoints
@router.get("/partnerships", response_model=Listing[PartnershipRead])
def list_partnerships(
    session: SessionDep,
    page: PaginationDep,
    municipality: MunicipalityQuery = None,
    country: CountryQuery = None,
    type_: Annotated[PartnershipType | None, Query(alias="type")] = None,
    signed_from: Annotated[
        str | None, Query(max_length=40, description="1992-04-21, 1992-04 or 1992 (also 和暦)")
    ] = None,
    signed_to: Annotated[
        str | None, Query(max_length=40, description="inclusive: 1992 means up to 1992-12-31")
    ] = None,
    status: PartnershipStatus | None = None,
    field: Annotated[
        str | None,
        Query(pattern=f"^({'|'.join(FIELD_CODES)})$", description="an exchange field code, e.g. environment"),
    ] = None,
) -> Response:
    """提携: partnerships, undated ones last, otherwise by signing date and id."""
    start = _period_bound(signed_from, "signed_from", end=False)
    stop = _period_bound(signed_to, "signed_to", end=True)
    if start and stop and start > stop:
        raise InvalidInput("signed_to is before signed_from", field="signed_to", value=signed_to)
    found = partnership_rows.partnership_rows(
        session=session,
        municipality_id=municipality,
        country=country,
        type_=type_.value if type_ else None,
        signed_from=start,
        signed_to=stop,
        status=status.value if status else None,
        field=field,
        limit=page.limit,
        offset=page.offset,
    )
    if municipality is not None and not found.total:
        # 404 rather than []; asked only when nothing was found, so a listing costs one query.
        municipality_service.get(session=session, municipality_id=municipality)
    listing = {
        "total": found.total,
        "limit": page.limit,
        "offset": page.offset,
        "items": [_partnership(p) for p in found.items],
    }
    return json_response(Listing[PartnershipRead].model_validate(listing))


@router.get("/partnerships/{id}", response_model=PartnershipRead)
def get_partnership(session: SessionDep, id: IdPath) -> Response:
    row = partnership_rows.partnership_row(session=session, partnership_id=id)
    return json_response(PartnershipRead.model_validate(_partnership(row)))
