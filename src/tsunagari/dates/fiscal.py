"""年度 (fiscal years, 1 April to 31 March) as written in records: one year, a range, an open-ended
run, or a series held every N years.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from tsunagari.dates.parser import (
    ERA_PATTERN,
    Era,
    Unreadable,
    era_named,
    era_year_number,
    normalise,
    wareki_year,
)
from tsunagari.errors import InvalidInput


def fiscal_year_of(day: datetime.date) -> int:
    """年度: April to March, named by the year it starts in; 2011-03-31 is in FY2010."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_label(fy: int) -> str:
    """平成22年度 for FY2010, named like wareki_year (FY2019 is 令和元年度)."""
    return f"{wareki_year(fy)}度"


@dataclass(frozen=True)
class FiscalYears:
    """When a programme was held, in fiscal years.

    For "平成22年度 (平成10年度より2年おきに実施)" the record states FY2010 as held and a series
    that began in FY1998: first_fy is the start of the series (1998), last_fy the last year stated
    (2010), held_fy only what was stated as held ((2010,)), series_since_fy 1998, every_n_years 2.
    An open-ended run holds its first year; a range holds each year in it, or every Nth year from
    its start when a frequency is given. "2年おき" is read as every 2 years, as 行政 writing uses
    it. An empty value is unknown, never a guess: every other field is then None or empty.
    """

    first_fy: int | None
    last_fy: int | None  # None when ongoing or unknown
    ongoing: bool = False
    every_n_years: int | None = None
    series_since_fy: int | None = None
    held_fy: tuple[int, ...] = ()
    unknown: bool = False

    def contains(self, fy: int) -> bool:
        """Whether the stated schedule includes this fiscal year."""
        if fy in self.held_fy:
            return True
        if self.first_fy is None or fy < self.first_fy:
            return False
        if self.last_fy is not None and fy > self.last_fy:
            return False
        if self.every_n_years is None:
            # A series start with no frequency says nothing about the years in between.
            return self.series_since_fy is None or fy == self.series_since_fy
        anchor = self.series_since_fy if self.series_since_fy is not None else self.first_fy
        return (fy - anchor) % self.every_n_years == 0

    def label_ja(self) -> str:
        """平成19年度〜平成21年度, 平成15年度〜, 平成22年度（平成10年度より2年おきに実施）or 不明;
        parse_fiscal_years reads it back to the same value.
        """
        if self.unknown or not self.held_fy:
            return "不明"
        text = fiscal_year_label(self.held_fy[0])
        if self.ongoing:
            text += "〜"
        elif self.last_fy is not None and self.last_fy != self.held_fy[0]:
            text += f"〜{fiscal_year_label(self.last_fy)}"
        note = ""
        if self.series_since_fy is not None:
            note += f"{fiscal_year_label(self.series_since_fy)}より"
        if self.every_n_years == 1:
            note += "毎年"
        elif self.every_n_years is not None:
            note += f"{self.every_n_years}年おきに"
        return f"{text}（{note}実施）" if note else text

    def as_json(self, input_text: str) -> dict[str, Any]:
        return {
            "input": input_text,
            "first_fy": self.first_fy,
            "last_fy": self.last_fy,
            "ongoing": self.ongoing,
            "every_n_years": self.every_n_years,
            "series_since_fy": self.series_since_fy,
            "unknown": self.unknown,
            "label": self.label_ja(),
        }


def _term(prefix: str) -> str:
    """One fiscal year: FY2010, 2010年度, 平成22年度, H22; 年度 may be left to the range's end."""
    return rf"""
        (?: FY \s* (?P<{prefix}fy>\d{{4}})
          | (?: (?P<{prefix}era>{ERA_PATTERN}) \s* )? (?P<{prefix}year>元|\d{{1,4}})
            \s* (?P<{prefix}nendo>年度)?
        )
    """


# The end of a range: it needs 年度 or FY, or four digits not followed by 年, so that
# "平成10年度から2年おき" is not read as a range ending in year 2.
_RANGE_END = rf"""
    (?: FY \s* (?P<end_fy>\d{{4}})
      | (?: (?P<end_era>{ERA_PATTERN}) \s* )? (?P<end_year>元|\d{{1,4}}) \s* (?P<end_nendo>年度)
      | (?P<end_bare>\d{{4}}) (?! \s* 年)
    )
"""
_MAIN = re.compile(
    rf"""
    {_term("first_")} \s*
    (?: (?P<to>~|-|から) \s* (?: {_RANGE_END} \s* (?:まで)? )?
      | (?P<since>以降|より)
    )?
    \s* (?P<rest>.*)
    """,
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)
# What may follow the years, in parentheses or not: where the series started and how often it runs.
_NOTE = re.compile(
    rf"""
    (?: {_term("series_")} \s* (?:より|から|~|以降) \s* )?
    (?: (?P<frequency>
          毎年度? | 隔年 | (?P<every>\d+) \s* 年 \s* (?:おき|ごと|毎|に\s*[1一]\s*[度回])
        ) \s*
    )?
    (?: に \s* )? (?:実施|開催)? \s* 中?
    """,
    re.VERBOSE | re.IGNORECASE,
)


