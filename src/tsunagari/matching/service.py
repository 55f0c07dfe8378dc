"""Seeking profiles: the only module that reads or writes their table (the candidates and their scores
are matching.candidates')."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.common.records import assign_changed
from tsunagari.errors import Conflict, InvalidInput, NotFound, parse
from tsunagari.matching import scoring
from tsunagari.matching.models import SeekingProfile
from tsunagari.matching.schemas import SeekingProfileCreate
from tsunagari.municipality import service as municipality_service

Direction = Literal["abroad", "japan", "domestic"]
DIRECTIONS: tuple[Direction, ...] = ("abroad", "japan", "domestic")
HOME_COUNTRY = "JP"


def get_profile(*, session: Session, profile_id: int) -> SeekingProfile:
    profile = session.get(SeekingProfile, profile_id)
    if profile is None:
        raise NotFound(f"seeking profile {profile_id}")
    return profile


def profile_of(*, session: Session, municipality_id: int) -> SeekingProfile | None:
    return session.scalars(
        select(SeekingProfile).where(SeekingProfile.municipality_id == municipality_id)
    ).one_or_none()


def create_profile(*, session: Session, data: SeekingProfileCreate) -> SeekingProfile:
    municipality_service.get(session=session, municipality_id=data.municipality_id)
    if profile_of(session=session, municipality_id=data.municipality_id) is not None:
        raise Conflict(
            "この自治体の提携希望はすでにあります / this municipality already has a seeking profile"
        )
    profile = SeekingProfile(**data.model_dump())
    session.add(profile)
    session.flush()
    return profile


def update_profile(
    *, session: Session, profile: SeekingProfile, changes: Mapping[str, Any]
) -> SeekingProfile:
    """Check the profile as it would read after the changes, then write only the fields that change."""
    current = {name: getattr(profile, name) for name in SeekingProfileCreate.model_fields}
    merged = parse(SeekingProfileCreate, {**current, **changes})
    if merged.municipality_id != profile.municipality_id:
        raise InvalidInput("a profile stays with its municipality", field="municipality_id")
    assign_changed(profile, {name: getattr(merged, name) for name in changes})
    session.flush()
    return profile


def delete_profile(*, session: Session, profile: SeekingProfile) -> None:
    session.delete(profile)
    session.flush()


def direction_of(profile: SeekingProfile) -> Direction:
    """abroad: a Japanese municipality looking abroad; domestic: looking in Japan; japan: from abroad."""
    home = profile.municipality.country
    if home != HOME_COUNTRY:
        return "japan"
    abroad = wishes_of(profile).seeks_abroad_from(home)
    return "domestic" if abroad is False else "abroad"


def list_profiles(
    *,
    session: Session,
    direction: Direction | None = None,
    country: str | None = None,
    field: str | None = None,
    today: dt.date | None = None,
) -> list[SeekingProfile]:
    """Profiles still valid, filtered: `country` is a country wished for or the profile's own country."""
    today = today or dt.date.today()
    profiles = session.scalars(select(SeekingProfile).order_by(SeekingProfile.id)).all()
    found = []
    for profile in profiles:
        if profile.valid_until is not None and profile.valid_until < today:
            continue
        if direction is not None and direction_of(profile) != direction:
            continue
        if country is not None and not (
            country == profile.municipality.country
            or country in profile.hoped_countries
            or scoring.wished_as(wishes_of(profile), country) is not None
        ):
            continue
        if field is not None and field not in profile.fields:
            continue
        found.append(profile)
    return found


def wishes_of(profile: SeekingProfile) -> scoring.Wishes:
    return scoring.Wishes(
        countries=frozenset(profile.hoped_countries),
        areas=frozenset(profile.hoped_areas),
        fields=frozenset(profile.fields),
        population_min=profile.population_min,
        population_max=profile.population_max,
        conditions=frozenset(profile.conditions),
    )


def profile_json(profile: SeekingProfile) -> dict[str, object]:
    municipality = profile.municipality
    return {
        "id": profile.id,
        "municipality": {
            "id": municipality.id,
            "name": municipality.name,
            "name_en": municipality.name_en,
            "country": municipality.country,
            "region": municipality.region,
            "population": municipality.population,
            "area_km2": municipality.area_km2,
        },
        "direction": direction_of(profile),
        "hoped_countries": list(profile.hoped_countries),
        "hoped_areas": list(profile.hoped_areas),
        "fields": list(profile.fields),
        "population_min": profile.population_min,
        "population_max": profile.population_max,
        "conditions": list(profile.conditions),
        "conditions_text": profile.conditions_text,
        "languages": list(profile.languages),
        "purpose": profile.purpose,
        "valid_until": profile.valid_until.isoformat() if profile.valid_until else None,
        "illustrative": profile.illustrative,
        "source": profile.source,
        "version": profile.version,
    }
