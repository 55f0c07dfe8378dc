"""Every public list page downloads as CSV and XLSX (issue 15 item 5): Japanese headers (English with
?lang=en), 和暦 beside 西暦, partner JIS codes, labels rather than codes, the page's filters kept in the
links, and workbooks with widths, a bold frozen header, an autofilter and the licence on an "about" sheet."""

from __future__ import annotations

import csv
import html
import io
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from tsunagari.municipality import service as municipality_service


def _csv(client: TestClient, path: str, **params: str) -> list[dict[str, str]]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    assert 'rel="license"' in response.headers["link"]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _sheet(client: TestClient, path: str, **params: str) -> Worksheet:
    """The workbook's first sheet, checked for the formatting every list download has."""
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = list(sheet[1])
    assert header and all(cell.font.bold for cell in header)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}{max(sheet.max_row, 1)}"
    for index in range(1, len(header) + 1):
        width = sheet.column_dimensions[get_column_letter(index)].width
        assert width is not None and width >= 6
    # The header's own column is wide enough for the header (a CJK character counts two).
    first = str(header[0].value)
    assert (sheet.column_dimensions["A"].width or 0) >= len(first)
    about = [[c.value for c in row] for row in book["about"].iter_rows()]
    assert about[0] == ["dataset", "licence", "licence_url", "attribution"]
    assert any(row[1] and row[1].startswith("CC BY") for row in about[1:])
    return sheet


def _rows(sheet: Worksheet) -> list[dict[str, Any]]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def _links(client: TestClient, page: str, base: str, **params: str) -> None:
    """The page links its CSV and XLSX, with the same filters in the address."""
    body = client.get(page, params=params).text
    query = f"?{urlencode(params)}" if params else ""
    for fmt in ("csv", "xlsx"):
        assert f'href="{html.escape(f"{base}.{fmt}{query}")}"' in body, (page, base, fmt)


def _id(session: Session, jis_code: str) -> int:
    found = municipality_service.get_by_jis_code(session=session, jis_code=jis_code)
    assert found is not None
    return found.id


# --------------------------------------------------------------------------- partnerships
def test_country_page_downloads_its_partnerships_with_wareki(shared_demo_client: TestClient) -> None:
    _links(shared_demo_client, "/countries/RU", "/countries/RU/partnerships")
    rows = _csv(shared_demo_client, "/countries/RU/partnerships.csv")
    yakutsk = next(r for r in rows if r["相手先"] == "ヤクーツク市")
    assert yakutsk["自治体"] == "村山市" and yakutsk["自治体コード"] == "062081"
    assert yakutsk["締結日（西暦）"] == "1992-04-21" and yakutsk["締結日（和暦）"] == "平成4年4月21日"
    assert yakutsk["種別"] == "姉妹都市" and yakutsk["相手方の国"] == "ロシア連邦"
    sheet = _sheet(shared_demo_client, "/countries/RU/partnerships.xlsx")
    assert "締結日（和暦）" in [c.value for c in sheet[1]]
    assert shared_demo_client.get("/countries/RU/partnerships.pdf").status_code == 404


def test_prefecture_page_downloads_with_partner_jis_codes(shared_demo_client: TestClient) -> None:
    _links(shared_demo_client, "/prefectures/山形県", "/prefectures/%E5%B1%B1%E5%BD%A2%E7%9C%8C/partnerships")
    rows = _csv(shared_demo_client, "/prefectures/山形県/partnerships.csv")
    akkeshi = next(r for r in rows if r["相手先"] == "厚岸町" and r["種別"] == "友好都市")
    assert akkeshi["相手の自治体コード"] == "016624"  # a Japanese partner carries its JIS code
    assert akkeshi["締結日（和暦）"] == "平成3年7月15日"
    yakutsk = next(r for r in rows if r["相手先"] == "ヤクーツク市")
    assert yakutsk["相手の自治体コード"] == ""  # a foreign partner has none
    _sheet(shared_demo_client, "/prefectures/山形県/partnerships.xlsx")


