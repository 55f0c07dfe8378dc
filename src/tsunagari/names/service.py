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
from typing import Any, Literal, cast

from rapidfuzz import fuzz, process
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from tsunagari.audit import service as audit_service
from tsunagari.common.bulk import complete_rows, insert_returning
from tsunagari.common.geo import SAME_PLACE_KM, distance_km
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.names.candidates import Candidate as Candidate
from tsunagari.names.candidates import CandidateLookup as CandidateLookup
from tsunagari.names.candidates import CandidateSource as CandidateSource
from tsunagari.names.candidates import Method as Method
from tsunagari.names.candidates import (
    by_foreign_region,
    exact_keys,
    gazetteer_candidate,
    gazetteer_candidates,
    registry_candidates,
)
from tsunagari.names.models import ReviewItem
from tsunagari.names.normalize import SKELETON_PREFIX, fold, name_keys, split_qualified, strip_affixes
from tsunagari.names.pending import PendingAction
from tsunagari.names.pending import carry_out as carry_out_pending
from tsunagari.reference.japan import prefecture_of
from tsunagari.reference.models import GazetteerCity, GazetteerName
from tsunagari.reference.subdivisions import region_of_place

Status = Literal["matched", "ambiguous", "unresolved"]

# A name resolves on its own only at or above this confidence, and only when it is the one candidate.
AUTO_MATCH_CONFIDENCE = 0.9


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
        gazetteer_candidate(cities[gid], confidence, method)
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
    if not region:
        return candidates
    prefecture = prefecture_of(region)
    if prefecture is not None:
        # A prefecture names where a Japanese municipality is: a namesake elsewhere is never it.
        candidates = [c for c in candidates if c.country != "JP" or c.region == prefecture]
    # Portland, オレゴン州: the one in Oregon; a namesake known to lie elsewhere is never it.
    inside, outside = by_foreign_region(candidates, region)
    if inside or outside:
        return inside
    if len(candidates) < 2:
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
        # 府中町 that shares only the affix-stripped key is not a candidate for it. A former
        # municipality of the very same name (新潟県の旧小国町) ranks lower but is one of them.
        best = max(c.confidence for c in pool)
        tier = [c for c in pool if c.confidence >= best - 0.01 or c.method == "exact"]
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
    keys = exact_keys(text)
    lookup = lookup or CandidateLookup(session)
    registry = registry_candidates(lookup.registry(keys, country), keys) if use_registry and keys else []
    if registry:
        decided = _decide(text, country, region, registry, near)
        if decided is not None:
            return decided
    if use_gazetteer and country != "JP":
        gazetteer = gazetteer_candidates(lookup.gazetteer(keys, country), keys) if keys else []
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
                    # The region's code only: a file that named no region exports none after a round
                    # trip, and the code still keeps a namesake in another region apart.
                    region_code=region_of_place(city.country, city.admin1).get("region_code"),
                ),
            )
    if written:
        municipality_service.add_aliases(session=session, municipality=municipality, names=[written])
    return municipality


# ----------------------------------------------------------------------------- review list
def review_values(
    *, resolution: Resolution, source: str, pending: PendingAction | None = None
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
        "pending": pending.to_json() if pending is not None else None,
        "status": "open",
    }


def send_to_review(
    *,
    session: Session,
    resolution: Resolution,
    source: str,
    pending: PendingAction | None = None,
) -> ReviewItem:
    """Put a name on the review list; `pending` is what to do once a person answers (names.pending)."""
    item = ReviewItem(**review_values(resolution=resolution, source=source, pending=pending))
    session.add(item)
    session.flush()
    return item


def send_many_to_review(*, session: Session, items: Sequence[tuple[Resolution, str]]) -> None:
    """Many (resolution, source) items without pending actions in one INSERT, each audited, as
    send_to_review would add them one flush at a time (an import of a whole corpus)."""
    if not items:
        return
    table = cast(Table, ReviewItem.__table__)
    values = [review_values(resolution=resolution, source=source) for resolution, source in items]
    inserted = insert_returning(session, table, complete_rows(table, values))
    audit_service.record_bulk_created(session=session, model=ReviewItem, rows=[r._mapping for r in inserted])


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
    and the action that waited on the answer (such as creating a partnership) is carried out by the
    handler its importer registered (names.pending).
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
        carry_out_pending(session=session, pending=item.pending, municipality=municipality)
    session.flush()
    return item, municipality


