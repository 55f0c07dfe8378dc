"""Everything one municipality owns, as one JSON document that imports into another database (an empty
one included) and exports from there again byte for byte: its partnerships of every kind, organisations,
programmes with their owners, partners, activities, visits, awards and evaluation sheets, the networks it
runs, its policy rules, seeking profile, labour-cost rate and citizen benefits; contacts only when asked
(staff only).

Rows carry no database ids: each has a key ("@key": "programme#3") numbered in a stable order of its
content, and links name keys. Municipalities travel whole with their names; on import each is matched to
the one already here (same JIS code, or same name, country and region) or created. Writes go through the
ORM, so the audit trail records each row.

Not carried: database ids, version counters and timestamps (a new database keeps its own), links to
review items (workflow state of the source database; the partner text and its needs_review flag are
kept), staff accounts and what points at them (evaluations by a reviewer), and the audit trail itself."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagari.db import Base
from tsunagari.errors import InvalidInput, Problem

FORMAT = "tsunagari-bundle/1"
# Never carried: ids and version counters, and links into records a bundle does not hold.
SKIPPED_COLUMNS = frozenset({"id", "version", "created_at", "updated_at"})
DROPPED_LINKS = frozenset({("programme_partner", "review_item_id")})
MUNICIPALITY = "municipality"
# Each row's name in the bundle ("programme#3"); "@" keeps it apart from any column (municipality_name.key).
ROW_KEY = "@key"
NATURAL_KEY = ("name", "country", "region")


@dataclass
class Selection:
    """The ids of each table's rows in the bundle."""

    ids: dict[str, set[int]] = field(default_factory=dict)

    def add(self, table: str, ids: Iterable[int | None]) -> None:
        self.ids.setdefault(table, set()).update(i for i in ids if i is not None)

    def of(self, table: str) -> set[int]:
        return self.ids.get(table, set())


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _pk(table: Table) -> Column[Any]:
    """The table's one primary-key column (id; a visit's is its activity's id)."""
    [column] = list(table.primary_key.columns)
    return column


def _skipped(column: Column[Any]) -> bool:
    """Ids a database numbers itself and version counters; a primary key that is also a link stays."""
    return column.name in SKIPPED_COLUMNS and not column.foreign_keys


def _ids(session: Session, table: str, where: Callable[[Table], Any]) -> set[int]:
    t = _table(table)
    return set(session.scalars(select(_pk(t)).where(where(t))))


