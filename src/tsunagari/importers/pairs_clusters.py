"""Clustering the mentions of a pairs file into real cities: same country, a shared exact name
key, the same level (city, district, area) and, with coordinates, no further apart than SAME_PLACE_KM."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

from tsunagari.common.geo import SAME_PLACE_KM, distance_km
from tsunagari.importers.pairs_reading import Mention, PairRow
from tsunagari.names.normalize import SKELETON_PREFIX, fold, name_key_tuple, split_qualified


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


# name_keys, computed once per distinct text for clustering, resolution and the name index.
_all_keys = name_key_tuple


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
