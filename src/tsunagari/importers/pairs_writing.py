"""Writing a pairs import: one municipality per placed or unplaced city, the spellings registry
records lack, the review items, one partnership per new pair and one source line per row, each table
in bulk through the services' create_many functions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.common.geo import distance_km
from tsunagari.importers.pairs_clusters import Cluster, _all_keys, _level
from tsunagari.importers.pairs_places import _chunks, _Decision, _registry_geonameids
from tsunagari.importers.pairs_reading import Mention, PairRow
from tsunagari.importers.pairs_report import CityResolution, PairsReport
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import MunicipalityKind, MunicipalityName
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.names import service as names_service
from tsunagari.names.candidates import Candidate
from tsunagari.names.service import Resolution
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import Partnership, PartnershipSourceRecord, PartnershipType
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.reference.models import GazetteerCity


# municipality_service.create and names_service.materialise flush once per record (with its name
# rows), and partnership_service.upsert runs a lookup before each insert: some 65,000 round trips
# for this corpus. The import writes the same records through the services' create_many functions
# instead (one multi-row INSERT per table, each record audited as a "create").
@dataclass(frozen=True)
class _PartnershipRef:
    """What the line bookkeeping needs of a partnership: its id and type."""

    id: int
    type: str


def _gazetteer_record(city: GazetteerCity, spellings: Iterable[str]) -> MunicipalityCreate:
    """The record names_service.materialise makes of a gazetteer place, with the corpus spellings."""
    return MunicipalityCreate(
        name=city.katakana_name or city.name,
        name_en=city.name,
        country=city.country,
        geonameid=city.geonameid,
        lat=city.lat,
        lng=city.lng,
        aliases=list(dict.fromkeys(a for a in (city.ascii_name, *spellings) if a)),
        source=f"gazetteer:geonames:{city.geonameid}",
    )


# The kind a municipality made from the corpus gets, from the area word in its name.
_AREA_KINDS: dict[str, MunicipalityKind] = {
    "province": MunicipalityKind.province,
    "oblast": MunicipalityKind.province,
    "governorate": MunicipalityKind.province,
    "voivodeship": MunicipalityKind.province,
    "krai": MunicipalityKind.province,
    "county": MunicipalityKind.county,
    "parish": MunicipalityKind.county,
    "raion": MunicipalityKind.district,
    "rayon": MunicipalityKind.district,
    "okrug": MunicipalityKind.district,
    "prefecture": MunicipalityKind.prefecture,
}


def _corpus_kind(name: str, country: str) -> MunicipalityKind:
    level = _level(name)
    if level.kind == "area":
        kind = _AREA_KINDS.get(level.word or "", MunicipalityKind.other)
        # Japan's kinds are its own (都道府県, 市区町村): anything else there is "other".
        if country == "JP" and kind != MunicipalityKind.prefecture:
            return MunicipalityKind.other
        return kind
    if level.kind == "district":
        if country != "JP":
            return MunicipalityKind.district
        # "Yokohama – Kanazawa" is a ward; "Higashichikuma District" is a 郡, not a municipality.
        return MunicipalityKind.ward if level.qualified else MunicipalityKind.other
    return MunicipalityKind.city


def _corpus_record(
    cluster: Cluster, source: str, at: Candidate | None = None, kind: MunicipalityKind | None = None
) -> MunicipalityCreate:
    """A city no reference knows: the corpus itself is the record, which is not a guess. Without
    coordinates in the file, an area or district takes those of its seat or parent (`at`), or of the
    second reference's area or town of its name, whose `kind` it then is."""
    coordinates = cluster.coordinates
    if coordinates is None and at is not None and at.lat is not None and at.lng is not None:
        coordinates = (at.lat, at.lng)
    return MunicipalityCreate(
        name=cluster.name,
        name_en=cluster.name,
        aliases=cluster.spellings[1:],
        kind=kind or _corpus_kind(cluster.name, cluster.country),
        country=cluster.country,
        lat=coordinates[0] if coordinates else None,
        lng=coordinates[1] if coordinates else None,
        source=source,
    )


