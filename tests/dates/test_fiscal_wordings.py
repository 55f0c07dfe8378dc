"""年度: every schedule wording municipal documents use (issue 18 item 5), and a grammar that
generates phrases whose printed labels must read back to the same value.
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagari.dates import ERAS, FiscalYears, parse_fiscal_years
from tsunagari.errors import InvalidInput


def single(fy: int, every: int | None = None) -> FiscalYears:
    return FiscalYears(first_fy=fy, last_fy=fy, every_n_years=every, held_fy=(fy,))


def since(fy: int, every: int | None = None) -> FiscalYears:
    return FiscalYears(first_fy=fy, last_fy=None, ongoing=True, every_n_years=every, held_fy=(fy,))


def schedule(every: int | None) -> FiscalYears:
    """A schedule with no year stated: ongoing, first year unknown."""
    return FiscalYears(first_fy=None, last_fy=None, ongoing=True, every_n_years=every)


def series(held: int, start: int, every: int | None) -> FiscalYears:
    return FiscalYears(
        first_fy=start, last_fy=held, every_n_years=every, series_since_fy=start, held_fy=(held,)
    )


H19_TO_21 = FiscalYears(first_fy=2007, last_fy=2009, held_fy=(2007, 2008, 2009))
H19_AND_21 = FiscalYears(first_fy=2007, last_fy=2009, held_fy=(2007, 2009))

WORDINGS = [
    # the two the issue names
    ("平成30年度 (平成20年度より隔年で実施)", series(2018, 2008, 2)),
    ("2年に1度（平成14年度から）", since(2002, 2)),
    # how often, alone
    ("隔年", schedule(2)),
    ("隔年で実施", schedule(2)),
    ("隔年開催", schedule(2)),
    ("2年に1度", schedule(2)),
    ("2年に一度", schedule(2)),
    ("二年に一度", schedule(2)),
    ("3年ごと", schedule(3)),
    ("3年ごとに開催", schedule(3)),
    ("3年に1回", schedule(3)),
    ("3年毎", schedule(3)),
    ("4年おきに実施", schedule(4)),
    ("毎年", schedule(1)),
    ("毎年度", schedule(1)),
    ("毎年開催", schedule(1)),
    ("毎年度実施", schedule(1)),
    ("年1回", schedule(1)),
    ("継続", schedule(None)),
    ("継続中", schedule(None)),
    ("継続実施", schedule(None)),
    ("毎年継続して実施", schedule(1)),
    # how often, after the years
    ("平成22年度(隔年)", single(2010, 2)),
    ("平成22年度 隔年開催", single(2010, 2)),
    ("平成22年度、2年に1度", single(2010, 2)),
    ("平成22年度（3年に1回開催）", single(2010, 3)),
    ("平成22年度(3年ごと)", single(2010, 3)),
    ("平成22年度(毎年度)", single(2010, 1)),
    # … より / から … 実施
    ("平成20年度より実施", since(2008)),
    ("平成20年度から実施", since(2008)),
    ("平成20年度から隔年で実施", since(2008, 2)),
    ("平成20年度より毎年開催", since(2008, 1)),
    ("令和元年度から3年ごとに開催", since(2019, 3)),
    ("平成10年度より2年おきに実施", since(1998, 2)),
    ("(平成10年度より2年おきに実施)", since(1998, 2)),
    ("隔年（平成20年度から）", since(2008, 2)),
    ("毎年度実施（平成18年度から）", since(2006, 1)),
    ("平成15年度から継続", since(2003)),
    ("平成15年度~継続中", since(2003)),
    ("平成22年度（継続）", since(2010)),
    ("平成22年度(平成10年度より2年おきに実施)", series(2010, 1998, 2)),
    ("平成22年度（平成10年度から3年に1回）", series(2010, 1998, 3)),
    ("平成22年度(平成10年度より実施)", series(2010, 1998, None)),
    # ranges with ~ 〜 ～ - and lists with ・ 、
    ("平成19~21年度", H19_TO_21),
    ("平成19〜21年度", H19_TO_21),
    ("平成19～21年度", H19_TO_21),
    ("平成19-21年度", H19_TO_21),
    ("平成19年度から平成21年度まで", H19_TO_21),
    ("平成19・20・21年度", H19_TO_21),
    ("平成19年度・平成20年度・平成21年度", H19_TO_21),
    ("平成19・21年度", H19_AND_21),
    ("平成19、21年度", H19_AND_21),
    ("平成19年度、平成21年度", H19_AND_21),
    ("平成30年度・令和2年度", FiscalYears(first_fy=2018, last_fy=2020, held_fy=(2018, 2020))),
    (
        "平成19~23年度（隔年）",
        FiscalYears(first_fy=2007, last_fy=2011, every_n_years=2, held_fy=(2007, 2009, 2011)),
    ),
    # kanji numerals and full-width digits
    ("平成十年度", single(1998)),
    ("平成二十二年度", single(2010)),
    ("平成三十年度", single(2018)),
    ("昭和六十三年度", single(1988)),
    ("令和元年度", single(2019)),
    ("平成十九年度～二十一年度", H19_TO_21),
    ("二〇一九年度", single(2019)),
    ("平成２２年度", single(2010)),
    ("平成１９～２１年度", H19_TO_21),
    ("２年に１度（平成１４年度から）", since(2002, 2)),
    ("ＦＹ２０１９", single(2019)),
    # western fiscal years
    ("FY2019-2021", FiscalYears(first_fy=2019, last_fy=2021, held_fy=(2019, 2020, 2021))),
    ("FY2019-FY2021", FiscalYears(first_fy=2019, last_fy=2021, held_fy=(2019, 2020, 2021))),
    ("FY2019~", since(2019)),
    ("平成30年度~2020年度", FiscalYears(first_fy=2018, last_fy=2020, held_fy=(2018, 2019, 2020))),
    ("2019年度から毎年", since(2019, 1)),
]


@pytest.mark.parametrize(("text", "expected"), WORDINGS)
def test_every_wording_reads(text: str, expected: FiscalYears) -> None:
    years = parse_fiscal_years(text)
    assert years == expected
    assert parse_fiscal_years(years.label_ja()) == years


def test_the_cases_the_issue_names_in_json() -> None:
    text = "平成30年度 (平成20年度より隔年で実施)"
    assert parse_fiscal_years(text).as_json(text) == {
        "input": text,
        "first_fy": 2008,
        "last_fy": 2018,
        "ongoing": False,
        "every_n_years": 2,
        "series_since_fy": 2008,
        "unknown": False,
        "label": "平成30年度（平成20年度より2年おきに実施）",
    }
    assert parse_fiscal_years("2年に1度（平成14年度から）").label_ja() == "平成14年度〜（2年おきに実施）"


@pytest.mark.parametrize(
    ("text", "ja", "en"),
    [
        ("隔年", "2年おきに実施", "every 2 years"),
        ("毎年度", "毎年実施", "every year"),
        ("継続", "継続", "ongoing"),
        ("平成19・21年度", "平成19年度・平成21年度", "FY2007, FY2009"),
        ("平成19~21年度", "平成19年度〜平成21年度", "FY2007–FY2009"),
        ("2年に1度（平成14年度から）", "平成14年度〜（2年おきに実施）", "FY2002 onward (every 2 years)"),
    ],
)
def test_labels(text: str, ja: str, en: str) -> None:
    years = parse_fiscal_years(text)
    assert (years.label_ja(), years.label_en()) == (ja, en)


def test_a_list_holds_only_the_years_it_names() -> None:
    years = parse_fiscal_years("平成19・21年度")
    assert [fy for fy in range(2005, 2012) if years.contains(fy)] == [2007, 2009]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("平成21・19年度", "list the years in order"),
        ("平成22年度(隔年)(3年ごと)", "two frequencies"),
        ("実施", "not a fiscal year"),
        ("2年に1度(第3回)", "not a fiscal year"),
        ("平成22年度(第十一回)", "cannot read '(第11回)'"),
    ],
)
def test_wordings_that_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_fiscal_years(text, field="fiscal_years")
    assert message in str(raised.value)
    assert raised.value.problems[0].field == "fiscal_years"


# ------------------------------------------------------------------ phrases from the grammar
KANJI = "〇一二三四五六七八九"


def kanji(number: int) -> str:
    """22 → 二十二, 10 → 十; four digits digit by digit (二〇一九)."""
    if number >= 100:
        return "".join(KANJI[int(d)] for d in str(number))
    tens, ones = divmod(number, 10)
    return (KANJI[tens] if tens > 1 else "") + ("十" if tens else "") + (KANJI[ones] if ones else "")


def full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def eras_of(fy: int) -> list[tuple[str, str, int]]:
    """(name, letter, number) of every era in force on some day of this fiscal year."""
    start, end = datetime.date(fy, 4, 1), datetime.date(fy + 1, 3, 31)
    # FY1988 ends under 平成, but 平成元年度 is FY1989: an era's years start with its first 年.
    return [
        (era.name, era.letter, fy - era.first_day.year + 1)
        for era in ERAS
        if era.missing_from(start, end) is None and fy >= era.first_day.year
    ]


@st.composite
def year_term(draw: st.DrawFn, fy: int, *, nendo: bool = True) -> str:
    """One fiscal year as people write it."""
    form = draw(st.sampled_from(["era", "letter", "western", "FY"]))
    digits = draw(st.sampled_from(["ascii", "full", "kanji"]))

    def number(n: int) -> str:
        if digits == "kanji":
            return kanji(n)
        return full_width(str(n)) if digits == "full" else str(n)

    if form == "FY":
        return f"FY{number(fy) if digits != 'kanji' else fy}"
    suffix = "年度" if nendo else ""
    if form == "western":
        return f"{number(fy)}年度"  # a western year always carries 年度
    name, letter, n = draw(st.sampled_from(eras_of(fy)))
    written = "元" if n == 1 and draw(st.booleans()) else number(n)
    return f"{letter if form == 'letter' else name}{written}{suffix}"


FREQUENCIES = {
    "隔年": 2,
    "隔年で": 2,
    "毎年": 1,
    "毎年度": 1,
    "{n}年に1度": None,
    "{n}年に一回": None,
    "{n}年ごとに": None,
    "{n}年毎に": None,
    "{n}年おきに": None,
}


@st.composite
def phrases(draw: st.DrawFn) -> tuple[str, int | None, int | None]:
    """A phrase, the first year it says was held, and how often."""
    first = draw(st.integers(min_value=1927, max_value=2060))
    shape = draw(st.sampled_from(["single", "range", "ongoing", "list", "none"]))
    text, held_first = "", None
    if shape == "single":
        text, held_first = draw(year_term(first)), first
    elif shape == "range":
        last = first + draw(st.integers(min_value=1, max_value=12))
        separator = draw(st.sampled_from(["~", "〜", "～", "-", "から"]))
        text = (
            draw(year_term(first))
            + separator
            + draw(year_term(last))
            + ("まで" if separator == "から" else "")
        )
        held_first = first
    elif shape == "ongoing":
        text = draw(year_term(first)) + draw(st.sampled_from(["~", "〜", "～", "から", "より", "以降"]))
        held_first = first
    elif shape == "list":
        gaps = draw(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=3))
        years = [first]
        for gap in gaps:
            years.append(years[-1] + gap)
        separator = draw(st.sampled_from(["・", "、"]))
        text = separator.join(draw(year_term(fy)) for fy in years)
        held_first = first
    note, every = "", None
    if draw(st.booleans()) or shape == "none":
        start = None
        if shape == "none" or draw(st.booleans()):
            start = first - (0 if shape == "none" else draw(st.integers(min_value=0, max_value=10)))
        wording = draw(st.sampled_from(sorted(FREQUENCIES)))
        every = FREQUENCIES[wording] or draw(st.integers(min_value=2, max_value=5))
        frequency = wording.format(n=every)
        verb = draw(st.sampled_from(["実施", "開催", ""]))
        if start is not None and start < 1927:
            start = None
        if start is not None:
            since_word = draw(st.sampled_from(["より", "から"]))
            note = draw(year_term(start)) + since_word + frequency + verb
        else:
            note = frequency + verb
        if shape == "none" and start is not None:
            held_first = start
    if note:
        # After an open end (平成15年度~) a bare year would read as the range's end: parenthesise it.
        bare = [] if shape == "ongoing" and start is not None else [" {}", "{}"]
        wrap = draw(st.sampled_from(["({})", "（{}）", *bare])) if text else "{}"
        text += wrap.format(note)
    return text, held_first, every


@given(phrases())
def test_each_printed_label_reads_back_to_the_same_value(phrase: tuple[str, int | None, int | None]) -> None:
    text, held_first, every = phrase
    years = parse_fiscal_years(text)
    assert (years.held_fy[0] if years.held_fy else None) == held_first, text
    assert years.every_n_years == every, text
    assert parse_fiscal_years(years.label_ja()) == years, (text, years.label_ja())
