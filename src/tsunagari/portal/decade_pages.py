"""The decade view (締結の年代): /decades counts partnerships by the decade they were signed in, and a page
per decade lists them, each with its CSV and XLSX (portal.list_download_pages); thin views, no SQL here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from tsunagari.common.page import Page
from tsunagari.dates import wareki_year
from tsunagari.errors import NotFound
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.models import Partnership
from tsunagari.partnership.pages import PartnershipLine, partnership_line
from tsunagari.portal import service as portal_service
from tsunagari.portal.directory_pages import FIRST_YEAR, LAST_YEAR
from tsunagari.portal.list_download_pages import download_response, lang_param, partnership_table
from tsunagari.portal.list_downloads import Column, Dated, ListTable
from tsunagari.portal.pages import LIST_PAGE_SIZE, ListPages, list_pages, page_number
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.i18n import gettext
from tsunagari.web.public_api import PublicCachedRoute
from tsunagari.web.rendering import Lang, not_found, render_found

router = page_router()
"""The decade pages (HTML: the language may come from the cookie)."""
downloads = APIRouter(include_in_schema=False, route_class=PublicCachedRoute)
"""Their downloads (the language from `?lang=` only)."""


@dataclass(frozen=True)
class DecadeRow:
    decade: int | None
    label: str
    count: int


@dataclass(frozen=True)
class DecadesPage:
    rows: list[DecadeRow]
    total: int


@dataclass(frozen=True)
class DecadePage:
    decade: int
    label: str
    partnerships: list[PartnershipLine]
    """This page's part of the list (LIST_PAGE_SIZE at a time)."""
    listing: ListPages
    previous: int | None
    next: int | None


def _decade_label(decade: int | None, lang: Lang) -> str:
    if decade is None:
        return gettext(lang, "Date unknown")
    return f"{decade}s" if lang == "en" else f"{decade}年代"


def decades_page(*, session: Session, lang: Lang) -> DecadesPage:
    """締結の年代: partnerships in force or ended, counted by the decade they were signed in."""
    rows = [
        DecadeRow(None if r.key == "unknown" else int(r.key[:-1]), "", r.count)
        for r in portal_service.statistics(session=session, group_by="decade")
    ]
    rows = [DecadeRow(r.decade, _decade_label(r.decade, lang), r.count) for r in rows]
    return DecadesPage(rows, sum(r.count for r in rows))


def _decade(text: str) -> int:
    if not (
        text.isdigit()
        and len(text) == 4
        and text.endswith("0")
        and FIRST_YEAR - 100 <= int(text) <= LAST_YEAR
    ):
        raise NotFound(f"no decade {text}: write it as 1990")
    return int(text)


def _decade_partnerships(
    session: Session, decade: int, *, limit: int = 1_000_000, offset: int = 0
) -> Page[Partnership]:
    return partnership_rows.list_partnerships(
        session=session,
        signed_from=dt.date(decade, 1, 1),
        signed_to=dt.date(decade + 9, 12, 31),
        limit=limit,
        offset=offset,
    )


def decade_page(*, session: Session, decade: str, lang: Lang, page: str = "") -> DecadePage:
    """The partnerships signed in one decade (1990 → 1990–1999), as a country page lists its own."""
    start = _decade(decade)
    number = page_number(page)
    listed = _decade_partnerships(session, start, limit=LIST_PAGE_SIZE, offset=(number - 1) * LIST_PAGE_SIZE)
    known = [r.decade for r in decades_page(session=session, lang=lang).rows if r.decade is not None]
    return DecadePage(
        decade=start,
        label=_decade_label(start, lang),
        partnerships=[partnership_line(p, lang) for p in listed.items],
        listing=list_pages(
            path=f"/decades/{start}", total=listed.total, number=number, shown=len(listed.items)
        ),
        previous=max((d for d in known if d < start), default=None),
        next=min((d for d in known if d > start), default=None),
    )


@router.get("/decades", response_class=HTMLResponse)
def decades(request: Request, session: SessionDep) -> HTMLResponse:
    return render_found(request, "portal/decades.html", lambda lang: decades_page(session=session, lang=lang))


@router.get("/decades/{decade}", response_class=HTMLResponse)
def decade(request: Request, session: SessionDep, decade: str, page: str = "") -> HTMLResponse:
    return render_found(
        request,
        "portal/decade.html",
        lambda lang: decade_page(session=session, decade=decade, lang=lang, page=page),
    )


@downloads.get("/decades.{fmt}")
def decades_download(request: Request, session: SessionDep, fmt: str, lang: str = "") -> Response:
    chosen = lang_param(lang)
    page = decades_page(session=session, lang=chosen)
    table = ListTable(
        "partnerships-by-decade",
        "Partnerships by decade",
        (Column("Decade"), Column("Decade", date=True), Column("Partnerships")),
        [
            [
                r.label,
                Dated(f"{r.decade}–{r.decade + 9}", f"{wareki_year(r.decade)}〜{wareki_year(r.decade + 9)}")
                if r.decade is not None
                else None,
                r.count,
            ]
            for r in page.rows
        ],
    )
    return download_response(request, table, fmt, chosen)


@downloads.get("/decades/{decade}/partnerships.{fmt}")
def decade_download(request: Request, session: SessionDep, decade: str, fmt: str, lang: str = "") -> Response:
    try:
        start = _decade(decade)
    except NotFound as error:
        return not_found(request, str(error))
    table = partnership_table(
        _decade_partnerships(session, start).items,
        stem=f"partnerships-{start}s",
        title="Partnerships by decade",
        lang=lang_param(lang),
    )
    return download_response(request, table, fmt, lang_param(lang))
