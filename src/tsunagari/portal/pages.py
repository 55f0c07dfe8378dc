"""Public HTML pages across domains (home, search, country and prefecture, statistics; open data is in
open_data_pages) and their downloads: thin views over the portal's read service, each page's context a
dataclass (no SQL here); contacts are never read."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from tsunagari.common.fields import FIELD_LABELS
from tsunagari.common.spreadsheet import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, write_csv, write_xlsx
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.municipality.pages import MunicipalityRef, kind_label, municipality_ref, region_label
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS
from tsunagari.partnership.pages import PartnershipLine, partnership_line, type_label
from tsunagari.portal import directory_service
from tsunagari.portal import service as portal_service
from tsunagari.portal.service import GroupBy, StatRow
from tsunagari.reference import countries, japan, licences
from tsunagari.reference.countries import all_countries
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.rendering import (
    Lang,
    country_name,
    format_date,
    label_of,
    lang_of,
    not_found,
    partial_date,
    render,
    render_found,
)

GROUP_BYS: tuple[GroupBy, ...] = ("country", "prefecture", "type", "decade", "field")

router = page_router()


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
    municipality_lang: str = "ja"
    partner_lang: str = "ja"
    """"en" where the page shows a party's English name."""


@dataclass(frozen=True)
class HomePage:
    figures: dict[str, int]
    year: int
    anniversaries: list[AnniversaryRow]
    map_url: str
    """Where the map fetches its lines: the whole registry's are megabytes, too many to carry."""
    q: str = ""


def anniversary_rows(*, session: Session, year: int, lang: Lang) -> list[AnniversaryRow]:
    """締結何周年 in `year`, as the home page and the anniversaries page list them (English names on
    English pages where a party has one)."""
    found = portal_service.anniversaries(session=session, year=year)
    english: dict[int, str] = {}
    if lang == "en":
        ids = {i for a in found for i in (a.municipality_id, a.partner_id) if i is not None}
        english = directory_service.english_names(session=session, municipality_ids=ids)

    def name(party_id: int | None, written: str) -> tuple[str, str]:
        shown = english.get(party_id) if party_id is not None else None
        return (shown, "en") if shown else (written, "ja")

    return [
        AnniversaryRow(
            a.partnership_id,
            name(a.municipality_id, a.municipality)[0],
            a.municipality_id,
            name(a.partner_id, a.partner)[0],
            a.partner_id,
            type_label(a.type, lang),
            format_date(
                partial_date(a.signed_on, {4: "year", 7: "month"}.get(len(a.signed_on), "day")), lang
            ),
            a.years,
            municipality_lang=name(a.municipality_id, a.municipality)[1],
            partner_lang=name(a.partner_id, a.partner)[1],
        )
        for a in found
    ]


def home_page(*, session: Session, lang: Lang, today: dt.date | None = None) -> HomePage:
    year = (today or dt.date.today()).year
    return HomePage(
        figures=portal_service.headline_figures(session=session),
        year=year,
        anniversaries=anniversary_rows(session=session, year=year, lang=lang),
        map_url=MAP_API,
    )


SEARCH_PAGE_SIZE = 20
MAP_API = "/api/v1/map"
LIST_PAGE_SIZE = 200
"""Partnerships a country or prefecture page lists at a time: Germany alone has 4,500 in the world corpus."""


def map_url(**filters: str) -> str:
    """The map API's address for these filters (the pages' maps fetch their lines there)."""
    kept = {name: value for name, value in filters.items() if value}
    return f"{MAP_API}?{urlencode(kept)}" if kept else MAP_API


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class SearchFilters:
    """What the search form offers and what was chosen; the address carries every choice."""

    prefecture: str = ""
    country: str = ""
    type: str = ""
    prefectures: list[Choice] = field(default_factory=list)
    countries: list[Choice] = field(default_factory=list)
    types: list[Choice] = field(default_factory=list)
    exchange_field: str = ""
    """交流分野 (the address's `field`): municipalities with a partnership in it."""
    exchange_fields: list[Choice] = field(default_factory=list)
    options: dict[str, Markup] = field(default_factory=dict)
    """Each select's <option>s, the chosen one marked (by filter: prefecture, country, type, field)."""


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class SearchPage:
    q: str
    total: int
    results: list[SearchResult]
    error: str | None = None
    filters: SearchFilters = field(default_factory=SearchFilters)
    errors: dict[str, str] = field(default_factory=dict)
    """Field name → the value that was not understood (the form marks the field)."""
    page: int = 1
    pages: list[PageLink] = field(default_factory=list)
    previous_url: str | None = None
    next_url: str | None = None
    first_shown: int = 0
    last_shown: int = 0
    suggestions: list[directory_service.Suggestion] = field(default_factory=list)

    @property
    def searched(self) -> bool:
        f = self.filters
        return bool(self.q or f.prefecture or f.country or f.type or f.exchange_field)


