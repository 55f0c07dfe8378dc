"""Exchange fields (交流分野) on partnerships: the one vocabulary in three languages, the demo's 川崎市 ties
(seed 004), the filter and statistics by field on the API and the portal, and the `fields` column of
the partnership file through import and export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from tests.conftest import Databases
from tests.importers.test_partnerships_import import HEADER, empty_registry_copy, problems_of, row, write_csv
from tsunagari.common.fields import FIELD_CODES, FIELD_LABELS, FIELD_LABELS_KO, field_codes, parse_field_text
from tsunagari.exchange import models as exchange_models
from tsunagari.importers.partnerships import import_partnerships
from tsunagari.migrations import upgrade
from tsunagari.municipality.models import Municipality
from tsunagari.partnership.export import export_partnerships
from tsunagari.partnership.models import Partnership

# Every code stored before the vocabulary was shared (programmes, networks, tests) stays valid.
EARLIER_CODES = (
    "education",
    "culture",
    "sports",
    "youth",
    "homestay",
    "environment",
    "tourism",
    "economy",
    "disaster",
    "staff",
    "agriculture",
    "peace",
    "health",
    "other",
)


def _kawasaki_tie(session: Session, partner: str) -> Partnership:
    home = session.scalars(select(Municipality).where(Municipality.name == "川崎市")).one()
    other = session.scalars(select(Municipality).where(Municipality.name == partner)).one()
    return session.scalars(
        select(Partnership).where(
            Partnership.home_municipality_id == home.id, Partnership.partner_municipality_id == other.id
        )
    ).one()


# ----------------------------------------------------------------------------- the vocabulary
def test_one_vocabulary_with_three_languages_keeps_every_earlier_code() -> None:
    assert set(EARLIER_CODES) <= set(FIELD_CODES)
    assert {"administration", "science", "citizens", "multicultural"} <= set(FIELD_CODES)
    assert exchange_models.FIELD_LABELS is FIELD_LABELS  # programmes and networks use the same one
    assert all(
        FIELD_LABELS[code][0] and FIELD_LABELS[code][1] and FIELD_LABELS_KO[code] for code in FIELD_CODES
    )
    assert FIELD_LABELS["culture"] == ("文化・芸術", "Culture and arts")
    assert FIELD_LABELS_KO["health"] == "보건·복지"


def test_labels_in_any_language_read_as_codes() -> None:
    assert field_codes(["教育・青少年"]) == ["education", "youth"]  # two labels joined by ・
    assert field_codes(["文化・芸術"]) == ["culture"]  # one label that has a ・ in it
    assert field_codes(["환경", "Science and technology", "tourism", "観光"]) == [
        "environment",
        "science",
        "tourism",
    ]
    assert parse_field_text("音楽、環境 / 漫画") == ["culture", "environment"]
    with pytest.raises(ValueError, match="unknown field 宇宙"):
        field_codes(["教育", "宇宙"])


# ----------------------------------------------------------------------------- demo (seed 004)
def test_kawasaki_ties_carry_the_fields_seed_004_tells(session: Session) -> None:
    assert _kawasaki_tie(session, "ザルツブルク市").fields == ["culture", "disaster", "citizens"]
    assert _kawasaki_tie(session, "瀋陽市").fields == ["economy", "environment"]
    assert _kawasaki_tie(session, "富川市").fields == ["citizens", "multicultural", "culture", "staff"]


# ----------------------------------------------------------------------------- API
def test_api_filters_partnerships_by_field_and_shows_the_labels(shared_demo_client: TestClient) -> None:
    found = shared_demo_client.get("/api/v1/partnerships", params={"field": "environment", "limit": 200})
    assert found.status_code == 200
    items = found.json()["items"]
    assert items and all("environment" in p["fields"] for p in items)
    assert found.json()["total"] == len(items)
    partners = {p["partner"]["name"] for p in items}
    assert "瀋陽市" in partners and "ザルツブルク市" not in partners
    shenyang = next(p for p in items if p["partner"]["name"] == "瀋陽市")
    assert shenyang["field_labels"] == ["経済・産業", "環境"]
    assert shenyang["field_labels_en"] == ["Economy and trade", "Environment"]
    everything = shared_demo_client.get("/api/v1/partnerships", params={"limit": 1}).json()["total"]
    assert found.json()["total"] < everything


def test_api_refuses_an_unknown_field(shared_demo_client: TestClient) -> None:
    refused = shared_demo_client.get("/api/v1/partnerships", params={"field": "space"})
    assert refused.status_code == 422
    assert "field" in refused.text and "space" in refused.text


def test_api_statistics_by_field(shared_demo_client: TestClient) -> None:
    stats = shared_demo_client.get("/api/v1/stats", params={"group_by": "field"})
    assert stats.status_code == 200
    body = stats.json()
    assert body["group_by"] == "field"
    by_key = {item["key"]: item for item in body["items"]}
    assert by_key["environment"]["count"] >= 1 and by_key["environment"]["label"] == "環境"
    assert by_key["staff"]["count"] >= 1 and by_key["staff"]["label_en"] == "Staff exchange"
    # Rows follow the vocabulary's order, none recorded last; a tie counts once in each of its fields.
    keys = [item["key"] for item in body["items"]]
    assert keys[-1] == "unknown" and by_key["unknown"]["label"] == "記録なし"
    assert keys[:-1] == [code for code in FIELD_CODES if code in by_key]
    assert sum(item["count"] for item in body["items"]) >= body["total"]


# ----------------------------------------------------------------------------- portal
def test_portal_statistics_page_has_a_table_by_field(shared_demo_client: TestClient) -> None:
    page = shared_demo_client.get("/stats")
    assert page.status_code == 200
    assert 'id="by-field"' in page.text and "交流分野別" in page.text
    table = page.text.split('data-group="field"')[1].split("</table>")[0]
    assert 'data-key="environment"' in table and "環境" in table
    # The total is of partnerships (as the API's), not the sum of the rows: a tie counts in each field.
    total = shared_demo_client.get("/api/v1/stats", params={"group_by": "field"}).json()["total"]
    assert f'<td class="num">{total}</td></tr></tfoot>' in table
    download = shared_demo_client.get("/stats/field.csv")
    assert download.status_code == 200 and "environment" in download.content.decode("utf-8-sig")


def test_portal_search_filters_by_field(shared_demo_client: TestClient) -> None:
    staff = shared_demo_client.get("/search", params={"field": "staff"})
    assert staff.status_code == 200
    assert "川崎市" in staff.text and "富川市" in staff.text
    assert "ザルツブルク市" not in staff.text
    assert '<option value="staff" selected>' in staff.text
    wrong = shared_demo_client.get("/search", params={"field": "space"})
    assert 'aria-invalid="true" aria-describedby="error-field"' in wrong.text
    assert 'class="result-name"' not in wrong.text


def test_the_partnership_page_shows_the_fields_in_order(shared_demo_client: TestClient) -> None:
    found = shared_demo_client.get("/api/v1/partnerships", params={"field": "disaster", "limit": 200}).json()
    salzburg = next(p for p in found["items"] if p["partner"]["name"] == "ザルツブルク市")
    page = shared_demo_client.get(f"/partnerships/{salzburg['id']}")
    assert "文化・芸術 → 防災・災害支援 → 市民交流" in page.text
    english = shared_demo_client.get(f"/partnerships/{salzburg['id']}", params={"lang": "en"})
    assert "Culture and arts → Disaster prevention and relief → Citizens&#39; exchange" in english.text


# ----------------------------------------------------------------------------- import and export
@pytest.fixture
def empty_registry(databases: Databases) -> Iterator[Engine]:
    yield from empty_registry_copy(databases)


def test_japanese_labels_on_import_are_stored_as_codes(session: Session, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(
                municipality_code="172014",
                partner="蘇州市",
                partner_country="CN",
                type="姉妹都市",
                fields="教育・青少年、観光",
            ),
        ],
    )
    import_partnerships(session=session, path=path)
    [suzhou] = [
        r for r in json.loads(export_partnerships(session=session, format="json")) if r["partner"] == "蘇州市"
    ]
    assert suzhou["fields"] == "education; youth; tourism"


def test_an_unknown_field_refuses_the_file_naming_row_column_and_value(
    session: Session, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(
                municipality_code="172014",
                partner="蘇州市",
                partner_country="CN",
                type="姉妹都市",
                fields="宇宙",
            ),
        ],
    )
    [problem] = problems_of(session, path)
    assert (problem.row, problem.field, problem.value) == (2, "fields", "宇宙")
    assert "unknown field" in problem.reason


def _fields_column(data: bytes) -> list[tuple[str, str, str, str]]:
    return [
        (r["municipality"], r["partner"], r["type"], r["fields"])
        for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    ]


def test_the_fields_column_round_trips_through_export_and_import(
    session: Session, empty_registry: Engine, tmp_path: Path
) -> None:
    """Export, import into an empty registry, export: the same fields on the same partnerships. (The
    whole file's bytes are compared by tests/importers/test_partnerships_export.py.)"""
    first = export_partnerships(session=session, format="csv")
    assert first.decode("utf-8-sig").splitlines()[0].endswith(",fields")
    assert ("川崎市", "ザルツブルク市", "sister_city", "culture; disaster; citizens") in _fields_column(first)
    path = tmp_path / "partnerships.csv"
    path.write_bytes(first)
    with Session(empty_registry) as target:
        import_partnerships(session=target, path=path)
        target.commit()
    with Session(empty_registry) as target:
        salzburg = target.scalars(
            select(Partnership).where(Partnership.partner_written_name == "ザルツブルク市")
        ).one()
        assert salzburg.fields == ["culture", "disaster", "citizens"]
        second = export_partnerships(session=target, format="csv")
        assert _fields_column(second) == _fields_column(first)
        assert import_partnerships(session=target, path=path).unchanged == len(_fields_column(first))


def test_a_file_without_fields_leaves_the_stored_fields_alone(session: Session, tmp_path: Path) -> None:
    salzburg = _kawasaki_tie(session, "ザルツブルク市")
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row(municipality="川崎市", partner="ザルツブルク市", partner_country="AT", type="sister_city"),
        ],
    )
    import_partnerships(session=session, path=path)
    session.refresh(salzburg)
    assert salzburg.fields == ["culture", "disaster", "citizens"]


