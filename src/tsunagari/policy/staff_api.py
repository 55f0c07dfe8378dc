"""The write API for planned visits, answering with the policy's findings, and what is due, under /api/v1;
thin: each route calls one `policy.actions` (reads through `policy.service`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query, Response
from sqlalchemy.orm import Session

from tsunagari.access import permissions
from tsunagari.policy import actions as policy_actions
from tsunagari.policy import service as policy_service
from tsunagari.policy.schemas import VisitCreate
from tsunagari.web.forms import record_json
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.write_api import IfMatch, JsonBody, request_body, version_from, write_router

router = write_router()


def _visit_json(session: Session, visit: Any) -> dict[str, Any]:
    findings = policy_service.evaluate(session=session, visit=visit, today=dt.date.today())
    return {
        "activity": record_json(visit.activity),
        "visit": record_json(visit),
        "violations": [f.model_dump(mode="json") for f in findings if f.status != "due"],
        "due": [f.model_dump(mode="json") for f in findings if f.status == "due"],
    }


@router.post(
    "/visits",
    status_code=201,
    name="create_visit",
    summary="Plan a visit; answers with rule violations",
    openapi_extra=request_body(VisitCreate),
)
def create_visit(
    session: SessionDep, actor: CurrentUser, body: JsonBody, response: Response
) -> dict[str, Any]:
    visit = policy_actions.create_visit(session=session, actor=actor, data=body)
    response.headers["ETag"] = f'"{visit.activity.version}"'
    return _visit_json(session, visit)


@router.patch(
    "/visits/{id}",
    name="update_visit",
    summary="Update a visit (the activity's version)",
    openapi_extra=request_body(VisitCreate, partial=True),
)
def update_visit(
    id: int,
    session: SessionDep,
    actor: CurrentUser,
    body: JsonBody,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    visit = policy_actions.update_visit(
        session=session, actor=actor, activity_id=id, changes=body, version=version_from(body, if_match)
    )
    response.headers["ETag"] = f'"{visit.activity.version}"'
    return _visit_json(session, visit)


@router.delete(
    "/visits/{id}", status_code=204, name="delete_visit", summary="Delete a visit and its activity"
)
def delete_visit(id: int, session: SessionDep, actor: CurrentUser, if_match: IfMatch = None) -> Response:
    policy_actions.delete_visit(
        session=session, actor=actor, activity_id=id, version=version_from({}, if_match)
    )
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
