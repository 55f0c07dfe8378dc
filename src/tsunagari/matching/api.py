"""Public JSON endpoints of partner seeking (/api/v1/seeking, /api/v1/matches), thin over the matching
service: profiles searchable both ways, and candidates with every part of their score."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from tsunagari.exchange.models import FIELD_CODES
from tsunagari.matching import candidates as matching_candidates
from tsunagari.matching import service as matching_service
from tsunagari.web.deps import MAX_ID, PaginationDep, SessionDep
from tsunagari.web.public_api import CountryQuery, IdPath, Listing, public_router

router = public_router()

FieldQuery = Annotated[
    str | None,
    Query(
        pattern="^(" + "|".join(FIELD_CODES) + ")$",
        description="an exchange field: " + ", ".join(FIELD_CODES),
    ),
]
DirectionQuery = Annotated[
    matching_service.Direction | None,
    Query(description="abroad: Japanese seeking abroad; japan: from abroad seeking Japan; domestic"),
]
LimitQuery = Annotated[int, Query(ge=1, le=100)]


class SeekingMunicipality(BaseModel):
    id: int
    name: str
    name_en: str | None
    country: str
    region: str | None
    population: int | None
    area_km2: float | None


class SeekingProfileRead(BaseModel):
    """提携希望: what a municipality hopes for in a partner."""

    id: int
    municipality: SeekingMunicipality
    direction: matching_service.Direction
    hoped_countries: list[str] = Field(description="ISO 3166-1 alpha-2")
    hoped_areas: list[str] = Field(
        description="asia, europe, north_america, south_america, oceania, africa, english_speaking"
    )
    fields: list[str]
    population_min: int | None
    population_max: int | None
    conditions: list[str] = Field(description="nature, history, industry, culture, size, education")
    conditions_text: str | None
    languages: list[str] = Field(description="ISO 639-1")
    purpose: str | None
    valid_until: str | None
    illustrative: bool = Field(description="an example written for the demo, not a published wish")
    source: str | None
    version: int


class CandidateRead(BaseModel):
    id: int
    name: str
    name_en: str | None
    country: str


class ReasonRead(BaseModel):
    kind: str = Field(
        description="wish_country, wish_back, wish_size, size, features, fields, "
        "partners_in_common, networks_in_common, distance"
    )
    weight: float = Field(description="the deployment's weight of this part")
    points: float = Field(description="what this part adds to the score (at most its weight)")
    detail: str
    detail_en: str


class MatchRead(BaseModel):
    candidate: CandidateRead
    score: float = Field(description="the sum of the reasons' points")
    reasons: list[ReasonRead]


@router.get("/seeking", response_model=Listing[SeekingProfileRead])
def list_seeking(
    session: SessionDep,
    page: PaginationDep,
    direction: DirectionQuery = None,
    country: CountryQuery = None,
    field: FieldQuery = None,
) -> Listing[SeekingProfileRead]:
    """Municipalities seeking a partner, searchable both ways (a country wished for, or their own)."""
    found = matching_service.list_profiles(
        session=session, direction=direction, country=country.upper() if country else None, field=field
    )
    items = [
        SeekingProfileRead.model_validate(matching_service.profile_json(p))
        for p in found[page.offset : page.offset + page.limit]
    ]
    return Listing(total=len(found), limit=page.limit, offset=page.offset, items=items)


@router.get("/seeking/{id}", response_model=SeekingProfileRead)
def get_seeking(session: SessionDep, id: IdPath) -> SeekingProfileRead:
    """One seeking profile."""
    profile = matching_service.get_profile(session=session, profile_id=id)
    return SeekingProfileRead.model_validate(matching_service.profile_json(profile))


@router.get("/seeking/{id}/matches", response_model=list[MatchRead])
def seeking_matches(session: SessionDep, id: IdPath, limit: LimitQuery = 20) -> list[MatchRead]:
    """Candidates for a seeking profile, best first, each with every part of its score."""
    profile = matching_service.get_profile(session=session, profile_id=id)
    found = matching_candidates.matches_for(
        session=session, municipality_id=profile.municipality_id, limit=limit
    )
    return [MatchRead.model_validate(matching_candidates.match_json(m)) for m in found]


@router.get("/matches", response_model=list[MatchRead])
def matches(
    session: SessionDep,
    municipality: Annotated[int, Query(ge=1, le=MAX_ID, description="a municipality id")],
    limit: LimitQuery = 20,
) -> list[MatchRead]:
    """Candidates for any municipality (with its seeking profile's wishes when it has one)."""
    found = matching_candidates.matches_for(session=session, municipality_id=municipality, limit=limit)
    return [MatchRead.model_validate(matching_candidates.match_json(m)) for m in found]