# ----------------------------------------------------------------------------- migration 0012
def _insert(connection: Connection, table: Table, **values: object) -> int:
    """A row with the given values and a plain value in every other required column."""
    plain = {Integer: 1, String: "x", Text: "x", Boolean: False, JSON: [], Date: dt.date(2000, 1, 1)}
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key or column.server_default is not None:
            continue
        row[column.name] = next(
            (v for kind, v in plain.items() if isinstance(column.type, kind)), dt.datetime(2000, 1, 1)
        )
    inserted = connection.execute(insert(table).values(**row))
    return int(inserted.inserted_primary_key[0])


def test_migration_0012_gives_partnerships_the_fields_of_their_programmes(tmp_path: Path) -> None:
    """An existing partnership takes the fields of the programmes one party runs with the other."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0011")
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as connection:
        municipality = tables.tables["municipality"]
        a = _insert(connection, municipality, name="甲市", country="JP")
        b = _insert(connection, municipality, name="乙市", country="US")
        c = _insert(connection, municipality, name="丙市", country="FR")
        tie = _insert(
            connection,
            tables.tables["partnership"],
            home_municipality_id=a,
            partner_municipality_id=b,
            home_party=f"m{a}",
            partner_party=f"m{b}",
            type="sister_city",
        )
        other = _insert(
            connection,
            tables.tables["partnership"],
            home_municipality_id=a,
            partner_municipality_id=c,
            home_party=f"m{a}",
            partner_party=f"m{c}",
            type="sister_city",
        )
        owners, partners = tables.tables["programme_owner"], tables.tables["programme_partner"]
        for fields, owner, partner in ((["youth", "culture"], b, a), (["culture", "economy"], a, b)):
            programme = _insert(
                connection,
                tables.tables["programme"],
                title=f"交流{owner}",
                format="people",
                owner_key=f"m{owner}",
                fields=fields,
            )
            _insert(connection, owners, programme_id=programme, municipality_id=owner)
            _insert(connection, partners, programme_id=programme, municipality_id=partner)
    upgrade(engine)
    with engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT id, fields FROM partnership")).all())
    engine.dispose()
    assert json.loads(stored[tie]) == ["youth", "culture", "economy"]
    assert json.loads(stored[other]) == []


def test_migration_0013_gives_activities_the_fields_of_their_programme(tmp_path: Path) -> None:
    """An existing activity takes its programme's fields; one of a programme without fields has none."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0012")
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as connection:
        programmes, activities = tables.tables["programme"], tables.tables["activity"]
        youth = _insert(
            connection, programmes, title="青少年交流", format="people", owner_key="m1", fields=["youth"]
        )
        bare = _insert(connection, programmes, title="親善訪問", format="people", owner_key="m1", fields=[])
        sent = _insert(connection, activities, programme_id=youth, title="派遣")
        visit = _insert(connection, activities, programme_id=bare, title="訪問")
    upgrade(engine)
    with engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT id, fields FROM activity")).all())
    engine.dispose()
    assert (json.loads(stored[sent]), json.loads(stored[visit])) == (["youth"], [])
