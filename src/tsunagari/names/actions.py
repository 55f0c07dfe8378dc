"""Writes of the review list, permission-checked: resolving an item is the one way the web, the API and
the CLI answer it (names.service carries out what waited on the answer)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tsunagari.access.permissions import Target, require
from tsunagari.access.principal import Principal
from tsunagari.errors import InvalidInput
from tsunagari.names import permissions as _rules  # noqa: F401 - registers this domain's rules
from tsunagari.names import service as names_service
from tsunagari.names.models import ReviewItem


def resolve_review(*, session: Session, actor: Principal | None, item_id: int, target: str) -> ReviewItem:
    """Say which municipality a review item means (an id, g:<geonameid>, or an exact name); the item
    then names it in `resolved_municipality_id`."""
    require("resolve_review", actor, Target("review_item", record_id=item_id))
    if not target.strip():
        raise InvalidInput("候補を選んでください / choose a candidate", field="target", value=target)
    item, _municipality = names_service.resolve_review(session=session, item_id=item_id, target=target)
    return item
