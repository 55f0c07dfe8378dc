"""Business logic of municipalities: the only module that reads or writes their tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from tsunagari.audit import service as audit_service
from tsunagari.common.bulk import complete_rows, insert_returning
from tsunagari.db import insert_rows
from tsunagari.errors import Conflict, InvalidInput, NotFound
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.names.normalize import SKELETON_PREFIX, fold, name_key_tuple, name_keys
from tsunagari.reference.japan import prefecture_of, validate_code


def get(*, session: Session, municipality_id: int) -> Municipality:
    municipality = session.get(Municipality, municipality_id)
    if municipality is None:
        raise NotFound(f"municipality {municipality_id} does not exist")
    return municipality


def get_by_jis_code(*, session: Session, jis_code: str) -> Municipality | None:
    code = validate_code(jis_code)
    return session.scalars(select(Municipality).where(Municipality.jis_code == code)).first()


def ids_by_jis_code(*, session: Session, jis_codes: Sequence[str]) -> dict[str, int]:
    """The ids of the municipalities with these validated codes (a few hundred: one statement)."""
    statement = select(Municipality.jis_code, Municipality.id).where(Municipality.jis_code.in_(jis_codes))
    return {code: mid for code, mid in session.execute(statement) if code is not None}


def _alias_rows(municipality: Municipality, extra: Iterable[str]) -> list[MunicipalityName]:
    """Every name a municipality can be looked up by, each under all of its keys, without repeats."""
    named: list[tuple[str, str]] = [(municipality.name, "official")]
    for value, kind in (
        (municipality.name_en, "english"),
        (municipality.kana, "kana"),
        (municipality.local_name, "local"),
    ):
        if value:
            named.append((value, kind))
    named.extend((alias, "alias") for alias in extra if alias and alias.strip())
    seen: set[str] = set()
    rows: list[MunicipalityName] = []
    for name, kind in named:
        for key in name_keys(name):
            if key and key not in seen:
                seen.add(key)
                rows.append(MunicipalityName(name=name, key=key, kind=kind))
    return rows


def create(*, session: Session, data: MunicipalityCreate) -> Municipality:
    values = data.model_dump(exclude={"aliases"})
    if data.jis_code:
        values["jis_code"] = validate_code(data.jis_code)
        if get_by_jis_code(session=session, jis_code=values["jis_code"]) is not None:
            raise Conflict(f"a municipality with code {values['jis_code']} already exists")
    if data.country == "JP" and data.kind.value not in {
        "prefecture",
        "designated_city",
        "city",
        "special_ward",
        "ward",
        "town",
        "village",
        "other",
    }:
        raise InvalidInput(
            "a Japanese municipality is a prefecture, city, ward, town or village",
            field="kind",
            value=data.kind.value,
        )
    municipality = Municipality(**values)
    municipality.aliases = _alias_rows(municipality, data.aliases)
    session.add(municipality)
    session.flush()
    return municipality


def _name_rows(municipality_id: int, data: MunicipalityCreate) -> list[dict[str, object]]:
    """The lookup rows create() gives a new municipality (as _alias_rows): every name under each key."""
    named: list[tuple[str, str]] = [(data.name, "official")]
    named += [(value, kind) for value, kind in ((data.name_en, "english"), (data.kana, "kana")) if value]
    named += [(value, "local") for value in (data.local_name,) if value]
    named += [(alias, "alias") for alias in data.aliases if alias.strip()]
    seen: set[str] = set()
    rows: list[dict[str, object]] = []
    for name, kind in named:
        for key in name_key_tuple(name):
            if key not in seen:
                seen.add(key)
                rows.append({"municipality_id": municipality_id, "name": name, "key": key, "kind": kind})
    return rows


def create_many(*, session: Session, data: Sequence[MunicipalityCreate]) -> list[int]:
    """Insert many municipalities with their name rows; returns their ids in the order given.

    The same records as create() (without its checks of JIS codes and kinds: the caller's data has
    none), written as one multi-row INSERT per table instead of a flush per record, each audited as
    a "create" with every column (audit_service.record_bulk_created).
    """
    if not data:
        return []
    table = cast(Table, Municipality.__table__)
    values: list[dict[str, Any]] = [item.model_dump(exclude={"aliases"}) for item in data]
    inserted = insert_returning(session, table, complete_rows(table, values))
    audit_service.record_bulk_created(
        session=session, model=Municipality, rows=[r._mapping for r in inserted]
    )
    ids = [row.id for row in inserted]
    names = [row for mid, item in zip(ids, data, strict=True) for row in _name_rows(mid, item)]
    # Core insert on the table: the ORM's bulk path costs more than the rows themselves.
    insert_rows(session, cast(Table, MunicipalityName.__table__), names)
    return ids


def add_aliases(*, session: Session, municipality: Municipality, names: Iterable[str]) -> None:
    existing = {alias.key for alias in municipality.aliases}
    for row in _alias_rows(municipality, names):
        if row.key not in existing:
            existing.add(row.key)
            municipality.aliases.append(row)
    session.flush()


def add_name_rows(*, session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Many new name rows (municipality_id, name, key, kind) in one INSERT, for an import that knows
    which names add_aliases would add; records already loaded in the session see them afterwards."""
    if not rows:
        return
    insert_rows(session, cast(Table, MunicipalityName.__table__), rows)
    for municipality_id in {row["municipality_id"] for row in rows}:
        loaded = session.identity_map.get(identity_key(Municipality, municipality_id))
        if loaded is not None:
            session.expire(loaded, ["aliases"])


