"""Public JSON endpoints of municipalities (/api/v1/municipalities), thin over the read services, and
the shapes other domains' endpoints use to name a municipality or a party (no SQL here).

Contacts are personal data and never appear here: every response is built field by field below.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import KIND_LABELS_JA, Municipality, MunicipalityKind
from tsunagari.municipality.schemas import MunicipalitySummary
from tsunagari.organisation.models import Organisation
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.schemas import PartnerRow
from tsunagari.portal import service as portal_service
from tsunagari.web.deps import PaginationDep, SessionDep
from tsunagari.web.public_api import (
    CountryQuery,
    IdPath,
    Listing,
    iso,
    json_response,
    precision_of,
    public_router,
)

router = public_router()


# ---------------------------------------------------------------------------------------- shapes
class MunicipalityRef(BaseModel):
    id: int
    name: str
    name_en: str | None
    kind: str
    country: str
    region: str | None


class FormerMunicipality(MunicipalityRef):
    merged_on: str | None = Field(description='"2004-11-01", "2004-11" or "2004"')
    merged_on_precision: str | None


class MunicipalityDetail(MunicipalitySummary):
    kind_label: str = Field(description="Japanese label of the kind")
    local_name: str | None
    region_code: str | None = Field(description="ISO 3166-2 where known")
    population: int | None
    population_as_of: str | None = Field(description="as-of date written to its precision")
    population_as_of_precision: str | None
    population_source: str | None
    area_km2: float | None
    area_as_of: str | None
    area_as_of_precision: str | None
    area_source: str | None
    overview_ja: str | None
    overview_en: str | None
    website: str | None
    merged_into: MunicipalityRef | None = Field(description="what it was merged into, when merged")
    merged_on: str | None
    merged_on_precision: str | None
    predecessors: list[FormerMunicipality] = Field(description="former municipalities merged into it")
    partners: list[PartnerRow]


class Party(BaseModel):
    kind: Literal["municipality", "organisation"]
    id: int
    name: str
    name_en: str | None
    country: str | None = Field(description="ISO 3166-1 alpha-2; an organisation's is its seat's")
    region: str | None


# --------------------------------------------------------------------------------- conversions
def municipality_ref(municipality: Municipality | Row[Any]) -> MunicipalityRef:
    return MunicipalityRef(
        id=municipality.id,
        name=municipality.name,
        name_en=municipality.name_en,
        kind=municipality.kind,
        country=municipality.country,
        region=municipality.region,
    )


def summary(municipality: Municipality | Row[Any]) -> MunicipalitySummary:
    return MunicipalitySummary.model_validate(municipality)


def party(session: Session, municipality: Municipality | None, organisation: Organisation | None) -> Party:
    """A municipality, or an organisation placed where its seat is."""
    if municipality is not None:
        return Party(kind="municipality", **municipality_ref(municipality).model_dump(exclude={"kind"}))
    assert organisation is not None  # a check constraint guarantees one of the two
    seat = (
        municipality_service.get(session=session, municipality_id=organisation.municipality_id)
        if organisation.municipality_id
        else None
    )
    return Party(
        kind="organisation",
        id=organisation.id,
        name=organisation.name,
        name_en=organisation.name_en,
        country=seat.country if seat else None,
        region=seat.region if seat else None,
    )


# ------------------------------------------------------------------------------------ endpoints
@router.get("/municipalities", response_model=Listing[MunicipalitySummary])
def list_municipalities(
    session: SessionDep,
    page: PaginationDep,
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="name or profile text")] = None,
    country: CountryQuery = None,
    prefecture: Annotated[
        str | None, Query(max_length=200, description="都道府県 name or ISO 3166-2 code")
    ] = None,
    kind: MunicipalityKind | None = None,
) -> Response:
    """自治体: municipalities with partnerships first, then by country, code and id."""
    found = portal_service.search_municipalities(
        session=session,
        q=q,
        country=country,
        prefecture=prefecture,
        kind=kind.value if kind else None,
        limit=page.limit,
        offset=page.offset,
    )
    return json_response(
        Listing[MunicipalitySummary](
            total=found.total, limit=page.limit, offset=page.offset, items=[summary(m) for m in found.items]
        )
    )


@router.get("/municipalities/{id}", response_model=MunicipalityDetail)
def get_municipality(session: SessionDep, id: IdPath) -> Response:
    """A municipality's profile, merger history and partners."""
    municipality = portal_service.municipality_record(session=session, municipality_id=id)
    predecessors = portal_service.former_municipalities(session=session, municipality_id=id)
    merged_into = (
        portal_service.municipality_record(session=session, municipality_id=municipality.merged_into_id)
        if municipality.merged_into_id
        else None
    )
    detail = MunicipalityDetail(
        **summary(municipality).model_dump(),
        kind_label=KIND_LABELS_JA.get(municipality.kind, municipality.kind),
        local_name=municipality.local_name,
        region_code=municipality.region_code,
        population=municipality.population,
        population_as_of=iso(municipality.population_as_of, municipality.population_as_of_precision),
        population_as_of_precision=precision_of(
            municipality.population_as_of, municipality.population_as_of_precision
        ),
        population_source=municipality.population_source,
        area_km2=municipality.area_km2,
        area_as_of=iso(municipality.area_as_of, municipality.area_as_of_precision),
        area_as_of_precision=precision_of(municipality.area_as_of, municipality.area_as_of_precision),
        area_source=municipality.area_source,
        overview_ja=municipality.overview_ja,
        overview_en=municipality.overview_en,
        website=municipality.website,
        merged_into=municipality_ref(merged_into) if merged_into else None,
        merged_on=iso(municipality.merged_on, municipality.merged_on_precision),
        merged_on_precision=precision_of(municipality.merged_on, municipality.merged_on_precision),
        predecessors=[
            FormerMunicipality(
                **municipality_ref(former).model_dump(),
                merged_on=iso(former.merged_on, former.merged_on_precision),
                merged_on_precision=precision_of(former.merged_on, former.merged_on_precision),
            )
            for former in predecessors
        ],
        partners=partnership_rows.partner_rows(session=session, municipality=municipality),
    )
    return json_response(detail)
