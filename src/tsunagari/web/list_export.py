"""The form kit's list downloads: a staff list declares its columns once, and `?format=csv` or
`?format=xlsx` on the list's own address answers with exactly the rows the page shows (its filters, its
permission checks), written by common.spreadsheet; no domain.

Cells are written as staff read them: headers in the page's language, codes as their labels, dates as ISO
with a 和暦 column beside them, money as whole yen.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tsunagari.common.spreadsheet import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Cell, write_csv, write_xlsx
from tsunagari.dates import PartialDate, fiscal_year_label
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.reference import countries
from tsunagari.web.forms import PICKERS
from tsunagari.web.i18n import Lang, gettext, pair_half, split_pair
from tsunagari.web.rendering import lang_of

FORMATS: Final = ("csv", "xlsx")
ColumnKind = Literal[
    "text",
    "date",
    "datetime",
    "fiscal_year",
    "money",
    "number",
    "label",
    "counts",
    "message",
    "country",
    "bool",
]


@dataclass(frozen=True)
class Column:
    """One column of a list's download: its header ("日本語 / English" pair, or an English msgid) and
    how a row's record gives its value."""

    label: str
    value: Callable[[Any], Any]
    kind: ColumnKind = "text"
    """date, datetime and fiscal_year (2025, 令和7年度) add a 和暦 column; money and number are whole
    numbers; label maps codes; counts shows {code: n} as 中学生 10、引率 2; message shows an English msgid
    (active, revoked) from the catalogue."""
    labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """(Japanese, English) of each code of a `label` column (an enum's values)."""

    def headers(self, lang: Lang) -> list[str]:
        header = pair_half(self.label, lang)
        if self.kind not in ("date", "datetime", "fiscal_year"):
            return [header]
        return [header, wareki_header(self.label, lang)]

    def cells(self, record: Any, lang: Lang) -> list[Cell]:
        value = self.value(record)
        if self.kind == "date":
            return list(date_cells(value))
        if self.kind == "datetime":
            return list(datetime_cells(value))
        if self.kind == "fiscal_year":
            return [whole_number(value), fiscal_year_label(value) if isinstance(value, int) else None]
        if self.kind in ("money", "number"):
            return [whole_number(value)]
        if self.kind == "label":
            return [code_label(value, self.labels, lang)]
        if self.kind == "counts":
            return [counts_cell(value, self.labels, lang)]
        if self.kind == "country":
            return [country_name(value, lang)]
        if self.kind == "message":
            return [gettext(lang, str(value)) if value else None]
        if self.kind == "bool":
            return ["✓" if value else ""]
        return [text_cell(value, lang)]


def wareki_header(label: str, lang: Lang) -> str:
    """The header of the 和暦 column beside a date column: 提携日（和暦） / Signed (Japanese era)."""
    ja, en = pair_half(label, "ja"), pair_half(label, "en")
    return f"{en} (Japanese era)" if lang == "en" else f"{ja}（和暦）"


def date_cells(value: Any) -> tuple[Cell, Cell]:
    """(ISO, 和暦) of a date, a PartialDate (1992-04 → 平成4年4月) or an ISO text; empty for nothing."""
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value, None
    partial = value if isinstance(value, PartialDate) else PartialDate(value, "day")
    return partial.iso(), partial.wareki()


def datetime_cells(value: Any) -> tuple[Cell, Cell]:
    """(2026-12-07 09:30:00, 令和8年12月7日) of a moment; the 和暦 column names its day."""
    if value is None:
        return None, None
    if not isinstance(value, dt.datetime):
        return date_cells(value)
    return value.strftime("%Y-%m-%d %H:%M:%S"), PartialDate(value.date(), "day").wareki()


def counts_cell(value: Any, labels: Mapping[str, tuple[str, str]], lang: Lang) -> Cell:
    """Participants and the like ({"students": 10}) as 中学生 10、引率 2, each category by its label."""
    if not value:
        return None
    parts = [f"{code_label(code, labels, lang)} {count}" for code, count in dict(value).items()]
    return ("、" if lang == "ja" else ", ").join(parts)


def country_name(code: Any, lang: Lang = "ja") -> Cell:
    """ルーマニア (Romania in English mode) for RO; a code the reference does not know as written."""
    if not code:
        return None
    try:
        found = countries.country(str(code))
    except InvalidInput:
        return str(code)
    return str((found.name_en if lang == "en" else found.name_ja) or found.name_en or code)