def _learn_spellings(session: Session, clusters: Sequence[Cluster], decisions: dict[int, _Decision]) -> None:
    """Registry municipalities learn the corpus spellings they lack, so the next lookup is exact."""
    wanted: dict[int, list[str]] = defaultdict(list)
    for cluster in clusters:
        municipality_id = decisions[id(cluster)].municipality_id
        if municipality_id is not None:
            wanted[municipality_id] += cluster.spellings
    known: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(sorted(wanted)):
        statement = select(MunicipalityName.municipality_id, MunicipalityName.key).where(
            MunicipalityName.municipality_id.in_(chunk)
        )
        for municipality_id, key in session.execute(statement):
            known[municipality_id].add(key)
    for municipality_id, spellings in sorted(wanted.items()):
        if any(not set(_all_keys(spelling)) <= known[municipality_id] for spelling in spellings):
            municipality = municipality_service.get(session=session, municipality_id=municipality_id)
            municipality_service.add_aliases(session=session, municipality=municipality, names=spellings)


def _place_clusters(
    session: Session,
    clusters: Sequence[Cluster],
    decisions: dict[int, _Decision],
    source: str,
    report: PairsReport,
) -> dict[int, int]:
    """Create or find the municipality of every cluster; returns municipality ids by id(cluster)."""
    in_registry = _registry_geonameids(session)
    for decision in decisions.values():
        if decision.geonameid in in_registry:
            decision.municipality_id, decision.geonameid = in_registry[decision.geonameid], None
    # Gazetteer places: one municipality per place, even when two clusters found the same one.
    spellings_of: dict[int, list[str]] = defaultdict(list)
    for cluster in clusters:
        geonameid = decisions[id(cluster)].geonameid
        if geonameid is not None:
            spellings_of[geonameid] += cluster.spellings
    cities: list[GazetteerCity] = []
    for chunk in _chunks(sorted(spellings_of)):
        cities += session.scalars(select(GazetteerCity).where(GazetteerCity.geonameid.in_(chunk)))
    cities.sort(key=lambda city: city.geonameid)
    own = [
        c for c in clusters if decisions[id(c)].municipality_id is None and decisions[id(c)].geonameid is None
    ]
    created = municipality_service.create_many(
        session=session,
        data=[_gazetteer_record(city, spellings_of[city.geonameid]) for city in cities]
        + [
            _corpus_record(cluster, source, decisions[id(cluster)].place, decisions[id(cluster)].kind)
            for cluster in own
        ],
    )
    by_geonameid = {city.geonameid: mid for city, mid in zip(cities, created[: len(cities)], strict=True)}
    node_of = {id(cluster): mid for cluster, mid in zip(own, created[len(cities) :], strict=True)}
    report.cities_from_gazetteer, report.cities_from_corpus = len(cities), len(own)
    report.cities_created = len(created)
    _learn_spellings(session, clusters, decisions)
    claimed: set[int] = set()
    reviews: list[tuple[Resolution, str]] = []
    for cluster in clusters:
        decision = decisions[id(cluster)]
        if decision.municipality_id is not None:
            node_of[id(cluster)] = decision.municipality_id
            report.cities_matched += 1
        elif decision.geonameid is not None:
            node_of[id(cluster)] = by_geonameid[decision.geonameid]
            if decision.geonameid in claimed:
                # A second cluster finding the same place counts as matched: clusters = created + matched.
                report.cities_matched += 1
            claimed.add(decision.geonameid)
        if decision.review is not None:
            reviews.append((decision.review, source))
            report.review += 1
        report.cities.append(_city_line(cluster, decision, node_of[id(cluster)]))
    names_service.send_many_to_review(session=session, items=reviews)
    return node_of


def _city_line(cluster: Cluster, decision: _Decision, municipality_id: int) -> CityResolution:
    place = decision.place
    file_lat, file_lng = cluster.coordinates or (None, None)
    lat, lng = (place.lat, place.lng) if place is not None else (file_lat, file_lng)
    distance = None
    if place is not None and None not in (lat, lng, file_lat, file_lng):
        assert lat is not None and lng is not None and file_lat is not None and file_lng is not None
        distance = distance_km(file_lat, file_lng, lat, lng)
    return CityResolution(
        name=cluster.name,
        country=cluster.country,
        spellings=tuple(cluster.spellings),
        mentions=sum(cluster.counts.values()),
        method=decision.method,
        chosen_by=decision.chosen_by,
        municipality_id=municipality_id,
        place="file" if place is None else place.source,
        place_name=None if place is None else place.name_en or place.name,
        geonameid=place.id if place is not None and place.source == "gazetteer" else None,
        lat=lat,
        lng=lng,
        file_lat=file_lat,
        file_lng=file_lng,
        distance_km=distance,
    )


