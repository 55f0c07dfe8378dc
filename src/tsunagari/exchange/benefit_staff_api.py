"""The write API for citizen benefits under /api/v1/benefits; thin: each route calls one
`exchange.benefit_actions` (the offering municipality's editors only)."""

from __future__ import annotations

from tsunagari.exchange import benefit_actions
from tsunagari.exchange.benefit_schemas import BenefitCreate
from tsunagari.web.write_api import READERS, register_crud, write_router

router = write_router()

register_crud(
    router,
    "/benefits",
    "benefit",
    benefit_actions.create_benefit,
    benefit_actions.update_benefit,
    benefit_actions.delete_benefit,
    "benefit_id",
    create_schema=BenefitCreate,
)
READERS["benefits"] = lambda s, i: benefit_actions.get_benefit(session=s, benefit_id=i)
