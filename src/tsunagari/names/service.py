"""Name resolution: a written name (any script), a country and maybe a region → a municipality.

Only exact name matches (full or without its administrative affix) resolve by themselves; a fuzzy
or phonetic likeness, or several equal candidates, is never a silent guess: the caller gets the
alternatives and sends the name to the review list.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Literal

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput, NotFound
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.names.models import ReviewItem
from tsunagari.names.normalize import SKELETON_PREFIX, fold, name_keys, split_qualified, strip_affixes
from tsunagari.reference.models import GazetteerCity, GazetteerName

CandidateSource = Literal["registry", "gazetteer", "countrystatecity"]
"""Where a candidate comes from: the registry, the GeoNames gazetteer, or the second reference of
areas and towns (reference.areas), which only the pairs importer consults."""
Method = Literal["exact", "alias", "near", "fuzzy", "phonetic"]
Status = Literal["matched", "ambiguous", "unresolved"]

# A name resolves on its own only at or above this confidence, and only when it is the one candidate.
AUTO_MATCH_CONFIDENCE = 0.9
# Two places further apart than this are different places, whatever their names.
SAME_PLACE_KM = 30.0


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


@dataclass
class Resolution:
    text: str
    country: str | None
    region: str | None
    status: Status
    match: Candidate | None
    confidence: float
    alternatives: list[Candidate] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The stable `geocode --json` shape."""
        return {
            "input": self.text,
            "country": self.country,
            "status": self.status,
            "match": self.match.as_json() if self.match else None,
            "confidence": round(self.confidence, 3),
            "alternatives": [c.as_json() for c in self.alternatives],
        }


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine); the few lines do not justify a geodesy dependency."""
    radius = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(min(1.0, a)))


def _exact_keys(text: str) -> list[str]:
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


def _registry_candidates(rows: Sequence[tuple[Any, ...]], keys: list[str]) -> list[Candidate]:
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


def _gazetteer_candidates(rows: Sequence[tuple[Any, ...]], keys: list[str]) -> list[Candidate]:
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
        return _registry_geonameids(self.session, geonameids)


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


def _gazetteer_candidate(city: GazetteerCity, confidence: float, method: Method) -> Candidate:
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


_FUZZY_CACHE: dict[tuple[str, str], tuple[list[str], list[int]]] = {}


def _fuzzy_index(session: Session, country: str) -> tuple[list[str], list[int]]:
    bind = session.get_bind()
    cache_key = (str(bind.engine.url), country)
    cached = _FUZZY_CACHE.get(cache_key)
    if cached is None:
        rows = session.execute(
            select(GazetteerName.key, GazetteerName.geonameid).where(
                GazetteerName.country == country, ~GazetteerName.key.startswith(SKELETON_PREFIX)
            )
        ).all()
        cached = ([key for key, _ in rows], [gid for _, gid in rows])
        if len(_FUZZY_CACHE) > 32:
            _FUZZY_CACHE.clear()
        _FUZZY_CACHE[cache_key] = cached
    return cached


def _fuzzy_candidates(session: Session, text: str, country: str) -> list[Candidate]:
    """Near spellings (rapidfuzz ratio ≥ 85) and phonetic skeleton matches: review material only."""
    query = strip_affixes(split_qualified(text).name)
    if country == "JP":
        return _registry_fuzzy_candidates(session, query)
    keys, ids = _fuzzy_index(session, country)
    scores: dict[int, tuple[float, Method]] = {}
    if keys:
        for _, score, index in process.extract(query, keys, scorer=fuzz.ratio, score_cutoff=85, limit=8):
            gid = ids[index]
            confidence = 0.85 * score / 100.0
            if scores.get(gid, (0.0, "fuzzy"))[0] < confidence:
                scores[gid] = (confidence, "fuzzy")
    skeletons = [key for key in name_keys(text) if key.startswith(SKELETON_PREFIX)]
    if skeletons:
        for gid in session.scalars(
            select(GazetteerName.geonameid)
            .where(GazetteerName.country == country, GazetteerName.key.in_(skeletons))
            .limit(20)
        ):
            if gid not in scores:
                scores[gid] = (0.6, "phonetic")
    if not scores:
        return []
    cities = {
        c.geonameid: c
        for c in session.scalars(select(GazetteerCity).where(GazetteerCity.geonameid.in_(scores)))
    }
    return [
        _gazetteer_candidate(cities[gid], confidence, method)
        for gid, (confidence, method) in scores.items()
        if gid in cities
    ]


def _registry_fuzzy_candidates(session: Session, query: str) -> list[Candidate]:
    """Japan is fully in the registry (JIS X 0402), so near spellings are looked for there."""
    rows = session.execute(
        select(MunicipalityName.key, MunicipalityName.municipality_id)
        .join(Municipality, Municipality.id == MunicipalityName.municipality_id)
        .where(Municipality.country == "JP", ~MunicipalityName.key.startswith(SKELETON_PREFIX))
    ).all()
    keys = [key for key, _ in rows]
    scores: dict[int, float] = {}
    for _, score, index in process.extract(query, keys, scorer=fuzz.ratio, score_cutoff=85, limit=8):
        municipality_id = rows[index][1]
        scores[municipality_id] = max(scores.get(municipality_id, 0.0), 0.85 * score / 100.0)
    candidates = []
    for municipality_id, confidence in scores.items():
        m = municipality_service.get(session=session, municipality_id=municipality_id)
        candidates.append(
            Candidate(
                "registry",
                m.id,
                m.name,
                m.name_en,
                m.country,
                m.region,
                m.lat,
                m.lng,
                m.population,
                confidence,
                "fuzzy",
            )
        )
    return candidates


def _rank(candidates: list[Candidate], near: tuple[float, float] | None) -> list[Candidate]:
    if near is not None:
        for candidate in candidates:
            if candidate.lat is not None and candidate.lng is not None:
                candidate.distance_km = distance_km(near[0], near[1], candidate.lat, candidate.lng)
    return sorted(
        candidates,
        key=lambda c: (
            -c.confidence,
            c.distance_km if c.distance_km is not None else math.inf,
            -(c.population or 0),
            c.id,
        ),
    )


def _narrow_by_region(candidates: list[Candidate], region: str | None) -> list[Candidate]:
    if not region or len(candidates) < 2:
        return candidates
    wanted = fold(region)
    narrowed = [c for c in candidates if c.region and (fold(c.region) == wanted or wanted in fold(c.region))]
    return narrowed or candidates


def _narrow_by_distance(candidates: list[Candidate], near: tuple[float, float] | None) -> list[Candidate]:
    """With coordinates in hand, a candidate far from them is another place of the same name."""
    if near is None:
        return candidates
    close = [c for c in candidates if c.distance_km is not None and c.distance_km <= SAME_PLACE_KM]
    return close


def _decide(
    text: str,
    country: str | None,
    region: str | None,
    candidates: list[Candidate],
    near: tuple[float, float] | None,
) -> Resolution | None:
    ranked = _rank(candidates, near)
    pool = _narrow_by_region(ranked, region)
    if near is not None:
        located = [c for c in pool if c.lat is not None]
        close = _narrow_by_distance(located, near)
        if close:
            pool = close
        elif located:
            return None  # every same-named place is far away: this is some other place
    # Only the best tier competes: a weaker key (an affix-stripped prefecture) never ties a full one.
    best = max((c.confidence for c in pool), default=0.0)
    top = [c for c in pool if c.confidence >= max(AUTO_MATCH_CONFIDENCE, best - 0.01)]
    if len(top) == 1 or (top and near is not None and _clearly_nearest(top)):
        match = top[0]
        if near is not None and match.distance_km is not None:
            match.method = "near" if len(top) > 1 else match.method
        return Resolution(
            text, country, region, "matched", match, match.confidence, [c for c in ranked if c is not match]
        )
    if pool:
        # Alternatives are the best tier only: 府中市 is ambiguous between the two 府中市, and the
        # 府中町 that shares only the affix-stripped key is not a candidate for it.
        best = max(c.confidence for c in pool)
        tier = [c for c in pool if c.confidence >= best - 0.01]
        return Resolution(text, country, region, "ambiguous", None, best / 2, tier)
    return None


def _clearly_nearest(candidates: list[Candidate]) -> bool:
    by_distance = sorted(c.distance_km if c.distance_km is not None else math.inf for c in candidates)
    candidates.sort(key=lambda c: c.distance_km if c.distance_km is not None else math.inf)
    return len(by_distance) == 1 or by_distance[1] - by_distance[0] > 5.0


def resolve(
    *,
    session: Session,
    text: str,
    country: str | None,
    region: str | None = None,
    near: tuple[float, float] | None = None,
    use_gazetteer: bool = True,
    fuzzy: bool = True,
    use_registry: bool = True,
    lookup: CandidateLookup | None = None,
) -> Resolution:
    """Resolve a written name. Read-only: nothing is written to the registry or the review list.

    use_registry=False looks in the gazetteer alone (to place a registry record on the map).
    `lookup` is where exact-key candidates are read (the database unless a preloaded one is given).
    """
    if not text or not text.strip():
        raise InvalidInput("a name is needed", field="name", value=text)
    country = country.upper() if country else None
    keys = _exact_keys(text)
    lookup = lookup or CandidateLookup(session)
    registry = _registry_candidates(lookup.registry(keys, country), keys) if use_registry and keys else []
    if registry:
        decided = _decide(text, country, region, registry, near)
        if decided is not None:
            return decided
    if use_gazetteer and country != "JP":
        gazetteer = _gazetteer_candidates(lookup.gazetteer(keys, country), keys) if keys else []
        # A gazetteer place already in the registry is represented by its registry record.
        if use_registry:
            known = lookup.registry_geonameids([c.id for c in gazetteer])
            gazetteer = [c for c in gazetteer if c.id not in known]
        decided = _decide(text, country, region, registry + gazetteer, near)
        if decided is not None:
            return decided
    alternatives: list[Candidate] = []
    if fuzzy and country:
        alternatives = _rank(_fuzzy_candidates(session, text, country), near)
        if near is not None:
            alternatives = [
                c for c in alternatives if c.distance_km is None or c.distance_km <= SAME_PLACE_KM * 2
            ]
    status: Status = "ambiguous" if alternatives else "unresolved"
    confidence = max((c.confidence for c in alternatives), default=0.0)
    return Resolution(text, country, region, status, None, confidence, alternatives)


def _registry_geonameids(session: Session, geonameids: Sequence[int]) -> set[int]:
    if not geonameids:
        return set()
    return {
        gid
        for gid in session.scalars(
            select(Municipality.geonameid).where(Municipality.geonameid.in_(geonameids))
        )
        if gid is not None
    }


def materialise(*, session: Session, candidate: Candidate, written: str | None = None) -> Municipality:
    """The registry municipality for a candidate, creating it from the gazetteer when needed."""
    if candidate.source == "registry":
        municipality = municipality_service.get(session=session, municipality_id=candidate.id)
    else:
        existing = session.scalars(select(Municipality).where(Municipality.geonameid == candidate.id)).first()
        if existing is not None:
            municipality = existing
        else:
            city = session.get(GazetteerCity, candidate.id)
            if city is None:
                raise NotFound(f"gazetteer place {candidate.id} does not exist")
            municipality = municipality_service.create(
                session=session,
                data=MunicipalityCreate(
                    name=city.katakana_name or city.name,
                    name_en=city.name,
                    country=city.country,
                    geonameid=city.geonameid,
                    lat=city.lat,
                    lng=city.lng,
                    aliases=[a for a in (city.ascii_name,) if a],
                    source=f"gazetteer:geonames:{city.geonameid}",
                ),
            )
    if written:
        municipality_service.add_aliases(session=session, municipality=municipality, names=[written])
    return municipality


# ----------------------------------------------------------------------------- review list
def review_values(
    *, resolution: Resolution, source: str, pending: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The columns of the review item for a resolution (send_to_review, or a bulk insert of many)."""
    reason = (
        "同名の候補が複数 / several candidates"
        if resolution.status == "ambiguous"
        else "not found / 該当なし"
    )
    return {
        "text": resolution.text,
        "country": resolution.country,
        "region": resolution.region,
        "source": source,
        "reason": reason,
        "candidates": [c.as_json() for c in resolution.alternatives[:10]],
        "pending": pending,
        "status": "open",
    }


