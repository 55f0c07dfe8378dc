"""Candidates for a written name: exact-key rows of the registry and the gazetteer, read from the
database or from rows preloaded by an importer, each weighed as a Candidate; names.service decides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.names.normalize import SKELETON_PREFIX, fold, name_keys
from tsunagari.reference.countries import resolve_subdivision
from tsunagari.reference.models import GazetteerCity, GazetteerName
from tsunagari.reference.subdivisions import admin1_to_iso, lies_in

CandidateSource = Literal["registry", "gazetteer", "countrystatecity"]
"""Where a candidate comes from: the registry, the GeoNames gazetteer, or the second reference of
areas and towns (reference.areas), which only the pairs importer consults."""
Method = Literal["exact", "alias", "near", "fuzzy", "phonetic"]


@dataclass
class Candidate:
    source: CandidateSource
    id: int
    """municipality id for the registry, geonameid for the gazetteer"""
    name: str
    name_en: str | None
    country: str
    region: str | None
    lat: float | None
    lng: float | None
    population: int | None
    confidence: float
    method: Method
    distance_km: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "name": self.name,
            "name_en": self.name_en,
            "country": self.country,
            "region": self.region,
            "lat": self.lat,
            "lng": self.lng,
            "population": self.population,
            "confidence": round(self.confidence, 3),
            "method": self.method,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
        }


def exact_keys(text: str) -> list[str]:
    return list(_cached_exact_keys(text))


@lru_cache(maxsize=100_000)
def _cached_exact_keys(text: str) -> tuple[str, ...]:
    # An importer resolves tens of thousands of names, often again (each run, each fallback).
    return tuple(key for key in name_keys(text) if not key.startswith(SKELETON_PREFIX))


_REGISTRY_COLUMNS = (
    Municipality.id,
    Municipality.name,
    Municipality.name_en,
    Municipality.country,
    Municipality.region,
    Municipality.lat,
    Municipality.lng,
    Municipality.population,
    Municipality.kind,
    Municipality.status,
    MunicipalityName.key,
    MunicipalityName.name,
)


def registry_rows(session: Session, keys: Sequence[str], country: str | None) -> list[tuple[Any, ...]]:
    """The registry's (municipality, key, written name) rows for some keys: what resolve() weighs."""
    if not keys:
        return []
    statement = (
        select(*_REGISTRY_COLUMNS)
        .join(MunicipalityName, MunicipalityName.municipality_id == Municipality.id)
        .where(MunicipalityName.key.in_(keys))
    )
    if country:
        statement = statement.where(Municipality.country == country)
    return [tuple(row) for row in session.execute(statement)]


def registry_candidates(rows: Sequence[tuple[Any, ...]], keys: list[str]) -> list[Candidate]:
    best: dict[int, Candidate] = {}
    for mid, name, name_en, country, region, lat, lng, population, kind, status, key, written in rows:
        exact = key == keys[0]
        confidence = 1.0 if exact else 0.95
        if kind == "prefecture" and fold(written) != key:
            # Twinning lists name cities: "Nara" is 奈良市 unless the text says 県 / Prefecture.
            confidence -= 0.1
        if status != "existing":
            confidence -= 0.05  # a former municipality matches only when nothing current does
        found = best.get(mid)
        if found is None or found.confidence < confidence:
            best[mid] = Candidate(
                source="registry",
                id=mid,
                name=name,
                name_en=name_en,
                country=country,
                region=region,
                lat=lat,
                lng=lng,
                population=population,
                confidence=confidence,
                method="exact" if exact else "alias",
            )
    return list(best.values())


_GAZETTEER_COLUMNS = (
    GazetteerCity.geonameid,
    GazetteerCity.name,
    GazetteerCity.katakana_name,
    GazetteerCity.country,
    GazetteerCity.admin1,
    GazetteerCity.lat,
    GazetteerCity.lng,
    GazetteerCity.population,
    GazetteerName.key,
)


def gazetteer_rows(session: Session, keys: Sequence[str], country: str | None) -> list[tuple[Any, ...]]:
    """The gazetteer's (place, key) rows for some keys: what resolve() weighs."""
    if not keys:
        return []
    statement = (
        select(*_GAZETTEER_COLUMNS)
        .join(GazetteerName, GazetteerName.geonameid == GazetteerCity.geonameid)
        .where(GazetteerName.key.in_(keys))
    )
    if country:
        statement = statement.where(GazetteerName.country == country)
    return [tuple(row) for row in session.execute(statement)]


def gazetteer_candidates(rows: Sequence[tuple[Any, ...]], keys: list[str]) -> list[Candidate]:
    best: dict[int, Candidate] = {}
    for gid, name, katakana, country, admin1, lat, lng, population, key in rows:
        confidence = 0.97 if key == keys[0] else 0.92
        found = best.get(gid)
        if found is None or found.confidence < confidence:
            best[gid] = Candidate(
                source="gazetteer",
                id=gid,
                name=katakana or name,
                name_en=name,
                country=country,
                region=admin1,
                lat=lat,
                lng=lng,
                population=population,
                confidence=confidence,
                method="exact" if key == keys[0] else "alias",
            )
    return list(best.values())


