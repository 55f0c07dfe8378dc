"""Exchange JSON API on the demo DB: programmes, cases, networks and awards; filters, pages and errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.test_exchange_pages import CONTACT, demo_cases
from tsunagari.db import get_engine
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.schemas import ContactCreate
from tsunagari.session import unit_of_work


@pytest.fixture
def client(demo_client: TestClient) -> TestClient:
    """The shared app on the shared demo database; a private copy for a test marked `writes`."""
    return demo_client


def _all(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _titles(body: dict[str, Any]) -> list[str]:
    return sorted(item["title"] for item in body["items"])


def test_cases_are_the_17_clair_records_and_paginate(client: TestClient) -> None:
    cases = demo_cases()
    body = _all(client, "/api/v1/cases")
    assert body["total"] == 17 and _titles(body) == sorted(c["title"] for c in cases)
    assert sum(item["format"] == "conference" for item in body["items"]) == 12
    assert sum(item["format"] == "people" for item in body["items"]) == 5
    assert all(item["is_case"] for item in body["items"])
    first = client.get("/api/v1/cases", params={"limit": 5, "offset": 0}).json()
    second = client.get("/api/v1/cases", params={"limit": 5, "offset": 15}).json()
    assert first["total"] == second["total"] == 17
    assert (len(first["items"]), len(second["items"]), second["offset"]) == (5, 2, 15)
    response = client.get("/api/v1/cases")
    assert response.headers["ETag"] and "max-age" in response.headers["Cache-Control"]
    assert _all(client, "/api/v1/programmes")["total"] > 17


def test_cases_filtered_by_environment_and_conference(client: TestClient) -> None:
    expected = sorted(
        c["title"] for c in demo_cases() if "environment" in c["fields"] and c["format"] == "conference"
    )
    body = _all(client, "/api/v1/cases", field="environment", format="conference")
    assert body["total"] == len(expected) == 6 and _titles(body) == expected
    assert "世界冬の都市市長会" in expected
    # /programmes has the same filter and also the environment conference that is not a CLAIR case.
    everything = _titles(_all(client, "/api/v1/programmes", field="environment", format="conference"))
    assert set(expected) < set(everything) and "姉妹友好都市間地球市民環境会議" in everything


def test_cases_filtered_by_country_fiscal_year_municipality_and_text(client: TestClient) -> None:
    korean = _all(client, "/api/v1/cases", country="kr")
    assert "日韓海峡沿岸県市道交流知事会議" in _titles(korean)
    assert all(any((p["country"] or "") == "KR" for p in item["partners"]) for item in korean["items"])
    in_2010 = _titles(_all(client, "/api/v1/cases", fiscal_year=2010))
    assert "世界ニューキャッスル(新城)サミット" in in_2010 and "シティーズ・フォー・モビリティ" not in in_2010
    in_2008 = _titles(_all(client, "/api/v1/cases", fiscal_year=2008))
    assert "国際徐福シンポジウム開催" in in_2008 and "シティーズ・フォー・モビリティ" in in_2008
    found = _all(client, "/api/v1/cases", q="ノイブルグ")
    assert _titles(found) == ["世界ニューキャッスル(新城)サミット"]
    sapporo = found_owner = _all(client, "/api/v1/cases", q="冬の都市")["items"][0]["owners"][0]
    assert found_owner["name"] == "札幌市"
    assert _titles(_all(client, "/api/v1/cases", municipality=sapporo["id"])) == ["世界冬の都市市長会"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/cases", {"fiscal_year": "abc"}, "fiscal_year"),
        ("/api/v1/programmes", {"format": "planet"}, "format"),
        ("/api/v1/cases", {"field": "astrology"}, "field"),
        ("/api/v1/programmes", {"country": "KOR"}, "country"),
        ("/api/v1/cases", {"limit": 0}, "limit"),
        ("/api/v1/networks", {"kind": "cult"}, "kind"),
    ],
)
def test_bad_parameters_give_422_naming_them(
    client: TestClient, path: str, params: dict[str, Any], field: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and [p["field"] for p in error["problems"]] == [field]


@pytest.mark.parametrize(
    "path", ["/api/v1/programmes/999999", "/api/v1/networks/999999", "/api/v1/cases?municipality=999999"]
)
def test_unknown_ids_give_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_programme_detail_keeps_unresolved_partner_text_flagged(client: TestClient) -> None:
    item = _all(client, "/api/v1/cases", q="ノイブルグ")["items"][0]
    detail = client.get(f"/api/v1/programmes/{item['id']}").json()
    waiting = [p for p in detail["partners"] if p["awaiting_review"]]
    assert sorted(p["written_name"] for p in waiting) == sorted(
        ["ドイツ ノイブルグ市", "イギリス アポインタインニューキャッスル市"]
    )
    assert all(p["party"] is None and p["name"] == p["written_name"] for p in waiting)
    assert len(detail["partners"]) == 5
    years = detail["fiscal_years"]
    assert (years["held_fy"], years["series_since_fy"], years["every_n_years"]) == ([2010], 1998, 2)


def test_programme_detail_of_kanazawa_nancy_students_and_its_activities(client: TestClient) -> None:
    item = _all(client, "/api/v1/programmes", q="留学生相互派遣")["items"][0]
    detail = client.get(f"/api/v1/programmes/{item['id']}").json()
    assert detail["started_on"] == "1974"
    assert [p["name"] for p in detail["partners"]] == ["ナンシー市"]
    minsk = _all(client, "/api/v1/programmes", q="ミンスク市との市民交流")["items"][0]
    activities = client.get(f"/api/v1/programmes/{minsk['id']}").json()["activities"]
    assert [a["start_on"] for a in activities] == ["2002", "2007", "2008"]


def test_network_detail_of_earth_citizens_conference(client: TestClient) -> None:
    networks = _all(client, "/api/v1/networks")
    assert networks["total"] == len(networks["items"]) >= 12
    network = next(n for n in networks["items"] if n["name"] == "姉妹友好都市間地球市民環境会議")
    detail = client.get(f"/api/v1/networks/{network['id']}").json()
    assert len(detail["members"]) == 6
    meetings = [(int(m["held_on"][:4]), m["host"]["name"]) for m in detail["meetings"]]
    assert meetings == [
        (2000, "高崎市"),
        (2002, "サントアンドレ"),
        (2005, "バトルクリーク"),
        (2006, "高崎市"),
        (2007, "承徳"),
        (2009, "プルゼニ"),
    ]


def test_awards_list_the_5th_award(client: TestClient) -> None:
    body = _all(client, "/api/v1/awards", name="姉妹自治体交流表彰")
    fifth = [a for a in body["items"] if a["edition"] == 5]
    assert sorted(a["recipient"]["name"] for a in fifth) == sorted(
        ["高崎市", "金沢市", "宮城・ベラルーシ協会"]
    )
    assert all(a["fiscal_year"] == 2010 and a["criteria_set"] == "clair" for a in fifth)
    assert body["total"] == 3


@pytest.mark.writes
def test_contacts_never_appear_in_exchange_responses(client: TestClient) -> None:
    with unit_of_work(get_engine()) as session:
        kyokai = organisation_service.find_by_name(session=session, name="宮城・ベラルーシ協会")
        assert kyokai is not None
        organisation_service.add_contact(
            session=session, data=ContactCreate(organisation_id=kyokai.id, **CONTACT)
        )
    item = _all(client, "/api/v1/programmes", q="ミンスク市との市民交流")["items"][0]
    bodies = [
        client.get(path).text
        for path in ("/api/v1/programmes?limit=200", "/api/v1/cases", "/api/v1/awards", "/api/v1/networks")
    ] + [client.get(f"/api/v1/programmes/{item['id']}").text]
    for body in bodies:
        for value in CONTACT.values():
            assert value not in body


def test_openapi_documents_the_exchange_endpoints(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    for path in ("programmes", "programmes/{id}", "cases", "networks", "networks/{id}", "awards"):
        assert f"/api/v1/{path}" in paths
