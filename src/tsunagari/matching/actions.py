"""Writes of seeking profiles, permission-checked: the one way the web, the API and the CLI change them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.access.action_kit import check_version, delete_record, given_changes, stale_is_conflict
from tsunagari.access.permissions import Target, require
from tsunagari.access.principal import Principal
from tsunagari.errors import parse
from tsunagari.matching import permissions as _rules  # noqa: F401 - registers this domain's rules
from tsunagari.matching import service as matching_service
from tsunagari.matching.models import SeekingProfile
from tsunagari.matching.schemas import PROFILE_FIELDS, SeekingProfileCreate


def profile_target(municipality_id: int, profile_id: int | None = None) -> Target:
    return Target("seeking_profile", frozenset({municipality_id}), record_id=profile_id)


def create_seeking_profile(
    *, session: Session, actor: Principal | None, data: Mapping[str, Any] | SeekingProfileCreate
) -> SeekingProfile:
    profile_in = parse(SeekingProfileCreate, data)
    require("create_seeking_profile", actor, profile_target(profile_in.municipality_id))
    return matching_service.create_profile(session=session, data=profile_in)


def update_seeking_profile(
    *,
    session: Session,
    actor: Principal | None,
    profile_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> SeekingProfile:
    profile = matching_service.get_profile(session=session, profile_id=profile_id)
    require("update_seeking_profile", actor, profile_target(profile.municipality_id, profile.id))
    check_version(profile, version)
    given_changes(changes, dict.fromkeys(PROFILE_FIELDS))
    with stale_is_conflict():
        return matching_service.update_profile(session=session, profile=profile, changes=changes)


def delete_seeking_profile(
    *, session: Session, actor: Principal | None, profile_id: int, version: int | None = None
) -> None:
    profile = matching_service.get_profile(session=session, profile_id=profile_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_seeking_profile",
        record=profile,
        target=profile_target(profile.municipality_id, profile.id),
        version=version,
        remove=lambda: matching_service.delete_profile(session=session, profile=profile),
    )
