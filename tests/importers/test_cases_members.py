"""交流の相手方 in CLAIR case records (issue 18 item 4): counts and descriptions become member counts
and notes, countries named alone become the members' countries, never partners; seed 001 imported
raw puts none of them on the review list or on a public page, and the country filter finds members
written as text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import release_database, select_database, shared_path
from tsunagari.exchange import programme_service
from tsunagari.importers.cases import import_cases
from tsunagari.importers.cases_parsing import countries_of_members, read_partners
from tsunagari.names import service as names_service
from tsunagari.session import unit_of_work
from tsunagari.web.app import create_app

# Every 交流の相手方 of seed 001 that names no partner, and what it says of the members.
DESCRIPTIONS = [
    ("本会会員都市(2010年10月現在、10カ国20都市)", 20, []),
    ("姉妹都市等の関係に基づく第1回、第2回の交流会議参加の日仏自治体", None, ["FR"]),
    ("同ネットワークに加入する海外自治体他", None, []),
    ("都市・自治体連合(United Cities and Local Governments, UCLG) およびその会員都市・団体", None, []),
    (
        "6カ国70自治体(日本10、中国6、韓国15、北朝鮮2、モンゴル22、ロシア15)",
        70,
        ["JP", "CN", "KR", "KP", "MN", "RU"],
    ),
    ("各地域の政府知事・省長等", None, []),
    ("加盟都市(66カ国・地域121都市)", 121, []),
]


@pytest.mark.parametrize(("text", "count", "countries"), DESCRIPTIONS)
def test_a_description_is_a_member_note_never_a_partner(
    text: str, count: int | None, countries: list[str]
) -> None:
    read = read_partners(text)
    assert read.partners == []
    assert read.members == [text]
    assert read.member_count == count
    assert read.member_countries == countries


def test_a_country_named_alone_is_a_country_of_the_members() -> None:
    read = read_partners("中国、韓国")
    assert (read.partners, read.members, read.member_countries) == ([], [], ["CN", "KR"])
    # A country followed by names still places the names.
    read = read_partners("中国・大連市、青島市")
    assert [(p.name, p.country) for p in read.partners] == [("大連市", "CN"), ("青島市", "CN")]
    assert read.member_countries == []


def test_the_north_east_asia_note_line_is_not_counted_twice() -> None:
    read = read_partners(
        "6カ国70自治体(日本10、中国6、韓国15、北朝鮮2、モンゴル22、ロシア15)\n"
        "※日本は青森、山形、新潟、富山、石川、福井、京都、兵庫、鳥取、島根の10団体"
    )
    assert read.member_count == 70
    assert read.notes == ["※日本は青森、山形、新潟、富山、石川、福井、京都、兵庫、鳥取、島根の10団体"]


def test_members_listed_with_their_country_in_the_organiser_text() -> None:
    organisers = (
        "①大韓民国済州特別自治道、②中華人民共和国海南省、③インドネシア共和国バリ州、④沖縄県、"
        "⑤アメリカ合衆国ハワイ州、⑥スペイン王国カナリア諸島、⑦スリランカ民主社会主義共和国南部州、"
        "⑧タンザニア連合共和国ザンジバル自治区"
    )
    assert countries_of_members(organisers) == ["KR", "CN", "ID", "US", "ES", "LK", "TZ"]
    assert countries_of_members("大阪市、上海市、釜山広域市") == []


# ----------------------------------------------------------------------------- seed 001, raw
def _seed_001() -> Path:
    [path] = sorted(shared_path("seeds").glob("001_*.txt"))
    return path


NON_NAMES = {text for text, _, _ in DESCRIPTIONS} | {
    "中国",
    "韓国",
    "その他観光担当部局長・実務担当者など",
}


@pytest.fixture
def raw_registry(database_copy: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The reference data alone (no demo), with seed 001 imported as `import cases` does."""
    url = database_copy(demo=False)
    select_database(monkeypatch, url)
    with unit_of_work() as session:
        import_cases(session=session, path=_seed_001())
    yield url
    release_database()


def _programme(session: Session, title: str) -> int:
    [found] = [p for p in programme_service.list_programmes(session=session) if p.title == title]
    return found.id


def test_seed_001_raw_puts_no_count_or_description_on_the_review_list(raw_registry: str) -> None:
    with unit_of_work() as session:
        texts = {item.text for item in names_service.open_reviews(session=session)}
        written = {p.written_name for p in programme_service.partners_needing_review(session=session)}
        assert not (texts | written) & NON_NAMES
        assert not any("カ国" in text or "自治体" in text for text in texts | written)
        near = programme_service.get_programme(
            session=session, programme_id=_programme(session, "北東アジア地域自治体連合")
        )
        assert near.member_count == 70 and near.partners == []
        assert near.members_text == "6カ国70自治体(日本10、中国6、韓国15、北朝鮮2、モンゴル22、ロシア15)"
        triangle = programme_service.get_programme(
            session=session,
            programme_id=_programme(session, "釜山・上海・大阪ゴールデン・トライアングル推進事業"),
        )
        assert (triangle.partners, triangle.member_countries) == ([], ["CN", "KR"])


@pytest.mark.parametrize(
    ("country", "title"),
    [
        ("US", "島嶼観光政策フォーラム"),  # ⑤アメリカ合衆国ハワイ州 in its 団体名
        ("FR", "日仏自治体交流会議"),  # 日仏自治体 in its 交流の相手方
        ("CN", "釜山・上海・大阪ゴールデン・トライアングル推進事業"),  # 中国、韓国
        ("MN", "北東アジア地域自治体連合"),  # (… モンゴル22 …)
    ],
)
def test_the_country_filter_finds_members_written_as_text(
    raw_registry: str, country: str, title: str
) -> None:
    with unit_of_work() as session:
        found = programme_service.search_programmes(session=session, cases_only=True, country=country)
        assert title in [p.title for p in found]
        assert country in programme_service.partner_countries(session=session, cases_only=True)


def test_public_pages_never_show_an_unresolved_partner(raw_registry: str) -> None:
    with unit_of_work() as session:
        summit = _programme(session, "世界ニューキャッスル(新城)サミット")
        near = _programme(session, "北東アジア地域自治体連合")
        waiting = [
            p.written_name
            for p in programme_service.partners_needing_review(session=session)
            if p.programme_id == summit
        ]
    assert waiting  # the raw registry cannot place every Newcastle
    with TestClient(create_app()) as client:
        page = client.get(f"/programmes/{summit}")
        assert page.status_code == 200
        partners = page.text.split('id="partners-h"')[1].split('id="activities-h"')[0]
        assert f"ほか {len(waiting)} 自治体" in partners
        assert not [text for text in waiting if text in partners]
        assert "要確認" not in page.text
        members = client.get(f"/programmes/{near}")
        assert "70自治体が参加" in members.text and "6カ国70自治体" in members.text
        directory = client.get("/cases", params={"country": "US"})
        assert "島嶼観光政策フォーラム" in directory.text
        assert "要確認" not in directory.text
        english = client.get(f"/programmes/{summit}", params={"lang": "en"})
        assert f"and {len(waiting)} other local governments" in english.text
