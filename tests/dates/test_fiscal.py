"""年度: the fiscal-year forms of SPEC and seed 001, their errors, labels and membership."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagari.dates import FiscalYears, fiscal_year_label, fiscal_year_of, parse_fiscal_years
from tsunagari.errors import InvalidInput

H19_TO_21 = FiscalYears(first_fy=2007, last_fy=2009, held_fy=(2007, 2008, 2009))
SERIES = FiscalYears(
    first_fy=1998,
    last_fy=2010,
    every_n_years=2,
    series_since_fy=1998,
    held_fy=(2010,),
)


def single(fy: int) -> FiscalYears:
    return FiscalYears(first_fy=fy, last_fy=fy, held_fy=(fy,))


def from_(fy: int, every: int | None = None) -> FiscalYears:
    return FiscalYears(first_fy=fy, last_fy=None, ongoing=True, every_n_years=every, held_fy=(fy,))


UNKNOWN = FiscalYears(first_fy=None, last_fy=None, unknown=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # SPEC
        ("平成22年度", single(2010)),
        ("平成19~21年度", H19_TO_21),
        ("平成19～21年度", H19_TO_21),
        ("平成19〜21年度", H19_TO_21),
        ("平成19-21年度", H19_TO_21),
        ("平成15年度~", from_(2003)),
        ("平成22年度 (平成10年度より2年おきに実施)", SERIES),
        ("", UNKNOWN),
        # separators and spellings seen in records
        ("平成19ー21年度", H19_TO_21),
        ("平成19–21年度", H19_TO_21),
        ("平成19年度~平成21年度", H19_TO_21),
        ("平成19年度～21年度", H19_TO_21),
        ("平成19年度から平成21年度まで", H19_TO_21),
        ("FY2007-FY2009", H19_TO_21),
        ("FY2007-2009", H19_TO_21),
        ("2007~2009年度", H19_TO_21),
        ("平成22年度（平成10年度より2年おきに実施）", SERIES),
        ("平成15年度～", from_(2003)),
        ("平成15年度以降", from_(2003)),
        ("平成15年度から", from_(2003)),
        ("平成 13 年度", single(2001)),
        ("2010年度", single(2010)),
        ("FY2010", single(2010)),
        ("fy 2010", single(2010)),
        ("H22年度", single(2010)),
        ("R2年度", single(2020)),
        ("令和2年度", single(2020)),
        ("令和元年度", single(2019)),
        # FY2019 began on 2019-04-01 under 平成, so both names are right.
        ("平成31年度", single(2019)),
        ("平成30~令和2年度", FiscalYears(first_fy=2018, last_fy=2020, held_fy=(2018, 2019, 2020))),
        ("   ", UNKNOWN),
        ("\u00a0", UNKNOWN),  # the empty 実施年度 in seed 001 holds a no-break space
        ("不明", UNKNOWN),
        # how often
        ("平成22年度(隔年)", FiscalYears(2010, 2010, every_n_years=2, held_fy=(2010,))),
        ("平成22年度(2年に1度)", FiscalYears(2010, 2010, every_n_years=2, held_fy=(2010,))),
        ("平成22年度(2年に一回開催)", FiscalYears(2010, 2010, every_n_years=2, held_fy=(2010,))),
        ("平成22年度(毎年)", FiscalYears(2010, 2010, every_n_years=1, held_fy=(2010,))),
        ("平成18年度から毎年度実施", from_(2006, every=1)),
        ("平成10年度より2年おきに実施", from_(1998, every=2)),
        (
            "平成19~22年度(隔年)",
            FiscalYears(2007, 2010, every_n_years=2, held_fy=(2007, 2009)),
        ),
    ],
)
def test_reads_fiscal_years(text: str, expected: FiscalYears) -> None:
    assert parse_fiscal_years(text) == expected


@pytest.mark.parametrize(
    ("text", "first_fy"),
    [
        # every 実施年度 value of seed 001 except the empty one
        ("平成22年度", 2010),
        ("平成19~21年度", 2007),
        ("平成15年度~", 2003),
        ("平成22年度 (平成10年度より2年おきに実施)", 1998),
        ("平成17年度~", 2005),
        ("平成8年度~", 1996),
        ("平成4年度~", 1992),
        ("平成20年度~", 2008),
        ("平成16年度~", 2004),
        ("平成20年度", 2008),
        ("平成9年度~", 1997),
        ("平成21年度~", 2009),
    ],
)
def test_reads_every_seed_value(text: str, first_fy: int) -> None:
    assert parse_fiscal_years(text).first_fy == first_fy


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("平成45年度", "平成 ended on 2019-04-30 (its last 年度 was 平成31年度)"),
        ("平成45年度", "平成45年度 does not exist; did you mean 令和15年度?"),
        ("平成32年度", "did you mean 令和2年度?"),
        ("昭和64年度", "昭和 ended on 1989-01-07 (its last 年度 was 昭和63年度)"),
        ("平成0年度", "there is no 平成0年"),
        ("平成22年", "not a fiscal year"),
        ("平成19~21", "not a fiscal year"),
        ("2007-2009", "not a fiscal year"),
        ("22年度", "needs an era"),
        ("平成21~19年度", "the range ends in 平成19年度, before it starts in 平成21年度"),
        ("平成22年度(第11回)", "cannot read '(第11回)'"),
        ("平成22年度(平成25年度より隔年)", "cannot start in 平成25年度, after 平成22年度"),
        ("平成22年度(0年おき)", "every 0 years is not a frequency"),
        ("0000年度", "FY0 is out of range"),
    ],
)
def test_refuses_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_fiscal_years(text, field="fiscal_years")
    assert message in str(raised.value)
    problem = raised.value.problems[0]
    assert (problem.field, problem.value) == ("fiscal_years", text)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("平成22年度", "平成22年度"),
        ("平成19~21年度", "平成19年度〜平成21年度"),
        ("平成15年度~", "平成15年度〜"),
        ("平成22年度 (平成10年度より2年おきに実施)", "平成22年度（平成10年度より2年おきに実施）"),
        ("平成18年度から毎年度実施", "平成18年度〜（毎年実施）"),
        ("平成31年度", "令和元年度"),
        ("", "不明"),
    ],
)
def test_label_ja(text: str, label: str) -> None:
    assert parse_fiscal_years(text).label_ja() == label


def test_as_json_shape() -> None:
    text = "平成22年度 (平成10年度より2年おきに実施)"
    assert parse_fiscal_years(text).as_json(text) == {
        "input": text,
        "first_fy": 1998,
        "last_fy": 2010,
        "ongoing": False,
        "every_n_years": 2,
        "series_since_fy": 1998,
        "unknown": False,
        "label": "平成22年度（平成10年度より2年おきに実施）",
    }
    assert parse_fiscal_years("平成15年度~").as_json("平成15年度~")["last_fy"] is None
    assert parse_fiscal_years(" ").as_json(" ")["unknown"] is True


def test_contains() -> None:
    assert [fy for fy in range(2005, 2012) if H19_TO_21.contains(fy)] == [2007, 2008, 2009]
    assert [fy for fy in range(1996, 2014) if SERIES.contains(fy)] == list(range(1998, 2011, 2))
    ongoing = parse_fiscal_years("平成15年度~")
    assert not ongoing.contains(2002)
    assert ongoing.contains(2003)
    assert ongoing.contains(2030)
    assert not UNKNOWN.contains(2010)
    # A series start without a frequency says nothing about the years in between.
    vague = parse_fiscal_years("平成22年度(平成10年度より実施)")
    assert [fy for fy in range(1996, 2014) if vague.contains(fy)] == [1998, 2010]


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (datetime.date(2011, 3, 31), 2010),
        (datetime.date(2011, 4, 1), 2011),
        (datetime.date(2010, 12, 31), 2010),
        (datetime.date(2011, 1, 1), 2010),
    ],
)
def test_fiscal_year_of(day: datetime.date, fy: int) -> None:
    assert fiscal_year_of(day) == fy


def test_fiscal_year_label() -> None:
    assert fiscal_year_label(2010) == "平成22年度"
    assert fiscal_year_label(1989) == "平成元年度"
    assert fiscal_year_label(2019) == "令和元年度"


days = st.dates(min_value=datetime.date(1873, 1, 1), max_value=datetime.date(2100, 12, 31))


@given(days)
def test_a_fiscal_year_runs_from_april_to_march(day: datetime.date) -> None:
    fy = fiscal_year_of(day)
    assert datetime.date(fy, 4, 1) <= day <= datetime.date(fy + 1, 3, 31)


@given(days, days)
def test_fiscal_year_of_never_goes_backwards(a: datetime.date, b: datetime.date) -> None:
    early, late = sorted((a, b))
    assert fiscal_year_of(early) <= fiscal_year_of(late)


@given(st.integers(min_value=1873, max_value=2100))
def test_the_label_of_a_year_reads_back(fy: int) -> None:
    assert parse_fiscal_years(fiscal_year_label(fy)) == single(fy)


@given(
    first=st.integers(min_value=1873, max_value=2100),
    length=st.integers(min_value=0, max_value=30),
    ending=st.sampled_from(["range", "ongoing"]),
    every=st.none() | st.integers(min_value=1, max_value=5),
    since_before=st.none() | st.integers(min_value=0, max_value=20),
)
def test_label_ja_reads_back_to_the_same_value(
    first: int, length: int, ending: str, every: int | None, since_before: int | None
) -> None:
    end = "~" if ending == "ongoing" else f"-FY{first + length}"
    note = []
    if since_before is not None:
        note.append(f"FY{first - since_before}より")
    if every is not None:
        note.append(f"{every}年おき")
    text = f"FY{first}{end}" + (f"({''.join(note)})" if note else "")
    years = parse_fiscal_years(text)
    assert parse_fiscal_years(years.label_ja()) == years
