"""Public directory pages: the map of every partnership, anniversaries of any year, the indexes of
prefectures and countries; thin views over the read services (no SQL here), each page's context a
dataclass. Their downloads are in list_download_pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from tsunagari.errors import NotFound
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS
from tsunagari.portal import service as portal_service
from tsunagari.portal.pages import AnniversaryRow, Choice, anniversary_rows, map_url, prefecture_label
from tsunagari.reference import japan
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.rendering import (
    Lang,
    country_name,
    label_of,
    lang_of,
    not_found,
    render,
    render_found,
)

router = page_router()

FIRST_YEAR, LAST_YEAR = 1900, 2100
"""Anniversary pages exist for these years (the service accepts a wider range for the API)."""


# --------------------------------------------------------------------------- map
@dataclass(frozen=True)
class MapPage:
    type: str
    country: str
    types: list[Choice]
    countries: list[Choice]
    map_url: str
    """Where the map fetches its lines ("" when the filters were refused: no map)."""
    count: int
    errors: dict[str, str]


def map_page(*, session: Session, lang: Lang, type_: str, country: str) -> MapPage:
    """Every partnership with known coordinates, filtered by type and by either party's country."""
    country_rows = portal_service.statistics(session=session, group_by="country")
    choices = sorted(
        (Choice(r.key, country_name(r.key, lang)) for r in country_rows if r.key not in ("unknown", "JP")),
        key=lambda c: c.label,
    )
    errors: dict[str, str] = {}
    if type_ and type_ not in PARTNERSHIP_TYPE_LABELS:
        errors["type"] = type_
    if country and country.upper() not in {c.value for c in choices}:
        errors["country"] = country
    count, url = 0, ""
    if not errors:
        count = partnership_rows.map_line_count(
            session=session, country=country.upper() or None, type_=type_ or None
        )
        url = map_url(type=type_, country=country.upper())
    return MapPage(
        type=type_,
        country=country,
        types=[
            Choice(code, label_of(PARTNERSHIP_TYPE_LABELS, code, lang)) for code in PARTNERSHIP_TYPE_LABELS
        ],
        countries=choices,
        map_url=url,
        count=count,
        errors=errors,
    )


@router.get("/map", response_class=HTMLResponse)
def map_view(request: Request, session: SessionDep, type: str = "", country: str = "") -> HTMLResponse:
    page = map_page(session=session, lang=lang_of(request), type_=type, country=country)
    return render(request, "portal/map.html", page, status_code=422 if page.errors else 200)


# --------------------------------------------------------------------------- anniversaries
@dataclass(frozen=True)
class AnniversariesPage:
    year: int
    anniversaries: list[AnniversaryRow]
    previous_year: int | None
    next_year: int | None
    years: list[int]


def anniversaries_page(*, session: Session, year: int, lang: Lang) -> AnniversariesPage:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound(f"no anniversaries page for {year}: choose a year from {FIRST_YEAR} to {LAST_YEAR}")
    this_year = dt.date.today().year
    return AnniversariesPage(
        year=year,
        anniversaries=anniversary_rows(session=session, year=year, lang=lang),
        previous_year=year - 1 if year > FIRST_YEAR else None,
        next_year=year + 1 if year < LAST_YEAR else None,
        years=list(range(this_year - 1, this_year + 6)),
    )


@router.get("/anniversaries", response_model=None)
def anniversaries_index(request: Request, year: str = "") -> RedirectResponse | HTMLResponse:
    """/anniversaries?year=2027 (the form's address) leads to /anniversaries/2027; no year: this one."""
    if not year:
        return RedirectResponse(f"/anniversaries/{dt.date.today().year}", status_code=303)
    if not year.isdigit():
        return not_found(request, f"year “{year}” is not a year: write it as 2027")
    return RedirectResponse(f"/anniversaries/{int(year)}", status_code=303)


@router.get("/anniversaries/{year}", response_class=HTMLResponse)
def anniversaries(request: Request, session: SessionDep, year: int) -> HTMLResponse:
    return render_found(
        request,
        "portal/anniversaries.html",
        lambda lang: anniversaries_page(session=session, year=year, lang=lang),
    )


# --------------------------------------------------------------------------- indexes
@dataclass(frozen=True)
class IndexRow:
    key: str
    label: str
    label_other: str
    count: int
    url: str | None


@dataclass(frozen=True)
class IndexPage:
    kind: Literal["prefectures", "countries"]
    rows: list[IndexRow]
    total: int


def prefectures_page(*, session: Session, lang: Lang) -> IndexPage:
    """All 47 prefectures in code order, each with its partnerships (zero included)."""
    counts = {r.key: r.count for r in portal_service.statistics(session=session, group_by="prefecture")}
    rows = []
    for name in japan.prefecture_names():
        english = prefecture_label(name, "en")
        label, other = (english, name) if lang == "en" else (name, english)
        rows.append(IndexRow(name, label, other, counts.get(name, 0), f"/prefectures/{name}"))
    return IndexPage("prefectures", rows, sum(r.count for r in rows))


def countries_page(*, session: Session, lang: Lang) -> IndexPage:
    """Every partner country with its partnerships, most first."""
    rows = []
    for r in portal_service.statistics(session=session, group_by="country"):
        if r.key in ("unknown", "JP"):
            continue
        label, other = (r.label_en, r.label) if lang == "en" else (r.label, r.label_en)
        rows.append(IndexRow(r.key, label, other, r.count, f"/countries/{r.key}"))
    return IndexPage("countries", rows, sum(r.count for r in rows))


@router.get("/prefectures", response_class=HTMLResponse)
def prefectures(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "portal/index.html", prefectures_page(session=session, lang=lang_of(request)))


@router.get("/countries", response_class=HTMLResponse)
def countries_index(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "portal/index.html", countries_page(session=session, lang=lang_of(request)))


# The country and prefecture pages' downloads are list downloads: portal.list_download_pages.
