"""A small municipality with four ties whose indicators are computed by hand below (shared by the service,
CLI, API and report tests).

検証テスト市 (JP) and its ties, with FY2015–FY2020 as the range (基準日 2021-03-31):
- A: sister city アルファ市 (US), signed 2010-05-01; two programmes (actors government+citizens and
  schools_universities+government); activities in FY2015, FY2016, FY2017 (2018-02-01), none in FY2018,
  FY2019 (a visit, report late) and FY2020 (2021-03-15, a visit, purpose published late, report on time).
- B: friendship city ベータ市 (KR), signed 2018-04-01, nothing ever recorded.
- C: exchange city ガンマ町 (JP) is the home side, signed 2000-01-01; one activity about a year before
  `today` (after the range, so it counts only without one).
- D: an ended tie, never counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tsunagari.exchange import activity_service, programme_service
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.policy import service as policy_service

HOME = "検証テスト市"

# The hand-computed figures for FY2015–FY2020.
TIE_A_2015_2020 = {
    "partner": "アルファ市",
    "type": "sister_city",
    "years_since_signing": 10,  # 2010-05-01 → 2021-03-31
    "active_years": 5,  # FY2015, 2016, 2017, 2019, 2020
    "longest_run_years": 3,  # FY2015–2017, then a gap in FY2018
    "activities_per_year": 0.83,  # 5 activities ÷ 6 fiscal years
    "participants": 51,  # 12 + 8 + 5 + 20 + 6
    "public_cost_yen": 3_100_000,  # 1,200,000 + 800,000 + 500,000 + 600,000 (one without a cost)
    "cost_per_participant_yen": 60_784,  # 3,100,000 ÷ 51 = 60,784.3
    "last_activity": "2021-03-15",
    "dormant": False,
}
TIE_B_2015_2020 = {
    "partner": "ベータ市",
    "type": "friendship_city",
    "years_since_signing": 2,  # 2018-04-01 → 2021-03-31
    "active_years": 0,
    "longest_run_years": 0,
    "activities_per_year": 0.0,  # 0 ÷ 3 fiscal years (FY2018–2020)
    "participants": 0,
    "public_cost_yen": 0,
    "cost_per_participant_yen": None,
    "last_activity": None,
    "dormant": True,
}


@dataclass(frozen=True)
class Built:
    home_id: int
    tie_a: int
    tie_b: int
    tie_c: int
    tie_d: int
    programme_a1: int
    recent_activity_on: dt.date


def _city(session: Session, name: str, country: str) -> int:
    return municipality_service.create(
        session=session, data=MunicipalityCreate(name=name, name_en=None, country=country)
    ).id


def _tie(
    session: Session, home: int, partner: int, type_: str, signed: dt.date, status: str = "active"
) -> int:
    return partnership_service.create(
        session=session,
        data=PartnershipCreate(
            home_municipality_id=home,
            partner_municipality_id=partner,
            type=type_,
            signed_on=signed,
            status=status,
        ),
    ).id


def build(session: Session, today: dt.date) -> Built:
    home = _city(session, HOME, "JP")
    alpha, beta, gamma, delta = (
        _city(session, "アルファ市", "US"),
        _city(session, "ベータ市", "KR"),
        _city(session, "ガンマ町", "JP"),
        _city(session, "デルタ市", "FR"),
    )
    tie_a = _tie(session, home, alpha, "sister_city", dt.date(2010, 5, 1))
    tie_b = _tie(session, home, beta, "friendship_city", dt.date(2018, 4, 1))
    tie_c = _tie(session, gamma, home, "exchange_city", dt.date(2000, 1, 1))
    tie_d = _tie(session, home, delta, "sister_city", dt.date(1990, 1, 1), status="ended")

    def programme(title: str, tie: int, actors: list[str]) -> int:
        return programme_service.create_programme(
            session=session,
            data={
                "title": title,
                "format": "people",
                "owners": [{"municipality_id": home}],
                "partnership_id": tie,
                "actors": actors,
                "description": f"{title}の説明",
            },
        ).id

    a1 = programme("アルファ青少年派遣", tie_a, ["government", "citizens"])
    a2 = programme("アルファ学校交流", tie_a, ["schools_universities", "government"])
    c1 = programme("ガンマ町との物産交流", tie_c, ["companies"])
    programme("デルタ市との旧交流", tie_d, ["government"])

    def activity(
        programme_id: int, title: str, on: dt.date, people: dict[str, int], cost: int | None
    ) -> None:
        activity_service.record_activity(
            session=session,
            data={
                "programme_id": programme_id,
                "title": title,
                "start_on": on,
                "participants": people,
                "public_cost": cost,
                "outcomes": f"{title}の成果",
            },
        )

    activity(a1, "青少年派遣 2015", dt.date(2015, 8, 1), {"students": 10, "staff": 2}, 1_200_000)
    activity(a2, "学校交流 2016", dt.date(2016, 7, 10), {"students": 8}, 800_000)
    activity(a1, "青少年派遣 2017", dt.date(2018, 2, 1), {"students": 5}, 500_000)
    visit = {"programme_id": a1, "municipality_id": home, "destination_municipality_id": alpha}
    # Report deadline 30 days (seed 002's default): 2019-10-05 + 30 = 2019-11-04, published 11-20: late.
    policy_service.create_visit(
        session=session,
        data={
            **visit,
            "title": "市民訪問団 2019",
            "start_on": dt.date(2019, 10, 1),
            "end_on": dt.date(2019, 10, 5),
            "participants": {"citizens": 20},
            "official_visit": True,
            "purpose_published_on": dt.date(2019, 9, 1),
            "report_published_on": dt.date(2019, 11, 20),
        },
    )
    # Purpose published on the first day (not before); report within 30 days of 2021-03-20.
    policy_service.create_visit(
        session=session,
        data={
            **visit,
            "title": "公式訪問 2020",
            "start_on": dt.date(2021, 3, 15),
            "end_on": dt.date(2021, 3, 20),
            "participants": {"students": 6},
            "public_cost": 600_000,
            "official_visit": True,
            "purpose_published_on": dt.date(2021, 3, 15),
            "report_published_on": dt.date(2021, 4, 1),
        },
    )
    recent = today - dt.timedelta(days=400)
    activity(c1, "物産展", recent, {"citizens": 3}, 50_000)
    return Built(home, tie_a, tie_b, tie_c, tie_d, a1, recent)
