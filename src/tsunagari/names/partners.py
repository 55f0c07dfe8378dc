"""One partner resolution for every importer and form: a written partner name → its registry record,
a new record, or a resolution for a person to settle on the review list. Reads and materialises; never
sends to review itself (the caller knows what waits on the answer). A bulk import resolves in batch
mode: from a PartnerIndex read once, deciding places without making records (it writes them in bulk).
An import of a registry file answers the first step, an exact registry name, from RegistryNames."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.names import candidates as name_candidates
from tsunagari.names import service as names_service
from tsunagari.names.candidates import Candidate, PreloadedLookup
from tsunagari.names.normalize import fold, name_key_tuple
from tsunagari.names.service import Resolution
from tsunagari.partnership import service as partnership_service
from tsunagari.reference.countries import resolve_subdivision
from tsunagari.reference.japan import prefecture_of
from tsunagari.reference.subdivisions import lies_in

How = Literal["exact", "matched", "english", "settled", "created", "review"]
"""How the partner was found: an exact registry name, a resolution (registry or gazetteer), the English
name, a name settled earlier for the same home and type, a record made from the row; or not at all."""


@dataclass
class PartnerResolution:
    municipality: Municipality | None
    """None when the name waits on a person (how == "review")."""
    how: How
    resolution: Resolution
    """What names_service.resolve made of the name: the candidates a review item lists."""
    new_to_registry: bool = False
    """The record was made just now (from the gazetteer or from the row)."""
    place: Candidate | None = None
    """In batch mode: the registry record or gazetteer place chosen (how == "matched"), not yet made a
    record; the importer writes its places in bulk."""


@dataclass(frozen=True)
class PartnerIndex:
    """The candidates of every name key of a batch (one import), read in a few queries beforehand, so
    that resolve_partner answers each name from memory and consults a reference only when it has the
    name's key (names no reference has are not looked up at all)."""

    lookup: PreloadedLookup
    registry_keys: frozenset[tuple[str, str]]
    """(country, key) pairs some registry name has."""
    gazetteer_keys: frozenset[tuple[str, str]]

    @classmethod
    def from_rows(
        cls,
        *,
        session: Session,
        registry_rows: Sequence[tuple[Any, ...]],
        gazetteer_rows: Sequence[tuple[Any, ...]],
    ) -> PartnerIndex:
        """An index of candidate rows read by names.candidates (registry_rows, gazetteer_rows)."""
        lookup = PreloadedLookup(
            session, registry_rows, gazetteer_rows, name_candidates.all_registry_geonameids(session)
        )
        return cls(
            lookup,
            frozenset((row[3], row[10]) for row in registry_rows),
            frozenset((row[3], row[8]) for row in gazetteer_rows),
        )

    @classmethod
    def load(cls, *, session: Session, keys_by_country: Mapping[str, Iterable[str]]) -> PartnerIndex:
        """Read the candidates of these name keys (per country) from the registry and the gazetteer."""
        registry_rows = name_candidates.registry_rows_of(session, keys_by_country)
        gazetteer_rows = name_candidates.gazetteer_rows_of(session, keys_by_country)
        return cls.from_rows(session=session, registry_rows=registry_rows, gazetteer_rows=gazetteer_rows)

    def knows(self, name: str, country: str) -> tuple[bool, bool]:
        """Whether the registry, and the gazetteer, have a name's exact key in a country."""
        keys = [(country, key) for key in name_candidates.exact_keys(name)]
        return any(k in self.registry_keys for k in keys), any(k in self.gazetteer_keys for k in keys)


@dataclass
class SettledNames:
    """Partners already linked to a written name, by (home, partnership type, written name, country),
    read in one query for all the homes of an import; what the import links itself is remembered."""

    links: dict[tuple[int, str, str, str], int] = field(default_factory=dict)

    @classmethod
    def load(cls, *, session: Session, home_municipality_ids: Iterable[int]) -> SettledNames:
        settled = cls()
        for home, type_, written, partner, country in partnership_service.written_partner_links(
            session=session, home_municipality_ids=list(home_municipality_ids)
        ):
            settled.links.setdefault((home, type_, written, country), partner)
        return settled

    def get(self, *, home_municipality_id: int, type_: str, written: str, country: str) -> int | None:
        return self.links.get((home_municipality_id, type_, written, country))

    def remember(self, *, home_municipality_id: int, type_: str, written: str, partner: Municipality) -> None:
        self.remember_id(
            home_municipality_id=home_municipality_id,
            type_=type_,
            written=written,
            partner_id=partner.id,
            country=partner.country,
        )

    def remember_id(
        self, *, home_municipality_id: int, type_: str, written: str, partner_id: int, country: str
    ) -> None:
        self.links.setdefault((home_municipality_id, type_, written, country), partner_id)


@dataclass
class NamedPlace:
    """What an exact look-up and the learning of names read of a registry municipality."""

    id: int
    country: str
    region: str | None
    region_code: str | None
    name: str
    name_en: str | None
    kana: str | None
    local_name: str | None
    keys: set[str]
    """Every name key the municipality has (its municipality_name rows)."""
    names: set[str]
    """The names those rows were written for: every writer stores all the keys of a name, so a name
    among these has no key the record lacks (and is not normalised again)."""


