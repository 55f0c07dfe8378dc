"""JSON write API under /api/v1 for staff and scripts: create, update (with version) and delete records.

Every route is named after its action in `auth.actions`, whose permission rule of the same name decides.
PATCH needs the version the client read (`version` in the body or `If-Match`); a stale one gets 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Response
from sqlalchemy import inspect

from tsunagari.auth import actions, exchange_actions, permissions
from tsunagari.auth.schemas import Principal
from tsunagari.errors import InvalidInput
from tsunagari.exchange import service as exchange_service
from tsunagari.municipality import service as municipality_service
from tsunagari.organisation import service as organisation_service
from tsunagari.partnership import service as partnership_service
from tsunagari.policy import service as policy_service
from tsunagari.web.security import CurrentUser, SessionDep, current_principal

router = APIRouter(prefix="/api/v1", tags=["staff"], dependencies=[Depends(current_principal)])

JsonBody = Annotated[dict[str, Any], Body()]
IfMatch = Annotated[str | None, Header(alias="If-Match")]


def record_json(record: Any) -> dict[str, Any]:
    """Every column of a record, JSON-ready (staff see the whole record)."""
    state = inspect(record)
    values: dict[str, Any] = {}
    for attribute in state.mapper.column_attrs:
        value = getattr(record, attribute.key)
        values[attribute.key] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    return values


def _version(body: dict[str, Any], if_match: str | None) -> int | None:
    """The version the client read: `version` in the body wins over If-Match ("3", W/"3" or 3)."""
    raw: Any = body.pop("version", None)
    if raw is None and if_match:
        raw = if_match.strip().removeprefix("W/").strip('"')
    if raw is None:
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise InvalidInput("version must be an integer", field="version", value=raw) from None


def _tagged(response: Response, record: Any) -> dict[str, Any]:
    response.headers["ETag"] = f'"{record.version}"'
    return record_json(record)


def _crud(
    path: str,
    kind: str,
    create: Callable[..., Any],
    update: Callable[..., Any],
    delete: Callable[..., None],
    id_name: str,
) -> None:
    """POST path, PATCH path/{id}, DELETE path/{id} for one kind of record, named after the actions."""

    @router.post(path, status_code=201, name=f"create_{kind}", summary=f"Create a {kind}")
    def create_endpoint(
        session: SessionDep, actor: CurrentUser, body: JsonBody, response: Response
    ) -> dict[str, Any]:
        return _tagged(response, create(session=session, actor=actor, data=body))

    @router.patch(path + "/{id}", name=f"update_{kind}", summary=f"Update a {kind} (needs its version)")
    def update_endpoint(
        id: int,
        session: SessionDep,
        actor: CurrentUser,
        body: JsonBody,
        response: Response,
        if_match: IfMatch = None,
    ) -> dict[str, Any]:
        version = _version(body, if_match)
        record = update(session=session, actor=actor, changes=body, version=version, **{id_name: id})
        return _tagged(response, record)

    @router.delete(path + "/{id}", status_code=204, name=f"delete_{kind}", summary=f"Delete a {kind}")
    def delete_endpoint(
        id: int,
        session: SessionDep,
        actor: CurrentUser,
        if_match: IfMatch = None,
        version: Annotated[int | None, Query()] = None,
    ) -> Response:
        delete(
            session=session, actor=actor, version=_version({"version": version}, if_match), **{id_name: id}
        )
        return Response(status_code=204)


_crud(
    "/municipalities",
    "municipality",
    actions.create_municipality,
    actions.update_municipality,
    actions.delete_municipality,
    "municipality_id",
)
_crud(
    "/partnerships",
    "partnership",
    actions.create_partnership,
    actions.update_partnership,
    actions.delete_partnership,
    "partnership_id",
)
_crud(
    "/organisations",
    "organisation",
    actions.create_organisation,
    actions.update_organisation,
    actions.delete_organisation,
    "organisation_id",
)
_crud(
    "/contacts",
    "contact",
    actions.create_contact,
    actions.update_contact,
    actions.delete_contact,
    "contact_id",
)
_crud(
    "/programmes",
    "programme",
    actions.create_programme,
    actions.update_programme,
    actions.delete_programme,
    "programme_id",
)
_crud(
    "/activities",
    "activity",
    actions.create_activity,
    actions.update_activity,
    actions.delete_activity,
    "activity_id",
)
for _path, _kind in (("/networks", "network"), ("/meetings", "meeting"), ("/awards", "award")):
    _crud(
        _path,
        _kind,
        getattr(exchange_actions, f"create_{_kind}"),
        getattr(exchange_actions, f"update_{_kind}"),
        getattr(exchange_actions, f"delete_{_kind}"),
        f"{_kind}_id",
    )


@router.post(
    "/programmes/{id}/partners",
    status_code=201,
    name="add_programme_partner",
    summary="Add a partner to a programme (a municipality or organisation id, or a name as written)",
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


@router.post("/memberships", status_code=201, name="create_membership", summary="Add a member to a network")
def create_membership(session: SessionDep, actor: CurrentUser, body: JsonBody) -> dict[str, Any]:
    return record_json(exchange_actions.create_membership(session=session, actor=actor, data=body))


@router.delete(
    "/memberships/{id}", status_code=204, name="delete_membership", summary="Remove a member from a network"
)
def delete_membership(id: int, session: SessionDep, actor: CurrentUser) -> Response:
    exchange_actions.delete_membership(session=session, actor=actor, membership_id=id)
    return Response(status_code=204)


# ----------------------------------------------------------------------------- visits (policy)
def _visit_json(session: SessionDep, visit: Any) -> dict[str, Any]:
    findings = policy_service.evaluate(session=session, visit=visit, today=dt.date.today())
    return {
        "activity": record_json(visit.activity),
        "visit": record_json(visit),
        "violations": [f.model_dump(mode="json") for f in findings if f.status != "due"],
        "due": [f.model_dump(mode="json") for f in findings if f.status == "due"],
    }


@router.post(
    "/visits", status_code=201, name="create_visit", summary="Plan a visit; answers with rule violations"
)
def create_visit(
    session: SessionDep, actor: CurrentUser, body: JsonBody, response: Response
) -> dict[str, Any]:
    visit = actions.create_visit(session=session, actor=actor, data=body)
    response.headers["ETag"] = f'"{visit.activity.version}"'
    return _visit_json(session, visit)


@router.patch("/visits/{id}", name="update_visit", summary="Update a visit (the activity's version)")
def update_visit(
    id: int,
    session: SessionDep,
    actor: CurrentUser,
    body: JsonBody,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    visit = actions.update_visit(
        session=session, actor=actor, activity_id=id, changes=body, version=_version(body, if_match)
    )
    response.headers["ETag"] = f'"{visit.activity.version}"'
    return _visit_json(session, visit)


@router.delete(
    "/visits/{id}", status_code=204, name="delete_visit", summary="Delete a visit and its activity"
)
def delete_visit(id: int, session: SessionDep, actor: CurrentUser, if_match: IfMatch = None) -> Response:
    actions.delete_visit(session=session, actor=actor, activity_id=id, version=_version({}, if_match))
    return Response(status_code=204)


@router.get("/visits/due", name="view_policy", summary="What is due or overdue under the visit policy")
def visits_due(
    session: SessionDep,
    actor: CurrentUser,
    municipality_id: Annotated[int | None, Query()] = None,
) -> list[dict[str, Any]]:
    permissions.require("view_policy", actor)
    findings = policy_service.due_list(
        session=session, municipality_id=municipality_id, today=dt.date.today()
    )
    return [f.model_dump(mode="json") for f in findings]


# ----------------------------------------------------------------------------- contacts (personal data)
@router.get("/contacts", name="view_contacts", summary="Contacts (staff only: personal data)")
def list_contacts(
    session: SessionDep, actor: CurrentUser, municipality_id: Annotated[int | None, Query()] = None
) -> list[dict[str, Any]]:
    return [
        record_json(c)
        for c in actions.list_contacts(session=session, actor=actor, municipality_id=municipality_id)
    ]


@router.get("/contacts/{id}", name="view_contact", summary="One contact (staff only)")
def get_contact(id: int, session: SessionDep, actor: CurrentUser, response: Response) -> dict[str, Any]:
    permissions.require("view_contacts", actor)
    return _tagged(response, actions.get_contact(session=session, contact_id=id))


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


_READERS: dict[str, Callable[[SessionDep, int], Any]] = {
    "municipalities": lambda s, i: municipality_service.get(session=s, municipality_id=i),
    "partnerships": lambda s, i: partnership_service.get(session=s, partnership_id=i),
    "organisations": lambda s, i: organisation_service.get(session=s, organisation_id=i),
    "programmes": lambda s, i: exchange_service.get_programme(session=s, programme_id=i),
    "activities": lambda s, i: exchange_service.get_activity(session=s, activity_id=i),
    "networks": lambda s, i: exchange_service.get_network(session=s, network_id=i),
    "meetings": lambda s, i: exchange_service.get_meeting(session=s, meeting_id=i),
    "awards": lambda s, i: exchange_service.get_award(session=s, award_id=i),
}


@router.get("/staff/{kind}/{id}", name="view_staff_record", summary="A whole record with its version (staff)")
def staff_record(
    kind: str, id: int, session: SessionDep, actor: CurrentUser, response: Response
) -> dict[str, Any]:
    """What an edit starts from: every column and the version (also as ETag) to send back with PATCH."""
    reader = _READERS.get(kind)
    if reader is None:
        from tsunagari.errors import NotFound

        raise NotFound(f"no staff records of kind {kind}")
    return _tagged(response, reader(session, id))
