"""Business logic of evaluations: reviewers' scores per criterion, computed indicators, the scorecard.

Indicators are counted from the recorded activities only (実施記録): a programme's own, or for a
partnership those of the programmes linked to it. Nothing is estimated; an empty record says so.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput, Problem
from tsunagari.evaluation.indicators import DORMANT_YEARS, longest_run, whole_years
from tsunagari.evaluation.models import Evaluation, EvaluationScore
from tsunagari.evaluation.schemas import EvaluationIn, SubjectKind
from tsunagari.exchange import activity_service, award_service, programme_service
from tsunagari.exchange.models import Activity, Criterion, Programme
from tsunagari.exchange.schemas import parse
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, Partnership

SUBJECT_KINDS: tuple[SubjectKind, ...] = ("partnership", "programme")


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    id: int
    title: str
    signed_on: dt.date | None = None


def subject_key(kind: str, subject_id: int) -> str:
    return f"{kind}:{subject_id}"


def get_subject(*, session: Session, kind: str, subject_id: int) -> Subject:
    """The partnership or programme being evaluated; NotFound when it does not exist."""
    if kind == "partnership":
        partnership = partnership_service.get(session=session, partnership_id=subject_id)
        return Subject("partnership", partnership.id, partnership_title(partnership), partnership.signed_on)
    if kind == "programme":
        programme = programme_service.get_programme(session=session, programme_id=subject_id)
        return Subject("programme", programme.id, programme.title)
    raise InvalidInput(
        "partnership か programme を指定してください / unknown subject", field="kind", value=kind
    )


def partnership_title(partnership: Partnership) -> str:
    home = partnership.home_municipality or partnership.home_organisation
    partner = partnership.partner_municipality or partnership.partner_organisation
    label = PARTNERSHIP_TYPE_LABELS.get(partnership.type, (partnership.type, ""))[0]
    home_name = home.name if home is not None else "?"
    partner_name = partner.name if partner is not None else (partnership.partner_written_name or "?")
    return f"{home_name} – {partner_name} ({label})"


# ----------------------------------------------------------------------------- scores
def get_evaluation(
    *, session: Session, kind: str, subject_id: int, reviewer_id: int, criteria_set: str = "clair"
) -> Evaluation | None:
    return session.scalars(
        select(Evaluation).where(
            Evaluation.subject_key == subject_key(kind, subject_id),
            Evaluation.criteria_set == criteria_set,
            Evaluation.reviewer_id == reviewer_id,
        )
    ).first()


def evaluations_for(
    *, session: Session, kind: str, subject_id: int, criteria_set: str = "clair"
) -> Sequence[Evaluation]:
    return list(
        session.scalars(
            select(Evaluation)
            .where(
                Evaluation.subject_key == subject_key(kind, subject_id),
                Evaluation.criteria_set == criteria_set,
            )
            .order_by(Evaluation.id)
        )
    )


def recent(*, session: Session, limit: int = 50) -> Sequence[Evaluation]:
    return list(
        session.scalars(
            select(Evaluation).order_by(Evaluation.updated_at.desc(), Evaluation.id.desc()).limit(limit)
        )
    )


def score(
    *,
    session: Session,
    kind: str,
    subject_id: int,
    reviewer_id: int,
    reviewer_name: str,
    data: EvaluationIn | Mapping[str, Any],
) -> Evaluation:
    """Store a reviewer's scores for a subject (creating the evaluation on the first save).

    Criterion codes outside the set are refused, naming each; a blank score removes that criterion's score.
    """
    evaluation_in = parse(EvaluationIn, data)
    criteria = {c.code for c in award_service.criteria(evaluation_in.criteria_set)}
    unknown = [code for code in evaluation_in.scores if code not in criteria]
    if unknown:
        raise InvalidInput(
            problems=[
                Problem("この評価基準はありません / unknown criterion", field=f"scores.{code}", value=code)
                for code in unknown
            ]
        )
    subject = get_subject(session=session, kind=kind, subject_id=subject_id)
    evaluation = get_evaluation(
        session=session,
        kind=kind,
        subject_id=subject_id,
        reviewer_id=reviewer_id,
        criteria_set=evaluation_in.criteria_set,
    )
    if evaluation is None:
        if not evaluation_in.comment and all(s.score is None for s in evaluation_in.scores.values()):
            raise InvalidInput(
                "点数か総評を1つ以上入力してください / give at least one score or an overall comment",
                field="scores",
            )
        evaluation = Evaluation(
            criteria_set=evaluation_in.criteria_set,
            partnership_id=subject.id if kind == "partnership" else None,
            programme_id=subject.id if kind == "programme" else None,
            subject_key=subject_key(kind, subject.id),
            reviewer_id=reviewer_id,
            reviewer_name=reviewer_name,
        )
        session.add(evaluation)
    comment = (evaluation_in.comment or "").strip() or None
    if evaluation.comment != comment:
        evaluation.comment = comment
    changed = False
    existing = {s.criterion: s for s in evaluation.scores}
    for code, given in evaluation_in.scores.items():
        note = (given.comment or "").strip() or None
        row = existing.get(code)
        if given.score is None:
            if row is not None:
                evaluation.scores.remove(row)
                changed = True
            continue
        if row is None:
            evaluation.scores.append(EvaluationScore(criterion=code, score=given.score, comment=note))
            changed = True
        elif (row.score, row.comment) != (given.score, note):
            row.score, row.comment = given.score, note
            changed = True
    if (
        changed
        and evaluation.id is not None
        and not session.is_modified(evaluation, include_collections=False)
    ):
        # Scores are rows of their own: touching the evaluation bumps its version for concurrent edits.
        evaluation.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    return evaluation


# ----------------------------------------------------------------------------- indicators
@dataclass(frozen=True)
class Indicators:
    """What the records say, counted, not judged."""

    activities: int
    dated_activities: int
    first_activity_on: dt.date | None
    last_activity_on: dt.date | None
    years_with_activity: int
    longest_run_years: int
    """継続性: the longest run of consecutive calendar years with at least one activity."""
    activities_per_year: float | None
    """活発性: dated activities per year over the span from the first to the last year with one."""
    years_since_last_activity: int | None
    dormant: bool
    """No recorded activity in DORMANT_YEARS years (or none at all)."""
    participants: int
    public_cost: int
    actor_types: tuple[str, ...]
    """協働性: the kinds of actors the programmes name (government, NPO, schools …)."""
    years_since_signing: int | None = None
    programmes: int = 0


def _activities(session: Session, kind: str, subject_id: int) -> tuple[list[Programme], list[Activity]]:
    if kind == "programme":
        programmes = [programme_service.get_programme(session=session, programme_id=subject_id)]
    else:
        # Read-only: the programmes run under this partnership (programme.partnership_id).
        programmes = list(
            session.scalars(
                select(Programme).where(Programme.partnership_id == subject_id).order_by(Programme.id)
            )
        )
    activities = [
        a
        for p in programmes
        for a in activity_service.activities_for_programme(session=session, programme_id=p.id)
    ]
    return programmes, activities


def indicators(*, session: Session, kind: str, subject_id: int, today: dt.date) -> Indicators:
    subject = get_subject(session=session, kind=kind, subject_id=subject_id)
    programmes, activities = _activities(session, kind, subject_id)
    dates = sorted(a.start_on for a in activities if a.start_on is not None)
    years = sorted({d.year for d in dates})
    last = dates[-1] if dates else None
    since_last = whole_years(last, today) if last is not None else None
    span = years[-1] - years[0] + 1 if years else 0
    return Indicators(
        activities=len(activities),
        dated_activities=len(dates),
        first_activity_on=dates[0] if dates else None,
        last_activity_on=last,
        years_with_activity=len(years),
        longest_run_years=longest_run(years),
        activities_per_year=round(len(dates) / span, 2) if span else None,
        years_since_last_activity=since_last,
        dormant=last is None or (today - last).days >= DORMANT_YEARS * 365,
        participants=sum(a.participant_total() for a in activities),
        public_cost=sum(a.public_cost or 0 for a in activities),
        actor_types=tuple(sorted({actor for p in programmes for actor in (p.actors or [])})),
        years_since_signing=whole_years(subject.signed_on, today) if subject.signed_on else None,
        programmes=len(programmes),
    )


# ----------------------------------------------------------------------------- scorecard
@dataclass(frozen=True)
class ReviewerScore:
    reviewer: str
    score: int
    comment: str | None


@dataclass(frozen=True)
class CriterionRow:
    criterion: Criterion
    mean: float | None
    scores: list[ReviewerScore]


@dataclass(frozen=True)
class Scorecard:
    subject: Subject
    criteria_set: str
    rows: list[CriterionRow]
    overall_mean: float | None
    """The mean of the criterion means that have scores."""
    reviewers: int
    comments: list[tuple[str, str]] = field(default_factory=list)
    """(reviewer, overall comment)."""
    indicators: Indicators | None = None


def scorecard(
    *, session: Session, kind: str, subject_id: int, today: dt.date, criteria_set: str = "clair"
) -> Scorecard:
    """Reviewers' scores per criterion (each reviewer's, and the mean) with the computed indicators."""
    subject = get_subject(session=session, kind=kind, subject_id=subject_id)
    evaluations = evaluations_for(
        session=session, kind=kind, subject_id=subject_id, criteria_set=criteria_set
    )
    rows: list[CriterionRow] = []
    for criterion in award_service.criteria(criteria_set):
        given = [
            ReviewerScore(e.reviewer_name, s.score, s.comment)
            for e in evaluations
            for s in e.scores
            if s.criterion == criterion.code
        ]
        mean = round(statistics.fmean(g.score for g in given), 2) if given else None
        rows.append(CriterionRow(criterion, mean, given))
    means = [r.mean for r in rows if r.mean is not None]
    return Scorecard(
        subject=subject,
        criteria_set=criteria_set,
        rows=rows,
        overall_mean=round(statistics.fmean(means), 2) if means else None,
        reviewers=len([e for e in evaluations if e.scores or e.comment]),
        comments=[(e.reviewer_name, e.comment) for e in evaluations if e.comment],
        indicators=indicators(session=session, kind=kind, subject_id=subject_id, today=today),
    )