@dataclass
class RegistryNames:
    """The registry's names in memory for one import: the municipalities having a key of any name of
    the file, with all their keys, kept current by the import as it adds names and records. It answers
    resolve_partner's first step (an exact registry name, as municipality_service.find_by_name would
    find it) and says which name rows municipality_service.add_aliases would add, without a query."""

    places: dict[int, NamedPlace] = field(default_factory=dict)
    by_key: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def load(cls, *, session: Session, keys_by_country: Mapping[str, Iterable[str]]) -> RegistryNames:
        wanted = {(country, key) for country, keys in keys_by_country.items() for key in keys}
        ids: set[int] = set()
        # All countries at once (a few queries rather than a few per country), sorted out here.
        for chunk in _chunks(sorted({key for _, key in wanted})):
            statement = (
                select(MunicipalityName.municipality_id, Municipality.country, MunicipalityName.key)
                .join(Municipality, Municipality.id == MunicipalityName.municipality_id)
                .where(MunicipalityName.key.in_(chunk))
            )
            ids.update(mid for mid, country, key in session.execute(statement) if (country, key) in wanted)
        names = cls()
        for chunk in _chunks(sorted(ids)):
            for mid, country, region, region_code, name, name_en, kana, local_name in session.execute(
                select(
                    Municipality.id,
                    Municipality.country,
                    Municipality.region,
                    Municipality.region_code,
                    Municipality.name,
                    Municipality.name_en,
                    Municipality.kana,
                    Municipality.local_name,
                ).where(Municipality.id.in_(chunk))
            ):
                names.places[mid] = NamedPlace(
                    mid, country, region, region_code, name, name_en, kana, local_name, set(), set()
                )
            for mid, key, name in session.execute(
                select(MunicipalityName.municipality_id, MunicipalityName.key, MunicipalityName.name).where(
                    MunicipalityName.municipality_id.in_(chunk)
                )
            ):
                place = names.places[mid]
                place.keys.add(key)
                place.names.add(name)
                names.by_key[(place.country, key)].add(mid)
        return names

    def refresh(self, municipality: Municipality) -> None:
        """Take in a record as it now stands after a write through the services (names and all)."""
        place = NamedPlace(
            municipality.id,
            municipality.country,
            municipality.region,
            municipality.region_code,
            municipality.name,
            municipality.name_en,
            municipality.kana,
            municipality.local_name,
            {alias.key for alias in municipality.aliases},
            {alias.name for alias in municipality.aliases},
        )
        self.places[place.id] = place
        for key in place.keys:
            self.by_key[(place.country, key)].add(place.id)

    def find(self, *, name: str, country: str, region: str | None) -> list[NamedPlace]:
        """municipality_service.find_by_name(name, country, region), from memory."""
        keys = name_candidates.exact_keys(name)
        if not keys:
            return []
        ids: set[int] = set()
        for key in keys:
            ids |= self.by_key.get((country, key), set())
        found = [self.places[mid] for mid in sorted(ids)]
        prefecture = prefecture_of(region)
        if prefecture is not None:
            found = [p for p in found if p.country != "JP" or p.region == prefecture]
        if region and len(found) > 1:
            wanted = fold(region)
            narrowed = [
                p
                for p in found
                if (p.region and (fold(p.region) == wanted or wanted in fold(p.region)))
                or (p.region_code and p.region_code.casefold() == region.casefold())
            ]
            if narrowed:
                found = narrowed
        exact = [p for p in found if keys[0] in p.keys]
        return exact or found

    def exact(self, *, name: str, country: str, region: str | None) -> NamedPlace | None:
        """The partner resolve_partner finds by an exact registry name, or None when it would go on
        to weigh candidates (none, or several, have the name)."""
        found = self.find(name=name, country=country, region=region)
        if len(found) == 1 and _may_lie_in(found[0].country, found[0].region_code, found[0].region, region):
            return found[0]
        return None

    def learn(self, place: NamedPlace, names: Iterable[str]) -> list[dict[str, object]]:
        """The name rows municipality_service.add_aliases(names) would add to the record, now known."""
        named: list[tuple[str, str]] = [(place.name, "official")]
        for value, kind in ((place.name_en, "english"), (place.kana, "kana"), (place.local_name, "local")):
            if value:
                named.append((value, kind))
        named.extend((alias, "alias") for alias in names if alias and alias.strip())
        seen: set[str] = set()
        rows: list[dict[str, object]] = []
        for name, kind in named:
            if name in place.names:
                # Its keys are all stored: none is added, whichever name a key is seen with first.
                continue
            for key in name_key_tuple(name):
                if key and key not in seen:
                    seen.add(key)
                    if key not in place.keys:
                        place.keys.add(key)
                        place.names.add(name)
                        self.by_key[(place.country, key)].add(place.id)
                        rows.append({"municipality_id": place.id, "name": name, "key": key, "kind": kind})
        return rows


