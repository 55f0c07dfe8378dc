"""The citizen's directory over HTTP: search paging, filters and "did you mean", the map, anniversaries of
any year, the prefecture and country indexes, their downloads, and the API's refusal of unknown filters."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

MUSASHINO = "武蔵野市"


def test_search_pages_through_every_result_with_the_query_in_the_address(
    shared_demo_client: TestClient,
) -> None:
    first = shared_demo_client.get("/search", params={"q": "市"})
    assert first.status_code == 200
    assert 'data-total="' in first.text
    total = int(first.text.split('data-total="')[1].split('"')[0])
    assert total > 20
    assert 'href="/search?q=%E5%B8%82&amp;page=2"' in first.text
    second = shared_demo_client.get("/search", params={"q": "市", "page": "2"})
    assert 'aria-current="page">2<' in second.text
    assert second.text.count('class="result-name"') == min(20, total - 20)


def test_search_filters_by_prefecture_and_type(shared_demo_client: TestClient) -> None:
    tokyo = shared_demo_client.get("/search", params={"prefecture": "東京都", "type": "friendship_city"})
    assert tokyo.status_code == 200
    assert MUSASHINO in tokyo.text
    assert "札幌市" not in tokyo.text


def test_search_keeps_each_chosen_filter_selected_and_only_it(shared_demo_client: TestClient) -> None:
    # The options are written once per language and choice: a choice must not leak into another page.
    chosen = shared_demo_client.get(
        "/search", params={"q": "市", "prefecture": "東京都", "country": "FR", "type": "friendship_city"}
    )
    assert '<option value="東京都" selected>東京都</option>' in chosen.text
    assert '<option value="FR" selected>フランス</option>' in chosen.text
    assert '<option value="friendship_city" selected>' in chosen.text
    assert chosen.text.count(" selected>") == 3
    plain = shared_demo_client.get("/search", params={"q": "市", "lang": "en"})
    assert '<option value="FR">France</option>' in plain.text
    assert " selected>" not in plain.text


def test_search_marks_an_unknown_filter_value(shared_demo_client: TestClient) -> None:
    found = shared_demo_client.get("/search", params={"q": "市", "country": "ZZ"})
    assert 'aria-invalid="true" aria-describedby="error-country"' in found.text
    assert "「ZZ」は選択肢にありません" in found.text
    assert 'class="result-name"' not in found.text


def test_a_misspelling_offers_did_you_mean(shared_demo_client: TestClient) -> None:
    found = shared_demo_client.get("/search", params={"q": "Musashno"})
    assert 'data-total="0"' in found.text
    suggestion = found.text.split('class="did-you-mean"')[1].split("</p>")[0]
    assert MUSASHINO in suggestion


def test_map_filters_by_type_and_refuses_an_unknown_one(shared_demo_client: TestClient) -> None:
    everything = shared_demo_client.get("/map")
    sister = shared_demo_client.get("/map", params={"type": "sister_city"})
    count = lambda r: int(r.text.split('data-total="')[1].split('"')[0])  # noqa: E731
    assert 0 < count(sister) < count(everything)
    wrong = shared_demo_client.get("/map", params={"type": "twinned"})
    assert wrong.status_code == 422
    assert "「twinned」は選択肢にありません" in wrong.text


def test_anniversaries_of_any_year(shared_demo_client: TestClient) -> None:
    page = shared_demo_client.get("/anniversaries/2027")
    assert page.status_code == 200
    assert "2027" in page.text
    redirected = shared_demo_client.get("/anniversaries", params={"year": "2030"}, follow_redirects=False)
    assert redirected.status_code == 303
    assert redirected.headers["location"] == "/anniversaries/2030"
    assert shared_demo_client.get("/anniversaries/3000").status_code == 404


def test_indexes_list_every_prefecture_and_the_partner_countries(shared_demo_client: TestClient) -> None:
    prefectures = shared_demo_client.get("/prefectures")
    assert prefectures.text.count("<tr><td>") == 47
    assert 'href="/prefectures/東京都"' in prefectures.text
    english = shared_demo_client.get("/prefectures", params={"lang": "en"})
    assert ">Tokyo" in english.text
    countries = shared_demo_client.get("/countries")
    assert 'href="/countries/RO"' in countries.text
    assert "ルーマニア" in countries.text


def test_country_and_prefecture_pages_download_csv_and_xlsx(shared_demo_client: TestClient) -> None:
    page = shared_demo_client.get("/countries/RO")
    assert 'href="/countries/RO/partnerships.xlsx"' in page.text
    body = shared_demo_client.get("/countries/RO/partnerships.csv")
    assert body.status_code == 200
    # The list-download shape (tests/portal/test_list_downloads.py): Japanese headers, labels, 和暦.
    rows = list(csv.DictReader(io.StringIO(body.content.decode("utf-8-sig"))))
    assert rows and {r["相手方の国"] for r in rows} == {"ルーマニア"}
    assert MUSASHINO in {r["自治体"] for r in rows}
    xlsx = shared_demo_client.get("/prefectures/東京都/partnerships.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[0] == "自治体"
    assert MUSASHINO in {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert shared_demo_client.get("/countries/RO/partnerships.pdf").status_code == 404


def test_api_lists_refuse_an_unknown_filter_naming_it(shared_demo_client: TestClient) -> None:
    refused = shared_demo_client.get("/api/v1/partnerships", params={"prefecture": "山形県"})
    assert refused.status_code == 422
    problems = refused.json()["error"]["problems"]
    assert [(p["field"], p["value"]) for p in problems] == [("prefecture", "山形県")]
    assert "unknown query parameter" in problems[0]["reason"]
    for path in ("/api/v1/municipalities", "/api/v1/search?q=x", "/api/v1/stats", "/api/v1/map"):
        answer = shared_demo_client.get(path, params={"colour": "blue"})
        assert answer.status_code == 422, path
        assert answer.json()["error"]["problems"][0]["field"] == "colour"
    assert shared_demo_client.get("/api/v1/partnerships", params={"country": "RO"}).status_code == 200


def test_api_docs_load_only_vendored_assets(shared_demo_client: TestClient) -> None:
    docs = shared_demo_client.get("/docs").text
    redoc = shared_demo_client.get("/redoc").text
    for html in (docs, redoc):
        assert "cdn.jsdelivr" not in html and "https://" not in html
        assert "<script>" not in html  # nothing inline: the Content-Security-Policy allows none
    for asset in (
        "/static/vendor/swagger-ui-dist-5.36.0/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui-dist-5.36.0/swagger-ui.css",
        "/static/vendor/redoc-2.5.4/redoc.standalone.js",
        "/static/api-docs.js",
    ):
        assert asset in docs + redoc
        assert shared_demo_client.get(asset).status_code == 200


def test_a_merged_municipality_leads_to_its_successors_partners(shared_demo_client: TestClient) -> None:
    toga = shared_demo_client.get("/api/v1/search", params={"q": "利賀村"}).json()["items"][0]
    page = shared_demo_client.get(f"/municipalities/{toga['id']}")
    notice = page.text.split('class="notice merged-notice"')[1].split("</p>")[0]
    assert "南砺市" in notice and "#partners-h" in notice
    assert "Printable brochure" not in page.text and "印刷用パンフレット" not in page.text
