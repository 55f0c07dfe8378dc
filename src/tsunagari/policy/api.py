"""Public JSON of the visit policy (seed 002's 公表): published official visits under /api/v1/visits, public
fields only (never contacts, private costs or the notes of the citizens' meeting); thin, no SQL."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query, Response
from pydantic import BaseModel, Field

from tsunagari.demo.citations import citation
from tsunagari.municipality import service as municipality_service
from tsunagari.policy import publication_service
from tsunagari.policy.publication_service import Party, Publication
from tsunagari.web.deps import MAX_ID, PaginationDep, SessionDep
from tsunagari.web.public_api import Listing, MunicipalityQuery, iso, json_response, public_router

router = public_router()


class VisitParty(BaseModel):
    id: int | None = Field(description="the municipality's id; null for a destination written as text")
    name: str
    name_en: str | None


class PublishedVisit(BaseModel):
    activity_id: int
    programme_id: int
    programme_title: str
    title: str
    start_on: str | None
    end_on: str | None
    direction: str | None
    place: str | None
    official_visit: bool
    planned_visit: bool = Field(description="planned under the visit policy (not only flagged official)")
    visiting: VisitParty | None
    destination: VisitParty | None
    purpose: str | None = Field(description="public from purpose_published_on; null before")
    purpose_published_on: dt.date | None
    outcomes: str | None = Field(description="the results, public from report_published_on; null before")
    report_published_on: dt.date | None
    report_medium: str | None
    public_cost: int | None = Field(description="公費 in yen")
    participants: dict[str, int]
    participant_total: int | None
    source: str | None


def _party(p: Party | None) -> VisitParty | None:
    return VisitParty(id=p.id, name=p.name, name_en=p.name_en) if p is not None else None


def published_visit(p: Publication) -> PublishedVisit:
    return PublishedVisit(
        activity_id=p.activity_id,
        programme_id=p.programme_id,
        programme_title=p.programme_title,
        title=p.title,
        start_on=iso(p.start_on, p.start_on_precision),
        end_on=iso(p.end_on, p.end_on_precision),
        direction=p.direction,
        place=p.place,
        official_visit=p.official_visit,
        planned_visit=p.planned_visit,
        visiting=_party(p.visiting),
        destination=_party(p.destination),
        purpose=p.purpose,
        purpose_published_on=p.purpose_published_on,
        outcomes=p.outcomes,
        report_published_on=p.report_published_on,
        report_medium=p.report_medium,
        public_cost=p.public_cost,
        participants=p.participants,
        participant_total=p.participant_total,
        source=citation(p.source),
    )


@router.get("/visits", response_model=Listing[PublishedVisit])
def list_visits(
    session: SessionDep,
    page: PaginationDep,
    municipality: MunicipalityQuery = None,
    programme: Annotated[int | None, Query(ge=1, le=MAX_ID, description="a programme id")] = None,
) -> Response:
    """公表: official visits whose purpose or report is published, newest first; a visit's purpose appears
    from its publication date and its results from the report's. `municipality`: the visits it made,
    received, or ran through its programmes."""
    if municipality is not None:
        municipality_service.get(session=session, municipality_id=municipality)
    found = publication_service.publications(
        session=session, today=dt.date.today(), municipality_id=municipality, programme_id=programme
    )
    items = [published_visit(p) for p in found[page.offset : page.offset + page.limit]]
    return json_response(
        Listing[PublishedVisit](total=len(found), limit=page.limit, offset=page.offset, items=items)
    )
