"""Placing the cities of a pairs file by their names: exact and alias keys against the registry
and the gazetteer (candidates preloaded, never a query per name), size among namesakes, the seat or
parent city of an area or district, the region written with a name, and the second reference's areas
and towns. A city is placed only when the evidence names one place; otherwise it goes to review."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.common.geo import SAME_PLACE_KM, distance_km
from tsunagari.importers.pairs_clusters import Cluster, _exact_keys, _level
from tsunagari.importers.pairs_fallbacks import Fallback, region_of
from tsunagari.importers.pairs_report import PLACED, ChosenBy, Method
from tsunagari.municipality.models import Municipality, MunicipalityKind
from tsunagari.names import candidates as name_candidates
from tsunagari.names import service as names_service
from tsunagari.names.candidates import Candidate
from tsunagari.names.normalize import fold
from tsunagari.names.partners import PartnerIndex, resolve_partner
from tsunagari.names.service import Resolution
from tsunagari.reference import areas
from tsunagari.reference.countries import Subdivision, subdivisions_of
from tsunagari.reference.models import GazetteerCity, GazetteerName

T = TypeVar("T")
PartnerLevel = Literal["city", "area"]

# Without coordinates, several places of one name are told apart by size alone, and only when the
# biggest has this many times the people of the next (Buffalo, New York, 260,000, beside towns of a
# few thousand); places of a similar size go to the review list rather than being guessed. On the
# global corpus 3× put 94.9% of the placed cities within 25 km of the corpus coordinates, 5× 95.3%.
POPULATION_MARGIN = 5.0


@dataclass
class _Decision:
    """Where a cluster goes: a registry municipality, a gazetteer place, or a node of its own
    (with a review item when the references offered several equal candidates)."""

    municipality_id: int | None = None
    geonameid: int | None = None
    review: Resolution | None = None
    method: Method = "unresolved"
    chosen_by: ChosenBy | None = None
    place: Candidate | None = None
    """The reference record chosen (its coordinates place the city in the report)."""
    kind: MunicipalityKind | None = None
    """For a node of its own placed by the second reference: the kind of place it named."""


def _chunks(items: Sequence[T], size: int = 500) -> Iterable[Sequence[T]]:
    # Well under SQLite's limit on bound parameters.
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class _KnownKeys:
    """The import's PartnerIndex (the candidates of every name key of the file, read in a few
    queries), through which resolve_partner answers every name in batch mode."""

    index: PartnerIndex
    made_here: frozenset[int] = frozenset()
    """Municipalities an earlier import of the same file created from the file itself."""


def _known_keys(
    session: Session, keys_by_country: dict[str, set[str]], source: str, with_coordinates: bool
) -> _KnownKeys:
    registry_rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(sorted({key for keys in keys_by_country.values() for key in keys})):
        registry_rows += name_candidates.registry_rows(session, chunk, None)
    if not with_coordinates and any(row[3] == "JP" and row[7] is None for row in registry_rows):
        # Without coordinates Japanese namesakes (伊達市 and 伊達町) are told apart by size, which
        # JIS X 0402 does not give: the gazetteer's figure for the same place stands in.
        people = _japanese_populations(session)
        registry_rows = [
            (*row[:7], people.get(row[0]), *row[8:]) if row[3] == "JP" and row[7] is None else row
            for row in registry_rows
        ]
    gazetteer_rows = name_candidates.gazetteer_rows_of(session, keys_by_country)
    index = PartnerIndex.from_rows(
        session=session, registry_rows=registry_rows, gazetteer_rows=gazetteer_rows
    )
    made_here = session.scalars(select(Municipality.id).where(Municipality.source == source))
    return _KnownKeys(index, frozenset(made_here))


def _resolve(
    session: Session,
    name: str,
    country: str,
    known: _KnownKeys,
    near: tuple[float, float] | None = None,
    fuzzy: bool = False,
) -> Resolution:
    """The one partner resolution (names.partners.resolve_partner), in batch mode on the index."""
    found = resolve_partner(
        session=session, name=name, country=country, index=known.index, near=near, fuzzy=fuzzy
    )
    return found.resolution


# A JIS municipality and a GeoNames place are one place when they share a name and lie this close
# (the JIS point is the town hall, the GeoNames one the centre).
JAPANESE_POPULATION_KM = 10.0


def _japanese_populations(session: Session) -> dict[int, int]:
    """Population of JIS municipalities (registry id → people) from the gazetteer place of the
    same name within JAPANESE_POPULATION_KM; the biggest when several are."""
    places: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    statement = (
        select(GazetteerName.key, GazetteerCity.lat, GazetteerCity.lng, GazetteerCity.population)
        .join(GazetteerCity, GazetteerCity.geonameid == GazetteerName.geonameid)
        .where(GazetteerName.country == "JP", GazetteerCity.population > 0)
    )
    for key, lat, lng, population in session.execute(statement):
        places[key].append((lat, lng, population))
    municipalities = select(
        Municipality.id, Municipality.name, Municipality.name_en, Municipality.lat, Municipality.lng
    ).where(Municipality.country == "JP", Municipality.jis_code.is_not(None), Municipality.lat.is_not(None))
    people: dict[int, int] = {}
    for mid, name, name_en, town_lat, town_lng in session.execute(municipalities):
        if town_lat is None or town_lng is None:
            continue
        keys = {
            key
            for written in (name, name_en, _without_unit(name_en))
            if written
            for key in _exact_keys(written)
        }
        found = [
            population
            for key in keys
            for plat, plng, population in places.get(key, ())
            if distance_km(town_lat, town_lng, plat, plng) <= JAPANESE_POPULATION_KM
        ]
        if found:
            people[mid] = max(found)
    return people


def _registry_geonameids(session: Session) -> dict[int, int]:
    """geonameid → municipality id of gazetteer places already in the registry."""
    statement = select(Municipality.geonameid, Municipality.id).where(Municipality.geonameid.is_not(None))
    return {gid: mid for gid, mid in session.execute(statement) if gid is not None}


def _decide(session: Session, cluster: Cluster, known: _KnownKeys) -> _Decision | None:
    """Resolve a cluster by its spellings, most frequent first; None when nothing matched."""
    near = cluster.coordinates
    ambiguous: Resolution | None = None
    for spelling in cluster.spellings:
        if not any(known.index.knows(spelling, cluster.country)):
            continue
        # With coordinates, exact keys and distance decide; fuzzy matching of every cluster would
        # cost minutes and yield only review material. Without them it is all there is.
        resolution = _resolve(session, spelling, cluster.country, known, near=near, fuzzy=near is None)
        if resolution.status == "matched" and resolution.match is not None:
            if _fits(spelling, resolution.match):
                match = resolution.match
                return _decision_for(match, spelling, "distance" if match.method == "near" else None)
        elif resolution.status == "ambiguous":
            tier = _narrow(spelling, resolution.alternatives)
            ours = [c for c in tier if c.source == "registry" and c.id in known.made_here]
            if len(tier) > 1 and len(ours) == 1:
                # The node an earlier import of this file made for a city it could not decide:
                # finding it again keeps a second import from adding a second node and review item.
                tier = ours
            if len(tier) == 1 and tier[0].method in ("exact", "alias", "near"):
                return _decision_for(tier[0], spelling)
            named = [c for c in tier if c.method in ("exact", "alias")]
            if near is None and len(named) == len(tier) > 1:
                # Size decides among the places whose own name was written; a big place that only
                # has the name as an alternate one (Syracuse, once Milan) is no rival then.
                own = [c for c in named if _own_name(spelling, c)] or named
                if biggest := _most_populous(own):
                    return _decision_for(biggest, spelling, "population")
            if tier and ambiguous is None:
                ambiguous = replace(resolution, alternatives=tier)
    if ambiguous is not None:
        return _Decision(review=ambiguous, method="ambiguous")
    return None


def _narrow(spelling: str, candidates: list[Candidate]) -> list[Candidate]:
    """Equal candidates told apart by what the text itself says, each step only when it leaves one:
    an area or not ("Antwerp Province"), the same kind ("Wolsztyn" beside "Wolsztyn County", which
    the corpus geocodes to one point), and the place's own name rather than an alternate name of
    another ("Buffalo" is Buffalo, not Dodge City, once called Buffalo City)."""
    tier = [c for c in candidates if _fits(spelling, c)]
    kind, written = _level(spelling).kind, fold(spelling)
    for keep in (
        [c for c in tier if _level(c.name_en or c.name).kind == kind],
        [c for c in tier if written in (fold(c.name_en or ""), fold(c.name))],
    ):
        if len(tier) > 1 and len(keep) == 1:
            tier = keep
    return tier


def _fits(spelling: str, candidate: Candidate) -> bool:
    """The level rule of clustering, applied to what the references offer: "Antwerp Province" is
    not the city of Antwerp that the gazetteer finds under the affix-stripped key."""
    return (_level(spelling).kind == "area") == (_level(candidate.name_en or candidate.name).kind == "area")


# A qualifier naming a region and a town of at least this many people names the town (a region's
# namesake village is no parent).
REGION_CAPITAL_POPULATION = 100_000


def _named(session: Session, texts: Iterable[str | None], country: str, known: _KnownKeys) -> list[Candidate]:
    """The exact and alias candidates of some names (fuzzy likenesses left out)."""
    named: list[Candidate] = []
    for text in dict.fromkeys(t for t in texts if t):
        resolution = _resolve(session, text, country, known)
        named += ([resolution.match] if resolution.match else []) + resolution.alternatives
    return [c for c in named if c.method in ("exact", "alias")]


def _in_region(
    session: Session, cluster: Cluster, fallback: Fallback, decision: _Decision, known: _KnownKeys
) -> _Decision:
    """ "Izumi, Kagoshima", "Mansfield, Ohio": the one namesake in the region written with it."""
    if not fallback.parent_is_region or decision.method in PLACED:
        return decision
    region = region_of(fallback.places[0], cluster.country)
    if region is None:
        return decision
    inside = [
        c
        for c in _named(session, (fallback.district, *cluster.spellings), cluster.country, known)
        if _region_matches(session, c, region)
    ]
    if len({(c.source, c.id) for c in inside}) == 1:
        return replace(_decision_for(inside[0], fallback.district or cluster.name), review=None)
    return decision


def _region_matches(session: Session, candidate: Candidate, region: Subdivision) -> bool:
    if candidate.source == "registry":
        # JIS records carry their prefecture's Japanese name (鹿児島県).
        return candidate.region is not None and candidate.region == region.name_ja
    # GeoNames admin1 codes are ISO 3166-2 suffixes in some countries only (the US, Switzerland);
    # elsewhere numbers of its own. Trusted where every admin1 code of the country is one.
    suffix = region.code.split("-", 1)[1]
    return candidate.region == suffix and _admin1_is_iso(session, region.country)


@lru_cache(maxsize=256)
def _iso_suffixes(country: str) -> frozenset[str]:
    return frozenset(s.code.split("-", 1)[1] for s in subdivisions_of(country))


_ADMIN1_IS_ISO: dict[tuple[int, str], bool] = {}


def _admin1_is_iso(session: Session, country: str) -> bool:
    cache = (id(session), country)
    if cache not in _ADMIN1_IS_ISO:
        codes = set(
            session.scalars(select(GazetteerCity.admin1).where(GazetteerCity.country == country).distinct())
        )
        codes.discard(None)
        _ADMIN1_IS_ISO[cache] = bool(codes) and codes <= _iso_suffixes(country)
    return _ADMIN1_IS_ISO[cache]


def _pseudo_cluster(name: str, country: str) -> Cluster:
    return Cluster(country, [], Counter({name: 1}))


def _within(a: Candidate, b: Candidate, km: float = SAME_PLACE_KM) -> bool:
    if a.lat is None or a.lng is None or b.lat is None or b.lng is None:
        return False
    return distance_km(a.lat, a.lng, b.lat, b.lng) <= km


def _by_fallback(
    session: Session, cluster: Cluster, fallback: Fallback, decision: _Decision, known: _KnownKeys
) -> _Decision:
    """Without coordinates: a district checked against, or placed at, the parent city written with
    it; an area no reference names placed at the like-named town, its seat."""
    found: _Decision | None = None
    for place in fallback.places:
        found = _decide(session, _pseudo_cluster(place, cluster.country), known)
        if found is not None and found.place is not None and found.method in ("exact", "alias"):
            break
    else:
        # The seat or parent itself must be found by name, not guessed.
        return _in_region(session, cluster, fallback, decision, known)
    assert found is not None and found.place is not None
    anchor = found.place
    if fallback.parent_is_region and (anchor.population or 0) < REGION_CAPITAL_POPULATION:
        # "Suzhou, Jiangsu", "Bayside, Victoria": a region, not a town to look near; but Baghdad,
        # Sofia and Casablanca name both a region and its capital, which is the parent meant.
        return _in_region(session, cluster, fallback, decision, known)
    if fallback.kind == "seat":
        if decision.method in ("unresolved", "ambiguous"):
            return _Decision(method="seat", chosen_by=found.chosen_by, place=anchor)
        return decision
    # A district lies in its city: a place of its name far from the city is a namesake elsewhere
    # (Dongcheng, Beijing is not Dongcheng in Guangdong), one near it is the district itself.
    if decision.place is not None and decision.method in PLACED and _within(decision.place, anchor):
        return decision
    named = _named(session, (fallback.district, *cluster.spellings), cluster.country, known)
    near = sorted(
        (c for c in named if _within(c, anchor)),
        key=lambda c: distance_km(anchor.lat or 0.0, anchor.lng or 0.0, c.lat or 0.0, c.lng or 0.0),
    )
    if near:
        return _decision_for(near[0], fallback.district or cluster.name, "parent")
    return _Decision(method="parent", chosen_by=found.chosen_by, place=anchor)


# What the second reference may replace: nothing found, a similar name, or the town an area is
# named after. Its exact name is better evidence than either; a place the gazetteer or the registry
# has by the name itself, or namesakes waiting for a person, it leaves alone.
_SECOND_REFERENCE_REPLACES: frozenset[Method] = frozenset({"unresolved", "fuzzy", "seat"})

# The kind of a municipality made from an area of the second reference, by the area's type.
_AREA_TYPE_KINDS: dict[str, MunicipalityKind] = {
    "state": MunicipalityKind.state,
    "province": MunicipalityKind.province,
    "autonomous province": MunicipalityKind.province,
    "region": MunicipalityKind.province,
    "administrative region": MunicipalityKind.province,
    "oblast": MunicipalityKind.province,
    "governorate": MunicipalityKind.province,
    "county": MunicipalityKind.county,
    "two-tier county": MunicipalityKind.county,
    "parish": MunicipalityKind.county,
    "district": MunicipalityKind.district,
    "metropolitan district": MunicipalityKind.district,
    "london borough": MunicipalityKind.district,
    "municipality": MunicipalityKind.city,
    "rural municipality": MunicipalityKind.city,
    "urban municipality": MunicipalityKind.city,
    "unitary authority": MunicipalityKind.city,
    "council area": MunicipalityKind.city,
}


def _by_areas_and_towns(clusters: Sequence[Cluster], decisions: dict[int, _Decision]) -> None:
    """Without coordinates: names the gazetteer has no exact place for, placed by the second
    reference's areas and towns when it names exactly one (reference.areas)."""
    open_clusters = [
        cluster
        for cluster in clusters
        if cluster.coordinates is None
        and decisions[id(cluster)].method in _SECOND_REFERENCE_REPLACES
        and decisions[id(cluster)].municipality_id is None
    ]
    if not open_clusters:
        return
    reference = areas.AreasAndTowns.load({cluster.country for cluster in open_clusters})
    for cluster in open_clusters:
        found = reference.place(cluster.spellings, cluster.country)
        if found is None:
            continue
        kind = (
            _AREA_TYPE_KINDS.get(found.area_type or "", MunicipalityKind.other)
            if found.kind == "area"
            else MunicipalityKind.city
        )
        row = (
            areas.SOURCE,
            found.id,
            found.name,
            found.name,
            found.country,
            None,
            found.lat,
            found.lng,
            None,
        )
        place = _row_candidate(row, 1.0, "exact")
        decisions[id(cluster)] = _Decision(method="exact", place=place, kind=kind)


