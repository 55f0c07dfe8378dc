"""What every public JSON endpoint shares: the cached route class, the router under /api/v1, the
`Listing` shape and the common parameters; knows no domain (each domain's api module has its shapes).

Contacts are personal data and never appear in the public API: every response is built field by field
in the domains' api modules.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.orm import Session

from tsunagari.audit.service import DataVersion, data_version, data_version_on
from tsunagari.config import get_settings
from tsunagari.dates import PartialDate
from tsunagari.db import get_engine
from tsunagari.web.deps import MAX_ID, SessionRoute
from tsunagari.web.response_cache import CachedResponse, ResponseCache

API_PREFIX = "/api/v1"
CACHE_CONTROL = "public, max-age=60"


@dataclass
class _CacheSlot:
    """What a cached route's request hands to its endpoint's thread, and what the thread hands back."""

    cache: ResponseCache
    key: tuple[str, str, str]
    version: DataVersion = (0, 0)
    hit: CachedResponse | None = None


_CACHE_SLOT: ContextVar[_CacheSlot | None] = ContextVar("tsunagari_cache_slot", default=None)


def _answering_from_cache(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The sync endpoint, preceded in its own thread by the data-version check and the cache lookup.

    One trip to the thread pool per request, hit or miss: the version is read on the connection the
    request session then builds the answer with (or gives straight back on a hit).
    """
    if inspect.iscoroutinefunction(inspect.unwrap(endpoint)):
        return endpoint

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        slot = _CACHE_SLOT.get()
        if slot is not None:
            session = next((value for value in kwargs.values() if isinstance(value, Session)), None)
            if session is None:
                slot.version = data_version(get_engine())
            else:
                slot.version = data_version_on(session.connection())
            slot.hit = slot.cache.get(slot.key, slot.version)
            if slot.hit is not None:
                if session is not None:
                    session.close()
                return Response(slot.hit.body)
        return endpoint(*args, **kwargs)

    return run


class PublicCachedRoute(SessionRoute):
    """Public GETs carry an ETag (a hash of the body) so clients and proxies can revalidate cheaply,
    and are served from the process's response cache while the data version is unchanged
    (web.response_cache). Nothing here depends on who asks: the public API shows everyone the same."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _answering_from_cache(endpoint), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        known = known_query_parameters(self)
        checked_in_thread = not inspect.iscoroutinefunction(inspect.unwrap(self.endpoint))

        async def cached(request: Request) -> Response:
            if request.method != "GET":
                return await handler(request)
            refuse_unknown_parameters(request, known)
            cache = _response_cache(request)
            slot: _CacheSlot | None = None
            if cache.enabled:
                key = (str(get_engine().url), request.url.path, request.url.query)
                slot = _CacheSlot(cache, key)
                if not checked_in_thread:
                    # Never on the event loop: the lookup waits for a pooled connection, and the
                    # connections may be held by requests that need the loop to finish.
                    slot.version = await run_in_threadpool(data_version, get_engine())
                    slot.hit = cache.get(key, slot.version)
            if slot is not None and slot.hit is not None:
                response: Response | None = None
            else:
                token = _CACHE_SLOT.set(slot)
                try:
                    response = await handler(request)
                finally:
                    _CACHE_SLOT.reset(token)
            if slot is not None and slot.hit is not None:
                # Marked, so a load test can tell its hit rate from the answers.
                hit = slot.hit.headers | {"X-Cache": "hit"}
                return _revalidated(request, slot.hit.body, hit, slot.hit.etag)
            assert response is not None
            body = getattr(response, "body", None)
            if response.status_code != 200 or not isinstance(body, bytes):
                return response
            etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
            headers = {name: value for name, value in response.headers.items() if name != "content-length"}
            if slot is not None:
                cache.put(slot.key, CachedResponse(slot.version, body, headers, etag))
            return _revalidated(request, body, headers, etag)

        return cached


def known_query_parameters(route: APIRoute) -> frozenset[str]:
    """The query parameters a route declares, its dependencies' (paging) included, by their aliases."""

    def names(dependant: Dependant) -> set[str]:
        found = {param.alias for param in dependant.query_params}
        for sub in dependant.dependencies:
            found |= names(sub)
        return found

    return frozenset(names(route.dependant))


def refuse_unknown_parameters(request: Request, known: frozenset[str]) -> None:
    """Every public list answers 422 naming a query parameter it does not know, rather than ignoring it
    and answering everything (`/api/v1/partnerships?prefecture=山形県` is not a filter there)."""
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        choices = ", ".join(sorted(known)) or "none"
        raise RequestValidationError(
            [
                {
                    "type": "unknown_parameter",
                    "loc": ("query", name),
                    "msg": f"unknown query parameter {name}; this endpoint accepts: {choices}",
                    "input": request.query_params.get(name),
                }
                for name in unknown
            ]
        )


def _response_cache(request: Request) -> ResponseCache:
    """The app's cache, made on first use from the settings (one per app, so tests' apps share none)."""
    state = request.app.state
    cache: ResponseCache | None = getattr(state, "response_cache", None)
    if cache is None:
        settings = get_settings()
        cache = ResponseCache(settings.response_cache_entries, settings.response_cache_mb * 1024 * 1024)
        state.response_cache = cache
    return cache


def _revalidated(request: Request, body: bytes, headers: dict[str, str], etag: str) -> Response:
    """The body with its ETag, or 304 when the client already has it."""
    caching = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=caching)
    return Response(body, headers={**headers, **caching})


def _matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match uses weak comparison (RFC 9110 13.1.2): W/"x" matches "x"."""
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def public_router() -> APIRouter:
    """A domain's public read router: under /api/v1, tagged "api", every route a PublicCachedRoute.

    It carries its prefix itself (create_app() includes routers without one)."""
    return APIRouter(prefix=API_PREFIX, tags=["api"], route_class=PublicCachedRoute)


# ---------------------------------------------------------------------------------------- shapes
ItemT = TypeVar("ItemT")


class Listing(BaseModel, Generic[ItemT]):
    """Every list: the full count, the page asked for, and its items in a stable order."""

    total: int
    limit: int
    offset: int
    items: list[ItemT]


def json_response(model: BaseModel) -> Response:
    """The body serialised once by pydantic. Returning a Response skips FastAPI's second validation of
    the response model, which for a sync endpoint also costs another thread-pool hop; `response_model`
    still documents the shape in OpenAPI, and the model was validated when it was built."""
    return Response(model.model_dump_json(by_alias=True), media_type="application/json")


def iso(value: dt.date | None, precision: str | None) -> str | None:
    """A stored date written to its precision: 2004-11-01, 2004-11 or 2004."""
    partial = PartialDate.from_parts(value, precision)
    return partial.iso() if partial else None


def precision_of(value: dt.date | None, precision: str | None) -> str | None:
    partial = PartialDate.from_parts(value, precision)
    return partial.precision if partial else None


# ----------------------------------------------------------------------------------- parameters
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
CountryQuery = Annotated[
    str | None,
    Query(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 (either party's, for partnerships)"),
]
MunicipalityQuery = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="a municipality id: its partnerships only")
]
SearchText = Annotated[str, Query(min_length=1, max_length=200, description="text in any script")]
