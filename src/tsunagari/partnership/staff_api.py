"""The write API for partnerships and contacts (personal data: staff only) under /api/v1; thin: each route
calls one action of `partnership.actions` or `partnership.contact_actions`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Response

from tsunagari.access import permissions
from tsunagari.organisation.schemas import ContactCreate
from tsunagari.partnership import actions as partnership_actions
from tsunagari.partnership import contact_actions
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.web.forms import record_json
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.write_api import READERS, register_crud, tagged, write_router

router = write_router()

register_crud(
    router,
    "/partnerships",
    "partnership",
    partnership_actions.create_partnership,
    partnership_actions.update_partnership,
    partnership_actions.delete_partnership,
    "partnership_id",
    create_schema=PartnershipCreate,
)
register_crud(
    router,
    "/contacts",
    "contact",
    contact_actions.create_contact,
    contact_actions.update_contact,
    contact_actions.delete_contact,
    "contact_id",
    create_schema=ContactCreate,
)
READERS["partnerships"] = lambda s, i: partnership_service.get(session=s, partnership_id=i)


@router.get("/contacts", name="view_contacts", summary="Contacts (staff only: personal data)")
def list_contacts(
    session: SessionDep, actor: CurrentUser, municipality_id: Annotated[int | None, Query()] = None
) -> list[dict[str, Any]]:
    return [
        record_json(c)
        for c in contact_actions.list_contacts(session=session, actor=actor, municipality_id=municipality_id)
    ]


@router.get("/contacts/{id}", name="view_contact", summary="One contact (staff only)")
def get_contact(id: int, session: SessionDep, actor: CurrentUser, response: Response) -> dict[str, Any]:
    permissions.require("view_contacts", actor)
    return tagged(response, contact_actions.get_contact(session=session, contact_id=id))
