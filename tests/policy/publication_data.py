"""Visits of 村山市 to its partner バリー市 in every state of publication, relative to today, for the
publication tests (service, API, pages, feed, browser)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tsunagari.exchange import programme_service
from tsunagari.municipality import service as municipality_service
from tsunagari.partnership import service as partnership_service
from tsunagari.policy import service as policy_service

PUBLISHED_PURPOSE = "青少年相互派遣の今後の進め方をバリー市長と協議する"
PUBLISHED_OUTCOMES = "次回の相互派遣を令和9年夏に行うことで合意した"
SECRET_NOTES = "協議の場での個人的な発言の記録"
FUTURE_PURPOSE = "まだ公表していない訪問の目的"
UNREPORTED_OUTCOMES = "報告前の成果の下書き"


@dataclass(frozen=True)
class Visits:
    murayama: int
    barrie: int
    partnership: int
    programme: int
    published: int
    planned: int
    unreported: int


def add_visits(session: Session, today: dt.date | None = None) -> Visits:
    today = today or dt.date.today()
    day = lambda n: today + dt.timedelta(days=n)  # noqa: E731
    murayama = municipality_service.find_by_name(
        session=session, name="村山市", country="JP", region="山形県"
    )
    barrie = municipality_service.find_by_name(session=session, name="バリー市", country="CA")
    home, partner = murayama[0].id, barrie[0].id
    partnership = partnership_service.find(
        session=session,
        home_party=f"m{home}",
        partner_party=f"m{partner}",
        type_="exchange_city",
        either_direction=True,
    )
    assert partnership is not None
    programme = programme_service.create_programme(
        session=session,
        data={"title": "バリー市への公式訪問", "format": "people", "owners": [{"municipality_id": home}]},
    )

    def visit(title: str, **values: object) -> int:
        data = {
            "programme_id": programme.id,
            "title": title,
            "municipality_id": home,
            "destination_municipality_id": partner,
            "official_visit": True,
            **values,
        }
        return policy_service.create_visit(session=session, data=data).activity_id

    published = visit(
        "市長の公式訪問",
        start_on=day(-60),
        end_on=day(-55),
        purpose=PUBLISHED_PURPOSE,
        purpose_published_on=day(-90),
        report_published_on=day(-40),
        report_medium="広報むらやま",
        outcomes=PUBLISHED_OUTCOMES,
        public_cost=480000,
        private_cost=120000,
        participants={"mayor": 1, "staff": 2},
        citizen_meeting_on=day(-70),
        citizen_meeting_notes=SECRET_NOTES,
    )
    planned = visit(
        "第2回公式訪問",
        start_on=day(60),
        end_on=day(64),
        purpose=FUTURE_PURPOSE,
        purpose_published_on=day(10),
        public_cost=300000,
    )
    unreported = visit(
        "議会の公式訪問",
        start_on=day(-130),
        end_on=day(-125),
        purpose="姉妹都市提携の可能性を探る",
        purpose_published_on=day(-150),
        outcomes=UNREPORTED_OUTCOMES,
        public_cost=250000,
        participants={"council": 3},
        citizen_meeting_on=day(-140),
    )
    return Visits(home, partner, partnership.id, programme.id, published, planned, unreported)
