"""Import of the global twin-town pairs CSV (city1,country1[,lat1,lng1],city2,country2[,lat2,lng2]):
one registry node per real city, one partnership per pair, provenance on every line. This module
runs the stages in order: read (pairs_reading), cluster (pairs_clusters), place (pairs_places, then
pairs_alike for the names no reference has exactly), write (pairs_writing)."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from tsunagari.importers.pairs_alike import _AlikeNames, _nearby_places
from tsunagari.importers.pairs_clusters import Cluster, _exact_keys, cluster_mentions
from tsunagari.importers.pairs_fallbacks import Fallback, fallback_for
from tsunagari.importers.pairs_places import (
    _by_areas_and_towns,
    _by_fallback,
    _decide,
    _Decision,
    _decision_for,
    _japanese_municipality,
    _JapanesePoints,
    _known_keys,
    _partners_level,
)
from tsunagari.importers.pairs_reading import Mention, PairRow, read_pairs
from tsunagari.importers.pairs_report import PairsReport
from tsunagari.importers.pairs_writing import _place_clusters, _write_partnerships

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total); stages are "cities" and "partnerships"."""


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
    partners = _partners_of(rows, by_mention, {id(c) for c in unresolved if c.country == "JP"})
    japan = _JapanesePoints()
    for cluster in unresolved:
        candidate = nearby.best(cluster)
        if candidate is not None:
            # A similar name this close: the one fuzzy match made with coordinates.
            decisions[id(cluster)] = replace(_decision_for(candidate, cluster.name), method="fuzzy")
        elif cluster.country == "JP" and cluster.coordinates is not None:
            level = _partners_level(partners[id(cluster)], decisions)
            decisions[id(cluster)] = _japanese_municipality(session, cluster, known, level, japan)
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


def _partners_of(
    rows: Sequence[PairRow], by_mention: dict[Mention, Cluster], wanted: set[int]
) -> dict[int, list[Cluster]]:
    """The partner clusters of some clusters (by id), as the file pairs them."""
    partners: dict[int, list[Cluster]] = defaultdict(list)
    for row in rows:
        left, right = by_mention[row.left], by_mention[row.right]
        if id(left) in wanted:
            partners[id(left)].append(right)
        if id(right) in wanted:
            partners[id(right)].append(left)
    return partners
