"""Indicators across a municipality's ties for a range of fiscal years (read-only): each figure counted from
the records (activities of the programmes run under a tie, their participants and costs, the visits among
them), returned as dataclasses that carry the formula and the records each figure counts.

A tie's records are the activities of the programmes linked to it (programme.partnership_id), dated in
the range's fiscal years; undated activities are listed but counted in no year. Nothing is estimated.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.dates import fiscal_year_of, parse_fiscal_years
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.exchange.models import ACTOR_LABELS, Activity, Programme
from tsunagari.municipality.models import Municipality
from tsunagari.names import service as names_service
from tsunagari.organisation.models import Organisation
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import NOT_IN_FORCE, PARTNERSHIP_TYPE_LABELS, Partnership
from tsunagari.policy import service as policy_service

DORMANT_YEARS = 3
"""休眠: a tie with no recorded activity in this many years (or none ever) is dormant (SPEC default)."""

FORMULAS: dict[str, tuple[str, str, str]] = {
    # key: (Japanese label, English label, formula)
    "years_since_signing": ("締結後年数", "Years since signing", "基準日 − 締結日 (満年数) / whole years"),
    "active_years": (
        "活動年度数",
        "Active years",
        "活動が1件以上ある年度の数 / fiscal years with ≥ 1 activity",
    ),
    "longest_run_years": (
        "継続性 (最長連続年度)",
        "Continuity (longest run)",
        "活動のある年度が途切れず続いた最長の年数 / longest run of consecutive active fiscal years",
    ),
    "activities_per_year": (
        "活発性 (年度あたり活動数)",
        "Activity (per year)",
        "活動件数 ÷ 対象年度数 (締結年度以降) / activities ÷ fiscal years in the span",
    ),
    "participants": ("参加者数", "Participants", "各活動の参加者 (区分別) の合計 / sum over activities"),
    "actor_kinds": (
        "協働性 (主体の種類)",
        "Collaboration (kinds of actor)",
        "関わった事業の主体の種類の数 / distinct kinds of actor of the programmes",
    ),
    "public_cost_yen": ("公費", "Public cost", "各活動の公費の合計 (円) / sum of public cost, yen"),
    "cost_per_participant_yen": (
        "参加者1人あたり公費",
        "Public cost per participant",
        "公費 ÷ 参加者数 (円, 四捨五入) / public cost ÷ participants",
    ),
    "purpose_published_share": (
        "目的の事前公表率",
        "Purpose published before",
        "出発前に目的を公表した訪問 ÷ 訪問 / visits with purpose published before ÷ visits",
    ),
    "report_on_time_share": (
        "報告の期限内公表率",
        "Report within deadline",
        "期限内に報告を公表した訪問 ÷ 期限の来た訪問 / reports on time ÷ visits past their deadline",
    ),
    "last_activity": ("最終活動日", "Last activity", "記録された最も新しい活動の開始日 / latest start date"),
    "dormant": (
        "休眠",
        "Dormant",
        f"基準日までの{DORMANT_YEARS}年間に活動なし (記録なしを含む) / no activity in {DORMANT_YEARS} years",
    ),
}


def fiscal_year_option(text: str | int | None, *, field: str) -> int | None:
    """A fiscal year as typed: 令和7年度, FY2025, 2025年度 or plain 2025 (one year, not a range)."""
    if text is None or str(text).strip() == "":
        return None
    written = str(text).strip()
    if written.isdigit() and len(written) == 4:
        return int(written)
    years = parse_fiscal_years(written, field=field)
    if years.first_fy is None or years.first_fy != years.last_fy:
        raise InvalidInput("1つの年度を指定してください / give one fiscal year", field=field, value=text)
    return years.first_fy


def municipality_named(*, session: Session, text: str, field: str = "municipality") -> Municipality:
    """The municipality typed text names (name in any script, or an id); unknown → InvalidInput naming it."""
    try:
        return names_service.pick_municipality(
            session=session, text=text, numbers="id", field=field, hint="give the id"
        )
    except NotFound:
        raise InvalidInput(
            "この名前の自治体はありません / no municipality has this name", field=field, value=text
        ) from None


@dataclass(frozen=True)
class FiscalRange:
    """年度の範囲: first_fy None means each tie from its own start (signing or first activity)."""

    first_fy: int | None
    last_fy: int
    as_of: dt.date
    """基準日: the end of the last fiscal year, or today when that is still to come."""

    @classmethod
    def make(cls, *, first_fy: int | None, last_fy: int | None, today: dt.date) -> FiscalRange:
        last = last_fy if last_fy is not None else fiscal_year_of(today)
        if first_fy is not None and first_fy > last:
            raise InvalidInput(
                "開始年度が終了年度より後です / the first fiscal year is after the last",
                field="from",
                value=first_fy,
            )
        return cls(first_fy, last, min(today, dt.date(last + 1, 3, 31)))

    def contains(self, day: dt.date) -> bool:
        fy = fiscal_year_of(day)
        return (self.first_fy is None or fy >= self.first_fy) and fy <= self.last_fy and day <= self.as_of


@dataclass(frozen=True)
class CountedActivity:
    """One record an indicator counts."""

    id: int
    programme_id: int
    programme: str
    title: str
    start_on: dt.date | None
    fiscal_year: int | None
    participants: dict[str, int]
    public_cost: int | None
    outcomes: str | None
    visit: bool
    purpose_before: bool | None
    """A visit whose purpose was published before it started (None: not a visit)."""
    report_on_time: bool | None
    """A visit whose report came within the deadline (None: not a visit, or its deadline is to come)."""

    def describe(self) -> str:
        day = self.start_on.isoformat() if self.start_on else "日付なし"
        return f"activity {self.id}: {self.title} ({day}, {self.programme})"


@dataclass(frozen=True)
class Measure:
    """One indicator as shown: its value, its formula and the records it counts."""

    key: str
    label_ja: str
    label_en: str
    value: object
    formula: str
    records: tuple[str, ...] = field(default_factory=tuple)
    counted: tuple[CountedActivity, ...] = field(default_factory=tuple)
    """The activity records behind `records`, when the figure counts activities (for links)."""


@dataclass(frozen=True, kw_only=True)
class Figures:
    """The figures counted from one subject's records over a fiscal range: a tie's (its programmes'
    activities) or one programme's. TieIndicators and ProgrammeIndicators add who the subject is."""

    span_first_fy: int | None
    span_last_fy: int
    active_years: int
    active_fiscal_years: tuple[int, ...]
    longest_run_years: int
    activities_per_year: float | None
    participants: int
    participants_by_category: dict[str, int]
    actor_kinds: tuple[str, ...]
    public_cost_yen: int
    cost_per_participant_yen: int | None
    visits: int
    purpose_published_share: float | None
    report_on_time_share: float | None
    last_activity: dt.date | None
    years_since_last_activity: int | None
    dormant: bool
    activities: tuple[CountedActivity, ...] = ()
    undated: tuple[CountedActivity, ...] = ()
    programmes: tuple[tuple[int, str], ...] = ()

    def counted_by(self, key: str) -> tuple[CountedActivity, ...]:
        """The activity records a figure counts (none for figures that count years or the signing)."""
        if key in ("activities_per_year", "participants", "public_cost_yen", "cost_per_participant_yen"):
            return self.activities
        if key in ("purpose_published_share", "report_on_time_share"):
            return tuple(a for a in self.activities if a.visit)
        if key in ("last_activity", "dormant"):
            return self.activities[-1:]
        return ()

    def _measures(
        self, formulas: dict[str, tuple[str, str, str]], values: dict[str, object], first: tuple[str, ...]
    ) -> list[Measure]:
        first_key = next(iter(formulas))
        years = tuple(f"FY{fy}" for fy in self.active_fiscal_years)
        records: dict[str, tuple[str, ...]] = {
            first_key: first,
            "active_years": years,
            "longest_run_years": years,
            "actor_kinds": tuple(f"programme {pid}: {title}" for pid, title in self.programmes),
        }
        values = {
            **values,
            "actor_kinds": ", ".join(ACTOR_LABELS.get(a, (a, a))[0] for a in self.actor_kinds),
        }
        measures = []
        for key, (ja, en, formula) in formulas.items():
            counted = self.counted_by(key)
            listed = records.get(key, tuple(a.describe() for a in counted))
            measures.append(Measure(key, ja, en, values.get(key), formula, listed, counted))
        return measures


