"""年度 (fiscal years, 1 April to 31 March) as written in records: one year, a range, a list, an
open-ended run, or a series held every N years; pure functions, no I/O.
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
    its start when a frequency is given; a list (平成19・21年度) holds the years it names. "2年おき"
    is read as every 2 years, as 行政 writing uses it. A schedule with no year (毎年, 隔年, 継続)
    is ongoing with no first year. An empty value is unknown, never a guess: every other field is
    then None or empty.
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
        if not self.ongoing and self.series_since_fy is None:
            return False  # a closed range or list holds exactly the years it names
        if self.first_fy is None or fy < self.first_fy:
            return False
        if self.last_fy is not None and fy > self.last_fy:
            return False
        if self.every_n_years is None:
            # A series start with no frequency says nothing about the years in between.
            return self.series_since_fy is None or fy == self.series_since_fy
        anchor = self.series_since_fy if self.series_since_fy is not None else self.first_fy
        return (fy - anchor) % self.every_n_years == 0

    def _listed(self) -> bool:
        """Whether the held years are a list rather than a range (平成19・21年度)."""
        if len(self.held_fy) < 2 or self.last_fy is None:
            return False
        return self.held_fy != tuple(range(self.held_fy[0], self.last_fy + 1, self.every_n_years or 1))

    def label_ja(self) -> str:
        """平成19年度〜平成21年度, 平成19年度・平成21年度, 平成15年度〜,
        平成22年度（平成10年度より2年おきに実施）, 毎年実施, 継続 or 不明;
        parse_fiscal_years reads it back to the same value.
        """
        if self.unknown:
            return "不明"
        note = ""
        if self.series_since_fy is not None:
            note += f"{fiscal_year_label(self.series_since_fy)}より"
        if self.every_n_years == 1:
            note += "毎年"
        elif self.every_n_years is not None:
            note += f"{self.every_n_years}年おきに"
        if not self.held_fy:
            return f"{note}実施" if note else ("継続" if self.ongoing else "不明")
        if self._listed():
            text = "・".join(fiscal_year_label(fy) for fy in self.held_fy)
        else:
            text = fiscal_year_label(self.held_fy[0])
            if self.ongoing:
                text += "〜"
            elif self.last_fy is not None and self.last_fy != self.held_fy[0]:
                text += f"〜{fiscal_year_label(self.last_fy)}"
        return f"{text}（{note}実施）" if note else text

    def label_en(self) -> str:
        """FY2007–FY2009, FY2007, FY2009, FY2003 onward (every 2 years), every year, ongoing or unknown."""
        notes = []
        if self.series_since_fy is not None:
            notes.append(f"series since FY{self.series_since_fy}")
        if self.every_n_years is not None:
            notes.append("every year" if self.every_n_years == 1 else f"every {self.every_n_years} years")
        if self.unknown:
            return "unknown"
        if not self.held_fy:
            return ", ".join(notes) if notes else ("ongoing" if self.ongoing else "unknown")
        if self._listed():
            text = ", ".join(f"FY{fy}" for fy in self.held_fy)
        else:
            text = f"FY{self.held_fy[0]}"
            if self.ongoing:
                text += " onward"
            elif self.last_fy is not None and self.last_fy != self.held_fy[0]:
                text += f"–FY{self.last_fy}"
        return f"{text} ({', '.join(notes)})" if notes else text

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


# ----------------------------------------------------------------------------------- the grammar
# Kanji numerals (平成十年度, 二〇一九年度, 二年に一度) are turned into digits before reading.
_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = re.compile(f"[{''.join(_KANJI_DIGITS)}{''.join(_KANJI_UNITS)}]+")


def kanji_number(written: str) -> int:
    """二十二 → 22, 十 → 10, 二〇一九 → 2019 (digit by digit when no 十, 百 or 千 is written)."""
    if not any(char in _KANJI_UNITS for char in written):
        return int("".join(str(_KANJI_DIGITS[char]) for char in written))
    total, digit = 0, None
    for char in written:
        if char in _KANJI_UNITS:
            total += (1 if digit is None else digit) * _KANJI_UNITS[char]
            digit = None
        else:
            digit = _KANJI_DIGITS[char] if digit is None else digit * 10 + _KANJI_DIGITS[char]
    return total + (digit or 0)


def _term(prefix: str) -> str:
    """One fiscal year: FY2010, 2010年度, 平成22年度, H22; 年度 may be left to the range's end.

    A number followed by 年 that is not 年度 (2年おき, 3年に1回) is a frequency, not a year.
    """
    return rf"""
        (?: FY \s* (?P<{prefix}fy>\d{{4}})
          | (?: (?P<{prefix}era>{ERA_PATTERN}) \s* )? (?P<{prefix}year>元|\d{{1,4}})
            (?: \s* (?P<{prefix}nendo>年度) | (?! \s* [\d年]) )
        )
    """


# A list item (平成19・21年度): the same shape without named groups, read again with _ITEM.
_LIST_ITEM = rf"""
    (?: FY \s* \d{{4}} | (?: (?:{ERA_PATTERN}) \s* )? (?:元|\d{{1,4}}) (?: \s* 年度 | (?! \s* [\d年]) ) )
