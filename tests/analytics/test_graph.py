"""Triangle listing agrees with networkx on any graph (hypothesis draws them), self-loops and repeated
edges included."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from tsunagari.analytics.graph import PartnershipGraph

edge_lists = st.lists(st.tuples(st.integers(0, 25), st.integers(0, 25)), max_size=120)


def _networkx_triangles(edges: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    graph = nx.Graph([(a, b) for a, b in edges if a != b])
    return sorted(tuple(sorted(t)) for t in nx.all_triangles(graph))


@settings(max_examples=200, deadline=None)
@given(edge_lists)
def test_every_triangle_once_as_a_sorted_triple(edges: list[tuple[int, int]]) -> None:
    assert PartnershipGraph.from_edges(edges).triangles() == _networkx_triangles(edges)


@settings(max_examples=100, deadline=None)
@given(edge_lists, st.integers(0, 25))
def test_triangles_through_one_node(edges: list[tuple[int, int]], node: int) -> None:
    expected = [t for t in _networkx_triangles(edges) if node in t]
    assert PartnershipGraph.from_edges(edges).triangles(containing=node) == expected
