"""交流事業検証報告書: the council's verification report for one municipality and a range of fiscal years,
assembled from the indicators, the programmes' records, reviewers' scores and the visit policy's checks
(read only; the HTML, PDF and XLSX are written by reports.output from this one dataclass)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from tsunagari.dates import fiscal_year_label, fiscal_year_of
from tsunagari.evaluation import indicators as indicators_service
from tsunagari.evaluation import service as evaluation_service
from tsunagari.evaluation.indicators import TieIndicators
from tsunagari.exchange import activity_service, programme_service
from tsunagari.exchange.models import Programme
from tsunagari.municipality.models import Municipality
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import STATUS_LABELS
from tsunagari.policy import service as policy_service

TITLE = "交流事業検証報告書"


@dataclass(frozen=True)
class ProgrammeLine:
    """一事業: its records in the range, with the reviewers' mean score."""

    id: int
    title: str
    partner: str
    activities: int
    participants: int
    public_cost_yen: int
    cost_per_participant_yen: int | None
    outcomes: tuple[str, ...]
    score_mean: float | None
    reviewers: int


@dataclass(frozen=True)
class YearLine:
    fiscal_year: int
    label: str
    activities: int
    participants: int
    public_cost_yen: int


@dataclass(frozen=True)
class ComplianceLine:
    activity_id: int
    title: str
    code: str
    status: str
    message: str
    due_on: dt.date | None
    message_en: str = ""


@dataclass(frozen=True)
class Recommendation:
    """A suggestion drawn from the figures: 深化 deepen, 再活性化 revive, 見直し review, 終了の検討 end."""

    kind: str
    label: str
    partner: str
    partnership_id: int
    figures: str


@dataclass(frozen=True)
class Summary:
    ties: int
    active_ties: int
    dormant_ties: int
    programmes: int
    activities: int
    participants: int
    public_cost_yen: int
    cost_per_participant_yen: int | None
    visits_flagged: int
    reports_overdue: int


@dataclass(frozen=True)
class VerificationReport:
    municipality: str
    municipality_id: int
    first_fy: int
    last_fy: int
    as_of: dt.date
    made_on: dt.date
    summary: Summary
    ties: list[TieIndicators]
    programmes: list[ProgrammeLine]
    dormant: list[TieIndicators]
    compliance: list[ComplianceLine]
    years: list[YearLine]
    recommendations: list[Recommendation]
    sources: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.municipality} {TITLE}"

    @property
    def range_label(self) -> str:
        first, last = fiscal_year_label(self.first_fy), fiscal_year_label(self.last_fy)
        return f"{first}〜{last} (FY{self.first_fy}–FY{self.last_fy})"


STATUS_JA = {code: labels[0] for code, labels in STATUS_LABELS.items()}

RECOMMENDATION_LABELS = {
    "deepen": "深化 / deepen",
    "revive": "再活性化 / revive",
    "review": "見直し / review",
    "end": "終了の検討 / consider ending",
}


def _recommendations(ties: list[TieIndicators]) -> list[Recommendation]:
    """Rules, each stated with the figures that triggered it (docs/analyses.md lists them)."""
    costs = [t.cost_per_participant_yen for t in ties if t.cost_per_participant_yen is not None]
    median = statistics.median(costs) if costs else None
    found: list[Recommendation] = []

    def add(kind: str, tie: TieIndicators, figures: str) -> None:
        found.append(
            Recommendation(kind, RECOMMENDATION_LABELS[kind], tie.partner, tie.partnership_id, figures)
        )

    for tie in ties:
        per_year = tie.activities_per_year or 0
        if tie.dormant and tie.last_activity is None and (tie.years_since_signing or 0) >= 10:
            add(
                "end",
                tie,
                f"締結後{tie.years_since_signing}年、活動の記録なし / "
                f"{tie.years_since_signing} years since signing, no activity recorded",
            )
        elif tie.dormant and tie.last_activity is None:
            add(
                "revive",
                tie,
                f"締結後{tie.years_since_signing or 0}年、活動の記録なし (休眠) / "
                f"{tie.years_since_signing or 0} years since signing, no activity recorded (dormant)",
            )
        elif tie.dormant and tie.last_activity is not None:
            add(
                "revive",
                tie,
                f"最終活動 {tie.last_activity.isoformat()}、{tie.years_since_last_activity}年前 (休眠) / "
                f"last activity {tie.last_activity.isoformat()}, "
                f"{tie.years_since_last_activity} years ago (dormant)",
            )
        elif tie.longest_run_years >= 3 and per_year >= 1:
            add(
                "deepen",
                tie,
                f"最長連続 {tie.longest_run_years}年度、年度あたり {per_year} 件 / "
                f"longest unbroken run {tie.longest_run_years} fiscal years, {per_year} activities a year",
            )
        if (
            not tie.dormant
            and median
            and tie.cost_per_participant_yen is not None
            and tie.cost_per_participant_yen > 2 * median
        ):
            add(
                "review",
                tie,
                f"1人あたり公費 {tie.cost_per_participant_yen:,}円 (中央値 {median:,.0f}円の2倍超) / "
                f"public cost ¥{tie.cost_per_participant_yen:,} per participant "
                f"(over twice the median ¥{median:,.0f})",
            )
        if tie.report_on_time_share is not None and tie.report_on_time_share < 0.5:
            add("review", tie, f"報告の期限内公表率 {tie.report_on_time_share:.0%}")
    return found


