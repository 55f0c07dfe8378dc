"""Business logic of organisations and contacts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, bindparam, exists, select
from sqlalchemy.orm import Session

from tsunagari.common.records import assign_changed
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.organisation.models import Contact, Organisation
from tsunagari.organisation.schemas import ContactCreate, OrganisationCreate


def get(*, session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    return organisation


def party_municipalities(
    *, session: Session, municipality_id: int | None, organisation_id: int | None
) -> set[int]:
    """The municipalities a party (a municipality, or an organisation of one) belongs to."""
    found = {municipality_id} if municipality_id is not None else set()
    if organisation_id is not None:
        organisation = session.get(Organisation, organisation_id)
        if organisation is not None and organisation.municipality_id:
            found.add(organisation.municipality_id)
    return found


def create(*, session: Session, data: OrganisationCreate) -> Organisation:
    organisation = Organisation(**data.model_dump())
    session.add(organisation)
    session.flush()
    return organisation


def update(*, session: Session, organisation: Organisation, changes: Mapping[str, Any]) -> Organisation:
    assign_changed(organisation, changes)
    session.flush()
    return organisation


def find_by_name(*, session: Session, name: str) -> Organisation | None:
    return session.scalars(select(Organisation).where(Organisation.name == name.strip())).first()


# Few municipalities have organisations recorded: a prebuilt check skips loading for the rest.
_HAS_ANY = select(exists().where(Organisation.municipality_id == bindparam("municipality_id", type_=Integer)))


def for_municipality(*, session: Session, municipality_id: int) -> Sequence[Organisation]:
    if not session.connection().scalar(_HAS_ANY, {"municipality_id": municipality_id}):
        return []
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.municipality_id == municipality_id)
            .order_by(Organisation.founded_on, Organisation.id)
        )
    )


def add_contact(*, session: Session, data: ContactCreate) -> Contact:
    if not (data.municipality_id or data.organisation_id or data.partnership_id):
        raise InvalidInput(
            "a contact belongs to a municipality, an organisation or a partnership",
            field="municipality_id",
        )
    contact = Contact(**data.model_dump())
    session.add(contact)
    session.flush()
    return contact


def update_contact(*, session: Session, contact: Contact, changes: Mapping[str, Any]) -> Contact:
    assign_changed(contact, changes)
    session.flush()
    return contact


def contacts_for_municipality(*, session: Session, municipality_id: int) -> Sequence[Contact]:
    """Personal data: callers must check the actor may see contacts."""
    return list(session.scalars(select(Contact).where(Contact.municipality_id == municipality_id)))


def get_contact(*, session: Session, contact_id: int) -> Contact:
    """Personal data: callers must check the actor may see contacts."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} does not exist")
    return contact


def list_contacts(*, session: Session, municipality_id: int | None = None) -> list[Contact]:
    """Personal data: callers must check the actor may see contacts."""
    statement = select(Contact).order_by(Contact.id)
    if municipality_id is not None:
        statement = statement.where(Contact.municipality_id == municipality_id)
    return list(session.scalars(statement))


def search_by_name(*, session: Session, text: str, limit: int = 10) -> Sequence[Organisation]:
    """Organisations whose Japanese or English name contains `text` (the staff forms' picker)."""
    pattern = f"%{text.strip()}%"
    return list(
        session.scalars(
            select(Organisation)
            .where((Organisation.name.like(pattern)) | (Organisation.name_en.ilike(pattern)))
            .order_by(Organisation.name, Organisation.id)
            .limit(limit)
        )
    )
