"""The one writer of every CSV and XLSX download: formula-like cells neutralised, control characters dropped,
the same bytes for the same rows; shared ground: imports nothing of tsunagari's domains.

A cell that a spreadsheet would run (`=`, `+`, `-`, `@`, tab, CR first: OWASP "CSV injection") gets a
leading quote in CSV and is stored as text shown with a quote prefix in XLSX; the importers drop that quote
again (encoding.unguard_formula), so a round trip is exact. Whole numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from typing import Final

from tsunagari.common.encoding import UTF8_BOM, guard_formula, needs_formula_guard, without_control_characters

Cell = str | int | None

# Fixed so that the same rows always give the same bytes (openpyxl would write "now").
WORKBOOK_TIMESTAMP: Final = dt.datetime(2000, 1, 1)
_ZIP_TIMESTAMP: Final = (1980, 1, 1, 0, 0, 0)
CSV_MEDIA_TYPE: Final = "text/csv; charset=utf-8"
MAX_COLUMN_WIDTH: Final = 60
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a full-width (CJK) character counts two; the longest line."""
    return max(
        (
            sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)
            for line in text.splitlines()
        ),
        default=0,
    )


def safe_text(value: str) -> str:
    """A cell's text as a download writes it: no control characters, a formula shown as text."""
    return guard_formula(without_control_characters(value))


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a BOM (so that Excel reads it as UTF-8), CRLF line ends, every text cell made safe."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(column) for column in columns])
    for row in rows:
        writer.writerow(
            ["" if cell is None else cell if isinstance(cell, int) else safe_text(cell) for cell in row]
        )
    return UTF8_BOM + buffer.getvalue().encode("utf-8")


def write_xlsx(
    columns: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    sheet_title: str,
    title: str,
    about: Sequence[Sequence[str]] = (),
) -> bytes:
    """One sheet, a bold frozen header, text kept as text (a code such as 062081 keeps its zero), whole
    numbers as numbers; a fixed creation time and fixed zip dates, so equal rows give equal bytes.

    `about` (licence and attribution lines) becomes a second sheet, "about", and the workbook's
    description; importers read the first sheet only."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = without_control_characters(sheet_title)[:31] or "data"
    sheet.append([without_control_characters(column) for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [display_width(column) for column in columns]
    last_line = 1
    for line, row in enumerate(rows, start=2):
        last_line = line
        for index, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            if index > len(widths):
                widths.append(0)
            if isinstance(value, int) and not isinstance(value, bool):
                sheet.cell(row=line, column=index, value=value)
                widths[index - 1] = max(widths[index - 1], len(str(value)))
                continue
            text = without_control_characters(str(value))
            if not text:
                continue
            widths[index - 1] = max(widths[index - 1], display_width(text))
            cell = sheet.cell(row=line, column=index, value=text)
            # Stored as a string, never as a formula; one Excel would run is shown with a quote prefix.
            cell.data_type = "s"
            if needs_formula_guard(text):
                cell.quotePrefix = True
    for index, width in enumerate(widths, start=1):
        # Wide enough for the longest cell (a CJK character counts two), within reason.
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 4) + 2, MAX_COLUMN_WIDTH)
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(widths))}{last_line}"
    if about:
        notes = workbook.create_sheet("about")
        for note in about:
            notes.append([safe_text(text) for text in note])
    properties = workbook.properties
    properties.creator = "Tsunagari"
    properties.lastModifiedBy = "Tsunagari"
    properties.title = title
    if about:
        properties.description = "\n".join(" ".join(line) for line in about)
    properties.created = WORKBOOK_TIMESTAMP
    properties.modified = WORKBOOK_TIMESTAMP
    # ExcelWriter directly rather than Workbook.save(), which stamps the modified time with "now".
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return _with_fixed_zip_times(raw.getvalue())


def _with_fixed_zip_times(data: bytes) -> bytes:
    """The same archive with every member dated 1980-01-01, so equal content gives equal bytes."""
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(member.filename))
    return fixed.getvalue()
