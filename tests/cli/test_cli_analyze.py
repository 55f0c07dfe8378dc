"""`tsunagari analyze …` JSON shapes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tsunagari.cli.main import app

runner = CliRunner()


def test_anniversaries_json_shape(cli_database: str) -> None:
    result = runner.invoke(app, ["analyze", "anniversaries", "--year", "2026", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {"municipality", "partner", "type", "signed_on", "years"} <= rows[0].keys()
    assert {
        "municipality": "高崎市",
        "partner": "バトルクリーク",
        "type": "sister_city",
        "signed_on": "1981-07-01",
        "years": 45,
    }.items() <= rows[0].items()


def test_gatherings_json_shape(cli_database: str) -> None:
    result = runner.invoke(app, ["analyze", "gatherings", "--country", "フランス", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["municipality"] == "金沢市" and rows[0]["partners"] == ["ナンシー市"]


def test_triangles_json_is_a_list(cli_database: str) -> None:
    result = runner.invoke(app, ["analyze", "triangles", "--no-networks", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []  # the demo data has no three mutual partners
    # counting a shared network as a tie, the members of one network close triangles
    with_networks = json.loads(runner.invoke(app, ["analyze", "triangles", "--json"]).stdout)
    assert with_networks and all(any(tie["networks"] for tie in row["ties"]) for row in with_networks)


def test_an_unknown_country_exits_2(cli_database: str) -> None:
    result = runner.invoke(app, ["analyze", "gatherings", "--country", "Atlantis"])
    assert result.exit_code == 2


def test_suggest_lists_partners_of_partners(cli_database: str) -> None:
    result = runner.invoke(app, ["analyze", "suggest", "武蔵野市", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert {"partner_of_partner", "open_triads"} <= body.keys()
