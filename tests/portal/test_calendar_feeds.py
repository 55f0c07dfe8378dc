"""The anniversaries' iCalendar feeds parse with the `icalendar` package (RFC 5545) and list the right
anniversaries of the demo data (seed 003's signing dates of 高崎市's partners)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from tsunagari.municipality import service as municipality_service


def _events(body: bytes) -> dict[str, dt.date]:
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    found: dict[str, dt.date] = {}
    for event in calendar.walk("VEVENT"):
        assert event["UID"] and event.decoded("DTSTAMP")  # required by RFC 5545
        assert event.decoded("DTEND") == event.decoded("DTSTART") + dt.timedelta(days=1)
        found[str(event["SUMMARY"])] = event.decoded("DTSTART")
    return found


def _takasaki(session: Session) -> int:
    return next(
        m.id for m in municipality_service.find_by_name(session=session, name="高崎市") if m.country == "JP"
    )


def test_year_feed_lists_the_years_anniversaries(demo_client: TestClient) -> None:
    response = demo_client.get("/anniversaries.ics", params={"year": 2026})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    events = _events(response.content)
    assert events["高崎市・バトルクリーク 姉妹都市締結45周年 / 45 years as sister city"] == dt.date(
        2026, 7, 1
    )
    assert events["高崎市・モンテンルパ 姉妹都市締結20周年 / 20 years as sister city"] == dt.date(
        2026, 10, 28
    )
    assert not any("承徳" in summary for summary in events)  # 1987: its 39th year, not a milestone
    assert demo_client.get("/anniversaries.ics", params={"year": 99999}).status_code == 422


def test_municipality_feed_spans_the_years_asked(demo_client: TestClient, demo_session: Session) -> None:
    takasaki = _takasaki(demo_session)
    response = demo_client.get(
        f"/municipalities/{takasaki}/anniversaries.ics", params={"from": 2026, "to": 2031}
    )
    events = _events(response.content)
    assert sorted(events.values()) == [
        dt.date(2026, 7, 1),  # バトルクリーク 45
        dt.date(2026, 10, 2),  # サントアンドレ 45
        dt.date(2026, 10, 28),  # モンテンルパ 20
        dt.date(2027, 10, 6),  # 承徳 40
        dt.date(2030, 8, 1),  # プルゼニ 40
        dt.date(2031, 7, 1),  # バトルクリーク 50
        dt.date(2031, 10, 2),  # サントアンドレ 50
        dt.date(2031, 10, 28),  # モンテンルパ 25
    ]
    assert all(summary.startswith("高崎市・") for summary in events)
    bad = demo_client.get(f"/municipalities/{takasaki}/anniversaries.ics", params={"from": 2030, "to": 2020})
    assert bad.status_code == 422
    assert demo_client.get("/municipalities/999999/anniversaries.ics").status_code == 404
