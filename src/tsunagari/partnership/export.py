"""Partnerships written out in the version 1 columns (CSV, XLSX, JSON), byte for byte reproducible.

Only partnerships between two municipalities fit these columns; those with an organisation on
either side (姉妹商工会 and the like) are left out. Contacts are never exported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Sequence
from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.common.encoding import UTF8_BOM, guard_formula, needs_formula_guard
from tsunagari.dates import PartialDate
from tsunagari.errors import InvalidInput
from tsunagari.municipality.models import Municipality
from tsunagari.partnership.models import Partnership

ExportFormat = Literal["csv", "xlsx", "json"]
FORMATS: Final[tuple[ExportFormat, ...]] = ("csv", "xlsx", "json")

# The version 1 columns, in order (SPEC "Partnerships CSV / XLSX"); the importer reads the same.
COLUMNS: Final[tuple[str, ...]] = (
    "municipality",
    "municipality_code",
    "municipality_prefecture",
    "partner",
    "partner_name_en",
    "partner_country",
    "partner_region",
    "type",
    "signed_on",
    "status",
    "ended_on",
    "origin",
    "notes",
    "source",
)

# Fixed so that the same registry always gives the same bytes (openpyxl would write "now").
WORKBOOK_TIMESTAMP: Final = dt.datetime(2000, 1, 1)
_ZIP_TIMESTAMP: Final = (1980, 1, 1, 0, 0, 0)
SHEET_TITLE: Final = "partnerships"

ExportRow = dict[str, str]


def _partial_iso(value: dt.date | None, precision: str | None) -> str:
    partial = PartialDate.from_parts(value, precision)
    return partial.iso() if partial else ""


def _row(partnership: Partnership, home: Municipality, partner: Municipality) -> ExportRow:
    return {
        "municipality": home.name,
        "municipality_code": (home.jis_code or "") if home.country == "JP" else "",
        "municipality_prefecture": home.region or "",
        "partner": partnership.partner_written_name or partner.name,
        "partner_name_en": partner.name_en or "",
        "partner_country": partner.country,
        "partner_region": partner.region or "",
        "type": partnership.type,
        "signed_on": _partial_iso(partnership.signed_on, partnership.signed_on_precision),
        "status": partnership.status,
        "ended_on": _partial_iso(partnership.ended_on, partnership.ended_on_precision),
        "origin": partnership.origin or "",
        "notes": partnership.notes or "",
        "source": partnership.source or "",
    }


def export_rows(*, session: Session) -> list[ExportRow]:
    """Every municipality-to-municipality partnership as a v1 row, in a stable order.

    Ordered by home (code, then name), partner as written, type, then id: none of these depend on
    the database's ids except the last, so an export of a re-imported file keeps the same order.
    """
    keyed: list[tuple[tuple[object, ...], ExportRow]] = []
    for partnership in session.scalars(select(Partnership)).unique():
        home, partner = partnership.home_municipality, partnership.partner_municipality
        if home is None or partner is None:
            continue
        row = _row(partnership, home, partner)
        key = (
            row["municipality_code"] == "",
            row["municipality_code"],
            row["municipality"],
            row["municipality_prefecture"],
            row["partner"],
            row["partner_country"],
            row["type"],
            partnership.id,
        )
        keyed.append((key, row))
    keyed.sort(key=lambda pair: pair[0])
    return [row for _, row in keyed]


def export_partnerships(*, session: Session, format: ExportFormat) -> bytes:
    """The partnerships as a CSV (UTF-8 with BOM, for Excel), XLSX or JSON file."""
    rows = export_rows(session=session)
    if format == "csv":
        return rows_to_csv(rows)
    if format == "xlsx":
        return rows_to_xlsx(rows)
    if format == "json":
        return rows_to_json(rows)
    raise InvalidInput(f"unknown format; choose one of {', '.join(FORMATS)}", field="--format", value=format)


def rows_to_csv(rows: Sequence[ExportRow]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([guard_formula(row[column]) for column in COLUMNS])
    return UTF8_BOM + buffer.getvalue().encode("utf-8")


def rows_to_json(rows: Sequence[ExportRow]) -> bytes:
    """A list of objects with the v1 keys; empty cells are null. No formula guard: JSON is not a sheet."""
    objects = [{column: (row[column] or None) for column in COLUMNS} for row in rows]
    return (json.dumps(objects, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def rows_to_xlsx(rows: Sequence[ExportRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for line, row in enumerate(rows, start=2):
        for index, column in enumerate(COLUMNS, start=1):
            text = row[column]
            if not text:
                continue
            cell = sheet.cell(row=line, column=index, value=text)
            # Every value is text (a code such as 062081 must keep its zero), and text that
            # Excel would run as a formula is stored as a string shown with a quote prefix.
            cell.data_type = "s"
            if needs_formula_guard(text):
                cell.quotePrefix = True
    properties = workbook.properties
    properties.creator = "Tsunagari"
    properties.lastModifiedBy = "Tsunagari"
    properties.title = "Partnerships (version 1)"
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
