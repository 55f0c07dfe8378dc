"""The one shape every public list page downloads in (CSV and XLSX): headers named in the page's language,
each date as 西暦 with its 和暦 beside it, labels rather than codes; bytes only through common.spreadsheet.

Headers are English msgids translated by the caller (the HTTP module holds the message catalogue); this
module knows no request and reads no table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from tsunagari.common.spreadsheet import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Cell, write_csv, write_xlsx
from tsunagari.dates import PartialDate
from tsunagari.reference import licences

Format = Literal["csv", "xlsx"]
FORMATS: Final[tuple[Format, ...]] = ("csv", "xlsx")
MEDIA_TYPES: Final[dict[Format, str]] = {"csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE}

WESTERN: Final = "%(column)s (Western calendar)"
"""The msgid of a date's 西暦 column header ("締結日（西暦）")."""
WAREKI: Final = "%(column)s (Japanese era)"
"""The msgid of a date's 和暦 column header ("締結日（和暦）")."""


@dataclass(frozen=True)
class Column:
    """One header: an English msgid; `date` makes two columns, 西暦 then 和暦."""

    header: str
    date: bool = False


@dataclass(frozen=True)
class Dated:
    """A period already written both ways (FY2007–FY2009 / 平成19年度〜平成21年度) for a date column."""

    western: str
    wareki: str


@dataclass
class ListTable:
    """A list page's rows as a download holds them; a date column's cell is a PartialDate (or None)."""

    stem: str
    """The file name without its extension (ASCII: it travels in Content-Disposition)."""
    title: str
    """An English msgid: the workbook's title and sheet name."""
    columns: Sequence[Column]
    rows: list[Sequence[Cell | PartialDate | Dated]] = field(default_factory=list)
    sources: list[str | None] = field(default_factory=list)
    """The rows' recorded sources (partnerships), for the licence; none: the registry's own records."""


def as_partial(value: PartialDate | dt.date | None) -> PartialDate | None:
    if value is None or isinstance(value, PartialDate):
        return value
    return PartialDate(value, "day")


def headers(columns: Sequence[Column], translate: Callable[[str], str]) -> list[str]:
    """Each column's header in the page's language; a date column gives its 西暦 and 和暦 headers."""
    found: list[str] = []
    for column in columns:
        name = translate(column.header)
        if column.date:
            found += [translate(WESTERN) % {"column": name}, translate(WAREKI) % {"column": name}]
        else:
            found.append(name)
    return found


def cells(columns: Sequence[Column], row: Sequence[Cell | PartialDate | Dated]) -> list[Cell]:
    """A row's cells with each date spread over 西暦 (ISO, as precise as known) and 和暦 (平成4年4月21日)."""
    found: list[Cell] = []
    for column, value in zip(columns, row, strict=True):
        if isinstance(value, Dated):
            found += [value.western or None, value.wareki or None]
        elif column.date:
            date = value if isinstance(value, PartialDate) else None
            found += [date.iso() if date else None, date.wareki() if date else None]
        else:
            found.append(None if isinstance(value, PartialDate) else value)
    return found


def about_rows(table: ListTable) -> list[list[str]]:
    """The licence and attribution lines (the workbook's "about" sheet), as /data's downloads carry them."""
    return licences.about_rows(table.sources or [None])


def link_header(table: ListTable) -> str:
    return licences.link_header(table.sources or [None])


def table_bytes(table: ListTable, fmt: Format, translate: Callable[[str], str]) -> bytes:
    """The table as CSV (UTF-8 with BOM) or XLSX (bold frozen header, autofilter, widths, "about" sheet)."""
    names = headers(table.columns, translate)
    rows: Iterable[list[Cell]] = (cells(table.columns, row) for row in table.rows)
    if fmt == "csv":
        return write_csv(names, rows)
    title = translate(table.title)
    return write_xlsx(names, rows, sheet_title=title, title=title, about=about_rows(table))


def joined(values: Iterable[str | None], *, japanese: bool) -> str:
    """Several labels in one cell, separated as the page's language writes a list."""
    return ("、" if japanese else ", ").join(v for v in values if v)
