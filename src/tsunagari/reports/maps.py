"""Server-made SVG maps for printed reports: the vendored Natural Earth outlines (world-atlas 110m TopoJSON,
the file the portal's offline map draws) in an equirectangular view around the places, with a line from
home to each partner. Read only; no network.

The TopoJSON is decoded here (delta-coded arcs, quantised transform: about twenty lines) because no
maintained Python TopoJSON reader is installed and the portal's decoder is JavaScript.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

WORLD_ATLAS = (
    Path(__file__).resolve().parent.parent
    / "web"
    / "static"
    / "vendor"
    / "world-atlas-2.0.2"
    / "countries-110m.json"
)

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class Place:
    label: str
    lat: float
    lng: float


@lru_cache(maxsize=1)
def _rings() -> tuple[tuple[tuple[float, float], ...], ...]:
    """Every country ring as (lng, lat) points."""
    topology = json.loads(WORLD_ATLAS.read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        x = y = 0
        points: Ring = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes: Sequence[int]) -> tuple[tuple[float, float], ...]:
        points: Ring = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc if not points else arc[1:])
        return tuple(points)

    rings: list[tuple[tuple[float, float], ...]] = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs") or []
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            rings.extend(ring(indexes) for indexes in polygon)
    return tuple(rings)


def _box(places: Sequence[Place], *, min_span: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) around the places with a margin, at least `min_span` degrees wide."""
    west, east = min(p.lng for p in places), max(p.lng for p in places)
    south, north = min(p.lat for p in places), max(p.lat for p in places)
    span = max(east - west, (north - south) * 1.6, min_span)
    middle_x, middle_y = (west + east) / 2, (south + north) / 2
    half_x, half_y = span * 0.6, span * 0.6 / 1.6
    return (
        max(-180.0, middle_x - half_x),
        max(-85.0, middle_y - half_y),
        min(180.0, middle_x + half_x),
        min(85.0, middle_y + half_y),
    )


def partner_map(
    home: Place, partners: Sequence[tuple[int, Place]], *, title: str, min_span: float = 8.0
) -> str:
    """An SVG map (640 × 400) with home, each partner as its number in the list, and a line to each."""
    width, height = 640, 400
    west, south, east, north = _box([home, *(place for _, place in partners)], min_span=min_span)

    def xy(lng: float, lat: float) -> tuple[float, float]:
        return (lng - west) / (east - west) * width, (north - lat) / (north - south) * height

    paths = []
    for ring in _rings():
        if all(lng < west or lng > east for lng, _ in ring) or all(
            lat < south or lat > north for _, lat in ring
        ):
            continue
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(lng, lat) for lng, lat in ring))
        paths.append(f'<polygon points="{points}"/>')
    hx, hy = xy(home.lng, home.lat)
    # The home label goes left of the dot near the right edge, so it is never cut off.
    label_x, anchor = (hx - 10, "end") if hx > width - 90 else (hx + 10, "start")
    marks = []
    for number, partner in partners:
        px, py = xy(partner.lng, partner.lat)
        marks.append(
            f'<line x1="{hx:.1f}" y1="{hy:.1f}" x2="{px:.1f}" y2="{py:.1f}" class="link"/>'
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="12" class="partner"/>'
            f'<text x="{px:.1f}" y="{py + 5:.1f}" class="number">{number}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        "<style>polygon{fill:#e8eef2;stroke:#9fb3c2;stroke-width:.6}"
        ".link{stroke:#c8553d;stroke-width:1.4;opacity:.7}.partner{fill:#1f5f8b}"
        ".home{fill:#c8553d}"
        ".number{fill:#fff;font:bold 14px 'Noto Sans CJK JP',sans-serif;text-anchor:middle}"
        ".label{font:bold 16px 'Noto Sans CJK JP',sans-serif;fill:#222}</style>"
        f'<rect width="{width}" height="{height}" fill="#fbfdff"/>'
        + "".join(paths)
        + "".join(marks)
        + f'<circle cx="{hx:.1f}" cy="{hy:.1f}" r="7" class="home"/>'
        + f'<text x="{label_x:.1f}" y="{hy - 8:.1f}" class="label" text-anchor="{anchor}">'
        + f"{escape(home.label)}</text>"
        + "</svg>"
    )
