"""Activities (実施記録) of a programme: the only module writing their table; flushes, never commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput, Problem
from tsunagari.exchange._common import get_existing
from tsunagari.exchange.models import Activity, Programme, ProgrammeOwner
from tsunagari.exchange.programme_service import referenced_programme
from tsunagari.exchange.schemas import ActivityCreate, parse


def record_activity(*, session: Session, data: ActivityCreate | Mapping[str, Any]) -> Activity:
    """Add one 実施記録 to a programme; without fields of its own it takes the programme's. InvalidInput
    names the field: an end before the start, a negative participant count or cost, an unknown field,
    or a programme that does not exist."""
    activity_in = parse(ActivityCreate, data)
    programme = referenced_programme(session=session, programme_id=activity_in.programme_id)
    values = activity_in.model_dump()
    values["direction"] = activity_in.direction.value if activity_in.direction else None
    if activity_in.fields is None:
        values["fields"] = list(programme.fields or [])
    activity = Activity(**values)
    programme.activities.append(activity)
    session.flush()
    return activity


def get_activity(*, session: Session, activity_id: int) -> Activity:
    return get_existing(session, Activity, activity_id, "activity")


def update_activity(*, session: Session, activity: Activity, changes: Mapping[str, Any]) -> Activity:
    """Apply changes, checking the record as a whole again (a new end date against the old start)."""
    unknown = [name for name in changes if name not in ActivityCreate.model_fields]
    if unknown:
        raise InvalidInput(problems=[Problem("unknown or read-only field", field=name) for name in unknown])
    current = {name: getattr(activity, name) for name in ActivityCreate.model_fields}
    activity_in = parse(ActivityCreate, {**current, **changes})
    if activity_in.programme_id != activity.programme_id:
        referenced_programme(session=session, programme_id=activity_in.programme_id)
    values = activity_in.model_dump()
    values["direction"] = activity_in.direction.value if activity_in.direction else None
    if activity_in.fields is None:  # fields: null leaves them as they are
        values.pop("fields")
    for name, value in values.items():
        if getattr(activity, name) != value:
            setattr(activity, name, value)
    session.flush()
    return activity


def find_activity(*, session: Session, programme_id: int, title: str, start_on: Any) -> Activity | None:
    """The activity of this programme with this title and start (how the demo loader finds its own)."""
    condition = Activity.start_on.is_(None) if start_on is None else Activity.start_on == start_on
    return session.scalars(
        select(Activity).where(Activity.programme_id == programme_id, Activity.title == title, condition)
    ).first()


def activities_for_programme(*, session: Session, programme_id: int) -> Sequence[Activity]:
    return list(
        session.scalars(
            select(Activity)
            .where(Activity.programme_id == programme_id)
            .order_by(Activity.start_on, Activity.id)
        )
    )


def list_activities(
    *,
    session: Session,
    field: str | None = None,
    programme_id: int | None = None,
    municipality_id: int | None = None,
) -> Sequence[Activity]:
    """Activities by start date and id: of one exchange field, one programme, or the programmes one
    municipality runs."""
    statement = select(Activity).order_by(Activity.start_on, Activity.id)
    if programme_id is not None:
        statement = statement.where(Activity.programme_id == programme_id)
    if municipality_id is not None:
        owned = select(ProgrammeOwner.programme_id).where(ProgrammeOwner.municipality_id == municipality_id)
        statement = statement.where(Activity.programme_id.in_(owned))
    found = list(session.scalars(statement))
    if field is not None:
        # A JSON list is matched in Python: the same on SQLite and PostgreSQL, and activities are few.
        found = [a for a in found if field in (a.fields or [])]
    return found


def fields_by_owner(*, session: Session) -> dict[int, set[str]]:
    """The exchange fields of the activities of the programmes each municipality runs (for matchmaking),
    in one query."""
    found: dict[int, set[str]] = {}
    statement = (
        select(ProgrammeOwner.municipality_id, Activity.fields)
        .join(Programme, Programme.id == ProgrammeOwner.programme_id)
        .join(Activity, Activity.programme_id == Programme.id)
        .where(ProgrammeOwner.municipality_id.is_not(None))
    )
    for municipality_id, fields in session.execute(statement):
        if municipality_id is not None and fields:
            found.setdefault(municipality_id, set()).update(fields)
    return found
