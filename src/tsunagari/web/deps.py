"""Request dependencies shared by the API and the pages: a database session per request, pagination."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse
from fastapi.routing import APIRoute
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from tsunagari.common.records import MAX_RECORD_ID
from tsunagari.db import get_engine
from tsunagari.session import session_factory

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
# Ids and offsets beyond a 32-bit integer would overflow PostgreSQL's INTEGER and SQLite's binding
# before any query ran, turning a bad parameter into a 500; refusing them makes it a 422 naming the field.
MAX_ID = MAX_RECORD_ID
_WROTE = "tsunagari.wrote"


def _wrote(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))


def _finish(session: Session, *, failed: bool) -> None:
    try:
        if failed:
            session.rollback()
        else:
            session.commit()
    finally:
        session.close()


async def get_session() -> AsyncIterator[Session]:
    """One unit of work per request: committed when the endpoint returns, rolled back if it raises.

    Every database call runs off the event loop: the endpoint in the thread pool, and the commit or
    the close (which gives the connection back with a rollback, a round trip on PostgreSQL) in a
    thread of its own. The close must not queue behind the request threads: those may be waiting for
    the very connection it gives back. A session that never touched the database is closed on the
    loop, where closing it does no I/O.
    """
    session = session_factory(get_engine())()
    try:
        yield session
    except BaseException:
        await _off_the_loop(_finish, session, failed=True)
        raise
    if _wrote(session):
        await _off_the_loop(_finish, session, failed=False)
    elif session.in_transaction():
        await _off_the_loop(_finish, session, failed=True)
    else:
        session.close()


async def _off_the_loop(finish: Callable[..., None], session: Session, *, failed: bool) -> None:
    # A limiter of its own per call, as FastAPI does for the exit of its dependencies; shielded so
    # that a client going away cannot leave a connection checked out.
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(
            partial(finish, session, failed=failed), limiter=anyio.CapacityLimiter(1)
        )


def finishing_reads_in_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A sync endpoint that gives its request session back in its own thread when it only read.

    The session dependency would otherwise close it after the endpoint, in a second trip to the
    thread pool; a read-only close is a rollback, cheap on the thread that already holds the
    connection. Only a finished answer qualifies: a streamed body may still read as it is sent, and
    an object FastAPI serialises later may still load attributes. A session that wrote is left to
    the dependency, which commits it (or rolls it back) as before.
    """
    if inspect.iscoroutinefunction(inspect.unwrap(endpoint)):
        return endpoint

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        if isinstance(result, Response) and not isinstance(result, StreamingResponse):
            for value in kwargs.values():
                if isinstance(value, Session) and not _wrote(value):
                    value.close()
        return result

    return run


class SessionRoute(APIRoute):
    """A route whose sync endpoint finishes its read-only session in its own thread (one trip to the
    thread pool per request instead of two)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, finishing_reads_in_thread(endpoint), **kwargs)


def page_router() -> APIRouter:
    """A domain's public HTML pages: hidden from the API docs, every route a SessionRoute."""
    return APIRouter(include_in_schema=False, route_class=SessionRoute)


@event.listens_for(Session, "after_flush")
def _mark_flushed(session: Session, _flush: object) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _mark_statement(state: ORMExecuteState) -> None:
    # Core INSERT/UPDATE/DELETE (and any textual SQL) through the session never flushes: count it too.
    if not state.is_select:
        state.session.info[_WROTE] = True


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class Pagination:
    limit: int
    offset: int


async def pagination(
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Items per page (1–{MAX_PAGE_SIZE}).")
    ] = DEFAULT_PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip.")] = 0,
) -> Pagination:
    return Pagination(limit=limit, offset=offset)


PaginationDep = Annotated[Pagination, Depends(pagination)]
