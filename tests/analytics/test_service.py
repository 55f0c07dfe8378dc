"""Analyses on the demo data plus partnerships added in the test, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tsunagari.analytics import service as analytics_service
from tsunagari.analytics.graph import PartnershipGraph
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.schemas import PartnershipCreate


def _city(session: Session, name: str, name_en: str, country: str) -> Municipality:
    return municipality_service.create(
        session=session, data=MunicipalityCreate(name=name, name_en=name_en, country=country)
    )


def _link(session: Session, a: Municipality, b: Municipality, signed: dt.date | None = None) -> None:
    partnership_service.create(
        session=session,
        data=PartnershipCreate(
            home_municipality_id=a.id, partner_municipality_id=b.id, type="sister_city", signed_on=signed
        ),
    )


def test_graph_triangles_match_a_brute_force_count() -> None:
    edges = [(1, 2), (2, 3), (1, 3), (3, 4), (4, 5), (3, 5), (5, 6), (1, 4)]
    graph = PartnershipGraph.from_edges(edges)
    linked = {frozenset(e) for e in edges}
    nodes = sorted({n for e in edges for n in e})
    brute = [
        (a, b, c)
        for i, a in enumerate(nodes)
        for j, b in enumerate(nodes[i + 1 :], i + 1)
        for c in nodes[j + 1 :]
        if {frozenset((a, b)), frozenset((b, c)), frozenset((a, c))} <= linked
    ]
    assert graph.triangles() == brute == [(1, 2, 3), (1, 3, 4), (3, 4, 5)]
    assert graph.triangles(containing=4) == [(1, 3, 4), (3, 4, 5)]


def test_kanazawa_suzhou_jeonju_is_a_three_city_link(session: Session) -> None:
    kanazawa = municipality_service.find_by_name(session=session, name="金沢市")[0]
    suzhou = _city(session, "蘇州市", "Suzhou", "CN")
    jeonju = _city(session, "全州市", "Jeonju", "KR")
    _link(session, kanazawa, suzhou)
    _link(session, kanazawa, jeonju)
    _link(session, suzhou, jeonju)
    found = analytics_service.triangles(session=session, municipality_id=kanazawa.id)
    assert [sorted(m.name_en or "" for m in t) for t in found] == [["Jeonju", "Kanazawa City", "Suzhou"]]
    assert any(
        {m.id for m in t} == {kanazawa.id, suzhou.id, jeonju.id}
        for t in analytics_service.triangles(session=session)
    )


def test_gatherings_rank_japanese_municipalities_by_partners_in_a_country(session: Session) -> None:
    musashino = municipality_service.find_by_name(session=session, name="武蔵野市")[0]
    _link(session, musashino, _city(session, "ストラスブール市", "Strasbourg", "FR"))
    _link(session, musashino, _city(session, "リヨン市", "Lyon", "FR"))
    found = analytics_service.gatherings(session=session, country="FR")
    assert found[0].municipality.name == "武蔵野市" and len(found[0].partners) == 2
    assert any(
        g.municipality.name == "金沢市" and [p.name_en for p in g.partners] == ["Nancy"] for g in found
    )


def test_open_triads_pair_unlinked_partners_in_one_country(session: Session) -> None:
    musashino = municipality_service.find_by_name(session=session, name="武蔵野市")[0]
    triads = analytics_service.open_triads(session=session, municipality_id=musashino.id)
    korean = [t for t in triads if t.shared == "KR"]
    assert len(korean) == 1  # 江東区 (Seoul) and 忠州市 are both Musashino's partners, not each other's
    japanese = [t for t in triads if t.shared == "JP"]
    assert len(japanese) == 9 * 8 // 2


def test_partner_of_partner_suggestions_go_through_a_shared_partner(session: Session) -> None:
    kanazawa = municipality_service.find_by_name(session=session, name="金沢市")[0]
    takasaki = municipality_service.find_by_name(session=session, name="高崎市")[0]
    _link(session, kanazawa, takasaki)
    suggestions = analytics_service.partner_of_partner(session=session, municipality_id=kanazawa.id)
    names = {s.candidate.name_en for s in suggestions}
    assert "Battle Creek" in names and "Plzeň" in names
    battle_creek = next(s for s in suggestions if s.candidate.name_en == "Battle Creek")
    assert [t.name for t in battle_creek.through] == ["高崎市"]
    assert battle_creek.distance_km is not None and 9000 < battle_creek.distance_km < 12000


def test_anniversaries_are_every_five_years_from_ten(session: Session) -> None:
    found = analytics_service.anniversaries(session=session, year=2026)
    by_partner = {a.partner: a.years for a in found}
    assert by_partner["バトルクリーク"] == 45  # 1981-07-01
    assert by_partner["モンテンルパ"] == 20  # 2006-10-28
    assert "ナンシー市" not in by_partner  # 1973: 53 years
    assert analytics_service.anniversaries(session=session, year=2023)[0].years == 50
