"""Writes of the review list, permission-checked: resolving an item is the one way the web, the API and
the CLI answer it (names.service carries out what waited on the answer)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tsunagari.access.permissions import Target, require
from tsunagari.access.principal import Principal
from tsunagari.errors import Conflict, InvalidInput
from tsunagari.names import permissions as _rules  # noqa: F401 - registers this domain's rules
from tsunagari.names import service as names_service
from tsunagari.names.models import ReviewItem


class OverwriteNotConfirmed(Conflict):
    """The resolution would replace stored values; it is carried out only once a person confirms it."""

    def __init__(self, changes: list[names_service.ResolutionChange]) -> None:
        self.changes = changes
        shown = "; ".join(
            f"{c.table_name} #{c.record_id} {c.field}: {c.before} → {c.after}"
            for c in changes
            if c.overwrites
        )
        super().__init__(
            f"この確定は登録済みの値を書き換えます（{shown}）。確認のうえ上書きしてください。"
            f" / resolving this would overwrite stored values ({shown}); confirm the overwrite first."
        )


def preview_review(
    *, session: Session, actor: Principal | None, item_id: int, target: str
) -> list[names_service.ResolutionChange]:
    """What resolving the item would write, field by field; nothing is written."""
    require("preview_review", actor, Target("review_item", record_id=item_id))
    if not target.strip():
        raise InvalidInput("候補を選んでください / choose a candidate", field="target", value=target)
    return names_service.preview_resolution(session=session, item_id=item_id, target=target)


def resolve_review(
    *,
    session: Session,
    actor: Principal | None,
    item_id: int,
    target: str,
    overwrite_confirmed: bool = False,
) -> ReviewItem:
    """Say which municipality a review item means (an id, g:<geonameid>, or an exact name); the item
    then names it in `resolved_municipality_id`. A resolution that would replace a stored value (a
    partnership's signing date, say) is refused with OverwriteNotConfirmed until it is confirmed."""
    changes = preview_review(session=session, actor=actor, item_id=item_id, target=target)
    if not overwrite_confirmed and any(change.overwrites for change in changes):
        raise OverwriteNotConfirmed(changes)
    item, _municipality = names_service.resolve_review(session=session, item_id=item_id, target=target)
    return item