def _linked(session: Session, table: str, column: str, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    t = _table(table)
    return set(session.scalars(select(_pk(t)).where(t.c[column].in_(sorted(ids)))))


def select_owned(session: Session, municipality_id: int, *, with_contacts: bool) -> Selection:
    """The rows one municipality owns, and the rows they need (partners, organisations, networks)."""
    chosen = Selection()
    chosen.add(MUNICIPALITY, [municipality_id])
    for table in ("policy_rules", "seeking_profile", "labour_cost_rate", "organisation", "benefit"):
        if table in Base.metadata.tables:
            chosen.add(table, _ids(session, table, lambda t: t.c.municipality_id == municipality_id))
    organisations = sorted(chosen.of("organisation"))
    chosen.add(
        "partnership",
        _ids(
            session,
            "partnership",
            # Its own ties, and those of its organisations (村山市商工会's with another chamber).
            lambda t: (
                (t.c.home_municipality_id == municipality_id)
                | (t.c.partner_municipality_id == municipality_id)
                | t.c.home_organisation_id.in_(organisations)
                | t.c.partner_organisation_id.in_(organisations)
            ),
        ),
    )
    owners = _table("programme_owner")
    chosen.add(
        "programme",
        session.scalars(select(owners.c.programme_id).where(owners.c.municipality_id == municipality_id)),
    )
    chosen.add(
        "network", _ids(session, "network", lambda t: t.c.secretariat_municipality_id == municipality_id)
    )
    awards = _table("award")
    chosen.add(
        "award",
        session.scalars(
            select(awards.c.id).where(
                (awards.c.recipient_municipality_id == municipality_id)
                | awards.c.programme_id.in_(sorted(chosen.of("programme")))
            )
        ),
    )
    # Programmes the awards are for belong with them.
    chosen.add(
        "programme",
        session.scalars(select(awards.c.programme_id).where(awards.c.id.in_(sorted(chosen.of("award"))))),
    )
    # Rows that are part of a chosen record.
    parts = {
        "partnership_source_record": ("partnership_id", "partnership"),
        "programme_owner": ("programme_id", "programme"),
        "programme_partner": ("programme_id", "programme"),
        "activity": ("programme_id", "programme"),
        "programme_sheet": ("programme_id", "programme"),
        "programme_sheet_year": ("programme_id", "programme"),
        "network_membership": ("network_id", "network"),
        "network_meeting": ("network_id", "network"),
        "award_partner": ("award_id", "award"),
    }
    for table, (column, parent) in parts.items():
        if table in Base.metadata.tables:
            chosen.add(table, _linked(session, table, column, chosen.of(parent)))
    chosen.add("visit", _linked(session, "visit", "activity_id", chosen.of("activity")))
    if with_contacts:
        contacts = _table("contact")
        chosen.add(
            "contact",
            session.scalars(
                select(contacts.c.id).where(
                    (contacts.c.municipality_id == municipality_id)
                    | contacts.c.partnership_id.in_(sorted(chosen.of("partnership")))
                    | contacts.c.organisation_id.in_(sorted(chosen.of("organisation")))
                )
            ),
        )
    _close_over_links(session, chosen)
    return chosen


def _close_over_links(session: Session, chosen: Selection) -> None:
    """Add every row a chosen row links to (partners, their organisations, a programme's network …),
    parents before children, until nothing new is needed."""
    changed = True
    while changed:
        changed = False
        for table in reversed(Base.metadata.sorted_tables):
            ids = chosen.of(table.name)
            if not ids:
                continue
            for column, target in _links(table):
                if target.name not in _CARRIED:
                    continue
                rows = session.scalars(select(column).where(_pk(table).in_(sorted(ids)), column.is_not(None)))
                new = set(rows) - chosen.of(target.name)
                if new:
                    chosen.add(target.name, new)
                    changed = True


_CARRIED = frozenset(
    {
        MUNICIPALITY,
        "municipality_name",
        "organisation",
        "partnership",
        "partnership_source_record",
        "contact",
        "network",
        "network_membership",
        "network_meeting",
        "programme",
        "programme_owner",
        "programme_partner",
        "activity",
        "visit",
        "award",
        "award_partner",
        "policy_rules",
        "seeking_profile",
        "labour_cost_rate",
        "programme_sheet",
        "programme_sheet_year",
        "benefit",
    }
)


def _links(table: Table) -> list[tuple[Column[Any], Table]]:
    return [
        (fk.parent, fk.column.table)
        for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name)
        if (table.name, fk.parent.name) not in DROPPED_LINKS
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _canonical(values: Mapping[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)


def export_bundle(session: Session, municipality_id: int, *, with_contacts: bool = False) -> bytes:
    """The bundle of one municipality as UTF-8 JSON, the same bytes for the same records anywhere."""
    chosen = select_owned(session, municipality_id, with_contacts=with_contacts)
    # Each municipality travels with every name it is known by.
    chosen.add(
        "municipality_name", _linked(session, "municipality_name", "municipality_id", chosen.of(MUNICIPALITY))
    )
    keys: dict[tuple[str, int], str] = {}
    sections: list[dict[str, Any]] = []
    for table in Base.metadata.sorted_tables:
        ids = chosen.of(table.name)
        if table.name not in _CARRIED or not ids:
            continue
        pk = _pk(table)
        rows = session.execute(select(table).where(pk.in_(sorted(ids)))).mappings().all()
        entries = []
        for row in rows:
            values = _values(table, row, keys)
            entries.append((row[pk.name], values))
        self_links = [column.name for column, target in _links(table) if target is table]
        # Numbered by content; a link within the table still holds a source id here, so it is left out.
        entries.sort(key=lambda entry: _canonical({k: v for k, v in entry[1].items() if k not in self_links}))
        for number, (row_id, _) in enumerate(entries, 1):
            keys[(table.name, row_id)] = f"{table.name}#{number}"
        for _, values in entries:
            for name in self_links:
                if isinstance(values.get(name), int):
                    values[name] = keys.get((table.name, values[name]))
        sections.append(
            {
                "table": table.name,
                "rows": [{ROW_KEY: keys[(table.name, row_id)], **values} for row_id, values in entries],
            }
        )
    document = {"format": FORMAT, "municipality": keys[(MUNICIPALITY, municipality_id)], "tables": sections}
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _values(table: Table, row: Mapping[Any, Any], keys: Mapping[tuple[str, int], str]) -> dict[str, Any]:
    links = {column.name: target for column, target in _links(table)}
    values: dict[str, Any] = {}
    for column in table.columns:
        name = column.name
        if _skipped(column) or (table.name, name) in DROPPED_LINKS:
            continue
        value = row[name]
        if name in links and value is not None:
            target = links[name]
            # A self-link keeps the raw id until the table is numbered (see export_bundle).
            value = value if target is table else keys.get((target.name, value))
        values[name] = _plain(value)
    return values


def _model(table: str) -> type[Any]:
    for mapper in Base.registry.mappers:
        if getattr(mapper.local_table, "name", None) == table:
            return mapper.class_
    raise InvalidInput("unknown table in the bundle", field="table", value=table)


def _python_value(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    python_type: Any
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return value
    if python_type is dt.datetime and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if python_type is dt.date and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def import_bundle(session: Session, data: bytes, *, overwrite: bool = False) -> dict[str, int]:
    """Write a bundle's rows (all or none: the caller's unit of work); returns rows written per table.

    A municipality already here (same JIS code, or the one record of the same name, country and region)
    is not created again: its empty fields take the bundle's values, and a stored value the bundle would
    change is refused, each named, unless `overwrite` (so nothing is replaced unseen)."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"not a JSON document: {error}", field="FILE") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidInput(
            f"not a {FORMAT} bundle",
            field="format",
            value=document.get("format") if isinstance(document, dict) else None,
        )
    ids: dict[str, int] = {}
    written: dict[str, int] = {}
    municipalities = _table(MUNICIPALITY)
    matched: set[int] = set()
    conflicts: list[Problem] = []
    for number, section in enumerate(document.get("tables") or [], 1):
        name = section.get("table")
        if name not in _CARRIED:
            raise InvalidInput("a table a bundle does not carry", field=f"tables[{number}].table", value=name)
        table = _table(name)
        model = _model(name)
        links = {column.name: target for column, target in _links(table)}
        known = {c.name for c in table.columns if not _skipped(c)}
        deferred: list[tuple[Any, str, str]] = []
        for row_number, row in enumerate(section.get("rows") or [], 1):
            key = row.get(ROW_KEY)
            values = {k: v for k, v in row.items() if k != ROW_KEY}
            unknown = sorted(set(values) - known)
            if not isinstance(key, str) or unknown:
                raise InvalidInput(
                    problems=[Problem("unknown column", field=f"{name}.{u}", row=row_number) for u in unknown]
                    or [Problem("a row needs its key", field=f"{name}.{ROW_KEY}", row=row_number)]
                )
            if name == MUNICIPALITY:
                existing = _existing_municipality(session, municipalities, values)
                if existing is not None:
                    ids[key] = existing
                    matched.add(existing)
                    conflicts += _fill_or_conflicts(
                        session, model, existing, values, ids, overwrite, row_number
                    )
                    continue
            owner = ids.get(str(values.get("municipality_id")))
            if name == "municipality_name" and owner in matched and _has_alias(session, owner, values):
                continue
            record = model()
            for column_name, value in values.items():
                column = table.c[column_name]
                if column_name in links and value is not None:
                    if links[column_name] is table and value not in ids:
                        deferred.append((record, column_name, value))
                        continue
                    if value not in ids:
                        raise InvalidInput(
                            "a link to a row the bundle does not hold",
                            field=f"{name}.{column_name}",
                            value=value,
                            row=row_number,
                        )
                    value = ids[value]
                setattr(record, column.key, _python_value(column, value))
            session.add(record)
            try:
                with session.begin_nested():
                    session.flush()
            except IntegrityError as error:
                raise InvalidInput(
                    f"this row clashes with a record already here ({error.orig}); import into a database "
                    "without this municipality's records",
                    field=f"{name}.{ROW_KEY}",
                    value=key,
                    row=row_number,
                ) from None
            ids[key] = getattr(record, _pk(table).key)
            written[name] = written.get(name, 0) + 1
        for record, column_name, value in deferred:
            if value not in ids:
                raise InvalidInput(
                    "a link to a row the bundle does not hold", field=f"{name}.{column_name}", value=value
                )
            setattr(record, table.c[column_name].key, ids[value])
        session.flush()
    if conflicts:
        raise InvalidInput(problems=conflicts)
    return written


def _fill_or_conflicts(
    session: Session,
    model: type[Any],
    record_id: int,
    values: Mapping[str, Any],
    ids: Mapping[str, int],
    overwrite: bool,
    row_number: int,
) -> list[Problem]:
    record = session.get(model, record_id)
    table = _table(MUNICIPALITY)
    links = {column.name for column, _ in _links(table)}
    problems = []
    for name, value in values.items():
        column = table.c[name]
        wanted = ids.get(value) if name in links and value is not None else _python_value(column, value)
        stored = getattr(record, column.key)
        if stored == wanted or wanted is None:
            continue
        if stored is None or stored == "" or overwrite:
            setattr(record, column.key, wanted)
        else:
            problems.append(
                Problem(
                    f"stored {stored!r} differs from the bundle's {wanted!r}; pass --overwrite to replace it",
                    field=f"municipality.{name}",
                    value=wanted,
                    row=row_number,
                )
            )
    return problems


def _has_alias(session: Session, municipality_id: int, values: Mapping[str, Any]) -> bool:
    names = _table("municipality_name")
    return (
        session.scalar(
            select(names.c.id)
            .where(
                names.c.municipality_id == municipality_id,
                names.c.name == values.get("name"),
                names.c.kind == values.get("kind"),
            )
            .limit(1)
        )
        is not None
    )


def _existing_municipality(session: Session, municipalities: Table, values: Mapping[str, Any]) -> int | None:
    """The municipality of this JIS code, or the one record of the same name, country and region."""
    if values.get("jis_code"):
        return session.scalar(
            select(municipalities.c.id).where(municipalities.c.jis_code == values["jis_code"])
        )
    found = session.scalars(
        select(municipalities.c.id).where(
            *(
                municipalities.c[k] == values.get(k)
                if values.get(k) is not None
                else municipalities.c[k].is_(None)
                for k in NATURAL_KEY
            )
        )
    ).all()
    return found[0] if len(found) == 1 else None