def prefecture_label(name: str, lang: Lang) -> str:
    """A prefecture's name in the page's language (北海道 → Hokkaido), the name itself when unknown."""
    if lang == "ja":
        return name
    found = [g for g in japan.by_name(name) if g.kind == "prefecture"]
    return found[0].name_en if found else name


@lru_cache(maxsize=2)
def _choices(lang: Lang) -> tuple[list[Choice], list[Choice], list[Choice], list[Choice]]:
    """The filters' choices in one language (prefectures, countries, types, fields): the same on every
    search page, so built once (the countries alone are 250 names to look up and sort)."""
    return (
        [Choice(name, prefecture_label(name, lang)) for name in japan.prefecture_names()],
        sorted(
            (Choice(c.alpha2, country_name(c.alpha2, lang)) for c in all_countries() if c.alpha2 != "JP"),
            key=lambda c: c.label,
        ),
        [Choice(code, label_of(PARTNERSHIP_TYPE_LABELS, code, lang)) for code in PARTNERSHIP_TYPE_LABELS],
        [Choice(code, label_of(FIELD_LABELS, code, lang)) for code in FIELD_LABELS],
    )


@lru_cache(maxsize=256)
def _options(lang: Lang, which: int, selected: str) -> Markup:
    """A filter's <option>s written once per language and choice: the 250 countries alone, passed
    through the template on every search page, cost more than the search itself."""
    option = Markup('<option value="{}"{}>{}</option>')
    chosen = Markup(" selected")
    return Markup("").join(
        option.format(c.value, chosen if c.value == selected else "", c.label) for c in _choices(lang)[which]
    )


def search_filters(
    *, session: Session, lang: Lang, prefecture: str, country: str, type_: str, exchange_field: str = ""
) -> SearchFilters:
    # Every country (a filter with no match finds nothing, and says so): counting the partners' countries
    # on each search page read every partnership.
    prefectures, countries, types, fields = _choices(lang)
    return SearchFilters(
        prefecture=prefecture,
        country=country,
        type=type_,
        prefectures=prefectures,
        countries=countries,
        types=types,
        exchange_field=exchange_field,
        exchange_fields=fields,
        options={
            name: _options(lang, which, chosen)
            for which, (name, chosen) in enumerate(
                [("prefecture", prefecture), ("country", country), ("type", type_), ("field", exchange_field)]
            )
        },
    )


def _page_url(params: dict[str, str], number: int) -> str:
    kept = {k: v for k, v in params.items() if v and k != "page"}
    if number > 1:
        kept["page"] = str(number)
    return "/search?" + urlencode(kept) if kept else "/search"