class CandidateLookup:
    """Where resolve() reads its exact-key candidates: the database, one query per name.

    An importer resolving thousands of names passes a PreloadedLookup instead, which answers the
    same questions from rows read in a few queries beforehand; the decision code is the same.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def registry(self, keys: list[str], country: str | None) -> list[tuple[Any, ...]]:
        return registry_rows(self.session, keys, country)

    def gazetteer(self, keys: list[str], country: str | None) -> list[tuple[Any, ...]]:
        return gazetteer_rows(self.session, keys, country)

    def registry_geonameids(self, geonameids: Sequence[int]) -> set[int]:
        return registry_geonameids(self.session, geonameids)


class PreloadedLookup(CandidateLookup):
    """Candidates read beforehand for a known set of keys of one or more countries.

    Asking about a key or country outside what was loaded is a programming error, not "no match".
    """

    def __init__(
        self,
        session: Session,
        registry: Sequence[tuple[Any, ...]],
        gazetteer: Sequence[tuple[Any, ...]],
        geonameids_in_registry: set[int],
    ) -> None:
        super().__init__(session)
        self._registry: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        for row in registry:
            self._registry.setdefault((row[3], row[10]), []).append(row)  # (country, key)
        self._gazetteer: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        for row in gazetteer:
            self._gazetteer.setdefault((row[3], row[8]), []).append(row)  # (country, key)
        self._in_registry = geonameids_in_registry

    def registry(self, keys: list[str], country: str | None) -> list[tuple[Any, ...]]:
        assert country is not None
        return [row for key in dict.fromkeys(keys) for row in self._registry.get((country, key), ())]

    def gazetteer(self, keys: list[str], country: str | None) -> list[tuple[Any, ...]]:
        assert country is not None
        return [row for key in dict.fromkeys(keys) for row in self._gazetteer.get((country, key), ())]

    def registry_geonameids(self, geonameids: Sequence[int]) -> set[int]:
        return {gid for gid in geonameids if gid in self._in_registry}


def gazetteer_candidate(city: GazetteerCity, confidence: float, method: Method) -> Candidate:
    return Candidate(
        source="gazetteer",
        id=city.geonameid,
        name=city.katakana_name or city.name,
        name_en=city.name,
        country=city.country,
        region=city.admin1,
        lat=city.lat,
        lng=city.lng,
        population=city.population,
        confidence=confidence,
        method=method,
    )


def registry_geonameids(session: Session, geonameids: Sequence[int]) -> set[int]:
    if not geonameids:
        return set()
    return {
        gid
        for gid in session.scalars(
            select(Municipality.geonameid).where(Municipality.geonameid.in_(geonameids))
        )
        if gid is not None
    }


def _chunks(items: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    # Well under SQLite's limit on bound parameters.
    return [items[start : start + size] for start in range(0, len(items), size)]


def registry_rows_of(session: Session, keys_by_country: Mapping[str, Iterable[str]]) -> list[tuple[Any, ...]]:
    """registry_rows for many keys of several countries, in a few queries."""
    rows: list[tuple[Any, ...]] = []
    for country, keys in sorted(keys_by_country.items()):
        for chunk in _chunks(sorted(set(keys))):
            rows += registry_rows(session, chunk, country)
    return rows


def gazetteer_rows_of(
    session: Session, keys_by_country: Mapping[str, Iterable[str]]
) -> list[tuple[Any, ...]]:
    """gazetteer_rows for many keys of several countries (Japan's names are the registry's alone)."""
    rows: list[tuple[Any, ...]] = []
    for country, keys in sorted(keys_by_country.items()):
        if country == "JP":
            continue
        for chunk in _chunks(sorted(set(keys))):
            rows += gazetteer_rows(session, chunk, country)
    return rows


def all_registry_geonameids(session: Session) -> set[int]:
    """The gazetteer places that are already registry records."""
    statement = select(Municipality.geonameid).where(Municipality.geonameid.is_not(None))
    return {gid for gid in session.scalars(statement) if gid is not None}


def by_foreign_region(
    candidates: Sequence[Candidate], region: str
) -> tuple[list[Candidate], list[Candidate]]:
    """The candidates of one foreign country that lie in the region written (ISO 3166-2 code, or its
    name in Japanese or English: ニューヨーク州, 江蘇省, 全羅南道), and those known to lie elsewhere;
    both empty when the region names none of the country's. A gazetteer place's region is its GeoNames
    admin1 code, mapped to ISO 3166-2; a registry record's is its region code or the region written."""
    countries = {c.country for c in candidates}
    if len(countries) != 1 or "JP" in countries or None in countries:
        return [], []
    country = str(countries.pop())
    try:
        wanted = resolve_subdivision(region, country).code
    except InvalidInput:
        return [], []

    def where(candidate: Candidate) -> str | None:
        if not candidate.region:
            return None
        if candidate.source == "gazetteer":
            return admin1_to_iso(country).get(candidate.region)
        try:
            return resolve_subdivision(candidate.region, country).code
        except InvalidInput:
            return None

    inside: list[Candidate] = []
    outside: list[Candidate] = []
    for candidate in candidates:
        if (code := where(candidate)) is not None:
            (inside if lies_in(code, wanted) else outside).append(candidate)
    return inside, outside
