"""Every public list page's CSV and XLSX download (portal.list_downloads' one shape): the shared response,
the partnership table, and the downloads of the portal's and a municipality's lists; thin views over the
read services and the pages' own builders, no SQL here (decade_pages and exchange_download_pages add theirs).

Downloads are public cached routes: the language comes from `?lang=` only (the cache keys on the address,
never on a cookie), and an unknown query parameter answers 422 naming it, as the public API does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from tsunagari.common.spreadsheet import Cell
from tsunagari.dates import PartialDate
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.municipality.pages import kind_label, region_label
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, STATUS_LABELS, Partnership
from tsunagari.policy import publication_service
from tsunagari.portal import directory_service
from tsunagari.portal import service as portal_service
from tsunagari.portal.directory_pages import FIRST_YEAR, LAST_YEAR, countries_page, prefectures_page
from tsunagari.portal.list_downloads import (
    FORMATS,
    MEDIA_TYPES,
    Column,
    Dated,
    Format,
    ListTable,
    link_header,
    table_bytes,
)
from tsunagari.portal.pages import prefecture_label, search_page, stats_page
from tsunagari.reference import countries, japan
from tsunagari.web.deps import SessionDep
from tsunagari.web.i18n import gettext
from tsunagari.web.public_api import PublicCachedRoute
from tsunagari.web.rendering import Lang, country_name, label_of, not_found, partial_date

downloads = APIRouter(include_in_schema=False, route_class=PublicCachedRoute)
"""Every list page's downloads."""


def lang_param(lang: str) -> Lang:
    return "en" if lang == "en" else "ja"


def download_response(request: Request, table: ListTable, fmt: str, lang: Lang) -> Response:
    """The table as `fmt` with its licence in the Link header (and on the workbook's "about" sheet)."""
    chosen: Format | None = next((f for f in FORMATS if f == fmt), None)
    if chosen is None:
        return not_found(request, f"no download format {fmt}: csv or xlsx")
    body = table_bytes(table, chosen, lambda message: gettext(lang, message))
    return Response(
        body,
        media_type=MEDIA_TYPES[chosen],
        headers={
            "Content-Disposition": f'attachment; filename="{table.stem}.{chosen}"',
            "Link": link_header(table),
        },
    )


# --------------------------------------------------------------------------- partnerships
PARTNERSHIP_COLUMNS: tuple[Column, ...] = (
    Column("Municipality"),
    Column("Municipality code"),
    Column("Prefecture / region"),
    Column("Partner"),
    Column("Partner code"),
    Column("Partner region"),
    Column("Partner country"),
    Column("Type"),
    Column("Signed on", date=True),
    Column("Status"),
)


def _party(p: Partnership, side: str, lang: Lang) -> tuple[str, str | None, str | None]:
    """A party's name in the language, its JIS code (Japanese municipalities) and its region."""
    m = p.home_municipality if side == "home" else p.partner_municipality
    o = p.home_organisation if side == "home" else p.partner_organisation
    if m is not None:
        name = (m.name_en or m.name) if lang == "en" else m.name
        return name, m.jis_code if m.country == "JP" else None, region_label(m.region, m.country, lang)
    assert o is not None
    return ((o.name_en or o.name) if lang == "en" else o.name), None, None


def partnership_table(partnerships: Sequence[Partnership], *, stem: str, title: str, lang: Lang) -> ListTable:
    rows: list[Sequence[Cell | PartialDate | Dated]] = []
    for p in partnerships:
        home, home_code, home_region = _party(p, "home", lang)
        partner, partner_code, partner_region = _party(p, "partner", lang)
        other = p.partner_municipality
        rows.append(
            [
                home,
                home_code,
                home_region,
                partner,
                partner_code,
                partner_region,
                country_name(other.country if other else None, lang),
                label_of(PARTNERSHIP_TYPE_LABELS, p.type, lang),
                PartialDate.from_parts(p.signed_on, p.signed_on_precision),
                label_of(STATUS_LABELS, p.status, lang),
            ]
        )
    return ListTable(stem, title, PARTNERSHIP_COLUMNS, rows, [p.source for p in partnerships])


def _all(
    session: Session, *, country: str | None = None, municipality_ids: set[int] | None = None
) -> Sequence[Partnership]:
    """Every partnership a country or prefecture page lists, over all its pages."""
    return partnership_rows.list_partnerships(
        session=session, country=country, municipality_ids=municipality_ids, limit=1_000_000
    ).items


@downloads.get("/countries/{alpha2}/partnerships.{fmt}")
def country_download(
    request: Request, session: SessionDep, alpha2: str, fmt: str, lang: str = ""
) -> Response:
    """A country page's partnerships, as the page lists them."""
    try:
        found = countries.country(alpha2)
    except InvalidInput:
        return not_found(request, f"no country {alpha2}")
    table = partnership_table(
        _all(session, country=found.alpha2),
        stem=f"partnerships-{found.alpha2}",
        title="Partnerships by country",
        lang=lang_param(lang),
    )
    return download_response(request, table, fmt, lang_param(lang))