@dataclass(frozen=True, kw_only=True)
class TieIndicators(Figures):
    """One tie (提携) of a municipality, seen from that municipality, with its indicators."""

    partnership_id: int
    municipality: str
    partner: str
    partner_id: int | None
    partner_country: str | None
    type: str
    status: str
    signed_on: dt.date | None
    years_since_signing: int | None

    @property
    def type_label(self) -> str:
        return PARTNERSHIP_TYPE_LABELS.get(self.type, (self.type, self.type))[0]

    def as_json(self) -> dict[str, object]:
        """The `analyze indicators --json` / `/api/v1/indicators` shape (SPEC keys first, more after)."""
        return {
            "partnership_id": self.partnership_id,
            "partner": self.partner,
            "type": self.type,
            "years_since_signing": self.years_since_signing,
            "active_years": self.active_years,
            "longest_run_years": self.longest_run_years,
            "activities_per_year": self.activities_per_year,
            "participants": self.participants,
            "public_cost_yen": self.public_cost_yen,
            "cost_per_participant_yen": self.cost_per_participant_yen,
            "last_activity": self.last_activity.isoformat() if self.last_activity else None,
            "dormant": self.dormant,
            "status": self.status,
            "signed_on": self.signed_on.isoformat() if self.signed_on else None,
            "participants_by_category": dict(self.participants_by_category),
            "actor_kinds": list(self.actor_kinds),
            "visits": self.visits,
            "purpose_published_share": self.purpose_published_share,
            "report_on_time_share": self.report_on_time_share,
        }

    def explain(self) -> list[Measure]:
        """Each indicator with its formula and the records it counts."""
        signed = (f"partnership {self.partnership_id}: 締結 {self.signed_on}",) if self.signed_on else ()
        return self._measures(FORMULAS, self.as_json(), signed)


