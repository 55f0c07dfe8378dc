"""Public JSON of citizen benefits under /api/v1/benefits: the current offers to residents, public fields only
(never who entered them or when); thin, no SQL."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query, Response
from pydantic import BaseModel, Field

from tsunagari.demo.citations import citation
from tsunagari.exchange import benefit_service
from tsunagari.exchange.benefit_models import BENEFIT_KIND_LABELS, Benefit, BenefitKind
from tsunagari.municipality import service as municipality_service
from tsunagari.web.deps import MAX_ID, PaginationDep, SessionDep
from tsunagari.web.public_api import Listing, MunicipalityQuery, json_response, public_router

router = public_router()


class BenefitMunicipality(BaseModel):
    id: int
    name: str
    name_en: str | None


class BenefitRead(BaseModel):
    id: int
    municipality: BenefitMunicipality = Field(description="the municipality offering it to its residents")
    partnership_id: int | None
    programme_id: int | None
    kind: BenefitKind
    kind_label: str = Field(description="Japanese label of the kind")
    kind_label_en: str
    title: str
    description: str | None
    eligibility: str | None = Field(description="who may apply")
    how_to_apply: str | None
    apply_url: str | None = Field(description="http(s) only")
    deadline: dt.date | None = Field(description="申込締切")
    valid_from: dt.date | None
    valid_until: dt.date | None = Field(description="for an event, its last day")
    cost_yen: int | None = Field(description="what a resident pays, in yen (0: free; null: not stated)")
    cost_note: str | None
    source: str | None = Field(description="the document it comes from, by title and publisher")


def benefit_read(b: Benefit) -> BenefitRead:
    ja, en = BENEFIT_KIND_LABELS.get(b.kind, (b.kind, b.kind))
    m = b.municipality
    return BenefitRead(
        id=b.id,
        municipality=BenefitMunicipality(id=m.id, name=m.name, name_en=m.name_en),
        partnership_id=b.partnership_id,
        programme_id=b.programme_id,
        kind=BenefitKind(b.kind),
        kind_label=ja,
        kind_label_en=en,
        title=b.title,
        description=b.description,
        eligibility=b.eligibility,
        how_to_apply=b.how_to_apply,
        apply_url=b.apply_url,
        deadline=b.deadline,
        valid_from=b.valid_from,
        valid_until=b.valid_until,
        cost_yen=b.cost_yen,
        cost_note=b.cost_note,
        source=citation(b.source),
    )


@router.get("/benefits", response_model=Listing[BenefitRead])
def list_benefits(
    session: SessionDep,
    page: PaginationDep,
    municipality: MunicipalityQuery = None,
    kind: Annotated[BenefitKind | None, Query(description="discount, homestay, student_exchange, …")] = None,
    partnership: Annotated[int | None, Query(ge=1, le=MAX_ID, description="a partnership id")] = None,
) -> Response:
    """市民向けの特典: what partnerships offer residents and is not over yet (no end, or an end today or
    later), soonest deadline first. `municipality`: the benefits it offers its residents."""
    if municipality is not None:
        municipality_service.get(session=session, municipality_id=municipality)
    found = benefit_service.list_benefits(
        session=session,
        today=dt.date.today(),
        municipality_id=municipality,
        partnership_id=partnership,
        kind=kind,
    )
    items = [benefit_read(b) for b in found[page.offset : page.offset + page.limit]]
    return json_response(
        Listing[BenefitRead](total=len(found), limit=page.limit, offset=page.offset, items=items)
    )
