"""What every domain's actions share, so each action reads parse -> check permission -> call the service:
version checks, a concurrent write as 409, refusing a delete while other records refer to it, and the one
delete every kind of record goes through."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tsunagari.access.permissions import Target, require
from tsunagari.access.principal import Principal
from tsunagari.audit import service as audit_service
from tsunagari.db import Base
from tsunagari.errors import Conflict, InvalidInput, Problem, parse

READ_ONLY = frozenset({"id", "version", "created_at", "updated_at"})

# How a refused delete names what still refers to the record (Japanese first, English beside).
TABLE_LABELS: dict[str, tuple[str, str]] = {
    "partnership": ("提携", "partnerships"),
    "contact": ("連絡先", "contacts"),
    "organisation": ("団体", "organisations"),
    "programme": ("交流事業", "programmes"),
    "programme_owner": ("交流事業の実施主体", "programme owners"),
    "programme_partner": ("交流事業の相手方", "programme partners"),
    "network": ("ネットワーク (事務局)", "networks (secretariat)"),
    "network_membership": ("ネットワークの加盟", "network memberships"),
    "network_meeting": ("ネットワークの会合", "network meetings"),
    "award": ("表彰", "awards"),
    "award_partner": ("表彰の相手方", "award partners"),
    "visit": ("訪問計画", "visits"),
    "benefit": ("市民向けの特典", "citizen benefits"),
    "policy_rules": ("交流の方針", "policy rules"),
    "staff_user_municipality": ("職員の担当", "staff assignments"),
    "evaluation": ("評価", "evaluations"),
    "review_item": ("要確認リスト", "review items"),
    "municipality": ("自治体 (合併先)", "municipalities (merged into it)"),
    "partnership_source_record": ("提携の出典", "partnership sources"),
}


def refuse_if_referenced(
    session: Session,
    record: Any,
    label_ja: str,
    label_en: str,
    ignore: Collection[str] = frozenset(),
) -> None:
    """Conflict naming what still refers to the record: the database would cascade to those rows (or
    null their link) without audit entries, so they must be moved or deleted first, each audited."""
    found = [
        d for d in audit_service.dependents(session=session, instance=record) if d.table_name not in ignore
    ]
    if not found:
        return
    ja = "、".join(f"{TABLE_LABELS.get(d.table_name, (d.table_name, ''))[0]} {d.count}件" for d in found)
    en = ", ".join(f"{d.count} {TABLE_LABELS.get(d.table_name, ('', d.table_name))[1]}" for d in found)
    raise Conflict(
        f"この{label_ja}を参照している記録があるため削除できません（{ja}）。先に移すか削除してください。"
        f" / cannot delete this {label_en}: still referenced by {en}; move or delete those first."
    )


def check_version(record: Any, version: int | None) -> None:
    """Refuse a write made from an older version than the stored one: nothing is silently overwritten."""
    if version is None:
        raise InvalidInput(
            "version is required (in the body or If-Match) / versionが必要です", field="version"
        )
    if record.version != version:
        raise Conflict(
            f"他の人が先に更新しました。あなたの版 {version}、現在の版 {record.version} / "
            f"stale version: you sent {version}, the record is at {record.version}"
        )


@contextmanager
def stale_is_conflict() -> Iterator[None]:
    """A concurrent write between our read and our UPDATE shows up as StaleDataError: the same 409."""
    try:
        yield
    except StaleDataError:
        raise Conflict("他の人が同時に更新しました / the record was changed concurrently; reload") from None


def _owned_rows(session: Session, record: Any, tables: Collection[str]) -> list[Any]:
    """The rows of `tables` that point at `record`: part of the record, so deleted with it."""
    if not tables:
        return []
    table = inspect(record).mapper.local_table

    def owned_mappers() -> list[tuple[Any, Table]]:
        return [
            (mapper.class_, mapper.local_table)
            for mapper in Base.registry.mappers
            if isinstance(mapper.local_table, Table) and mapper.local_table.name in tables
        ]

    if len(owned_mappers()) < len(set(tables)):
        # A table whose model this process has not imported still has rows; finding the dependents
        # imports every model, so none is left to the database's unaudited cascade.
        audit_service.dependents(session=session, instance=record)
    rows: list[Any] = []
    for model, owned in owned_mappers():
        for foreign_key in owned.foreign_keys:
            if foreign_key.column.table is table:
                value = getattr(record, foreign_key.column.key)
                rows.extend(session.scalars(select(model).where(foreign_key.parent == value)))
    return rows


def delete_record(
    *,
    session: Session,
    actor: Principal | None,
    action: str,
    record: Any,
    target: Target,
    version: int | None,
    refuse_as: tuple[str, str] | None = None,
    owned: Collection[str] = (),
    versioned: Any = None,
    remove: Callable[[], None] | None = None,
) -> None:
    """The one shape of every delete: the actor's permission, the client's version when one is sent (of
    `versioned`, else the record), a Conflict naming what still refers to the record (when `refuse_as`
    gives its name, ja and en) except rows of the `owned` tables, which go with it; then the owned rows
    and the record are deleted through the session, each audited (or by the service's `remove`)."""
    require(action, actor, target)
    if version is not None:
        check_version(record if versioned is None else versioned, version)
    if refuse_as is not None:
        refuse_if_referenced(session, record, *refuse_as, ignore=owned)
    with stale_is_conflict():
        for row in _owned_rows(session, record, owned):
            session.delete(row)
        if remove is not None:
            remove()
        else:
            session.delete(record)
            session.flush()


# ----------------------------------------------------------------------------- partial updates
def given_changes(changes: Mapping[str, Any], allowed: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a client asked to change; unknown or read-only ones are refused, each named."""
    unknown = [name for name in changes if name not in allowed or name in READ_ONLY]
    if unknown:
        raise InvalidInput(problems=[Problem("unknown or read-only field", field=name) for name in unknown])
    return dict(changes)


def validated_changes(
    model: type[BaseModel], current: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The changed fields after validating the whole record as it would be stored."""
    merged = parse(model, {**current, **changes})
    values = merged.model_dump()
    return {name: values[name] for name in changes}


def current_values(record: Any, model: type[BaseModel]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in model.model_fields if hasattr(record, name)}
