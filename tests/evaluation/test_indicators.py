"""Indicators across a municipality's ties and dormant ties, against figures computed by hand
(tests/evaluation/verification_fixture.py): a tie with no activity ever, a run with a gap, a late report."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput
from tsunagari.evaluation import indicators

from .verification_fixture import HOME, TIE_A_2015_2020, TIE_B_2015_2020, build

TODAY = dt.date(2026, 11, 24)


def _by_partner(session: Session, home: int, **span: int | None) -> dict[str, indicators.TieIndicators]:
    found = indicators.ties(session=session, municipality_id=home, today=TODAY, **span)
    return {tie.partner: tie for tie in found}


def test_indicators_over_a_range_of_fiscal_years_match_the_hand_computed_figures(session: Session) -> None:
    built = build(session, TODAY)
    ties = _by_partner(session, built.home_id, first_fy=2015, last_fy=2020)
    assert set(ties) == {"アルファ市", "ベータ市", "ガンマ町"}  # the ended tie is not counted
    a, b, c = ties["アルファ市"], ties["ベータ市"], ties["ガンマ町"]
    assert TIE_A_2015_2020.items() <= a.as_json().items()
    assert TIE_B_2015_2020.items() <= b.as_json().items()
    assert a.active_fiscal_years == (2015, 2016, 2017, 2019, 2020)
    assert a.participants_by_category == {"citizens": 20, "staff": 2, "students": 29}
    assert a.actor_kinds == ("citizens", "government", "schools_universities")
    # Two visits: one purpose published before (2019), one on the day (2021); one report late, one on time.
    assert (a.visits, a.purpose_published_share, a.report_on_time_share) == (2, 0.5, 0.5)
    # ガンマ町's only activity came after FY2020: within the range it has none, and is dormant there.
    assert c.partnership_id == built.tie_c and c.municipality == HOME
    assert (c.active_years, c.last_activity, c.dormant) == (0, None, True)


def test_without_a_range_each_tie_runs_from_its_signing_to_today(session: Session) -> None:
    built = build(session, TODAY)
    ties = _by_partner(session, built.home_id)
    a, c = ties["アルファ市"], ties["ガンマ町"]
    assert a.years_since_signing == 16 and a.span_first_fy == 2010 and a.span_last_fy == 2026
    assert a.activities_per_year == round(5 / 17, 2)
    assert a.years_since_last_activity == 5 and a.dormant is True
    assert c.last_activity == built.recent_activity_on and c.dormant is False
    assert c.cost_per_participant_yen == round(50_000 / 3)


def test_explain_gives_each_formula_and_the_records_it_counts(session: Session) -> None:
    built = build(session, TODAY)
    tie = _by_partner(session, built.home_id, first_fy=2015, last_fy=2020)["アルファ市"]
    measures = {m.key: m for m in tie.explain()}
    assert set(indicators.FORMULAS) == set(measures)
    assert measures["longest_run_years"].records == ("FY2015", "FY2016", "FY2017", "FY2019", "FY2020")
    assert len(measures["participants"].records) == 5
    assert any("市民訪問団 2019" in r for r in measures["report_on_time_share"].records)
    assert "÷" in measures["cost_per_participant_yen"].formula


def test_dormant_ties_include_those_with_no_activity_ever(session: Session) -> None:
    built = build(session, TODAY)
    found = indicators.dormant(session=session, municipality_id=built.home_id, today=TODAY)
    assert [d.as_json() for d in found] == [
        {
            "municipality": HOME,
            "partner": "ベータ市",
            "type": "friendship_city",
            "last_activity": None,
            "years_since": None,
            "partnership_id": built.tie_b,
            "status": "active",
        },
        {
            "municipality": HOME,
            "partner": "アルファ市",
            "type": "sister_city",
            "last_activity": "2021-03-15",
            "years_since": 5,
            "partnership_id": built.tie_a,
            "status": "active",
        },
    ]
    longer = indicators.dormant(session=session, municipality_id=built.home_id, years=6, today=TODAY)
    assert [d.partner for d in longer] == ["ベータ市"]
    everywhere = indicators.dormant(session=session, today=TODAY)
    # Across all municipalities a tie is seen from its home side: ガンマ町 is home of the third tie.
    assert {d.partnership_id for d in everywhere} >= {built.tie_a, built.tie_b}
    assert built.tie_c not in {d.partnership_id for d in everywhere}


@pytest.mark.parametrize(
    ("text", "expected"), [("令和7年度", 2025), ("FY2019", 2019), ("2015", 2015), ("平成27年度", 2015)]
)
def test_fiscal_years_are_read_as_staff_write_them(text: str, expected: int) -> None:
    assert indicators.fiscal_year_option(text, field="from") == expected


@pytest.mark.parametrize("text", ["平成19~21年度", "someday"])
def test_a_range_or_nonsense_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        indicators.fiscal_year_option(text, field="--from")
    assert caught.value.problems[0].field == "--from"


def test_a_range_backwards_and_an_unknown_municipality_are_refused(session: Session) -> None:
    built = build(session, TODAY)
    with pytest.raises(InvalidInput):
        indicators.ties(
            session=session, municipality_id=built.home_id, first_fy=2021, last_fy=2020, today=TODAY
        )
    with pytest.raises(InvalidInput) as caught:
        indicators.municipality_named(session=session, text="存在しない市")
    assert caught.value.problems[0].field == "municipality"
