"""The accounts' API under /api/v1: who a token or session belongs to; thin, no SQL."""

from __future__ import annotations

from typing import Any

from tsunagari.access.principal import Principal
from tsunagari.web.security import CurrentUser
from tsunagari.web.write_api import write_router

router = write_router()


@router.get("/me", name="me", summary="Who the token or session belongs to")
def me(actor: CurrentUser) -> dict[str, Any]:
    return _principal_json(actor)


def _principal_json(actor: Principal) -> dict[str, Any]:
    return {
        "id": actor.user_id,
        "email": actor.email,
        "display_name": actor.display_name,
        "role": actor.role.value,
        "municipality_ids": sorted(actor.municipality_ids),
    }
