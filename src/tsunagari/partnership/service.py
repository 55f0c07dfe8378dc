"""Business logic of partnerships: the only module that reads or writes their tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from tsunagari.audit import service as audit_service
from tsunagari.common.bulk import complete_rows, insert_returning
from tsunagari.common.records import assign_changed, check_links_exist
from tsunagari.errors import Conflict, NotFound
from tsunagari.municipality.models import Municipality
from tsunagari.organisation.models import Organisation
from tsunagari.partnership.models import (
    Partnership,
    PartnershipSourceRecord,
)
from tsunagari.partnership.schemas import PartnershipCreate

UpsertOutcome = Literal["created", "updated", "unchanged"]

# Columns compared when deciding whether a re-import changes anything.
_COMPARED_FIELDS = (
    "partner_written_name",
    "signed_on",
    "signed_on_precision",
    "status",
    "suspended_on",
    "suspended_on_precision",
    "ended_on",
    "ended_on_precision",
    "origin",
    "fields",
    "notes",
    "inherited_through_merger",
    "via_municipality_id",
    "criterion_signed_by_heads",
    "criterion_multi_field",
    "criterion_council_approved",
    "source",
)


def party_key(municipality_id: int | None, organisation_id: int | None) -> str:
    return f"m{municipality_id}" if municipality_id is not None else f"o{organisation_id}"


def get(*, session: Session, partnership_id: int) -> Partnership:
    partnership = session.get(Partnership, partnership_id)
    if partnership is None:
        raise NotFound(f"partnership {partnership_id} does not exist")
    return partnership


def find(
    *, session: Session, home_party: str, partner_party: str, type_: str, either_direction: bool
) -> Partnership | None:
    condition = (Partnership.home_party == home_party) & (Partnership.partner_party == partner_party)
    if either_direction:
        condition = condition | (
            (Partnership.home_party == partner_party) & (Partnership.partner_party == home_party)
        )
    return session.scalars(select(Partnership).where(condition, Partnership.type == type_)).first()


def create(*, session: Session, data: PartnershipCreate) -> Partnership:
    partnership, outcome = upsert(session=session, data=data, update_existing=False)
    if outcome != "created":
        raise Conflict("this partnership is already registered")
    return partnership


def update(
    *, session: Session, partnership: Partnership, changes: Mapping[str, Any], parties: PartnershipCreate
) -> Partnership:
    """Write the changed fields, and the party keys of the record as it now stands (`parties`)."""
    check_parties_exist(session=session, data=parties)
    assign_changed(partnership, changes)
    home = party_key(parties.home_municipality_id, parties.home_organisation_id)
    partner = party_key(parties.partner_municipality_id, parties.partner_organisation_id)
    assign_changed(partnership, {"home_party": home, "partner_party": partner})
    session.flush()
    return partnership


PARTY_LINKS: dict[str, type[Any]] = {
    "home_municipality_id": Municipality,
    "partner_municipality_id": Municipality,
    "via_municipality_id": Municipality,
    "home_organisation_id": Organisation,
    "partner_organisation_id": Organisation,
}


def check_parties_exist(*, session: Session, data: PartnershipCreate) -> None:
    """Every party and link the data names is a stored record: a missing one is invalid input naming its
    field (422), never a foreign-key error from the database."""
    check_links_exist(session, data.model_dump(), PARTY_LINKS)


def upsert(
    *,
    session: Session,
    data: PartnershipCreate,
    update_existing: bool = True,
    either_direction: bool = True,
) -> tuple[Partnership, UpsertOutcome]:
    """Insert by natural key (home, partner, type), or update the stored row when fields differ.

    A partnership listed from the partner's side is the same partnership (either_direction).
    """
    home = party_key(data.home_municipality_id, data.home_organisation_id)
    partner = party_key(data.partner_municipality_id, data.partner_organisation_id)
    if home == partner:
        from tsunagari.errors import InvalidInput

        raise InvalidInput("a partnership needs two different parties", field="partner", value=partner)
    check_parties_exist(session=session, data=data)
    existing = find(
        session=session,
        home_party=home,
        partner_party=partner,
        type_=data.type.value,
        either_direction=either_direction,
    )
    values = data.model_dump()
    values["type"] = data.type.value
    values["status"] = data.status.value
    if existing is None:
        values["inherited_through_merger"] = bool(values["inherited_through_merger"])
        partnership = Partnership(**values, home_party=home, partner_party=partner)
        session.add(partnership)
        session.flush()
        if data.source:
            session.add(PartnershipSourceRecord(partnership_id=partnership.id, source=data.source))
        return partnership, "created"
    changed = {
        name: values[name]
        for name in _COMPARED_FIELDS
        if values[name] not in (None, []) and getattr(existing, name) != values[name]
    }
    if not changed or not update_existing:
        return existing, "unchanged"
    for name, value in changed.items():
        setattr(existing, name, value)
    session.flush()
    return existing, "updated"


def take_up_fields(*, session: Session, by_pair: Mapping[frozenset[int], Sequence[str]]) -> int:
    """Add to each municipality-to-municipality partnership the fields its pair's programmes have
    (programme_service.fields_by_pair), after those it already has; how many partnerships changed."""
    changed = 0
    for partnership in session.scalars(
        select(Partnership).where(
            Partnership.home_municipality_id.is_not(None), Partnership.partner_municipality_id.is_not(None)
        )
    ).unique():
        pair = frozenset((partnership.home_municipality_id or 0, partnership.partner_municipality_id or 0))
        fields = list(dict.fromkeys([*(partnership.fields or []), *by_pair.get(pair, ())]))
        if fields != list(partnership.fields or []):
            partnership.fields = fields
            changed += 1
    session.flush()
    return changed


def create_many(*, session: Session, data: Sequence[PartnershipCreate]) -> list[int]:
    """Insert partnerships as upsert() does when the pair has none, in one INSERT; their ids in order.

    The caller has made sure none of them exists yet (an import reads the pairs it has once). Each is
    audited as a "create" with every column; unlike create(), no source record is added (add_sources).
    """
    if not data:
        return []
    values: list[dict[str, Any]] = []
    for item in data:
        row = item.model_dump()
        row["home_party"] = party_key(item.home_municipality_id, item.home_organisation_id)
        row["partner_party"] = party_key(item.partner_municipality_id, item.partner_organisation_id)
        values.append(row)
    return [row.id for row in _insert_audited(session, Partnership, values)]


def add_sources(*, session: Session, records: Sequence[tuple[int, str, str | None]]) -> None:
    """Many (partnership id, source, detail) provenance records in one INSERT, each audited."""
    _insert_audited(
        session,
        PartnershipSourceRecord,
        [{"partnership_id": pid, "source": source, "detail": detail} for pid, source, detail in records],
    )


def _insert_audited(session: Session, model: type[Any], values: list[dict[str, Any]]) -> list[Any]:
    if not values:
        return []
    table = cast(Table, model.__table__)
    inserted = insert_returning(session, table, complete_rows(table, values))
    audit_service.record_bulk_created(session=session, model=model, rows=[r._mapping for r in inserted])
    return inserted


def add_source(*, session: Session, partnership: Partnership, source: str, detail: str | None) -> None:
    session.add(PartnershipSourceRecord(partnership_id=partnership.id, source=source, detail=detail))


def for_municipality(*, session: Session, municipality_id: int) -> Sequence[Partnership]:
    return list(
        session.scalars(
            select(Partnership)
            .where(
                or_(
                    Partnership.home_municipality_id == municipality_id,
                    Partnership.partner_municipality_id == municipality_id,
                )
            )
            .order_by(Partnership.signed_on.is_(None), Partnership.signed_on, Partnership.id)
        ).unique()
    )


def written_partner_links(
    *, session: Session, home_municipality_ids: Sequence[int]
) -> list[tuple[int, str, str, int, str]]:
    """(home id, type, partner name as written, partner id, partner country) of the partnerships of
    some homes that name their partner municipality: in one query, so that an import can tell which
    written names a person (or an earlier import) already settled without a look-up per row."""
    if not home_municipality_ids:
        return []
    statement = (
        select(
            Partnership.home_municipality_id,
            Partnership.type,
            Partnership.partner_written_name,
            Municipality.id,
            Municipality.country,
        )
        .join(Municipality, Municipality.id == Partnership.partner_municipality_id)
        .where(
            Partnership.home_municipality_id.in_(sorted(set(home_municipality_ids))),
            Partnership.partner_written_name.is_not(None),
        )
        .order_by(Partnership.signed_on.is_(None), Partnership.signed_on, Partnership.id)
    )
    return [
        (home, type_, written, partner, country)
        for home, type_, written, partner, country in session.execute(statement)
        if home is not None and written is not None
    ]


def fields_by_municipality(*, session: Session) -> dict[int, set[str]]:
    """The exchange fields of each municipality's partnerships, either side of the tie (for matchmaking),
    in one query."""
    found: dict[int, set[str]] = {}
    statement = select(
        Partnership.home_municipality_id, Partnership.partner_municipality_id, Partnership.fields
    ).where(
        or_(Partnership.home_municipality_id.is_not(None), Partnership.partner_municipality_id.is_not(None))
    )
    for home_id, partner_id, fields in session.execute(statement):
        if not fields:
            continue
        for municipality_id in (home_id, partner_id):
            if municipality_id is not None:
                found.setdefault(municipality_id, set()).update(fields)
    return found
