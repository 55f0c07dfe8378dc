"""Analytics timings: our triangles and gatherings beside networkx's on one graph, and whether both agree."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import Engine, select

from tsunagari.bench.measure import Steps, in_unit_of_work, median, timed
from tsunagari.session import unit_of_work

GATHERINGS_COUNTRY = "US"


def _networkx_triangles(graph: Any) -> list[tuple[int, int, int]]:
    """Every triangle listed by networkx's own `all_triangles`, as sorted triples like ours."""
    import networkx as nx

    result = [(a, b, c) for a, b, c in (sorted(triangle) for triangle in nx.all_triangles(graph))]
    result.sort()
    return result


def _networkx_triangle_count(graph: Any) -> int:
    import networkx as nx

    return int(sum(nx.triangles(graph).values()) // 3)


def _networkx_gatherings(engine: Engine, country: str) -> list[tuple[int, list[int]]]:
    """The same gatherings as analytics, the networkx way: edges and countries read, graph built, filtered."""
    import networkx as nx

    from tsunagari.municipality.models import Municipality
    from tsunagari.partnership.models import Partnership

    with unit_of_work(engine) as session:
        edges = session.execute(
            select(Partnership.home_municipality_id, Partnership.partner_municipality_id).where(
                Partnership.home_municipality_id.is_not(None),
                Partnership.partner_municipality_id.is_not(None),
                Partnership.status != "ended",
            )
        ).all()
        graph = nx.Graph()
        graph.add_edges_from((a, b) for a, b in edges if a != b)
        nodes = list(graph.nodes)
        for start in range(0, len(nodes), 5000):
            chunk = nodes[start : start + 5000]
            for node, node_country in session.execute(
                select(Municipality.id, Municipality.country).where(Municipality.id.in_(chunk))
            ):
                graph.nodes[node]["country"] = node_country
    found = []
    for node, data in graph.nodes(data=True):
        if data.get("country") != "JP":
            continue
        abroad = sorted(p for p in graph[node] if graph.nodes[p].get("country") == country)
        if abroad:
            found.append((node, abroad))
    found.sort(key=lambda g: (-len(g[1]), g[0]))
    return found


def measure_analytics(engine: Engine, repetitions: int, steps: Steps) -> dict[str, Any]:
    import networkx as nx

    from tsunagari.analytics import service as analytics_service

    with unit_of_work(engine) as session:
        graph = analytics_service.load_graph(session=session)
    edges = [(a, b) for a, around in graph.neighbours.items() for b in around if a < b]
    build_times, listing, service, nx_listing, nx_count = [], [], [], [], []
    gatherings, nx_gatherings = [], []
    ours: list[tuple[int, int, int]] = []
    theirs: list[tuple[int, int, int]] = []
    counted = 0
    our_gatherings: list[Any] = []
    their_gatherings: list[tuple[int, list[int]]] = []
    for repetition in range(repetitions):
        elapsed, nx_graph = timed(lambda: nx.Graph(edges))
        build_times.append(elapsed)
        elapsed, ours = timed(graph.triangles)
        listing.append(elapsed)
        elapsed, theirs = timed(partial(_networkx_triangles, nx_graph))
        nx_listing.append(elapsed)
        elapsed, counted = timed(partial(_networkx_triangle_count, nx_graph))
        nx_count.append(elapsed)
        elapsed, _ = timed(lambda: in_unit_of_work(engine, lambda s: analytics_service.triangles(session=s)))
        service.append(elapsed)
        elapsed, our_gatherings = timed(
            lambda: in_unit_of_work(
                engine, lambda s: analytics_service.gatherings(session=s, country=GATHERINGS_COUNTRY)
            )
        )
        gatherings.append(elapsed)
        elapsed, their_gatherings = timed(lambda: _networkx_gatherings(engine, GATHERINGS_COUNTRY))
        nx_gatherings.append(elapsed)
        steps.advance(f"analytics {repetition + 1}/{repetitions}: {len(ours):,} triangles")
    ours_shape = [(g.municipality.id, [p.id for p in g.partners]) for g in our_gatherings]
    return {
        "graph_nodes": len(graph.neighbours),
        "graph_edges": len(edges),
        "triangle_count": len(ours),
        "networkx_triangle_count": counted,
        "triangles_agree": ours == theirs and len(ours) == counted,
        "triangles_s": median(listing),
        "triangles_service_s": median(service),
        "networkx_triangles_s": median(nx_listing),
        "networkx_triangle_count_s": median(nx_count),
        "networkx_graph_build_s": median(build_times),
        "gatherings_country": GATHERINGS_COUNTRY,
        "gatherings_count": len(our_gatherings),
        "gatherings_agree": ours_shape == their_gatherings,
        "gatherings_s": median(gatherings),
        "networkx_gatherings_s": median(nx_gatherings),
    }