def _japanese_municipality(
    session: Session,
    cluster: Cluster,
    known: _KnownKeys,
    partners: PartnerLevel | None,
    points: _JapanesePoints,
) -> _Decision:
    """A Japanese name the corpus's coordinates did not place: the registry's municipality of that
    name whenever the evidence names one, else the review list with every namesake.

    JIS X 0402 lists every Japanese local government, and the corpus often geocodes a Japanese city
    wrongly (the prefecture's centre for Niigata, Nagano and Tottori, the island's centre for
    Hokkaido towns, the 2011 epicentre for Tōhoku ones), so its coordinates are no reason to make a
    municipality of its own. In order: the one municipality of the name (陸前高田市 for
    Rikuzentakata; the prefecture only when the name is written as one, "Fukui Prefecture", or its
    partners are states and provinces: the city over the prefecture otherwise, 新潟市 for Niigata);
    then the one namesake in the prefecture the coordinates lie in (山形市, not 山形村 in Nagano).
    Namesakes in other prefectures (士別市 and 標津町, both Shibetsu) are for a person.
    """
    assert cluster.coordinates is not None
    lat, lng = cluster.coordinates
    for spelling in cluster.spellings:
        resolution = _resolve(session, spelling, "JP", known)
        found = ([resolution.match] if resolution.match is not None else []) + resolution.alternatives
        named = list(
            {c.id: c for c in found if c.source == "registry" and c.method in ("exact", "alias")}.values()
        )
        fitting = [c for c in named if _fits(spelling, c)]
        if partners == "area" and _level(spelling).kind == "city":
            # A bare name whose partners are states and provinces names the prefecture.
            prefectures = [c for c in named if c not in fitting]
            fitting = prefectures if len(prefectures) == 1 else fitting
        if not fitting:
            continue
        for candidate in fitting:
            if candidate.lat is not None and candidate.lng is not None:
                candidate.distance_km = distance_km(lat, lng, candidate.lat, candidate.lng)
        if len(fitting) == 1:
            chosen_by: ChosenBy = "partners" if len(named) > 1 else "namesake"
            return _decision_for(fitting[0], spelling, chosen_by)
        prefecture = points.prefecture_at(session, lat, lng)
        inside = [c for c in fitting if prefecture is not None and c.region == prefecture]
        if len(inside) == 1:
            return _decision_for(inside[0], spelling, "prefecture")
        far = Resolution(spelling, "JP", None, "ambiguous", None, resolution.confidence / 2, fitting)
        return _Decision(review=far, method="ambiguous")
    return _Decision()


