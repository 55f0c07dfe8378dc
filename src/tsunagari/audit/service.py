"""Records every ORM write in the audit trail from one session hook, so no write path can forget it.

The web, API, CLI and importers only say who is acting (`acting_as`); the hook does the rest.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import enum
import getpass
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final, cast

from sqlalchemy import Connection, Engine, Table, event, func, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from tsunagari.audit.models import AuditEntry
from tsunagari.db import insert_rows

# Tables that are reference data, derived indexes or security telemetry, not records people edit.
NOT_AUDITED = frozenset(
    {
        "audit_entry",
        "country",
        "subdivision",
        "gazetteer_city",
        "gazetteer_name",
        "municipality_name",
        "login_failure",
        "login_session",
    }
)
# Secrets are audited as "it changed", never by value: the trail is append-only and readable by all staff.
SECRET_COLUMNS: dict[str, frozenset[str]] = {
    "staff_user": frozenset({"password_hash"}),
    "api_token": frozenset({"token_hash"}),
}
REDACTED = "[redacted]"

DataVersion = tuple[int, int]

# Every write to the registry leaves an audit entry, and every new name a municipality_name row (names
# are written in bulk, unaudited): together their largest ids say whether anything may have changed.
# Plain SQL run as it is: building and compiling the same statement through the expression language
# took five times as long as the lookups themselves, on every request.
_DATA_VERSION_SQL: Final = (
    f"SELECT (SELECT coalesce(max(id), 0) FROM {AuditEntry.__tablename__}), "
    "(SELECT coalesce(max(id), 0) FROM municipality_name)"
)


def data_version(engine: Engine) -> DataVersion:
    """(largest audit entry id, largest municipality name id): it changes with every write."""
    with engine.connect() as connection:
        return data_version_on(connection)


def data_version_on(connection: Connection) -> DataVersion:
    """The data version as a connection sees it (a request's own, in its transaction).

    Straight on the driver's cursor: it runs before every cached answer, and SQLAlchemy's execution
    context around a fixed two-number query cost more than the query itself."""
    driver = connection.connection.dbapi_connection
    assert driver is not None  # a connection in use always holds its driver connection
    cursor = driver.cursor()
    try:
        cursor.execute(_DATA_VERSION_SQL)
        row = cursor.fetchone()
    finally:
        cursor.close()
    assert row is not None  # two aggregates: always one row
    return int(row[0]), int(row[1])


@dataclass(frozen=True)
class Actor:
    name: str
    via: str
    user_id: int | None = None


def _default_actor() -> Actor:
    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = "unknown"
    return Actor(name=f"system:{user}", via="system")


_current_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("tsunagari_actor", default=None)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    token = _current_actor.set(actor)
    try:
        yield
    finally:
        _current_actor.reset(token)


def current_actor() -> Actor:
    return _current_actor.get() or _default_actor()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _secret(instance: Any, key: str) -> bool:
    return key in SECRET_COLUMNS.get(getattr(instance, "__tablename__", ""), frozenset())


def _shown(instance: Any, key: str, value: Any) -> Any:
    """The value as the trail keeps it: a secret becomes REDACTED (None stays None: "was not set")."""
    if _secret(instance, key):
        return None if value is None else REDACTED
    return _plain(value)


def _columns(instance: Any) -> dict[str, Any]:
    state = inspect(instance)
    return {
        prop.key: _shown(instance, prop.key, state.attrs[prop.key].value)
        for prop in state.mapper.column_attrs
    }


def _record_id(instance: Any) -> str:
    # The primary key from the instance itself: new objects have no identity key yet in after_flush.
    key = inspect(instance).mapper.primary_key_from_instance(instance)
    return ",".join(str(part) for part in key)


def _before_values(instance: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of the changed columns only."""
    state = inspect(instance)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes():
            before[attr.key] = _shown(instance, attr.key, history.deleted[0] if history.deleted else None)
            after[attr.key] = _shown(instance, attr.key, history.added[0] if history.added else None)
    return before, after


def _audited(instance: Any) -> bool:
    return getattr(instance, "__tablename__", None) not in NOT_AUDITED


_PENDING_KEY = "tsunagari_audit_pending"


def _collect_updates_and_deletes(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    # Updates and deletes are read before the flush (afterwards their history is gone).
    rows: list[dict[str, Any]] = session.info.setdefault(_PENDING_KEY, [])
    for instance in session.dirty:
        if _audited(instance) and session.is_modified(instance, include_collections=False):
            before, after = _before_values(instance)
            if before or after:
                rows.append(_row(instance, "update", before, after))
    for instance in session.deleted:
        if _audited(instance):
            rows.append(_row(instance, "delete", _columns(instance), None))


def _write_entries(session: Session, _flush: UOWTransaction) -> None:
    rows: list[dict[str, Any]] = session.info.pop(_PENDING_KEY, [])
    # New records have their ids only now.
    for instance in session.new:
        if _audited(instance):
            rows.append(_row(instance, "create", None, _columns(instance)))
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def install_hooks() -> None:
    """Record every ORM write of every session in the audit trail (tsunagari.session calls this)."""
    if not event.contains(Session, "before_flush", _collect_updates_and_deletes):
        event.listen(Session, "before_flush", _collect_updates_and_deletes)
        event.listen(Session, "after_flush", _write_entries)


def _row(
    instance: Any, action: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, Any]:
    actor = current_actor()
    return {
        "actor_id": actor.user_id,
        "actor_name": actor.name,
        "via": actor.via,
        "table_name": instance.__tablename__,
        "record_id": _record_id(instance),
        "action": action,
        "before": before,
        "after": after,
    }


@dataclass(frozen=True)
class Dependent:
    """Rows of one audited table that point at a record through a foreign key."""

    table_name: str
    count: int


def dependents(*, session: Session, instance: Any) -> list[Dependent]:
    """Audited rows referring to `instance`: deleting it would let the database cascade to them (or
    null their reference) without an audit entry, so a delete must refuse while any remain."""
    # Every table is in the metadata: tsunagari.session imports tsunagari.models before any session.
    table = inspect(instance).mapper.local_table
    found: list[Dependent] = []
    for other in sorted(table.metadata.tables.values(), key=lambda t: t.name):
        if other.name in NOT_AUDITED:
            continue
        for foreign_key in other.foreign_keys:
            if foreign_key.column.table is not table:
                continue
            column = foreign_key.parent
            condition = column == getattr(instance, foreign_key.column.key)
            if other is table:  # a self-reference (merged_into) does not count the record itself
                primary = next(iter(table.primary_key.columns))
                condition = condition & (primary != getattr(instance, primary.key))
            count = session.scalar(select(func.count()).select_from(other).where(condition)) or 0
            if count:
                found.append(Dependent(other.name, int(count)))
    merged: dict[str, int] = {}
    for dependent in found:  # a table may point here through several columns (home and partner)
        merged[dependent.table_name] = merged.get(dependent.table_name, 0) + dependent.count
    return [Dependent(name, count) for name, count in merged.items()]


def history(*, session: Session, table_name: str, record_id: int | str) -> Sequence[AuditEntry]:
    """A record's history, oldest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.table_name == table_name, AuditEntry.record_id == str(record_id))
            .order_by(AuditEntry.id)
        )
    )


def log(
    *,
    session: Session,
    actor_name: str | None = None,
    table_name: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[AuditEntry]:
    """The global log, newest first, filtered by user, record type and date."""
    statement = select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor_name:
        statement = statement.where(AuditEntry.actor_name == actor_name)
    if table_name:
        statement = statement.where(AuditEntry.table_name == table_name)
    if since:
        statement = statement.where(AuditEntry.at >= since)
    if until:
        statement = statement.where(AuditEntry.at < until)
    return list(session.scalars(statement.limit(limit).offset(offset)))


# Values _plain returns unchanged, checked by exact class so that enums and other subclasses of str
# and int still go through it.
_AS_IS: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def record_bulk_created(*, session: Session, model: type[Any], rows: Sequence[Mapping[Any, Any]]) -> None:
    """The "create" entries the session hook would write, for rows a bulk path inserted with Core.

    An importer that writes tens of thousands of records inserts them in one executemany (with
    RETURNING of every column) instead of as ORM objects; this writes their audit entries the same
    way, one per row with every column as `after`, so the trail cannot tell the two paths apart.
    """
    if not rows:
        return
    mapper = inspect(model)
    # A plain str: the driver looks for an adapter on every value of a subclass (quoted_name).
    table_name = str(mapper.local_table.name)
    if table_name in NOT_AUDITED:
        return
    secrets = SECRET_COLUMNS.get(table_name, frozenset())
    attributes = [(prop.key, prop.columns[0].key, prop.key in secrets) for prop in mapper.column_attrs]
    primary_key = [column.key for column in mapper.primary_key]
    actor = current_actor()  # once: the login-name lookup behind the default actor is not free
    entries = []
    for row in rows:
        after = {
            key: (None if value is None else REDACTED)
            if secret
            else (value if value.__class__ in _AS_IS else _plain(value))
            for key, column, secret in attributes
            for value in (row[column],)
        }
        entries.append(
            {
                "actor_id": actor.user_id,
                "actor_name": actor.name,
                "via": actor.via,
                "table_name": table_name,
                "record_id": ",".join(str(row[column]) for column in primary_key),
                "action": "create",
                "before": None,
                "after": after,
            }
        )
    insert_rows(session, cast(Table, inspect(AuditEntry).local_table), entries)
