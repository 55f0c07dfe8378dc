"""公表 (seed 002): what the visit policy makes public, read-only. An official visit's purpose is public from
its publication date and its results from the report's; its public cost and participants with them.
Never contacts, private costs or the staff's notes of the citizens' meeting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Integer, bindparam, exists, or_, select
from sqlalchemy.orm import Session

from tsunagari.exchange.models import Activity, Programme, ProgrammeOwner
from tsunagari.partnership import service as partnership_service
from tsunagari.policy.models import Visit


@dataclass(frozen=True)
class Party:
    id: int | None
    name: str
    name_en: str | None


@dataclass(frozen=True)
class Publication:
    """One official visit (or activity) as a citizen may see it on `today`."""

    activity_id: int
    programme_id: int
    programme_title: str
    title: str
    start_on: dt.date | None
    start_on_precision: str | None
    end_on: dt.date | None
    end_on_precision: str | None
    direction: str | None
    place: str | None
    official_visit: bool
    planned_visit: bool
    """True when the visit is planned under the policy (a `visit` row), not only flagged official."""
    visiting: Party | None
    destination: Party | None
    purpose: str | None
    """None until `purpose_published_on`."""
    purpose_published_on: dt.date | None
    outcomes: str | None
    """None until `report_published_on`."""
    report_published_on: dt.date | None
    report_medium: str | None
    public_cost: int | None
    participants: dict[str, int] = field(default_factory=dict)
    source: str | None = None
    fields: tuple[str, ...] = ()
    """交流分野 of the activity (codes)."""

    @property
    def participant_total(self) -> int | None:
        return sum(self.participants.values()) if self.participants else None

    @property
    def events(self) -> list[tuple[str, dt.date]]:
        """What was published when: ("purpose", date) and ("report", date), oldest first."""
        found = [("purpose", self.purpose_published_on), ("report", self.report_published_on)]
        return [(kind, on) for kind, on in found if on is not None]

    @property
    def last_published_on(self) -> dt.date | None:
        dates = [on for _, on in self.events]
        return max(dates) if dates else None


def _published(on: dt.date | None, today: dt.date) -> bool:
    return on is not None and on <= today


def public_purpose(activity: Activity, *, subject: bool, today: dt.date) -> str | None:
    """The purpose a citizen sees: a visit's only from its publication date; other activities' as kept."""
    if not activity.purpose:
        return None
    return activity.purpose if not subject or _published(activity.purpose_published_on, today) else None


def public_outcomes(activity: Activity, *, subject: bool, today: dt.date) -> str | None:
    """The results a citizen sees: a visit's only from the report's publication date."""
    if not activity.outcomes:
        return None
    return activity.outcomes if not subject or _published(activity.report_published_on, today) else None


def is_public(activity: Activity, *, today: dt.date) -> bool:
    """A visit appears once its purpose or its report has been published."""
    return _published(activity.purpose_published_on, today) or _published(activity.report_published_on, today)


def _party(m: object | None) -> Party | None:
    if m is None:
        return None
    return Party(m.id, m.name, m.name_en)  # type: ignore[attr-defined]


def _publication(activity: Activity, visit: Visit | None, today: dt.date) -> Publication:
    reported = _published(activity.report_published_on, today)
    destination = _party(visit.destination) if visit is not None else None
    if visit is not None and destination is None and visit.destination_text:
        destination = Party(None, visit.destination_text, None)
    return Publication(
        activity_id=activity.id,
        programme_id=activity.programme_id,
        programme_title=activity.programme.title,
        title=activity.title,
        start_on=activity.start_on,
        start_on_precision=activity.start_on_precision,
        end_on=activity.end_on,
        end_on_precision=activity.end_on_precision,
        direction=activity.direction,
        place=activity.place,
        official_visit=activity.official_visit,
        planned_visit=visit is not None,
        visiting=_party(visit.municipality) if visit is not None else None,
        destination=destination,
        purpose=public_purpose(activity, subject=True, today=today),
        purpose_published_on=activity.purpose_published_on
        if _published(activity.purpose_published_on, today)
        else None,
        outcomes=public_outcomes(activity, subject=True, today=today),
        report_published_on=activity.report_published_on if reported else None,
        report_medium=activity.report_medium if reported else None,
        public_cost=activity.public_cost,
        participants=dict(activity.participants or {}),
        source=activity.source,
        fields=tuple(activity.fields or []),
    )


# Most municipalities plan no visits and run no programmes: one prebuilt check says so before the
# publications query is built and run (most of the cost of a cold municipality page).
_MUNICIPALITY = bindparam("municipality_id", type_=Integer)
_MAY_HAVE_PUBLICATIONS = select(
    or_(
        exists().where(
            or_(Visit.municipality_id == _MUNICIPALITY, Visit.destination_municipality_id == _MUNICIPALITY)
        ),
        exists().where(ProgrammeOwner.municipality_id == _MUNICIPALITY),
    )
)


def publications(
    *,
    session: Session,
    today: dt.date,
    municipality_id: int | None = None,
    partnership_id: int | None = None,
    programme_id: int | None = None,
) -> list[Publication]:
    """The official visits published by `today` (planned visits and activities flagged official), newest
    first: of a municipality (visiting, visited, or running the programme), of a partnership (between its
    two parties, or of its programmes), or of a programme."""
    if (
        municipality_id is not None
        and partnership_id is None
        and programme_id is None
        and not session.connection().scalar(_MAY_HAVE_PUBLICATIONS, {"municipality_id": municipality_id})
    ):
        return []
    statement = (
        select(Activity, Visit)
        .join(Programme, Programme.id == Activity.programme_id)
        .outerjoin(Visit, Visit.activity_id == Activity.id)
        .where(or_(Visit.activity_id.is_not(None), Activity.official_visit.is_(True)))
        .where(
            or_(
                Activity.purpose_published_on <= today,
                Activity.report_published_on <= today,
            )
        )
    )
    if municipality_id is not None:
        owned = select(ProgrammeOwner.programme_id).where(ProgrammeOwner.municipality_id == municipality_id)
        statement = statement.where(
            or_(
                Visit.municipality_id == municipality_id,
                Visit.destination_municipality_id == municipality_id,
                Activity.programme_id.in_(owned),
            )
        )
    if partnership_id is not None:
        partnership = partnership_service.get(session=session, partnership_id=partnership_id)
        ends = {partnership.home_municipality_id, partnership.partner_municipality_id} - {None}
        conditions = [Programme.partnership_id == partnership_id]
        if len(ends) == 2:
            conditions.append(Visit.municipality_id.in_(ends) & Visit.destination_municipality_id.in_(ends))
        statement = statement.where(or_(*conditions))
    if programme_id is not None:
        statement = statement.where(Activity.programme_id == programme_id)
    statement = statement.order_by(Activity.start_on.desc(), Activity.id.desc())
    return [_publication(activity, visit, today) for activity, visit in session.execute(statement).unique()]


def visit_ids(*, session: Session, activity_ids: set[int]) -> set[int]:
    """Which of these activities are visits planned under the policy."""
    if not activity_ids:
        return set()
    return set(session.scalars(select(Visit.activity_id).where(Visit.activity_id.in_(activity_ids))))