def parse_fiscal_years(text: str, *, field: str | None = None) -> FiscalYears:
    """Read 平成22年度, 平成19~21年度, 平成15年度~, FY2010, R2年度, and notes such as
    (平成10年度より2年おきに実施), 隔年, 毎年, N年に1度; empty text or 不明 is unknown.

    Raises InvalidInput.
    """
    try:
        return _read_fiscal_years(normalise(text))
    except Unreadable as problem:
        raise InvalidInput(str(problem), field=field, value=text) from None


def _read_fiscal_years(text: str) -> FiscalYears:
    if text in ("", "不明"):  # 不明 is what label_ja writes for unknown
        return FiscalYears(first_fy=None, last_fy=None, unknown=True)
    match = _MAIN.fullmatch(text)
    if match is None or not any(match[key] for key in ("first_fy", "first_nendo", "end_fy", "end_nendo")):
        raise Unreadable("not a fiscal year: write it like 平成22年度, 平成19~21年度, 平成15年度~ or FY2010")
    first, first_era = _fiscal_year(match, "first_", inherited_era=None)
    ongoing = False
    last: int | None = first
    if match["end_year"] or match["end_fy"] or match["end_bare"]:
        last, _ = _fiscal_year(match, "end_", inherited_era=first_era)
        if last < first:
            raise Unreadable(
                f"the range ends in {fiscal_year_label(last)}, before it starts in {fiscal_year_label(first)}"
            )
    elif match["to"] or match["since"]:
        ongoing, last = True, None
    series_since, every_n_years = _read_note(match["rest"].strip())
    held = (first,) if last is None else tuple(range(first, last + 1, every_n_years or 1))
    if series_since is not None and series_since > first:
        raise Unreadable(
            f"the series cannot start in {fiscal_year_label(series_since)}, after {fiscal_year_label(first)}"
        )
    return FiscalYears(
        first_fy=first if series_since is None else series_since,
        last_fy=last,
        ongoing=ongoing,
        every_n_years=every_n_years,
        series_since_fy=series_since,
        held_fy=held,
    )


def _read_note(note: str) -> tuple[int | None, int | None]:
    """The series start and the frequency in a note such as (平成10年度より2年おきに実施)."""
    inner = note[1:-1] if note.startswith("(") and note.endswith(")") else note
    match = _NOTE.fullmatch(inner.strip())
    if match is None:
        raise Unreadable(f"cannot read {note!r} after the fiscal years")
    since = (
        _fiscal_year(match, "series_", inherited_era=None)[0]
        if match["series_year"] or match["series_fy"]
        else None
    )
    frequency = match["frequency"]
    if frequency is None:
        return since, None
    if frequency.startswith("毎年"):
        return since, 1
    if frequency == "隔年":
        return since, 2
    every = int(match["every"])
    if every < 1:
        raise Unreadable(f"every {every} years is not a frequency")
    return since, every


def _fiscal_year(match: re.Match[str], prefix: str, *, inherited_era: Era | None) -> tuple[int, Era | None]:
    """The fiscal year a term names, and its era; a term without an era takes the range's."""
    fy_text = match[f"{prefix}fy"] or match.groupdict().get(f"{prefix}bare")
    if fy_text:
        return _in_range(int(fy_text)), None
    year_text: str = match[f"{prefix}year"]
    era = era_named(match[f"{prefix}era"]) if match[f"{prefix}era"] else inherited_era
    if era is None:
        if len(year_text) != 4:
            raise Unreadable(f"{year_text}年度 needs an era (平成{year_text}年度) or a four-digit year")
        return _in_range(int(year_text)), None
    fy = _in_range(era.to_western(era_year_number(era, year_text)))
    # An era year names a fiscal year if the era was in force on some day of it: 平成31年度 is
    # FY2019, which began on 2019-04-01 under 平成.
    problem = era.missing_from(datetime.date(fy, 4, 1), datetime.date(fy + 1, 3, 31))
    if problem is not None:
        # Only an era's end can be missed (its 元年度 holds its first day), so last_day is set.
        if era.last_day is not None:
            problem += f" (its last 年度 was {era.year_name(fiscal_year_of(era.last_day))}度)"
        raise Unreadable(
            f"{problem}, so {era.year_name(fy)}度 does not exist; did you mean {fiscal_year_label(fy)}?"
        )
    return fy, era


def _in_range(fy: int) -> int:
    # The fiscal year must end within what datetime.date can hold.
    if not 1 <= fy < datetime.MAXYEAR:
        raise Unreadable(f"FY{fy} is out of range")
    return fy