"""
_ITEM = re.compile(_term("item_"), re.VERBOSE | re.IGNORECASE)
_LIST_SEPARATORS = "・、,"
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
    (?: (?P<list> (?: [{_LIST_SEPARATORS}] \s* {_LIST_ITEM} \s* )+ )
      | (?P<to>~|-|から) \s* (?: {_RANGE_END} \s* (?:まで)? )?
      | (?P<since>以降|より)
    )?
    \s* (?P<rest>.*)
    """,
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)
# One clause of what may follow the years, in parentheses or not, or stand alone: where the series
# started, how often it runs, and whether it continues (平成10年度より2年おきに実施, 隔年開催,
# 2年に1度, 3年ごと, 毎年度, 継続中).
_NOTE = re.compile(
    rf"""
    (?: {_term("series_")} \s* (?:より|から|~|以降) \s* )?
    (?: (?P<frequency>
          毎年度? (?: \s* 1 \s* 回)?
        | 隔年度?
        | 年 \s* に? \s* 1 \s* [度回]
        | (?P<every>\d+) \s* 年 \s* (?: おき | ごと | 毎 | に \s* 1 \s* [度回] )
        ) \s*
    )?
    (?P<continuing>継続)? \s*
    (?: して | 的に | [にで] )? \s*
    (?: 実施 | 開催 )? \s*
    (?: 中 | する | している )?
    """,
    re.VERBOSE | re.IGNORECASE,
)
# Clauses are parenthesised or separated by 、 , ; or spaces.
_CLAUSE = re.compile(r"\(([^()]*)\)|([^()、,;\s]+)")


class _Unmatched(Unreadable):
    """The text does not follow the grammar (as opposed to naming an impossible year)."""


@dataclass
class _Notes:
    """What the clauses after the years say."""

    since: int | None = None
    every: int | None = None
    continuing: bool = False


def parse_fiscal_years(text: str, *, field: str | None = None) -> FiscalYears:
    """Read 平成22年度, 平成19~21年度, 平成19・21年度, 平成15年度~, FY2019-2021, R2年度, 平成十年度,
    and schedules such as (平成10年度より2年おきに実施), 隔年, 毎年度, 2年に1度（平成14年度から）,
    3年ごと, 継続; empty text or 不明 is unknown.

    Raises InvalidInput.
    """
    try:
        return _read_fiscal_years(normalise(text))
    except Unreadable as problem:
        raise InvalidInput(str(problem), field=field, value=text) from None


_NOT_FISCAL = (
    "not a fiscal year: write it like 平成22年度, 平成19~21年度, 平成15年度~, FY2010 "
    "or 隔年（平成14年度から）"
)


