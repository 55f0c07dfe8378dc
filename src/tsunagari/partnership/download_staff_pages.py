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
    title="提携の一覧 / Partnerships",
    columns=(
        Column("ID", lambda p: p.id, "number"),
        Column("自治体 / Municipality", lambda p: party_name(p.home_municipality or p.home_organisation)),
        Column("相手 / Partner", _partner),
        Column("種別 / Type", lambda p: p.type, "label", PARTNERSHIP_TYPE_LABELS),
        Column("提携日 / Signed", lambda p: _dated(p.signed_on, p.signed_on_precision), "date"),
        Column("状態 / Status", lambda p: p.status, "label", STATUS_LABELS),
        Column("備考 / Notes", lambda p: p.notes),
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
    title="連絡先 / Contacts",
    columns=(
        Column("ID", lambda r: r.contact.id, "number"),
        Column("所属 / Belongs to", lambda r: r.belongs_to),
        Column("氏名 / Name", lambda r: r.contact.person_name),
        Column("役職 / Role", lambda r: r.contact.role),
        Column("メール / E-mail", lambda r: r.contact.email),
        Column("電話 / Phone", lambda r: r.contact.phone),
        Column("備考 / Notes", lambda r: r.contact.notes),
    ),
)