@dataclass(frozen=True)
class ResolutionChange:
    """One field a review resolution would write: created, or changed from a stored value."""

    table_name: str
    record_id: str
    action: str
    """create, update or delete"""
    field: str
    before: Any
    after: Any

    @property
    def overwrites(self) -> bool:
        """Whether a stored value would be replaced (a new record, or a field that was empty, is not)."""
        return self.action != "create" and self.before is not None and self.before != self.after


_NOT_SHOWN = frozenset({"id", "version", "created_at", "updated_at"})


def preview_resolution(*, session: Session, item_id: int, target: str) -> list[ResolutionChange]:
    """What answering a review item would write, field by field, without writing it: the resolution
    runs in a savepoint that is rolled back, and the audit entries it made are read before that."""
    latest = audit_service.log(session=session, limit=1)
    since = latest[0].id if latest else 0
    nested = session.begin_nested()
    try:
        resolve_review(session=session, item_id=item_id, target=target)
        entries = [e for e in audit_service.log(session=session, limit=1000) if e.id > since]
    finally:
        nested.rollback()
    changes: list[ResolutionChange] = []
    for entry in reversed(entries):  # oldest first
        if entry.table_name == ReviewItem.__tablename__:
            continue  # the item's own status is the answer itself
        before, after = entry.before or {}, entry.after or {}
        for name in sorted(set(before) | set(after)):
            if name in _NOT_SHOWN or (entry.action == "create" and after.get(name) in (None, "", [], {})):
                continue
            changes.append(
                ResolutionChange(
                    entry.table_name, entry.record_id, entry.action, name, before.get(name), after.get(name)
                )
            )
    return changes


def _target_municipality(session: Session, target: str, country: str | None) -> Municipality:
    target = target.strip()
    if target.lower().startswith("g:"):
        geonameid = int(target[2:])
        city = session.get(GazetteerCity, geonameid)
        if city is None:
            raise InvalidInput("no such gazetteer place", field="--to", value=target)
        return materialise(session=session, candidate=gazetteer_candidate(city, 1.0, "exact"))
    try:
        return pick_municipality(
            session=session,
            text=target,
            country=country,
            numbers="id",
            field="--to",
            hint="give the id instead",
        )
    except NotFound:
        raise InvalidInput(
            "0 municipalities match; give the id instead", field="--to", value=target
        ) from None


# ----------------------------------------------------------------------------- typed text → one municipality
def pick_municipality(
    *,
    session: Session,
    text: str,
    prefecture: str | None = None,
    country: str | None = None,
    numbers: Literal["id", "jis_code"] | None = None,
    field: str = "name",
    hint: str = "add the prefecture or the country",
) -> Municipality:
    """The one municipality typed text names: its name in any script the registry knows it by
    (武蔵野市, Musashino, むさしのし), narrowed by `prefecture` (or another country's region) and `country`.

    `numbers` says what digits are: a registry id, a JIS code (全国地方公共団体コード), or a name.
    Raises NotFound when nothing has the name, and InvalidInput listing the candidates (each with its
    prefecture or region, country and id) when several do; `hint` says how to choose between them.
    """
    written = text.strip()
    if not written:
        raise InvalidInput("a municipality name is needed", field=field, value=text)
    if numbers is not None and written.isdigit():
        if numbers == "id":
            return municipality_service.get(session=session, municipality_id=int(written))
        by_code = municipality_service.get_by_jis_code(session=session, jis_code=written)
        if by_code is None:
            raise NotFound(f"no municipality has the code {written!r}")
        return by_code
    found = list(
        municipality_service.find_by_name(
            session=session, name=written, country=country or None, region=prefecture or None
        )
    )
    if not found:
        raise NotFound(f"no municipality is called {written!r}")
    if len(found) > 1:
        choices = ", ".join(f"{m.display_name()} ({m.country}, id {m.id})" for m in found[:20])
        raise InvalidInput(
            f"{len(found)}件が該当します / {len(found)} municipalities match; {hint}: {choices}",
            field=field,
            value=written,
        )
    return found[0]


def candidate_dict(candidate: Candidate) -> dict[str, Any]:
    return asdict(candidate)