@downloads.get("/prefectures/{name}/partnerships.{fmt}")
def prefecture_download(
    request: Request, session: SessionDep, name: str, fmt: str, lang: str = ""
) -> Response:
    """A prefecture page's partnerships (either party in the prefecture)."""
    if name not in japan.prefecture_names():
        return not_found(request, f"no prefecture {name}")
    members = portal_service.search_municipalities(
        session=session, country="JP", prefecture=name, limit=10_000
    )
    code = next(g.code[:2] for g in japan.by_name(name) if g.kind == "prefecture")
    table = partnership_table(
        _all(session, municipality_ids={m.id for m in members.items}),
        stem=f"partnerships-prefecture-{code}",
        title="Partnerships by prefecture",
        lang=lang_param(lang),
    )
    return download_response(request, table, fmt, lang_param(lang))


# --------------------------------------------------------------------------- anniversaries
@downloads.get("/anniversaries/{year}/partnerships.{fmt}")
def anniversaries_download(
    request: Request, session: SessionDep, year: int, fmt: str, lang: str = ""
) -> Response:
    """The partnerships reaching an anniversary in `year`, with both parties' JIS codes."""
    chosen = lang_param(lang)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return not_found(request, f"no anniversaries page for {year}")
    found = portal_service.anniversaries(session=session, year=year)
    ids = {i for a in found for i in (a.municipality_id, a.partner_id) if i is not None}
    codes = directory_service.jis_codes(session=session, municipality_ids=ids)
    english = directory_service.english_names(session=session, municipality_ids=ids) if chosen == "en" else {}

    def name(party_id: int | None, written: str) -> str:
        return english.get(party_id, written) if party_id is not None else written

    table = ListTable(
        f"anniversaries-{year}",
        "Anniversaries",
        (
            Column("Municipality"),
            Column("Municipality code"),
            Column("Partner"),
            Column("Partner code"),
            Column("Type"),
            Column("Signed on", date=True),
            Column("Years"),
        ),
        [
            [
                name(a.municipality_id, a.municipality),
                codes.get(a.municipality_id) if a.municipality_id else None,
                name(a.partner_id, a.partner),
                codes.get(a.partner_id) if a.partner_id else None,
                label_of(PARTNERSHIP_TYPE_LABELS, a.type, chosen),
                partial_date(a.signed_on, _precision(a.signed_on)) if a.signed_on else None,
                a.years,
            ]
            for a in found
        ],
    )
    return download_response(request, table, fmt, chosen)


def _precision(iso: str) -> str:
    """How precise an ISO date a read model carries is: 1992, 1992-04 or 1992-04-21."""
    return {4: "year", 7: "month"}.get(len(iso), "day")


# --------------------------------------------------------------------------- a municipality's partners
@downloads.get("/municipalities/{municipality_id}/partners.{fmt}")
def partners_download(
    request: Request, session: SessionDep, municipality_id: int, fmt: str, lang: str = ""
) -> Response:
    """A municipality page's partners, domestic and international, with each partner's JIS code."""
    chosen = lang_param(lang)
    try:
        m = portal_service.municipality_record(session=session, municipality_id=municipality_id)
    except NotFound as error:
        return not_found(request, str(error))
    found = partnership_rows.partner_rows(session=session, municipality=m)
    codes = directory_service.jis_codes(
        session=session, municipality_ids={r.partner_id for r in found if r.partner_kind == "municipality"}
    )
    table = ListTable(
        f"partners-{m.jis_code or m.id}",
        "Partners",
        (
            Column("Partner"),
            Column("Partner code"),
            Column("Partner region"),
            Column("Partner country"),
            Column("Type"),
            Column("Signed on", date=True),
            Column("Status"),
        ),
        [
            [
                (r.name_en or r.name) if chosen == "en" else r.name,
                codes.get(r.partner_id) if r.partner_kind == "municipality" and r.country == "JP" else None,
                region_label(r.region, r.country, chosen),
                country_name(r.country, chosen),
                r.type_label_en if chosen == "en" else r.type_label,
                partial_date(r.signed_on, r.precision),
                label_of(STATUS_LABELS, r.status, chosen),
            ]
            for r in found
        ],
    )
    return download_response(request, table, fmt, chosen)


@downloads.get("/municipalities/{municipality_id}/publications.{fmt}")
def publications_download(
    request: Request, session: SessionDep, municipality_id: int, fmt: str, lang: str = ""
) -> Response:
    """A municipality's published visits (公表): purpose, results, public cost and participants."""
    chosen = lang_param(lang)
    try:
        m = portal_service.municipality_record(session=session, municipality_id=municipality_id)
    except NotFound as error:
        return not_found(request, str(error))
    found = publication_service.publications(session=session, today=dt.date.today(), municipality_id=m.id)

    def party(p: publication_service.Party | None) -> str | None:
        if p is None:
            return None
        return (p.name_en or p.name) if chosen == "en" else p.name

    table = ListTable(
        f"publications-{m.jis_code or m.id}",
        "Publications",
        (
            Column("Programme"),
            Column("Activity"),
            Column("Starts", date=True),
            Column("Ends", date=True),
            Column("Visiting"),
            Column("Destination"),
            Column("Purpose"),
            Column("Purpose published", date=True),
            Column("Results"),
            Column("Report published", date=True),
            Column("Public cost (yen)"),
            Column("Participants"),
        ),
        [
            [
                p.programme_title,
                p.title,
                PartialDate.from_parts(p.start_on, p.start_on_precision),
                PartialDate.from_parts(p.end_on, p.end_on_precision),
                party(p.visiting),
                party(p.destination),
                p.purpose,
                PartialDate.from_parts(p.purpose_published_on, "day"),
                p.outcomes,
                PartialDate.from_parts(p.report_published_on, "day"),
                p.public_cost,
                p.participant_total,
            ]
            for p in found
        ],
    )
    return download_response(request, table, fmt, chosen)


