"""Indicators of one programme and of one tie (issue 14, "per partnership, per programme"), against figures
computed by hand on tests/evaluation/verification_fixture.py, each with the records it counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput, NotFound
from tsunagari.evaluation import indicators, programme_indicators

from .verification_fixture import TIE_A_2015_2020, build

TODAY = dt.date(2026, 11, 24)

# アルファ青少年派遣 (programme a1) over FY2015–FY2020: 2015-08-01 (12 people, 1,200,000), 2018-02-01 in
# FY2017 (5, 500,000), the visit of 2019-10-01 (20, no cost) and that of 2021-03-15 in FY2020 (6, 600,000).
A1_2015_2020 = {
    "title": "アルファ青少年派遣",
    "partner": "アルファ市",
    "active_years": 4,  # FY2015, 2017, 2019, 2020
    "longest_run_years": 2,  # FY2019–2020; FY2016 and FY2018 have none
    "activities_per_year": 0.67,  # 4 ÷ 6 fiscal years (the programme states no start: the range's)
    "participants": 43,  # 12 + 5 + 20 + 6
    "public_cost_yen": 2_300_000,
    "cost_per_participant_yen": 53_488,  # 2,300,000 ÷ 43 = 53,488.4
    "last_activity": "2021-03-15",
    "dormant": False,
    "visits": 2,
    "purpose_published_share": 0.5,
    "report_on_time_share": 0.5,
    "years_since_start": None,
}


def test_a_programmes_indicators_match_the_hand_computed_figures(session: Session) -> None:
    built = build(session, TODAY)
    found = programme_indicators.programme(
        session=session, programme_id=built.programme_a1, first_fy=2015, last_fy=2020, today=TODAY
    )
    assert A1_2015_2020.items() <= found.as_json().items()
    assert found.partnership_id == built.tie_a
    assert found.active_fiscal_years == (2015, 2017, 2019, 2020)
    assert found.participants_by_category == {"citizens": 20, "staff": 2, "students": 21}
    assert found.actor_kinds == ("citizens", "government")
    # Without a range it runs to today: the last activity is five years old, so it is dormant.
    later = programme_indicators.programme(session=session, programme_id=built.programme_a1, today=TODAY)
    assert (later.dormant, later.years_since_last_activity) == (True, 5)


def test_a_programmes_explanation_lists_the_records_each_figure_counts(session: Session) -> None:
    built = build(session, TODAY)
    found = programme_indicators.programme(
        session=session, programme_id=built.programme_a1, first_fy=2015, last_fy=2020, today=TODAY
    )
    measures = {m.key: m for m in found.explain()}
    assert set(measures) == set(programme_indicators.PROGRAMME_FORMULAS)
    assert "years_since_signing" not in measures and "years_since_start" in measures
    counted = [a.title for a in measures["participants"].counted]
    assert counted == ["青少年派遣 2015", "青少年派遣 2017", "市民訪問団 2019", "公式訪問 2020"]
    assert len(measures["participants"].records) == 4
    assert [a.title for a in measures["report_on_time_share"].counted] == ["市民訪問団 2019", "公式訪問 2020"]
    assert measures["longest_run_years"].records == ("FY2015", "FY2017", "FY2019", "FY2020")
    assert [a.title for a in measures["last_activity"].counted] == ["公式訪問 2020"]
    assert measures["public_cost_yen"].value == 2_300_000


def test_one_tie_has_the_same_figures_as_in_its_municipalitys_table(session: Session) -> None:
    built = build(session, TODAY)
    one = indicators.tie(
        session=session, partnership_id=built.tie_a, first_fy=2015, last_fy=2020, today=TODAY
    )
    assert TIE_A_2015_2020.items() <= one.as_json().items()
    in_table = next(
        t
        for t in indicators.ties(
            session=session, municipality_id=built.home_id, first_fy=2015, last_fy=2020, today=TODAY
        )
        if t.partnership_id == built.tie_a
    )
    assert one.as_json() == in_table.as_json()
    records = {m.key: m for m in one.explain()}["participants"].counted
    assert len(records) == 5 and {a.programme for a in records} == {"アルファ青少年派遣", "アルファ学校交流"}
    # An ended tie is still shown on its own; seen from ガンマ町's partner, the third tie names ガンマ町.
    ended = indicators.tie(session=session, partnership_id=built.tie_d, today=TODAY)
    assert (ended.status, ended.partner, ended.last_activity) == ("ended", "デルタ市", None)
    seen = indicators.tie(
        session=session, partnership_id=built.tie_c, municipality_id=built.home_id, today=TODAY
    )
    assert seen.partner == "ガンマ町" and seen.last_activity == built.recent_activity_on
    with pytest.raises(NotFound):
        indicators.tie(session=session, partnership_id=10**9, today=TODAY)


def test_a_programme_is_named_by_id_or_title_and_a_wrong_name_is_refused(session: Session) -> None:
    built = build(session, TODAY)
    by_id = programme_indicators.programme_named(session=session, text=str(built.programme_a1))
    by_title = programme_indicators.programme_named(session=session, text="アルファ青少年派遣")
    assert by_id.id == by_title.id == built.programme_a1
    for text, reason in (
        ("アルファ", "several"),
        ("存在しない事業", "no programme"),
        ("999999999", "no programme"),
    ):
        with pytest.raises(InvalidInput) as caught:
            programme_indicators.programme_named(session=session, text=text, field="--programme")
        problem = caught.value.problems[0]
        assert problem.field == "--programme" and reason in problem.reason, (text, problem)
