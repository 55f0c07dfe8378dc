"""Analyses for the workbench (read-only): triangles, open triads (also by field, with shared networks counted
as ties), gatherings, anniversaries, suggestions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.analytics.graph import PartnershipGraph
from tsunagari.common.fields import FIELD_LABELS, field_code
from tsunagari.common.geo import distance_km
from tsunagari.errors import InvalidInput
from tsunagari.exchange import network_service, programme_service
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


# ----------------------------------------------------------------------------- 三都市連携 with themes
@dataclass(frozen=True)
class Tie:
    """What joins two municipalities: the partnerships in force between them, the multilateral networks both
    belong to (a shared network counts as a tie), and the fields of either (the partnerships' own, their
    programmes', the networks')."""

    partnership_types: tuple[str, ...]
    networks: tuple[str, ...]
    fields: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "partnership_types": list(self.partnership_types),
            "networks": list(self.networks),
            "fields": list(self.fields),
        }


@dataclass(frozen=True)
class ThemedTriangle:
    """Three municipalities each tied to the other two; `ties`: first–second, first–third, second–third."""

    members: tuple[Member, Member, Member]
    ties: tuple[Tie, Tie, Tie]


@dataclass(frozen=True)
class ThemedTriad:
    """An open triad: the hub is tied to first and second, which are not tied to each other at all, and
    they share `shared` (the field asked for, or else a country)."""

    hub: Member
    first: Member
    second: Member
    shared: str
    ties: tuple[Tie, Tie]


def field_option(text: str | None) -> str | None:
    """A field as a code (environment, 環境, Environment); bad input names the option."""
    if text is None or not text.strip():
        return None
    code = field_code(text)
    if code is None:
        raise InvalidInput(f"unknown field; use one of {', '.join(FIELD_LABELS)}", field="field", value=text)
    return code


def tie_map(*, session: Session, networks: bool = True) -> dict[frozenset[int], Tie]:
    """Every pair of municipalities joined by a partnership in force or (with `networks`) a shared network."""
    types: dict[frozenset[int], set[str]] = defaultdict(set)
    shared: dict[frozenset[int], set[str]] = defaultdict(set)
    fields: dict[frozenset[int], list[str]] = defaultdict(list)
    statement = select(
        Partnership.home_municipality_id,
        Partnership.partner_municipality_id,
        Partnership.type,
        Partnership.fields,
    ).where(
        Partnership.home_municipality_id.is_not(None),
        Partnership.partner_municipality_id.is_not(None),
        Partnership.status.not_in(NOT_IN_FORCE),
    )
    for home, partner, type_, own_fields in session.execute(statement):
        if home is None or partner is None or home == partner:
            continue
        pair = frozenset((home, partner))
        types[pair].add(type_)
        fields[pair].extend(own_fields or [])
    for pair, programme_fields in programme_service.fields_by_pair(session=session).items():
        if pair in types:
            fields[pair].extend(programme_fields)
    if networks:
        by_network: dict[int, list[int]] = defaultdict(list)
        for member, network_ids in network_service.network_ids_by_member(session=session).items():
            for network_id in network_ids:
                by_network[network_id].append(member)
        for network in network_service.list_networks(session=session):
            members = sorted(by_network.get(network.id, []))
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    pair = frozenset((a, b))
                    shared[pair].add(network.name)
                    fields[pair].extend(network.fields or [])
    return {
        pair: Tie(
            tuple(sorted(types.get(pair, set()))),
            tuple(sorted(shared.get(pair, set()))),
            tuple(dict.fromkeys(fields.get(pair, []))),
        )
        for pair in set(types) | set(shared)
    }


def _graph_of(ties: dict[frozenset[int], Tie], field: str | None) -> PartnershipGraph:
    return PartnershipGraph.from_edges(
        (min(pair), max(pair)) for pair, tie in ties.items() if field is None or field in tie.fields
    )


def themed_triangles(
    *, session: Session, municipality_id: int | None = None, field: str | None = None, networks: bool = True
) -> list[ThemedTriangle]:
    """三都市連携 by theme: triangles whose three ties all carry `field` (any tie when None), a shared
    network counting as a tie when `networks`."""
    ties = tie_map(session=session, networks=networks)
    found = _graph_of(ties, field).triangles(containing=municipality_id)
    members = _members(session, {node for triple in found for node in triple})
    return [
        ThemedTriangle(
            (members[a], members[b], members[c]),
            (ties[frozenset((a, b))], ties[frozenset((a, c))], ties[frozenset((b, c))]),
        )
        for a, b, c in found
    ]


def themed_open_triads(
    *,
    session: Session,
    municipality_id: int,
    field: str | None = None,
    networks: bool = True,
    limit: int = 100,
) -> list[ThemedTriad]:
    """Candidates for a joint programme around one municipality: two of its ties carrying `field` whose
    other ends are not tied to each other at all (with no field: two ends in one country)."""
    ties = tie_map(session=session, networks=networks)
    everything = _graph_of(ties, None)
    around = sorted(_graph_of(ties, field).neighbours.get(municipality_id, set()))
    members = _members(session, {municipality_id, *around})
    triads: list[ThemedTriad] = []
    for i, b in enumerate(around):
        for c in around[i + 1 :]:
            if c in everything.neighbours[b]:
                continue
            if field is None and members[b].country != members[c].country:
                continue
            triads.append(
                ThemedTriad(
                    members[municipality_id],
                    members[b],
                    members[c],
                    field or members[b].country,
                    (ties[frozenset((municipality_id, b))], ties[frozenset((municipality_id, c))]),
                )
            )
    return triads[:limit]
