"""The match score, as pure functions over plain facts: each part of a score is a Reason carrying its
weight, the points it gave and why, so a candidate's rank can be checked by hand.

Parts: wishes matched both ways (the subject hopes for the candidate's country or area; the candidate
hopes for the subject's; the candidate's size falls in the subject's range), profile similarity
(population, features found in both descriptions), shared exchange fields, network proximity (partners
in common, multilateral networks in common) and, for two municipalities of one country, distance."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from tsunagari.common.geo import distance_km
from tsunagari.errors import InvalidInput
from tsunagari.exchange.models import FIELD_LABELS
from tsunagari.matching.vocabulary import AREA_LABELS, FEATURE_WORDS, areas_of_country
from tsunagari.reference.countries import country

# Which features each condition of a wish list asks to share; with no condition, any feature counts.
CONDITION_FEATURES: Final[dict[str, frozenset[str]]] = {
    "nature": frozenset({"coast", "mountains", "hot_springs", "snow", "forest", "rivers_lakes"}),
    "industry": frozenset({"agriculture", "wine", "manufacturing"}),
    "history": frozenset({"history"}),
    "culture": frozenset({"history", "music"}),
    "education": frozenset({"university"}),
}
# Two places this far apart (or more) rarely meet the same earthquake or flood: the point of a domestic
# disaster mutual-aid tie, the commonest kind between Japanese municipalities.
FAR_ENOUGH_KM: Final = 500.0
PARTNERS_IN_COMMON_FULL: Final = 3
MANY_TIES: Final = 3
NETWORKS_IN_COMMON_FULL: Final = 2


@dataclass(frozen=True)
class Weights:
    """How much each part counts; set per deployment (TSUNAGARI_MATCH_WEIGHTS)."""

    wish_country: float = 3.0
    wish_back: float = 2.0
    wish_size: float = 1.0
    size: float = 1.0
    features: float = 1.5
    fields: float = 1.0
    # Network proximity weighs most where nothing else is known (the world corpus): hiding real ties and
    # ranking them back (matching.evaluation, BENCHMARKS.md) chose these over partners of partners alone.
    partners_in_common: float = 3.0
    networks_in_common: float = 0.5
    partner_countries: float = 0.5
    many_ties: float = 0.2
    distance: float = 0.5


@dataclass(frozen=True)
class Wishes:
    countries: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()
    population_min: int | None = None
    population_max: int | None = None
    conditions: frozenset[str] = frozenset()

    def seeks_abroad_from(self, home: str) -> bool | None:
        """True when every wished country or area lies abroad, False when all are at home, None if open."""
        places = [*self.countries, *self.areas]
        if not places:
            return None
        # An area (アジア) wished by a municipality inside it means abroad: only the home country is home.
        at_home = [p for p in places if p == home]
        return not at_home if len(at_home) in (0, len(places)) else None


@dataclass(frozen=True)
class Place:
    """What the score needs to know about one municipality."""

    id: int
    name: str
    name_en: str | None
    country: str
    population: int | None = None
    lat: float | None = None
    lng: float | None = None
    features: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()
    """Exchange fields of its programmes, their activities and its partnerships (candidates.places)."""
    partners: frozenset[int] = frozenset()
    """Every municipality it has a partnership with, whatever its status: never suggested again."""
    active_partners: frozenset[int] = frozenset()
    networks: frozenset[int] = frozenset()
    partner_countries: tuple[tuple[str, int], ...] = ()
    """How many of its active partners lie in each country."""
    wishes: Wishes | None = None
    current: bool = True


@dataclass(frozen=True)
class Reason:
    kind: str
    weight: float
    points: float
    detail: str
    detail_en: str

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "weight": self.weight,
            "points": round(self.points, 3),
            "detail": self.detail,
            "detail_en": self.detail_en,
        }


@dataclass(frozen=True)
class Match:
    candidate: Place
    score: float
    reasons: list[Reason] = field(default_factory=list)


def wished_as(wishes: Wishes, country: str) -> str | None:
    """How the wishes name `country`: the country itself, an area holding it, or None."""
    if country in wishes.countries:
        return country
    for area in sorted(wishes.areas & areas_of_country(country)):
        return area
    return None


def _ja_en(codes: Iterable[str], labels: dict[str, tuple[str, str]]) -> tuple[str, str]:
    ordered = sorted(codes)
    return (
        "、".join(labels.get(c, (c, c))[0] for c in ordered),
        ", ".join(labels.get(c, (c, c))[1] for c in ordered),
    )


FEATURE_LABELS: Final = {code: pair for code, (pair, _) in FEATURE_WORDS.items()}


def _place_word(code: str) -> tuple[str, str]:
    """An area's labels, or a country's names (米国 / United States)."""
    if code in AREA_LABELS:
        return AREA_LABELS[code]
    try:
        named = country(code)
    except InvalidInput:
        return code, code
    return named.name_ja, named.name_en


def reasons(subject: Place, candidate: Place, weights: Weights) -> list[Reason]:
    found: list[Reason] = []
    mine = subject.wishes
    theirs = candidate.wishes
    if mine is not None and weights.wish_country:
        named = wished_as(mine, candidate.country)
        if named is not None:
            ja, en = _place_word(named)
            found.append(
                Reason(
                    "wish_country",
                    weights.wish_country,
                    weights.wish_country,
                    f"希望する国・地域に当たる ({ja})",
                    f"in the countries or areas hoped for ({en})",
                )
            )
    if theirs is not None and weights.wish_back:
        named = wished_as(theirs, subject.country)
        if named is not None:
            ja, en = _place_word(named)
            found.append(
                Reason(
                    "wish_back",
                    weights.wish_back,
                    weights.wish_back,
                    f"相手も当方の国・地域を希望 ({ja})",
                    f"the candidate hopes for this country or area ({en})",
                )
            )
    if mine is not None and candidate.population is not None and weights.wish_size:
        low, high = mine.population_min, mine.population_max
        if (low is not None or high is not None) and (low or 0) <= candidate.population <= (high or 2**63):
            found.append(
                Reason(
                    "wish_size",
                    weights.wish_size,
                    weights.wish_size,
                    f"人口 {candidate.population:,} 人は希望の範囲内",
                    f"population {candidate.population:,} within the range hoped for",
                )
            )
    if subject.population and candidate.population and weights.size:
        similarity = max(0.0, 1.0 - abs(math.log10(subject.population / candidate.population)))
        if similarity > 0:
            found.append(
                Reason(
                    "size",
                    weights.size,
                    weights.size * similarity,
                    f"人口規模が近い ({subject.population:,} 人 / {candidate.population:,} 人)",
                    f"similar population ({subject.population:,} / {candidate.population:,})",
                )
            )
    counted = subject.features
    if mine is not None and mine.conditions:
        wanted = frozenset().union(*(CONDITION_FEATURES.get(c, frozenset()) for c in mine.conditions))
        counted = counted & wanted if wanted else counted
    shared_features = counted & candidate.features
    if shared_features and weights.features:
        ja, en = _ja_en(shared_features, FEATURE_LABELS)
        found.append(
            Reason(
                "features",
                weights.features,
                weights.features * len(shared_features) / len(counted),
                f"共通の特色: {ja}",
                f"features in common: {en}",
            )
        )
    my_fields = subject.fields | (mine.fields if mine else frozenset())
    their_fields = candidate.fields | (theirs.fields if theirs else frozenset())
    shared_fields = my_fields & their_fields
    if shared_fields and weights.fields:
        ja, en = _ja_en(shared_fields, FIELD_LABELS)
        found.append(
            Reason(
                "fields",
                weights.fields,
                weights.fields * len(shared_fields) / len(my_fields),
                f"共通の交流分野: {ja}",
                f"exchange fields in common: {en}",
            )
        )
    in_common = subject.active_partners & candidate.active_partners
    if in_common and weights.partners_in_common:
        share = min(len(in_common), PARTNERS_IN_COMMON_FULL) / PARTNERS_IN_COMMON_FULL
        found.append(
            Reason(
                "partners_in_common",
                weights.partners_in_common,
                weights.partners_in_common * share,
                f"共通の提携先 {len(in_common)} 件",
                f"{len(in_common)} partners in common",
            )
        )
    networks = subject.networks & candidate.networks
    if networks and weights.networks_in_common:
        share = min(len(networks), NETWORKS_IN_COMMON_FULL) / NETWORKS_IN_COMMON_FULL
        found.append(
            Reason(
                "networks_in_common",
                weights.networks_in_common,
                weights.networks_in_common * share,
                f"同じ多国間ネットワークに加盟 ({len(networks)})",
                f"members of the same multilateral networks ({len(networks)})",
            )
        )
    countries = dict(subject.partner_countries)
    already = countries.get(candidate.country, 0)
    if already and candidate.country != subject.country and weights.partner_countries:
        share = already / sum(countries.values())
        found.append(
            Reason(
                "partner_countries",
                weights.partner_countries,
                weights.partner_countries * share,
                f"すでに同じ国の提携先が {already} 件",
                f"{already} partners already in this country",
            )
        )
    ties = len(candidate.active_partners)
    if ties >= MANY_TIES and weights.many_ties:
        # Places with many ties make more: the strongest single signal in the world corpus.
        level = min(1.0, math.log10(1 + ties) / 2)
        found.append(
            Reason(
                "many_ties",
                weights.many_ties,
                weights.many_ties * level,
                f"提携に積極的 (提携 {ties} 件)",
                f"an active twinner ({ties} partnerships)",
            )
        )
    if (
        subject.country == candidate.country
        and weights.distance
        and None not in (subject.lat, subject.lng, candidate.lat, candidate.lng)
    ):
        km = distance_km(subject.lat, subject.lng, candidate.lat, candidate.lng)  # type: ignore[arg-type]
        found.append(
            Reason(
                "distance",
                weights.distance,
                weights.distance * min(1.0, km / FAR_ENOUGH_KM),
                f"距離 {km:,.0f} km (離れているほど同時に被災しにくい)",
                f"{km:,.0f} km apart (farther apart, less likely to share a disaster)",
            )
        )
    return found


def in_scope(subject: Place, candidate: Place) -> bool:
    """A candidate the subject could still partner with, on the side of the world it is looking at."""
    if candidate.id == subject.id or candidate.id in subject.partners or not candidate.current:
        return False
    abroad = subject.wishes.seeks_abroad_from(subject.country) if subject.wishes else None
    if abroad is True:
        return candidate.country != subject.country
    if abroad is False:
        return candidate.country == subject.country
    return True


# Parts that only weigh a candidate already linked to the subject by another part: being large, far
# away or much twinned is no reason on its own to suggest a place.
MODIFIERS: Final = frozenset({"size", "many_ties", "distance"})


def linked(subject: Place, candidate: Place) -> bool:
    """Whether any part other than the modifiers can score (cheap set checks before the full score)."""
    mine, theirs = subject.wishes, candidate.wishes
    return bool(
        (mine is not None and wished_as(mine, candidate.country) is not None)
        or (theirs is not None and wished_as(theirs, subject.country) is not None)
        or (
            mine is not None
            and candidate.population is not None
            and (mine.population_min is not None or mine.population_max is not None)
        )
        or subject.features & candidate.features
        or (subject.fields | (mine.fields if mine else frozenset()))
        & (candidate.fields | (theirs.fields if theirs else frozenset()))
        or subject.active_partners & candidate.active_partners
        or subject.networks & candidate.networks
        or any(country == candidate.country for country, _ in subject.partner_countries)
    )


def rank(subject: Place, candidates: Iterable[Place], weights: Weights, *, limit: int = 20) -> list[Match]:
    """Candidates linked to the subject with a positive score, best first (ties by name, then id, so the
    order is stable)."""
    matches = []
    for candidate in candidates:
        if not in_scope(subject, candidate) or not linked(subject, candidate):
            continue
        parts = reasons(subject, candidate, weights)
        if all(r.kind in MODIFIERS for r in parts):
            continue
        score = sum(r.points for r in parts)
        if score > 0:
            matches.append(Match(candidate, round(score, 3), parts))
    matches.sort(key=lambda m: (-m.score, m.candidate.name, m.candidate.id))
    return matches[:limit]
