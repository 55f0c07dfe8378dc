"""Public HTML pages of partner seeking: the directory (/seeking, searchable both ways) and a profile's
page with its candidates and every part of their scores; thin views over the matching service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from tsunagari.dates import PartialDate
from tsunagari.errors import InvalidInput
from tsunagari.exchange.models import FIELD_CODES, FIELD_LABELS
from tsunagari.matching import candidates as matching_candidates
from tsunagari.matching import service as matching_service
from tsunagari.matching.models import SeekingProfile
from tsunagari.matching.vocabulary import AREA_LABELS, CONDITION_LABELS, LANGUAGE_LABELS
from tsunagari.portal.list_download_pages import download_response, lang_param
from tsunagari.portal.list_downloads import Column, ListTable
from tsunagari.portal.pages import prefecture_label
from tsunagari.reference.countries import all_countries
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.public_api import PublicCachedRoute
from tsunagari.web.rendering import Lang, country_name, format_number, label_of, lang_of, render, render_found

router = page_router()

DIRECTION_LABELS: dict[str, tuple[str, str]] = {
    "abroad": ("海外の提携先を探す日本の自治体", "Japanese municipalities seeking partners abroad"),
    "japan": ("日本の提携先を探す海外の自治体", "Municipalities abroad seeking partners in Japan"),
    "domestic": ("国内の提携先を探す自治体", "Municipalities seeking partners in Japan"),
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class ProfileLine:
    id: int
    municipality_id: int
    name: str
    where: str
    direction: str
    hoped: str
    fields: str
    conditions: str
    valid_until: str
    illustrative: bool


@dataclass(frozen=True)
class SeekingDirectory:
    profiles: list[ProfileLine]
    directions: list[Choice]
    countries: list[Choice]
    fields: list[Choice]


def _name(profile: SeekingProfile, lang: Lang) -> str:
    m = profile.municipality
    return m.name_en if lang == "en" and m.name_en else m.name


def _where(profile: SeekingProfile, lang: Lang) -> str:
    m = profile.municipality
    country = country_name(m.country, lang)
    if m.country == "JP":
        return prefecture_label(m.region, lang) if m.region else country
    return f"{m.region}（{country}）" if m.region else country


def _hoped(profile: SeekingProfile, lang: Lang) -> str:
    words = [label_of(AREA_LABELS, a, lang) for a in profile.hoped_areas]
    words += [country_name(c, lang) for c in profile.hoped_countries]
    return ("、" if lang == "ja" else ", ").join(words)


def _joined(codes: list[str], labels: dict[str, tuple[str, str]], lang: Lang) -> str:
    return ("、" if lang == "ja" else ", ").join(label_of(labels, c, lang) for c in codes)


def profile_line(profile: SeekingProfile, lang: Lang) -> ProfileLine:
    direction = matching_service.direction_of(profile)
    return ProfileLine(
        id=profile.id,
        municipality_id=profile.municipality_id,
        name=_name(profile, lang),
        where=_where(profile, lang),
        direction=label_of(DIRECTION_LABELS, direction, lang),
        hoped=_hoped(profile, lang),
        fields=_joined(profile.fields, FIELD_LABELS, lang),
        conditions=_joined(profile.conditions, CONDITION_LABELS, lang),
        valid_until=profile.valid_until.isoformat() if profile.valid_until else "",
        illustrative=profile.illustrative,
    )


def seeking_directory(
    *, session: Session, lang: Lang, direction: str | None, country: str | None, field: str | None
) -> SeekingDirectory:
    chosen_direction = direction if direction in DIRECTION_LABELS else None
    chosen_field = field if field in FIELD_CODES else None
    code = country.upper() if country and len(country) == 2 else None
    profiles = matching_service.list_profiles(
        session=session,
        direction=chosen_direction,  # type: ignore[arg-type]  # checked against DIRECTION_LABELS above
        country=code,
        field=chosen_field,
    )
    wished = {
        c
        for p in matching_service.list_profiles(session=session)
        for c in [*p.hoped_countries, p.municipality.country]
    }
    return SeekingDirectory(
        profiles=[profile_line(p, lang) for p in profiles],
        directions=[
            Choice(k, label_of(DIRECTION_LABELS, k, lang), k == chosen_direction) for k in DIRECTION_LABELS
        ],
        countries=[
            Choice(c.alpha2, country_name(c.alpha2, lang), c.alpha2 == code)
            for c in sorted(all_countries(), key=lambda c: country_name(c.alpha2, lang))
            if c.alpha2 in wished
        ],
        fields=[Choice(f, label_of(FIELD_LABELS, f, lang), f == chosen_field) for f in FIELD_CODES],
    )


@router.get("/seeking", response_class=HTMLResponse)
def seeking(
    request: Request,
    session: SessionDep,
    direction: Annotated[str | None, Query(max_length=20)] = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    field: Annotated[str | None, Query(max_length=30)] = None,
) -> HTMLResponse:
    page = seeking_directory(
        session=session, lang=lang_of(request), direction=direction, country=country, field=field
    )
    return render(request, "matching/seeking.html", page)


downloads = APIRouter(include_in_schema=False, route_class=PublicCachedRoute)
"""The seeking directory's CSV and XLSX (portal.list_download_pages' one shape)."""


@downloads.get("/seeking.{fmt}")
def seeking_download(
    request: Request,
    session: SessionDep,
    fmt: str,
    direction: str = "",
    country: str = "",
    field: str = "",
    lang: str = "",
) -> Response:
    """The profiles the directory lists for these filters, each municipality with its JIS code."""
    chosen = lang_param(lang)
    if direction and direction not in DIRECTION_LABELS:
        raise InvalidInput(
            f"direction: “{direction}” is not one of the choices", field="direction", value=direction
        )
    if field and field not in FIELD_CODES:
        raise InvalidInput(f"field: “{field}” is not one of the choices", field="field", value=field)
    if country and not (len(country) == 2 and country.isalpha()):
        raise InvalidInput(f"country: “{country}” is not a two-letter code", field="country", value=country)
    profiles = matching_service.list_profiles(
        session=session,
        direction=direction or None,  # type: ignore[arg-type]  # checked against DIRECTION_LABELS above
        country=country.upper() or None,
        field=field or None,
    )
    table = ListTable(
        "seeking",
        "Seeking partners",
        (
            Column("Municipality"),
            Column("Municipality code"),
            Column("Where"),
            Column("Looking for"),
            Column("Hoped for"),
            Column("Fields"),
            Column("Conditions"),
            Column("Valid until", date=True),
        ),
        [
            [
                line.name,
                p.municipality.jis_code if p.municipality.country == "JP" else None,
                line.where,
                line.direction,
                line.hoped,
                line.fields,
                line.conditions,
                PartialDate(p.valid_until, "day") if p.valid_until else None,
            ]
            for p in profiles
            for line in [profile_line(p, chosen)]
        ],
    )
    return download_response(request, table, fmt, chosen)


@dataclass(frozen=True)
class ReasonView:
    label: str
    weight: str
    points: str


@dataclass(frozen=True)
class CandidateView:
    id: int
    name: str
    country: str
    score: str
    reasons: list[ReasonView]


@dataclass(frozen=True)
class ProfilePage:
    profile: ProfileLine
    population: str
    area: str
    population_range: str
    conditions_text: str | None
    languages: str
    purpose: str | None
    source: str | None
    candidates: list[CandidateView]


def _range(low: int | None, high: int | None, lang: Lang) -> str:
    if low is None and high is None:
        return ""
    unit = "人" if lang == "ja" else ""
    lower = format_number(low, lang) if low is not None else ""
    upper = format_number(high, lang) if high is not None else ""
    return f"{lower}〜{upper}{unit}"


def profile_page(*, session: Session, profile_id: int, lang: Lang) -> ProfilePage:
    profile = matching_service.get_profile(session=session, profile_id=profile_id)
    m = profile.municipality
    matches = matching_candidates.matches_for(session=session, municipality_id=m.id, limit=20)
    return ProfilePage(
        profile=profile_line(profile, lang),
        population=format_number(m.population, lang) if m.population else "",
        area=format_number(m.area_km2, lang) if m.area_km2 else "",
        population_range=_range(profile.population_min, profile.population_max, lang),
        conditions_text=profile.conditions_text,
        languages=_joined(profile.languages, LANGUAGE_LABELS, lang),
        purpose=profile.purpose,
        source=profile.source,
        candidates=[
            CandidateView(
                id=match.candidate.id,
                name=match.candidate.name_en
                if lang == "en" and match.candidate.name_en
                else match.candidate.name,
                country=country_name(match.candidate.country, lang),
                score=f"{match.score:.2f}",
                reasons=[
                    ReasonView(r.detail_en if lang == "en" else r.detail, f"{r.weight:g}", f"{r.points:.2f}")
                    for r in match.reasons
                ],
            )
            for match in matches
        ],
    )


@router.get("/seeking/{profile_id}", response_class=HTMLResponse)
def seeking_profile(request: Request, session: SessionDep, profile_id: int) -> HTMLResponse:
    return render_found(
        request,
        "matching/profile.html",
        lambda lang: profile_page(session=session, profile_id=profile_id, lang=lang),
    )
