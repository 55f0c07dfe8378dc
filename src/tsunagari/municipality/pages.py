"""Public HTML pages of a municipality (its page and its printable brochure): thin views over the
services, each page's context a dataclass (no SQL here); contacts are never read."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from tsunagari.dates import PartialDate
from tsunagari.demo.citations import citation
from tsunagari.errors import InvalidInput
from tsunagari.municipality.benefit_pages import BenefitView, benefit_views
from tsunagari.municipality.models import KIND_LABELS_JA, Municipality
from tsunagari.municipality.publication_pages import PublicationView, publication_views
from tsunagari.organisation import service as organisation_service
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.models import STATUS_LABELS
from tsunagari.partnership.schemas import PartnerRow
from tsunagari.portal import service as portal_service
from tsunagari.reference import countries, japan
from tsunagari.reference.service import GEONAMES_POPULATION_SOURCE
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.rendering import (
    Lang,
    country_name,
    format_date,
    label_of,
    partial_date,
    render_found,
)

router = page_router()

KIND_LABELS_EN: dict[str, str] = {
    "prefecture": "Prefecture",
    "designated_city": "Designated city",
    "city": "City",
    "special_ward": "Special ward",
    "ward": "Ward",
    "town": "Town",
    "village": "Village",
    "state": "State",
    "province": "Province",
    "county": "County",
    "district": "District",
    "other": "Other",
}


# --------------------------------------------------------------------------- shared view pieces
@dataclass(frozen=True)
class MunicipalityRef:
    id: int
    name: str
    name_en: str | None
    region: str | None
    country: str
    country_name: str

    def label(self, lang: Lang) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name


def municipality_ref(m: Municipality | Row[Any], lang: Lang) -> MunicipalityRef:
    return MunicipalityRef(m.id, m.name, m.name_en, m.region, m.country, country_name(m.country, lang))


_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def text_lang(text: str | None) -> str:
    """The language tag of a stored text: "ja" when it is written in Japanese, else "en"."""
    return "ja" if text and _JAPANESE.search(text) else "en"


def region_label(region: str | None, country: str | None, lang: Lang) -> str | None:
    """A region in the page's language, never a mixed form: a Japanese prefecture in English on English
    pages (山形県 → Yamagata); a foreign region by its ISO 3166-2 names (Hebei Sheng → 河北省 / Hebei);
    a region ISO does not know as stored (its page marks a Japanese one lang="ja")."""
    if not region or not country:
        return region
    if country == "JP":
        if lang == "ja":
            return region
        found = [g for g in japan.by_name(region) if g.kind == "prefecture"]
        return found[0].name_en if found else region
    if lang == "ja" and text_lang(region) == "ja":
        return region  # written in Japanese already (テキサス州), kept as written
    try:
        return countries.resolve_subdivision(region, country).label(lang)
    except InvalidInput:
        return region


def kind_label(code: str, lang: Lang) -> str:
    return KIND_LABELS_EN.get(code, code) if lang == "en" else KIND_LABELS_JA.get(code, code)


# --------------------------------------------------------------------------- municipality
@dataclass(frozen=True)
class PartnerView:
    partnership_id: int
    partner_id: int
    partner_kind: str
    name: str
    name_en: str | None
    country: str | None
    country_name: str
    region: str | None
    region_lang: str
    type_label: str
    signed: str
    signed_iso: str | None
    years_since_signing: int | None
    status: str
    status_label: str
    origin: str | None
    via: str | None
    inherited_through_merger: bool
    overview: str | None = None
    overview_en: str | None = None


@dataclass(frozen=True)
class FigureSource:
    """Where a profile figure (人口, 面積) comes from, shown next to it: the source as the record names it
    and, for a reference dataset Tsunagari ships, the link to that dataset's licence on /data."""

    label: str
    href: str | None = None

    @property
    def lang(self) -> str:
        """The label's language tag, so a Japanese document's name is marked lang="ja" on English pages."""
        return text_lang(self.label)


# Reference datasets a figure can come from, by the exact source text their loader stores.
_DATASET_SOURCES: dict[str, tuple[str, str]] = {
    GEONAMES_POPULATION_SOURCE: ("GeoNames", "/data#dataset-geonames"),
}


