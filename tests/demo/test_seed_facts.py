"""The demo's facts checked against the five seeds, record by record: each seed's facts are listed here as the
seed states them (partner, type, date and precision, status, predecessor, award and its undertaking,
figures), and the demo must agree with every one (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.exchange.models import Award, Programme
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.organisation.models import Organisation
from tsunagari.partnership.models import Partnership

Place = tuple[str, str]
"""(prefecture for Japan or ISO country code, name as the demo writes it)."""


@dataclass(frozen=True)
class Tie:
    home: Place
    partner: Place
    type: str
    signed_on: str | None = None  # "1992-04-21", "1992-04" or "1992", as the seed gives it
    precision: str | None = None
    status: str = "active"
    via: Place | None = None  # the former municipality that concluded it


MUSASHINO, MURAYAMA, KAWASAKI = ("東京都", "武蔵野市"), ("山形県", "村山市"), ("神奈川県", "川崎市")
TAKASAKI, KANAZAWA, SENDAI = ("群馬県", "高崎市"), ("石川県", "金沢市"), ("宮城県", "仙台市")

SEED_000 = [  # 武蔵野市「つながれば広がる」: 9 domestic, 6 international partners
    Tie(MUSASHINO, ("富山県", "南砺市"), "sister_city", via=("富山県", "利賀村")),
    Tie(MUSASHINO, ("新潟県", "長岡市"), "exchange_city", via=("新潟県", "小国町")),
    Tie(MUSASHINO, ("長野県", "安曇野市"), "exchange_city"),
    Tie(MUSASHINO, ("鳥取県", "岩美町"), "exchange_city"),
    Tie(MUSASHINO, ("広島県", "大崎上島町"), "exchange_city"),
    Tie(MUSASHINO, ("長野県", "川上村"), "exchange_city"),
    Tie(MUSASHINO, ("山形県", "酒田市"), "exchange_city"),
    Tie(MUSASHINO, ("岩手県", "遠野市"), "exchange_city"),
    Tie(MUSASHINO, ("千葉県", "南房総市"), "exchange_city"),
    Tie(MUSASHINO, ("CN", "北京市"), "exchange_city"),
    Tie(MUSASHINO, ("RO", "ブラショフ市"), "exchange_city"),
    Tie(MUSASHINO, ("RU", "ハバロフスク市"), "exchange_city"),
    Tie(MUSASHINO, ("US", "ラボック市"), "exchange_city"),
    Tie(MUSASHINO, ("KR", "江東区 (ソウル特別市)"), "exchange_city"),
    Tie(MUSASHINO, ("KR", "忠州市"), "staff_exchange"),  # 職員派遣協定
]
SEED_002 = [  # 村山市の都市間交流の方針: the status list with its dates
    Tie(MURAYAMA, ("RU", "ヤクーツク市"), "sister_city", "1992-04-21", "day"),  # 平成4年4月21日
    Tie(MURAYAMA, ("CA", "バリー市"), "exchange_city"),
    Tie(MURAYAMA, ("北海道", "厚岸町"), "friendship_city", "1991-07-15", "day"),  # 平成3年7月15日
    Tie(MURAYAMA, ("北海道", "厚岸町"), "mutual_aid", "1998-11-09", "day"),  # 平成10年11月9日
    Tie(MURAYAMA, ("宮城県", "塩竈市"), "disaster_mutual_aid", "2007-11-06", "day"),  # 平成19年11月6日
    Tie(MURAYAMA, ("東京都", "台東区"), "exchange_city"),
    Tie(MURAYAMA, ("東京都", "豊島区"), "exchange_city"),
    Tie(MURAYAMA, ("長崎県", "長崎市"), "exchange_city"),
    Tie(MURAYAMA, ("長崎県", "西海市"), "exchange_city", status="planned"),  # 中学生交流事業を計画
]
SEED_003 = [  # 第5回姉妹自治体交流表彰: the three award sheets
    Tie(TAKASAKI, ("US", "バトルクリーク"), "sister_city", "1981-07-01", "day"),
    Tie(TAKASAKI, ("BR", "サントアンドレ"), "sister_city", "1981-10-02", "day"),
    Tie(TAKASAKI, ("CN", "承徳"), "sister_city", "1987-10-06", "day"),
    Tie(TAKASAKI, ("CZ", "プルゼニ"), "sister_city", "1990-08-01", "day"),
    Tie(TAKASAKI, ("PH", "モンテンルパ"), "sister_city", "2006-10-28", "day"),
    Tie(KANAZAWA, ("FR", "ナンシー市"), "sister_city", "1973-10-12", "day"),
    Tie(SENDAI, ("BY", "ミンスク市"), "sister_city", "1973-04-06", "day"),
]
SEED_004 = [  # 川崎市議会議員の市政報告 (平成26年8月26日): 姉妹都市締結22年 → 1992
    Tie(KAWASAKI, ("AT", "ザルツブルク市"), "sister_city", "1992", "year"),
    Tie(KAWASAKI, ("CN", "瀋陽市"), "friendship_city"),
    Tie(KAWASAKI, ("KR", "富川市"), "friendship_city"),
]


def _place(session: Session, place: Place) -> Municipality:
    where, name = place
    country, region = ("JP", where) if not where.isascii() else (where, None)
    found = [
        m
        for m in municipality_service.find_by_name(session=session, name=name, country=country, region=region)
        if m.name == name
    ]
    assert len(found) == 1, f"{place}: {[m.display_name() for m in found]}"
    return found[0]


def _tie(session: Session, tie: Tie) -> Partnership:
    home, partner = _place(session, tie.home), _place(session, tie.partner)
    found = session.scalars(
        select(Partnership).where(
            Partnership.home_municipality_id == home.id,
            Partnership.partner_municipality_id == partner.id,
            Partnership.type == tie.type,
        )
    ).one_or_none()
    assert found is not None, f"no {tie.type} {tie.home} – {tie.partner} in the demo"
    return found


def _iso(value: dt.date | None, precision: str | None) -> str | None:
    if value is None:
        return None
    return {"year": value.isoformat()[:4], "month": value.isoformat()[:7]}.get(
        precision or "", value.isoformat()
    )


@pytest.mark.parametrize(
    "tie",
    [*SEED_000, *SEED_002, *SEED_003, *SEED_004],
    ids=lambda t: f"{t.home[1]}-{t.partner[1]}-{t.type}",
)
def test_each_tie_a_seed_states_is_in_the_demo_as_stated(session: Session, tie: Tie) -> None:
    found = _tie(session, tie)
    assert (found.status, _iso(found.signed_on, found.signed_on_precision)) == (tie.status, tie.signed_on)
    if tie.signed_on is not None:
        assert found.signed_on_precision == tie.precision
    if tie.via is not None:
        via = _place(session, tie.via)
        assert found.via_municipality_id == via.id and found.inherited_through_merger


@pytest.mark.parametrize(
    ("home", "count"),
    [(MUSASHINO, 15), (MURAYAMA, 9), (TAKASAKI, 5), (KANAZAWA, 1), (SENDAI, 1), (KAWASAKI, 3)],
)
def test_no_home_has_ties_the_seeds_do_not_state(session: Session, home: Place, count: int) -> None:
    municipality = _place(session, home)
    ties = session.scalars(select(Partnership).where(Partnership.home_municipality_id == municipality.id))
    assert len(list(ties)) == count


def test_seed_000_predecessors_are_the_former_municipalities_of_their_prefecture(session: Session) -> None:
    oguni = _place(session, ("新潟県", "小国町"))
    toga = _place(session, ("富山県", "利賀村"))
    assert (oguni.status, oguni.merged_into_id, oguni.merged_on) == (
        "merged",
        _place(session, ("新潟県", "長岡市")).id,
        dt.date(2005, 4, 1),  # 平成17年に編入合併
    )
    assert (toga.status, toga.merged_into_id) == ("merged", _place(session, ("富山県", "南砺市")).id)
    assert oguni.jis_code is None and toga.jis_code is None
    # The namesakes that exist today are untouched: no successor, no merger, their own codes.
    for code in ("064017", "434248"):  # 山形県小国町, 熊本県小国町
        current = municipality_service.get_by_jis_code(session=session, jis_code=code)
        assert current is not None and current.name == "小国町"
        assert (current.status, current.merged_into_id, current.merged_on) == ("existing", None, None)
    nagaoka = _place(session, ("新潟県", "長岡市"))
    assert [m.region for m in municipality_service.merge_history(session=session, municipality=nagaoka)] == [
        "新潟県"
    ]


def test_seed_002_hometown_associations_and_their_figures(session: Session) -> None:
    expected = {
        "東京村山会": (dt.date(2002, 10, 12), 800),  # 平成14年10月12日設立 会員約800名
        "仙台村山会": (dt.date(2004, 7, 18), 1000),  # 平成16年7月18日設立 会員約1,000名
        "関西村山会": (dt.date(2008, 2, 24), 30),  # 平成20年2月24日設立 会員約30名
    }
    for name, (founded, members) in expected.items():
        org = session.scalars(select(Organisation).where(Organisation.name == name)).one()
        assert (org.founded_on, org.founded_on_precision, org.members_count, org.members_approximate) == (
            founded,
            "day",
            members,
            True,
        )
    shokokai = session.scalars(
        select(Partnership)
        .join(Organisation, Organisation.id == Partnership.home_organisation_id)
        .where(Organisation.name == "村山市商工会")
    ).one()
    assert (shokokai.type, shokokai.signed_on) == (
        "sister_organisation",
        dt.date(1993, 6, 19),
    )  # 平成5年6月19日


# Seed 003's figures: population (as of), area.
FIGURES = [
    (TAKASAKI, 374_997, dt.date(2011, 3, 31), 459.41),  # H23.3.31
    (KANAZAWA, 461_762, dt.date(2011, 4, 1), 467.77),  # H23.4.1
    (SENDAI, 1_046_654, dt.date(2011, 3, 31), 788.09),  # H23.3.31
    (("US", "バトルクリーク"), 53_364, dt.date(2000, 1, 1), 113.1),  # 2000年
    (("BR", "サントアンドレ"), 667_891, dt.date(2007, 1, 1), 175.0),
    (("CN", "承徳"), 3_610_000, dt.date(2004, 1, 1), 39_519.0),
    (("CZ", "プルゼニ"), 164_180, dt.date(2003, 1, 1), 137.65),
    (("PH", "モンテンルパ"), 452_943, dt.date(2007, 1, 1), 46.70),
    (("FR", "ナンシー市"), 100_000, None, 15.0),
    (("BY", "ミンスク市"), 1_830_700, None, 305.47),
]


@pytest.mark.parametrize(("place", "population", "as_of", "area"), FIGURES, ids=lambda v: str(v))
def test_seed_003_figures(
    session: Session, place: Place, population: int, as_of: dt.date | None, area: float
) -> None:
    municipality = _place(session, place)
    assert (municipality.population, municipality.population_as_of) == (population, as_of)
    assert municipality.area_km2 == pytest.approx(area)


def test_seed_003_awards_are_linked_to_the_undertaking_each_sheet_names(session: Session) -> None:
    sheets = {  # recipient: the 交流事業の概要 heading of its sheet
        "高崎市": "姉妹友好都市間地球市民環境会議",
        "金沢市": "フランス姉妹都市ナンシー市との友好関係の推進",
        "宮城・ベラルーシ協会": "国際姉妹都市ミンスク市との市民交流事業",
    }
    awards = list(session.scalars(select(Award).where(Award.edition == 5)))
    assert {
        a.recipient_name: (a.name, a.prize, a.programme.title if a.programme else None) for a in awards
    } == {recipient: ("姉妹自治体交流表彰", "総務大臣賞", title) for recipient, title in sheets.items()}


def test_seed_004_salzburg_keeps_the_reasoning_of_its_implied_year(session: Session) -> None:
    salzburg = _tie(session, SEED_004[0])
    assert salzburg.notes is not None and "締結２２年" in salzburg.notes and "1992" in salzburg.notes
    assert salzburg.origin is not None and "楽器の修理" in salzburg.origin


SEED_001 = {  # CLAIR 3以上の自治体間における交流: title -> (format, 情報提供自治体, 実施年度 as written)
    "世界冬の都市市長会": ("conference", ["札幌市"], None),
    "日仏自治体交流会議": ("conference", ["白河市"], "平成22年度"),
    "シティーズ・フォー・モビリティ": ("conference", ["さいたま市"], "平成19~21年度"),
    "都市・自治体連合(United Cities and Local Governments, UCLG)への加盟": (
        "conference",
        ["浜松市"],
        "平成15年度~",
    ),
    "世界ニューキャッスル(新城)サミット": (
        "conference",
        ["新城市"],
        "平成22年度 (平成10年度より2年おきに実施)",
    ),
    "釜山・上海・大阪ゴールデン・トライアングル推進事業": ("conference", ["大阪市"], "平成17年度~"),
    "北東アジア地域自治体連合": ("conference", ["兵庫県"], "平成8年度~"),
    "日韓海峡沿岸県市道交流知事会議": ("conference", ["山口県", "福岡県", "佐賀県", "長崎県"], "平成4年度~"),
    "3都市・3大学国際シンポジウム": ("conference", ["山口市"], "平成20年度~"),
    "東アジア経済交流推進機構": ("conference", ["北九州市"], "平成16年度~"),
    "国際徐福シンポジウム開催": ("conference", ["佐賀市"], "平成20年度"),
    "島嶼観光政策フォーラム": ("conference", ["沖縄県"], "平成9年度~"),
    "姉妹都市カナダアシュクラフト村訪問団受入事業": ("people", ["美深町"], "平成22年度"),
    "平成22年度(第11回)青少年海外派遣事業": ("people", ["陸前高田市"], "平成22年度"),
    "英国友好親善交流事業": ("people", ["蔵王町"], "平成22年度"),
    "ガーデナ市青少年団、メダン市青少年代表団受入れ事業": ("people", ["市川市"], "平成22年度"),
    "環日本海定期貨客船航路を利用した国際交流事業": ("people", ["境港市"], "平成21年度~"),
}


def test_seed_001_cases_are_in_the_demo_as_recorded(session: Session) -> None:
    found = {}
    for title in SEED_001:
        programme = session.scalars(select(Programme).where(Programme.title == title)).one()
        owners = sorted(o.municipality.name for o in programme.owners if o.municipality is not None)
        found[title] = (programme.format, owners, programme.fiscal_years_text or None)
    assert found == {title: (f, sorted(o), fy) for title, (f, o, fy) in SEED_001.items()}
