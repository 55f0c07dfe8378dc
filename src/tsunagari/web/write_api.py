"""The write API's shell under /api/v1: POST/PATCH/DELETE routes for a kind of record, named after the
actions a domain hands in (whose rule of that name decides); versions from the body or If-Match. No domain.

PATCH needs the version the client read (`version` in the body or `If-Match`); a stale one gets 409.
The bodies are documented with the domain's own schemas (XCreate for POST, XUpdate or XCreate with every
field optional for PATCH), so the OpenAPI document and the schema fuzzer check them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Response
from pydantic import BaseModel
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


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """A JSON schema with its `#/$defs/...` references replaced by what they name (OpenAPI has no $defs)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline_refs(value, defs) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    return node


def body_schema(schema: type[BaseModel], *, partial: bool = False) -> dict[str, Any]:
    """The request body of a write as OpenAPI documents it: the schema's JSON schema, inlined; for a
    partial update every field optional, plus the `version` the client read."""
    found = schema.model_json_schema()
    body: dict[str, Any] = _inline_refs(found, found.get("$defs", {}))
    if partial:
        body.pop("required", None)
        version = {"type": "integer", "title": "Version", "description": "The version the client read."}
        body["properties"] = {**body.get("properties", {}), "version": version}
    body.setdefault("additionalProperties", schema.model_config.get("extra") != "forbid")
    return body


def request_body(schema: type[BaseModel] | None, *, partial: bool = False) -> dict[str, Any] | None:
    """`openapi_extra` that documents a route's JSON body with `schema` (None: left as FastAPI draws it)."""
    if schema is None:
        return None
    content = {"application/json": {"schema": body_schema(schema, partial=partial)}}
    return {"requestBody": {"required": True, "content": content}}


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
    create_schema: type[BaseModel] | None = None,
    update_schema: type[BaseModel] | None = None,
) -> None:
    """POST path, PATCH path/{id}, DELETE path/{id} for one kind of record, named after the actions.

    `create_schema` documents the POST body; `update_schema` (default: the create schema with every
    field optional) the PATCH body. The actions still parse the body, so a partial update stays partial."""
    patch_schema = update_schema or create_schema

    @router.post(
        path,
        status_code=201,
        name=f"create_{kind}",
        summary=f"Create a {kind}",
        openapi_extra=request_body(create_schema, partial=False),
    )
    def create_endpoint(
        session: SessionDep, actor: CurrentUser, body: JsonBody, response: Response
    ) -> dict[str, Any]:
        return tagged(response, create(session=session, actor=actor, data=body))

    @router.patch(
        path + "/{id}",
        name=f"update_{kind}",
        summary=f"Update a {kind} (needs its version)",
        openapi_extra=request_body(patch_schema, partial=True),
    )
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