# The coordinates lie in the prefecture of the nearest Japanese municipality when it is this close:
# further out (a point in the sea, or in another country) they name none.
JAPANESE_PREFECTURE_KM = 60.0


@dataclass
class _JapanesePoints:
    """The town-hall points of Japanese municipalities, read once when first needed."""

    points: list[tuple[float, float, str]] | None = None

    def prefecture_at(self, session: Session, lat: float, lng: float) -> str | None:
        if self.points is None:
            statement = select(Municipality.lat, Municipality.lng, Municipality.region).where(
                Municipality.country == "JP",
                Municipality.jis_code.is_not(None),
                Municipality.lat.is_not(None),
                Municipality.region.is_not(None),
            )
            self.points = [
                (a, b, region)
                for a, b, region in session.execute(statement)
                if a is not None and b is not None and region is not None
            ]
        nearest = min(
            ((distance_km(lat, lng, a, b), region) for a, b, region in self.points),
            default=None,
        )
        return nearest[1] if nearest is not None and nearest[0] <= JAPANESE_PREFECTURE_KM else None


def _partners_level(partners: Iterable[Cluster], decisions: dict[int, _Decision]) -> PartnerLevel | None:
    """Whether a city's partners in the file are cities or areas (states, provinces, prefectures),
    by what each was placed as or, unplaced, by how it is written; None when they are as many."""
    counts: Counter[str] = Counter()
    for partner in partners:
        decision = decisions.get(id(partner))
        place = decision.place if decision is not None else None
        if place is not None and place.source == "registry":
            counts[_level(place.name_en or place.name).kind] += 1
        elif place is not None and place.source == "gazetteer":
            counts["city"] += 1  # GeoNames populated places
        else:
            counts[_level(partner.name).kind] += 1
    if counts["city"] == counts["area"]:
        return None
    return "city" if counts["city"] > counts["area"] else "area"


