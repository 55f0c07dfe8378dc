"""The exchange service on SQLite and PostgreSQL: activities refused with the field named, programmes
by natural key and fiscal year, networks and awards, and the demo data drawn from the seeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagari.demo.service import load_demo
from tsunagari.errors import Conflict, InvalidInput
from tsunagari.exchange import activity_service, award_service, network_service, programme_service
from tsunagari.exchange.models import (
    CLAIR_AWARD_CRITERIA,
    Activity,
    Award,
    Network,
    NetworkMeeting,
    NetworkMembership,
    Programme,
    ProgrammePartner,
)
from tsunagari.exchange.schemas import ActivityCreate
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.names import service as names_service
from tsunagari.organisation import service as organisation_service
from tsunagari.partnership import service as partnership_service


def municipality(session: Session, name: str, country: str = "JP") -> Municipality:
    [found] = municipality_service.find_by_name(session=session, name=name, country=country)
    return found


def programme(session: Session, owner: str, title: str) -> Programme:
    owner_id = municipality(session, owner).id
    [found] = [
        p
        for p in programme_service.list_programmes(session=session, municipality_id=owner_id)
        if p.title == title
    ]
    return found


def activity_data(session: Session, **changes: Any) -> dict[str, Any]:
    junior = programme(session, "武蔵野市", "武蔵野市ジュニア大使親善使節団")
    return {
        "programme_id": junior.id,
        "title": "第30回ジュニア大使",
        "start_on": dt.date(2015, 7, 20),
        "end_on": dt.date(2015, 8, 2),
        "direction": "outbound",
        "place": "ラボック市",
        "participants": {"students": 12, "staff": 2},
        "public_cost": 1_800_000,
        "private_cost": 2_400_000,
        "official_visit": False,
        **changes,
    }


def _fields(error: InvalidInput) -> list[str | None]:
    return [problem.field for problem in error.problems]


# ----------------------------------------------------------------------------- activities
def test_an_activity_is_recorded_against_its_programme(session: Session) -> None:
    activity = activity_service.record_activity(session=session, data=activity_data(session))
    assert activity.id and activity.participant_total() == 14
    assert (activity.start_on_precision, activity.end_on_precision) == ("day", "day")
    titles = [
        a.title
        for a in activity_service.activities_for_programme(
            session=session, programme_id=activity.programme_id
        )
    ]
    # demo.yaml's 第1回 (1986) first, then the illustrative FY2015– records of activities.yaml and the new one
    assert titles[0] == "第1回武蔵野市ジュニア大使親善使節団" and titles.count("第30回ジュニア大使") == 1
    assert titles.index("第30回ジュニア大使") < titles.index("第30回武蔵野市ジュニア大使親善使節団")


def test_an_activity_ending_before_it_starts_is_refused_naming_end_on(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        activity_service.record_activity(
            session=session, data=activity_data(session, end_on=dt.date(2015, 7, 1))
        )
    assert _fields(refused.value) == ["end_on"]
    assert "ends before it starts" in refused.value.report()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"participants": {"students": -1}}, "participants.students"),
        ({"public_cost": -500}, "public_cost"),
        ({"private_cost": -1}, "private_cost"),
    ],
)
def test_negative_participants_or_costs_are_refused_naming_the_field(
    session: Session, changes: dict[str, Any], field: str
) -> None:
    before = session.scalar(select(func.count()).select_from(Activity))
    with pytest.raises(InvalidInput) as refused:
        activity_service.record_activity(session=session, data=activity_data(session, **changes))
    assert _fields(refused.value) == [field]
    assert session.scalar(select(func.count()).select_from(Activity)) == before


def test_an_activity_of_an_unknown_programme_is_refused_naming_programme_id(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        activity_service.record_activity(session=session, data=activity_data(session, programme_id=999_999))
    assert _fields(refused.value) == ["programme_id"]


def test_the_schema_itself_refuses_what_the_service_refuses() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        ActivityCreate(programme_id=1, title="x", start_on=dt.date(2020, 5, 2), end_on=dt.date(2020, 5, 1))


def test_an_update_is_checked_against_the_rest_of_the_record(session: Session) -> None:
    activity = activity_service.record_activity(session=session, data=activity_data(session))
    with pytest.raises(InvalidInput) as refused:
        activity_service.update_activity(
            session=session, activity=activity, changes={"end_on": dt.date(2015, 1, 1)}
        )
    assert _fields(refused.value) == ["end_on"]
    with pytest.raises(InvalidInput) as refused:
        activity_service.update_activity(session=session, activity=activity, changes={"colour": "red"})
    assert _fields(refused.value) == ["colour"]
    activity_service.update_activity(
        session=session,
        activity=activity,
        changes={"report_published_on": dt.date(2015, 9, 1), "report_medium": "市報"},
    )
    assert (activity.report_medium, activity.version) == ("市報", 2)


# ----------------------------------------------------------------------------- programmes
def test_a_programme_is_one_per_owners_title_and_format(session: Session) -> None:
    owners = [{"municipality_id": municipality(session, "武蔵野市").id}]
    with pytest.raises(Conflict):
        programme_service.create_programme(
            session=session, data={"title": "ジャンボリー", "format": "people", "owners": owners}
        )
    other = programme_service.create_programme(
        session=session, data={"title": "ジャンボリー", "format": "conference", "owners": owners}
    )
    assert other.fiscal_years_unknown and other.held_fy == []


def test_a_programme_refuses_unknown_fields_owners_and_fiscal_years(session: Session) -> None:
    owner = {"municipality_id": municipality(session, "武蔵野市").id}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"fields": ["gardening"]}, "fields"),
        ({"owners": [{"municipality_id": 999_999}]}, "owners.0.municipality_id"),
        ({"fiscal_years_text": "平成45年度"}, "fiscal_years_text"),
        ({"network_id": 999_999}, "network_id"),
    ]
    for changes, field in cases:
        with pytest.raises(InvalidInput) as refused:
            programme_service.create_programme(
                session=session,
                data={"title": "新しい事業", "format": "people", "owners": [owner], **changes},
            )
        assert _fields(refused.value) == [field], changes


def test_fiscal_years_are_stored_as_parsed_and_filter_the_directory(session: Session) -> None:
    summit = programme(session, "新城市", "世界ニューキャッスル(新城)サミット")
    assert (summit.first_fy, summit.last_fy, summit.every_n_years, summit.series_since_fy) == (
        1998,
        2010,
        2,
        1998,
    )
    assert summit.held_fy == [2010]
    assert programme_service.fiscal_years(summit).label_ja() == "平成22年度（平成10年度より2年おきに実施）"
    in_2000 = programme_service.list_programmes(session=session, fiscal_year=2000)
    in_1999 = programme_service.list_programmes(session=session, fiscal_year=1999)
    assert summit in in_2000 and summit not in in_1999
    winter = programme(session, "札幌市", "世界冬の都市市長会")
    assert winter.fiscal_years_unknown and winter not in in_2000


def test_the_case_directory_filters_by_format_field_and_country(session: Session) -> None:
    conference_environment = {
        p.title
        for p in programme_service.list_programmes(session=session, format="conference", field="environment")
    }
    assert {
        "世界冬の都市市長会",
        "シティーズ・フォー・モビリティ",
        "北東アジア地域自治体連合",
        "日韓海峡沿岸県市道交流知事会議",
        "3都市・3大学国際シンポジウム",
        "東アジア経済交流推進機構",
        "姉妹友好都市間地球市民環境会議",
    } == conference_environment
    people = programme_service.list_programmes(session=session, format="people")
    # demo.yaml's 23 people-exchange programmes and the 12 per-tie ones of activities.yaml
    assert all(p.format == "people" for p in people) and len(people) == 23 + 12
    korea = {
        p.title for p in programme_service.list_programmes(session=session, country="KR", format="people")
    }
    assert korea == {
        "環日本海定期貨客船航路を利用した国際交流事業",
        "青少年交流（江東区・忠州市）",
        "忠州市職員派遣研修",
        "富川市との職員人事交流",
    }


def test_a_partner_written_as_text_is_linked_and_leaves_the_review_flag(session: Session) -> None:
    summit = programme(session, "新城市", "世界ニューキャッスル(新城)サミット")
    [neuburg] = [p for p in summit.partners if p.written_name == "ドイツ ノイブルグ市"]
    assert not neuburg.resolved and neuburg.country == "DE"
    resolution = names_service.resolve(session=session, text="ノイブルグ市", country="DE")
    item = names_service.send_to_review(session=session, resolution=resolution, source="test")
    programme_service.mark_for_review(session=session, partner=neuburg, review_item_id=item.id)
    assert programme_service.partners_needing_review(session=session) == [neuburg]
    target = municipality(session, "ブラショフ市", "RO")  # any municipality: the link is what is tested
    programme_service.link_partner(session=session, partner_id=neuburg.id, municipality_id=target.id)
    assert neuburg.resolved and neuburg.name == "ブラショフ市" and neuburg.country == "RO"
    assert programme_service.partners_needing_review(session=session) == []


def test_the_same_partner_is_not_added_twice(session: Session) -> None:
    summit = programme(session, "新城市", "世界ニューキャッスル(新城)サミット")
    count = len(summit.partners)
    _, added = programme_service.merge_partner(
        session=session, programme=summit, data={"written_name": "イギリス アポインタインニューキャッスル市"}
    )
    assert not added and len(summit.partners) == count


# ----------------------------------------------------------------------------- networks and awards
def test_takasaki_network_has_its_six_members_and_meetings_by_year_and_host(session: Session) -> None:
    network = network_service.find_network(session=session, name="姉妹友好都市間地球市民環境会議")
    assert network is not None and network.founded_on == dt.date(1996, 1, 1)
    assert sorted(m.municipality.name for m in network.memberships if m.municipality) == sorted(
        ["高崎市", "バトルクリーク", "サントアンドレ", "承徳", "プルゼニ", "モンテンルパ"]
    )
    meetings = [
        (
            m.held_on.year if m.held_on else None,
            m.host_municipality.name if m.host_municipality else None,
            m.title,
        )
        for m in network.meetings
    ]
    assert sorted(meetings, key=lambda m: m[0] or 0) == [
        (2000, "高崎市", "5市間国際交流環境プログラム高崎大会"),
        (2002, "サントアンドレ", None),
        (2005, "バトルクリーク", None),
        (2006, "高崎市", "第4回高崎サミット"),
        (2007, "承徳", None),
        (2009, "プルゼニ", None),
    ]
    day = programme(session, "高崎市", "地球市民の日")
    assert day.schedule == "毎年10月27日" and day.network_id == network.id


def test_seed_001_networks_with_members_counts_and_subcommittees(session: Session) -> None:
    names = {n.name for n in network_service.list_networks(session=session)}
    assert len(names) == 12 and "北東アジア地域自治体連合" in names
    near = network_service.find_network(session=session, name="北東アジア地域自治体連合")
    assert near is not None
    assert (near.founded_fy, near.member_count, len(near.subcommittees)) == (1996, 70, 11)
    assert {m.municipality.name for m in near.memberships if m.municipality} == {
        "青森県",
        "山形県",
        "新潟県",
        "富山県",
        "石川県",
        "福井県",
        "京都府",
        "兵庫県",
        "鳥取県",
        "島根県",
    }
    winter = network_service.find_network(session=session, name="世界冬の都市市長会")
    assert winter is not None and winter.member_count == 20
    assert (winter.member_count_as_of, winter.member_count_as_of_precision) == (dt.date(2010, 10, 1), "month")
    assert winter.secretariat_municipality is not None and winter.secretariat_municipality.name == "札幌市"
    islands = network_service.find_network(session=session, name="島嶼観光政策フォーラム")
    assert islands is not None
    assert sorted(m.role for m in islands.memberships).count("observer") == 4
    nichifutsu = network_service.find_network(session=session, name="日仏自治体交流会議")
    assert nichifutsu is not None
    assert [(m.fiscal_year, m.participating_count) for m in nichifutsu.meetings] == [(2008, 29), (2010, 44)]
    sapporo = municipality(session, "札幌市")
    assert [
        n.name for n in network_service.networks_for_municipality(session=session, municipality_id=sapporo.id)
    ] == ["世界冬の都市市長会"]


def test_a_membership_or_meeting_of_an_unknown_party_is_refused(session: Session) -> None:
    network = network_service.find_network(session=session, name="世界冬の都市市長会")
    assert network is not None
    with pytest.raises(InvalidInput) as refused:
        network_service.add_membership(
            session=session, data={"network_id": network.id, "municipality_id": 999_999}
        )
    assert _fields(refused.value) == ["member.municipality_id"]
    with pytest.raises(InvalidInput) as refused:
        network_service.add_meeting(
            session=session, data={"network_id": network.id, "participating_count": -3}
        )
    assert _fields(refused.value) == ["participating_count"]


def test_the_fifth_award_has_three_recipients_judged_on_the_clair_criteria(session: Session) -> None:
    assert [c.name_ja for c in CLAIR_AWARD_CRITERIA] == [
        "先進性",
        "独自性",
        "継続性",
        "活発性",
        "協働性",
        "成果",
    ]
    awards = award_service.list_awards(session=session, name="姉妹自治体交流表彰")
    assert sorted(a.recipient_name for a in awards) == ["宮城・ベラルーシ協会", "金沢市", "高崎市"]
    codes = {c.code for c in award_service.criteria("clair")}
    for award in awards:
        assert (award.edition, award.fiscal_year, award.prize) == (5, 2010, "総務大臣賞")
        assert award.evaluation_points and all(p["criterion"] in codes for p in award.evaluation_points)
    takasaki = next(a for a in awards if a.recipient_name == "高崎市")
    assert len(takasaki.partners) == 5
    with pytest.raises(InvalidInput) as refused:
        award_service.upsert_award(
            session=session,
            data={
                "name": "姉妹自治体交流表彰",
                "recipient": {"municipality_id": takasaki.recipient_municipality_id},
                "evaluation_points": [{"criterion": "beauty", "text": "美しい"}],
            },
        )
    assert "unknown criterion beauty" in refused.value.report()


# ----------------------------------------------------------------------------- the demo
def test_demo_programmes_of_musashino_and_murayama_with_partners_and_start_years(session: Session) -> None:
    musashino = municipality(session, "武蔵野市")
    assert len(partnership_service.for_municipality(session=session, municipality_id=musashino.id)) == 15
    started = {
        p.title: (p.started_on.year if p.started_on else None, sorted(x.name for x in p.partners))
        for p in programme_service.list_programmes(session=session, municipality_id=musashino.id)
    }
    assert started["武蔵野市ジュニア大使親善使節団"] == (1986, ["ラボック市"])
    assert started["武蔵野市青年の翼親善使節団"] == (1988, ["北京市", "北京市人民対外友好協会"])
    assert started["日本武蔵野センター"] == (1998, ["ブラショフ市"])
    assert started["市民交流団派遣"] == (None, sorted(["大崎上島町", "酒田市", "南房総市", "遠野市"]))
    # seed 000's nine, and five of activities.yaml, each run under its own tie
    assert len(started) == 9 + 5
    assert started["酒田市への市民交流団派遣"] == (None, ["酒田市"])
    barrie = programme(session, "村山市", "バリー市青少年相互派遣交流")
    assert barrie.started_on == dt.date(1997, 1, 1) and barrie.started_on_precision == "year"
    # seed 002's 第12回 (平成20年), then the illustrative FY2015– series, numbered on from it
    first = barrie.activities[0]
    assert (first.title, first.start_on) == ("第12回青少年相互派遣", dt.date(2008, 1, 1))
    later = barrie.activities[1:]
    assert later and all(a.start_on and a.start_on.year >= 2015 for a in later)
    assert all(a.source and a.source.startswith("例示") and "seed 002" in a.source for a in later)
    assert later[0].title.startswith("第19回青少年相互派遣")
    staff = programme(session, "村山市", "職員相互交流人事")
    assert (staff.first_fy, staff.ongoing) == (2001, True)
    belarus = organisation_service.find_by_name(session=session, name="宮城・ベラルーシ協会")
    assert belarus is not None
    [minsk] = [
        p for p in programme_service.list_programmes(session=session) if p.owner_key == f"o{belarus.id}"
    ]
    assert [a.start_on.year for a in minsk.activities if a.start_on] == [2002, 2007, 2008]


def test_loading_the_demo_again_changes_nothing(session: Session) -> None:
    models = (Network, NetworkMembership, NetworkMeeting, Programme, ProgrammePartner, Activity, Award)
    before = [session.scalar(select(func.count()).select_from(model)) for model in models]
    load_demo(session=session)
    assert [session.scalar(select(func.count()).select_from(model)) for model in models] == before
    assert names_service.open_reviews(session=session) == []


def test_read_schemas_describe_stored_records(session: Session) -> None:
    from tsunagari.exchange.schemas import AwardRead, ProgrammeRead

    summit = programme(session, "新城市", "世界ニューキャッスル(新城)サミット")
    read = ProgrammeRead.model_validate(summit)
    assert [o.name for o in read.owners] == ["新城市"]
    assert [p.name for p in read.partners][:2] == ["ヌシャテル市", "ニューキャッスル市"]
    assert read.held_fy == [2010]
    [award] = [a for a in award_service.list_awards(session=session) if a.recipient_name == "金沢市"]
    assert AwardRead.model_validate(award).evaluation_points[0].criterion == "innovation"


# ----------------------------------------------------------------------------- editing networks and awards
def _audited(session: Session, table: str, record_id: int) -> list[str]:
    from tsunagari.audit.models import AuditEntry

    session.flush()
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.table_name == table, AuditEntry.record_id == str(record_id))
            .order_by(AuditEntry.id)
        )
    )


def test_a_network_is_edited_checked_as_a_whole_and_never_renamed_onto_another(session: Session) -> None:
    winter = network_service.find_network(session=session, name="世界冬の都市市長会")
    assert winter is not None
    version = winter.version
    network_service.update_network(session=session, network=winter, changes={"member_count": 21})
    assert (winter.member_count, winter.version, winter.name) == (21, version + 1, "世界冬の都市市長会")
    with pytest.raises(Conflict):
        network_service.update_network(
            session=session, network=winter, changes={"name": "日仏自治体交流会議"}
        )
    with pytest.raises(InvalidInput) as refused:
        network_service.update_network(
            session=session,
            network=winter,
            changes={"member_count": -1, "secretariat_municipality_id": 999_999, "version": 1},
        )
    assert _fields(refused.value) == ["version"]
    with pytest.raises(InvalidInput) as refused:
        network_service.update_network(session=session, network=winter, changes={"member_count": -1})
    assert _fields(refused.value) == ["member_count"]
    with pytest.raises(InvalidInput) as refused:
        network_service.update_network(
            session=session, network=winter, changes={"secretariat_municipality_id": 999_999}
        )
    assert _fields(refused.value) == ["secretariat.municipality_id"]


def test_deleting_a_network_audits_each_membership_and_meeting_and_keeps_programmes(session: Session) -> None:
    takasaki = network_service.find_network(session=session, name="姉妹友好都市間地球市民環境会議")
    assert takasaki is not None
    with pytest.raises(Conflict) as refused:
        network_service.delete_network(session=session, network=takasaki)
    assert "programmes" in str(refused.value)

    network = network_service.create_network(session=session, data={"name": "テスト交流会議"})
    sendai = municipality(session, "仙台市")
    membership, _ = network_service.add_membership(
        session=session, data={"network_id": network.id, "municipality_id": sendai.id}
    )
    meeting, _ = network_service.add_meeting(
        session=session,
        data={"network_id": network.id, "fiscal_year": 2010, "host_municipality_id": sendai.id},
    )
    network_service.update_meeting(session=session, meeting=meeting, changes={"participating_count": 12})
    with pytest.raises(InvalidInput) as moved:
        network_service.update_meeting(session=session, meeting=meeting, changes={"network_id": 1})
    assert _fields(moved.value) == ["network_id"]
    ids = (network.id, membership.id, meeting.id)
    network_service.delete_network(session=session, network=network)
    assert session.get(Network, ids[0]) is None and session.get(NetworkMembership, ids[1]) is None
    assert _audited(session, "network", ids[0]) == ["create", "delete"]
    assert _audited(session, "network_membership", ids[1]) == ["create", "delete"]
    assert _audited(session, "network_meeting", ids[2]) == ["create", "update", "delete"]


def test_an_award_is_created_once_edited_with_its_partners_and_deleted(session: Session) -> None:
    kawasaki, bucheon = municipality(session, "川崎市"), municipality(session, "富川", "KR")
    data: dict[str, Any] = {
        "name": "姉妹自治体交流表彰",
        "edition": 6,
        "fiscal_year": 2011,
        "prize": "総務大臣賞",
        "recipient": {"municipality_id": kawasaki.id},
        "partner_municipality_ids": [bucheon.id],
        "evaluation_points": [{"criterion": "continuity", "text": "職員相互派遣を続けている"}],
    }
    award = award_service.create_award(session=session, data=data)
    with pytest.raises(Conflict):
        award_service.create_award(session=session, data=data)
    sendai = municipality(session, "仙台市")
    award_service.update_award(
        session=session,
        award=award,
        changes={"partner_municipality_ids": [sendai.id], "citation": "職員交流"},
    )
    assert [p.municipality_id for p in award.partners] == [sendai.id] and award.citation == "職員交流"
    assert award.recipient_municipality_id == kawasaki.id and award.edition == 6
    with pytest.raises(InvalidInput) as refused:
        award_service.update_award(
            session=session, award=award, changes={"partner_municipality_ids": [999_999]}
        )
    assert _fields(refused.value) == ["partner_municipality_ids.0"]
    with pytest.raises(InvalidInput) as refused:
        award_service.update_award(
            session=session,
            award=award,
            changes={"evaluation_points": [{"criterion": "beauty", "text": "x"}]},
        )
    award_id = award.id
    award_service.delete_award(session=session, award=award)
    assert session.get(Award, award_id) is None
    assert _audited(session, "award", award_id) == ["create", "update", "delete"]
