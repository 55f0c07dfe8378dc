"""Request dependencies shared by the API and the pages: a database session per request, pagination."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from tsunagari.db import get_engine, unit_of_work

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
# Ids and offsets beyond a 32-bit integer would overflow PostgreSQL's INTEGER and SQLite's binding
# before any query ran, turning a bad parameter into a 500; refusing them makes it a 422 naming the field.
MAX_ID = 2_147_483_647


def get_session() -> Iterator[Session]:
    """One unit of work per request: committed when the endpoint returns, rolled back if it raises."""
    with unit_of_work(get_engine()) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class Pagination:
    limit: int
    offset: int


def pagination(
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Items per page (1–{MAX_PAGE_SIZE}).")
    ] = DEFAULT_PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip.")] = 0,
) -> Pagination:
    return Pagination(limit=limit, offset=offset)


PaginationDep = Annotated[Pagination, Depends(pagination)]
