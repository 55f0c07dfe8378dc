"""Citizen benefits (市民向けの特典) as residents see them: the view the municipality and partnership pages
show in a block, the public `/benefits` page (current offers, filtered by municipality and kind), and a
municipality's iCalendar feed of upcoming activities open to citizens; thin: reads through
`exchange.benefit_service`, no SQL.

It lives beside the municipality page, whose block it first was, as `publication_pages` does, so that the
partnership page can show the same block. "Open to citizens" is read from the benefits: an activity
record has no such flag, so the feed lists benefits of kind `event` on their days and the application
deadlines of the other current offers (docs/analyses.md)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from icalendar import Calendar, Event
from sqlalchemy.orm import Session

from tsunagari.common.links import safe_href
from tsunagari.dates import PartialDate
from tsunagari.demo.citations import citation
from tsunagari.errors import NotFound
from tsunagari.exchange import benefit_service
from tsunagari.exchange.benefit_models import BENEFIT_KIND_LABELS, Benefit, BenefitKind
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.publication_pages import yen
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.rendering import Lang, format_date, label_of, lang_of, not_found, render

router = page_router()
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
MEDIA_TYPE = "text/calendar; charset=utf-8"
PRODUCT = "-//Tsunagari//Citizen activities//JA"


# --------------------------------------------------------------------------- one benefit as shown
def text_lang(text: str | None) -> str:
    """The language tag of a stored text: "ja" when it is written in Japanese, else "en" (as the
    municipality page tags its texts; not imported from there, which imports this module)."""
    return "ja" if text and _JAPANESE.search(text) else "en"


@dataclass(frozen=True)
class BenefitView:
    id: int
    kind: str
    kind_label: str
    title: str
    title_lang: str
    description: str | None
    eligibility: str | None
    how_to_apply: str | None
    apply_href: str
    """The link to apply as an href: http(s) only, "" otherwise."""
    deadline: str
    deadline_passed: bool
    period: str
    upcoming: bool
    """It starts after today."""
    cost: str
    cost_note: str | None
    source: str | None
    municipality_id: int
    municipality: str
    municipality_lang: str
    partnership_id: int | None
    partner: str | None
    partner_lang: str
    programme_id: int | None
    programme_title: str | None

    def text_lang(self, text: str | None) -> str:
        return text_lang(text)


def _day(value: dt.date | None, lang: Lang) -> str:
    return format_date(PartialDate.from_parts(value, "day"), lang) if value else ""


def period_text(start: dt.date | None, end: dt.date | None, lang: Lang) -> str:
    """有効期間: 2026年4月1日（令和8年4月1日）〜2027年3月31日（…） / 2026-04-01 – 2027-03-31."""
    first, last = _day(start, lang), _day(end, lang)
    if first and last:
        return first if start == end else (f"{first}〜{last}" if lang == "ja" else f"{first} – {last}")
    if first:
        return f"{first}から" if lang == "ja" else f"from {first}"
    if last:
        return f"{last}まで" if lang == "ja" else f"until {last}"
    return ""


def cost_amount(cost_yen: int | None, lang: Lang) -> str:
    """What a resident pays: 無料 / Free for 0, 150,000円 / ¥150,000, "" when not stated."""
    if cost_yen is None:
        return ""
    if cost_yen == 0:
        return "無料" if lang == "ja" else "Free"
    return yen(cost_yen, lang)


def _name(name: str, name_en: str | None, lang: Lang) -> tuple[str, str]:
    """A party's name in the page's language and its language tag."""
    if lang == "en" and name_en:
        return name_en, "en"
    return name, "ja"


def benefit_view(b: Benefit, lang: Lang, today: dt.date) -> BenefitView:
    municipality, municipality_lang = _name(b.municipality.name, b.municipality.name_en, lang)
    partner = partner_lang = None
    p = b.partnership
    if p is not None:
        other = p.partner_municipality if p.home_municipality_id == b.municipality_id else p.home_municipality
        other_org = (
            p.partner_organisation if p.home_municipality_id == b.municipality_id else p.home_organisation
        )
        party = other or other_org
        if party is not None:
            partner, partner_lang = _name(party.name, party.name_en, lang)
    return BenefitView(
        id=b.id,
        kind=b.kind,
        kind_label=label_of(BENEFIT_KIND_LABELS, b.kind, lang),
        title=b.title,
        title_lang=text_lang(b.title),
        description=b.description,
        eligibility=b.eligibility,
        how_to_apply=b.how_to_apply,
        apply_href=safe_href(b.apply_url),
        deadline=_day(b.deadline, lang),
        deadline_passed=b.deadline is not None and b.deadline < today,
        period=period_text(b.valid_from, b.valid_until, lang),
        upcoming=b.valid_from is not None and b.valid_from > today,
        cost=cost_amount(b.cost_yen, lang),
        cost_note=b.cost_note,
        source=citation(b.source),
        municipality_id=b.municipality_id,
        municipality=municipality,
        municipality_lang=municipality_lang,
        partnership_id=b.partnership_id,
        partner=partner,
        partner_lang=partner_lang or "ja",
        programme_id=b.programme_id,
        programme_title=b.programme.title if b.programme is not None else None,
    )


def benefit_views(
    *,
    session: Session,
    lang: Lang,
    municipality_id: int | None = None,
    partnership_id: int | None = None,
    kind: str | None = None,
    today: dt.date | None = None,
) -> list[BenefitView]:
    """The current benefits (not over by today) of a municipality, a partnership or all, for the block
    of `_benefits.html`."""
    day = today or dt.date.today()
    found = benefit_service.list_benefits(
        session=session, today=day, municipality_id=municipality_id, partnership_id=partnership_id, kind=kind
    )
    return [benefit_view(b, lang, day) for b in found]


# --------------------------------------------------------------------------- /benefits
@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    lang: str


@dataclass(frozen=True)
class BenefitsPage:
    municipality: str
    """The chosen municipality's id as text ("" for all)."""
    kind: str
    municipalities: list[Choice]
    kinds: list[Choice]
    benefits: list[BenefitView]
    errors: list[tuple[str, str, str]]
    """(field, value, reason) of each filter that could not be read (left out of the query)."""


