"""Placing the names of a pairs file that no reference has exactly ("Kyōtamba" for Kyotanba,
"Tokyo Metropolis" for 東京都): with coordinates the nearest place within 5 km whose name is alike;
without them similar names (rapidfuzz), taken only when one place stands out."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from rapidfuzz import fuzz, process
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from tsunagari.common.geo import distance_km
from tsunagari.importers.pairs_clusters import Cluster
from tsunagari.importers.pairs_places import (
    _chunks,
    _Decision,
    _decision_for,
    _fits,
    _most_populous,
    _PlaceRow,
    _row_candidate,
    _without_unit,
)
from tsunagari.municipality.models import Municipality
from tsunagari.names.candidates import Candidate
from tsunagari.names.normalize import SKELETON_PREFIX, similarity, split_qualified, strip_affixes
from tsunagari.names.service import Resolution
from tsunagari.reference.models import GazetteerCity, GazetteerName

_MUNICIPALITY = cast(Table, Municipality.__table__)
_GAZETTEER_CITY = cast(Table, GazetteerCity.__table__)

# The fallback for names the exact keys miss ("Kyōtamba" for Kyotanba, "Tokyo" for 東京都, "Tokyo
# Metropolis"): the nearest place this close whose name is this alike. Tight on both, because it
# runs without a person looking and a wrong merge joins two cities' partnerships.
FALLBACK_RADIUS_KM = 5.0
# The radius as a difference of latitude (no place that far north or south is within it), with a
# margin so that rounding can never exclude a place haversine would include.
_FALLBACK_RADIUS_DEGREES = math.degrees(FALLBACK_RADIUS_KM / 6371.0) * 1.01
FALLBACK_SIMILARITY = 0.8
# The fuzzy pass without coordinates (rapidfuzz ratio, 0-100, on folded affix-stripped names):
# likenesses from FUZZY_CUTOFF are review material, as in names_service; from FUZZY_ACCEPT one
# place is taken when no other scores within FUZZY_TIE of it, or it is far the most populous.
FUZZY_CUTOFF = 85.0
FUZZY_ACCEPT = 90.0
FUZZY_TIE = 3.0


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
