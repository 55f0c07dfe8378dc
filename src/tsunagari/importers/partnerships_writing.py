"""Writing the valid rows of a partnerships file. A row whose partner has an exact registry name
(resolve_partner's first step, answered from RegistryNames) is decided in memory and written in bulk
with the others; any other row is written after them through the services, one at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tsunagari.importers.partnerships_validation import PartnershipRow
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.names.partners import NamedPlace, RegistryNames, SettledNames
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import Partnership
from tsunagari.partnership.schemas import PartnershipCreate

# A row changes a stored partnership exactly when partnership_service.upsert would: on these fields.
from tsunagari.partnership.service import _COMPARED_FIELDS as COMPARED_FIELDS

T = TypeVar("T")
Outcome = partnership_service.UpsertOutcome


# ----------------------------------------------------------------------------- one row at a time
def learn_partner_names(*, session: Session, municipality: Municipality, row: PartnershipRow) -> None:
    """What the row says about the partner is kept: the name as written and the English name become
    names to find it by; partner_name_en becomes its English name (the previous one stays an alias);
    a missing region is filled in."""
    municipality_service.add_aliases(
        session=session, municipality=municipality, names=[n for n in (row.partner, row.partner_name_en) if n]
    )
    changes: dict[str, object] = {}
    if row.partner_name_en and municipality.name_en != row.partner_name_en:
        changes["name_en"] = row.partner_name_en
    if row.partner_region and not municipality.region:
        changes["region"] = row.partner_region
    if changes:
        municipality_service.update(session=session, municipality=municipality, changes=changes)


def write_partnership(
    session: Session, row: PartnershipRow, partner: Municipality
) -> tuple[Partnership, Outcome, bool]:
    """Insert or update the row's partnership by its natural key (home, partner, type); the flag says
    whether the stored partnership is the row's home's (and so keeps the written name)."""
    learn_partner_names(session=session, municipality=partner, row=row)
    data = row.create_data(partner)
    home_party = partnership_service.party_key(row.home_municipality_id, None)
    existing = partnership_service.find(
        session=session,
        home_party=home_party,
        partner_party=partnership_service.party_key(partner.id, None),
        type_=row.type.value,
        either_direction=True,
    )
    from_home = existing is None or existing.home_party == home_party
    if existing is not None:
        # The v1 columns cannot say whether it came through a merger: keep what is stored rather
        # than reset it. A partnership stored from the other side keeps its written partner name,
        # which names the other party.
        keep: dict[str, object] = {"inherited_through_merger": existing.inherited_through_merger}
        if not from_home:
            keep["partner_written_name"] = None
        data = data.model_copy(update=keep)
    partnership, outcome = partnership_service.upsert(session=session, data=data)
    return partnership, outcome, from_home


# ----------------------------------------------------------------------------- in memory, then in bulk
@dataclass
class _Stored:
    """A partnership as upsert() sees it: its id (None until written), parties and compared fields."""

    id: int | None
    home_party: str
    partner_party: str
    values: dict[str, Any]


def _chunks(items: Sequence[T], size: int = 500) -> Iterable[Sequence[T]]:
    # Well under SQLite's limit on bound parameters.
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class StoredPartnerships:
    """The partnerships of an import's homes (either side), by natural key, read in a few queries."""

    by_key: dict[tuple[str, str, str], _Stored] = field(default_factory=dict)

    @classmethod
    def load(cls, *, session: Session, home_municipality_ids: Iterable[int]) -> StoredPartnerships:
        stored = cls()
        columns = [getattr(Partnership, name) for name in COMPARED_FIELDS]
        homes = sorted(set(home_municipality_ids))
        for chunk in _chunks(homes):
            # By the indexed id columns: a municipality's party key is "m<id>".
            statement = select(
                Partnership.id, Partnership.home_party, Partnership.partner_party, Partnership.type, *columns
            ).where(
                or_(
                    Partnership.home_municipality_id.in_(chunk),
                    Partnership.partner_municipality_id.in_(chunk),
                )
            )
            for pid, home, partner, type_, *values in session.execute(statement):
                stored.by_key[(home, partner, type_)] = _Stored(
                    pid, home, partner, dict(zip(COMPARED_FIELDS, values, strict=True))
                )
        return stored

    def find(self, home_party: str, partner_party: str, type_: str) -> _Stored | None:
        """partnership_service.find(either_direction=True), from memory."""
        found = [
            p
            for p in (
                self.by_key.get((home_party, partner_party, type_)),
                self.by_key.get((partner_party, home_party, type_)),
            )
            if p is not None
        ]
        # Both directions stored (which the services never write): the older one.
        found.sort(key=lambda p: (p.id is None, p.id or 0))
        return found[0] if found else None

    def add(self, stored: _Stored, type_: str) -> None:
        self.by_key[(stored.home_party, stored.partner_party, type_)] = stored

    def remember(self, partnership: Partnership) -> None:
        """Take in a partnership as written through the services."""
        values = {name: getattr(partnership, name) for name in COMPARED_FIELDS}
        self.add(
            _Stored(partnership.id, partnership.home_party, partnership.partner_party, values),
            partnership.type,
        )


