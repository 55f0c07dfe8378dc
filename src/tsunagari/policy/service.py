"""Business logic of the visit policy: rules per municipality, visits, and `check()` of what is due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput, NotFound
from tsunagari.exchange import activity_service
from tsunagari.exchange.schemas import ActivityCreate, parse
from tsunagari.municipality import service as municipality_service
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import NOT_IN_FORCE, SISTER_FRIENDSHIP_TYPES
from tsunagari.policy.models import PolicyRules, Visit
from tsunagari.policy.schemas import VISIT_FIELDS, Finding, FindingStatus, RulesUpdate, VisitCreate

SEED_002_MUNICIPALITY = ("村山市", "山形県")
SEED_002_SOURCE = "seed 002: 村山市 都市間交流の方針 4.交流のあり方"


# ----------------------------------------------------------------------------- rules
def rules_for(*, session: Session, municipality_id: int) -> PolicyRules:
    """The municipality's stored rules, or the defaults (seed 002's) as an unsaved row."""
    stored = session.scalars(
        select(PolicyRules).where(PolicyRules.municipality_id == municipality_id)
    ).first()
    if stored is not None:
        return stored
    return PolicyRules(
        municipality_id=municipality_id,
        public_money_only_official_to_sister_friendship=True,
        require_purpose_before_visit=True,
        report_deadline_days=30,
        require_citizen_consultation=True,
    )


def list_rules(*, session: Session) -> Sequence[PolicyRules]:
    """Every municipality's stored rules (those not listed follow seed 002's defaults)."""
    return list(session.scalars(select(PolicyRules).order_by(PolicyRules.municipality_id)))


def set_rules(
    *,
    session: Session,
    municipality_id: int,
    changes: RulesUpdate | Mapping[str, Any],
    source: str | None = None,
) -> PolicyRules:
    municipality_service.get(session=session, municipality_id=municipality_id)
    given = parse(RulesUpdate, changes).model_dump(exclude_none=True)
    rules = rules_for(session=session, municipality_id=municipality_id)
    if rules.id is None:
        session.add(rules)
    for name, value in given.items():
        setattr(rules, name, value)
    if source:
        rules.source = source
    session.flush()
    return rules


def seed(*, session: Session) -> PolicyRules | None:
    """Store seed 002's rules for 村山市 when the reference data has it; running it again changes nothing."""
    name, region = SEED_002_MUNICIPALITY
    found = municipality_service.find_by_name(session=session, name=name, country="JP", region=region)
    if not found:
        return None
    municipality_id = found[0].id
    existing = session.scalars(
        select(PolicyRules).where(PolicyRules.municipality_id == municipality_id)
    ).first()
    if existing is not None:
        return existing
    return set_rules(
        session=session,
        municipality_id=municipality_id,
        changes=RulesUpdate(
            public_money_only_official_to_sister_friendship=True,
            require_purpose_before_visit=True,
            report_deadline_days=30,
            require_citizen_consultation=True,
        ),
        source=SEED_002_SOURCE,
    )


# ----------------------------------------------------------------------------- visits
def get_visit(*, session: Session, activity_id: int) -> Visit:
    visit = session.get(Visit, activity_id)
    if visit is None:
        raise NotFound(f"visit {activity_id} does not exist")
    return visit


def _check_places(session: Session, municipality_id: int | None, destination_id: int | None) -> None:
    for field_name, value in (
        ("municipality_id", municipality_id),
        ("destination_municipality_id", destination_id),
    ):
        if value is not None:
            try:
                municipality_service.get(session=session, municipality_id=value)
            except NotFound:
                raise InvalidInput("no such municipality", field=field_name, value=value) from None


def create_visit(*, session: Session, data: VisitCreate | Mapping[str, Any]) -> Visit:
    visit_in = parse(VisitCreate, data)
    _check_places(session, visit_in.municipality_id, visit_in.destination_municipality_id)
    activity = activity_service.record_activity(
        session=session, data=ActivityCreate.model_validate(visit_in.model_dump(exclude=set(VISIT_FIELDS)))
    )
    visit = Visit(activity_id=activity.id, **visit_in.model_dump(include=set(VISIT_FIELDS)))
    session.add(visit)
    session.flush()
    return visit


def update_visit(*, session: Session, visit: Visit, changes: Mapping[str, Any]) -> Visit:
    activity_changes = {k: v for k, v in changes.items() if k not in VISIT_FIELDS}
    visit_changes = {k: v for k, v in changes.items() if k in VISIT_FIELDS}
    if activity_changes:
        activity_service.update_activity(session=session, activity=visit.activity, changes=activity_changes)
    if visit_changes:
        current = {name: getattr(visit, name) for name in VISIT_FIELDS}
        merged = parse(
            VisitCreate,
            {
                **{n: getattr(visit.activity, n) for n in ActivityCreate.model_fields},
                **current,
                **visit_changes,
            },
        )
        _check_places(session, merged.municipality_id, merged.destination_municipality_id)
        for name in VISIT_FIELDS:
            value = getattr(merged, name)
            if getattr(visit, name) != value:
                setattr(visit, name, value)
    session.flush()
    return visit


def delete_visit(*, session: Session, visit: Visit) -> None:
    """Deletes the visit and its activity (both through the ORM, so both are in the audit trail)."""
    activity = visit.activity
    session.delete(visit)
    session.flush()
    session.delete(activity)
    session.flush()


def list_visits(*, session: Session, municipality_id: int | None = None) -> Sequence[Visit]:
    statement = select(Visit).order_by(Visit.activity_id)
    if municipality_id is not None:
        statement = statement.where(Visit.municipality_id == municipality_id)
    return list(session.scalars(statement).unique())