def test_decades_list_and_a_decade_page_download(shared_demo_client: TestClient) -> None:
    index = shared_demo_client.get("/decades")
    assert index.status_code == 200 and 'href="/decades/1990"' in index.text
    _links(shared_demo_client, "/decades", "/decades")
    rows = _csv(shared_demo_client, "/decades.csv")
    nineties = next(r for r in rows if r["年代"] == "1990年代")
    assert nineties["年代（西暦）"] == "1990–1999" and nineties["年代（和暦）"] == "平成2年〜平成11年"
    assert int(nineties["提携数"]) >= 3
    _sheet(shared_demo_client, "/decades.xlsx")
    page = shared_demo_client.get("/decades/1970")
    assert page.status_code == 200 and "ナンシー市" in page.text and "ヤクーツク市" not in page.text
    _links(shared_demo_client, "/decades/1970", "/decades/1970/partnerships")
    seventies = _csv(shared_demo_client, "/decades/1970/partnerships.csv")
    nancy = next(r for r in seventies if r["相手先"] == "ナンシー市")
    assert nancy["自治体コード"] == "172014" and nancy["締結日（和暦）"] == "昭和48年10月12日"
    assert all(r["締結日（西暦）"].startswith("197") for r in seventies)
    _sheet(shared_demo_client, "/decades/1970/partnerships.xlsx")
    assert shared_demo_client.get("/decades/1975").status_code == 404


def test_anniversaries_of_a_year_download(shared_demo_client: TestClient) -> None:
    _links(shared_demo_client, "/anniversaries/2022", "/anniversaries/2022/partnerships")
    rows = _csv(shared_demo_client, "/anniversaries/2022/partnerships.csv")
    yakutsk = next(r for r in rows if r["相手先"] == "ヤクーツク市")
    assert yakutsk["周年"] == "30" and yakutsk["自治体コード"] == "062081"
    assert yakutsk["締結日（和暦）"] == "平成4年4月21日"
    _sheet(shared_demo_client, "/anniversaries/2022/partnerships.xlsx")


def test_a_municipality_page_downloads_its_partners(
    shared_demo_client: TestClient, shared_demo_session: Session
) -> None:
    murayama = _id(shared_demo_session, "062081")
    _links(shared_demo_client, f"/municipalities/{murayama}", f"/municipalities/{murayama}/partners")
    rows = _csv(shared_demo_client, f"/municipalities/{murayama}/partners.csv")
    aid = next(r for r in rows if r["相手先"] == "厚岸町" and r["締結日（西暦）"] == "1998-11-09")
    assert aid["相手の自治体コード"] == "016624" and aid["締結日（和暦）"] == "平成10年11月9日"
    assert aid["状態"] and aid["種別"] != "mutual_aid"  # a label, never the code
    sheet = _sheet(shared_demo_client, f"/municipalities/{murayama}/partners.xlsx")
    assert {r["相手先"] for r in _rows(sheet)} >= {"厚岸町", "ヤクーツク市"}


def test_search_downloads_every_result_with_its_filters(shared_demo_client: TestClient) -> None:
    params = {"prefecture": "山形県", "type": "friendship_city"}
    _links(shared_demo_client, "/search", "/search", **params)
    rows = _csv(shared_demo_client, "/search.csv", **params)
    assert [r["名称"] for r in rows] == ["村山市"]  # the one in 山形県 with a 友好都市
    assert rows[0]["自治体コード"] == "062081" and rows[0]["英語名"] == "Murayama City"
    assert rows[0]["都道府県・地域"] == "山形県" and rows[0]["国"] == "日本"
    tokyo = _csv(shared_demo_client, "/search.csv", prefecture="東京都")
    assert "132039" in {r["自治体コード"] for r in tokyo} and "村山市" not in {r["名称"] for r in tokyo}
    many = _csv(shared_demo_client, "/search.csv", q="市")
    assert len(many) > 20  # every result, not one page of twenty
    _sheet(shared_demo_client, "/search.xlsx", **params)