def benefits_page(*, session: Session, lang: Lang, municipality: str = "", kind: str = "") -> BenefitsPage:
    """Filters a user typed wrongly are named and left out of the query, never turned into a 500."""
    today = dt.date.today()
    errors: list[tuple[str, str, str]] = []
    kind_code = kind if kind in BENEFIT_KIND_LABELS else ""
    if kind and not kind_code:
        errors.append(("kind", kind, "not one of the kinds"))
    municipality_id: int | None = None
    if municipality.strip():
        try:
            municipality_id = int(municipality.strip())
            municipality_service.get(session=session, municipality_id=municipality_id)
        except (ValueError, NotFound):
            errors.append(("municipality", municipality, "no such municipality"))
            municipality_id = None
    offering = [
        municipality_service.get(session=session, municipality_id=i)
        for i in benefit_service.offering_municipality_ids(session=session, today=today)
    ]
    choices = [Choice(str(m.id), *_name(m.name, m.name_en, lang)) for m in offering]
    return BenefitsPage(
        municipality=str(municipality_id) if municipality_id is not None else "",
        kind=kind_code,
        municipalities=sorted(choices, key=lambda c: c.label),
        kinds=[Choice(k.value, label_of(BENEFIT_KIND_LABELS, k.value, lang), lang) for k in BenefitKind],
        benefits=benefit_views(
            session=session, lang=lang, municipality_id=municipality_id, kind=kind_code or None, today=today
        ),
        errors=errors,
    )


@router.get("/benefits", response_class=HTMLResponse)
def benefits(
    request: Request,
    session: SessionDep,
    municipality: Annotated[str, Query(max_length=20)] = "",
    kind: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    """市民向けの特典: what partnerships offer residents now, filtered by municipality and kind."""
    page = benefits_page(session=session, lang=lang_of(request), municipality=municipality, kind=kind)
    return render(request, "municipality/benefits.html", page, status_code=422 if page.errors else 200)


# --------------------------------------------------------------------------- the iCalendar feed
def _description(b: Benefit) -> str:
    lines = [b.description or ""]
    if b.eligibility:
        lines.append(f"対象 / Who may apply: {b.eligibility}")
    if b.how_to_apply:
        lines.append(f"申込方法 / How to apply: {b.how_to_apply}")
    cost = "　".join(part for part in (cost_amount(b.cost_yen, "ja"), b.cost_note or "") if part)
    if cost:
        lines.append(f"費用 / Cost: {cost}")
    return "\n".join(line for line in lines if line)


def upcoming_events(benefit: Benefit, today: dt.date, stamp: dt.datetime, page_url: str) -> list[Event]:
    """The calendar entries of one benefit from today on: an event's days, and an application deadline."""
    found: list[Event] = []
    url = safe_href(benefit.apply_url) or page_url
    first = benefit.valid_from or benefit.valid_until
    last = benefit.valid_until or benefit.valid_from
    if benefit.kind == BenefitKind.event and first is not None and last is not None and last >= today:
        event = Event()
        event.add("uid", f"benefit-{benefit.id}@tsunagari")
        event.add("dtstamp", stamp)
        event.add("dtstart", first)
        event.add("dtend", last + dt.timedelta(days=1))
        event.add("summary", benefit.title)
        event.add("description", _description(benefit))
        event.add("categories", ["市民参加 / Open to citizens"])
        event.add("url", url)
        found.append(event)
    if benefit.deadline is not None and benefit.deadline >= today:
        kind_ja, kind_en = BENEFIT_KIND_LABELS.get(benefit.kind, (benefit.kind, benefit.kind))
        event = Event()
        event.add("uid", f"benefit-{benefit.id}-deadline@tsunagari")
        event.add("dtstamp", stamp)
        event.add("dtstart", benefit.deadline)
        event.add("dtend", benefit.deadline + dt.timedelta(days=1))
        event.add("summary", f"申込締切 / Application deadline: {benefit.title}")
        event.add("description", f"{kind_ja} / {kind_en}\n{_description(benefit)}".strip())
        event.add("url", url)
        event.add("transp", "TRANSPARENT")
        found.append(event)
    return found


@router.get("/municipalities/{municipality_id}/events.ics", name="municipality_events_ics")
def municipality_events_ics(request: Request, municipality_id: int, session: SessionDep) -> Response:
    """A municipality's upcoming activities open to citizens, as an iCalendar feed (RFC 5545): its events
    on their days and the application deadlines of its current offers (homestays, exchanges …)."""
    try:
        m = municipality_service.get(session=session, municipality_id=municipality_id)
    except NotFound as error:
        return not_found(request, str(error))
    today = dt.date.today()
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    # An iCalendar URL must be absolute (RFC 5545 3.3.13).
    page_url = f"{str(request.base_url).rstrip('/')}/benefits?municipality={m.id}"
    feed = Calendar()
    feed.add("prodid", PRODUCT)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", f"{m.name}の市民参加の交流 / {m.name_en or m.name}: activities open to citizens")
    for benefit in benefit_service.list_benefits(session=session, today=today, municipality_id=m.id):
        for event in upcoming_events(benefit, today, stamp, page_url):
            feed.add_component(event)
    return Response(feed.to_ical(), media_type=MEDIA_TYPE)