def search_page(
    *,
    session: Session,
    q: str,
    lang: Lang,
    prefecture: str = "",
    country: str = "",
    type_: str = "",
    page: str = "1",
    exchange_field: str = "",
) -> SearchPage:
    """Municipalities by name or profile text, filtered by prefecture, partner country and partnership
    type, twenty a page with the total; "did you mean" when a text finds nothing."""
    filters = search_filters(
        session=session,
        lang=lang,
        prefecture=prefecture,
        country=country,
        type_=type_,
        exchange_field=exchange_field,
    )
    errors: dict[str, str] = {}
    if prefecture and prefecture not in japan.prefecture_names():
        errors["prefecture"] = prefecture
    if country and country.upper() not in {c.value for c in filters.countries}:
        errors["country"] = country
    if type_ and type_ not in PARTNERSHIP_TYPE_LABELS:
        errors["type"] = type_
    if exchange_field and exchange_field not in FIELD_LABELS:
        errors["field"] = exchange_field
    number = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    if page and page != str(number):
        errors["page"] = page
    if errors or not (q.strip() or prefecture or country or type_ or exchange_field):
        return SearchPage(q=q, total=0, results=[], filters=filters, errors=errors)
    offset = (number - 1) * SEARCH_PAGE_SIZE
    try:
        if type_ or exchange_field:
            # Few municipalities have partnerships: filter the whole text match by type and field, then page.
            chosen = [
                directory_service.municipality_ids_with_partnership_type(session=session, partnership_type=t)
                for t in (type_,)
                if t
            ] + [
                portal_service.municipality_ids_with_partnership_field(session=session, field=f)
                for f in (exchange_field,)
                if f
            ]
            with_type = set.intersection(*chosen)
            everything = portal_service.search_municipalities(
                session=session,
                q=q or None,
                country=country or None,
                prefecture=prefecture or None,
                limit=1_000_000,
            )
            kept = [m for m in everything.items if m.id in with_type]
            total, items = len(kept), kept[offset : offset + SEARCH_PAGE_SIZE]
        else:
            found = portal_service.search_municipalities(
                session=session,
                q=q or None,
                country=country or None,
                prefecture=prefecture or None,
                limit=SEARCH_PAGE_SIZE,
                offset=offset,
            )
            total, items = found.total, found.items
    except InvalidInput as error:
        return SearchPage(q=q, total=0, results=[], error=str(error), filters=filters)
    results = [
        SearchResult(
            id=m.id,
            name=m.name,
            name_en=m.name_en,
            kana=m.kana,
            region=region_label(m.region, m.country, lang),
            country_name=country_name(m.country, lang),
            kind_label=kind_label(m.kind, lang),
            overview=(m.overview_en or m.overview_ja) if lang == "en" else (m.overview_ja or m.overview_en),
        )
        for m in items
    ]
    params = {"q": q, "prefecture": prefecture, "country": country, "type": type_, "field": exchange_field}
    last = max(1, -(-total // SEARCH_PAGE_SIZE))
    window = range(max(1, number - 3), min(last, number + 3) + 1)
    return SearchPage(
        q=q,
        total=total,
        results=results,
        filters=filters,
        page=number,
        pages=[PageLink(n, _page_url(params, n), n == number) for n in window] if last > 1 else [],
        previous_url=_page_url(params, number - 1) if number > 1 else None,
        next_url=_page_url(params, number + 1) if number < last else None,
        first_shown=offset + 1 if results else 0,
        last_shown=offset + len(results),
        suggestions=directory_service.suggestions(session=session, q=q) if q.strip() and not total else [],
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "portal/home.html", home_page(session=session, lang=lang_of(request)))


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    session: SessionDep,
    q: str = "",
    prefecture: str = "",
    country: str = "",
    type: str = "",
    page: str = "",
    field: str = "",
) -> HTMLResponse:
    built = search_page(
        session=session,
        q=q,
        lang=lang_of(request),
        prefecture=prefecture,
        country=country,
        type_=type,
        page=page or "1",
        exchange_field=field,
    )
    # HTMX asks for the results list only, to swap it in under the search box as the user types.
    template = "portal/_search_results.html" if request.headers.get("HX-Request") else "portal/search.html"
    return render(request, template, built)


# --------------------------------------------------------------------------- country and prefecture
@dataclass(frozen=True)
class ListPages:
    """Which part of a long list a page shows, and the links to the others (?page=2)."""

    total: int
    page: int = 1
    pages: list[PageLink] = field(default_factory=list)
    previous_url: str | None = None
    next_url: str | None = None
    first_shown: int = 0
    last_shown: int = 0


def page_number(page: str) -> int:
    """The ?page= of a list: a positive whole number, 1 when absent."""
    if not page:
        return 1
    if not page.isdigit() or not 0 < int(page) < 100_000:
        raise NotFound(f"page “{page}” is not a page number: write 1, 2, 3 …")
    return int(page)


def list_pages(*, path: str, total: int, number: int, shown: int) -> ListPages:
    last = max(1, -(-total // LIST_PAGE_SIZE))
    if number > last:
        raise NotFound(f"no page {number}: the list has {last} page(s)")

    def url(n: int) -> str:
        return f"{path}?page={n}" if n > 1 else path

    offset = (number - 1) * LIST_PAGE_SIZE
    window = range(max(1, number - 3), min(last, number + 3) + 1)
    return ListPages(
        total=total,
        page=number,
        pages=[PageLink(n, url(n), n == number) for n in window] if last > 1 else [],
        previous_url=url(number - 1) if number > 1 else None,
        next_url=url(number + 1) if number < last else None,
        first_shown=offset + 1 if shown else 0,
        last_shown=offset + shown,
    )


@dataclass(frozen=True)
class CountryPage:
    alpha2: str
    name: str
    name_other: str
    partnerships: list[PartnershipLine]
    """This page's part of the list (LIST_PAGE_SIZE at a time)."""
    map_url: str
    listing: ListPages


def country_page(*, session: Session, alpha2: str, lang: Lang, page: str = "") -> CountryPage:
    try:
        found = countries.country(alpha2)
    except InvalidInput as error:
        raise NotFound(f"no country {alpha2}") from error
    number = page_number(page)
    listed = partnership_rows.list_partnerships(
        session=session, country=found.alpha2, limit=LIST_PAGE_SIZE, offset=(number - 1) * LIST_PAGE_SIZE
    )
    name, other = (found.name_en, found.name_ja) if lang == "en" else (found.name_ja, found.name_en)
    return CountryPage(
        alpha2=found.alpha2,
        name=name,
        name_other=other,
        partnerships=[partnership_line(p, lang) for p in listed.items],
        map_url=map_url(country=found.alpha2),
        listing=list_pages(
            path=f"/countries/{found.alpha2}", total=listed.total, number=number, shown=len(listed.items)
        ),
    )


@router.get("/countries/{alpha2}", response_class=HTMLResponse)
def country(request: Request, session: SessionDep, alpha2: str, page: str = "") -> HTMLResponse:
    return render_found(
        request,
        "portal/country.html",
        lambda lang: country_page(session=session, alpha2=alpha2, lang=lang, page=page),
    )


@dataclass(frozen=True)
class PrefecturePage:
    name: str
    label: str
    """The prefecture's name in the page's language (Tokyo)."""
    label_other: str
    municipalities: list[MunicipalityRef]
    partnerships: list[PartnershipLine]
    """This page's part of the list (LIST_PAGE_SIZE at a time)."""
    map_url: str
    listing: ListPages


def prefecture_page(*, session: Session, name: str, lang: Lang, page: str = "") -> PrefecturePage:
    members = portal_service.search_municipalities(
        session=session, country="JP", prefecture=name, limit=10_000
    )
    if not members.total:
        raise NotFound(f"no prefecture {name}")
    number = page_number(page)
    # Filtered in SQL: reading every partnership of the registry to keep a prefecture's took seconds.
    ids = {m.id for m in members.items}
    listed = partnership_rows.list_partnerships(session=session, municipality_ids=ids, limit=100_000).items
    with_partners = {p.home_municipality_id for p in listed} | {p.partner_municipality_id for p in listed}
    english = prefecture_label(name, "en")
    offset = (number - 1) * LIST_PAGE_SIZE
    shown = listed[offset : offset + LIST_PAGE_SIZE]
    return PrefecturePage(
        name=name,
        label=english if lang == "en" else name,
        label_other=name if lang == "en" else english,
        municipalities=[municipality_ref(m, lang) for m in members.items if m.id in with_partners],
        partnerships=[partnership_line(p, lang) for p in shown],
        map_url=map_url(prefecture=name),
        listing=list_pages(
            path=f"/prefectures/{quote(name)}", total=len(listed), number=number, shown=len(shown)
        ),
    )


@router.get("/prefectures/{name}", response_class=HTMLResponse)
def prefecture(request: Request, session: SessionDep, name: str, page: str = "") -> HTMLResponse:
    return render_found(
        request,
        "portal/prefecture.html",
        lambda lang: prefecture_page(session=session, name=name, lang=lang, page=page),
    )


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
        if group_by == "prefecture":  # the service labels a prefecture by its name in both languages
            rows = [dataclasses.replace(r, label_en=prefecture_label(r.key, "en")) for r in rows]
        # A partnership counts in each of its fields: the total is of partnerships, not of the rows.
        total = (
            partnership_rows.partnership_count(session=session, concluded_only=True)
            if group_by == "field"
            else sum(r.count for r in rows)
        )
        groups.append(StatGroup(group_by, rows, total, max((r.count for r in rows), default=0)))
    return StatsPage(groups=groups)


@router.get("/stats", response_class=HTMLResponse)
def stats(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "portal/stats.html", stats_page(session=session))


STAT_COLUMNS = ("key", "label", "label_en", "count")


def stats_csv(rows: list[StatRow]) -> bytes:
    return write_csv(STAT_COLUMNS, ([r.key, r.label, r.label_en, r.count] for r in rows))


def stats_xlsx(rows: list[StatRow], group_by: str, about: list[list[str]] | None = None) -> bytes:
    return write_xlsx(
        STAT_COLUMNS,
        ([r.key, r.label, r.label_en, r.count] for r in rows),
        sheet_title=group_by,
        title=f"Partnerships by {group_by}",
        about=about or (),
    )


@router.get("/stats/{group_by}.{fmt}")
def stats_download(request: Request, session: SessionDep, group_by: str, fmt: str) -> Response:
    if group_by not in GROUP_BYS or fmt not in ("csv", "xlsx"):
        return not_found(request, f"no statistics download {group_by}.{fmt}")
    rows = portal_service.statistics(session=session, group_by=group_by)
    sources = portal_service.partnership_sources(session=session)
    headers = {
        "Content-Disposition": f'attachment; filename="partnerships-by-{group_by}.{fmt}"',
        "Link": licences.link_header(sources),
    }
    if fmt == "csv":
        return Response(stats_csv(rows), media_type=CSV_MEDIA_TYPE, headers=headers)
    about = licences.about_rows(sources)
    return Response(stats_xlsx(rows, group_by, about), media_type=XLSX_MEDIA_TYPE, headers=headers)
