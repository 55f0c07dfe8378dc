"""Evaluations: reviewers' scores per CLAIR criterion, indicators counted from activities, the scorecard."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.audit import service as audit_service
from tsunagari.audit.models import AuditEntry
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.evaluation import service as evaluation_service
from tsunagari.exchange import activity_service, programme_service
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PartnershipType
from tsunagari.partnership.schemas import PartnershipCreate

TODAY = dt.date(2026, 11, 24)


def _reviewer(session: Session, name: str) -> tuple[int, str]:
    from tsunagari.access.roles import Role
    from tsunagari.auth import service as auth_service
    from tsunagari.auth.schemas import UserCreate

    user = auth_service.create_user(
        session=session,
        data=UserCreate(email=f"{abs(hash(name))}@example.jp", display_name=name, role=Role.reviewer),
    )
    return user.id, user.display_name


def _partnership_with_programme(
    session: Session, years: list[int], participants: int = 10
) -> tuple[int, int]:
    musashino = municipality_service.find_by_name(session=session, name="武蔵野市", country="JP")[0]
    partner = municipality_service.create(
        session=session, data=MunicipalityCreate(name="評価テスト市", name_en="Scoreville", country="US")
    )
    partnership = partnership_service.create(
        session=session,
        data=PartnershipCreate(
            home_municipality_id=musashino.id,
            partner_municipality_id=partner.id,
            type=PartnershipType.sister_city,
            signed_on=dt.date(2000, 5, 1),
        ),
    )
    programme = programme_service.create_programme(
        session=session,
        data={
            "title": "評価テスト青少年交流",
            "format": "people",
            "owners": [{"municipality_id": musashino.id}],
            "partnership_id": partnership.id,
            "actors": ["government", "citizens"],
        },
    )
    for year in years:
        activity_service.record_activity(
            session=session,
            data={
                "programme_id": programme.id,
                "title": f"派遣 {year}",
                "start_on": dt.date(year, 8, 1),
                "participants": {"students": participants},
                "public_cost": 100_000,
            },
        )
    return partnership.id, programme.id


def test_indicators_are_counted_from_the_linked_programmes_activities(session: Session) -> None:
    partnership_id, programme_id = _partnership_with_programme(session, [2015, 2016, 2017, 2019, 2019, 2020])
    found = evaluation_service.indicators(
        session=session, kind="partnership", subject_id=partnership_id, today=TODAY
    )
    assert found.activities == 6 and found.dated_activities == 6 and found.programmes == 1
    assert found.years_with_activity == 5
    assert found.longest_run_years == 3  # 2015–2017
    assert found.activities_per_year == 1.0  # 6 activities over 2015–2020
    assert found.last_activity_on == dt.date(2020, 8, 1)
    assert found.years_since_last_activity == 6
    assert found.dormant is True
    assert found.participants == 60 and found.public_cost == 600_000
    assert found.actor_types == ("citizens", "government")
    assert found.years_since_signing == 26
    same = evaluation_service.indicators(
        session=session, kind="programme", subject_id=programme_id, today=TODAY
    )
    assert same.activities == 6 and same.years_since_signing is None


def test_a_relationship_with_nothing_recorded_is_dormant_not_guessed(session: Session) -> None:
    partnership_id, _ = _partnership_with_programme(session, [])
    found = evaluation_service.indicators(
        session=session, kind="partnership", subject_id=partnership_id, today=TODAY
    )
    assert found.activities == 0 and found.activities_per_year is None and found.last_activity_on is None
    assert found.dormant is True and found.years_since_last_activity is None


def test_recent_activity_is_not_dormant(session: Session) -> None:
    partnership_id, _ = _partnership_with_programme(session, [2025])
    found = evaluation_service.indicators(
        session=session, kind="partnership", subject_id=partnership_id, today=TODAY
    )
    assert found.dormant is False and found.years_since_last_activity == 1


def test_scores_from_two_reviewers_make_the_scorecard(session: Session) -> None:
    partnership_id, _ = _partnership_with_programme(session, [2024, 2025])
    first, second = _reviewer(session, "審査 一"), _reviewer(session, "審査 二")
    evaluation_service.score(
        session=session,
        kind="partnership",
        subject_id=partnership_id,
        reviewer_id=first[0],
        reviewer_name=first[1],
        data={
            "scores": {"continuity": {"score": 4, "comment": "毎年続いている"}, "results": {"score": 2}},
            "comment": "成果の記録が少ない",
        },
    )
    evaluation_service.score(
        session=session,
        kind="partnership",
        subject_id=partnership_id,
        reviewer_id=second[0],
        reviewer_name=second[1],
        data={"scores": {"continuity": {"score": 5}}},
    )
    card = evaluation_service.scorecard(
        session=session, kind="partnership", subject_id=partnership_id, today=TODAY
    )
    rows = {row.criterion.code: row for row in card.rows}
    assert [row.criterion.name_ja for row in card.rows] == [
        "先進性",
        "独自性",
        "継続性",
        "活発性",
        "協働性",
        "成果",
    ]
    assert rows["continuity"].mean == 4.5
    assert sorted((s.reviewer, s.score) for s in rows["continuity"].scores) == [
        ("審査 一", 4),
        ("審査 二", 5),
    ]
    assert rows["results"].mean == 2.0 and rows["innovation"].mean is None
    assert card.overall_mean == 3.25
    assert card.reviewers == 2
    assert card.comments == [("審査 一", "成果の記録が少ない")]
    assert card.indicators is not None and card.indicators.activities == 2


def test_rescoring_changes_only_what_changed_and_bumps_the_version(session: Session) -> None:
    reviewer_id, reviewer_name = _reviewer(session, "審査 三")
    partnership_id, _ = _partnership_with_programme(session, [2025])

    def save(scores: dict[str, object]) -> object:
        return evaluation_service.score(
            session=session,
            kind="partnership",
            subject_id=partnership_id,
            reviewer_id=reviewer_id,
            reviewer_name=reviewer_name,
            data={"scores": scores},
        )

    evaluation = save({"innovation": {"score": 3}, "activity": {"score": 4, "comment": "活発"}})
    version = evaluation.version  # type: ignore[attr-defined]
    last = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    save({"innovation": {"score": 5}, "activity": {"score": 4, "comment": "活発"}})
    new_entries = session.scalars(
        select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id)
    ).all()
    by_table = {(e.table_name, e.action): e for e in new_entries}
    assert sorted(by_table) == [("evaluation", "update"), ("evaluation_score", "update")]
    score_entry = by_table[("evaluation_score", "update")]
    assert score_entry.before == {"score": 3} and score_entry.after == {"score": 5}
    assert evaluation.version == version + 1  # type: ignore[attr-defined]
    # A blank score removes that criterion's score.
    save({"innovation": {"score": None}})
    stored = evaluation_service.get_evaluation(
        session=session, kind="partnership", subject_id=partnership_id, reviewer_id=reviewer_id
    )
    assert stored is not None and {s.criterion for s in stored.scores} == {"activity"}
    assert audit_service.history(session=session, table_name="evaluation", record_id=stored.id)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"scores": {"charm": {"score": 3}}}, "scores.charm"),
        ({"scores": {"results": {"score": 6}}}, "scores.results.score"),
        ({"scores": {"results": {"score": 0}}}, "scores.results.score"),
        ({"criteria_set": "nobel", "scores": {}}, "criteria_set"),
        ({"scores": {"results": {"score": None}}}, "scores"),  # a first save with nothing in it
    ],
)
def test_bad_scores_are_refused_naming_the_field(
    session: Session, data: dict[str, object], field: str
) -> None:
    partnership_id, _ = _partnership_with_programme(session, [])
    reviewer_id, reviewer_name = _reviewer(session, "審査 四")
    with pytest.raises(InvalidInput) as refused:
        evaluation_service.score(
            session=session,
            kind="partnership",
            subject_id=partnership_id,
            reviewer_id=reviewer_id,
            reviewer_name=reviewer_name,
            data=data,
        )
    assert refused.value.problems[0].field == field


def test_an_unknown_subject_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        evaluation_service.scorecard(session=session, kind="programme", subject_id=10**8, today=TODAY)
    with pytest.raises(InvalidInput):
        evaluation_service.get_subject(session=session, kind="award", subject_id=1)
