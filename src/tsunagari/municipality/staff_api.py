"""The write API for municipalities under /api/v1; thin: each route calls one `municipality.actions`."""

from __future__ import annotations

from tsunagari.municipality import actions as municipality_actions
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.web.write_api import READERS, register_crud, write_router

router = write_router()

register_crud(
    router,
    "/municipalities",
    "municipality",
    municipality_actions.create_municipality,
    municipality_actions.update_municipality,
    municipality_actions.delete_municipality,
    "municipality_id",
    create_schema=MunicipalityCreate,
)
READERS["municipalities"] = lambda s, i: municipality_service.get(session=s, municipality_id=i)
