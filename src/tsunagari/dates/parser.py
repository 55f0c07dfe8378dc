"""Calendar dates read from 和暦 or western text, keeping their precision (year, month or day)."""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal, get_args

from tsunagari.errors import InvalidInput

Precision = Literal["year", "month", "day"]
PRECISIONS: tuple[Precision, ...] = get_args(Precision)

# 明治6年1月1日: Japan switched from the lunisolar calendar to the Gregorian one on this day, so a
# 和暦 month or day before it names a different day than the same numbers would in Gregorian.
GREGORIAN_ADOPTED = datetime.date(1873, 1, 1)


class Unreadable(ValueError):
    """Why a text could not be read; the public parsers turn it into InvalidInput."""


@dataclass(frozen=True)
class Era:
    """One 元号 of the modern calendar, with the first and last day it was in force."""

    name: str
    letter: str
    first_day: datetime.date
    last_day: datetime.date | None  # None while the era lasts

    def to_western(self, era_year: int) -> int:
        return self.first_day.year + era_year - 1

    def year_name(self, year: int) -> str:
        """平成4年 for 1992 in 平成; the first year is 元年."""
        number = year - self.first_day.year + 1
        return f"{self.name}{'元' if number == 1 else number}年"

    def missing_from(self, start: datetime.date, end: datetime.date) -> str | None:
        """Why no day of start..end lies within this era, or None when some day does."""
        if self.last_day is not None and start > self.last_day:
            return f"{self.name} ended on {self.last_day.isoformat()}"
        if end < self.first_day:
            return f"{self.name} began on {self.first_day.isoformat()}"
        return None


