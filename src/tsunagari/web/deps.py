"""Request dependencies shared by the API and the pages: a database session per request, pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from starlette.concurrency import run_in_threadpool

from tsunagari.db import get_engine, session_factory

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
# Ids and offsets beyond a 32-bit integer would overflow PostgreSQL's INTEGER and SQLite's binding
# before any query ran, turning a bad parameter into a 500; refusing them makes it a 422 naming the field.
MAX_ID = 2_147_483_647
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

    Async so that a read costs one thread-pool hop (the endpoint's) rather than three: opening a
    session does no I/O, and a session that wrote nothing is closed on the event loop (its connection
    goes back to the pool, which rolls the read transaction back). Writes commit in the thread pool.
    """
    session = session_factory(get_engine())()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_finish, session, failed=True)
        raise
    if _wrote(session):
        await run_in_threadpool(_finish, session, failed=False)
    else:
        session.close()


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
