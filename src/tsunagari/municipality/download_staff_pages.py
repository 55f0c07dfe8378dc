"""The columns of the staff home's downloads (the programmes, activities and networks of the signed-in
person's municipalities), declared once for the form kit's `ListExport`."""

from __future__ import annotations

from typing import Any

from tsunagari.dates import PartialDate
from tsunagari.exchange.models import (
    DIRECTION_LABELS,
    FIELD_LABELS,
    FORMAT_LABELS,
    NETWORK_KIND_LABELS,
)
from tsunagari.exchange.schemas import PARTICIPANT_CATEGORY_LABELS
from tsunagari.web.list_export import Column, ListExport, party_name


# ----------------------------------------------------------------------------- the staff home's lists
# Rows are (municipality, record): the programmes, activities and networks of the actor's municipalities,
# as the staff home lists them under each municipality.
def _place(row: tuple[Any, Any]) -> str:
    return party_name(row[0])


def _dated(value: Any, precision: str | None) -> PartialDate | None:
    return PartialDate.from_parts(value, precision)


PROGRAMMES = ListExport(
    name="programmes",
    title="Programmes",
    columns=(
        Column("Municipality", _place),
        Column("ID", lambda row: row[1].id, "number"),
        Column("Title", lambda row: row[1].title),
        Column("Mode", lambda row: row[1].format, "label", FORMAT_LABELS),
        Column("Fields", lambda row: row[1].fields, "label", FIELD_LABELS),
        Column("First fiscal year", lambda row: row[1].first_fy, "fiscal_year"),
        Column("Last fiscal year", lambda row: row[1].last_fy, "fiscal_year"),
    ),
)

ACTIVITIES = ListExport(
    name="activities",
    title="Activities",
    columns=(
        Column("Municipality", _place),
        Column("Programme", lambda row: row[1].programme.title),
        Column("ID", lambda row: row[1].id, "number"),
        Column("Name", lambda row: row[1].title),
        Column("Start", lambda row: _dated(row[1].start_on, row[1].start_on_precision), "date"),
        Column("End", lambda row: _dated(row[1].end_on, row[1].end_on_precision), "date"),
        Column("Direction", lambda row: row[1].direction, "label", DIRECTION_LABELS),
        Column("Place", lambda row: row[1].place),
        Column("Participants", lambda row: row[1].participants, "counts", PARTICIPANT_CATEGORY_LABELS),
        Column("Public cost (yen)", lambda row: row[1].public_cost, "money"),
        Column("Private cost (yen)", lambda row: row[1].private_cost, "money"),
    ),
)

NETWORKS = ListExport(
    name="networks",
    title="Networks you run",
    columns=(
        Column("Municipality", _place),
        Column("ID", lambda row: row[1].id, "number"),
        Column("Name", lambda row: row[1].name),
        Column("Kind", lambda row: row[1].kind, "label", NETWORK_KIND_LABELS),
        Column("Members", lambda row: len(row[1].memberships), "number"),
        Column("Meetings", lambda row: len(row[1].meetings), "number"),
    ),
)

HOME_LISTS = {"programmes": PROGRAMMES, "activities": ACTIVITIES, "networks": NETWORKS}