ERAS: tuple[Era, ...] = (
    # 明治 was proclaimed on 1868-10-23 and made retroactive to the start of that year, so any
    # 明治元年 is accepted as a year; its months and days are lunisolar (see GREGORIAN_ADOPTED).
    Era("明治", "M", datetime.date(1868, 10, 23), datetime.date(1912, 7, 29)),
    Era("大正", "T", datetime.date(1912, 7, 30), datetime.date(1926, 12, 24)),
    Era("昭和", "S", datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    Era("平成", "H", datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    Era("令和", "R", datetime.date(2019, 5, 1), None),
)
_ERAS_BY_KEY = {key: era for era in ERAS for key in (era.name, era.letter)}

# Matches an era name or its letter; compile with re.IGNORECASE so h23 reads as H23.
ERA_PATTERN = "|".join([era.name for era in ERAS] + [era.letter for era in ERAS])

# Dashes and wave dashes that NFKC leaves alone but people type between numbers.
_SEPARATORS = str.maketrans(dict.fromkeys("‐‑‒–—―−ー", "-") | dict.fromkeys("〜〰", "~"))


def normalise(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (NFKC); every dash to - and wave to ~."""
    return unicodedata.normalize("NFKC", text).translate(_SEPARATORS).strip()


def era_named(key: str) -> Era:
    """The era written as 平成 or H (any case)."""
    return _ERAS_BY_KEY[key.upper()]


def era_year_number(era: Era, written: str) -> int:
    """The number of 平成4 or 令和元; there is no year 0 of an era."""
    number = 1 if written == "元" else int(written)
    if number == 0:
        raise Unreadable(
            f"there is no {era.name}0年: the first year of {era.name} is "
            f"{era.name}元年 ({era.first_day.year})"
        )
    return number


def era_on(day: datetime.date) -> Era:
    """The era in force on this day (明治 or later)."""
    for era in reversed(ERAS):
        if day >= era.first_day:
            return era
    raise ValueError(f"{day.isoformat()} is before 明治")


def wareki_year(year: int) -> str:
    """The year in 和暦, named by the era in force on 31 December: 1992 → 平成4年, 2019 → 令和元年.

    Years before 1873 are written in the western form (1872 → "1872年"), as in PartialDate.wareki.
    """
    last_day = datetime.date(year, 12, 31)
    if last_day < GREGORIAN_ADOPTED:
        return f"{year}年"
    return era_on(last_day).year_name(year)


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day; value is the first day of that period."""

    value: datetime.date
    precision: Precision
    as_of: bool = False  # "2010年10月現在": a figure as it stood then

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}")
        # One value per period, so that equal periods compare equal; also drops a datetime's time.
        day = self.value
        first = datetime.date(
            day.year,
            1 if self.precision == "year" else day.month,
            day.day if self.precision == "day" else 1,
        )
        if first != self.value or type(self.value) is not datetime.date:
            object.__setattr__(self, "value", first)

    @classmethod
    def from_parts(cls, value: datetime.date | None, precision: str | None) -> PartialDate | None:
        """Rebuild from a date column and a precision column; a missing precision means a day."""
        if value is None:
            return None
        return cls(value, _as_precision(precision or "day"))

    @property
    def last_day(self) -> datetime.date:
        """The last day of the period."""
        year, month = self.value.year, self.value.month
        if self.precision == "year":
            return datetime.date(year, 12, 31)
        if self.precision == "month":
            return datetime.date(year, month, calendar.monthrange(year, month)[1])
        return self.value

    def iso(self) -> str:
        """1992-04-21, 1992-04 or 1992."""
        return self.value.isoformat()[: {"year": 4, "month": 7, "day": 10}[self.precision]]

    def seireki(self) -> str:
        """1992年4月21日, 1992年4月 or 1992年."""
        return f"{self.value.year}年{self._month_and_day()}"

    def wareki(self) -> str:
        """平成4年4月21日, 平成4年4月 or 平成4年, in the era in force on the period's last day.

        Before 1873 the iso form is returned: 和暦 months and days then were lunisolar.
        """
        if self.value < GREGORIAN_ADOPTED:
            return self.iso()
        era = era_on(self.last_day)
        return f"{era.year_name(self.value.year)}{self._month_and_day()}"

    def as_json(self, input_text: str) -> dict[str, Any]:
        return {
            "input": input_text,
            "value": self.iso(),
            "precision": self.precision,
            "wareki": self.wareki(),
            "as_of": self.as_of,
        }

    def _month_and_day(self) -> str:
        if self.precision == "year":
            return ""
        month = f"{self.value.month}月"
        return month if self.precision == "month" else f"{month}{self.value.day}日"


def _as_precision(name: str) -> Precision:
    for precision in PRECISIONS:
        if name == precision:
            return precision
    raise ValueError(f"unknown precision {name!r}")


# A year is an era year, optionally followed by the western year in parentheses, or a
# four-digit western year, optionally followed by the era year in parentheses.
_YEAR = rf"""
    (?:
        (?P<era>{ERA_PATTERN}) \s* (?P<era_year>元|\d{{1,4}})
        (?: \s* \( \s* (?P<western_check>\d{{4}}) \s* \) )?
      | (?P<western>\d{{4}})
        (?: \s* \( \s* (?P<check_era>{ERA_PATTERN}) \s* (?P<check_era_year>元|\d{{1,4}}) \s* \) )?
    )
"""
_KANJI_MONTH_DAY = r"""
    \s* 年 (?: \s* (?P<kanji_month>\d{1,2}) \s* 月 (?: \s* (?P<kanji_day>\d{1,2}) \s* 日 )? )?
"""
_NUMERIC_MONTH_DAY = r"""
    \s* (?P<separator>[-/.]) \s* (?P<numeric_month>\d{1,2})
    (?: \s* (?P=separator) \s* (?P<numeric_day>\d{1,2}) )?
"""
_DATE = re.compile(
    rf"{_YEAR} (?: {_KANJI_MONTH_DAY} | {_NUMERIC_MONTH_DAY} )? (?: \s* (?P<as_of>現在) )?",
    re.VERBOSE | re.IGNORECASE,
)


def parse_date(text: str, *, field: str | None = None) -> PartialDate:
    """Read 1992-04-21, 1992/4/21, 1992, 1992年4月, 平成4年4月21日, H4.4.21, 昭和48(1973)年,
    2010年10月現在 and the like, keeping the precision written. Raises InvalidInput.
    """
    try:
        return _read_date(normalise(text))
    except Unreadable as problem:
        raise InvalidInput(str(problem), field=field, value=text) from None


def _read_date(text: str) -> PartialDate:
    if not text:
        raise Unreadable("no date given")
    match = _DATE.fullmatch(text)
    if match is None:
        hint = " (年度 is a fiscal year, not a date)" if "年度" in text else ""
        raise Unreadable(
            "not a date: write it like 1992-04-21, 1992年4月21日, 平成4年4月21日 or H4.4.21" + hint
        )
    year, era = _read_year(match)
    month_text = match["kanji_month"] or match["numeric_month"]
    day_text = match["kanji_day"] or match["numeric_day"]
    if not 1 <= year <= datetime.MAXYEAR:
        raise Unreadable(f"year {year} is out of range")
    month = int(month_text) if month_text else 1
    if not 1 <= month <= 12:
        raise Unreadable(f"month {month} does not exist (months run from 1 to 12)")
    day = int(day_text) if day_text else 1
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise Unreadable(
            f"{year:04d}-{month:02d}-{day:02d} does not exist: {year}年{month}月 has {days_in_month} days"
        )
    precision: Precision = "day" if day_text else "month" if month_text else "year"
    result = PartialDate(datetime.date(year, month, day), precision, as_of=bool(match["as_of"]))
    if era is not None:
        _check_era(era, result)
    return result


def _read_year(match: re.Match[str]) -> tuple[int, Era | None]:
    """The western year and, when one was written, the era it was written in."""
    if match["era"]:
        era = era_named(match["era"])
        year = era.to_western(era_year_number(era, match["era_year"]))
        check = match["western_check"]
        if check and int(check) != year:
            raise Unreadable(f"{era.year_name(year)} is {year}, not {check}")
        return year, era
    year = int(match["western"])
    if not match["check_era"]:
        return year, None
    era = era_named(match["check_era"])
    era_year = era.to_western(era_year_number(era, match["check_era_year"]))
    if era_year != year:
        raise Unreadable(f"{era.year_name(era_year)} is {era_year}, not {year}")
    return year, era


def _check_era(era: Era, date: PartialDate) -> None:
    # A period is fine if any day of it falls in the era: 平成31年 and 昭和64年1月 both exist.
    problem = era.missing_from(date.value, date.last_day)
    if problem is not None:
        raise Unreadable(f"{problem}; did you mean {date.wareki()}?")
    if date.precision != "year" and date.value < GREGORIAN_ADOPTED:
        raise Unreadable(
            "和暦 months and days before 明治6年 (1873) are lunisolar and are not converted here; "
            "write the western date instead"
        )
