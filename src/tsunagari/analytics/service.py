"""Analyses for the workbench (read-only): triangles, open triads, gatherings, anniversaries, suggestions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.analytics.graph import PartnershipGraph
from tsunagari.common.geo import distance_km
from tsunagari.municipality.models import Municipality
from tsunagari.partnership.models import NOT_IN_FORCE, Partnership
from tsunagari.portal import service as portal_service


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    name_en: str | None
    country: str
    region: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "name_en": self.name_en,
            "country": self.country,
            "region": self.region,
        }


def load_graph(*, session: Session, active_only: bool = True) -> PartnershipGraph:
    statement = select(Partnership.home_municipality_id, Partnership.partner_municipality_id).where(
        Partnership.home_municipality_id.is_not(None), Partnership.partner_municipality_id.is_not(None)
    )
    if active_only:
        statement = statement.where(Partnership.status.not_in(NOT_IN_FORCE))
    return PartnershipGraph.from_edges((a, b) for a, b in session.execute(statement) if a and b)


def _members(session: Session, ids: set[int]) -> dict[int, Member]:
    found: dict[int, Member] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 5000):
        chunk = id_list[start : start + 5000]
        for m in session.scalars(select(Municipality).where(Municipality.id.in_(chunk))):
            found[m.id] = Member(m.id, m.name, m.name_en, m.country, m.region)
    return found


def triangles(*, session: Session, municipality_id: int | None = None) -> list[list[Member]]:
    """三都市連携: three municipalities each partnered with the other two (金沢–蘇州–全州)."""
    graph = load_graph(session=session)
    found = graph.triangles(containing=municipality_id)
    members = _members(session, {node for triple in found for node in triple})
    return [[members[n] for n in triple] for triple in found]


@dataclass(frozen=True)
class Triad:
    """An open triad: A partners B and C, which are not partners, but share a country."""

    hub: Member
    first: Member
    second: Member
    shared: str


def open_triads(*, session: Session, municipality_id: int, limit: int = 100) -> list[Triad]:
    """Candidates for a joint programme around one municipality: its unlinked partner pairs in one country."""
    graph = load_graph(session=session)
    around = sorted(graph.neighbours.get(municipality_id, set()))
    members = _members(session, {municipality_id, *around})
    triads: list[Triad] = []
    for i, b in enumerate(around):
        for c in around[i + 1 :]:
            if c in graph.neighbours[b]:
                continue
            if members[b].country == members[c].country:
                triads.append(Triad(members[municipality_id], members[b], members[c], members[b].country))
    return triads[:limit]


@dataclass(frozen=True)
class Gathering:
    municipality: Member
    partners: list[Member]


def gatherings(*, session: Session, country: str, home_country: str = "JP") -> list[Gathering]:
    """Home-country municipalities with partners in `country`, most partners first (日仏自治体交流会議)."""
    graph = load_graph(session=session)
    ids = set(graph.neighbours)
    members = _members(session, ids)
    result: list[Gathering] = []
    for node in ids:
        me = members.get(node)
        if me is None or me.country != home_country:
            continue
        abroad = sorted(
            (
                members[p]
                for p in graph.neighbours[node]
                if p in members and members[p].country == country.upper()
            ),
            key=lambda m: m.id,
        )
        if abroad:
            result.append(Gathering(me, abroad))
    return sorted(result, key=lambda g: (-len(g.partners), g.municipality.id))


@dataclass(frozen=True)
class Suggestion:
    """A partner of a partner: someone `for_municipality` could work with through a shared friend."""

    candidate: Member
    through: list[Member]
    distance_km: float | None


def partner_of_partner(*, session: Session, municipality_id: int, limit: int = 20) -> list[Suggestion]:
    graph = load_graph(session=session)
    direct = graph.neighbours.get(municipality_id, set())
    via: dict[int, set[int]] = defaultdict(set)
    for partner in direct:
        for other in graph.neighbours[partner]:
            if other != municipality_id and other not in direct:
                via[other].add(partner)
    members = _members(session, {municipality_id, *direct, *via})
    # Only places with coordinates: a suggestion without them simply has no distance.
    coordinates: dict[int, tuple[float, float]] = {
        m.id: (m.lat, m.lng)
        for m in session.scalars(select(Municipality).where(Municipality.id.in_([municipality_id, *via])))
        if m.lat is not None and m.lng is not None
    }
    home = coordinates.get(municipality_id)
    suggestions = []
    for other, partners in via.items():
        where = coordinates.get(other)
        km = None
        if home is not None and where is not None:
            km = distance_km(*home, *where)
        suggestions.append(Suggestion(members[other], [members[p] for p in sorted(partners)], km))
    suggestions.sort(key=lambda s: (-len(s.through), s.distance_km if s.distance_km is not None else 1e9))
    return suggestions[:limit]


def anniversaries(*, session: Session, year: int) -> Sequence[portal_service.Anniversary]:
    return portal_service.anniversaries(session=session, year=year)
