"""Writes of partnerships, permission-checked: the one way the web, the API and the CLI change them
(bulk imports included: the permission is checked once, then the importer runs)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from tsunagari.access.action_kit import (
    check_version,
    current_values,
    delete_record,
    given_changes,
    stale_is_conflict,
)
from tsunagari.access.permissions import NOTHING, Target, require
from tsunagari.access.principal import Principal
from tsunagari.errors import parse
from tsunagari.municipality import service as municipality_service
from tsunagari.organisation import service as organisation_service
from tsunagari.partnership import permissions as _rules  # noqa: F401 - registers this domain's rules
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import Partnership
from tsunagari.partnership.schemas import PartnershipCreate

R = TypeVar("R")


def _parties(
    session: Session,
    home: tuple[int | None, int | None],
    partner: tuple[int | None, int | None],
    record_id: int | None = None,
) -> Target:
    owners = organisation_service.party_municipalities(
        session=session, municipality_id=home[0], organisation_id=home[1]
    ) | organisation_service.party_municipalities(
        session=session, municipality_id=partner[0], organisation_id=partner[1]
    )
    # Both parties' pages show the partnership: an editor must hold every Japanese party, not just one.
    domestic = frozenset(
        municipality_id
        for municipality_id in owners
        if municipality_service.get(session=session, municipality_id=municipality_id).country == "JP"
    )
    return Target("partnership", frozenset(owners), record_id=record_id, every_of=domestic)


def partnership_target(session: Session, partnership: Partnership) -> Target:
    """A partnership belongs to both parties' municipalities."""
    return _parties(
        session,
        (partnership.home_municipality_id, partnership.home_organisation_id),
        (partnership.partner_municipality_id, partnership.partner_organisation_id),
        partnership.id,
    )


def _partnership_parties(session: Session, data: PartnershipCreate) -> Target:
    return _parties(
        session,
        (data.home_municipality_id, data.home_organisation_id),
        (data.partner_municipality_id, data.partner_organisation_id),
    )


def create_partnership(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Partnership:
    partnership_in = parse(PartnershipCreate, data)
    require("create_partnership", actor, _partnership_parties(session, partnership_in))
    return partnership_service.create(session=session, data=partnership_in)


def update_partnership(
    *,
    session: Session,
    actor: Principal | None,
    partnership_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Partnership:
    partnership = partnership_service.get(session=session, partnership_id=partnership_id)
    require("update_partnership", actor, partnership_target(session, partnership))
    check_version(partnership, version)
    given = given_changes(changes, PartnershipCreate.model_fields)
    merged = parse(PartnershipCreate, {**current_values(partnership, PartnershipCreate), **given})
    # Moving a partnership to other parties needs the editor's scope on the new parties too.
    require("update_partnership", actor, _partnership_parties(session, merged))
    values = merged.model_dump()
    with stale_is_conflict():
        return partnership_service.update(
            session=session,
            partnership=partnership,
            changes={name: values[name] for name in given},
            parties=merged,
        )


def delete_partnership(
    *, session: Session, actor: Principal | None, partnership_id: int, version: int | None = None
) -> None:
    """Where the partnership was seen (its source records) is part of it: removed with it, each audited."""
    partnership = partnership_service.get(session=session, partnership_id=partnership_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_partnership",
        record=partnership,
        target=partnership_target(session, partnership),
        version=version,
        refuse_as=("提携", "partnership"),
        owned={"partnership_source_record"},
    )


# ----------------------------------------------------------------------------- bulk imports
def import_partnerships(*, actor: Principal | None, run: Callable[[], R]) -> R:
    """Run an import of a partnerships file (`run` calls the importer) once the actor may."""
    require("import_partnerships", actor, NOTHING)
    return run()


def import_pairs(*, actor: Principal | None, run: Callable[[], R]) -> R:
    """Run an import of global twin-town pairs (`run` calls the importer) once the actor may."""
    require("import_pairs", actor, NOTHING)
    return run()
