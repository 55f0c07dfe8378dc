"""The anniversaries as iCalendar feeds (RFC 5545, written with the `icalendar` package) for planning any
year: every tie's 締結何周年 in one year, and one municipality's over a span of years; thin: reads
through `portal.service` and `municipality.service` (nothing written)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from icalendar import Calendar, Event

from tsunagari.errors import InvalidInput
from tsunagari.municipality import service as municipality_service
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS
from tsunagari.portal import service as portal_service
from tsunagari.portal.service import Anniversary
from tsunagari.web.deps import page_router
from tsunagari.web.security import SessionDep

router = page_router()
MEDIA_TYPE = "text/calendar; charset=utf-8"
PRODUCT = "-//Tsunagari//Anniversaries//JA"
MAX_SPAN = 30
"""A municipality's feed covers at most this many years."""


def _day(signed_on: str, year: int) -> tuple[dt.date, str]:
    """The anniversary's day in `year` and what is known of the signing day: a date kept to the month
    or year falls on the 1st (the description says so); 29 February on the 28th in a common year."""
    parts = [int(p) for p in signed_on.split("-")]
    if len(parts) == 1:
        return dt.date(year, 1, 1), "締結日は年のみ記録 / signed in this year, day unknown"
    if len(parts) == 2:
        return dt.date(year, parts[1], 1), "締結日は月まで記録 / signed in this month, day unknown"
    month, day = parts[1], parts[2]
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1])), ""


def _event(anniversary: Anniversary, year: int, stamp: dt.datetime, base_url: str) -> Event:
    day, note = _day(anniversary.signed_on, year)
    type_ja, type_en = PARTNERSHIP_TYPE_LABELS.get(anniversary.type, (anniversary.type, anniversary.type))
    event = Event()
    event.add("uid", f"anniversary-{anniversary.partnership_id}-{year}@tsunagari")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add(
        "summary",
        f"{anniversary.municipality}・{anniversary.partner} {type_ja}締結{anniversary.years}周年"
        f" / {anniversary.years} years as {type_en.lower()}",
    )
    description = f"締結 / signed {anniversary.signed_on}"
    event.add("description", f"{description}\n{note}" if note else description)
    event.add("url", f"{base_url}/partnerships/{anniversary.partnership_id}")
    event.add("transp", "TRANSPARENT")
    return event


def _feed(name: str, events: list[Event]) -> Response:
    feed = Calendar()
    feed.add("prodid", PRODUCT)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", name)
    for event in events:
        feed.add_component(event)
    return Response(feed.to_ical(), media_type=MEDIA_TYPE)


def _year(value: int | None, field: str) -> int:
    year = value if value is not None else dt.date.today().year
    if not 1800 <= year <= 2300:
        raise InvalidInput(
            "1800〜2300年で指定してください / a year between 1800 and 2300", field=field, value=value
        )
    return year


def _base(request: Request) -> str:
    """The site's address: an iCalendar URL must be absolute (RFC 5545 3.3.13)."""
    return str(request.base_url).rstrip("/")


@router.get("/anniversaries.ics", name="anniversaries_ics")
def anniversaries_ics(
    request: Request, session: SessionDep, year: Annotated[int | None, Query()] = None
) -> Response:
    """締結何周年 (10, 15, 20 … years) of every tie in one year, as an iCalendar feed."""
    chosen = _year(year, "year")
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    events = [
        _event(a, chosen, stamp, _base(request))
        for a in portal_service.anniversaries(session=session, year=chosen)
    ]
    return _feed(f"姉妹都市の周年 {chosen}年 / Partnership anniversaries {chosen}", events)


@router.get("/municipalities/{municipality_id}/anniversaries.ics", name="municipality_anniversaries_ics")
def municipality_anniversaries_ics(
    request: Request,
    municipality_id: int,
    session: SessionDep,
    first: Annotated[int | None, Query(alias="from")] = None,
    last: Annotated[int | None, Query(alias="to")] = None,
) -> Response:
    """One municipality's 締結何周年 from `from` (this year) to `to` (ten years on), as an iCalendar feed."""
    municipality = municipality_service.get(session=session, municipality_id=municipality_id)
    first_year = _year(first, "from")
    last_year = _year(last if last is not None else first_year + 10, "to")
    if last_year < first_year or last_year - first_year > MAX_SPAN:
        raise InvalidInput(
            f"from ≤ to、{MAX_SPAN}年以内 / to must be after from, within {MAX_SPAN} years",
            field="to",
            value=last,
        )
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    events = [
        _event(a, year, stamp, _base(request))
        for year in range(first_year, last_year + 1)
        for a in portal_service.anniversaries(session=session, year=year)
        if municipality.id in (a.municipality_id, a.partner_id)
    ]
    return _feed(
        f"{municipality.name}の姉妹都市の周年 / {municipality.name_en or municipality.name} anniversaries",
        events,
    )
