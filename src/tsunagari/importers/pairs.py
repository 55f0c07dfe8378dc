"""Import of the global twin-town pairs CSV (city1,country1[,lat1,lng1],city2,country2[,lat2,lng2]):
one registry node per real city, one partnership per pair, provenance on every line."""

from __future__ import annotations

import csv
import enum
import gc
import io
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

from rapidfuzz import fuzz, process
from sqlalchemy import Integer, Row, Table, func, insert, select
from sqlalchemy.orm import Session

from tsunagari.audit import service as audit_service
from tsunagari.db import insert_rows
from tsunagari.errors import InvalidInput, Problem
from tsunagari.importers.pairs_fallbacks import Fallback, fallback_for, region_of
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality, MunicipalityKind, MunicipalityName
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.names import service as names_service
from tsunagari.names.models import ReviewItem
from tsunagari.names.normalize import (
    SKELETON_PREFIX,
    fold,
    name_keys,
    similarity,
    split_qualified,
    strip_affixes,
)
from tsunagari.names.service import SAME_PLACE_KM, Candidate, Resolution, distance_km
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import Partnership, PartnershipSourceRecord, PartnershipType
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.reference import areas
from tsunagari.reference.countries import Subdivision, resolve_country, subdivisions_of
from tsunagari.reference.models import GazetteerCity, GazetteerName

T = TypeVar("T")

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total); stages are "cities" and "partnerships"."""

_MUNICIPALITY = cast(Table, Municipality.__table__)
_MUNICIPALITY_NAME = cast(Table, MunicipalityName.__table__)
_GAZETTEER_CITY = cast(Table, GazetteerCity.__table__)
REQUIRED_COLUMNS = ("city1", "country1", "city2", "country2")
COORDINATE_COLUMNS = ("lat1", "lng1", "lat2", "lng2")
NAME_MAX_LENGTH = 200

# The fallback for names the exact keys miss ("Kyōtamba" for Kyotanba, "Tokyo" for 東京都, "Tokyo
# Metropolis"): the nearest place this close whose name is this alike. Tight on both, because it
# runs without a person looking and a wrong merge joins two cities' partnerships.
FALLBACK_RADIUS_KM = 5.0
# The radius as a difference of latitude (no place that far north or south is within it), with a
# margin so that rounding can never exclude a place haversine would include.
_FALLBACK_RADIUS_DEGREES = math.degrees(FALLBACK_RADIUS_KM / 6371.0) * 1.01
FALLBACK_SIMILARITY = 0.8

# Without coordinates, several places of one name are told apart by size alone, and only when the
# biggest has this many times the people of the next (Buffalo, New York, 260,000, beside towns of a
# few thousand); places of a similar size go to the review list rather than being guessed. On the
# global corpus 3× put 94.9% of the placed cities within 25 km of the corpus coordinates, 5× 95.3%.
POPULATION_MARGIN = 5.0
# The fuzzy pass without coordinates (rapidfuzz ratio, 0-100, on folded affix-stripped names):
# likenesses from FUZZY_CUTOFF are review material, as in names_service; from FUZZY_ACCEPT one
# place is taken when no other scores within FUZZY_TIE of it, or it is far the most populous.
FUZZY_CUTOFF = 85.0
FUZZY_ACCEPT = 90.0
FUZZY_TIE = 3.0

Method = Literal["exact", "alias", "fuzzy", "seat", "parent", "ambiguous", "unresolved"]
"""How a city was resolved, as the resolution report counts it. "seat": an area no reference lists,
placed at the town it is named after ("Pavia Province" at Pavia); "parent": a city district no
reference lists, placed at its city ("Budapest XV" at Budapest). Both keep a node of their own."""
METHODS: tuple[Method, ...] = ("exact", "alias", "fuzzy", "seat", "parent", "ambiguous", "unresolved")
PLACED: frozenset[Method] = frozenset({"exact", "alias", "fuzzy", "seat", "parent"})
"""The methods that give a city a reference place's coordinates."""
ChosenBy = Literal["distance", "population", "parent"]
"""What chose among several places of the name: the file's coordinates, size alone, or nearness to
the parent city written with the name ("Innere Stadt" of "Vienna 1 – Innere Stadt")."""


# ----------------------------------------------------------------------------- report
@dataclass
class PairsReport:
    """What an import did. Every row lands in exactly one of partnerships_created, updated,
    unchanged, merged_duplicates and self_pairs."""

    rows: int = 0
    clusters: int = 0
    """Distinct real cities the mentions were clustered into."""
    cities_created: int = 0
    """Municipalities created: from the gazetteer plus from the corpus itself."""
    cities_from_gazetteer: int = 0
    cities_from_corpus: int = 0
    cities_matched: int = 0
    """Clusters resolved to a municipality already in the registry."""
    partnerships_created: int = 0
    updated: int = 0
    """Rows whose line was recorded on a partnership that existed before this import."""
    unchanged: int = 0
    """Rows already recorded by an earlier import of the same file: nothing written."""
    merged_duplicates: int = 0
    """Rows repeating a pair met earlier in the file (often from the other side): one partnership."""
    self_pairs: int = 0
    """Rows whose two sides are one city after clustering: skipped."""
    review: int = 0
    """Clusters made their own node and sent to the review list: ambiguous even with coordinates,
    or Japanese names whose only JIS namesakes are far from the corpus coordinates."""
    errors: list[Problem] = field(default_factory=list)
    """Why the file was refused (row = line number in the file, the header being line 1)."""
    with_coordinates: bool = False
    """Whether the file carries lat1,lng1,lat2,lng2."""
    cities: list[CityResolution] = field(default_factory=list)
    """One line per distinct city (cluster): how it was resolved and where it was placed."""

    def resolution_counts(self) -> dict[str, int]:
        """Distinct cities by how they were resolved: exact, alias, fuzzy, seat, parent, ambiguous,
        unresolved."""
        counts = Counter(city.method for city in self.cities)
        return {method: counts[method] for method in METHODS}

    def distance_summary(self) -> dict[str, Any] | None:
        """With coordinates in the file: how far the resolved cities lie from them (None without)."""
        if not self.with_coordinates:
            return None
        distances = sorted(c.distance_km for c in self.cities if c.distance_km is not None)
        return {
            "cities": len(distances),
            "median_km": round(statistics.median(distances), 2) if distances else None,
            "within_25km": sum(d <= 25.0 for d in distances),
            "within_25km_share": round(sum(d <= 25.0 for d in distances) / len(distances), 4)
            if distances
            else None,
        }

    def as_json(self) -> dict[str, Any]:
        """The `import … --json` shape of SPEC plus this importer's own counts."""
        return {
            "rows": self.rows,
            "created": self.partnerships_created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "review": self.review,
            "errors": [
                {"row": p.row, "field": p.field, "value": p.value, "reason": p.reason} for p in self.errors
            ],
            "clusters": self.clusters,
            "cities_created": self.cities_created,
            "cities_from_gazetteer": self.cities_from_gazetteer,
            "cities_from_corpus": self.cities_from_corpus,
            "cities_matched": self.cities_matched,
            "partnerships_created": self.partnerships_created,
            "merged_duplicates": self.merged_duplicates,
            "self_pairs": self.self_pairs,
            "resolution": self.resolution_counts(),
            "distance": self.distance_summary(),
        }


