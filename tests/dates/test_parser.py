"""Calendar dates: every SPEC "Dates" row, the errors a user would meet, and round trips."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagari.dates import PartialDate, Precision, parse_date, wareki_year
from tsunagari.errors import InvalidInput

# input, value (iso), precision, as_of, wareki
SPEC_ROWS: list[tuple[str, str, Precision, bool, str]] = [
    ("1981年 7月 1日", "1981-07-01", "day", False, "昭和56年7月1日"),
    ("平成 4年 4月 21 日", "1992-04-21", "day", False, "平成4年4月21日"),
    ("平成４年４月２１日", "1992-04-21", "day", False, "平成4年4月21日"),
    ("H23.3.31", "2011-03-31", "day", False, "平成23年3月31日"),
    ("h23/3/31", "2011-03-31", "day", False, "平成23年3月31日"),
    ("昭和63年", "1988", "year", False, "昭和63年"),
    ("令和元年5月1日", "2019-05-01", "day", False, "令和元年5月1日"),
    ("2010年10月現在", "2010-10", "month", True, "平成22年10月"),
    ("1992-04-21", "1992-04-21", "day", False, "平成4年4月21日"),
    ("1992/4/21", "1992-04-21", "day", False, "平成4年4月21日"),
    ("1992", "1992", "year", False, "平成4年"),
]

MORE_FORMS: list[tuple[str, str, Precision, bool, str]] = [
    ("1992年", "1992", "year", False, "平成4年"),
    ("1992年7月", "1992-07", "month", False, "平成4年7月"),
    ("1992-07", "1992-07", "month", False, "平成4年7月"),
    ("Ｈ２３．３．３１", "2011-03-31", "day", False, "平成23年3月31日"),
    ("H23-3-31", "2011-03-31", "day", False, "平成23年3月31日"),
    ("s63.1.7", "1988-01-07", "day", False, "昭和63年1月7日"),
    ("R元.5.1", "2019-05-01", "day", False, "令和元年5月1日"),
    ("H23年3月31日", "2011-03-31", "day", False, "平成23年3月31日"),
    ("平成　４年", "1992", "year", False, "平成4年"),
    ("昭和48（1973）年10月12日", "1973-10-12", "day", False, "昭和48年10月12日"),
    ("昭和48(1973)年", "1973", "year", False, "昭和48年"),
    ("1973(昭和48)年10月12日", "1973-10-12", "day", False, "昭和48年10月12日"),
    ("平成22年10月1日現在", "2010-10-01", "day", True, "平成22年10月1日"),
    ("大正元年7月30日", "1912-07-30", "day", False, "大正元年7月30日"),
    ("明治45年7月29日", "1912-07-29", "day", False, "明治45年7月29日"),
    ("平成31年4月30日", "2019-04-30", "day", False, "平成31年4月30日"),
    ("昭和64年1月7日", "1989-01-07", "day", False, "昭和64年1月7日"),
    # A year or month is valid when any of its days lies in the era; wareki() then names the
    # period by the era in force on its last day.
    ("平成31年", "2019", "year", False, "令和元年"),
    ("昭和64年", "1989", "year", False, "平成元年"),
    ("昭和64年1月", "1989-01", "month", False, "平成元年1月"),
    ("平成31年4月", "2019-04", "month", False, "平成31年4月"),
    ("明治元年", "1868", "year", False, "1868"),
    ("1850-03-01", "1850-03-01", "day", False, "1850-03-01"),
]


@pytest.mark.parametrize(("text", "value", "precision", "as_of", "wareki"), SPEC_ROWS + MORE_FORMS)
def test_parses_each_form_keeping_its_precision(
    text: str, value: str, precision: Precision, as_of: bool, wareki: str
) -> None:
    date = parse_date(text)
    assert date.iso() == value
    assert date.precision == precision
    assert date.as_of is as_of
    assert date.wareki() == wareki
    assert date.as_json(text) == {
        "input": text,
        "value": value,
        "precision": precision,
        "wareki": wareki,
        "as_of": as_of,
    }


ERRORS: list[tuple[str, str]] = [
    ("平成31年5月1日", "平成 ended on 2019-04-30; did you mean 令和元年5月1日?"),
    ("昭和64年1月8日", "昭和 ended on 1989-01-07; did you mean 平成元年1月8日?"),
    ("2023年2月30日", "2023-02-30 does not exist"),
    ("2023-02-29", "2023-02-29 does not exist"),
    ("令和元年4月30日", "令和 began on 2019-05-01; did you mean 平成31年4月30日?"),
    ("平成元年1月7日", "平成 began on 1989-01-08; did you mean 昭和64年1月7日?"),
    ("令和元年4月", "令和 began on 2019-05-01; did you mean 平成31年4月?"),
    ("平成32年", "平成 ended on 2019-04-30; did you mean 令和2年?"),
    ("2023年13月1日", "month 13 does not exist"),
    ("2023/0/1", "month 0 does not exist"),
    ("平成0年", "there is no 平成0年"),
    ("H0.1.1", "there is no 平成0年"),
    ("", "no date given"),
    ("   ", "no date given"),
    ("来年の春", "not a date"),
    ("92年4月", "not a date"),
    ("H23.3/31", "not a date"),  # one separator per date
    ("平成22年度", "年度 is a fiscal year"),
    ("昭和48(1974)年", "昭和48年 is 1973, not 1974"),
    ("1974(昭和48)年", "昭和48年 is 1973, not 1974"),
    ("0000", "year 0 is out of range"),
    # 和暦 months and days before 明治6年 were lunisolar; reading them as Gregorian would be wrong.
    ("明治5年3月1日", "lunisolar"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_refuses_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_date(text, field="signed_on")
    assert message in str(raised.value)
    problem = raised.value.problems[0]
    assert problem.field == "signed_on"
    assert problem.value == text


def test_error_report_names_field_and_value() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_date("平成31年5月1日", field="signed_on")
    assert str(raised.value) == (
        "field 'signed_on', value '平成31年5月1日': 平成 ended on 2019-04-30; did you mean 令和元年5月1日?"
    )


@pytest.mark.parametrize(
    ("precision", "iso", "wareki", "seireki"),
    [
        ("day", "1992-04-21", "平成4年4月21日", "1992年4月21日"),
        ("month", "1992-04", "平成4年4月", "1992年4月"),
        ("year", "1992", "平成4年", "1992年"),
    ],
)
def test_writes_each_precision(precision: Precision, iso: str, wareki: str, seireki: str) -> None:
    date = PartialDate(datetime.date(1992, 4, 21), precision)
    assert (date.iso(), date.wareki(), date.seireki()) == (iso, wareki, seireki)


def test_value_is_the_first_day_of_the_period() -> None:
    assert PartialDate(datetime.date(1992, 4, 21), "month").value == datetime.date(1992, 4, 1)
    assert PartialDate(datetime.date(1992, 4, 21), "year") == PartialDate(datetime.date(1992, 1, 1), "year")
    assert parse_date("2024年2月").last_day == datetime.date(2024, 2, 29)


def test_first_year_of_an_era_is_gannen() -> None:
    assert PartialDate(datetime.date(2019, 5, 1), "day").wareki() == "令和元年5月1日"
    assert PartialDate(datetime.date(1989, 1, 8), "day").wareki() == "平成元年1月8日"


def test_before_gregorian_adoption_wareki_is_iso() -> None:
    assert PartialDate(datetime.date(1872, 12, 31), "day").wareki() == "1872-12-31"
    assert PartialDate(datetime.date(1873, 1, 1), "day").wareki() == "明治6年1月1日"


def test_from_parts_rebuilds_database_columns() -> None:
    assert PartialDate.from_parts(None, None) is None
    assert PartialDate.from_parts(None, "day") is None
    assert PartialDate.from_parts(datetime.date(1992, 4, 21), "month") == PartialDate(
        datetime.date(1992, 4, 1), "month"
    )
    # A date column without a precision column is a full date.
    assert PartialDate.from_parts(datetime.date(1992, 4, 21), None) == PartialDate(
        datetime.date(1992, 4, 21), "day"
    )
    rebuilt = PartialDate.from_parts(datetime.datetime(1992, 4, 21, 13, 5), "day")
    assert rebuilt is not None
    assert rebuilt.iso() == "1992-04-21"
    with pytest.raises(ValueError, match="unknown precision"):
        PartialDate.from_parts(datetime.date(1992, 4, 21), "week")


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1872, "1872年"),
        (1873, "明治6年"),
        (1912, "大正元年"),
        (1926, "昭和元年"),
        (1988, "昭和63年"),
        (1989, "平成元年"),
        (1992, "平成4年"),
        (2018, "平成30年"),
        (2019, "令和元年"),
        (2020, "令和2年"),
    ],
)
def test_wareki_year_names_the_era_in_force_on_31_december(year: int, expected: str) -> None:
    assert wareki_year(year) == expected


gregorian_days = st.dates(min_value=datetime.date(1873, 1, 1), max_value=datetime.date(2100, 12, 31))
precisions = st.sampled_from(["year", "month", "day"])


@given(gregorian_days)
def test_a_day_reads_back_from_each_of_its_forms(day: datetime.date) -> None:
    date = PartialDate(day, "day")
    for text in (date.wareki(), date.seireki(), date.iso()):
        assert parse_date(text) == date
        assert parse_date(text).value == day


@given(gregorian_days, precisions)
def test_any_precision_reads_back(day: datetime.date, precision: Precision) -> None:
    date = PartialDate(day, precision)
    for text in (date.wareki(), date.seireki(), date.iso()):
        assert parse_date(text) == date


@given(gregorian_days)
def test_wareki_year_agrees_with_a_year_precision_date(day: datetime.date) -> None:
    assert PartialDate(day, "year").wareki() == wareki_year(day.year)
