"""The write API for programmes (and their partners), activities, networks, memberships, meetings and
awards under /api/v1; thin: each route calls one `exchange.actions`."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from tsunagari.exchange import actions as exchange_actions
from tsunagari.exchange import activity_service, award_service, network_service, programme_service
from tsunagari.exchange.schemas import (
    ActivityCreate,
    AwardCreate,
    MeetingCreate,
    MembershipCreate,
    NetworkCreate,
    PartnerIn,
    ProgrammeCreate,
    ProgrammeUpdate,
)
from tsunagari.web.forms import record_json
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.write_api import READERS, JsonBody, register_crud, request_body, write_router

router = write_router()

for _path, _kind, _create, _update in (
    ("/programmes", "programme", ProgrammeCreate, ProgrammeUpdate),
    ("/activities", "activity", ActivityCreate, None),
    ("/networks", "network", NetworkCreate, None),
    ("/meetings", "meeting", MeetingCreate, None),
    ("/awards", "award", AwardCreate, None),
):
    register_crud(
        router,
        _path,
        _kind,
        getattr(exchange_actions, f"create_{_kind}"),
        getattr(exchange_actions, f"update_{_kind}"),
        getattr(exchange_actions, f"delete_{_kind}"),
        f"{_kind}_id",
        create_schema=_create,
        update_schema=_update,
    )

READERS.update(
    {
        "programmes": lambda s, i: programme_service.get_programme(session=s, programme_id=i),
        "activities": lambda s, i: activity_service.get_activity(session=s, activity_id=i),
        "networks": lambda s, i: network_service.get_network(session=s, network_id=i),
        "meetings": lambda s, i: network_service.get_meeting(session=s, meeting_id=i),
        "awards": lambda s, i: award_service.get_award(session=s, award_id=i),
    }
)


@router.post(
    "/programmes/{id}/partners",
    status_code=201,
    name="add_programme_partner",
    summary="Add a partner to a programme (a municipality or organisation id, or a name as written)",
    openapi_extra=request_body(PartnerIn),
)
def add_programme_partner(id: int, session: SessionDep, actor: CurrentUser, body: JsonBody) -> dict[str, Any]:
    partner = exchange_actions.add_programme_partner(session=session, actor=actor, programme_id=id, data=body)
    return record_json(partner)


@router.delete(
    "/programme-partners/{id}",
    status_code=204,
    name="remove_programme_partner",
    summary="Take a partner off a programme",
)
def remove_programme_partner(id: int, session: SessionDep, actor: CurrentUser) -> Response:
    exchange_actions.remove_programme_partner(session=session, actor=actor, partner_id=id)
    return Response(status_code=204)


@router.post(
    "/memberships",
    status_code=201,
    name="create_membership",
    summary="Add a member to a network",
    openapi_extra=request_body(MembershipCreate),
)
def create_membership(session: SessionDep, actor: CurrentUser, body: JsonBody) -> dict[str, Any]:
    return record_json(exchange_actions.create_membership(session=session, actor=actor, data=body))


@router.delete(
    "/memberships/{id}", status_code=204, name="delete_membership", summary="Remove a member from a network"
)
def delete_membership(id: int, session: SessionDep, actor: CurrentUser) -> Response:
    exchange_actions.delete_membership(session=session, actor=actor, membership_id=id)
    return Response(status_code=204)