def _chunks(items: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    # Well under SQLite's limit on bound parameters.
    return [items[start : start + size] for start in range(0, len(items), size)]


def resolve_partner(
    *,
    session: Session,
    name: str,
    country: str | None,
    region: str | None = None,
    name_en: str | None = None,
    settled_partner_id: int | None = None,
    create: Callable[[], MunicipalityCreate] | None = None,
    index: PartnerIndex | None = None,
    near: tuple[float, float] | None = None,
    fuzzy: bool = True,
) -> PartnerResolution:
    """The partner a written name means, or why a person has to say.

    In order: an exact registry name (resolve() would also weigh the affix-stripped 長崎 of 長崎県
    against 長崎市); a match of names_service.resolve, made a registry record when it is a gazetteer
    place; the English name, when it picks one of the candidates (or the only place found); the partner
    already linked to this written name (`settled_partner_id`, from SettledNames), so a re-import after
    a review does not ask again; then, for a foreign place that neither name matches in any way, the
    record `create()` makes (given by an importer that makes partners, called only then; every Japanese
    local government is already in the registry). Anything else (several candidates, a near spelling)
    is for a person: how == "review".

    Batch mode (`index` given, for an import of thousands of names): the candidates come from the
    index, a reference without the name's key is not asked, `near` (the file's coordinates) chooses
    among namesakes, and nothing is made a record: how == "matched" with `place` the record or place
    chosen, or "review" with the resolution's candidates for the importer's own evidence to weigh.
    """
    if index is not None:
        return _from_index(session, index, name, country, region, near, fuzzy)
    found = municipality_service.find_by_name(session=session, name=name, country=country, region=region)
    unresolved = Resolution(name, country, region, "unresolved", None, 0.0, [])
    if len(found) == 1 and _in_region(found[0], region):
        return PartnerResolution(found[0], "exact", unresolved)
    resolution = names_service.resolve(session=session, text=name, country=country, region=region)
    if resolution.status == "matched" and resolution.match is not None:
        return _materialised(session, resolution.match, name, "matched", resolution)
    english = None
    if name_en:
        english = names_service.resolve(
            session=session, text=name_en, country=country, region=region, fuzzy=False
        )
        match = english.match
        if match is not None and (
            resolution.status == "unresolved"
            or any((c.source, c.id) == (match.source, match.id) for c in resolution.alternatives)
        ):
            return _materialised(session, match, name, "english", resolution)
    if settled_partner_id is not None:
        settled = municipality_service.get(session=session, municipality_id=settled_partner_id)
        return PartnerResolution(settled, "settled", resolution)
    nothing_alike = resolution.status == "unresolved" and (english is None or english.status == "unresolved")
    if create is not None and nothing_alike and country != "JP":
        municipality = municipality_service.create(session=session, data=create())
        return PartnerResolution(municipality, "created", resolution, new_to_registry=True)
    return PartnerResolution(None, "review", resolution)


def _materialised(
    session: Session, candidate: names_service.Candidate, written: str, how: How, resolution: Resolution
) -> PartnerResolution:
    # resolve() offers a gazetteer place only when no registry record stands for it yet.
    municipality = names_service.materialise(session=session, candidate=candidate, written=written)
    return PartnerResolution(municipality, how, resolution, new_to_registry=candidate.source == "gazetteer")


def _from_index(
    session: Session,
    index: PartnerIndex,
    name: str,
    country: str | None,
    region: str | None,
    near: tuple[float, float] | None,
    fuzzy: bool,
) -> PartnerResolution:
    in_registry, in_gazetteer = index.knows(name, country or "")
    if not (in_registry or in_gazetteer or fuzzy):
        nothing = Resolution(name, country, region, "unresolved", None, 0.0, [])
        return PartnerResolution(None, "review", nothing)
    resolution = names_service.resolve(
        session=session,
        text=name,
        country=country,
        region=region,
        near=near,
        # A gazetteer place that is already a registry record is mapped to that record when the
        # batch is written, so skipping a reference without the name's key changes nothing.
        use_registry=in_registry,
        use_gazetteer=in_gazetteer,
        fuzzy=fuzzy,
        lookup=index.lookup,
    )
    if resolution.status == "matched" and resolution.match is not None:
        return PartnerResolution(None, "matched", resolution, place=resolution.match)
    return PartnerResolution(None, "review", resolution)


def _in_region(municipality: Municipality, region: str | None) -> bool:
    return _may_lie_in(municipality.country, municipality.region_code, municipality.region, region)


def _may_lie_in(country: str, region_code: str | None, stored_region: str | None, region: str | None) -> bool:
    """Whether a foreign record may lie in the region written with its name: Portland, メイン州 is not
    the Portland in Oregon that an earlier row made a record of. Unknown either way: it may."""
    if not region or country == "JP":
        return True
    try:
        wanted = resolve_subdivision(region, country).code
        where = region_code or (resolve_subdivision(stored_region, country).code if stored_region else None)
    except InvalidInput:
        return True
    return where is None or lies_in(where, wanted)
