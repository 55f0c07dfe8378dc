"""三都市連携 with themes: triangles and open triads filtered by field, a shared multilateral network counting
as a tie, on a small fixture added to the demo (SQLite and PostgreSQL), and on the CLI."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tsunagari.analytics import service as analytics_service
from tsunagari.cli.main import app
from tsunagari.errors import InvalidInput
from tsunagari.exchange import network_service
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.schemas import PartnershipCreate

runner = CliRunner()


def _city(session: Session, name: str, country: str = "JP") -> Municipality:
    return municipality_service.create(session=session, data=MunicipalityCreate(name=name, country=country))


def _link(session: Session, a: Municipality, b: Municipality, fields: list[str]) -> None:
    partnership_service.create(
        session=session,
        data=PartnershipCreate(
            home_municipality_id=a.id, partner_municipality_id=b.id, type="sister_city", fields=fields
        ),
    )


def _fixture(session: Session) -> dict[str, Municipality]:
    """A–B environment, A–C environment and culture, A–D culture, A–E environment; B and C are not
    partners but both belong to 環境テスト連合 (environment); E is tied to no one else."""
    cities = {key: _city(session, f"主題テスト{key}市") for key in "ABCDE"}
    _link(session, cities["A"], cities["B"], ["environment"])
    _link(session, cities["A"], cities["C"], ["environment", "culture"])
    _link(session, cities["A"], cities["D"], ["culture"])
    _link(session, cities["A"], cities["E"], ["environment"])
    network = network_service.create_network(
        session=session, data={"name": "環境テスト連合", "kind": "association", "fields": ["environment"]}
    )
    for key in "BC":
        network_service.add_membership(
            session=session, data={"network_id": network.id, "municipality_id": cities[key].id}
        )
    return cities


def _names(members: tuple[Municipality | analytics_service.Member, ...]) -> list[str]:
    return sorted(m.name for m in members)


def test_a_shared_network_closes_a_triangle_in_its_field(session: Session) -> None:
    c = _fixture(session)
    found = analytics_service.themed_triangles(
        session=session, municipality_id=c["A"].id, field="environment"
    )
    assert [_names(t.members) for t in found] == [["主題テストA市", "主題テストB市", "主題テストC市"]]
    [triangle] = found
    ab, ac, bc = triangle.ties
    assert ab.partnership_types == ("sister_city",) and ab.networks == ()
    assert ac.fields[:2] == ("environment", "culture")
    assert bc.partnership_types == () and bc.networks == ("環境テスト連合",) and bc.fields == ("environment",)
    # partnerships only: B and C are not partners, so no triangle
    assert (
        analytics_service.themed_triangles(
            session=session, municipality_id=c["A"].id, field="environment", networks=False
        )
        == []
    )
    # in culture, A–B carries no culture: no triangle either
    assert (
        analytics_service.themed_triangles(session=session, municipality_id=c["A"].id, field="culture") == []
    )


def test_open_triads_in_a_field_leave_out_pairs_a_network_already_ties(session: Session) -> None:
    c = _fixture(session)
    around = c["A"].id
    with_networks = analytics_service.themed_open_triads(
        session=session, municipality_id=around, field="environment"
    )
    assert sorted(_names((t.first, t.second)) for t in with_networks) == [
        ["主題テストB市", "主題テストE市"],
        ["主題テストC市", "主題テストE市"],
    ]
    assert {t.shared for t in with_networks} == {"environment"}
    partnerships_only = analytics_service.themed_open_triads(
        session=session, municipality_id=around, field="environment", networks=False
    )
    assert len(partnerships_only) == 3  # B–C, B–E, C–E
    culture = analytics_service.themed_open_triads(session=session, municipality_id=around, field="culture")
    assert [(_names((t.first, t.second)), t.shared) for t in culture] == [
        (["主題テストC市", "主題テストD市"], "culture")
    ]


def test_a_field_is_read_as_code_or_label_and_an_unknown_one_is_refused() -> None:
    assert analytics_service.field_option("環境") == "environment"
    assert analytics_service.field_option("Environment") == "environment"
    assert analytics_service.field_option(None) is None
    with pytest.raises(InvalidInput) as refused:
        analytics_service.field_option("宇宙")
    assert refused.value.problems[0].field == "field"


def test_the_demo_conference_network_makes_takasakis_sister_cities_a_themed_clique(session: Session) -> None:
    takasaki = municipality_service.find_by_name(session=session, name="高崎市")[0]
    found = analytics_service.themed_triangles(
        session=session, municipality_id=takasaki.id, field="environment"
    )
    # 5 sister cities, all members of 姉妹友好都市間地球市民環境会議 with 高崎市: C(5, 2) triangles through it
    assert len(found) == 10
    assert all("姉妹友好都市間地球市民環境会議" in t.ties[2].networks for t in found)
    assert (
        analytics_service.themed_triangles(
            session=session, municipality_id=takasaki.id, field="environment", networks=False
        )
        == []
    )


def test_cli_triangles_and_triads_by_field(cli_database: str) -> None:
    result = runner.invoke(
        app, ["analyze", "triangles", "--municipality", "高崎市", "--field", "environment", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 10 and all(len(row["ties"]) == 3 for row in rows)
    assert all("environment" in tie["fields"] for row in rows for tie in row["ties"])
    only = runner.invoke(
        app,
        ["analyze", "triangles", "--municipality", "高崎市", "--field", "環境", "--no-networks", "--json"],
    )
    assert only.exit_code == 0 and json.loads(only.stdout) == []
    triads = runner.invoke(
        app, ["analyze", "triads", "--municipality", "武蔵野市", "--field", "environment", "--json"]
    )
    assert triads.exit_code == 0, triads.output
    pairs = json.loads(triads.stdout)
    assert pairs and all(p["shared"] == "environment" and p["hub"]["name"] == "武蔵野市" for p in pairs)
    refused = runner.invoke(app, ["analyze", "triangles", "--field", "宇宙"])
    assert refused.exit_code == 2 and "宇宙" in refused.output