# ----------------------------------------------------------------------------- checks
def is_sister_or_friendship(*, session: Session, municipality_id: int, other_id: int) -> bool:
    """True when a sister/friendship partnership links the two (either direction) and has not ended."""
    home, partner = f"m{municipality_id}", f"m{other_id}"
    for type_ in SISTER_FRIENDSHIP_TYPES:
        found = partnership_service.find(
            session=session, home_party=home, partner_party=partner, type_=type_, either_direction=True
        )
        if found is not None and found.status not in NOT_IN_FORCE:
            return True
    return False


def evaluate(
    *, session: Session, visit: Visit, today: dt.date, rules: PolicyRules | None = None
) -> list[Finding]:
    """What the policy says about one visit on `today`: broken rules, and what is due or overdue."""
    rules = rules or rules_for(session=session, municipality_id=visit.municipality_id)
    activity = visit.activity
    start, end = activity.start_on, activity.end_on or activity.start_on
    findings: list[Finding] = []

    def add(
        code: str, status: FindingStatus, message: str, message_en: str, due_on: dt.date | None = None
    ) -> None:
        findings.append(
            Finding(
                activity_id=activity.id,
                title=activity.title,
                municipality=visit.municipality.name,
                municipality_id=visit.municipality_id,
                code=code,
                status=status,
                due_on=due_on,
                message=message,
                message_en=message_en,
            )
        )

    if rules.public_money_only_official_to_sister_friendship and (activity.public_cost or 0) > 0:
        sister = visit.destination_municipality_id is not None and is_sister_or_friendship(
            session=session, municipality_id=visit.municipality_id, other_id=visit.destination_municipality_id
        )
        if not (visit.for_signing or (activity.official_visit and sister)):
            reason = "公式訪問ではありません" if sister else "訪問先が姉妹・友好都市ではありません"
            reason_en = (
                "not an official visit" if sister else "the destination is not a sister or friendship city"
            )
            add(
                "public_cost_not_allowed",
                "violation",
                f"公費による旅費支出は姉妹(友好)都市への公式訪問か盟約締結に限られます({reason})。",
                "Public money pays for travel only on an official visit to a sister or friendship city or to "
                f"sign an agreement ({reason_en}).",
            )

    if rules.require_purpose_before_visit and start is not None:
        published = activity.purpose_published_on
        if published is None:
            if today < start:
                add(
                    "purpose_due",
                    "due",
                    "訪問の目的を出発前に市民へ公表してください。",
                    "Publish the purpose of the visit to citizens before departure.",
                    start,
                )
            else:
                add(
                    "purpose_not_published",
                    "overdue",
                    "訪問の目的が出発前に公表されていません。",
                    "The purpose of the visit was not published before departure.",
                    start,
                )
        elif published >= start:
            add(
                "purpose_published_late",
                "violation",
                "訪問の目的の公表が出発後でした。",
                "The purpose of the visit was published after departure.",
                start,
            )

    if end is not None:
        deadline = end + dt.timedelta(days=rules.report_deadline_days)
        published = activity.report_published_on
        if published is None:
            if today > deadline:
                add(
                    "report_overdue",
                    "overdue",
                    f"報告の公表期限({deadline.isoformat()})を過ぎています。",
                    f"The report was due to be published by {deadline.isoformat()}.",
                    deadline,
                )
            else:
                add(
                    "report_due",
                    "due",
                    f"帰国後{rules.report_deadline_days}日以内に報告を公表してください。",
                    f"Publish the report within {rules.report_deadline_days} days of returning.",
                    deadline,
                )
        elif published > deadline:
            add(
                "report_published_late",
                "violation",
                "報告の公表が期限を過ぎていました。",
                "The report was published after its deadline.",
                deadline,
            )

    if rules.require_citizen_consultation and start is not None:
        met = visit.citizen_meeting_on
        if met is None:
            if today < start:
                add(
                    "citizen_meeting_due",
                    "due",
                    "訪問前に市民・民間交流団体との協議の場を設けてください。",
                    "Meet citizens and private exchange groups before the visit.",
                    start,
                )
            else:
                add(
                    "citizen_meeting_missing",
                    "violation",
                    "訪問前の市民・民間交流団体との協議が記録されていません。",
                    "No meeting with citizens and private exchange groups is recorded before the visit.",
                )
        elif met > start:
            add(
                "citizen_meeting_missing",
                "violation",
                "市民・民間交流団体との協議が訪問後でした。",
                "The meeting with citizens and private exchange groups came after the visit.",
            )
    return findings


def check(*, session: Session, municipality_id: int | None, today: dt.date) -> list[Finding]:
    """Every finding for the visits of one municipality (or all), grouped by visit."""
    findings: list[Finding] = []
    rules_cache: dict[int, PolicyRules] = {}
    for visit in list_visits(session=session, municipality_id=municipality_id):
        rules = rules_cache.get(visit.municipality_id)
        if rules is None:
            rules = rules_cache[visit.municipality_id] = rules_for(
                session=session, municipality_id=visit.municipality_id
            )
        findings.extend(evaluate(session=session, visit=visit, today=today, rules=rules))
    return findings


def due_list(*, session: Session, municipality_id: int | None, today: dt.date) -> list[Finding]:
    """What is due or overdue, soonest deadline first (overdue before due on the same day)."""
    pending = [
        f
        for f in check(session=session, municipality_id=municipality_id, today=today)
        if f.status != "violation"
    ]
    return sorted(pending, key=lambda f: (f.due_on or dt.date.max, f.status != "overdue", f.activity_id))