@dataclass
class BulkWriter:
    """Rows whose partner is an exact registry name, decided as write_partnership would decide them
    and held until `flush`, which writes them in a few statements through the services: name rows,
    changes to partners, new partnerships with their source lines (each audited), changed ones."""

    session: Session
    registry: RegistryNames
    partnerships: StoredPartnerships
    settled: SettledNames
    names: list[dict[str, object]] = field(default_factory=list)
    municipality_changes: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    created: list[tuple[_Stored, PartnershipCreate]] = field(default_factory=list)
    updated: list[PartnershipCreate] = field(default_factory=list)

    def write(self, row: PartnershipRow) -> Outcome | None:
        """The row's outcome, or None when its partner needs the full resolution (resolve_partner)."""
        place = self.registry.exact(name=row.partner, country=row.partner_country, region=row.partner_region)
        if place is None or place.id == row.home_municipality_id:
            return None
        self._learn(place, row)
        data = row.create_data(place.id)
        type_ = row.type.value
        home_party = partnership_service.party_key(row.home_municipality_id, None)
        partner_party = partnership_service.party_key(place.id, None)
        existing = self.partnerships.find(home_party, partner_party, type_)
        from_home = existing is None or existing.home_party == home_party
        if existing is not None:
            keep: dict[str, object] = {
                "inherited_through_merger": existing.values["inherited_through_merger"]
            }
            if not from_home:
                keep["partner_written_name"] = None
            data = data.model_copy(update=keep)
        values = data.model_dump()
        values["type"] = data.type.value
        values["status"] = data.status.value
        outcome: Outcome
        if existing is None:
            values["inherited_through_merger"] = bool(values["inherited_through_merger"])
            stored = _Stored(
                None, home_party, partner_party, {name: values[name] for name in COMPARED_FIELDS}
            )
            self.partnerships.add(stored, type_)
            self.created.append((stored, data))
            outcome = "created"
        else:
            changed = {
                name: values[name]
                for name in COMPARED_FIELDS
                if values[name] not in (None, []) and existing.values[name] != values[name]
            }
            if changed:
                existing.values.update(changed)
                self.updated.append(data)
                outcome = "updated"
            else:
                outcome = "unchanged"
        if from_home:
            self.settled.remember_id(
                home_municipality_id=row.home_municipality_id,
                type_=type_,
                written=row.partner,
                partner_id=place.id,
                country=place.country,
            )
        return outcome

    def _learn(self, place: NamedPlace, row: PartnershipRow) -> None:
        """learn_partner_names, in memory."""
        self.names += self.registry.learn(place, [n for n in (row.partner, row.partner_name_en) if n])
        changes: dict[str, object] = {}
        if row.partner_name_en and place.name_en != row.partner_name_en:
            changes["name_en"] = place.name_en = row.partner_name_en
        if row.partner_region and not place.region:
            changes["region"] = place.region = row.partner_region
        if changes:
            # municipality_service.update gives a new English name its keys when it lacks them.
            self.names += self.registry.learn(place, ())
            self.municipality_changes.append((place.id, changes))

    def flush_names(self) -> None:
        """Write what the rows so far learnt of their partners: what resolving a name reads."""
        session = self.session
        municipality_service.add_name_rows(session=session, rows=self.names)
        self.names = []
        for municipality_id, changes in self.municipality_changes:
            municipality = municipality_service.get(session=session, municipality_id=municipality_id)
            municipality_service.update(session=session, municipality=municipality, changes=changes)
        self.municipality_changes = []

    def flush(self) -> None:
        """Write what the rows so far decided; partnerships in file order, so their ids are in it."""
        session = self.session
        self.flush_names()
        if self.created:
            ids = partnership_service.create_many(session=session, data=[data for _, data in self.created])
            for (stored, _), partnership_id in zip(self.created, ids, strict=True):
                stored.id = partnership_id
            partnership_service.add_sources(
                session=session,
                records=[
                    (partnership_id, data.source, None)
                    for (_, data), partnership_id in zip(self.created, ids, strict=True)
                    if data.source
                ],
            )
        self.created = []
        for data in self.updated:
            # Compared again with the stored record, which the rows before it have brought up to date.
            partnership_service.upsert(session=session, data=data)
        self.updated = []
