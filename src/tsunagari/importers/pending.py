"""Actions that wait on the review list: carried out once a person says which municipality a name means."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput
from tsunagari.municipality.models import Municipality


def carry_out(*, session: Session, pending: dict[str, Any], municipality: Municipality) -> None:
    """Dispatch on pending["kind"]; each importer that defers work registers its kind here."""
    kind = pending.get("kind")
    if kind == "partnership":
        # Imported here: the importer imports the names service, which imports this module lazily.
        from tsunagari.importers.partnerships import create_pending_partnership

        create_pending_partnership(session=session, pending=pending, partner=municipality)
        return
    if kind == "programme_partner":
        from tsunagari.importers.cases import link_pending_partner

        link_pending_partner(session=session, pending=pending, municipality=municipality)
        return
    raise InvalidInput("unknown pending action", field="pending.kind", value=kind)
