"""Every query a public read runs uses an index: the plans of the statements behind the municipality
detail, the partner list, search and the citizen pages are read from the database (EXPLAIN QUERY PLAN on
SQLite, EXPLAIN on PostgreSQL with sequential scans priced out) and none may scan the partnership,
municipality or name tables whole.

The statements are the ones the app really runs, caught at the driver while it answers real requests,
so a new query on these paths is checked without being listed here. The statistics and the home page
aggregate the whole registry on purpose and are not on these paths.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select, text

from tsunagari.municipality.models import Municipality
from tsunagari.partnership.models import Partnership

GUARDED = ("partnership", "municipality", "municipality_name", "municipality_name_gram")
"""The tables that grow with the registry: a whole scan of one of them is the slow path."""

SEARCH_WORDS = ("Suzhou", "上海", "金沢", "花火", "温泉", "ナント", "Sister", "Shangai", "zzqx")
"""Latin and Japanese names, two-character words, a profile word, a misspelling and a miss."""


def _guarded_aliases(statement: str) -> dict[str, str]:
    """Names the plan may use for a guarded table: the table itself and every `table AS alias`."""
    names = {table: table for table in GUARDED}
    for table, alias in re.findall(r"\b(\w+)\s+AS\s+(\w+)", statement, flags=re.IGNORECASE):
        if table.lower() in GUARDED:
            names[alias] = table.lower()
    return names


def _partial_indexes(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.execute(
                text("select name from sqlite_master where type = 'index' and sql like '%WHERE%'")
            )
        else:
            rows = connection.execute(text("select indexname from pg_indexes where indexdef like '%WHERE%'"))
        return {row[0] for row in rows}


def _sqlite_full_scans(connection: Any, statement: str, parameters: Any, partial: set[str]) -> list[str]:
    plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    names = _guarded_aliases(statement)
    found = []
    for row in plan:
        detail = str(row[-1])
        match = re.match(r"SCAN (?:TABLE )?(\w+)(?: USING (?:COVERING )?INDEX (\w+))?", detail)
        if match and match.group(1) in names and match.group(2) not in partial:
            found.append(f"{detail} ({names[match.group(1)]})")
    return found


PRICED_OUT = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")


def _postgres_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _postgres_nodes(child)


def _postgres_full_scans(connection: Any, statement: str, parameters: Any, partial: set[str]) -> list[str]:
    # Tiny test tables make a sequential scan, a hash or a merge join over whole tables the cheapest
    # plan; with those priced out, as the registry's size would price them, a scan that remains is a
    # query no index can serve. So is a walk through a whole index (no Index Cond) instead.
    for setting in PRICED_OUT:
        connection.exec_driver_sql(f"SET {setting} = off")
    try:
        plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
    finally:
        for setting in PRICED_OUT:
            connection.exec_driver_sql(f"RESET {setting}")
    document = plan if isinstance(plan, list) else json.loads(plan)
    found = []
    for node in _postgres_nodes(document[0]["Plan"]):
        if node.get("Relation Name") not in GUARDED:
            continue
        kind = node["Node Type"]
        if kind == "Seq Scan":
            found.append(f"Seq Scan on {node['Relation Name']}")
        elif (
            kind in ("Index Scan", "Index Only Scan")
            and "Index Cond" not in node
            and node.get("Index Name") not in partial
        ):
            found.append(f"{kind} using {node['Index Name']} on {node['Relation Name']} (the whole index)")
    return found


def _public_paths(engine: Engine) -> list[str]:
    """The reads of the citizen portal and the public API, for the municipalities that exercise most
    of their queries: the busiest, one with former municipalities, one merged into another."""
    with engine.connect() as connection:
        busiest = connection.scalar(
            select(Partnership.home_municipality_id)
            .where(Partnership.home_municipality_id.is_not(None))
            .group_by(Partnership.home_municipality_id)
            .order_by(func.count().desc(), Partnership.home_municipality_id)
            .limit(1)
        )
        merged = connection.execute(
            select(Municipality.id, Municipality.merged_into_id)
            .where(Municipality.merged_into_id.is_not(None))
            .limit(1)
        ).first()
        partnership = connection.scalar(select(func.min(Partnership.id)))
    assert busiest is not None and merged is not None and partnership is not None
    ids = (busiest, merged[0], merged[1])
    paths = [f"/api/v1/partnerships/{partnership}"]
    for municipality_id in ids:
        paths += [
            f"/api/v1/municipalities/{municipality_id}",
            f"/api/v1/partnerships?municipality={municipality_id}",
            f"/api/v1/partnerships?municipality={municipality_id}&limit=1&offset=1",
            f"/municipalities/{municipality_id}",
            f"/municipalities/{municipality_id}/brochure",
        ]
    for word in SEARCH_WORDS:
        paths += [f"/api/v1/search?q={quote(word)}", f"/search?q={quote(word)}"]
    return paths


def test_public_reads_scan_no_registry_table_whole(shared_demo_client: TestClient) -> None:
    from tsunagari.db import get_engine

    engine = get_engine()
    caught: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if not many and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            caught.append((statement, parameters))

    paths = _public_paths(engine)
    event.listen(engine, "before_cursor_execute", catch)
    try:
        for path in paths:
            response = shared_demo_client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    statements = {statement: parameters for statement, parameters in caught}
    # Every kind of read was caught: the partner rows, the name slices and a municipality by id.
    joined = "\n".join(statements)
    for needle in ("municipality_name_gram", "partnership", "municipality.id ="):
        assert needle in joined, needle

    partial = _partial_indexes(engine)
    failures: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for statement, parameters in statements.items():
            if engine.dialect.name == "sqlite":
                scans = _sqlite_full_scans(connection, statement, parameters, partial)
            else:
                scans = _postgres_full_scans(connection, statement, parameters, partial)
            if scans:
                failures[statement] = scans
    assert not failures, "\n\n".join(f"{scans}\n{statement}" for statement, scans in failures.items())


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SELECT * FROM partnership", ["SCAN partnership (partnership)"]),
        ("SELECT * FROM municipality AS home WHERE home.id = 1", []),
        ("SELECT * FROM municipality AS home WHERE home.name = 'x'", ["SCAN home (municipality)"]),
    ],
)
def test_the_sqlite_check_sees_a_full_scan(
    sqlite_engine: Engine, statement: str, expected: list[str]
) -> None:
    """The checker itself: it names a whole scan, through an alias too, and lets a lookup by key pass."""
    with sqlite_engine.connect() as connection:
        assert _sqlite_full_scans(connection, statement, (), set()) == expected


def test_the_postgresql_check_sees_a_full_scan(postgres_engine: Engine) -> None:
    with postgres_engine.connect() as connection:
        assert _postgres_full_scans(
            connection, "SELECT * FROM partnership WHERE origin = 'x'", {}, set()
        ) == ["Seq Scan on partnership"]
        assert _postgres_full_scans(connection, "SELECT * FROM partnership WHERE id = 1", {}, set()) == []
        assert _postgres_full_scans(connection, "SELECT max(id) FROM municipality_name", {}, set()) == []
        whole = _postgres_full_scans(connection, "SELECT id FROM municipality ORDER BY id", {}, set())
        assert whole == ["Index Only Scan using pk_municipality on municipality (the whole index)"]
