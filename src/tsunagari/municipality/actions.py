"""Writes of municipalities, permission-checked: the one way the web, the API and the CLI change them."""

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
from tsunagari.errors import parse
from tsunagari.municipality import permissions as _rules  # noqa: F401 - registers this domain's rules
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate


def municipality_target(municipality: Municipality) -> Target:
    return Target("municipality", frozenset({municipality.id}), municipality.country, municipality.id)


def create_municipality(
    *, session: Session, actor: Principal | None, data: Mapping[str, Any]
) -> Municipality:
    municipality_in = parse(MunicipalityCreate, data)
    require("create_municipality", actor, Target("municipality", country=municipality_in.country))
    return municipality_service.create(session=session, data=municipality_in)


def update_municipality(
    *,
    session: Session,
    actor: Principal | None,
    municipality_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Municipality:
    municipality = municipality_service.get(session=session, municipality_id=municipality_id)
    require("update_municipality", actor, municipality_target(municipality))
    check_version(municipality, version)
    given = given_changes(changes, MunicipalityCreate.model_fields)
    given.pop("aliases", None)
    values = validated_changes(
        MunicipalityCreate, current_values(municipality, MunicipalityCreate) | {"aliases": []}, given
    )
    values = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
    with stale_is_conflict():
        return municipality_service.update(session=session, municipality=municipality, changes=values)


def delete_municipality(
    *, session: Session, actor: Principal | None, municipality_id: int, version: int | None = None
) -> None:
    municipality = municipality_service.get(session=session, municipality_id=municipality_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_municipality",
        record=municipality,
        target=municipality_target(municipality),
        version=version,
        refuse_as=("自治体", "municipality"),
    )
