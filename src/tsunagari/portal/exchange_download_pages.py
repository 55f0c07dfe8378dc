"""The CSV and XLSX of the exchange lists (programmes, the CLAIR cases, networks, awards), in the one shape
of portal.list_download_pages: the directory's own filters, organisers' and partners' JIS codes, fiscal years
as FY and as 和暦; thin views, no SQL here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tsunagari.common.fields import FIELD_LABELS
from tsunagari.common.spreadsheet import Cell
from tsunagari.dates import PartialDate, fiscal_year_label
from tsunagari.errors import InvalidInput
from tsunagari.exchange import award_service, benefit_service, network_service, programme_service
from tsunagari.exchange.benefit_models import BENEFIT_KIND_LABELS
from tsunagari.exchange.models import FORMAT_LABELS, NETWORK_KIND_LABELS
from tsunagari.exchange.pages import _fiscal_year_param, programme_directory_page
from tsunagari.municipality.benefit_pages import benefits_page
from tsunagari.portal.list_download_pages import download_response, lang_param
from tsunagari.portal.list_downloads import Column, Dated, ListTable, as_partial
from tsunagari.web.deps import SessionDep
from tsunagari.web.public_api import PublicCachedRoute
from tsunagari.web.rendering import label_of

downloads = APIRouter(include_in_schema=False, route_class=PublicCachedRoute)


def _programme_download(request: Request, session: Session, fmt: str, *, cases_only: bool) -> Response:
    params = request.query_params
    chosen = lang_param(params.get("lang", ""))
    page = programme_directory_page(
        session=session,
        lang=chosen,
        cases_only=cases_only,
        format=params.get("format", ""),
        field=params.get("field", ""),
        country=params.get("country", ""),
        fiscal_year=params.get("fiscal_year", ""),
        q=params.get("q", ""),
    )
    for name in page.errors:
        raise InvalidInput(
            f"{name}: “{params.get(name)}” is not understood", field=name, value=params.get(name)
        )
    found = programme_service.search_programmes(
        session=session,
        cases_only=cases_only,
        format=page.filters.format or None,
        field=page.filters.field or None,
        country=page.filters.country or None,
        fiscal_year=_fiscal_year_param(page.filters.fiscal_year),
        q=page.filters.q or None,
    )
    english = chosen == "en"
    rows: list[Sequence[Cell | PartialDate | Dated]] = []
    for p in found:
        years = programme_service.fiscal_years(p)
        owners = [o.municipality or o.organisation for o in p.owners]
        partners = [x.municipality for x in p.partners if x.resolved and x.municipality is not None]
        rows.append(
            [
                p.title,
                label_of(FORMAT_LABELS, p.format, chosen),
                _joined([label_of(FIELD_LABELS, c, chosen) for c in p.fields or []], english),
                _joined([_name(o, english) for o in owners], english),
                _joined(
                    [m.jis_code for m in (o.municipality for o in p.owners) if m is not None and m.jis_code],
                    english,
                ),
                _joined([_name(m, english) for m in partners], english),
                _joined([m.jis_code for m in partners if m.country == "JP" and m.jis_code], english),
                Dated(years.label_en(), years.label_ja()) if p.fiscal_years_text else None,
            ]
        )
    table = ListTable(
        "cases" if cases_only else "programmes",
        "Cases" if cases_only else "Programmes",
        (
            Column("Title"),
            Column("Format"),
            Column("Fields"),
            Column("Organisers"),
            Column("Organiser codes"),
            Column("Partners"),
            Column("Partner codes"),
            Column("Fiscal years", date=True),
        ),
        rows,
    )
    return download_response(request, table, fmt, chosen)


def _name(party: object, english: bool) -> str:
    name = getattr(party, "name", "") or ""
    name_en = getattr(party, "name_en", None)
    return (name_en or name) if english else name


def _joined(values: Sequence[str | None], english: bool) -> str:
    return (", " if english else "、").join(v for v in values if v)


@downloads.get("/programmes.{fmt}")
def programmes_download(
    request: Request,
    session: SessionDep,
    fmt: str,
    format: str = "",
    field: str = "",
    country: str = "",
    fiscal_year: str = "",
    q: str = "",
    lang: str = "",
) -> Response:
    return _programme_download(request, session, fmt, cases_only=False)


@downloads.get("/cases.{fmt}")
def cases_download(
    request: Request,
    session: SessionDep,
    fmt: str,
    format: str = "",
    field: str = "",
    country: str = "",
    fiscal_year: str = "",
    q: str = "",
    lang: str = "",
) -> Response:
    return _programme_download(request, session, fmt, cases_only=True)


@downloads.get("/networks.{fmt}")
def networks_download(request: Request, session: SessionDep, fmt: str, lang: str = "") -> Response:
    chosen = lang_param(lang)
    table = ListTable(
        "networks",
        "Networks",
        (
            Column("Name"),
            Column("English name"),
            Column("Kind"),
            Column("Founded", date=True),
            Column("Members"),
        ),
        [
            [
                n.name,
                n.name_en,
                label_of(NETWORK_KIND_LABELS, n.kind, chosen),
                PartialDate.from_parts(n.founded_on, n.founded_on_precision)
                if n.founded_on
                else (Dated(f"FY{n.founded_fy}", fiscal_year_label(n.founded_fy)) if n.founded_fy else None),
                n.member_count or len(n.memberships),
            ]
            for n in network_service.list_networks(session=session)
        ],
    )
    return download_response(request, table, fmt, chosen)


@downloads.get("/awards.{fmt}")
def awards_download(request: Request, session: SessionDep, fmt: str, lang: str = "") -> Response:
    chosen = lang_param(lang)
    english = chosen == "en"
    rows: list[Sequence[Cell | PartialDate | Dated]] = []
    for a in award_service.list_awards(session=session):
        recipient = a.recipient_municipality or a.recipient_organisation
        rows.append(
            [
                a.name,
                a.edition,
                Dated(f"FY{a.fiscal_year}", fiscal_year_label(a.fiscal_year)) if a.fiscal_year else None,
                a.prize,
                _name(recipient, english),
                a.recipient_municipality.jis_code if a.recipient_municipality else None,
                _joined([_name(p.municipality, english) for p in a.partners], english),
                a.programme.title if a.programme else None,
            ]
        )
    table = ListTable(
        "awards",
        "Awards",
        (
            Column("Award"),
            Column("Edition"),
            Column("Award year", date=True),
            Column("Prize"),
            Column("Recipient"),
            Column("Recipient code"),
            Column("Partners"),
            Column("Programme"),
        ),
        rows,
    )
    return download_response(request, table, fmt, chosen)


@downloads.get("/benefits.{fmt}")
def benefits_download(
    request: Request,
    session: SessionDep,
    fmt: str,
    municipality: Annotated[str, Query(max_length=20)] = "",
    kind: Annotated[str, Query(max_length=40)] = "",
    lang: str = "",
) -> Response:
    """The current citizen benefits /benefits lists, with its filters; a filter it cannot read is a 422."""
    chosen = lang_param(lang)
    english = chosen == "en"
    page = benefits_page(session=session, lang=chosen, municipality=municipality, kind=kind)
    if page.errors:
        field_name, value, reason = page.errors[0]
        raise InvalidInput(reason, field=field_name, value=value)
    rows: list[Sequence[Cell | PartialDate | Dated]] = []
    for b in benefit_service.list_benefits(
        session=session,
        today=dt.date.today(),
        municipality_id=int(page.municipality) if page.municipality else None,
        kind=page.kind or None,
    ):
        tie = b.partnership
        partner = None
        if tie is not None:
            partner = (
                tie.partner_municipality
                if tie.home_municipality_id == b.municipality_id
                else tie.home_municipality
            )
        rows.append(
            [
                label_of(BENEFIT_KIND_LABELS, b.kind, chosen),
                b.title,
                _name(b.municipality, english),
                b.municipality.jis_code,
                _name(partner, english) if partner is not None else None,
                as_partial(b.valid_from),
                as_partial(b.valid_until),
                as_partial(b.deadline),
                b.cost_yen,
                b.apply_url,
            ]
        )
    table = ListTable(
        "benefits",
        "Citizen benefits",
        (
            Column("Kind"),
            Column("Name"),
            Column("Municipality"),
            Column("Municipality code"),
            Column("Partner"),
            Column("Starts", date=True),
            Column("Valid until", date=True),
            Column("Deadline", date=True),
            Column("Cost to you"),
            Column("How to apply"),
        ),
        rows,
    )
    return download_response(request, table, fmt, chosen)