def figure_source(text: str | None) -> FigureSource | None:
    """The source of a figure as public pages show it: a shipped dataset by its name and /data entry,
    any other source as its citation (seed ids replaced by their documents); None when none is stored."""
    if text and text in _DATASET_SOURCES:
        label, href = _DATASET_SOURCES[text]
        return FigureSource(label, href)
    shown = citation(text)
    return FigureSource(shown) if shown else None


@dataclass(frozen=True)
class Profile:
    id: int
    name: str
    name_en: str | None
    kana: str | None
    local_name: str | None
    kind_label: str
    country: str
    country_name: str
    region: str | None
    region_label: str | None
    """The region in the page's language (Yamagata on English pages)."""
    population: int | None
    population_as_of: str
    population_source: FigureSource | None
    area_km2: float | None
    area_as_of: str
    area_source: FigureSource | None
    overview: str | None
    overview_lang: str
    website: str | None
    status: str
    merged_into: MunicipalityRef | None
    merged_on: str


@dataclass(frozen=True)
class TimelineEntry:
    signed: str
    year: int
    partner: str
    type_label: str
    partnership_id: int


@dataclass(frozen=True)
class FormerMunicipality:
    id: int
    name: str
    name_en: str | None
    merged_on: str


@dataclass(frozen=True)
class OrganisationView:
    name: str
    name_en: str | None
    kind: str


@dataclass(frozen=True)
class MunicipalityPage:
    profile: Profile
    domestic: list[PartnerView]
    international: list[PartnerView]
    timeline: list[TimelineEntry]
    former: list[FormerMunicipality]
    organisations: list[OrganisationView]
    sources: list[str]
    map_url: str
    """Where the map fetches its lines (the public map API for this municipality)."""
    publications: list[PublicationView]
    """公表 (seed 002): the official visits published so far, newest first."""
    benefits: list[BenefitView]
    """市民向けの特典: what its partnerships offer its residents now (none: no block)."""


def _profile(session: Session, m: Row[Any], lang: Lang) -> Profile:
    def as_of(value: dt.date | None, precision: str | None) -> str:
        return format_date(PartialDate.from_parts(value, precision), lang)

    merged_into = None
    if m.merged_into_id is not None:
        merged_into = municipality_ref(
            portal_service.municipality_record(session=session, municipality_id=m.merged_into_id), lang
        )
    overview = (m.overview_en or m.overview_ja) if lang == "en" else (m.overview_ja or m.overview_en)
    return Profile(
        id=m.id,
        name=m.name,
        name_en=m.name_en,
        kana=m.kana,
        local_name=m.local_name,
        kind_label=kind_label(m.kind, lang),
        country=m.country,
        country_name=country_name(m.country, lang),
        region=m.region,
        region_label=region_label(m.region, m.country, lang),
        population=m.population,
        population_as_of=as_of(m.population_as_of, m.population_as_of_precision),
        population_source=figure_source(m.population_source) if m.population is not None else None,
        area_km2=m.area_km2,
        area_as_of=as_of(m.area_as_of, m.area_as_of_precision),
        area_source=figure_source(m.area_source) if m.area_km2 is not None else None,
        overview=overview,
        overview_lang=text_lang(overview),
        website=m.website,
        status=m.status,
        merged_into=merged_into,
        merged_on=as_of(m.merged_on, m.merged_on_precision),
    )


def _partner_view(
    row: PartnerRow, lang: Lang, profiles: dict[int, tuple[str | None, str | None]]
) -> PartnerView:
    overview = overview_en = None
    if row.partner_kind == "municipality":
        overview, overview_en = profiles.get(row.partner_id, (None, None))
    signed = partial_date(row.signed_on, row.precision)
    return PartnerView(
        partnership_id=row.partnership_id,
        partner_id=row.partner_id,
        partner_kind=row.partner_kind,
        name=row.name,
        name_en=row.name_en,
        country=row.country,
        country_name=country_name(row.country, lang),
        region=region_label(row.region, row.country, lang),
        region_lang=text_lang(region_label(row.region, row.country, lang)),
        type_label=row.type_label_en if lang == "en" else row.type_label,
        signed=format_date(signed, lang),
        signed_iso=row.signed_on,
        years_since_signing=row.years_since_signing,
        status=row.status,
        status_label=label_of(STATUS_LABELS, row.status, lang),
        origin=row.origin,
        via=row.via,
        inherited_through_merger=row.inherited_through_merger,
        overview=overview,
        overview_en=overview_en,
    )


