"""`import cases` at the service level, on SQLite and PostgreSQL: seed 001 record by record, the
review list for partners that cannot be resolved, malformed text refused with nothing written,
and idempotence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import shared_path
from tsunagari.exchange import programme_service
from tsunagari.exchange.models import Programme, ProgrammePartner
from tsunagari.importers.cases import CasesRefused, import_cases
from tsunagari.importers.cases_parsing import extract_partners
from tsunagari.municipality import service as municipality_service
from tsunagari.names import service as names_service
from tsunagari.names.models import ReviewItem


def seed_001() -> Path:
    [path] = sorted(shared_path("seeds").glob("001_*.txt"))
    return path


def years(
    first: int | None,
    last: int | None,
    *,
    ongoing: bool = False,
    every: int | None = None,
    since: int | None = None,
    held: list[int] | None = None,
    unknown: bool = False,
) -> dict[str, Any]:
    return {
        "first_fy": first,
        "last_fy": last,
        "ongoing": ongoing,
        "every_n_years": every,
        "series_since_fy": since,
        "held_fy": held
        if held is not None
        else ([] if first is None else list(range(first, (last or first) + 1))),
        "unknown": unknown,
    }


# Seed 001, record by record, as imported into the demo registry (which names the foreign partners
# the page lists, so they resolve there; what no registry could place stays text for review).
EXPECTED: list[dict[str, Any]] = [
    {
        "title": "世界冬の都市市長会",
        "owners": ["札幌市"],
        "format": "conference",
        "fiscal_years": years(None, None, unknown=True),
        "partners": [],
        "unresolved": [],
    },
    {
        "title": "日仏自治体交流会議",
        "owners": ["白河市"],
        "format": "conference",
        "fiscal_years": years(2010, 2010),
        "partners": [],
        "unresolved": [],
    },
    {
        "title": "シティーズ・フォー・モビリティ",
        "owners": ["さいたま市"],
        "format": "conference",
        "fiscal_years": years(2007, 2009),
        "partners": [],
        "unresolved": [],
    },
    {
        "title": "都市・自治体連合(United Cities and Local Governments, UCLG)への加盟",
        "owners": ["浜松市"],
        "format": "conference",
        "fiscal_years": years(2003, None, ongoing=True, held=[2003]),
        "partners": [],
        "unresolved": [],
    },
    {
        "title": "世界ニューキャッスル(新城)サミット",
        "owners": ["新城市"],
        "format": "conference",
        "fiscal_years": years(1998, 2010, every=2, since=1998, held=[2010]),
        "partners": ["ヌシャテル市", "ニューキャッスル市", "ニューキャッスル市"],
        "unresolved": ["ドイツ ノイブルグ市", "イギリス アポインタインニューキャッスル市"],
    },
    {
        "title": "釜山・上海・大阪ゴールデン・トライアングル推進事業",
        "owners": ["大阪市"],
        "format": "conference",
        "fiscal_years": years(2005, None, ongoing=True, held=[2005]),
        "partners": [],
        "unresolved": [],  # countries only: countries of the members, not partners
    },
    {
        "title": "北東アジア地域自治体連合",
        "owners": ["兵庫県"],
        "format": "conference",
        "fiscal_years": years(1996, None, ongoing=True, held=[1996]),
        "partners": [],
        "unresolved": [],
    },
    {
        "title": "日韓海峡沿岸県市道交流知事会議",
        "owners": ["山口県", "福岡県", "佐賀県", "長崎県"],
        "format": "conference",
        "fiscal_years": years(1992, None, ongoing=True, held=[1992]),
        "partners": ["釜山広域市", "全羅南道", "慶尚南道", "済州特別自治道"],
        "unresolved": [],
    },
    {
        "title": "3都市・3大学国際シンポジウム",
        "owners": ["山口市"],
        "format": "conference",
        "fiscal_years": years(2008, None, ongoing=True, held=[2008]),
        "partners": ["昌原市", "済南市"],
        "unresolved": [],
    },
    {
        "title": "東アジア経済交流推進機構",
        "owners": ["北九州市"],
        "format": "conference",
        "fiscal_years": years(2004, None, ongoing=True, held=[2004]),
        "partners": [
            "大連市",
            "青島市",
            "天津市",
            "烟台市",
            "釜山広域市",
            "仁川広域市",
            "蔚山広域市",
            "福岡市",
            "下関市",
        ],
        "unresolved": [],
    },
    {
        "title": "国際徐福シンポジウム開催",
        "owners": ["佐賀市"],
        "format": "conference",
        "fiscal_years": years(2008, 2008),
        "partners": ["連雲港市", "慈渓市", "西帰浦市"],
        "unresolved": [],
    },
    {
        "title": "島嶼観光政策フォーラム",
        "owners": ["沖縄県"],
        "format": "conference",
        "fiscal_years": years(1997, None, ongoing=True, held=[1997]),
        "partners": [],
        "unresolved": [],
    },
    {
        "title": "姉妹都市カナダアシュクラフト村訪問団受入事業",
        "owners": ["美深町"],
        "format": "people",
        "fiscal_years": years(2010, 2010),
        "partners": ["アシュクラフト村", "添田町"],
        "unresolved": [],
    },
    {
        "title": "平成22年度(第11回)青少年海外派遣事業",
        "owners": ["陸前高田市"],
        "format": "people",
        "fiscal_years": years(2010, 2010),
        "partners": ["ロサンゼルス市", "サンディエゴ市"],
        "unresolved": [],
    },
    {
        "title": "英国友好親善交流事業",
        "owners": ["蔵王町"],
        "format": "people",
        "fiscal_years": years(2010, 2010),
        "partners": ["フリントシャー県"],
        "unresolved": [],
    },
    {
        "title": "ガーデナ市青少年団、メダン市青少年代表団受入れ事業",
        "owners": ["市川市"],
        "format": "people",
        "fiscal_years": years(2010, 2010),
        "partners": ["ガーデナ市", "メダン市"],
        "unresolved": [],
    },
    {
        "title": "環日本海定期貨客船航路を利用した国際交流事業",
        "owners": ["境港市"],
        "format": "people",
        "fiscal_years": years(2009, None, ongoing=True, held=[2009]),
        "partners": ["東海市", "ウラジオストク市"],
        "unresolved": [],
    },
]

FISCAL_KEYS = ("first_fy", "last_fy", "ongoing", "every_n_years", "series_since_fy", "held_fy", "unknown")


def _count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _record_view(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": record["title"],
        "owners": record["owners"],
        "format": record["format"],
        "fiscal_years": {key: record["fiscal_years"][key] for key in FISCAL_KEYS},
        "partners": record["partners"],
        "unresolved": record["unresolved"],
    }


# ----------------------------------------------------------------------------- seed 001
def test_seed_001_gives_its_17_records_each_as_expected(session: Session) -> None:
    report = import_cases(session=session, path=seed_001())
    data = report.as_json()
    assert data["errors"] == []
    assert data["rows"] == 17
    records = data["records"]
    assert [r["format"] for r in records].count("conference") == 12
    assert [r["format"] for r in records].count("people") == 5
    for got, expected in zip(records, EXPECTED, strict=True):
        assert _record_view(got) == expected, expected["title"]
    # The demo already holds these cases under the same natural key: the page updates them.
    assert (report.created + report.updated + report.unchanged) == 17
    assert report.review == sum(len(r["unresolved"]) for r in EXPECTED) == 2


def test_seed_001_fiscal_years_keep_the_text_and_read_as_dates_parse_does(session: Session) -> None:
    records = {r["title"]: r for r in import_cases(session=session, path=seed_001()).as_json()["records"]}
    newcastle = records["世界ニューキャッスル(新城)サミット"]["fiscal_years"]
    assert newcastle["input"] == "平成22年度 (平成10年度より2年おきに実施)"
    assert (newcastle["held_fy"], newcastle["series_since_fy"], newcastle["every_n_years"]) == (
        [2010],
        1998,
        2,
    )
    assert records["シティーズ・フォー・モビリティ"]["fiscal_years"]["label"] == "平成19年度〜平成21年度"
    assert records["世界冬の都市市長会"]["fiscal_years"]["label"] == "不明"


def test_seed_001_programmes_keep_urls_notes_and_the_partner_text(session: Session) -> None:
    import_cases(session=session, path=seed_001())
    hamamatsu = municipality_service.find_by_name(session=session, name="浜松市", country="JP")[0]
    [uclg] = programme_service.list_programmes(session=session, municipality_id=hamamatsu.id)
    assert uclg.urls == ["http://uclg-hamamatsu.jp", "http://www.uclg-aspac2010.org"]
    assert uclg.details_text is not None and "自治体国際化フォーラム" in uclg.details_text
    shinshiro = municipality_service.find_by_name(session=session, name="新城市", country="JP")[0]
    [summit] = programme_service.list_programmes(session=session, municipality_id=shinshiro.id)
    assert summit.title_note == "(現在は世界ニューキャッスルアライアンス)"
    assert summit.partners_text is not None and summit.partners_text.startswith("スイス ヌシャテル市・")
    sapporo = municipality_service.find_by_name(session=session, name="札幌市", country="JP")[0]
    [winter] = programme_service.list_programmes(session=session, municipality_id=sapporo.id)
    assert "environment" in winter.fields
    assert winter.description is not None and "冬は資源であり" in winter.description
    # A multi-line value is kept whole (the numbered points ① ② ③ of 兵庫県's record included).
    hyogo = municipality_service.find_by_name(session=session, name="兵庫県", country="JP")[0]
    [near] = programme_service.list_programmes(session=session, municipality_id=hyogo.id)
    assert (
        near.description is not None
        and near.description.count("\n") >= 3
        and "③2011年3月" in near.description
    )


def test_each_unresolved_partner_is_kept_and_waits_on_the_review_list(session: Session) -> None:
    assert names_service.open_reviews(session=session) == []
    import_cases(session=session, path=seed_001())
    waiting = programme_service.partners_needing_review(session=session)
    assert sorted(p.written_name for p in waiting) == sorted(t for r in EXPECTED for t in r["unresolved"])
    items = {item.id: item for item in names_service.open_reviews(session=session)}
    assert len(items) == 2
    for partner in waiting:
        assert partner.municipality_id is None and partner.review_item_id in items
        pending = items[partner.review_item_id].pending or {}
        assert pending["kind"] == "programme_partner" and pending["programme_partner_id"] == partner.id
    [neuburg] = [p for p in waiting if p.written_name == "ドイツ ノイブルグ市"]
    item = items[neuburg.review_item_id or 0]
    assert (item.text, item.country) == ("ノイブルグ市", "DE")


def test_importing_twice_changes_nothing(session: Session) -> None:
    first = import_cases(session=session, path=seed_001())
    counts = [_count(session, model) for model in (Programme, ProgrammePartner, ReviewItem)]
    again = import_cases(session=session, path=seed_001())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 17)
    assert again.review == first.review == 2
    assert [_count(session, model) for model in (Programme, ProgrammePartner, ReviewItem)] == counts


def test_a_dry_run_writes_nothing(session: Session) -> None:
    before = [_count(session, model) for model in (Programme, ProgrammePartner, ReviewItem)]
    report = import_cases(session=session, path=seed_001(), dry_run=True)
    assert report.rows == 17 and report.dry_run
    assert [_count(session, model) for model in (Programme, ProgrammePartner, ReviewItem)] == before


# ----------------------------------------------------------------------------- the review list
ONE_RECORD = """①会議形式の交流
情報提供自治体名 東京都/武蔵野市
実施年度 平成23年度
事業名(活動名称) 架空の交流会議
団体名 武蔵野市
交流の相手方 韓国 ツナガリ市・中国江蘇省蘇州市
現在の取組内容及び成果 テスト用の記録。
詳細情報 http://example.org/a http://example.org/b
"""


def test_resolving_the_review_item_links_the_partner_and_empties_the_list(session: Session) -> None:
    report = import_cases(session=session, text=ONE_RECORD, source_name="one.txt")
    [record] = report.as_json()["records"]
    assert record["unresolved"] == ["韓国 ツナガリ市"]
    assert record["partners"] == ["Suzhou"]  # found in the gazetteer and added to the registry
    assert record["fiscal_years"]["first_fy"] == 2011
    assert record["urls"] == ["http://example.org/a", "http://example.org/b"]
    assert report.municipalities_created == 1
    [item] = names_service.open_reviews(session=session)
    assert (item.text, item.country, item.source) == ("ツナガリ市", "KR", "import:one.txt:line 2")

    chungju = municipality_service.find_by_name(session=session, name="忠州市", country="KR")[0]
    names_service.resolve_review(session=session, item_id=item.id, target=str(chungju.id))

    assert names_service.open_reviews(session=session) == []
    assert programme_service.partners_needing_review(session=session) == []
    partner = session.scalars(
        select(ProgrammePartner).where(ProgrammePartner.written_name == "韓国 ツナガリ市")
    ).one()
    assert partner.municipality_id == chungju.id and partner.name == "忠州市"
    # The answer is remembered: importing the record again asks nothing.
    again = import_cases(session=session, text=ONE_RECORD, source_name="one.txt")
    assert (again.unchanged, again.review) == (1, 0)
    assert again.as_json()["records"][0]["partners"] == ["忠州市", "Suzhou"]
    assert names_service.open_reviews(session=session) == []


# ----------------------------------------------------------------------------- malformed text
def _refused(session: Session, text: str) -> CasesRefused:
    before = [_count(session, model) for model in (Programme, ProgrammePartner, ReviewItem)]
    with pytest.raises(CasesRefused) as refused:
        import_cases(session=session, text=text, source_name="bad.txt")
    assert [_count(session, model) for model in (Programme, ProgrammePartner, ReviewItem)] == before
    return refused.value


def test_a_record_missing_a_label_is_refused_naming_its_line(session: Session) -> None:
    text = (
        ONE_RECORD
        + "情報提供自治体名 北海道/札幌市\n実施年度 平成22年度\n事業名(活動名称) 二つ目\n交流の相手方 韓国\n"
    )
    error = _refused(session, text)
    assert {(p.row, p.field) for p in error.problems} == {
        (9, "団体名"),
        (9, "現在の取組内容及び成果"),
        (9, "詳細情報"),
    }
    assert "line 9" in error.report() and "団体名" in error.report()


def test_an_impossible_year_is_refused_naming_its_line(session: Session) -> None:
    error = _refused(session, ONE_RECORD.replace("平成23年度", "平成45年度"))
    [problem] = error.problems
    assert (problem.row, problem.field, problem.value) == (3, "実施年度", "平成45年度")
    assert error.report().startswith("line 3, field '実施年度'")
    assert error.summary.as_json()["errors"][0]["line"] == 3


def test_an_unknown_owner_and_a_record_before_any_heading_are_refused(session: Session) -> None:
    error = _refused(session, ONE_RECORD.replace("東京都/武蔵野市", "東京都/どこにもない市"))
    assert [(p.row, p.field) for p in error.problems] == [(2, "情報提供自治体名")]
    error = _refused(session, ONE_RECORD.removeprefix("①会議形式の交流\n"))
    assert [(p.row, p.field) for p in error.problems] == [(1, "情報提供自治体名")]


def test_a_seed_record_with_an_impossible_year_refuses_the_whole_page(session: Session) -> None:
    text = seed_001().read_text(encoding="utf-8").replace("平成20年度~", "平成45年度~", 1)
    error = _refused(session, text)
    [problem] = error.problems
    assert (problem.row, problem.field) == (101, "実施年度")


# ----------------------------------------------------------------------------- reading partners
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中国江蘇省連雲港市", [("中国江蘇省連雲港市", "連雲港市", "CN", "江蘇省")]),
        (
            "大韓民国 釜山広域市、全羅南道",
            [("大韓民国 釜山広域市", "釜山広域市", "KR", None), ("全羅南道", "全羅南道", "KR", None)],
        ),
        (
            "中国・大連市、青島市\n日本・山口県下関市",
            [
                ("大連市", "大連市", "CN", None),
                ("青島市", "青島市", "CN", None),
                ("山口県下関市", "下関市", "JP", "山口県"),
            ],
        ),
        (
            "カナダアシュクラフト村、福岡県添田町",
            [
                ("カナダアシュクラフト村", "アシュクラフト村", "CA", None),
                ("福岡県添田町", "添田町", "JP", "福岡県"),
            ],
        ),
        (
            "アメリカ合衆国(ロサンゼルス市~サンディエゴ市)",
            [
                ("ロサンゼルス市", "ロサンゼルス市", "US", None),
                ("サンディエゴ市", "サンディエゴ市", "US", None),
            ],
        ),
        (
            "アメリカ インディアナ州ニューキャッスル市",
            [("アメリカ インディアナ州ニューキャッスル市", "ニューキャッスル市", "US", "インディアナ州")],
        ),
        # countries alone and descriptions are not partners (read_partners keeps them as members)
        ("中国、韓国", []),
        ("本会会員都市(2010年10月現在、10カ国20都市)", []),
    ],
)
def test_partners_are_read_with_their_country_and_region(
    text: str, expected: list[tuple[str, str, str | None, str | None]]
) -> None:
    pieces, _ = extract_partners(text)
    assert [(p.written, p.name, p.country, p.region) for p in pieces] == expected


def test_notes_under_the_partners_are_not_partners() -> None:
    pieces, notes = extract_partners(
        "中国浙江省慈渓市・韓国西帰浦市\n(各都市の徐福会などの民間団体を含む)\n※日本は青森、山形の2団体"
    )
    assert [p.name for p in pieces] == ["慈渓市", "西帰浦市"]
    assert notes == ["(各都市の徐福会などの民間団体を含む)", "※日本は青森、山形の2団体"]
