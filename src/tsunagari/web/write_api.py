"""The write API's shell under /api/v1: POST/PATCH/DELETE routes for a kind of record, named after the
actions a domain hands in (whose rule of that name decides); versions from the body or If-Match. No domain.

PATCH needs the version the client read (`version` in the body or `If-Match`); a stale one gets 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Response
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput, NotFound
from tsunagari.web.forms import record_json
from tsunagari.web.security import CurrentUser, SessionDep, current_principal

JsonBody = Annotated[dict[str, Any], Body()]
IfMatch = Annotated[str | None, Header(alias="If-Match")]


def write_router() -> APIRouter:
    """A router for a domain's write API: under /api/v1, tagged staff, a principal required."""
    return APIRouter(prefix="/api/v1", tags=["staff"], dependencies=[Depends(current_principal)])


def version_from(body: dict[str, Any], if_match: str | None) -> int | None:
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


def tagged(response: Response, record: Any) -> dict[str, Any]:
    """The record as JSON, its version as the ETag."""
    response.headers["ETag"] = f'"{record.version}"'
    return record_json(record)


def register_crud(
    router: APIRouter,
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
        return tagged(response, create(session=session, actor=actor, data=body))

    @router.patch(path + "/{id}", name=f"update_{kind}", summary=f"Update a {kind} (needs its version)")
    def update_endpoint(
        id: int,
        session: SessionDep,
        actor: CurrentUser,
        body: JsonBody,
        response: Response,
        if_match: IfMatch = None,
    ) -> dict[str, Any]:
        version = version_from(body, if_match)
        record = update(session=session, actor=actor, changes=body, version=version, **{id_name: id})
        return tagged(response, record)

    @router.delete(path + "/{id}", status_code=204, name=f"delete_{kind}", summary=f"Delete a {kind}")
    def delete_endpoint(
        id: int,
        session: SessionDep,
        actor: CurrentUser,
        if_match: IfMatch = None,
        version: Annotated[int | None, Query()] = None,
    ) -> Response:
        delete(
            session=session,
            actor=actor,
            version=version_from({"version": version}, if_match),
            **{id_name: id},
        )
        return Response(status_code=204)


# ----------------------------------------------------------------------------- whole records for editing
# Readers of whole records by the plural the API names them by; each domain's staff_api adds its own.
READERS: dict[str, Callable[[Session, int], Any]] = {}

records_router = write_router()


@records_router.get(
    "/staff/{kind}/{id}", name="view_staff_record", summary="A whole record with its version (staff)"
)
def staff_record(
    kind: str, id: int, session: SessionDep, actor: CurrentUser, response: Response
) -> dict[str, Any]:
    """What an edit starts from: every column and the version (also as ETag) to send back with PATCH."""
    reader = READERS.get(kind)
    if reader is None:
        raise NotFound(f"no staff records of kind {kind}")
    return tagged(response, reader(session, id))
