"""The widget a municipality puts on its own website (/embed/municipalities/{id}): its partners and a small
map drawn as inline SVG, Japanese or English, one self-contained document (no script, no outside asset);
other sites may frame it (web.hardening.FRAMEABLE_PREFIXES); thin, no SQL."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagari.municipality.pages import PartnerView, _partners
from tsunagari.partnership import rows as partnership_rows
from tsunagari.portal import service as portal_service
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.rendering import Lang, render_found

router = page_router()

MAP_WIDTH, MAP_HEIGHT, MARGIN = 320.0, 160.0, 12.0


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    name: str
    home: bool
    lang: str


@dataclass(frozen=True)
class EmbedPage:
    id: int
    name: str
    name_lang: str
    partners: list[PartnerView]
    points: list[MapPoint]
    lines: list[tuple[float, float, float, float]]
    width: float = MAP_WIDTH
    height: float = MAP_HEIGHT


def _project(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """The box (west, north, degrees per unit) that fits every point, equirectangular, with a margin."""
    lats = [lat for lat, _ in points]
    lngs = [lng for _, lng in points]
    west, east = min(lngs) - 5, max(lngs) + 5
    south, north = min(lats) - 5, max(lats) + 5
    scale = max((east - west) / (MAP_WIDTH - 2 * MARGIN), (north - south) / (MAP_HEIGHT - 2 * MARGIN))
    # Centre the points in the box.
    west -= ((MAP_WIDTH - 2 * MARGIN) * scale - (east - west)) / 2
    north += ((MAP_HEIGHT - 2 * MARGIN) * scale - (north - south)) / 2
    return west, north, scale


def embed_page(*, session: Session, municipality_id: int, lang: Lang) -> EmbedPage:
    m = portal_service.municipality_record(session=session, municipality_id=municipality_id)
    domestic, international = _partners(session, m, lang)
    lines = partnership_rows.partnerships_for_map(session=session, municipality_id=m.id)
    places: dict[int, tuple[float, float, str]] = {}
    for line in lines:
        for end in ("from", "to"):
            party = line[end]
            assert isinstance(party, dict)
            places[int(party["id"])] = (float(party["lat"]), float(party["lng"]), str(party["name"]))
    # Each partner on the near side of the globe from the municipality (Barrie east of Japan across the
    # Pacific, not west across Asia and Europe), so a line is the short way round.
    centre = places[m.id][1] if m.id in places else 0.0
    places = {
        place_id: (lat, lng + 360 * round((centre - lng) / 360), name)
        for place_id, (lat, lng, name) in places.items()
    }
    english = lang == "en" and bool(m.name_en)
    names = {p.partner_id: p.name_en for p in domestic + international if lang == "en" and p.name_en}
    if english:
        names[m.id] = m.name_en
    points: list[MapPoint] = []
    segments: list[tuple[float, float, float, float]] = []
    if places:
        west, north, scale = _project([(lat, lng) for lat, lng, _ in places.values()])

        def xy(lat: float, lng: float) -> tuple[float, float]:
            return (
                round(MARGIN + (lng - west) / scale, 1),
                round(MARGIN + (north - lat) / scale, 1),
            )

        for place_id, (lat, lng, name) in places.items():
            x, y = xy(lat, lng)
            shown = names.get(place_id)
            points.append(MapPoint(x, y, shown or name, place_id == m.id, "en" if shown else "ja"))
        for line in lines:
            a, b = line["from"], line["to"]
            assert isinstance(a, dict) and isinstance(b, dict)
            (lat_a, lng_a, _), (lat_b, lng_b, _) = places[int(a["id"])], places[int(b["id"])]
            segments.append((*xy(lat_a, lng_a), *xy(lat_b, lng_b)))
    return EmbedPage(
        id=m.id,
        name=m.name_en if english else m.name,
        name_lang="en" if english else "ja",
        partners=domestic + international,
        points=sorted(points, key=lambda p: p.home),
        lines=segments,
    )


@router.get("/embed/municipalities/{municipality_id}", response_class=HTMLResponse)
def embed(request: Request, session: SessionDep, municipality_id: int) -> HTMLResponse:
    return render_found(
        request,
        "municipality/embed.html",
        lambda lang: embed_page(session=session, municipality_id=municipality_id, lang=lang),
    )
