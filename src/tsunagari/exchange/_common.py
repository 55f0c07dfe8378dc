"""What the exchange services share: an upsert's outcome, a named party that must exist, a record by id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput, NotFound
from tsunagari.municipality.models import Municipality
from tsunagari.organisation.models import Organisation

Outcome = Literal["created", "updated", "unchanged"]
T = TypeVar("T")


def check_party(
    session: Session, municipality_id: int | None, organisation_id: int | None, field_name: str
) -> None:
    """Refuse a reference to a municipality or organisation that does not exist, naming the field."""
    if municipality_id is not None and session.get(Municipality, municipality_id) is None:
        raise InvalidInput(
            "no such municipality", field=f"{field_name}.municipality_id", value=municipality_id
        )
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise InvalidInput(
            "no such organisation", field=f"{field_name}.organisation_id", value=organisation_id
        )


def get_existing(session: Session, model: type[T], record_id: int, what: str) -> T:
    """The record with this id, or NotFound naming what it is (404)."""
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(f"{what} {record_id} does not exist")
    return record


def assign(record: Any, values: Mapping[str, Any]) -> None:
    """Set only the values that differ, so an unchanged field is not written (nor audited)."""
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