def longest_run(years: Sequence[int]) -> int:
    """継続性: the longest run of consecutive years in `years` (2015, 2016, 2017, 2019 → 3)."""
    best = run = 0
    previous: int | None = None
    for year in sorted(set(years)):
        run = run + 1 if previous is not None and year == previous + 1 else 1
        best = max(best, run)
        previous = year
    return best


def whole_years(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 2) if total else None


# ----------------------------------------------------------------------------- reading the records
def _other_side(partnership: Partnership, municipality_id: int | None) -> tuple[str, int | None, str | None]:
    """The tie's other party seen from `municipality_id` (None: seen from the home side)."""
    if municipality_id is None or partnership.home_municipality_id == municipality_id:
        party = partnership.partner_municipality or partnership.partner_organisation
        written = partnership.partner_written_name
    else:
        party = partnership.home_municipality or partnership.home_organisation
        written = None
    name = party.name if party is not None else (written or "?")
    other_id = party.id if isinstance(party, Municipality) else None
    country = party.country if isinstance(party, Municipality) else None
    return name, other_id, country


def _programmes_by_tie(session: Session, partnership_ids: Sequence[int]) -> dict[int, list[Programme]]:
    # Read-only look at the exchange tables, as evaluation.service does for one subject: one query for
    # every tie, not one per tie.
    found: dict[int, list[Programme]] = {pid: [] for pid in partnership_ids}
    for start in range(0, len(partnership_ids), 5000):
        chunk = list(partnership_ids[start : start + 5000])
        for programme in session.scalars(
            select(Programme).where(Programme.partnership_id.in_(chunk)).order_by(Programme.id)
        ):
            found[programme.partnership_id or 0].append(programme)
    return found


