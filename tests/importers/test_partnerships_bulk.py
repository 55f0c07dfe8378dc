"""`import partnerships` decides a row whose partner has an exact registry name in memory and writes
such rows in bulk: it must write exactly what resolving and writing each row on its own writes."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagari.audit.models import AuditEntry
from tsunagari.importers import partnerships as partnerships_importer
from tsunagari.importers.partnerships import import_partnerships
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.names import service as names_service
from tsunagari.names.candidates import exact_keys
from tsunagari.names.partners import RegistryNames
from tsunagari.partnership.export import COLUMNS, export_partnerships

DATA = Path(__file__).parent / "data"


def _line(**values: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([values.get(column, "") for column in COLUMNS])
    return out.getvalue()


# Run after partners_v1.csv, whose partners are then registry records. Each row is a case of its own.
ROWS = [
    # the same partnership with a new date: updated
    _line(
        municipality_code="102024",
        partner="バトルクリーク",
        partner_country="US",
        type="sister_city",
        signed_on="1982",
    ),
    # a new English name (the record's changes, the old one stays a name) and a region filled in
    _line(
        municipality_code="132039",
        partner="ブラショフ市",
        partner_name_en="Brasov City",
        partner_country="RO",
        partner_region="Brașov",
        type="exchange_city",
    ),
    # created, then changed by a later row of the same file
    _line(
        municipality_code="132039",
        partner="Yakutsk",
        partner_country="RU",
        type="friendship_city",
        signed_on="1990",
    ),
    _line(
        municipality_code="132039",
        partner="ヤクーツク",
        partner_country="RU",
        type="friendship_city",
        signed_on="1991-02",
        notes="second row",
    ),
    # stored from the other side (村山市 → 厚岸町): unchanged, and the written name is not taken
    _line(
        municipality="厚岸町",
        municipality_prefecture="北海道",
        partner="村山市",
        partner_country="JP",
        partner_region="山形県",
        type="友好都市",
        signed_on="H3.7.15",
    ),
    # a gazetteer place made a record by one row and found by its exact name by the next
    _line(municipality_code="172014", partner="Adelaide", partner_country="AU", type="sister_city"),
    _line(
        municipality_code="062081",
        partner="Adelaide",
        partner_name_en="Adelaide",
        partner_country="AU",
        type="friendship_city",
        signed_on="2001-04-01",
    ),
    # two places of the name: the review list
    _line(municipality_code="172014", partner="川上村", partner_country="JP", type="exchange_city"),
    # a partner the registry knows by this name for a second home
    _line(municipality_code="102024", partner="蘇州市", partner_country="CN", type="friendship_city"),
]


def _state(session: Session, since: int) -> dict[str, Any]:
    """What the imports stored, without ids (a sequence is not rolled back with a savepoint)."""
    names = session.execute(
        select(
            Municipality.name,
            Municipality.country,
            MunicipalityName.name,
            MunicipalityName.key,
            MunicipalityName.kind,
        )
        .join(Municipality, Municipality.id == MunicipalityName.municipality_id)
        .where(Municipality.country.in_(["US", "RO", "RU", "AU", "CN", "JP"]))
    ).all()
    audit = session.execute(
        select(AuditEntry.table_name, AuditEntry.action, func.count())
        .where(AuditEntry.id > since)
        .group_by(AuditEntry.table_name, AuditEntry.action)
    ).all()
    partners = session.execute(
        select(Municipality.name, Municipality.name_en, Municipality.region, Municipality.country).where(
            Municipality.country != "JP"
        )
    ).all()
    reviews = [(r.text, r.country, r.source, r.pending) for r in names_service.open_reviews(session=session)]
    return {
        "export": export_partnerships(session=session, format="csv"),
        "names": sorted(tuple(n) for n in names),
        "audit": sorted(tuple(a) for a in audit),
        "partners": sorted((tuple(p) for p in partners), key=str),
        "reviews": reviews,
    }


def _import_twice(session: Session, path: Path) -> dict[str, Any]:
    """The file imported into a fresh savepoint, and then again: reports and what was stored."""
    savepoint = session.begin_nested()
    try:
        since = session.scalar(select(func.max(AuditEntry.id))) or 0
        first = import_partnerships(session=session, path=path).as_json()
        second = import_partnerships(session=session, path=path).as_json()
        return {"first": first, "second": second, **_state(session, since)}
    finally:
        savepoint.rollback()


def test_rows_decided_in_memory_write_what_resolving_each_row_writes(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_partnerships(session=session, path=DATA / "partners_v1.csv")
    path = tmp_path / "cases.csv"
    path.write_text("\r\n".join([",".join(COLUMNS), *ROWS]) + "\r\n", encoding="utf-8")

    resolved: list[str] = []
    resolve = partnerships_importer.resolve_partner

    def counting(**arguments: Any) -> Any:
        resolved.append(arguments["name"])
        return resolve(**arguments)

    monkeypatch.setattr(partnerships_importer, "resolve_partner", counting)
    in_memory = _import_twice(session, path)
    # Only the partners without one exact registry name were resolved one by one: the gazetteer
    # place (once; the next row finds its new record) and the ambiguous 川上村 (on each import).
    assert resolved == ["Adelaide", "川上村", "川上村"]

    resolved.clear()
    monkeypatch.setattr(RegistryNames, "exact", lambda self, **_: None)
    one_by_one = _import_twice(session, path)
    assert len(resolved) == 2 * len(ROWS)

    assert in_memory == one_by_one
    # Four partnerships are new (Yakutsk, Adelaide twice, Suzhou); four stored ones change (the
    # rows name this file as their source; Battle Creek's date; Yakutsk's second row).
    assert in_memory["first"] == {
        "rows": 9,
        "created": 4,
        "updated": 4,
        "unchanged": 0,
        "review": 1,
        "errors": [],
        "municipalities_created": 1,
        "dry_run": False,
    }
    # Again: only Yakutsk's two rows change it, each back to what it says.
    assert in_memory["second"] | {"municipalities_created": 0} == {
        "rows": 9,
        "created": 0,
        "updated": 2,
        "unchanged": 6,
        "review": 1,
        "errors": [],
        "municipalities_created": 0,
        "dry_run": False,
    }
    # The new English name is the record's and a name to find it by; the region written is filled in.
    assert any(p[1:] == ("Brasov City", "Brașov", "RO") for p in in_memory["partners"])
    assert any(n[2] == "Brasov City" for n in in_memory["names"])


def test_registry_names_find_what_find_by_name_finds(session: Session) -> None:
    """RegistryNames answers resolve_partner's first step from memory: the same municipalities as
    municipality_service.find_by_name, for names in several scripts, with and without a region."""
    places = session.execute(
        select(Municipality.name, Municipality.name_en, Municipality.country, Municipality.region).order_by(
            Municipality.id
        )
    ).all()
    asked = {(name, country, None) for name, _, country, _ in places}
    asked |= {(name_en, country, None) for _, name_en, country, _ in places if name_en}
    asked |= {(name, country, region) for name, _, country, region in places[::7] if region}
    asked |= {
        ("府中市", "JP", "広島県"),
        ("府中市", "JP", None),
        ("川上村", "JP", "長野県"),
        ("Portland", "US", "メイン州"),
    }
    keys: dict[str, set[str]] = {}
    for name, country, _ in asked:
        keys.setdefault(country, set()).update(exact_keys(name))
    registry = RegistryNames.load(session=session, keys_by_country=keys)
    differ = [
        (name, country, region)
        for name, country, region in sorted(asked, key=str)
        if [p.id for p in registry.find(name=name, country=country, region=region)]
        != [
            m.id
            for m in municipality_service.find_by_name(
                session=session, name=name, country=country, region=region
            )
        ]
    ]
    assert len(asked) > 1000 and differ == []
