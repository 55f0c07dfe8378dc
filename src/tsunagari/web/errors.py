"""One JSON error shape for the API: domain errors, parameter validation and unknown paths all map to it.

{"error": {"status": 422, "code": "invalid_input", "message": "...",
           "problems": [{"field": "limit", "value": "0", "reason": "..."}]}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsunagari.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem

API_PREFIX = "/api/"

# Codes by HTTP status, for errors that reach us only as a status (unknown path, wrong method, auth).
STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_input",
    500: "internal_error",
    503: "busy",
}

# Pydantic puts the parameter's source first in a location ("query", "limit"); clients know the name.
_SOURCES = frozenset({"query", "path", "header", "cookie", "body"})


def _json_value(value: object) -> Any:
    try:
        return jsonable_encoder(value)
    except Exception:  # a value that cannot be encoded must not turn a 422 into a 500
        return repr(value)


def _problem(problem: Problem) -> dict[str, Any]:
    return {"field": problem.field, "value": _json_value(problem.value), "reason": problem.reason}


def error_response(
    status: int,
    message: str,
    problems: list[dict[str, Any]] | None = None,
    *,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {
        "error": {
            "status": status,
            "code": code or STATUS_CODES.get(status, "http_error"),
            "message": message,
            "problems": problems or [],
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


async def _not_found(_request: Request, exc: Exception) -> Response:
    return error_response(404, str(exc))


async def _conflict(_request: Request, exc: Exception) -> Response:
    return error_response(409, str(exc))


async def _permission_denied(_request: Request, exc: Exception) -> Response:
    return error_response(403, str(exc) or "permission denied")


async def _invalid_input(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidInput)
    problems = exc.problems or [Problem(reason="invalid input")]
    return error_response(
        422, "; ".join(problem.describe() for problem in problems), [_problem(p) for p in problems]
    )


def _field(location: tuple[int | str, ...] | list[int | str]) -> str | None:
    parts = list(location)
    if len(parts) > 1 and parts[0] in _SOURCES:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or None


async def _request_validation(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        Problem(
            reason=str(error.get("msg", "invalid")),
            field=_field(error.get("loc", ())),
            value=error.get("input"),
        )
        for error in exc.errors()
    ]
    return await _invalid_input(_request, InvalidInput(problems=problems))


# FastAPI's detail when a JSON body does not parse (fastapi.routing).
_UNPARSABLE_BODY = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not _is_api(request):
        # The HTML portal keeps FastAPI's own handling; only the API promises the JSON shape.
        return await http_exception_handler(request, exc)
    message = exc.detail if isinstance(exc.detail, str) else "error"
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = f"no API endpoint at {request.url.path}"
    elif exc.status_code == 405 and exc.detail == "Method Not Allowed":
        message = f"{request.method} is not allowed on {request.url.path}"
    elif exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
        # A body that is not JSON is bad input like any other: 422 naming the body, as documented.
        reason = "the body is not valid JSON"
        return error_response(422, reason, [{"field": "body", "value": None, "reason": reason}])
    return error_response(exc.status_code, message, headers=exc.headers)


async def _server_error(request: Request, _exc: Exception) -> Response:
    # Starlette still re-raises the exception after this response, so it is logged as before.
    if _is_api(request):
        return error_response(500, "internal server error")
    return PlainTextResponse("Internal Server Error", status_code=500)


# Waits that end in a moment: SQLite's write lock held by another writer (an import), PostgreSQL's
# lock timeouts, serialisation failures and deadlocks, a pool with no connection free in time.
_BUSY_SQLITE = ("database is locked", "database table is locked", "database schema is locked")
_BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
RETRY_AFTER_SECONDS = 1


def is_busy(exc: BaseException) -> bool:
    """The database could not serve this request just now; the same request may well succeed soon."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate in _BUSY_SQLSTATES or any(text in str(exc.orig) for text in _BUSY_SQLITE)


def busy_response(request: Request) -> Response:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    message = "混み合っています。少し待ってからもう一度お試しください。 / Busy: please retry in a moment."
    if _is_api(request):
        return error_response(503, message, code="busy", headers=headers)
    return PlainTextResponse(message, status_code=503, headers=headers)


# Values a database cannot take: a number beyond its integer (PostgreSQL 22003; SQLite's driver raises
# OverflowError past 64 bits), text it cannot store (NUL, an unencodable character). The edge
# (web.hardening) refuses them in paths, query strings and bodies; this is the net under it.
_OUT_OF_RANGE_SQLSTATES = frozenset({"22003", "22P05", "22021"})


def is_unstorable(exc: BaseException) -> bool:
    if isinstance(exc, OverflowError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate in _OUT_OF_RANGE_SQLSTATES or "NUL (0x00)" in str(exc.orig)


async def _unstorable(request: Request, _exc: Exception) -> Response:
    message = "a value is out of range or holds a character that cannot be stored"
    if _is_api(request):
        return error_response(422, message, [{"field": None, "value": None, "reason": message}])
    return PlainTextResponse(f"入力内容を確認してください / {message}", status_code=422)


async def _database_error(request: Request, exc: Exception) -> Response:
    if is_busy(exc):
        return busy_response(request)
    if is_unstorable(exc):
        return await _unstorable(request, exc)
    raise exc  # to the 500 handler, which logs it


# --------------------------------------------------------------------------- documented in OpenAPI
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message", "problems"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "problems": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": ["string", "null"]},
                            "value": {},
                            "reason": {"type": "string"},
                        },
                    },
                },
            },
        }
    },
}
_ERROR_DESCRIPTIONS: dict[int, str] = {
    401: "Not signed in: no valid session cookie or API token",
    403: "Signed in, but the rule of this action refuses it (another municipality's record, a viewer)",
    404: "A record or municipality the request names does not exist",
    409: "The record changed since it was read (stale version), or the write conflicts with another",
    413: "The request body is over the size limit",
    422: "Invalid input: every problem names its field, value and reason",
    503: "The database is busy: retry after the Retry-After header's seconds",
}
_WRITES = frozenset({"post", "put", "patch", "delete"})
# Routes behind a principal carry this tag (web.write_api.write_router and the staff reads).
STAFF_TAG = "staff"


def error_statuses(path: str, method: str, tags: list[str]) -> list[int]:
    """The error statuses an operation can answer: every one may be busy (503); an API route may refuse
    input (422) or name what does not exist (404); a staff route may answer 401 and 403; a write may
    conflict (409) or carry too large a body (413)."""
    statuses = {503}
    if path.startswith(API_PREFIX):
        statuses |= {404, 422}
        if STAFF_TAG in tags:
            statuses |= {401, 403}
        if method.lower() in _WRITES:
            statuses |= {409, 413}
    return sorted(statuses)


def document_error_responses(app: FastAPI) -> None:
    """Add the error answers of every operation to the OpenAPI document, with the one error shape, so a
    client (and the schema fuzzer) knows every status code a route may answer."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in error_statuses(path, method, operation.get("tags", [])):
                    answer: dict[str, Any] = {"description": _ERROR_DESCRIPTIONS[status]}
                    if path.startswith(API_PREFIX):
                        answer["content"] = reference
                    # FastAPI's own 422 describes its default body, which the handlers above replace.
                    if str(status) not in responses or status == 422:
                        responses[str(status)] = answer
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    """Map service errors to 404/422/409/403 and give every API error the same JSON shape."""
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(PermissionDenied, _permission_denied)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_error)
    app.add_exception_handler(OverflowError, _unstorable)
    app.add_exception_handler(Exception, _server_error)
    document_error_responses(app)
    app.state.error_handlers_installed = True
