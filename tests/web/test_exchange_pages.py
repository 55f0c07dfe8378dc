"""Public exchange pages on the demo DB: case directory and its filters, programme, network and awards."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.exchange import network_service, pages, programme_service
from tsunagari.exchange.models import Network, Programme
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.schemas import ContactCreate

DEMO_YAML = Path(pages.__file__).parents[1] / "demo" / "data" / "demo.yaml"
CONTACT = {"person_name": "山田太郎", "email": "taro@example.jp", "phone": "03-1234-5678"}


def demo_cases() -> list[dict[str, Any]]:
    """The CLAIR case records of the demo, read straight from the YAML: programmes citing seed 001."""
    data = yaml.safe_load(DEMO_YAML.read_text(encoding="utf-8"))
    return [p for p in data["programmes"] if "001" in [str(s) for s in p.get("sources") or []]]


@pytest.fixture
def client(demo_client: TestClient) -> TestClient:
    """The shared app on the shared demo database; a private copy for a test marked `writes`."""
    return demo_client


@pytest.fixture
def session(demo_session: Session) -> Session:
    return demo_session


def _text(body: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _titles(body: str) -> list[str]:
    return [
        html.unescape(t) for t in re.findall(r'class="case-title" href="/programmes/\d+">([^<]*)</a>', body)
    ]


def _programme(session: Session, title: str) -> Programme:
    found = session.scalars(select(Programme).where(Programme.title == title)).one()
    return found


def _network(session: Session, name: str) -> Network:
    return session.scalars(select(Network).where(Network.name == name)).one()


def test_case_directory_lists_the_17_clair_cases_12_conference_5_people(client: TestClient) -> None:
    cases = demo_cases()
    assert len(cases) == 17
    body = client.get("/cases").text
    titles = _titles(body)
    assert sorted(titles) == sorted(c["title"] for c in cases)
    assert 'data-total="17"' in body
    assert body.count('data-format="conference"') == 12 == sum(c["format"] == "conference" for c in cases)
    assert body.count('data-format="people"') == 5
    # Programmes outside seed 001 are not cases.
    assert "ナンシー市との留学生相互派遣" not in titles
    for control in ("filter-format", "filter-field", "filter-country", "filter-fy", "filter-q"):
        assert f'<label for="{control}">' in body and f'id="{control}"' in body


def test_case_directory_filtered_by_environment_and_conference(client: TestClient) -> None:
    expected = sorted(
        c["title"] for c in demo_cases() if "environment" in c["fields"] and c["format"] == "conference"
    )
    assert expected == sorted(
        [
            "世界冬の都市市長会",
            "シティーズ・フォー・モビリティ",
            "北東アジア地域自治体連合",
            "日韓海峡沿岸県市道交流知事会議",
            "3都市・3大学国際シンポジウム",
            "東アジア経済交流推進機構",
        ]
    )
    body = client.get("/cases", params={"field": "environment", "format": "conference"}).text
    titles = _titles(body)
    assert sorted(titles) == expected
    assert "世界冬の都市市長会" in titles and "北東アジア地域自治体連合" in titles
    assert "島嶼観光政策フォーラム" not in titles  # conference, but tourism only
    assert "姉妹友好都市間地球市民環境会議" not in titles  # environment conference, but not a CLAIR case
    assert '<option value="environment" selected>' in body and '<option value="conference" selected>' in body
    # The HTMX request gets the results only, the same records.
    partial = client.get(
        "/cases", params={"field": "environment", "format": "conference"}, headers={"HX-Request": "true"}
    ).text
    assert "<html" not in partial and sorted(_titles(partial)) == expected


def test_case_directory_filtered_by_country_and_fiscal_year(client: TestClient, session: Session) -> None:
    korean = sorted(
        p.title for p in programme_service.search_programmes(session=session, cases_only=True, country="KR")
    )
    assert {
        "日韓海峡沿岸県市道交流知事会議",
        "東アジア経済交流推進機構",
        "環日本海定期貨客船航路を利用した国際交流事業",
    } <= set(korean)
    assert sorted(_titles(client.get("/cases", params={"country": "KR"}).text)) == korean
    in_2010 = sorted(
        p.title
        for p in programme_service.search_programmes(session=session, cases_only=True, fiscal_year=2010)
    )
    # 平成22年度 (FY2010) records and open-ended ones begun before; 平成19~21年度 ended in FY2009.
    assert "英国友好親善交流事業" in in_2010 and "島嶼観光政策フォーラム" in in_2010
    assert "世界ニューキャッスル(新城)サミット" in in_2010
    assert "シティーズ・フォー・モビリティ" not in in_2010 and "国際徐福シンポジウム開催" not in in_2010
    assert sorted(_titles(client.get("/cases", params={"fiscal_year": "2010"}).text)) == in_2010
    assert sorted(_titles(client.get("/cases", params={"fiscal_year": "平成22年度"}).text)) == in_2010


def test_case_directory_reports_bad_filters_instead_of_failing(client: TestClient) -> None:
    response = client.get("/cases", params={"fiscal_year": "abc", "format": "planet"})
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert len(_titles(response.text)) == 17


def test_programme_page_of_kanazawa_nancy_students(client: TestClient, session: Session) -> None:
    programme = _programme(session, "ナンシー市との留学生相互派遣")
    page = pages.programme_page(session=session, programme_id=programme.id, lang="ja")
    assert page.start_year == 1974
    assert [p.name for p in page.partners] == ["ナンシー市"]
    body = client.get(f"/programmes/{programme.id}").text
    text = _text(body)
    assert '<span class="start-year">1974</span>' in body
    assert "ナンシー市" in text and "金沢市" in text
    # The 5th award's sheet names the whole friendship with Nancy as the undertaking, not this programme.
    assert "姉妹自治体交流表彰（第5回）" not in text
    friendship = _programme(session, "フランス姉妹都市ナンシー市との友好関係の推進")
    assert "姉妹自治体交流表彰（第5回）" in _text(client.get(f"/programmes/{friendship.id}").text)


def test_programme_page_shows_activities_by_year(client: TestClient, session: Session) -> None:
    programme = _programme(session, "国際姉妹都市ミンスク市との市民交流事業")
    body = client.get(f"/programmes/{programme.id}").text
    years = re.findall(r'<h3 id="act-(\d{4})">', body)
    assert years == ["2002", "2007", "2008"]
    assert "仙台公園への桜の植樹" in body and "桜の苗木28本を植えた。" in body
    assert "ミンスク市には両市の交流にちなむ「仙台公園」があり" in body  # results


def test_unresolved_partner_text_is_never_shown_as_a_partner(client: TestClient, session: Session) -> None:
    """Issue 18 item 4: a partner still waiting on the review list is counted ("ほか N 自治体"), not named."""
    programme = _programme(session, "世界ニューキャッスル(新城)サミット")
    unresolved = [p for p in programme.partners if not p.resolved]
    assert {p.written_name for p in unresolved} == {
        "ドイツ ノイブルグ市",
        "イギリス アポインタインニューキャッスル市",
    }
    body = client.get(f"/programmes/{programme.id}").text
    section = body.split('id="partners-h"')[1].split('id="activities-h"')[0]
    partners = re.findall(r'<li class="programme-partner">(.*?)</li>', section, re.S)
    assert len(partners) == len(programme.partners) - 2
    assert not [p.written_name for p in unresolved if p.written_name in section]
    assert "ほか 2 自治体" in section and "要確認" not in body
    directory = client.get("/cases", params={"q": "ノイブルグ"}).text
    assert _titles(directory) == ["世界ニューキャッスル(新城)サミット"]
    assert "ほか 2 自治体" in directory and "要確認" not in directory


def test_network_page_of_earth_citizens_conference(client: TestClient, session: Session) -> None:
    network = _network(session, "姉妹友好都市間地球市民環境会議")
    body = client.get(f"/networks/{network.id}").text
    members = [_text(li) for li in re.findall(r'<li class="member">(.*?)</li>', body, re.S)]
    assert len(members) == 6
    for name in ("高崎市", "バトルクリーク", "サントアンドレ", "承徳", "プルゼニ", "モンテンルパ"):
        assert any(name in m for m in members), name
    meetings = [
        (year, _text(host).strip())
        for year, host in re.findall(
            r'<li class="meeting"><span class="year">(\d{4})</span> <span class="host">(.*?)</span>', body
        )
    ]
    assert meetings == [
        ("2000", "高崎市"),
        ("2002", "サントアンドレ"),
        ("2005", "バトルクリーク"),
        ("2006", "高崎市"),
        ("2007", "承徳"),
        ("2009", "プルゼニ"),
    ]
    assert 'data-points="' in body
    points = re.search(r'data-points="([^"]*)"', body)
    assert points is not None and "高崎市" in html.unescape(points.group(1))


def test_networks_index_links_every_network(client: TestClient, session: Session) -> None:
    body = client.get("/networks").text
    for network in network_service.list_networks(session=session):
        assert f'href="/networks/{network.id}"' in body


def test_awards_page_shows_the_5th_award_and_the_six_criteria(client: TestClient) -> None:
    body = client.get("/awards").text
    text = _text(body)
    assert "姉妹自治体交流表彰（第5回）" in text
    for recipient in ("高崎市", "金沢市", "宮城・ベラルーシ協会"):
        assert re.search(r'<article class="award"[^>]*>\s*<h3[^>]*>(<a [^>]*>)?' + recipient, body), recipient
    criteria = re.search(r'<ul class="inline-list criteria">(.*?)</ul>', body, re.S)
    assert criteria is not None
    assert _text(criteria.group(1)).split() == ["先進性", "独自性", "継続性", "活発性", "協働性", "成果"]


def test_english_switch_on_the_exchange_pages(client: TestClient, session: Session) -> None:
    body = client.get("/cases", params={"field": "environment", "format": "conference", "lang": "en"}).text
    assert '<html lang="en">' in body and "Case directory" in body
    assert '<option value="environment" selected>Environment</option>' in body
    assert "Conference format" in body
    network = _network(session, "姉妹友好都市間地球市民環境会議")
    english = client.get(f"/networks/{network.id}").text  # the cookie keeps English
    assert "Meetings by year" in english and "Takasaki" in english
    assert "Innovation" in client.get("/awards").text
    programme = _programme(session, "ナンシー市との留学生相互派遣")
    assert "Activities by year" in client.get(f"/programmes/{programme.id}").text
    assert "and 2 other local governments" in client.get("/cases", params={"q": "ノイブルグ"}).text


def test_unknown_ids_give_404_pages(client: TestClient) -> None:
    assert client.get("/programmes/999999").status_code == 404
    assert client.get("/networks/999999").status_code == 404


@pytest.mark.writes
def test_contacts_never_appear_on_exchange_pages(client: TestClient, session: Session) -> None:
    kyokai = organisation_service.find_by_name(session=session, name="宮城・ベラルーシ協会")
    assert kyokai is not None
    organisation_service.add_contact(
        session=session, data=ContactCreate(organisation_id=kyokai.id, **CONTACT)
    )
    takasaki = _network(session, "姉妹友好都市間地球市民環境会議").memberships[0].municipality
    assert takasaki is not None
    organisation_service.add_contact(
        session=session, data=ContactCreate(municipality_id=takasaki.id, **CONTACT)
    )
    session.commit()
    network = _network(session, "姉妹友好都市間地球市民環境会議")
    programme = _programme(session, "国際姉妹都市ミンスク市との市民交流事業")
    for path in (
        "/cases",
        "/programmes",
        "/awards",
        "/networks",
        f"/networks/{network.id}",
        f"/programmes/{programme.id}",
    ):
        body = client.get(path).text
        for value in CONTACT.values():
            assert value not in body, (path, value)