def _activities_of(session: Session, programme_ids: Sequence[int]) -> dict[int, list[Activity]]:
    found: dict[int, list[Activity]] = {pid: [] for pid in programme_ids}
    for start in range(0, len(programme_ids), 5000):
        chunk = list(programme_ids[start : start + 5000])
        for activity in session.scalars(
            select(Activity).where(Activity.programme_id.in_(chunk)).order_by(Activity.start_on, Activity.id)
        ):
            found[activity.programme_id].append(activity)
    return found


def _counted(
    activity: Activity, programme: Programme, visit_ids: set[int], deadline_days: int, as_of: dt.date
) -> CountedActivity:
    visit = activity.id in visit_ids
    purpose_before: bool | None = None
    report_on_time: bool | None = None
    if visit and activity.start_on is not None:
        published = activity.purpose_published_on
        purpose_before = published is not None and published < activity.start_on
        end = activity.end_on or activity.start_on
        deadline = end + dt.timedelta(days=deadline_days)
        report = activity.report_published_on
        if report is not None or deadline <= as_of:
            report_on_time = report is not None and report <= deadline
    return CountedActivity(
        id=activity.id,
        programme_id=programme.id,
        programme=programme.title,
        title=activity.title,
        start_on=activity.start_on,
        fiscal_year=fiscal_year_of(activity.start_on) if activity.start_on else None,
        participants=dict(activity.participants or {}),
        public_cost=activity.public_cost,
        outcomes=activity.outcomes,
        visit=visit,
        purpose_before=purpose_before,
        report_on_time=report_on_time,
    )


def count_figures(
    programmes: Sequence[Programme],
    activities: dict[int, list[Activity]],
    span: FiscalRange,
    *,
    begins_fy: int | None,
    visit_ids: set[int],
    deadline_days: int,
    dormant_years: int,
) -> Figures:
    """The figures of the programmes' activities in the span; `begins_fy` is when the subject began (a
    tie's signing, a programme's first year): the per-year rate counts from it, or from the range's first
    year when later, or from an earlier recorded activity."""
    every = [
        _counted(a, p, visit_ids, deadline_days, span.as_of) for p in programmes for a in activities[p.id]
    ]
    dated = sorted(
        (a for a in every if a.start_on is not None and a.start_on <= span.as_of),
        key=lambda a: (a.start_on or dt.date.min, a.id),
    )
    counted = [a for a in dated if a.start_on is not None and span.contains(a.start_on)]
    years = sorted({a.fiscal_year for a in counted if a.fiscal_year is not None})
    starts = [fy for fy in (span.first_fy, begins_fy) if fy is not None]
    start = max(starts) if starts else (years[0] if years else None)
    if start is not None and years and years[0] < start:
        start = years[0]  # exchange recorded before the signing still counts
    span_years = span.last_fy - start + 1 if start is not None else 0
    categories: Counter[str] = Counter()
    for a in counted:
        categories.update({k: v for k, v in a.participants.items() if v})
    participants = sum(categories.values())
    cost = sum(a.public_cost or 0 for a in counted)
    visits = [a for a in counted if a.visit]
    reported = [a for a in visits if a.report_on_time is not None]
    last = dated[-1].start_on if dated else None
    return Figures(
        span_first_fy=start,
        span_last_fy=span.last_fy,
        active_years=len(years),
        active_fiscal_years=tuple(years),
        longest_run_years=longest_run(years),
        activities_per_year=round(len(counted) / span_years, 2) if span_years > 0 else None,
        participants=participants,
        participants_by_category=dict(sorted(categories.items())),
        actor_kinds=tuple(sorted({actor for p in programmes for actor in (p.actors or [])})),
        public_cost_yen=cost,
        cost_per_participant_yen=round(cost / participants) if participants else None,
        visits=len(visits),
        purpose_published_share=_share(sum(1 for a in visits if a.purpose_before), len(visits)),
        report_on_time_share=_share(sum(1 for a in reported if a.report_on_time), len(reported)),
        last_activity=last,
        years_since_last_activity=whole_years(last, span.as_of) if last else None,
        dormant=last is None or whole_years(last, span.as_of) >= dormant_years,
        activities=tuple(counted),
        undated=tuple(a for a in every if a.start_on is None),
        programmes=tuple((p.id, p.title) for p in programmes),
    )


