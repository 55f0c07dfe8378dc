"""Staff pages of contacts (personal data: staff only): the edit form and a municipality's list edited in
place (HTMX); thin: writes through `partnership.contact_actions`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tsunagari.access import permissions
from tsunagari.errors import InvalidInput
from tsunagari.partnership import contact_actions
from tsunagari.partnership.download_staff_pages import CONTACTS as CONTACTS_EXPORT
from tsunagari.partnership.download_staff_pages import contact_rows
from tsunagari.partnership.staff_pages import municipality_choice
from tsunagari.web.forms import field
from tsunagari.web.list_export import download_links, wanted_format
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.staff_crud import InlineRows, StaffKind, inline_html, register_inline, register_kind
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()

CONTACT = StaffKind(
    kind="contact",
    title="Contact",
    fields=(
        field("person_name", "Full name"),
        field("role", "Position"),
        field("email", "E-mail"),
        field("phone", "Phone"),
        field("notes", "Notes", "textarea"),
        field("municipality_id", "Municipality", "ref", pick="municipality"),
        field("organisation_id", "Organisation", "ref", pick="organisation"),
        field("partnership_id", "Partnership", "ref", pick="partnership"),
    ),
    load=lambda s, i: contact_actions.get_contact(session=s, contact_id=i),
    create=contact_actions.create_contact,
    update=contact_actions.update_contact,
    delete=contact_actions.delete_contact,
    table="contact",
    describe=lambda record: str(record.person_name),
)
register_kind(router, CONTACT)


def _cells(_session: Session, record: Any) -> list[str]:
    owner = (
        f"自治体 / municipality #{record.municipality_id}"
        if record.municipality_id
        else f"団体 / organisation #{record.organisation_id}"
        if record.organisation_id
        else f"提携 / partnership #{record.partnership_id}"
        if record.partnership_id
        else ""
    )
    return [f"#{record.id}", owner]


def _may_update(session: Session, record: Any, principal: Any) -> bool:
    return permissions.allowed("update_contact", principal, contact_actions.contact_target(session, record))


CONTACT_ROWS = InlineRows(CONTACT, ("person_name", "role", "email", "phone"), _cells, _may_update)
register_inline(router, CONTACT_ROWS)


@router.get("/contacts", name="staff.contacts")
def contacts_page(
    request: Request, session: SessionDep, actor: CurrentUser, municipality: str | None = None
) -> Response:
    """Contacts (personal data: staff only) of a municipality, editable in place by its editors."""
    permissions.require("view_contacts", actor)
    try:
        chosen = municipality_choice(session, actor, municipality)
        error = None
    except InvalidInput as invalid:
        if wanted_format(request):
            raise
        chosen, error = None, "; ".join(p.describe() for p in invalid.problems)
    records = contact_actions.list_contacts(
        session=session, actor=actor, municipality_id=chosen.id if chosen else None
    )[:500]
    if wanted_format(request):
        return CONTACTS_EXPORT.response(request, contact_rows(session, records))
    rows = [inline_html(request, session, CONTACT_ROWS, c.id) for c in records]
    return render(
        request,
        "list.html",
        422 if error else 200,
        title="Contacts",
        heading_cells=["ID", "Belongs to"],
        fields=CONTACT_ROWS.fields,
        rows=rows,
        chosen=chosen,
        query=municipality or "",
        error=error,
        action="/staff/contacts",
        evaluate_kind=None,
        ids=[c.id for c in records],
        downloads=download_links(request),
    )