def _partners(session: Session, m: Row[Any], lang: Lang) -> tuple[list[PartnerView], list[PartnerView]]:
    rows = partnership_rows.partner_rows(session=session, municipality=m)
    # The partners' profile texts in one query, not one load per partner.
    profiles = portal_service.profile_texts(
        session=session, municipality_ids={r.partner_id for r in rows if r.partner_kind == "municipality"}
    )
    views = [_partner_view(row, lang, profiles) for row in rows]
    return [v for v in views if _is_domestic(v, m)], [v for v in views if not _is_domestic(v, m)]


def _is_domestic(view: PartnerView, m: Row[Any]) -> bool:
    return bool(view.country == m.country)


def municipality_page(*, session: Session, municipality_id: int, lang: Lang) -> MunicipalityPage:
    # Rows of the columns shown (portal_service, partnership_rows), never an ORM object per row.
    m = portal_service.municipality_record(session=session, municipality_id=municipality_id)
    domestic, international = _partners(session, m, lang)
    timeline = sorted(
        (
            TimelineEntry(
                p.signed,
                int(p.signed_iso[:4]),
                (p.name_en or p.name) if lang == "en" else p.name,
                p.type_label,
                p.partnership_id,
            )
            for p in domestic + international
            if p.signed_iso
        ),
        key=lambda e: (e.year, e.signed, e.partnership_id),
    )
    former = [
        FormerMunicipality(
            f.id,
            f.name,
            f.name_en,
            format_date(PartialDate.from_parts(f.merged_on, f.merged_on_precision), lang),
        )
        for f in portal_service.former_municipalities(session=session, municipality_id=m.id)
    ]
    organisations = [
        OrganisationView(o.name, o.name_en, o.kind)
        for o in organisation_service.for_municipality(session=session, municipality_id=m.id)
    ]
    sources: list[str] = []
    for text in [
        m.source,
        m.population_source,
        m.area_source,
        *partnership_rows.partnership_sources(session=session, municipality_id=m.id),
    ]:
        text = citation(text)
        if text and text not in sources:
            sources.append(text)
    return MunicipalityPage(
        profile=_profile(session, m, lang),
        domestic=domestic,
        international=international,
        timeline=timeline,
        former=former,
        organisations=organisations,
        sources=sources,
        map_url=f"/api/v1/map?municipality={m.id}",
        publications=publication_views(session=session, lang=lang, municipality_id=m.id),
        benefits=benefit_views(session=session, lang=lang, municipality_id=m.id),
    )


@router.get("/municipalities/{municipality_id}", response_class=HTMLResponse)
def municipality(request: Request, session: SessionDep, municipality_id: int) -> HTMLResponse:
    return render_found(
        request,
        "municipality/municipality.html",
        lambda lang: municipality_page(session=session, municipality_id=municipality_id, lang=lang),
    )


@dataclass(frozen=True)
class BrochurePage:
    profile: Profile
    domestic: list[PartnerView]
    international: list[PartnerView]


def brochure_page(*, session: Session, municipality_id: int, lang: Lang) -> BrochurePage:
    m = portal_service.municipality_record(session=session, municipality_id=municipality_id)
    domestic, international = _partners(session, m, lang)
    return BrochurePage(profile=_profile(session, m, lang), domestic=domestic, international=international)


@router.get("/municipalities/{municipality_id}/brochure", response_class=HTMLResponse)
def brochure(request: Request, session: SessionDep, municipality_id: int) -> HTMLResponse:
    return render_found(
        request,
        "municipality/brochure.html",
        lambda lang: brochure_page(session=session, municipality_id=municipality_id, lang=lang),
    )