def _tie(
    partnership: Partnership,
    municipality_id: int | None,
    programmes: list[Programme],
    activities: dict[int, list[Activity]],
    span: FiscalRange,
    visit_ids: set[int],
    deadline_days: int,
    dormant_years: int,
) -> TieIndicators:
    partner, partner_id, country = _other_side(partnership, municipality_id)
    home: Municipality | Organisation | None = (
        partnership.partner_municipality
        if municipality_id is not None and partnership.home_municipality_id != municipality_id
        else partnership.home_municipality or partnership.home_organisation
    )
    figures = count_figures(
        programmes,
        activities,
        span,
        begins_fy=fiscal_year_of(partnership.signed_on) if partnership.signed_on else None,
        visit_ids=visit_ids,
        deadline_days=deadline_days,
        dormant_years=dormant_years,
    )
    return TieIndicators(
        **vars(figures),
        partnership_id=partnership.id,
        municipality=home.name if home is not None else "",
        partner=partner,
        partner_id=partner_id,
        partner_country=country,
        type=partnership.type,
        status=partnership.status,
        signed_on=partnership.signed_on,
        years_since_signing=(
            whole_years(partnership.signed_on, span.as_of)
            if partnership.signed_on and partnership.signed_on <= span.as_of
            else None
        ),
    )


def _counts(partnership: Partnership) -> bool:
    """Ties the analyses look at: concluded and not ended (a suspended tie is the one to revive; a 協議中
    one is not a tie yet)."""
    return partnership.status not in NOT_IN_FORCE


def ties(
    *,
    session: Session,
    municipality_id: int,
    first_fy: int | None = None,
    last_fy: int | None = None,
    today: dt.date,
    dormant_years: int = DORMANT_YEARS,
    include_ended: bool = False,
) -> list[TieIndicators]:
    """Indicators of every tie of one municipality (either side of the partnership), signing order."""
    span = FiscalRange.make(first_fy=first_fy, last_fy=last_fy, today=today)
    partnerships = [
        p
        for p in partnership_service.for_municipality(session=session, municipality_id=municipality_id)
        if include_ended or _counts(p)
    ]
    programmes = _programmes_by_tie(session, [p.id for p in partnerships])
    activities = _activities_of(session, [prog.id for progs in programmes.values() for prog in progs])
    visit_ids, deadline = visits_and_deadline(session, [municipality_id])
    return [
        _tie(p, municipality_id, programmes[p.id], activities, span, visit_ids, deadline, dormant_years)
        for p in partnerships
    ]


def tie(
    *,
    session: Session,
    partnership_id: int,
    municipality_id: int | None = None,
    first_fy: int | None = None,
    last_fy: int | None = None,
    today: dt.date,
    dormant_years: int = DORMANT_YEARS,
) -> TieIndicators:
    """One tie's indicators (ended or not), seen from `municipality_id` or else from its home side;
    NotFound when there is no such partnership."""
    span = FiscalRange.make(first_fy=first_fy, last_fy=last_fy, today=today)
    partnership = partnership_service.get(session=session, partnership_id=partnership_id)
    side = municipality_id or partnership.home_municipality_id or partnership.partner_municipality_id
    programmes = _programmes_by_tie(session, [partnership.id])[partnership.id]
    activities = _activities_of(session, [prog.id for prog in programmes])
    visit_ids, deadline = visits_and_deadline(session, [side] if side is not None else [])
    return _tie(
        partnership, municipality_id, programmes, activities, span, visit_ids, deadline, dormant_years
    )


