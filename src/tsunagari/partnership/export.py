"""Partnerships written out in the version 1 columns (CSV, XLSX, JSON), byte for byte reproducible.

Only partnerships between two municipalities fit these columns; those with an organisation on
either side (姉妹商工会 and the like) are left out. Contacts are never exported.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.common.fields import field_text
from tsunagari.common.spreadsheet import write_csv, write_xlsx
from tsunagari.dates import PartialDate
from tsunagari.errors import InvalidInput
from tsunagari.municipality.models import Municipality
from tsunagari.partnership.models import Partnership
from tsunagari.reference import licences

ExportFormat = Literal["csv", "xlsx", "json"]
FORMATS: Final[tuple[ExportFormat, ...]] = ("csv", "xlsx", "json")

# The version 1 columns, in order (SPEC "Partnerships CSV / XLSX"), then the columns added since (fields:
# 交流分野 as codes, "culture; environment"); the importer reads the same, each optional.
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
    "fields",
)

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
        "fields": field_text(partnership.fields or []),
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
    return write_csv(COLUMNS, ([row[column] for column in COLUMNS] for row in rows))


def rows_to_json(rows: Sequence[ExportRow]) -> bytes:
    """A list of objects with the v1 keys; empty cells are null. No formula guard: JSON is not a sheet."""
    objects = [{column: (row[column] or None) for column in COLUMNS} for row in rows]
    return (json.dumps(objects, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def rows_to_xlsx(rows: Sequence[ExportRow]) -> bytes:
    return write_xlsx(
        COLUMNS,
        ([row[column] for column in COLUMNS] for row in rows),
        sheet_title=SHEET_TITLE,
        title="Partnerships (version 1)",
        about=licences.about_rows(row["source"] for row in rows),
    )
