"""Public HTML page of a partnership, and the partnership line and labels other pages list partnerships
with: thin views over the services, each page's context a dataclass (no SQL here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagari.common.fields import FIELD_LABELS
from tsunagari.dates import PartialDate
from tsunagari.demo.citations import citation
from tsunagari.municipality.benefit_pages import BenefitView, benefit_views
from tsunagari.municipality.pages import MunicipalityRef, municipality_ref, region_label, text_lang
from tsunagari.municipality.publication_pages import PublicationView, publication_views
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, STATUS_LABELS, Partnership
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.rendering import (
    Lang,
    country_name,
    format_date,
    label_of,
    map_json,
    render_found,
)

router = page_router()


# --------------------------------------------------------------------------- shared view pieces
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


def partnership_line(p: Partnership, lang: Lang) -> PartnershipLine:
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
        partner_country=country_name(other.country if other else None, lang),
        type_label=type_label(p.type, lang),
        signed=format_date(signed, lang),
        status_label=status_label(p.status, lang),
    )


def type_label(code: str, lang: Lang) -> str:
    return label_of(PARTNERSHIP_TYPE_LABELS, code, lang)


def status_label(code: str, lang: Lang) -> str:
    return label_of(STATUS_LABELS, code, lang)


# --------------------------------------------------------------------------- partnership page
@dataclass(frozen=True)
class PartyView:
    name: str
    name_en: str | None
    region: str | None
    country_name: str
    municipality_id: int | None

    def label(self, lang: Lang) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name

    def label_lang(self, lang: Lang) -> str:
        return "en" if lang == "en" and self.name_en else "ja"

    @property
    def region_lang(self) -> str:
        return text_lang(self.region)


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
    field_labels: list[str]
    """交流分野 in the page's language, in the order the tie took them up."""
    criteria: list[tuple[str, bool | None]]
    counts_as_sister_friendship: bool
    source: str | None
    map_lines: str
    publications: list[PublicationView]
    """公表 (seed 002): official visits between the two parties or of the partnership's programmes."""
    benefits: list[BenefitView]
    """市民向けの特典 offered through this partnership, current ones only."""


def _party(p: Partnership, side: Literal["home", "partner"], lang: Lang) -> PartyView:
    m = p.home_municipality if side == "home" else p.partner_municipality
    o = p.home_organisation if side == "home" else p.partner_organisation
    if m is not None:
        return PartyView(
            m.name, m.name_en, region_label(m.region, m.country, lang), country_name(m.country, lang), m.id
        )
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
            for line in partnership_rows.partnerships_for_map(
                session=session, municipality_id=p.home_municipality_id
            )
            if line["id"] == p.id
        ]
        if p.home_municipality_id
        else []
    )
    return PartnershipPage(
        id=p.id,
        type_label=type_label(p.type, lang),
        home=_party(p, "home", lang),
        partner=_party(p, "partner", lang),
        signed=format_date(signed, lang),
        years_since_signing=years,
        status_label=status_label(p.status, lang),
        suspended=format_date(PartialDate.from_parts(p.suspended_on, p.suspended_on_precision), lang),
        ended=format_date(PartialDate.from_parts(p.ended_on, p.ended_on_precision), lang),
        origin=p.origin,
        notes=p.notes,
        inherited_through_merger=p.inherited_through_merger,
        via=municipality_ref(p.via_municipality, lang) if p.via_municipality else None,
        field_labels=[label_of(FIELD_LABELS, code, lang) for code in p.fields or []],
        criteria=[
            ("criterion_signed_by_heads", p.criterion_signed_by_heads),
            ("criterion_multi_field", p.criterion_multi_field),
            ("criterion_council_approved", p.criterion_council_approved),
        ],
        counts_as_sister_friendship=p.counts_as_sister_friendship,
        source=citation(p.source),
        map_lines=map_json(lines),
        publications=publication_views(session=session, lang=lang, partnership_id=p.id),
        benefits=benefit_views(session=session, lang=lang, partnership_id=p.id),
    )


@router.get("/partnerships/{partnership_id}", response_class=HTMLResponse)
def partnership(request: Request, session: SessionDep, partnership_id: int) -> HTMLResponse:
    return render_found(
        request,
        "partnership/partnership.html",
        lambda lang: partnership_page(session=session, partnership_id=partnership_id, lang=lang),
    )