def _programmes(session: Session, municipality_id: int, ties: list[TieIndicators]) -> list[Programme]:
    """The municipality's programmes (owned or partnered) and those run under its ties, once each."""
    found = {
        p.id: p for p in programme_service.list_programmes(session=session, municipality_id=municipality_id)
    }
    for tie in ties:
        for programme_id, _ in tie.programmes:
            if programme_id not in found:
                found[programme_id] = programme_service.get_programme(
                    session=session, programme_id=programme_id
                )
    return sorted(found.values(), key=lambda p: p.id)


def build(
    *, session: Session, municipality: Municipality, first_fy: int, last_fy: int, today: dt.date
) -> VerificationReport:
    span = indicators_service.FiscalRange.make(first_fy=first_fy, last_fy=last_fy, today=today)
    ties = indicators_service.ties(
        session=session, municipality_id=municipality.id, first_fy=first_fy, last_fy=last_fy, today=today
    )
    partner_of_tie = {t.partnership_id: t.partner for t in ties}
    lines: list[ProgrammeLine] = []
    per_year: dict[int, list[int]] = {fy: [0, 0, 0] for fy in range(first_fy, last_fy + 1)}
    sources: set[str] = set()
    for programme in _programmes(session, municipality.id, ties):
        counted = [
            a
            for a in activity_service.activities_for_programme(session=session, programme_id=programme.id)
            if a.start_on is not None and span.contains(a.start_on)
        ]
        if not counted and programme.partnership_id not in partner_of_tie:
            continue
        people = sum(a.participant_total() for a in counted)
        cost = sum(a.public_cost or 0 for a in counted)
        for a in counted:
            assert a.start_on is not None
            row = per_year[fiscal_year_of(a.start_on)]
            row[0], row[1], row[2] = row[0] + 1, row[1] + a.participant_total(), row[2] + (a.public_cost or 0)
            if a.source:
                sources.add(a.source)
        card = evaluation_service.scorecard(
            session=session, kind="programme", subject_id=programme.id, today=today
        )
        partner = partner_of_tie.get(programme.partnership_id or 0) or "、".join(
            p.name for p in programme.partners
        )
        lines.append(
            ProgrammeLine(
                id=programme.id,
                title=programme.title,
                partner=partner,
                activities=len(counted),
                participants=people,
                public_cost_yen=cost,
                cost_per_participant_yen=round(cost / people) if people else None,
                outcomes=tuple(o for o in [programme.results, *(a.outcomes for a in counted)] if o),
                score_mean=card.overall_mean,
                reviewers=card.reviewers,
            )
        )
        for text in (programme.source, programme.source_url):
            if text:
                sources.add(text)
    for tie in ties:
        source = partnership_service.get(session=session, partnership_id=tie.partnership_id).source
        if source:
            sources.add(source)
    in_range = {a.id for t in ties for a in t.activities} | {
        a.id
        for p in lines
        for a in activity_service.activities_for_programme(session=session, programme_id=p.id)
        if a.start_on is not None and span.contains(a.start_on)
    }
    compliance = [
        ComplianceLine(f.activity_id, f.title, f.code, f.status, f.message, f.due_on, f.message_en)
        for f in policy_service.check(session=session, municipality_id=municipality.id, today=span.as_of)
        if f.activity_id in in_range and f.status in ("violation", "overdue")
    ]
    codes = Counter(c.code for c in compliance)
    people_total = sum(p.participants for p in lines)
    cost_total = sum(p.public_cost_yen for p in lines)
    summary = Summary(
        ties=len(ties),
        active_ties=sum(1 for t in ties if t.status == "active"),
        dormant_ties=sum(1 for t in ties if t.dormant),
        programmes=len(lines),
        activities=sum(p.activities for p in lines),
        participants=people_total,
        public_cost_yen=cost_total,
        cost_per_participant_yen=round(cost_total / people_total) if people_total else None,
        visits_flagged=len({c.activity_id for c in compliance if c.status == "violation"}),
        reports_overdue=codes["report_overdue"],
    )
    return VerificationReport(
        municipality=municipality.name,
        municipality_id=municipality.id,
        first_fy=first_fy,
        last_fy=last_fy,
        as_of=span.as_of,
        made_on=today,
        summary=summary,
        ties=ties,
        programmes=lines,
        dormant=[t for t in ties if t.dormant],
        compliance=compliance,
        years=[YearLine(fy, fiscal_year_label(fy), *values) for fy, values in sorted(per_year.items())],
        recommendations=_recommendations(ties),
        sources=sorted(sources),
    )
