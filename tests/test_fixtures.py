"""The database fixtures themselves: copies on the pass's backend, private, made from the right template."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, inspect, select

from tests.conftest import TEST_BACKEND, Databases
from tsunagari.db import make_engine, unit_of_work
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.partnership.models import Partnership


def _count(url: str, model: type[Municipality] | type[Partnership]) -> int:
    engine = make_engine(url)
    try:
        with unit_of_work(engine) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_copies_are_on_the_pass_backend_and_private(
    databases: Databases, database_copy: Callable[..., str]
) -> None:
    first, second = database_copy(), database_copy()
    assert databases.backend == TEST_BACKEND and first.startswith(TEST_BACKEND) and first != second
    before = _count(second, Municipality)
    engine = make_engine(first)
    with unit_of_work(engine) as session:
        data = MunicipalityCreate(name="フィクスチャ市", name_en="Fixtureville", country="US")
        municipality_service.create(session=session, data=data)
    engine.dispose()
    assert _count(first, Municipality) == before + 1
    assert _count(second, Municipality) == before
    assert _count(databases.template(demo=True), Municipality) == before


def test_the_reference_copy_has_no_demo_partnerships(database_copy: Callable[..., str]) -> None:
    assert _count(database_copy(demo=False), Partnership) == 0
    assert _count(database_copy(), Partnership) >= 30


def test_an_empty_database_has_no_tables(databases: Databases) -> None:
    url = databases.empty()
    engine = make_engine(url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
        databases.discard(url)