def _decision_for(candidate: Candidate, spelling: str, chosen_by: ChosenBy | None = None) -> _Decision:
    method: Method
    if candidate.method in ("fuzzy", "phonetic"):
        method = "fuzzy"
    else:
        # Exact when the spelling shares a key with the place's own name (official, English or
        # Japanese), alias when only another of its names (GeoNames alternate names, registry
        # aliases and kana) matched.
        method = "exact" if _own_name(spelling, candidate) else "alias"
    if candidate.source == "registry":
        return _Decision(municipality_id=candidate.id, method=method, chosen_by=chosen_by, place=candidate)
    return _Decision(geonameid=candidate.id, method=method, chosen_by=chosen_by, place=candidate)


def _own_name(spelling: str, candidate: Candidate) -> bool:
    """Whether the spelling shares a key with the place's own name (official, English, Japanese)."""
    written = _exact_keys(spelling)
    # The English name first: it usually answers, and a kana name's keys include its romanisation
    # (pykakasi, the costliest key there is), needed only when the English name shares none.
    return any(
        name and not written.isdisjoint(_exact_keys(name)) for name in (candidate.name_en, candidate.name)
    )


def _most_populous(candidates: Sequence[Candidate]) -> Candidate | None:
    """Without coordinates, the one candidate far bigger than every other of its name (Buffalo, New
    York beside the Buffalos of a few thousand people); None when two are of a similar size."""
    ranked = sorted(candidates, key=lambda c: (-(c.population or 0), c.id))
    if len(ranked) < 2:
        return ranked[0] if ranked else None
    first, second = ranked[0].population or 0, ranked[1].population or 0
    return ranked[0] if first >= POPULATION_MARGIN * max(second, 1) else None


_PlaceRow = tuple[Any, ...]
"""(source, id, name, name_en, country, region, lat, lng, population) of a reference place."""


def _row_candidate(row: _PlaceRow, confidence: float, method: names_service.Method) -> Candidate:
    source, place_id, name, name_en, country, region, lat, lng, population = row
    return Candidate(
        source=source,
        id=place_id,
        name=name,
        name_en=name_en,
        country=country,
        region=region,
        lat=lat,
        lng=lng,
        population=population,
        confidence=confidence,
        method=method,
    )


# JIS English names end in their unit ("Hakuba Village", "Tokyo Metropolis") where twinning lists
# write the bare name, and not every unit word is an affix that name_keys strips.
_JIS_UNITS = frozenset({"City", "Town", "Village", "Ward", "Metropolis", "Prefecture"})


def _without_unit(name_en: str | None) -> str | None:
    if not name_en or " " not in name_en:
        return None
    bare, unit = name_en.rsplit(" ", 1)
    return bare if unit in _JIS_UNITS else None
