"""The demo's illustrative activity records (data/activities.yaml): every one says it is illustrative and
names its seed, the five municipalities' ties show trends across FY2015–FY2025 (gaps, dormant ties, visits
reported late), and 武蔵野市ジュニア大使's 事務事業評価 sheet adds up from them (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagari.demo.activities import read_activity_data
from tsunagari.evaluation import indicators
from tsunagari.evaluation.models import ProgrammeSheetYear
from tsunagari.exchange.models import Activity, Programme
from tsunagari.reports import jimu_jigyo

TODAY = dt.date(2026, 5, 1)
FIVE = ("武蔵野市", "村山市", "高崎市", "金沢市", "川崎市")


def _ties(session: Session, name: str) -> dict[str, indicators.TieIndicators]:
    municipality = indicators.municipality_named(session=session, text=name)
    found = indicators.ties(
        session=session, municipality_id=municipality.id, first_fy=2015, last_fy=2025, today=TODAY
    )
    return {f"{tie.partner} {tie.type}": tie for tie in found}


def test_every_record_of_the_file_is_loaded_and_marked_illustrative_with_its_seed(session: Session) -> None:
    data = read_activity_data()
    titles = {(entry["title"], entry["start_on"]) for entry in data["activities"]}
    stored = session.execute(
        select(Activity.title, Activity.start_on, Activity.source).where(
            Activity.start_on >= dt.date(2015, 4, 1)
        )
    ).all()
    ours = [row for row in stored if (row.title, row.start_on.isoformat()) in titles]
    assert len(ours) == len(data["activities"]) == 237
    for row in ours:
        assert row.source.startswith("例示（作例）"), row.title
        assert "seed 00" in row.source, row.title
    # the seeds' own records are untouched and are not marked illustrative
    first = session.scalars(
        select(Activity).where(Activity.title == "第1回武蔵野市ジュニア大使親善使節団")
    ).one()
    assert first.source is not None and not first.source.startswith("例示")


def test_the_five_municipalities_have_records_in_most_fiscal_years_with_the_covid_gap(
    session: Session,
) -> None:
    for name in FIVE:
        ties = _ties(session, name).values()
        years = {fy for tie in ties for fy in tie.active_fiscal_years}
        assert {2015, 2016, 2017, 2018, 2019, 2022, 2023, 2024, 2025} <= years, name
    musashino = _ties(session, "武蔵野市")
    lubbock = musashino["ラボック市 exchange_city"]
    # FY2020 cancelled, FY2021 online: an unbroken run of five (FY2015–19), then FY2021–25 again
    assert 2020 not in lubbock.active_fiscal_years and lubbock.longest_run_years == 5
    assert lubbock.active_years == 10 and not lubbock.dormant
    # 忠州市's staff training stopped after FY2017 (the brochure speaks of it in the past): dormant
    chungju = musashino["忠州市 staff_exchange"]
    assert chungju.active_fiscal_years == (2015, 2016, 2017) and chungju.dormant
    # ties with no programme at all stay dormant, with nothing recorded
    assert musashino["ハバロフスク市 exchange_city"].last_activity is None
    assert musashino["ハバロフスク市 exchange_city"].dormant
    # 金沢市's student exchange never stopped (seed 003: 途切らせずに)
    nancy = _ties(session, "金沢市")["ナンシー市 sister_city"]
    assert nancy.active_fiscal_years == tuple(range(2015, 2026)) and nancy.longest_run_years == 11


def test_official_visits_are_policy_visits_some_reported_late(session: Session) -> None:
    takasaki = _ties(session, "高崎市")
    assert sum(tie.visits for tie in takasaki.values()) == 7
    chengde = takasaki["承徳 sister_city"]
    # FY2017's report came in February 2018, past the 30-day deadline; FY2025's was on time
    assert chengde.visits == 2 and chengde.report_on_time_share == 0.5
    santo_andre = takasaki["サントアンドレ sister_city"]
    assert santo_andre.purpose_published_share == 0.5  # FY2016's purpose was never published


def test_costs_rise_and_the_public_cost_per_participant_follows_the_records(session: Session) -> None:
    lubbock = _ties(session, "武蔵野市")["ラボック市 exchange_city"]
    counted = [a for a in lubbock.activities if a.fiscal_year is not None]
    assert lubbock.public_cost_yen == sum(a.public_cost or 0 for a in counted)
    assert lubbock.cost_per_participant_yen == round(lubbock.public_cost_yen / lubbock.participants)
    junior = {a.fiscal_year: a.public_cost for a in counted if a.title.endswith("親善使節団")}
    assert junior[2015] == 3_600_000 and junior[2025] > junior[2019] > junior[2015]


def test_the_demo_sheet_of_the_junior_ambassadors_adds_up_per_fiscal_year(session: Session) -> None:
    programme = session.scalars(
        select(Programme).where(Programme.title == "武蔵野市ジュニア大使親善使節団")
    ).one()
    entered = session.scalar(
        select(func.count())
        .select_from(ProgrammeSheetYear)
        .where(ProgrammeSheetYear.programme_id == programme.id)
    )
    assert entered == 11
    sheet = jimu_jigyo.build(
        session=session, programme_id=programme.id, first_fy=2015, last_fy=2025, today=TODAY
    )
    assert sheet.activity.actuals[0] == 2 and sheet.activity.actuals[5] == 0  # FY2015 two, FY2020 none
    assert sheet.outcome.actuals[0] == 12 + 18  # out: 10 pupils + 2 chaperones; in: 8 + 2 + 8 host family
    for year in sheet.years:
        assert year.full_cost_yen == year.direct_cost_yen + year.labour_cost_yen + year.indirect_cost_yen
    fy2015 = sheet.years[0]
    assert fy2015.labour_cost_yen == round(0.6 * 8_200_000) + 1_200_000
    assert sheet.evaluated_fy == 2024 and sheet.overall == "改善"