# --------------------------------------------------------------------------- search and indexes
@downloads.get("/search.{fmt}")
def search_download(
    request: Request,
    session: SessionDep,
    fmt: str,
    q: str = "",
    prefecture: str = "",
    country: str = "",
    type: str = "",
    field: str = "",
    lang: str = "",
) -> Response:
    """Every result of a search (not one page of it), each municipality with its JIS code."""
    chosen = lang_param(lang)
    checked = search_page(
        session=session,
        q=q,
        lang=chosen,
        prefecture=prefecture,
        country=country,
        type_=type,
        exchange_field=field,
    )
    for name, value in checked.errors.items():
        raise InvalidInput(f"{name}: “{value}” is not one of the choices", field=name, value=value)
    if checked.error:
        raise InvalidInput(checked.error, field="q", value=q)
    items: list[Row[Any]] = []
    if checked.searched:
        found = portal_service.search_municipalities(
            session=session,
            q=q or None,
            country=country or None,
            prefecture=prefecture or None,
            limit=1_000_000,
        ).items
        if type:
            kept = directory_service.municipality_ids_with_partnership_type(
                session=session, partnership_type=type
            )
            found = [m for m in found if m.id in kept]
        if field:
            kept = portal_service.municipality_ids_with_partnership_field(session=session, field=field)
            found = [m for m in found if m.id in kept]
        items = list(found)
    table = ListTable(
        "search",
        "Search",
        (
            Column("Name"),
            Column("English name"),
            Column("Reading"),
            Column("Municipality code"),
            Column("Prefecture / region"),
            Column("Country"),
            Column("Kind"),
        ),
        [
            [
                m.name,
                m.name_en,
                m.kana,
                m.jis_code,
                region_label(m.region, m.country, chosen),
                country_name(m.country, chosen),
                kind_label(m.kind, chosen),
            ]
            for m in items
        ],
    )
    return download_response(request, table, fmt, chosen)


@downloads.get("/prefectures.{fmt}")
def prefectures_download(request: Request, session: SessionDep, fmt: str, lang: str = "") -> Response:
    chosen = lang_param(lang)
    page = prefectures_page(session=session, lang=chosen)
    table = ListTable(
        "partnerships-by-prefecture",
        "Partnerships by prefecture",
        (
            Column("Prefecture code"),
            Column("Prefecture"),
            Column("Prefecture (other language)"),
            Column("Partnerships"),
        ),
        [[_prefecture_code(r.key), r.label, r.label_other, r.count] for r in page.rows],
    )
    return download_response(request, table, fmt, chosen)


def _prefecture_code(name: str) -> str | None:
    return next((g.code[:2] for g in japan.by_name(name) if g.kind == "prefecture"), None)


@downloads.get("/countries.{fmt}")
def countries_download(request: Request, session: SessionDep, fmt: str, lang: str = "") -> Response:
    chosen = lang_param(lang)
    page = countries_page(session=session, lang=chosen)
    table = ListTable(
        "partnerships-by-country",
        "Partnerships by country",
        (
            Column("Country code"),
            Column("Country"),
            Column("Country (other language)"),
            Column("Partnerships"),
        ),
        [[r.key, r.label, r.label_other, r.count] for r in page.rows],
    )
    return download_response(request, table, fmt, chosen)


STAT_TITLES: dict[str, str] = {
    "country": "By country",
    "prefecture": "By prefecture",
    "type": "By type",
    "decade": "By decade",
    "field": "By field",
}


@downloads.get("/stats.{fmt}")
def stats_table_download(request: Request, session: SessionDep, fmt: str, lang: str = "") -> Response:
    """The statistics page's tables in one sheet: grouping, label, partnerships (the per-grouping code
    downloads /stats/{group_by}.csv keep their columns)."""
    chosen = lang_param(lang)
    rows: list[Sequence[Cell | PartialDate | Dated]] = []
    for group in stats_page(session=session).groups:
        for r in group.rows:
            label = r.label_en if chosen == "en" else r.label
            if group.group_by == "prefecture":
                label = prefecture_label(r.key, chosen)
            rows.append([gettext(chosen, STAT_TITLES.get(group.group_by, group.group_by)), label, r.count])
    table = ListTable(
        "statistics",
        "Statistics",
        (Column("Grouping"), Column("Label"), Column("Partnerships")),
        rows,
        portal_service.partnership_sources(session=session),
    )
    return download_response(request, table, fmt, chosen)