def update(*, session: Session, municipality: Municipality, changes: dict[str, object]) -> Municipality:
    for field_name, value in changes.items():
        if not hasattr(Municipality, field_name) or field_name in {"id", "version", "aliases"}:
            raise InvalidInput("unknown or read-only field", field=field_name, value=value)
        setattr(municipality, field_name, value)
    if {"name", "name_en", "kana", "local_name"} & changes.keys():
        add_aliases(session=session, municipality=municipality, names=())
    session.flush()
    return municipality


def find_by_name(
    *,
    session: Session,
    name: str,
    country: str | None = None,
    region: str | None = None,
    include_merged: bool = True,
) -> Sequence[Municipality]:
    """Municipalities one of whose names has the same key as `name`, narrowed by country and region.

    Exact key matches only; fuzzy resolution lives in the names service.
    """
    # Skeleton keys are coarse candidate generators (Nancy and Nice share one): never an exact match.
    keys = [key for key in name_keys(name) if not key.startswith(SKELETON_PREFIX)]
    if not keys:
        return []
    statement = (
        select(Municipality)
        .join(MunicipalityName, MunicipalityName.municipality_id == Municipality.id)
        .where(MunicipalityName.key.in_(keys))
        .distinct()
        .order_by(Municipality.id)
    )
    if country:
        statement = statement.where(Municipality.country == country.upper())
    if not include_merged:
        statement = statement.where(Municipality.status == "existing")
    found = list(session.scalars(statement))
    prefecture = prefecture_of(region)
    if prefecture is not None:
        # A Japanese municipality is named by its prefecture and name: 新潟県 小国町 is the former town
        # merged into 長岡市, never 山形県小国町, even when it is the only 小国町 in the registry.
        found = [m for m in found if m.country != "JP" or m.region == prefecture]
    if region and len(found) > 1:
        wanted = fold(region)
        narrowed = [
            m
            for m in found
            if (m.region and (fold(m.region) == wanted or wanted in fold(m.region)))
            or (m.region_code and m.region_code.casefold() == region.casefold())
        ]
        if narrowed:
            found = narrowed
    # Prefer the exact full-name key over affix-stripped ones (武蔵野市 before 武蔵野町 if both exist).
    primary = keys[0]
    exact = [m for m in found if any(a.key == primary for a in m.aliases)]
    return exact or found


def list_municipalities(
    *,
    session: Session,
    country: str | None = None,
    region: str | None = None,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Municipality]:
    statement = select(Municipality).order_by(Municipality.country, Municipality.id)
    if country:
        statement = statement.where(Municipality.country == country.upper())
    if region:
        statement = statement.where(Municipality.region == region)
    if kind:
        statement = statement.where(Municipality.kind == kind)
    return list(session.scalars(statement.limit(limit).offset(offset)))


def merge_history(*, session: Session, municipality: Municipality) -> list[Municipality]:
    """Former municipalities merged into this one (旧利賀村 for 南砺市)."""
    return list(
        session.scalars(
            select(Municipality)
            .where(Municipality.merged_into_id == municipality.id)
            .order_by(Municipality.merged_on, Municipality.id)
        )
    )


def get_many(*, session: Session, ids: Iterable[int]) -> list[Municipality]:
    """The municipalities with these ids (in chunks: a statement holds a bounded number of parameters)."""
    wanted = sorted(set(ids))
    found: list[Municipality] = []
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        found.extend(session.scalars(select(Municipality).where(Municipality.id.in_(chunk))))
    return found
