"""事務事業評価シート: one programme over a range of fiscal years, in the layout municipalities publish,
assembled from what staff entered (evaluation.sheet_service) and the activity records (the actuals);
read only. フルコスト = 直接事業費 (決算) + 人件費 + 間接費, each year; 人件費 = 正職員 FTE × 単価 +
会計年度任用職員."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tsunagari.dates import fiscal_year_label, fiscal_year_of
from tsunagari.errors import InvalidInput
from tsunagari.evaluation import sheet_service
from tsunagari.evaluation.models import (
    GRADE_LABELS,
    METHOD_LABELS,
    METRICS,
    OVERALL_LABELS,
    ProgrammeSheet,
    ProgrammeSheetYear,
)
from tsunagari.exchange import activity_service, programme_service
from tsunagari.exchange.models import FIELD_LABELS, Activity, Programme

TITLE = "事務事業評価シート"
VISIT_DIRECTIONS = frozenset({"outbound", "inbound", "both"})
CRITERIA = (
    ("necessity", "必要性"),
    ("effectiveness", "有効性"),
    ("efficiency", "効率性"),
    ("fairness", "公平性"),
)


@dataclass(frozen=True)
class Indicator:
    """活動指標 or 成果指標: its name, formula and unit, with target and actual per fiscal year."""

    kind: str
    name: str
    formula: str
    unit: str
    targets: tuple[int | None, ...]
    actuals: tuple[int, ...]

    @property
    def rates(self) -> tuple[float | None, ...]:
        """達成率: actual ÷ target."""
        return tuple(round(a / t, 3) if t else None for a, t in zip(self.actuals, self.targets, strict=True))


@dataclass(frozen=True)
class YearCost:
    """コスト of one fiscal year, yen; None where staff have not entered the input."""

    fiscal_year: int
    label: str
    budget_yen: int | None
    direct_cost_yen: int
    """直接事業費 (決算): the public cost of the year's activity records."""
    regular_fte: float | None
    unit_cost_yen: int | None
    regular_labour_yen: int
    part_time_cost_yen: int
    labour_cost_yen: int
    indirect_cost_yen: int
    full_cost_yen: int
    fund_national_yen: int
    fund_prefecture_yen: int
    fund_bonds_yen: int
    fund_other_yen: int
    fund_general_yen: int
    """一般財源: 直接事業費 (決算) less the other sources."""
    cost_per_outcome_yen: int | None
    """フルコスト ÷ 成果指標の実績."""


@dataclass(frozen=True)
class Judgement:
    code: str
    label: str
    grade: str | None
    grade_label: str
    comment: str | None


@dataclass(frozen=True)
class JimuJigyoSheet:
    programme_id: int
    title: str
    owners: str
    department: str
    policy: str
    basis: str
    start_fy: int | None
    method: str
    target: str
    intent: str
    upper_outcome: str
    description: str
    fields: str
    first_fy: int
    last_fy: int
    unit_cost_yen: int | None
    activity: Indicator
    outcome: Indicator
    years: tuple[YearCost, ...]
    evaluated_fy: int | None
    judgements: tuple[Judgement, ...]
    overall: str
    overall_comment: str
    made_on: dt.date
    entered: bool
    """Whether staff have entered a sheet for the programme (else only the records are shown)."""
    sources: tuple[str, ...]

    @property
    def range_label(self) -> str:
        first, last = fiscal_year_label(self.first_fy), fiscal_year_label(self.last_fy)
        return f"{first}〜{last} (FY{self.first_fy}–FY{self.last_fy})"

    @property
    def start_label(self) -> str:
        return f"{fiscal_year_label(self.start_fy)} (FY{self.start_fy})" if self.start_fy else "—"


def _actual(metric: str, activities: list[Activity]) -> int:
    if metric == "participants":
        return sum(a.participant_total() for a in activities)
    if metric == "visits":
        return sum(1 for a in activities if a.direction in VISIT_DIRECTIONS)
    return len(activities)


def _indicator(
    kind: str, metric: str, name: str | None, targets: list[int | None], by_year: list[list[Activity]]
) -> Indicator:
    metric_name, unit, formula = METRICS[metric]
    return Indicator(
        kind=kind,
        name=name or metric_name,
        formula=formula,
        unit=unit,
        targets=tuple(targets),
        actuals=tuple(_actual(metric, acts) for acts in by_year),
    )


def _year_cost(
    fy: int, entered: ProgrammeSheetYear | None, acts: list[Activity], unit: int | None, outcome: int
) -> YearCost:
    def yen(name: str) -> int:
        value = getattr(entered, name, None) if entered is not None else None
        return int(value or 0)

    direct = sum(a.public_cost or 0 for a in acts)
    fte = entered.regular_fte if entered is not None else None
    regular = round((fte or 0) * (unit or 0))
    part_time = yen("part_time_cost_yen")
    labour = regular + part_time
    indirect = yen("indirect_cost_yen")
    full = direct + labour + indirect
    funds = [yen(n) for n in ("fund_national_yen", "fund_prefecture_yen", "fund_bonds_yen", "fund_other_yen")]
    return YearCost(
        fiscal_year=fy,
        label=fiscal_year_label(fy),
        budget_yen=entered.budget_yen if entered is not None else None,
        direct_cost_yen=direct,
        regular_fte=fte,
        unit_cost_yen=unit,
        regular_labour_yen=regular,
        part_time_cost_yen=part_time,
        labour_cost_yen=labour,
        indirect_cost_yen=indirect,
        full_cost_yen=full,
        fund_national_yen=funds[0],
        fund_prefecture_yen=funds[1],
        fund_bonds_yen=funds[2],
        fund_other_yen=funds[3],
        fund_general_yen=direct - sum(funds),
        cost_per_outcome_yen=round(full / outcome) if outcome else None,
    )


