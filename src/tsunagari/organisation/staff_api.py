"""The write API for organisations under /api/v1; thin: each route calls one `organisation.actions`."""

from __future__ import annotations

from tsunagari.organisation import actions as organisation_actions
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.schemas import OrganisationCreate
from tsunagari.web.write_api import READERS, register_crud, write_router

router = write_router()

register_crud(
    router,
    "/organisations",
    "organisation",
    organisation_actions.create_organisation,
    organisation_actions.update_organisation,
    organisation_actions.delete_organisation,
    "organisation_id",
    create_schema=OrganisationCreate,
)
READERS["organisations"] = lambda s, i: organisation_service.get(session=s, organisation_id=i)