def _read_fiscal_years(text: str) -> FiscalYears:
    text = _KANJI_NUMBER.sub(lambda found: str(kanji_number(found[0])), text)
    if text in ("", "不明"):  # 不明 is what label_ja writes for unknown
        return FiscalYears(first_fy=None, last_fy=None, unknown=True)
    match = _MAIN.fullmatch(text)
    if match is None or not (
        any(match[key] for key in ("first_fy", "first_nendo", "end_fy", "end_nendo"))
        or re.search("年度|FY", match["list"] or "", re.IGNORECASE)
    ):
        # No year stated first: a schedule alone, or one whose start is in a note.
        try:
            notes = _read_notes(text)
        except _Unmatched:
            raise Unreadable(_NOT_FISCAL) from None
        if notes.since is not None:
            return FiscalYears(
                first_fy=notes.since,
                last_fy=None,
                ongoing=True,
                every_n_years=notes.every,
                held_fy=(notes.since,),
            )
        if notes.every is None and not notes.continuing:
            raise Unreadable(_NOT_FISCAL)
        return FiscalYears(first_fy=None, last_fy=None, ongoing=True, every_n_years=notes.every)
    first, first_era = _fiscal_year(match, "first_", inherited_era=None)
    ongoing = False
    last: int | None = first
    listed: list[int] | None = None
    if match["list"]:
        listed, era = [first], first_era
        for item in _ITEM.finditer(match["list"]):
            year, era = _fiscal_year(item, "item_", inherited_era=era)
            if year <= listed[-1]:
                raise Unreadable(
                    f"list the years in order: {fiscal_year_label(year)} "
                    f"comes after {fiscal_year_label(listed[-1])}"
                )
            listed.append(year)
        last = listed[-1]
    elif match["end_year"] or match["end_fy"] or match["end_bare"]:
        last, _ = _fiscal_year(match, "end_", inherited_era=first_era)
        if last < first:
            raise Unreadable(
                f"the range ends in {fiscal_year_label(last)}, before it starts in {fiscal_year_label(first)}"
            )
    elif match["to"] or match["since"]:
        ongoing, last = True, None
    rest = match["rest"].strip()
    try:
        notes = _read_notes(rest)
    except _Unmatched:
        raise Unreadable(f"cannot read {rest!r} after the fiscal years") from None
    if notes.continuing and not ongoing:
        # 平成22年度（継続中）: held since then and still held.
        ongoing, last, listed = True, None, None
    every_n_years = notes.every
    if listed is not None:
        held = tuple(listed)
    else:
        held = (first,) if last is None else tuple(range(first, last + 1, every_n_years or 1))
    series_since = notes.since
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


def _read_notes(text: str) -> _Notes:
    """The series start, the frequency and 継続 in the clauses after the years."""
    notes = _Notes()
    position = 0
    for clause in _CLAUSE.finditer(text):
        if text[position : clause.start()].strip(" 、,;"):
            raise _Unmatched(text)
        position = clause.end()
        _read_clause((clause[1] if clause[1] is not None else clause[2]).strip(), notes)
    if text[position:].strip(" 、,;"):
        raise _Unmatched(text)
    return notes


def _read_clause(clause: str, notes: _Notes) -> None:
    match = _NOTE.fullmatch(clause)
    if match is None:
        raise _Unmatched(clause)
    if match["series_year"] or match["series_fy"]:
        since = _fiscal_year(match, "series_", inherited_era=None)[0]
        if notes.since is not None and notes.since != since:
            raise Unreadable(f"two starts: {fiscal_year_label(notes.since)} and {fiscal_year_label(since)}")
        notes.since = since
    notes.continuing = notes.continuing or bool(match["continuing"])
    frequency = match["frequency"]
    if frequency is None:
        return
    if match["every"]:
        every = int(match["every"])
        if every < 1:
            raise Unreadable(f"every {every} years is not a frequency")
    else:
        every = 2 if frequency.startswith("隔年") else 1
    if notes.every is not None and notes.every != every:
        raise Unreadable(f"two frequencies: every {notes.every} and every {every} years")
    notes.every = every


def _fiscal_year(match: re.Match[str], prefix: str, *, inherited_era: Era | None) -> tuple[int, Era | None]:
    """The fiscal year a term names, and its era; a term without an era takes the range's."""
    fy_text = match[f"{prefix}fy"] or match.groupdict().get(f"{prefix}bare")
    if fy_text:
        return _in_range(int(fy_text)), None
    year_text: str = match[f"{prefix}year"]
    if match[f"{prefix}era"]:
        era: Era | None = era_named(match[f"{prefix}era"])
    else:
        # No era is four digits long, so 平成30年度~2020年度 ends in a western year.
        era = None if len(year_text) == 4 else inherited_era
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