def whole_number(value: Any) -> Cell:
    """Money and counts as whole numbers (a Decimal or float amount rounded to the yen)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float | decimal.Decimal):
        return int(decimal.Decimal(str(value)).quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP))
    return str(value)


def code_label(value: Any, labels: Mapping[str, tuple[str, str]], lang: Lang) -> Cell:
    """A code (an enum member or its value) as its label in the page's language, never the code."""
    if value is None or value == "":
        return None
    codes = value if isinstance(value, list | tuple | set | frozenset) else [value]
    shown = []
    for item in codes:
        code = str(getattr(item, "value", item))
        ja, en = labels.get(code, (code, code))
        shown.append(en if lang == "en" else ja)
    return "、".join(shown) if lang == "ja" else ", ".join(shown)


def text_cell(value: Any, lang: Lang) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, int):
        return value
    if isinstance(value, list | tuple):
        return ("、" if lang == "ja" else ", ").join(str(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return ("、" if lang == "ja" else ", ").join(f"{k} {v}" for k, v in value.items())
    return pair_half(str(value), lang) if split_pair(str(value)) else str(value)


@dataclass(frozen=True)
class ListExport:
    """What a staff list's download holds: a file name, a title and the columns, in the page's order."""

    name: str
    """The file's stem (ASCII): partnerships → partnerships.csv."""
    title: str
    columns: tuple[Column, ...]

    def header(self, lang: Lang) -> list[str]:
        return [h for column in self.columns for h in column.headers(lang)]

    def row(self, record: Any, lang: Lang) -> list[Cell]:
        return [cell for column in self.columns for cell in column.cells(record, lang)]

    def body(self, records: Iterable[Any], fmt: str, lang: Lang) -> bytes:
        header = self.header(lang)
        rows = [self.row(record, lang) for record in records]
        if fmt == "csv":
            return write_csv(header, rows)
        return write_xlsx(header, rows, sheet_title=self.name, title=pair_half(self.title, lang))

    def response(self, request: Request, records: Iterable[Any], fmt: str | None = None) -> Response:
        """The download of `records` in the format the request asks for."""
        chosen = fmt or wanted_format(request) or "csv"
        media = CSV_MEDIA_TYPE if chosen == "csv" else XLSX_MEDIA_TYPE
        return Response(
            self.body(records, chosen, lang_of(request)),
            media_type=media,
            headers={
                "Content-Disposition": f'attachment; filename="{self.name}.{chosen}"',
                "Cache-Control": "no-store",
            },
        )


def wanted_format(request: Request) -> str | None:
    """csv or xlsx when the list's address asks for a download (`?format=`), else None (the page)."""
    fmt = request.query_params.get("format", "")
    return fmt if fmt in FORMATS else None


def download_links(request: Request, path: str | None = None, **params: str) -> list[tuple[str, str]]:
    """The list's two download buttons: its own address (`path` when a form post drew the list) and
    filters, with `format` set (and `params`, such as which of a page's lists)."""
    lang = lang_of(request)
    dropped = ("format", "saved", "removed", "created", "revoked", "resolved")
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in dropped and k not in params]
    kept += list(params.items())
    return [
        (gettext(lang, label), f"{path or request.url.path}?{urlencode([*kept, ('format', fmt)])}")
        for fmt, label in (("csv", "Download CSV"), ("xlsx", "Download XLSX"))
    ]


def party_name(record: Any) -> str:
    """A municipality or an organisation as its picker names it (武蔵野市（東京都））."""
    if record is None:
        return ""
    for what in ("municipality", "organisation"):
        picker = PICKERS.get(what)
        if picker is not None and type(record).__name__.lower() == what:
            return picker.describe(record)
    return str(getattr(record, "name", "") or "")


def picked_name(session: Session, what: str, record_id: int | None) -> str:
    """The record a reference points at, described as its picker echoes it (never the id alone)."""
    if record_id is None:
        return ""
    picker = PICKERS.get(what)
    if picker is None:
        return f"#{record_id}"
    try:
        return picker.describe(picker.load(session, record_id))
    except NotFound:
        return f"#{record_id}"
