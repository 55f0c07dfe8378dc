"""How well the match score ranks: hide real partnerships one at a time (a fixed, seeded sample) and see
where the real partner ranks among the candidates (hit@10, mean reciprocal rank), beside partners of
partners alone. Read-only; the bench reports the figures."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from dataclasses import dataclass

from tsunagari.matching.scoring import Place, Weights, rank

TOP = 10


@dataclass(frozen=True)
class RankingQuality:
    samples: int
    hit10: float
    mrr: float
    baseline_hit10: float
    baseline_mrr: float


def _without(place: Place, other: Place) -> Place:
    countries = dict(place.partner_countries)
    if other.id in place.active_partners and countries.get(other.country):
        countries[other.country] -= 1
    return dataclasses.replace(
        place,
        partners=place.partners - {other.id},
        active_partners=place.active_partners - {other.id},
        partner_countries=tuple((c, n) for c, n in sorted(countries.items()) if n),
    )


def _reciprocal(position: int | None) -> float:
    return 1.0 / position if position else 0.0


def _baseline_position(subject: Place, target: Place, places: Mapping[int, Place]) -> int | None:
    """Partners of partners alone: candidates ordered by partners in common (more first, then by id)."""
    counts: dict[int, int] = {}
    for partner in subject.active_partners:
        neighbour = places.get(partner)
        if neighbour is None:
            continue
        for other in neighbour.active_partners:
            if other != subject.id and other not in subject.partners:
                counts[other] = counts.get(other, 0) + 1
    if target.id not in counts:
        return None
    mine = counts[target.id]
    return 1 + sum(1 for other, n in counts.items() if n > mine or (n == mine and other < target.id))


def ranking_quality(
    places: Mapping[int, Place], weights: Weights, *, samples: int = 300, seed: int = 20261207
) -> RankingQuality:
    """Hide each sampled partnership from both sides, rank, and record where the real partner lands."""
    edges = sorted(
        {(min(a, b), max(a, b)) for a, p in places.items() for b in p.active_partners if b in places}
    )
    chosen = random.Random(seed).sample(edges, min(samples, len(edges)))
    hits = baseline_hits = 0
    reciprocal = baseline_reciprocal = 0.0
    for a, b in chosen:
        subject, target = _without(places[a], places[b]), _without(places[b], places[a])
        view = {**places, a: subject, b: target}
        found = rank(subject, view.values(), weights, limit=TOP * 10)
        position = next((i for i, m in enumerate(found, 1) if m.candidate.id == b), None)
        hits += position is not None and position <= TOP
        reciprocal += _reciprocal(position)
        base = _baseline_position(subject, target, view)
        baseline_hits += base is not None and base <= TOP
        baseline_reciprocal += _reciprocal(base)
    n = max(1, len(chosen))
    return RankingQuality(
        samples=len(chosen),
        hit10=hits / n,
        mrr=reciprocal / n,
        baseline_hit10=baseline_hits / n,
        baseline_mrr=baseline_reciprocal / n,
    )