@dataclass(frozen=True)
class CityResolution:
    """One distinct city of the file in the resolution report."""

    name: str
    """The spelling written most often."""
    country: str
    spellings: tuple[str, ...]
    mentions: int
    """Rows naming it (a row naming it on both sides counts twice)."""
    method: Method
    chosen_by: ChosenBy | None
    municipality_id: int
    place: Literal["registry", "gazetteer", "countrystatecity", "file"]
    """Where its record came from: a registry municipality, a gazetteer place, or the file itself.
    For "seat" and "parent", and for an area or town of the second reference ("countrystatecity",
    reference.areas), the record is the file's own and this names the reference whose coordinates it
    takes."""
    place_name: str | None
    geonameid: int | None
    lat: float | None
    lng: float | None
    """Where it was placed: the reference record's coordinates (the file's for a city of its own)."""
    file_lat: float | None
    file_lng: float | None
    """The file's own coordinates of the city (their mean over its mentions), when it has them."""
    distance_km: float | None
    """From the file's coordinates to the reference record's, for a resolved city."""

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "country": self.country,
            "spellings": list(self.spellings),
            "mentions": self.mentions,
            "method": self.method,
            "chosen_by": self.chosen_by,
            "municipality_id": self.municipality_id,
            "place": self.place,
            "place_name": self.place_name,
            "geonameid": self.geonameid,
            "lat": self.lat,
            "lng": self.lng,
            "file_lat": self.file_lat,
            "file_lng": self.file_lng,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 2),
        }


class PairsRefused(InvalidInput):
    """Some rows are invalid, so nothing was written; `summary` is the report naming every problem."""

    def __init__(self, summary: PairsReport) -> None:
        super().__init__(problems=summary.errors)
        self.summary = summary


def _refused(reason: str) -> PairsRefused:
    return PairsRefused(PairsReport(errors=[Problem(reason=reason, field="file")]))


# ----------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class Mention:
    """A city as one row writes it; identical mentions on many rows are one object."""

    name: str
    country: str
    lat: float | None
    lng: float | None


@dataclass(frozen=True)
class PairRow:
    line: int
    left: Mention
    right: Mention


def _decode(data: bytes) -> str:
    # Excel in Japan saves CSV as CP932; everything else we meet is UTF-8 with or without BOM.
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refused("the file is neither UTF-8 nor Shift_JIS (CP932)")


def _header(cells: list[str]) -> tuple[dict[str, int], bool]:
    columns = [cell.strip().lower() for cell in cells]
    problems: list[Problem] = []
    known = set(REQUIRED_COLUMNS) | set(COORDINATE_COLUMNS)
    for column in columns:
        if column not in known:
            problems.append(Problem(reason="unknown column", field=column or "(blank)", row=1))
        elif columns.count(column) > 1:
            problems.append(Problem(reason="column given twice", field=column, row=1))
    problems += [
        Problem(reason="required column missing", field=column, row=1)
        for column in REQUIRED_COLUMNS
        if column not in columns
    ]
    present = [column for column in COORDINATE_COLUMNS if column in columns]
    if present and len(present) != len(COORDINATE_COLUMNS):
        problems += [
            Problem(reason="give all of lat1,lng1,lat2,lng2 or none", field=column, row=1)
            for column in COORDINATE_COLUMNS
            if column not in columns
        ]
    if problems:
        raise PairsRefused(PairsReport(errors=list({p.describe(): p for p in problems}.values())))
    return {column: index for index, column in enumerate(columns)}, bool(present)


