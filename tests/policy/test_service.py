"""The visit policy of seed 002: public money, publication of purpose and report, citizen meetings."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from tsunagari.exchange import programme_service
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PartnershipType
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.policy import service as policy_service


def _murayama(session: Session) -> int:
    return municipality_service.find_by_name(session=session, name="村山市", country="JP", region="山形県")[
        0
    ].id


def _city(session: Session, name: str) -> int:
    return municipality_service.create(session=session, data=MunicipalityCreate(name=name, country="RU")).id


def _visit(session: Session, home: int, destination: int, **values: object) -> int:
    programme = programme_service.create_programme(
        session=session,
        data={
            "title": f"訪問団 {destination} {values.get('title', '')}",
            "format": "people",
            "owners": [{"municipality_id": home}],
        },
    )
    data = {
        "programme_id": programme.id,
        "title": "公式訪問団",
        "municipality_id": home,
        "destination_municipality_id": destination,
        "start_on": dt.date(2025, 8, 1),
        "end_on": dt.date(2025, 8, 5),
        "purpose_published_on": dt.date(2025, 7, 1),
        "report_published_on": dt.date(2025, 8, 20),
        "citizen_meeting_on": dt.date(2025, 7, 10),
        **values,
    }
    return policy_service.create_visit(session=session, data=data).activity_id


def _codes(session: Session, municipality_id: int, today: dt.date) -> set[str]:
    return {
        f.code for f in policy_service.check(session=session, municipality_id=municipality_id, today=today)
    }


def test_seed_002_rules_are_stored_for_murayama(session: Session) -> None:
    rules = policy_service.seed(session=session)
    assert rules is not None and rules.municipality_id == _murayama(session)
    assert rules.public_money_only_official_to_sister_friendship and rules.require_citizen_consultation
    assert rules.report_deadline_days == 30 and "seed 002" in (rules.source or "")
    assert policy_service.seed(session=session) is rules


def test_public_cost_to_a_city_that_is_not_a_sister_city_is_flagged(session: Session) -> None:
    home = _murayama(session)
    sister, stranger = _city(session, "テスト姉妹市"), _city(session, "テスト無縁市")
    partnership_service.create(
        session=session,
        data=PartnershipCreate(
            home_municipality_id=home, partner_municipality_id=sister, type=PartnershipType.sister_city
        ),
    )
    _visit(session, home, sister, public_cost=500_000, official_visit=True, title="a")
    assert "public_cost_not_allowed" not in _codes(session, home, dt.date(2025, 9, 1))
    flagged = _visit(session, home, stranger, public_cost=500_000, official_visit=True, title="b")
    findings = policy_service.check(session=session, municipality_id=home, today=dt.date(2025, 9, 1))
    assert [f.activity_id for f in findings if f.code == "public_cost_not_allowed"] == [flagged]
    # Signing an agreement is the exception the policy makes.
    _visit(session, home, stranger, public_cost=500_000, for_signing=True, title="c")
    assert (
        len(
            [
                f
                for f in policy_service.check(
                    session=session, municipality_id=home, today=dt.date(2025, 9, 1)
                )
                if f.code == "public_cost_not_allowed"
            ]
        )
        == 1
    )


def test_report_not_published_30_days_after_return_is_overdue(session: Session) -> None:
    home = _murayama(session)
    destination = _city(session, "テスト訪問先")
    _visit(session, home, destination, report_published_on=None)
    due = policy_service.due_list(session=session, municipality_id=home, today=dt.date(2025, 9, 4))
    assert [(f.code, f.status, f.due_on) for f in due] == [("report_due", "due", dt.date(2025, 9, 4))]
    overdue = policy_service.due_list(session=session, municipality_id=home, today=dt.date(2025, 9, 5))
    assert [(f.code, f.status) for f in overdue] == [("report_overdue", "overdue")]


def test_purpose_and_citizen_meeting_before_the_visit(session: Session) -> None:
    home = _murayama(session)
    destination = _city(session, "テスト訪問先2")
    _visit(session, home, destination, purpose_published_on=None, citizen_meeting_on=None)
    before = _codes(session, home, dt.date(2025, 7, 20))
    assert {"purpose_due", "citizen_meeting_due"} <= before
    after = _codes(session, home, dt.date(2025, 8, 2))
    assert {"purpose_not_published", "citizen_meeting_missing"} <= after


def test_changed_rules_are_listed_and_change_the_deadline(session: Session) -> None:
    murayama = _murayama(session)
    policy_service.seed(session=session)
    partner = _city(session, "規則テスト市")
    visit_id = _visit(session, murayama, partner, report_published_on=None)
    assert any(
        f.code == "report_due" and f.due_on == dt.date(2025, 9, 4)
        for f in policy_service.check(session=session, municipality_id=murayama, today=dt.date(2025, 8, 10))
    )
    policy_service.set_rules(session=session, municipality_id=murayama, changes={"report_deadline_days": 10})
    assert murayama in {r.municipality_id for r in policy_service.list_rules(session=session)}
    findings = policy_service.check(session=session, municipality_id=murayama, today=dt.date(2025, 8, 20))
    assert [f.due_on for f in findings if f.activity_id == visit_id and f.code == "report_overdue"] == [
        dt.date(2025, 8, 15)
    ]


def test_every_finding_reads_in_japanese_and_in_english(session: Session) -> None:
    home = _murayama(session)
    policy_service.seed(session=session)
    stranger = _city(session, "言語テスト市")
    _visit(session, home, stranger, public_cost=500_000, official_visit=True, title="late")
    _visit(session, home, stranger, title="missing", purpose_published_on=None, report_published_on=None)
    _visit(
        session,
        home,
        stranger,
        title="plan",
        citizen_meeting_on=None,
        start_on=dt.date(2025, 9, 1),
        end_on=dt.date(2025, 9, 5),
    )
    findings = [
        *policy_service.check(session=session, municipality_id=home, today=dt.date(2025, 7, 20)),
        *policy_service.check(session=session, municipality_id=home, today=dt.date(2025, 12, 1)),
    ]
    codes = {f.code for f in findings}
    assert {"public_cost_not_allowed", "purpose_due", "report_overdue", "citizen_meeting_due"} <= codes
    japanese = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
    for finding in findings:
        assert japanese.search(finding.message_in("ja")), finding
        english = finding.message_in("en")
        assert english and english != finding.message and not japanese.search(english), finding