def send_to_review(
    *,
    session: Session,
    resolution: Resolution,
    source: str,
    pending: dict[str, Any] | None = None,
) -> ReviewItem:
    item = ReviewItem(**review_values(resolution=resolution, source=source, pending=pending))
    session.add(item)
    session.flush()
    return item


def open_reviews(*, session: Session) -> Sequence[ReviewItem]:
    return list(
        session.scalars(select(ReviewItem).where(ReviewItem.status == "open").order_by(ReviewItem.id))
    )


def review_row(item: ReviewItem) -> dict[str, Any]:
    """The stable `review list --json` shape."""
    return {
        "id": item.id,
        "text": item.text,
        "country": item.country,
        "source": item.source,
        "candidates": item.candidates,
        "region": item.region,
        "reason": item.reason,
        "status": item.status,
    }


def resolve_review(*, session: Session, item_id: int, target: str) -> tuple[ReviewItem, Municipality]:
    """Answer a review item: `target` is a municipality id, `g:<geonameid>`, or an exact name.

    The written text becomes an alias of the chosen municipality (so the next import matches it),
    and the action that waited on the answer (such as creating a partnership) is carried out.
    """
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(f"review item {item_id} does not exist")
    if item.status != "open":
        raise InvalidInput("this review item is already resolved", field="id", value=item_id)
    municipality = _target_municipality(session, target, item.country)
    municipality_service.add_aliases(session=session, municipality=municipality, names=[item.text])
    item.status = "resolved"
    item.resolved_municipality_id = municipality.id
    item.resolved_at = dt.datetime.now(dt.UTC)
    if item.pending:
        from tsunagari.importers.pending import carry_out

        carry_out(session=session, pending=item.pending, municipality=municipality)
    session.flush()
    return item, municipality


def _target_municipality(session: Session, target: str, country: str | None) -> Municipality:
    target = target.strip()
    if target.isdigit():
        return municipality_service.get(session=session, municipality_id=int(target))
    if target.lower().startswith("g:"):
        geonameid = int(target[2:])
        city = session.get(GazetteerCity, geonameid)
        if city is None:
            raise InvalidInput("no such gazetteer place", field="--to", value=target)
        return materialise(session=session, candidate=_gazetteer_candidate(city, 1.0, "exact"))
    found = municipality_service.find_by_name(session=session, name=target, country=country)
    if len(found) != 1:
        raise InvalidInput(
            f"{len(found)} municipalities match; give the id instead", field="--to", value=target
        )
    return found[0]


def candidate_dict(candidate: Candidate) -> dict[str, Any]:
    return asdict(candidate)