def _side(
    cells: list[str], index: dict[str, int], side: str, line: int, with_coordinates: bool
) -> tuple[Mention | None, list[Problem]]:
    problems: list[Problem] = []

    def cell(column: str) -> str:
        position = index[column]
        return cells[position].strip() if position < len(cells) else ""

    city, written_country = cell(f"city{side}"), cell(f"country{side}")
    country: str | None = None
    if not city:
        problems.append(Problem(reason="a city name is required", field=f"city{side}", value=city, row=line))
    elif len(city) > NAME_MAX_LENGTH:
        problems.append(
            Problem(
                reason=f"longer than {NAME_MAX_LENGTH} characters", field=f"city{side}", value=city, row=line
            )
        )
    if written_country:
        country = _country_code(written_country)
        if country is None:
            problems += _country_problems(written_country, f"country{side}", line)
    elif city:
        # A few rows leave the country blank and write it in the city cell ("Varna, Bulgaria"), or
        # name a territory as the city ("Falkland Islands"): the cell then carries the country.
        country = _country_code(city)
        if country is None:
            problems.append(
                Problem(
                    reason="a country is required (none is written, and the city cell names none)",
                    field=f"country{side}",
                    value=written_country,
                    row=line,
                )
            )
        else:
            place, _, rest = city.rpartition(",")
            if place.strip() and rest.strip():
                city = place.strip()
    lat = lng = None
    if with_coordinates:
        lat = _coordinate(cell(f"lat{side}"), f"lat{side}", 90.0, line, problems)
        lng = _coordinate(cell(f"lng{side}"), f"lng{side}", 180.0, line, problems)
    if problems or country is None:
        return None, problems
    return Mention(city, country, lat, lng), problems


@lru_cache(maxsize=4096)
def _country_code(text: str) -> str | None:
    """ISO alpha-2 of a written country, None when it names none; a file repeats few names often."""
    try:
        return resolve_country(text).alpha2
    except InvalidInput:
        return None


def _country_problems(text: str, column: str, line: int) -> list[Problem]:
    """Why resolve_country refuses `text` (unknown, ambiguous, dissolved), placed on the line."""
    try:
        resolve_country(text, field=column)
    except InvalidInput as error:
        return [Problem(p.reason, p.field, p.value, line) for p in error.problems]
    return []


def _coordinate(text: str, column: str, limit: float, line: int, problems: list[Problem]) -> float | None:
    what = "latitude" if column.startswith("lat") else "longitude"
    try:
        value = float(text)
    except ValueError:
        problems.append(Problem(reason=f"{what} is not a number", field=column, value=text, row=line))
        return None
    if not math.isfinite(value) or abs(value) > limit:
        problems.append(
            Problem(
                reason=f"{what} must be between -{limit:g} and {limit:g}", field=column, value=text, row=line
            )
        )
        return None
    return value


