"""/api/v1/seeking, /api/v1/matches, the /seeking pages and `tsunagari match --json` on the demo data."""

from __future__ import annotations

import json

import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tsunagari.cli import match as match_cli
from tsunagari.matching.vocabulary import ENGLISH_SPEAKING

runner = CliRunner()
app = typer.Typer()
app.command()(match_cli.match)
app.command("noop")(lambda: None)  # a second command keeps `match` a subcommand, as in the real CLI


def _profile_id(client: TestClient, name: str) -> int:
    listing = client.get("/api/v1/seeking", params={"limit": 100}).json()
    [found] = [p for p in listing["items"] if p["municipality"]["name"] == name]
    return int(found["id"])


def test_the_directory_api_both_ways(shared_demo_client: TestClient) -> None:
    client = shared_demo_client
    everything = client.get("/api/v1/seeking").json()
    assert everything["total"] == 9
    abroad = client.get("/api/v1/seeking", params={"direction": "abroad"}).json()
    assert abroad["total"] == 6 and {p["direction"] for p in abroad["items"]} == {"abroad"}
    nagi = next(p for p in abroad["items"] if p["municipality"]["name"] == "奈義町")
    assert set(nagi["hoped_countries"]) == {"AU", "US", "GB", "CA", "NZ"}
    assert nagi["hoped_areas"] == ["english_speaking"] and nagi["illustrative"] is False
    japan = client.get("/api/v1/seeking", params={"direction": "japan", "country": "us"}).json()
    assert [p["municipality"]["name_en"] for p in japan["items"]] == ["Battle Creek"]
    assert japan["items"][0]["illustrative"] is True
    assert client.get("/api/v1/seeking", params={"field": "education"}).json()["total"] == 2


def test_bad_filters_are_refused(shared_demo_client: TestClient) -> None:
    client = shared_demo_client
    for params in (
        {"field": "カラオケ"},
        {"direction": "sideways"},
        {"country": "USA"},
        {"prefecture": "岡山県"},
    ):
        response = client.get("/api/v1/seeking", params=params)
        assert response.status_code == 422, params
    assert client.get("/api/v1/seeking/2147483648").status_code in (404, 422)
    assert client.get("/api/v1/seeking/999999").status_code == 404


def test_matches_api_gives_every_part_of_the_score(shared_demo_client: TestClient) -> None:
    client = shared_demo_client
    nagi = _profile_id(client, "奈義町")
    matches = client.get(f"/api/v1/seeking/{nagi}/matches", params={"limit": 50}).json()
    english = [m["candidate"]["country"] in ENGLISH_SPEAKING for m in matches]
    assert sum(english) >= 3 and english == sorted(english, reverse=True)  # English-speaking ones first
    for m in matches:
        assert set(m) == {"candidate", "score", "reasons"}
        assert set(m["candidate"]) == {"id", "name", "name_en", "country"}
        assert abs(m["score"] - sum(r["points"] for r in m["reasons"])) < 0.01
        assert all({"kind", "weight", "detail"} <= set(r) for r in m["reasons"])
    profile = client.get(f"/api/v1/seeking/{nagi}").json()
    same = client.get("/api/v1/matches", params={"municipality": profile["municipality"]["id"], "limit": 50})
    assert same.json() == matches


def test_pages_in_japanese_and_english(shared_demo_client: TestClient) -> None:
    client = shared_demo_client
    directory = client.get("/seeking", params={"direction": "abroad"})
    assert directory.status_code == 200
    assert (
        "提携希望" in directory.text and "奈義町" in directory.text and "バトルクリーク" not in directory.text
    )
    nagi = _profile_id(client, "奈義町")
    page = client.get(f"/seeking/{nagi}")
    assert page.status_code == 200 and "候補" in page.text and "英語圏" in page.text
    assert "バトルクリーク" in page.text  # the first candidate, with its reasons
    english = client.get(f"/seeking/{nagi}", params={"lang": "en"})
    assert "Candidates" in english.text and "English-speaking countries" in english.text
    assert client.get("/seeking/999999").status_code == 404
    client.cookies.clear()


def test_match_cli_json(cli_database: str) -> None:
    result = runner.invoke(app, ["match", "奈義町", "--json", "--limit", "3"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3 and rows[0]["candidate"]["name_en"] == "Battle Creek"
    assert all(row["candidate"]["country"] in ENGLISH_SPEAKING for row in rows)
    assert {"kind", "weight", "detail"} <= set(rows[0]["reasons"][0])
    unknown = runner.invoke(app, ["match", "どこにもない町", "--json"])
    assert unknown.exit_code == 1
    ambiguous = runner.invoke(app, ["match", "府中市"])
    assert ambiguous.exit_code == 2 and "府中市" in ambiguous.output