def test_prefecture_and_country_indexes_download(shared_demo_client: TestClient) -> None:
    _links(shared_demo_client, "/prefectures", "/prefectures")
    prefectures = _csv(shared_demo_client, "/prefectures.csv")
    assert len(prefectures) == 47
    assert prefectures[0]["都道府県コード"] == "01" and prefectures[0]["都道府県"] == "北海道"
    assert prefectures[0]["都道府県（英語）"] == "Hokkaido"
    _sheet(shared_demo_client, "/prefectures.xlsx")
    _links(shared_demo_client, "/countries", "/countries")
    found = _csv(shared_demo_client, "/countries.csv")
    romania = next(r for r in found if r["国コード"] == "RO")
    assert romania["国"] == "ルーマニア" and int(romania["提携数"]) >= 1
    _sheet(shared_demo_client, "/countries.xlsx")


def test_statistics_page_downloads_its_tables(shared_demo_client: TestClient) -> None:
    _links(shared_demo_client, "/stats", "/stats")
    rows = _csv(shared_demo_client, "/stats.csv")
    assert {"国別", "都道府県別", "年代別", "分野別"} <= {r["集計の軸"] for r in rows}
    assert any(r["集計の軸"] == "年代別" and r["名前"] == "1990年代" for r in rows)
    _sheet(shared_demo_client, "/stats.xlsx")
    # The per-grouping code downloads keep their columns.
    assert shared_demo_client.get("/stats/decade.csv").text.splitlines()[0].lstrip("\ufeff") == (
        "key,label,label_en,count"
    )


# --------------------------------------------------------------------------- exchange, publications, seeking
def test_cases_and_programmes_download_with_fiscal_years_both_ways(shared_demo_client: TestClient) -> None:
    _links(shared_demo_client, "/cases", "/cases", fiscal_year="2008")
    rows = _csv(shared_demo_client, "/cases.csv", fiscal_year="2008")
    mobility = next(r for r in rows if r["事業名"].startswith("シティーズ・フォー・モビリティ"))
    assert mobility["実施年度（和暦）"].startswith("平成19年度") and "FY2007" in mobility["実施年度（西暦）"]
    assert "日仏自治体交流会議" not in {r["事業名"] for r in rows}  # held in FY2010 only: filtered out
    assert _csv(shared_demo_client, "/cases.csv") != rows
    _sheet(shared_demo_client, "/cases.xlsx", fiscal_year="2008")
    programmes = _csv(shared_demo_client, "/programmes.csv")
    conference = next(r for r in programmes if r["事業名"] == "姉妹友好都市間地球市民環境会議")
    assert conference["実施主体の自治体コード"] == "102024" and conference["形式"] != "conference"
    _links(shared_demo_client, "/programmes", "/programmes")
    _sheet(shared_demo_client, "/programmes.xlsx")


def test_networks_and_awards_download(shared_demo_client: TestClient) -> None:
    _links(shared_demo_client, "/networks", "/networks")
    networks = _csv(shared_demo_client, "/networks.csv")
    wwcam = next(r for r in networks if r["名称"] == "世界冬の都市市長会")
    assert wwcam["英語名"] == "World Winter Cities Association for Mayors" and wwcam["構成団体"] == "20"
    assert "設立（和暦）" in wwcam
    _sheet(shared_demo_client, "/networks.xlsx")
    _links(shared_demo_client, "/awards", "/awards")
    awards = _csv(shared_demo_client, "/awards.csv")
    takasaki = next(r for r in awards if r["受賞者"] == "高崎市")
    assert takasaki["受賞者の自治体コード"] == "102024"
    assert takasaki["表彰年度（西暦）"] == "FY2010" and takasaki["表彰年度（和暦）"] == "平成22年度"
    _sheet(shared_demo_client, "/awards.xlsx")