def read_pairs(path: Path) -> tuple[list[PairRow], bool]:
    """Every row of the file, validated; PairsRefused names each bad line, column, value and reason.

    Returns the rows and whether the file carries coordinates. Line numbers count the header as 1.
    """
    reader = csv.reader(io.StringIO(_decode(path.read_bytes()), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise _refused("the file is empty") from None
    index, with_coordinates = _header(header)
    rows: list[PairRow] = []
    problems: list[Problem] = []
    read = 0
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            read += 1
            left, left_problems = _side(cells, index, "1", line, with_coordinates)
            right, right_problems = _side(cells, index, "2", line, with_coordinates)
            problems += left_problems + right_problems
            if len(cells) > len(index):
                problems.append(Problem(reason="more cells than columns", field="row", row=line))
            if left is not None and right is not None:
                rows.append(PairRow(line, left, right))
        line = reader.line_num + 1
    if problems:
        raise PairsRefused(PairsReport(rows=read, errors=problems))
    return rows, with_coordinates


# ----------------------------------------------------------------------------- clustering
@dataclass
class Cluster:
    """One real city: the mentions (spelling, country, coordinates) that name it."""

    country: str
    mentions: list[Mention]
    counts: Counter[str]
    """Rows per spelling, for choosing the name."""

    @cached_property
    def spellings(self) -> list[str]:
        """Most frequent first; shorter (unqualified) before longer on a tie."""
        return sorted(self.counts, key=lambda name: (-self.counts[name], len(name), name))

    @cached_property
    def name(self) -> str:
        return self.spellings[0]

    @cached_property
    def coordinates(self) -> tuple[float, float] | None:
        located = [(m.lat, m.lng) for m in self.mentions if m.lat is not None and m.lng is not None]
        if not located:
            return None
        # Longitudes are averaged around the first one so a cluster on the 180° meridian stays put.
        base = located[0][1]
        lat = sum(lat for lat, _ in located) / len(located)
        lng = base + sum((lng - base + 540.0) % 360.0 - 180.0 for _, lng in located) / len(located)
        return lat, (lng + 540.0) % 360.0 - 180.0


class _Components:
    """Union-find over mention indices."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


@lru_cache(maxsize=100_000)
def _all_keys(text: str) -> tuple[str, ...]:
    """name_keys, computed once per distinct text for clustering, resolution and the name index."""
    return tuple(name_keys(text))


@lru_cache(maxsize=100_000)
def _exact_keys(text: str) -> frozenset[str]:
    # Skeleton keys join unrelated names (Nancy / Nice): they never decide that two are one.
    return frozenset(key for key in _all_keys(text) if not key.startswith(SKELETON_PREFIX))


def cluster_mentions(rows: Sequence[PairRow]) -> tuple[list[Cluster], dict[Mention, Cluster]]:
    """Group mentions into real cities: same country, a shared exact name key (name_keys includes
    the bare name of "Suzhou, Jiangsu"), and with coordinates no further apart than SAME_PLACE_KM.

    A district ("Seoul – Gangdong") shares no key with its parent, so it stays a node of its own.
    Affix stripping gives "Antwerp Province", "County Cork" and "Celle (district)" the key of the
    city they are named after, so a name marked as an area only joins names marked the same way
    (see _level): the province and its capital are two governments with partners of their own.
    Without coordinates distance cannot part homonyms, so a qualified name joins the bare name only
    when that bare name is written with a single qualifier in that country ("Suzhou, Jiangsu" and
    "Suzhou, Anhui" stay apart).
    """
    counts: Counter[Mention] = Counter()
    for row in rows:
        counts[row.left] += 1
        counts[row.right] += 1
    mentions = sorted(counts, key=lambda m: (m.country, m.name, m.lat or 0.0, m.lng or 0.0))
    located = all(m.lat is not None for m in mentions)
    keys_of: list[frozenset[str]] = [_exact_keys(m.name) for m in mentions]
    if not located:
        keys_of = _without_shared_bare_names(mentions, keys_of)
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for position, (mention, keys) in enumerate(zip(mentions, keys_of, strict=True)):
        for key in keys:
            by_key[(mention.country, key)].append(position)
    levels = [_level(m.name) for m in mentions]
    components = _Components(len(mentions))
    for sharing in by_key.values():
        for i, a in enumerate(sharing):
            for b in sharing[i + 1 :]:
                if _same_level(levels[a], levels[b]) and (not located or _close(mentions[a], mentions[b])):
                    components.union(a, b)
    grouped: dict[int, list[Mention]] = defaultdict(list)
    for position, mention in enumerate(mentions):
        grouped[components.find(position)].append(mention)
    clusters: list[Cluster] = []
    by_mention: dict[Mention, Cluster] = {}
    for members in grouped.values():
        spelling_counts: Counter[str] = Counter()
        for mention in members:
            spelling_counts[mention.name] += counts[mention]
        cluster = Cluster(members[0].country, members, spelling_counts)
        clusters.append(cluster)
        for mention in members:
            by_mention[mention] = cluster
    clusters.sort(key=lambda c: (c.country, c.name, c.coordinates or (0.0, 0.0)))
    return clusters, by_mention


# Words that make a name an area around a city rather than the city: Antwerp Province, County
# Cork, Vilnius District Municipality, Osaka Prefecture. "City", "-shi" and the like are not here:
# Cebu City is Cebu. Wikipedia writes a German Landkreis as "Celle (district)".
_AREA_WORDS = frozenset(
    {
        "province",
        "county",
        "prefecture",
        "region",
        "oblast",
        "governorate",
        "voivodeship",
        "department",
        "municipality",
        "parish",
        "raion",
        "rayon",
        "krai",
        "okrug",
        "canton",
    }
)
_AREA_DISAMBIGUATOR = re.compile(r"\((district|county|region|province|municipality)\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class _Level:
    kind: Literal["city", "district", "area"]
    qualified: bool
    """Written with its parent or region ("Floridsdorf (Vienna)")."""
    word: str | None = None
    """The area word ("county"), for an area."""


@lru_cache(maxsize=100_000)
def _level(name: str) -> _Level:
    split = split_qualified(name)
    qualified = split.qualifier is not None
    words = fold(split.name).split()
    if disambiguator := _AREA_DISAMBIGUATOR.search(name):
        return _Level("area", qualified, disambiguator[1].lower())
    if area := [word for word in words if word in _AREA_WORDS]:
        return _Level("area", qualified, area[0])
    if split.district or "district" in words:
        return _Level("district", qualified)
    return _Level("city", qualified)


def _same_level(a: _Level, b: _Level) -> bool:
    """Whether two names sharing a key may name one place: same kind, or a district written with
    its marker beside the same district written only with its parent ("Vienna 21 – Floridsdorf" and
    "Floridsdorf (Vienna)"). A bare "Qabala" is not "Qabala District"."""
    if a.kind == b.kind:
        return True
    return {a.kind, b.kind} == {"city", "district"} and (a.qualified if a.kind == "city" else b.qualified)


def _close(a: Mention, b: Mention) -> bool:
    assert a.lat is not None and a.lng is not None and b.lat is not None and b.lng is not None
    return distance_km(a.lat, a.lng, b.lat, b.lng) <= SAME_PLACE_KM


def _without_shared_bare_names(
    mentions: list[Mention], keys_of: list[frozenset[str]]
) -> list[frozenset[str]]:
    """Keys without the bare name of a qualified name whose bare name has several qualifiers."""
    bare_of: list[frozenset[str]] = []
    qualifiers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for mention in mentions:
        split = split_qualified(mention.name)
        bare = _exact_keys(split.name) if split.qualifier is not None else frozenset()
        bare_of.append(bare)
        for key in bare:
            qualifiers[(mention.country, key)].add(split.qualifier or "")
    return [
        frozenset(key for key in keys if key not in bare or len(qualifiers[(mention.country, key)]) <= 1)
        for mention, keys, bare in zip(mentions, keys_of, bare_of, strict=True)
    ]


# ----------------------------------------------------------------------------- resolution
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
    """(country, key) pairs some registry or gazetteer name has, and the candidates behind them,
    read in a few queries: resolve() is asked only about names that can match, only of the
    references that can match them, and answers from these rows instead of a query per name."""

    registry: frozenset[tuple[str, str]]
    gazetteer: frozenset[tuple[str, str]]
    lookup: names_service.CandidateLookup
    made_here: frozenset[int] = frozenset()
    """Municipalities an earlier import of the same file created from the file itself."""


def _known_keys(
    session: Session, keys_by_country: dict[str, set[str]], source: str, with_coordinates: bool
) -> _KnownKeys:
    registry_rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(sorted({key for keys in keys_by_country.values() for key in keys})):
        registry_rows += names_service.registry_rows(session, chunk, None)
    if not with_coordinates and any(row[3] == "JP" and row[7] is None for row in registry_rows):
        # Without coordinates Japanese namesakes (伊達市 and 伊達町) are told apart by size, which
        # JIS X 0402 does not give: the gazetteer's figure for the same place stands in.
        people = _japanese_populations(session)
        registry_rows = [
            (*row[:7], people.get(row[0]), *row[8:]) if row[3] == "JP" and row[7] is None else row
            for row in registry_rows
        ]
    gazetteer_rows: list[tuple[Any, ...]] = []
    # Per country, so that the (country, key) index of the gazetteer is used.
    for country, keys in sorted(keys_by_country.items()):
        if country == "JP":
            continue  # resolve() places Japanese names in the registry alone
        for chunk in _chunks(sorted(keys)):
            gazetteer_rows += names_service.gazetteer_rows(session, chunk, country)
    lookup = names_service.PreloadedLookup(
        session, registry_rows, gazetteer_rows, set(_registry_geonameids(session))
    )
    made_here = session.scalars(select(Municipality.id).where(Municipality.source == source))
    return _KnownKeys(
        frozenset((row[3], row[10]) for row in registry_rows),
        frozenset((row[3], row[8]) for row in gazetteer_rows),
        lookup,
        frozenset(made_here),
    )


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
        keys = [(cluster.country, key) for key in _exact_keys(spelling)]
        in_registry = any(key in known.registry for key in keys)
        in_gazetteer = any(key in known.gazetteer for key in keys)
        if not (in_registry or in_gazetteer):
            continue
        resolution = names_service.resolve(
            session=session,
            text=spelling,
            country=cluster.country,
            near=near,
            # A gazetteer place that is already a registry record is mapped to that record by
            # _place_clusters, so skipping the registry when it has no such name changes nothing.
            use_registry=in_registry,
            use_gazetteer=in_gazetteer,
            # With coordinates, exact keys and distance decide; fuzzy matching of every cluster would
            # cost minutes and yield only review material. Without them it is all there is.
            fuzzy=near is None,
            lookup=known.lookup,
        )
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
        resolution = names_service.resolve(
            session=session, text=text, country=country, fuzzy=False, lookup=known.lookup
        )
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


def _japanese_namesake(session: Session, cluster: Cluster, known: _KnownKeys) -> _Decision:
    """A Japanese name whose registry namesakes are all far from its coordinates goes to review.

    JIS X 0402 lists every Japanese municipality, so such a name is more often geocoded wrongly in
    the corpus (Hokkaido towns placed at the island's centre) than a municipality of its own; but
    "Kanda" in Tokyo is not 苅田町 in Fukuoka either, so a person decides.
    """
    assert cluster.coordinates is not None
    lat, lng = cluster.coordinates
    for spelling in cluster.spellings:
        resolution = names_service.resolve(
            session=session, text=spelling, country="JP", fuzzy=False, lookup=known.lookup
        )
        found = ([resolution.match] if resolution.match is not None else []) + resolution.alternatives
        candidates = [c for c in found if _fits(spelling, c)]
        if candidates:
            for candidate in candidates:
                if candidate.lat is not None and candidate.lng is not None:
                    candidate.distance_km = distance_km(lat, lng, candidate.lat, candidate.lng)
            far = Resolution(spelling, "JP", None, "ambiguous", None, resolution.confidence / 2, candidates)
            return _Decision(review=far, method="ambiguous")
    return _Decision()


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


@dataclass
class _Nearby:
    """Places with coordinates by country and 0.1° latitude band, for the 5 km fallback."""

    wanted: set[tuple[str, int]]
    """The bands some cluster looks in: only their places are kept (the rest of a country's
    hundreds of thousands of places would cost time and memory for nothing)."""
    bands: dict[tuple[str, int], list[tuple[float, float, tuple[str, ...], _PlaceRow]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """(lat, lng, names, place) per band; the Candidate of a place is made only once it is near."""
    made: dict[tuple[str, int], Candidate] = field(default_factory=dict)

    @classmethod
    def around(cls, clusters: Iterable[Cluster]) -> _Nearby:
        wanted: set[tuple[str, int]] = set()
        for cluster in clusters:
            if cluster.coordinates is not None:
                band = math.floor(cluster.coordinates[0] * 10)
                wanted.update((cluster.country, band + offset) for offset in (-1, 0, 1))
        return cls(wanted)

    def add(self, place: _PlaceRow, names: Iterable[str | None]) -> None:
        lat, lng = place[6], place[7]
        assert lat is not None and lng is not None
        self.bands[(place[4], math.floor(lat * 10))].append((lat, lng, tuple(n for n in names if n), place))

    def _candidate(self, place: _PlaceRow) -> Candidate:
        key = (place[0], place[1])
        if (candidate := self.made.get(key)) is None:
            candidate = self.made[key] = _row_candidate(place, FALLBACK_SIMILARITY, "near")
        return candidate

    def best(self, cluster: Cluster) -> Candidate | None:
        """The nearest place within FALLBACK_RADIUS_KM whose name is FALLBACK_SIMILARITY alike."""
        if cluster.coordinates is None:
            return None
        lat, lng = cluster.coordinates
        band = math.floor(lat * 10)
        written = {
            name for spelling in cluster.spellings for name in (spelling, split_qualified(spelling).name)
        }
        longitudes = _radius_in_longitude(lat)
        best: tuple[float, Candidate] | None = None
        for offset in (-1, 0, 1):
            for place_lat, place_lng, names, place in self.bands.get((cluster.country, band + offset), ()):
                if abs(place_lat - lat) > _FALLBACK_RADIUS_DEGREES:
                    continue  # further north or south than the radius: distance_km would say so too
                apart = abs(place_lng - lng) % 360.0
                if min(apart, 360.0 - apart) > longitudes:
                    continue  # further east or west than the radius: distance_km would say so too
                distance = distance_km(lat, lng, place_lat, place_lng)
                if distance > FALLBACK_RADIUS_KM or (best is not None and distance >= best[0]):
                    continue
                alike = max(similarity(a, b) for a in written for b in names) >= FALLBACK_SIMILARITY
                if alike and _fits(cluster.name, candidate := self._candidate(place)):
                    best = (distance, candidate)
        return None if best is None else best[1]


def _radius_in_longitude(lat: float) -> float:
    """Degrees of longitude beyond which no place within _FALLBACK_RADIUS_DEGREES of latitude `lat`
    can be within FALLBACK_RADIUS_KM (360 near the poles, where there is no such bound).

    Haversine's a = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) is at least cos²(φmax) sin²(Δλ/2), and
    the distance exceeds the radius r once a exceeds sin²(r/2R); with a 1% margin against rounding.
    """
    nearest_pole = math.radians(min(90.0, abs(lat) + _FALLBACK_RADIUS_DEGREES))
    cos_min = math.cos(nearest_pole)
    half = math.sin(FALLBACK_RADIUS_KM / 6371.0 / 2) / cos_min if cos_min > 0.01 else 2.0
    if half >= 1.0:
        return 360.0
    return math.degrees(2 * math.asin(half)) * 1.01


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


def _place_candidate(row: _PlaceRow, score: float) -> Candidate:
    return _row_candidate(row, 0.85 * score / 100.0, "fuzzy")


@dataclass
class _AlikeNames:
    """The own names (folded, affix-stripped) of the reference places of some countries: JIS
    municipalities for Japan, gazetteer places elsewhere. For names without coordinates that no
    reference has exactly ("Kyōtamba" for Kyotanba); alternate names were already tried exactly."""

    keys: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    places: dict[str, list[_PlaceRow]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, session: Session, countries: set[str]) -> _AlikeNames:
        alike = cls()
        if "JP" in countries:
            statement = select(
                Municipality.id,
                Municipality.name,
                Municipality.name_en,
                Municipality.region,
                Municipality.lat,
                Municipality.lng,
                Municipality.population,
            ).where(Municipality.country == "JP", Municipality.jis_code.is_not(None))
            for mid, name, name_en, region, lat, lng, population in session.execute(statement):
                row = ("registry", mid, name, name_en, "JP", region, lat, lng, population)
                for written in dict.fromkeys(n for n in (name, name_en, _without_unit(name_en)) if n):
                    alike.keys["JP"].append(strip_affixes(written))
                    alike.places["JP"].append(row)
        own = (GazetteerName.name == GazetteerCity.name) | (GazetteerName.name == GazetteerCity.ascii_name)
        for country in sorted(countries - {"JP"}):
            places = (
                select(
                    GazetteerName.key,
                    GazetteerCity.geonameid,
                    GazetteerCity.name,
                    GazetteerCity.katakana_name,
                    GazetteerCity.admin1,
                    GazetteerCity.lat,
                    GazetteerCity.lng,
                    GazetteerCity.population,
                )
                .join(GazetteerCity, GazetteerCity.geonameid == GazetteerName.geonameid)
                .where(GazetteerName.country == country, own, ~GazetteerName.key.startswith(SKELETON_PREFIX))
            )
            for key, gid, name, katakana, admin1, lat, lng, population in session.execute(places):
                alike.keys[country].append(key)
                alike.places[country].append(
                    ("gazetteer", gid, katakana or name, name, country, admin1, lat, lng, population)
                )
        return alike

    def decide(self, cluster: Cluster) -> _Decision:
        keys, places = self.keys.get(cluster.country), self.places.get(cluster.country)
        if not keys or not places:
            return _Decision()
        scores: dict[tuple[str, int], tuple[float, _PlaceRow]] = {}
        for spelling in cluster.spellings:
            query = strip_affixes(split_qualified(spelling).name)
            for key, score, index in process.extract(
                query, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=20
            ):
                if key[:1] != query[:1]:
                    # Misspellings keep the first letter; a dropped one makes another town
                    # (Keqiao / Eqiao, Laoshan / Aoshan, Pocheon / Ocheon).
                    continue
                row = places[index]
                if scores.get((row[0], row[1]), (0.0,))[0] < score:
                    scores[(row[0], row[1])] = (score, row)
        ranked = sorted(
            (
                _place_candidate(row, score)
                for score, row in scores.values()
                if _fits(cluster.name, _place_candidate(row, score))
            ),
            key=lambda c: (-c.confidence, -(c.population or 0), c.id),
        )
        if not ranked:
            return _Decision()
        top = ranked[0].confidence
        rivals = [c for c in ranked if c.confidence >= top - 0.85 * FUZZY_TIE / 100.0]
        if top >= 0.85 * FUZZY_ACCEPT / 100.0:
            if len(rivals) == 1:
                return _decision_for(rivals[0], cluster.name)
            if biggest := _most_populous(rivals):
                return _decision_for(biggest, cluster.name, "population")
        review = Resolution(cluster.name, cluster.country, None, "ambiguous", None, top, ranked[:10])
        return _Decision(review=review, method="ambiguous")


# JIS English names end in their unit ("Hakuba Village", "Tokyo Metropolis") where twinning lists
# write the bare name, and not every unit word is an affix that name_keys strips.
_JIS_UNITS = frozenset({"City", "Town", "Village", "Ward", "Metropolis", "Prefecture"})


def _without_unit(name_en: str | None) -> str | None:
    if not name_en or " " not in name_en:
        return None
    bare, unit = name_en.rsplit(" ", 1)
    return bare if unit in _JIS_UNITS else None


def _nearby_places(session: Session, clusters: Sequence[Cluster]) -> _Nearby:
    """JIS municipalities for Japan (the registry is the authority there), gazetteer places elsewhere,
    in the latitude bands around the clusters given."""
    nearby = _Nearby.around(clusters)
    countries = {country for country, _ in nearby.wanted}
    # Plain rows of the tables (Core), not entities or ORM rows: with the full gazetteer this is a
    # few hundred thousand places, most of them looked at once.
    if "JP" in countries:
        towns = _MUNICIPALITY.c
        statement = (
            select(towns.id, towns.name, towns.name_en, towns.region, towns.lat, towns.lng, towns.population)
            .where(towns.country == "JP", towns.jis_code.is_not(None), towns.jis_code != "")
            .where(towns.lat.is_not(None), towns.lng.is_not(None))
            .order_by(towns.id)
        )
        for mid, name, name_en, region, lat, lng, population in session.execute(statement).all():
            nearby.add(
                ("registry", mid, name, name_en, "JP", region, lat, lng, population),
                (name_en, _without_unit(name_en), name),
            )
    foreign = sorted(countries - {"JP"})
    places = _GAZETTEER_CITY.c
    columns = (
        places.geonameid,
        places.name,
        places.ascii_name,
        places.katakana_name,
        places.country,
        places.admin1,
        places.lat,
        places.lng,
        places.population,
    )
    wanted = nearby.wanted
    for chunk in _chunks(foreign):
        rows = session.execute(select(*columns).where(places.country.in_(chunk))).all()
        for gid, name, ascii_name, katakana, country, admin1, lat, lng, population in rows:
            if (country, math.floor(lat * 10)) in wanted:
                nearby.add(
                    ("gazetteer", gid, katakana or name, name, country, admin1, lat, lng, population),
                    (name, ascii_name),
                )
    return nearby


# ----------------------------------------------------------------------------- writing
# municipality_service.create and names_service.materialise flush once per record (with its name
# rows), and partnership_service.upsert runs a lookup before each insert: some 65,000 round trips
# for this corpus. The helpers below write the same records (validated by the same schemas, with
# the same name keys and column defaults) as one multi-row INSERT per table instead, and their audit
# entries through audit_service.record_bulk_created: one "create" entry per record with every
# column, as the session hook writes for ORM objects, without its per-object inspection. They belong
# in those services as create_many functions, and are here only because this change may not touch them.
def _name_rows(municipality_id: int, data: MunicipalityCreate) -> list[dict[str, object]]:
    """The lookup rows municipality_service gives a new municipality: every name under each key."""
    named: list[tuple[str, str]] = [(data.name, "official")]
    named += [(value, kind) for value, kind in ((data.name_en, "english"), (data.kana, "kana")) if value]
    named += [(value, "local") for value in (data.local_name,) if value]
    named += [(alias, "alias") for alias in data.aliases if alias.strip()]
    seen: set[str] = set()
    rows: list[dict[str, object]] = []
    for name, kind in named:
        for key in _all_keys(name):
            if key not in seen:
                seen.add(key)
                rows.append({"municipality_id": municipality_id, "name": name, "key": key, "kind": kind})
    return rows


def _insert_returning(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[Row[Any]]:
    """INSERT the rows and read back every column of each, in input order.

    On SQLite, SQLAlchemy promises RETURNING in parameter order only one statement per row (tens of
    thousands of round trips), and builds its multi-row statements row by row in Python. There the
    rows are inserted by one plain executemany and read back as those above the largest id before
    it: SQLite inserts them in order, each with the largest id so far plus one, and no other
    writer can come between (in WAL mode a write after another connection's commit fails rather
    than lands on a stale snapshot).
    """
    (key,) = table.primary_key.columns
    if session.get_bind().dialect.name != "sqlite" or not isinstance(key.type, Integer):
        statement = insert(table).returning(*table.columns, sort_by_parameter_order=True)
        return list(session.execute(statement, rows))
    largest = session.scalar(select(func.max(key)))
    insert_rows(session, table, rows)
    added = select(table).order_by(key)
    inserted = list(session.execute(added if largest is None else added.where(key > largest)).all())
    if len(inserted) != len(rows):
        raise RuntimeError(f"{table.name}: {len(inserted)} rows came back from inserting {len(rows)}")
    return inserted


_PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None)})
"""Classes of values that are never enums (checked by exact class: enum members subclass str)."""


def _insert_audited(session: Session, model: type[Any], values: list[dict[str, Any]]) -> list[Row[Any]]:
    """Insert rows in one executemany and audit them; returns every column of each, in input order.

    Each row gets every column but the primary key and the server-side timestamps, with the
    column's default where the value is None, exactly as an ORM insert of the same values would.
    """
    if not values:
        return []
    table = model.__table__
    columns = [c for c in table.columns if not c.primary_key and c.server_default is None]
    defaults = {c.key: c.default.arg for c in columns if c.default is not None and c.default.is_scalar}
    keys = [(column.key, defaults.get(column.key)) for column in columns]
    rows = []
    for given in values:
        row: dict[str, Any] = {}
        for key, default in keys:
            value = given.get(key)
            if value is None:
                value = default
            # The class test first: a set lookup, where isinstance is a call per value.
            row[key] = value if value.__class__ in _PLAIN or not isinstance(value, enum.Enum) else value.value
        rows.append(row)
    inserted = _insert_returning(session, table, rows)
    audit_service.record_bulk_created(session=session, model=model, rows=[r._mapping for r in inserted])
    return inserted


def _create_municipalities(session: Session, data: Sequence[MunicipalityCreate]) -> list[int]:
    """Insert municipalities with their name rows; returns their ids in the order given."""
    if not data:
        return []
    inserted = _insert_audited(session, Municipality, [item.model_dump(exclude={"aliases"}) for item in data])
    ids = [row.id for row in inserted]
    names = [row for mid, item in zip(ids, data, strict=True) for row in _name_rows(mid, item)]
    # Core insert on the table: the ORM's bulk path costs more than the rows themselves.
    insert_rows(session, _MUNICIPALITY_NAME, names)
    return ids


@dataclass(frozen=True)
class _PartnershipRef:
    """What the line bookkeeping needs of a partnership: its id and type."""

    id: int
    type: str


def _create_partnerships(session: Session, data: Sequence[PartnershipCreate]) -> list[_PartnershipRef]:
    """Insert partnerships as partnership_service.upsert does when the pair has none."""
    values = []
    for item in data:
        row = item.model_dump()
        row["home_party"] = partnership_service.party_key(
            item.home_municipality_id, item.home_organisation_id
        )
        row["partner_party"] = partnership_service.party_key(
            item.partner_municipality_id, item.partner_organisation_id
        )
        values.append(row)
    return [_PartnershipRef(row.id, row.type) for row in _insert_audited(session, Partnership, values)]


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
    created = _create_municipalities(
        session,
        [_gazetteer_record(city, spellings_of[city.geonameid]) for city in cities]
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
    reviews: list[dict[str, Any]] = []
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
            reviews.append(names_service.review_values(resolution=decision.review, source=source))
            report.review += 1
        report.cities.append(_city_line(cluster, decision, node_of[id(cluster)]))
    # The items names_service.send_to_review adds, in one INSERT instead of a flush each.
    _insert_audited(session, ReviewItem, reviews)
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
    progress: Progress | None,
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
    for pair, partnership in zip(new, _create_partnerships(session, list(new.values())), strict=True):
        pairs[pair].append(partnership)
    report.partnerships_created = len(new)
    seen: set[frozenset[int]] = set()
    records: list[dict[str, Any]] = []
    for done, row in enumerate(rows, start=1):
        pair = frozenset((nodes[row.left], nodes[row.right]))
        detail = f"line {row.line}"
        if len(pair) == 1:
            report.self_pairs += 1
        elif any(detail in recorded.get(p.id, ()) for p in pairs[pair]):
            report.unchanged += 1
        else:
            # The row partnership_service.add_source adds, written with the others in one INSERT.
            records.append({"partnership_id": _preferred(pairs[pair]).id, "source": source, "detail": detail})
            if pair in seen:
                report.merged_duplicates += 1
            elif pair not in new:
                report.updated += 1
        seen.add(pair)
        if progress is not None and (done % 1000 == 0 or done == len(rows)):
            progress("partnerships", done, len(rows))
    _insert_audited(session, PartnershipSourceRecord, records)
    session.flush()


# ----------------------------------------------------------------------------- entry point
def import_pairs(
    *,
    session: Session,
    path: Path,
    progress: Progress | None = None,
    source_name: str | None = None,
) -> PairsReport:
    """Import a global pairs file into the registry; flushes, the caller commits.

    `source_name` is the file name recorded as provenance ("import:<name>", detail "line <n>"),
    for when `path` is a temporary copy; it defaults to the file's own name. Invalid rows raise
    PairsRefused (an InvalidInput) before anything is written. Importing the same file again
    changes nothing.
    """
    with _cyclic_gc_paused():
        return _import_pairs(session=session, path=path, progress=progress, source_name=source_name)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the length of an import, as it was before afterwards.

    An import builds a few hundred thousand objects that live until it ends (mentions, keys, rows,
    ORM state), and each time they grow by a quarter CPython walks all of them in a full collection
    that frees almost nothing: about 2.5 s of a 10 s import of the global corpus. Reference counting
    still frees everything else as usual; the few cycles made are collected once it is back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import_pairs(
    *, session: Session, path: Path, progress: Progress | None, source_name: str | None
) -> PairsReport:
    rows, with_coordinates = read_pairs(path)
    source = f"import:{source_name or path.name}"
    report = PairsReport(rows=len(rows), with_coordinates=with_coordinates)
    clusters, by_mention = cluster_mentions(rows)
    report.clusters = len(clusters)
    keys_by_country: dict[str, set[str]] = defaultdict(set)
    fallbacks: dict[int, Fallback] = {}
    for cluster in clusters:
        for spelling in cluster.spellings:
            keys_by_country[cluster.country] |= _exact_keys(spelling)
        # The name written most often only: a bare "Zhongshan" clustered with one "Zhongshan
        # (Dalian)" is not thereby a district of Dalian.
        if cluster.coordinates is None and (found := fallback_for(cluster.name, cluster.country)):
            fallbacks[id(cluster)] = found
            for name in (*found.places, found.district):
                if name:
                    keys_by_country[cluster.country] |= _exact_keys(name)
    known = _known_keys(session, keys_by_country, source, with_coordinates)
    decisions: dict[int, _Decision] = {}
    unresolved: list[Cluster] = []
    for done, cluster in enumerate(clusters, start=1):
        decision = _decide(session, cluster, known)
        if decision is None:
            unresolved.append(cluster)
        else:
            decisions[id(cluster)] = decision
        if progress is not None and (done % 250 == 0 or done == len(clusters)):
            progress("cities", done, len(clusters))
    # The near-and-alike fallback runs after the exact pass and loads the places of the countries
    # still open once, rather than per cluster.
    nearby = _nearby_places(session, unresolved)
    # Without coordinates, names no reference has exactly are looked for among similar names.
    alike = _AlikeNames.load(session, {c.country for c in unresolved if c.coordinates is None})
    for cluster in unresolved:
        candidate = nearby.best(cluster)
        if candidate is not None:
            # A similar name this close: the one fuzzy match made with coordinates.
            decisions[id(cluster)] = replace(_decision_for(candidate, cluster.name), method="fuzzy")
        elif cluster.country == "JP" and cluster.coordinates is not None:
            decisions[id(cluster)] = _japanese_namesake(session, cluster, known)
        elif cluster.coordinates is None:
            decisions[id(cluster)] = alike.decide(cluster)
        else:
            decisions[id(cluster)] = _Decision()
    for cluster in clusters:
        if (fallback := fallbacks.get(id(cluster))) is not None:
            decisions[id(cluster)] = _by_fallback(session, cluster, fallback, decisions[id(cluster)], known)
    _by_areas_and_towns(clusters, decisions)
    node_of = _place_clusters(session, clusters, decisions, source, report)
    nodes = {mention: node_of[id(cluster)] for mention, cluster in by_mention.items()}
    _write_partnerships(
        session=session, rows=rows, nodes=nodes, source=source, report=report, progress=progress
    )
    return report