def visits_and_deadline(session: Session, municipality_ids: Sequence[int]) -> tuple[set[int], int]:
    """The activities recorded as visits by these municipalities, and the report deadline (days) of the
    first one's visit policy (seed 002's default of 30 days when none is given)."""
    visit_ids = {
        v.activity_id
        for municipality_id in municipality_ids
        for v in policy_service.list_visits(session=session, municipality_id=municipality_id)
    }
    if not municipality_ids:
        return visit_ids, 30
    rules = policy_service.rules_for(session=session, municipality_id=municipality_ids[0])
    return visit_ids, rules.report_deadline_days


# ----------------------------------------------------------------------------- dormant ties
@dataclass(frozen=True)
class DormantTie:
    partnership_id: int
    municipality: str
    municipality_id: int | None
    partner: str
    partner_id: int | None
    type: str
    status: str
    signed_on: dt.date | None
    last_activity: dt.date | None
    years_since: int | None
    """Whole years since the last activity; None when none was ever recorded."""

    def as_json(self) -> dict[str, object]:
        return {
            "municipality": self.municipality,
            "partner": self.partner,
            "type": self.type,
            "last_activity": self.last_activity.isoformat() if self.last_activity else None,
            "years_since": self.years_since,
            "partnership_id": self.partnership_id,
            "status": self.status,
        }


def dormant(
    *, session: Session, municipality_id: int | None = None, years: int = DORMANT_YEARS, today: dt.date
) -> list[DormantTie]:
    """休眠: ties (not ended) with no recorded activity in `years` years, or none ever; longest silent first.

    For one municipality each tie is seen from it; across all, from the partnership's home side."""
    if years < 1:
        raise InvalidInput("1年以上を指定してください / give 1 year or more", field="years", value=years)
    if municipality_id is not None:
        partnerships = list(
            partnership_service.for_municipality(session=session, municipality_id=municipality_id)
        )
    else:
        partnerships = list(session.scalars(select(Partnership).order_by(Partnership.id)).unique())
    partnerships = [p for p in partnerships if _counts(p)]
    last_by_tie: dict[int, dt.date] = {}
    ids = [p.id for p in partnerships]
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows = session.execute(
            select(Programme.partnership_id, Activity.start_on)
            .join(Activity, Activity.programme_id == Programme.id)
            .where(Programme.partnership_id.in_(chunk), Activity.start_on.is_not(None))
        )
        for tie_id, day in rows:
            if tie_id is not None and day is not None and day <= today:
                last_by_tie[tie_id] = max(day, last_by_tie.get(tie_id, day))
    found: list[DormantTie] = []
    for p in partnerships:
        last = last_by_tie.get(p.id)
        since = whole_years(last, today) if last else None
        if since is not None and since < years:
            continue
        partner, partner_id, _ = _other_side(p, municipality_id)
        if municipality_id is not None and p.home_municipality_id != municipality_id:
            me: Municipality | Organisation | None = p.partner_municipality
        else:
            me = p.home_municipality or p.home_organisation
        name = me.name if me is not None else "?"
        seen_id = me.id if isinstance(me, Municipality) else None
        found.append(
            DormantTie(
                partnership_id=p.id,
                municipality=name,
                municipality_id=seen_id,
                partner=partner,
                partner_id=partner_id,
                type=p.type,
                status=p.status,
                signed_on=p.signed_on,
                last_activity=last,
                years_since=since,
            )
        )
    found.sort(key=lambda d: (d.last_activity or dt.date.min, d.partnership_id))
    return found