def _start_fy(programme: Programme) -> int | None:
    """開始年度: the programme's first 年度, or the year it began when only the year is known."""
    if programme.first_fy is not None:
        return programme.first_fy
    if programme.started_on is None:
        return None
    if programme.started_on_precision == "year":
        return programme.started_on.year
    return fiscal_year_of(programme.started_on)


def _owner_ids(programme: Programme) -> list[int]:
    return [o.municipality_id for o in programme.owners if o.municipality_id is not None]


def build(
    *, session: Session, programme_id: int, first_fy: int, last_fy: int, today: dt.date
) -> JimuJigyoSheet:
    if first_fy > last_fy:
        raise InvalidInput(
            "開始年度が終了年度より後です / the first fiscal year is after the last",
            field="from",
            value=first_fy,
        )
    if last_fy - first_fy >= 20:
        raise InvalidInput(
            "20年度以内で指定してください / give 20 fiscal years at most", field="to", value=last_fy
        )
    programme = programme_service.get_programme(session=session, programme_id=programme_id)
    sheet = sheet_service.sheet_for(session=session, programme_id=programme_id)
    stored = {
        y.fiscal_year: y
        for y in sheet_service.years_for(
            session=session, programme_id=programme_id, first_fy=first_fy, last_fy=last_fy
        )
    }
    owners = _owner_ids(programme)
    rate = sheet_service.labour_cost_for(session=session, municipality_id=owners[0]) if owners else None
    unit = rate.yen_per_fte if rate is not None else None
    fiscal_years = list(range(first_fy, last_fy + 1))
    by_year: dict[int, list[Activity]] = {fy: [] for fy in fiscal_years}
    sources: set[str] = {s for s in (programme.source, programme.source_url) if s}
    for record in activity_service.activities_for_programme(session=session, programme_id=programme_id):
        if record.start_on is not None and fiscal_year_of(record.start_on) in by_year:
            by_year[fiscal_year_of(record.start_on)].append(record)
            if record.source:
                sources.add(record.source)
    years_acts = [by_year[fy] for fy in fiscal_years]
    activity_metric = sheet.activity_metric if sheet else "activities"
    outcome_metric = sheet.outcome_metric if sheet else "participants"
    activity = _indicator(
        "活動指標",
        activity_metric,
        sheet.activity_indicator if sheet else None,
        [stored[fy].activity_target if fy in stored else None for fy in fiscal_years],
        years_acts,
    )
    outcome = _indicator(
        "成果指標",
        outcome_metric,
        sheet.outcome_indicator if sheet else None,
        [stored[fy].outcome_target if fy in stored else None for fy in fiscal_years],
        years_acts,
    )
    costs = tuple(
        _year_cost(fy, stored.get(fy), by_year[fy], unit, outcome.actuals[i])
        for i, fy in enumerate(fiscal_years)
    )
    evaluated = next(
        (stored[fy] for fy in reversed(fiscal_years) if fy in stored and stored[fy].overall), None
    )
    return _assemble(
        programme, sheet, evaluated, first_fy, last_fy, unit, activity, outcome, costs, today, sources
    )


def _assemble(
    programme: Programme,
    sheet: ProgrammeSheet | None,
    evaluated: ProgrammeSheetYear | None,
    first_fy: int,
    last_fy: int,
    unit: int | None,
    activity: Indicator,
    outcome: Indicator,
    costs: tuple[YearCost, ...],
    today: dt.date,
    sources: set[str],
) -> JimuJigyoSheet:
    def text(value: str | None) -> str:
        return value or "—"

    judgements = tuple(
        Judgement(
            code,
            label,
            getattr(evaluated, code, None),
            GRADE_LABELS.get(getattr(evaluated, code, None) or "", ("—", "—"))[0],
            getattr(evaluated, f"{code}_comment", None),
        )
        for code, label in CRITERIA
    )
    return JimuJigyoSheet(
        programme_id=programme.id,
        title=programme.title,
        owners="、".join(o.name for o in programme.owners),
        department=text(sheet.department if sheet else None),
        policy=text(sheet.policy if sheet else None),
        basis=text(sheet.basis if sheet else None),
        start_fy=(sheet.start_fy if sheet and sheet.start_fy else None) or _start_fy(programme),
        method=METHOD_LABELS.get(sheet.method or "", ("—", "—"))[0] if sheet else "—",
        target=text(sheet.target if sheet else None),
        intent=text(sheet.intent if sheet else None),
        upper_outcome=text(sheet.upper_outcome if sheet else None),
        description=text(programme.description),
        fields="、".join(FIELD_LABELS.get(f, (f, f))[0] for f in programme.fields) or "—",
        first_fy=first_fy,
        last_fy=last_fy,
        unit_cost_yen=unit,
        activity=activity,
        outcome=outcome,
        years=costs,
        evaluated_fy=evaluated.fiscal_year if evaluated else None,
        judgements=judgements,
        overall=OVERALL_LABELS.get(evaluated.overall or "", ("—", "—"))[0] if evaluated else "—",
        overall_comment=(evaluated.overall_comment or "") if evaluated else "",
        made_on=today,
        entered=sheet is not None,
        sources=tuple(sorted(sources)),
    )
