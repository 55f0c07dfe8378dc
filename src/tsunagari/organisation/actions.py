"""Writes of organisations, permission-checked: the one way the web, the API and the CLI change them.

Contacts are written by `partnership.contact_actions`: a contact may hang on a partnership, whose parties
decide who may change it, and this package sits below partnerships.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.access.action_kit import (
    check_version,
    current_values,
    delete_record,
    given_changes,
    stale_is_conflict,
    validated_changes,
)
from tsunagari.access.permissions import Target, require
from tsunagari.access.principal import Principal
from tsunagari.common.records import check_links_exist
from tsunagari.errors import parse
from tsunagari.municipality.models import Municipality
from tsunagari.organisation import permissions as _rules  # noqa: F401 - registers this domain's rules
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.models import Organisation
from tsunagari.organisation.schemas import OrganisationCreate


def organisation_target(organisation: Organisation) -> Target:
    owners = {organisation.municipality_id} if organisation.municipality_id else set()
    return Target("organisation", frozenset(owners), record_id=organisation.id)


def create_organisation(
    *, session: Session, actor: Principal | None, data: Mapping[str, Any]
) -> Organisation:
    organisation_in = parse(OrganisationCreate, data)
    owners = {organisation_in.municipality_id} if organisation_in.municipality_id else set()
    require("create_organisation", actor, Target("organisation", frozenset(owners)))
    check_links_exist(session, organisation_in.model_dump(), {"municipality_id": Municipality})
    return organisation_service.create(session=session, data=organisation_in)


def update_organisation(
    *,
    session: Session,
    actor: Principal | None,
    organisation_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Organisation:
    organisation = organisation_service.get(session=session, organisation_id=organisation_id)
    require("update_organisation", actor, organisation_target(organisation))
    check_version(organisation, version)
    values = validated_changes(
        OrganisationCreate,
        current_values(organisation, OrganisationCreate),
        given_changes(changes, OrganisationCreate.model_fields),
    )
    if "municipality_id" in values:
        # Handing the organisation to another municipality needs the right over that one as well.
        require(
            "update_organisation",
            actor,
            Target("organisation", frozenset({values["municipality_id"]} - {None})),
        )
        check_links_exist(session, values, {"municipality_id": Municipality})
    with stale_is_conflict():
        return organisation_service.update(session=session, organisation=organisation, changes=values)


def delete_organisation(
    *, session: Session, actor: Principal | None, organisation_id: int, version: int | None = None
) -> None:
    organisation = organisation_service.get(session=session, organisation_id=organisation_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_organisation",
        record=organisation,
        target=organisation_target(organisation),
        version=version,
        refuse_as=("団体", "organisation"),
    )
