"""公表 (seed 002): a visit's purpose is public from its publication date and its results from the report's,
with its public cost and participants, on the municipality, partnership, programme and 公表 pages, in
/api/v1/visits and in the Atom feed; never the staff's notes or a private cost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.policy.publication_data import (
    FUTURE_PURPOSE,
    PUBLISHED_OUTCOMES,
    PUBLISHED_PURPOSE,
    SECRET_NOTES,
    UNREPORTED_OUTCOMES,
    Visits,
    add_visits,
)
from tsunagari.db import get_engine
from tsunagari.policy import publication_service
from tsunagari.session import unit_of_work

ATOM = "{http://www.w3.org/2005/Atom}"
HIDDEN = (FUTURE_PURPOSE, SECRET_NOTES, UNREPORTED_OUTCOMES, "120000", "120,000")


def test_only_what_is_published_by_today_is_public(session: Session) -> None:
    visits = add_visits(session)
    today = dt.date.today()
    found = {p.activity_id: p for p in publication_service.publications(session=session, today=today)}
    assert visits.planned not in found  # nothing of it is published yet
    published, unreported = found[visits.published], found[visits.unreported]
    assert published.purpose == PUBLISHED_PURPOSE
    assert published.outcomes == PUBLISHED_OUTCOMES
    assert published.public_cost == 480000 and published.participant_total == 3
    assert unreported.purpose is not None and unreported.outcomes is None
    assert unreported.report_published_on is None
    # Ten days on, the planned visit's purpose is out; its results are still not.
    later = {
        p.activity_id: p
        for p in publication_service.publications(session=session, today=today + dt.timedelta(days=10))
    }
    assert later[visits.planned].purpose == FUTURE_PURPOSE
    assert later[visits.planned].outcomes is None


def test_publications_of_a_municipality_a_partnership_and_a_programme(session: Session) -> None:
    visits = add_visits(session)
    today = dt.date.today()
    mine = {visits.published, visits.planned, visits.unreported}
    expected = {visits.published, visits.unreported}
    for scope in (
        {"municipality_id": visits.murayama},
        {"municipality_id": visits.barrie},
        {"partnership_id": visits.partnership},
        {"programme_id": visits.programme},
    ):
        found = publication_service.publications(session=session, today=today, **scope)  # type: ignore[arg-type]
        assert {p.activity_id for p in found} & mine == expected, scope
    # Newest first.
    order = [p.activity_id for p in publication_service.publications(session=session, today=today)]
    assert order.index(visits.published) < order.index(visits.unreported)


@pytest.fixture
def client(cli_database: str) -> Iterator[tuple[TestClient, Visits]]:
    from tsunagari.web.app import create_app

    with unit_of_work(get_engine()) as session:
        visits = add_visits(session)
    with TestClient(create_app()) as test_client:
        yield test_client, visits


def test_the_api_lists_published_visits_with_public_fields_only(client: tuple[TestClient, Visits]) -> None:
    http, visits = client
    answer = http.get("/api/v1/visits", params={"municipality": visits.murayama})
    assert answer.status_code == 200
    body = answer.json()
    mine = [i for i in body["items"] if i["programme_id"] == visits.programme]
    assert len(mine) == 2 and body["total"] >= 2
    first = mine[0]
    assert first["activity_id"] == visits.published
    assert first["purpose"] == PUBLISHED_PURPOSE and first["outcomes"] == PUBLISHED_OUTCOMES
    assert first["public_cost"] == 480000
    assert first["participants"] == {"mayor": 1, "staff": 2}
    assert first["destination"]["id"] == visits.barrie
    assert "private_cost" not in first and "citizen_meeting_notes" not in first
    second = mine[1]
    assert second["purpose"] and second["outcomes"] is None and second["report_published_on"] is None
    for text in HIDDEN:
        assert text not in answer.text
    # The partner sees the visits it received; a programme filter; unknown filters and ids refused.
    assert http.get("/api/v1/visits", params={"municipality": visits.barrie}).json()["total"] >= 2
    assert http.get("/api/v1/visits", params={"programme": visits.programme}).json()["total"] == 2
    unknown = http.get("/api/v1/visits", params={"prefecture": "山形県"})
    assert unknown.status_code == 422 and "prefecture" in unknown.text
    assert http.get("/api/v1/visits", params={"municipality": 99999999}).status_code == 404


def test_pages_show_purpose_results_cost_and_participants(client: tuple[TestClient, Visits]) -> None:
    http, visits = client
    pages = {
        "municipality": http.get(f"/municipalities/{visits.murayama}"),
        "partnership": http.get(f"/partnerships/{visits.partnership}"),
        "programme": http.get(f"/programmes/{visits.programme}"),
        "publications": http.get(f"/municipalities/{visits.murayama}/publications"),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert PUBLISHED_PURPOSE in page.text, name
        assert PUBLISHED_OUTCOMES in page.text, name
        assert "480,000" in page.text, name
        for text in HIDDEN:
            assert text not in page.text, (name, text)
    assert "首長 1人、職員 2人" in pages["publications"].text
    english = http.get(f"/municipalities/{visits.murayama}/publications", params={"lang": "en"})
    assert "Mayor: 1, Staff: 2" in english.text and "¥480,000" in english.text


def test_the_publications_page_lists_what_is_due_and_overdue(client: tuple[TestClient, Visits]) -> None:
    http, visits = client
    page = http.get(f"/municipalities/{visits.murayama}/publications")
    duties = page.text.split('class="duties"')[1].split("</table>")[0]
    assert "第2回公式訪問" in duties and "市民・民間交流団体との協議(訪問前)" in duties  # due
    assert "議会の公式訪問" in duties and "報告の公表期限を過ぎている" in duties  # overdue
    assert 'class="duty duty-overdue"' in duties and 'class="duty duty-due"' in duties
    assert "市長の公式訪問" not in duties  # everything of it was done in time
    english = http.get(f"/municipalities/{visits.murayama}/publications", params={"lang": "en"})
    assert "Report past its publication deadline" in english.text
    assert http.get("/municipalities/99999999/publications").status_code == 404


def test_the_atom_feed_has_an_entry_per_publication(client: tuple[TestClient, Visits]) -> None:
    http, visits = client
    answer = http.get(f"/municipalities/{visits.murayama}/publications.atom")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(answer.content)
    everything = feed.findall(f"{ATOM}entry")
    mine = ("市長の公式訪問", "議会の公式訪問", "第2回公式訪問")
    entries = [e for e in everything if (e.findtext(f"{ATOM}title") or "").endswith(mine)]
    # The published visit's purpose and report, and the other visit's purpose.
    titles = [e.findtext(f"{ATOM}title") or "" for e in entries]
    assert titles == [
        "訪問の報告: 市長の公式訪問",
        "訪問の目的: 市長の公式訪問",
        "訪問の目的: 議会の公式訪問",
    ]
    contents = "".join(e.findtext(f"{ATOM}content") or "" for e in entries)
    assert PUBLISHED_PURPOSE in contents and PUBLISHED_OUTCOMES in contents
    for text in HIDDEN:
        assert text not in answer.text
    updated = [e.findtext(f"{ATOM}updated") or "" for e in everything]
    assert updated == sorted(updated, reverse=True)
    assert feed.findtext(f"{ATOM}updated") == updated[0]
    english = http.get(f"/municipalities/{visits.murayama}/publications.atom", params={"lang": "en"})
    assert "Report of a visit" in english.text