def test_published_visits_download_in_wareki(
    shared_demo_client: TestClient, shared_demo_session: Session
) -> None:
    murayama = _id(shared_demo_session, "062081")
    path = f"/municipalities/{murayama}/publications"
    _links(shared_demo_client, path, path)
    rows = _csv(shared_demo_client, f"{path}.csv")
    visit = next(r for r in rows if r["活動"] == "市長の厚岸町公式訪問（友好都市提携の節目）")
    assert visit["開始日（西暦）"] == "2019-07-27" and visit["開始日（和暦）"] == "令和元年7月27日"
    assert visit["公費（円）"] == "420000" and visit["目的の公表日（和暦）"] == "令和元年7月19日"
    _sheet(shared_demo_client, f"{path}.xlsx")
    # The Atom feed still answers at its own address.
    assert shared_demo_client.get(f"{path}.atom").headers["content-type"].startswith("application/atom")


def test_seeking_directory_downloads_with_its_filters(shared_demo_client: TestClient) -> None:
    _links(shared_demo_client, "/seeking", "/seeking", country="AU")
    rows = _csv(shared_demo_client, "/seeking.csv", country="AU")
    yamanouchi = next(r for r in rows if r["自治体"] == "山ノ内町")
    assert yamanouchi["自治体コード"] == "205613" and "オーストラリア" in yamanouchi["希望する国・地域"]
    assert "有効期限（和暦）" in yamanouchi
    assert "桶川市" not in {r["自治体"] for r in rows}  # hopes for no country in particular
    _sheet(shared_demo_client, "/seeking.xlsx", country="AU")


def test_citizen_benefits_download_with_their_filters(
    shared_demo_client: TestClient, shared_demo_session: Session
) -> None:
    musashino = str(_id(shared_demo_session, "132039"))
    _links(shared_demo_client, "/benefits", "/benefits", municipality=musashino)
    rows = _csv(shared_demo_client, "/benefits.csv", municipality=musashino)
    lubbock = next(r for r in rows if r["名称"].startswith("武蔵野市ジュニア大使親善使節団"))
    assert (
        lubbock["区分"] == "青少年・学生の派遣" and lubbock["自治体コード"] == "132039"
    )  # a label, not a code
    assert lubbock["期限（西暦）"] == "2027-05-31" and lubbock["期限（和暦）"] == "令和9年5月31日"
    assert lubbock["参加者の負担"] == "150000"
    assert {r["自治体"] for r in rows} == {"武蔵野市"}
    events = _csv(shared_demo_client, "/benefits.csv", kind="event")
    assert events and all(r["区分"] == events[0]["区分"] for r in events)
    _sheet(shared_demo_client, "/benefits.xlsx", municipality=musashino)
    refused = shared_demo_client.get("/benefits.csv", params={"kind": "discountz"})
    assert refused.status_code == 422 and "kind" in refused.text


# --------------------------------------------------------------------------- language and bad input
def test_english_downloads_name_their_columns_in_english(shared_demo_client: TestClient) -> None:
    _links(shared_demo_client, "/countries/RU", "/countries/RU/partnerships", lang="en")
    rows = _csv(shared_demo_client, "/countries/RU/partnerships.csv", lang="en")
    yakutsk = next(r for r in rows if r["Partner"] == "Yakutsk")
    assert yakutsk["Municipality"] == "Murayama City" and yakutsk["Type"] == "Sister city"
    assert yakutsk["Signed on (Japanese era)"] == "平成4年4月21日"
    sheet = _sheet(shared_demo_client, "/countries/RU/partnerships.xlsx", lang="en")
    assert sheet[1][0].value == "Municipality"


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("/search.csv", {"q": "市", "country": "ZZ"}, "country"),
        ("/cases.csv", {"fiscal_year": "来年"}, "fiscal_year"),
        ("/seeking.xlsx", {"direction": "sideways"}, "direction"),
        ("/prefectures.csv", {"sort": "name"}, "sort"),
    ],
)
def test_bad_filters_and_unknown_parameters_answer_422_naming_them(
    shared_demo_client: TestClient, path: str, params: dict[str, str], named: str
) -> None:
    response = shared_demo_client.get(path, params=params)
    assert response.status_code == 422
    assert named in response.text