# ----------------------------------------------------------------------------- partnerships
def _existing_partnerships(session: Session) -> dict[frozenset[int], list[_PartnershipRef]]:
    """Partnerships between two municipalities, by pair: one read instead of a lookup per row."""
    statement = (
        select(
            Partnership.id,
            Partnership.type,
            Partnership.home_municipality_id,
            Partnership.partner_municipality_id,
        )
        .where(
            Partnership.home_municipality_id.is_not(None), Partnership.partner_municipality_id.is_not(None)
        )
        .order_by(Partnership.id)
    )
    pairs: dict[frozenset[int], list[_PartnershipRef]] = defaultdict(list)
    for partnership_id, kind, home, partner in session.execute(statement):
        assert home is not None and partner is not None
        pairs[frozenset((home, partner))].append(_PartnershipRef(partnership_id, kind))
    return pairs


def _recorded_lines(session: Session, source: str) -> dict[int, set[str]]:
    """Lines of this file already recorded, by partnership: a re-import then writes nothing."""
    statement = select(PartnershipSourceRecord.partnership_id, PartnershipSourceRecord.detail).where(
        PartnershipSourceRecord.source == source
    )
    recorded: dict[int, set[str]] = defaultdict(set)
    for partnership_id, detail in session.execute(statement):
        if detail:
            recorded[partnership_id].add(detail)
    return recorded


def _preferred(partnerships: list[_PartnershipRef]) -> _PartnershipRef:
    """A typed agreement (a sister city from the registry) carries the line rather than a twinning."""
    typed = [p for p in partnerships if p.type != PartnershipType.twinning]
    return (typed or partnerships)[0]


def _write_partnerships(
    *,
    session: Session,
    rows: Sequence[PairRow],
    nodes: dict[Mention, int],
    source: str,
    report: PairsReport,
    progress: Callable[[str, int, int], None] | None,
) -> None:
    pairs = _existing_partnerships(session)
    recorded = _recorded_lines(session, source)
    # Any partnership between the two, of whatever type, stands for the pair: a generic twinning is
    # added only where the registry knows of none. The first row of a pair sets its direction.
    new: dict[frozenset[int], PartnershipCreate] = {}
    for row in rows:
        home, partner = nodes[row.left], nodes[row.right]
        pair = frozenset((home, partner))
        if len(pair) == 2 and pair not in pairs and pair not in new:
            new[pair] = PartnershipCreate(
                home_municipality_id=home,
                partner_municipality_id=partner,
                partner_written_name=row.right.name,
                type=PartnershipType.twinning,
                source=source,
            )
    created = partnership_service.create_many(session=session, data=list(new.values()))
    for (pair, data), partnership_id in zip(new.items(), created, strict=True):
        pairs[pair].append(_PartnershipRef(partnership_id, data.type.value))
    report.partnerships_created = len(new)
    seen: set[frozenset[int]] = set()
    records: list[tuple[int, str, str | None]] = []
    for done, row in enumerate(rows, start=1):
        pair = frozenset((nodes[row.left], nodes[row.right]))
        detail = f"line {row.line}"
        if len(pair) == 1:
            report.self_pairs += 1
        elif any(detail in recorded.get(p.id, ()) for p in pairs[pair]):
            report.unchanged += 1
        else:
            # The row partnership_service.add_source adds, written with the others in one INSERT.
            records.append((_preferred(pairs[pair]).id, source, detail))
            if pair in seen:
                report.merged_duplicates += 1
            elif pair not in new:
                report.updated += 1
        seen.add(pair)
        if progress is not None and (done % 1000 == 0 or done == len(rows)):
            progress("partnerships", done, len(rows))
    partnership_service.add_sources(session=session, records=records)
    session.flush()
