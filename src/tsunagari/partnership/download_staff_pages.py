"""The columns of the partnership staff lists' downloads (提携の一覧, 連絡先), declared once for the form
kit's `ListExport`; the list pages hand in exactly the records they show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.dates import PartialDate
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, STATUS_LABELS
from tsunagari.web.list_export import Column, ListExport, party_name, picked_name


def _dated(value: Any, precision: str | None) -> PartialDate | None:
    return PartialDate.from_parts(value, precision)


def _partner(record: Any) -> str:
    partner = record.partner_municipality or record.partner_organisation
    return party_name(partner) if partner is not None else (record.partner_written_name or "")


PARTNERSHIPS = ListExport(
    name="partnerships",
    title="Partnerships",
    columns=(
        Column("ID", lambda p: p.id, "number"),
        Column("Municipality", lambda p: party_name(p.home_municipality or p.home_organisation)),
        Column("Partner", _partner),
        Column("Type", lambda p: p.type, "label", PARTNERSHIP_TYPE_LABELS),
        Column("Signed", lambda p: _dated(p.signed_on, p.signed_on_precision), "date"),
        Column("Status", lambda p: p.status, "label", STATUS_LABELS),
        Column("Notes", lambda p: p.notes),
    ),
)


@dataclass(frozen=True)
class ContactRow:
    """A contact with what it belongs to, named (自治体・団体・提携)."""

    contact: Any
    belongs_to: str


def contact_rows(session: Session, contacts: list[Any]) -> list[ContactRow]:
    rows = []
    for c in contacts:
        if c.municipality_id:
            owner = picked_name(session, "municipality", c.municipality_id)
        elif c.organisation_id:
            owner = picked_name(session, "organisation", c.organisation_id)
        else:
            owner = picked_name(session, "partnership", c.partnership_id)
        rows.append(ContactRow(c, owner))
    return rows


CONTACTS = ListExport(
    name="contacts",
    title="Contacts",
    columns=(
        Column("ID", lambda r: r.contact.id, "number"),
        Column("Belongs to", lambda r: r.belongs_to),
        Column("Full name", lambda r: r.contact.person_name),
        Column("Position", lambda r: r.contact.role),
        Column("E-mail", lambda r: r.contact.email),
        Column("Phone", lambda r: r.contact.phone),
        Column("Notes", lambda r: r.contact.notes),
    ),
)
