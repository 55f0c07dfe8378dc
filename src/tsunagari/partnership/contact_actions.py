"""Writes of contacts (担当者), permission-checked. A contact hangs on a municipality, an organisation or a
partnership, and belongs to the municipalities of whichever it hangs on: that needs the partnership's
parties, so contacts are written from this package, above organisations (whose rules they follow)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.access.action_kit import (
    check_version,
    current_values,
    delete_record,
    given_changes,
    stale_is_conflict,
    validated_changes,
)
from tsunagari.access.permissions import Target, require
from tsunagari.access.principal import Principal
from tsunagari.errors import NotFound, parse
from tsunagari.organisation import permissions as _rules  # noqa: F401 - registers the contact rules
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.models import Contact
from tsunagari.organisation.schemas import ContactCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.actions import partnership_target


def contact_target(session: Session, contact: Contact | ContactCreate) -> Target:
    owners = organisation_service.party_municipalities(
        session=session, municipality_id=contact.municipality_id, organisation_id=contact.organisation_id
    )
    if contact.partnership_id is not None:
        try:
            partnership = partnership_service.get(session=session, partnership_id=contact.partnership_id)
        except NotFound:  # nobody's: refused to editors; the service names the bad reference
            pass
        else:
            owners |= partnership_target(session, partnership).municipality_ids
    return Target("contact", frozenset(owners), record_id=getattr(contact, "id", None))


def get_contact(*, session: Session, contact_id: int) -> Contact:
    """A contact by id (the caller checks `view_contacts`)."""
    return organisation_service.get_contact(session=session, contact_id=contact_id)


def list_contacts(
    *, session: Session, actor: Principal | None, municipality_id: int | None = None
) -> list[Contact]:
    require("list_contacts", actor, Target("contact"))
    return organisation_service.list_contacts(session=session, municipality_id=municipality_id)


def create_contact(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Contact:
    contact_in = parse(ContactCreate, data)
    require("create_contact", actor, contact_target(session, contact_in))
    return organisation_service.add_contact(session=session, data=contact_in)


def update_contact(
    *,
    session: Session,
    actor: Principal | None,
    contact_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Contact:
    contact = organisation_service.get_contact(session=session, contact_id=contact_id)
    require("update_contact", actor, contact_target(session, contact))
    check_version(contact, version)
    values = validated_changes(
        ContactCreate,
        current_values(contact, ContactCreate),
        given_changes(changes, ContactCreate.model_fields),
    )
    merged = ContactCreate.model_validate({**current_values(contact, ContactCreate), **values})
    # Moving a contact to another party needs the right over the new one as well.
    require("update_contact", actor, contact_target(session, merged))
    with stale_is_conflict():
        return organisation_service.update_contact(session=session, contact=contact, changes=values)


def delete_contact(
    *, session: Session, actor: Principal | None, contact_id: int, version: int | None = None
) -> None:
    contact = organisation_service.get_contact(session=session, contact_id=contact_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_contact",
        record=contact,
        target=contact_target(session, contact),
        version=version,
    )
