"""Writes of programmes (their activities and partners), networks (their members and meetings) and awards,
permission-checked: the one way the web, the API and the CLI change them.

A programme belongs to its owners' municipalities; a network to its secretariat's, whose editors keep its
members and meetings (a municipality's editors may also add or remove their own membership). Awards are
given by national bodies (CLAIR), so only admins record them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from tsunagari.access.action_kit import check_version, delete_record, given_changes, stale_is_conflict
from tsunagari.access.permissions import NOTHING, Target, require
from tsunagari.access.principal import Principal
from tsunagari.errors import Conflict, InvalidInput, parse
from tsunagari.exchange import activity_service, award_service, network_service, programme_service
from tsunagari.exchange import permissions as _rules  # noqa: F401 - registers this domain's rules
from tsunagari.exchange.models import (
    Activity,
    Award,
    Network,
    NetworkMeeting,
    NetworkMembership,
    Programme,
    ProgrammePartner,
)
from tsunagari.exchange.schemas import (
    ActivityCreate,
    AwardCreate,
    MeetingCreate,
    MembershipCreate,
    NetworkCreate,
    PartnerIn,
    ProgrammeCreate,
    ProgrammeUpdate,
)
from tsunagari.organisation import service as organisation_service

R = TypeVar("R")


def _party(session: Session, municipality_id: int | None, organisation_id: int | None) -> set[int]:
    return organisation_service.party_municipalities(
        session=session, municipality_id=municipality_id, organisation_id=organisation_id
    )


# ----------------------------------------------------------------------------- programmes
def programme_owners_target(
    session: Session, owners: list[tuple[int | None, int | None]], record_id: int | None
) -> Target:
    """A programme belongs to the municipalities of its owners ((municipality_id, organisation_id) each)."""
    found: set[int] = set()
    for municipality_id, organisation_id in owners:
        found |= _party(session, municipality_id, organisation_id)
    return Target("programme", frozenset(found), record_id=record_id)


def programme_target(session: Session, programme: Programme) -> Target:
    return programme_owners_target(
        session, [(o.municipality_id, o.organisation_id) for o in programme.owners], programme.id
    )


def _require_network_scope(
    session: Session, actor: Principal | None, action: str, network_id: Any, current: int | None = None
) -> None:
    """A programme put into a network shows on that network's page: its secretariat's editors decide
    (a network with no secretariat in the registry is nobody's to guard)."""
    if network_id is None or network_id == "" or isinstance(network_id, bool):
        return
    try:
        wanted = int(network_id)
    except (TypeError, ValueError):
        return  # not an id: the schema names the problem
    if wanted == current:
        return
    network = network_service.referenced_network(session=session, network_id=wanted)
    secretariat = network_target(session, network, network.id).municipality_ids
    if secretariat:
        require(action, actor, Target("programme", secretariat, every_of=secretariat))


def create_programme(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Programme:
    programme_in = parse(ProgrammeCreate, data)
    target = programme_owners_target(
        session, [(o.municipality_id, o.organisation_id) for o in programme_in.owners], None
    )
    require("create_programme", actor, target)
    _require_network_scope(session, actor, "create_programme", programme_in.network_id)
    return programme_service.create_programme(session=session, data=programme_in)


def update_programme(
    *,
    session: Session,
    actor: Principal | None,
    programme_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Programme:
    programme = programme_service.get_programme(session=session, programme_id=programme_id)
    require("update_programme", actor, programme_target(session, programme))
    check_version(programme, version)
    given_changes(changes, ProgrammeUpdate.model_fields)
    _require_network_scope(
        session, actor, "update_programme", changes.get("network_id"), programme.network_id
    )
    with stale_is_conflict():
        return programme_service.update_programme(session=session, programme=programme, changes=changes)


def delete_programme(
    *, session: Session, actor: Principal | None, programme_id: int, version: int | None = None
) -> None:
    programme = programme_service.get_programme(session=session, programme_id=programme_id)

    def remove() -> None:
        if programme.activities:
            raise Conflict("実施記録があるため削除できません / the programme still has activities")
        session.delete(programme)
        session.flush()

    delete_record(
        session=session,
        actor=actor,
        action="delete_programme",
        record=programme,
        target=programme_target(session, programme),
        version=version,
        remove=remove,
    )


# ----------------------------------------------------------------------------- programme partners
def add_programme_partner(
    *, session: Session, actor: Principal | None, programme_id: int, data: Mapping[str, Any]
) -> ProgrammePartner:
    """A registered municipality or organisation by id, or a partner kept as written (with its country)."""
    programme = programme_service.get_programme(session=session, programme_id=programme_id)
    require("add_programme_partner", actor, programme_target(session, programme))
    partner_in = parse(PartnerIn, data)
    if not (
        partner_in.municipality_id or partner_in.organisation_id or (partner_in.written_name or "").strip()
    ):
        raise InvalidInput(
            "相手の自治体ID、団体ID、または名称を入力してください / "
            "give a municipality id, an organisation id or the partner's name",
            field="municipality_id",
        )
    partner, added = programme_service.merge_partner(session=session, programme=programme, data=partner_in)
    if not added:
        raise Conflict("この相手は登録済みです / this partner is already on the programme")
    return partner


def remove_programme_partner(*, session: Session, actor: Principal | None, partner_id: int) -> None:
    partner = programme_service.get_partner(session=session, partner_id=partner_id)
    programme = programme_service.get_programme(session=session, programme_id=partner.programme_id)
    require("remove_programme_partner", actor, programme_target(session, programme))
    programme_service.remove_partner(session=session, partner=partner)


# ----------------------------------------------------------------------------- activities
def activity_target(session: Session, activity: Activity) -> Target:
    """An activity belongs to its programme's owners."""
    programme = programme_service.get_programme(session=session, programme_id=activity.programme_id)
    return Target("activity", programme_target(session, programme).municipality_ids, record_id=activity.id)


def create_activity(
    *, session: Session, actor: Principal | None, data: ActivityCreate | Mapping[str, Any]
) -> Activity:
    activity_in = parse(ActivityCreate, data)
    programme = programme_service.referenced_programme(session=session, programme_id=activity_in.programme_id)
    require("create_activity", actor, programme_target(session, programme))
    return activity_service.record_activity(session=session, data=activity_in)


def _activity_fields(activity: Activity) -> dict[str, Any]:
    return {name: getattr(activity, name) for name in ActivityCreate.model_fields}


def update_activity(
    *,
    session: Session,
    actor: Principal | None,
    activity_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Activity:
    activity = activity_service.get_activity(session=session, activity_id=activity_id)
    require("update_activity", actor, activity_target(session, activity))
    check_version(activity, version)
    if "programme_id" in changes:
        # Moving an activity to another programme needs the right over that one as well.
        moved_to = parse(ActivityCreate, {**_activity_fields(activity), **changes}).programme_id
        programme = programme_service.referenced_programme(session=session, programme_id=moved_to)
        require("update_activity", actor, programme_target(session, programme))
    with stale_is_conflict():
        return activity_service.update_activity(session=session, activity=activity, changes=changes)


def delete_activity(
    *, session: Session, actor: Principal | None, activity_id: int, version: int | None = None
) -> None:
    """An activity planned as a visit takes its visit with it (both in the audit trail)."""
    activity = activity_service.get_activity(session=session, activity_id=activity_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_activity",
        record=activity,
        target=activity_target(session, activity),
        version=version,
        owned={"visit"},
    )


# ----------------------------------------------------------------------------- networks
def network_target(session: Session, network: Network | NetworkCreate, record_id: int | None) -> Target:
    owners = _party(session, network.secretariat_municipality_id, network.secretariat_organisation_id)
    return Target("network", frozenset(owners), record_id=record_id)


def _network(session: Session, network_id: int) -> tuple[Network, Target]:
    network = network_service.get_network(session=session, network_id=network_id)
    return network, network_target(session, network, network.id)


def create_network(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Network:
    network_in = parse(NetworkCreate, data)
    require("create_network", actor, network_target(session, network_in, None))
    return network_service.create_network(session=session, data=network_in)


def _network_fields(network: Network) -> dict[str, Any]:
    return {name: getattr(network, name) for name in NetworkCreate.model_fields}


def update_network(
    *,
    session: Session,
    actor: Principal | None,
    network_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Network:
    network, target = _network(session, network_id)
    require("update_network", actor, target)
    check_version(network, version)
    if {"secretariat_municipality_id", "secretariat_organisation_id"} & set(changes):
        # Handing the network to another secretariat needs the right over the new one as well.
        revised = parse(NetworkCreate, {**_network_fields(network), **changes})
        require("update_network", actor, network_target(session, revised, network.id))
    with stale_is_conflict():
        return network_service.update_network(session=session, network=network, changes=changes)


def delete_network(
    *, session: Session, actor: Principal | None, network_id: int, version: int | None = None
) -> None:
    """Members and meetings go with the network (the service deletes each, audited)."""
    network, target = _network(session, network_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_network",
        record=network,
        target=target,
        version=version,
        remove=lambda: network_service.delete_network(session=session, network=network),
    )


# ----------------------------------------------------------------------------- memberships
def _membership_target(
    session: Session, network: Network, municipality_id: int | None, organisation_id: int | None
) -> Target:
    own = network_target(session, network, network.id).municipality_ids
    return Target("membership", own | _party(session, municipality_id, organisation_id), record_id=network.id)


def create_membership(
    *, session: Session, actor: Principal | None, data: Mapping[str, Any]
) -> NetworkMembership:
    membership_in = parse(MembershipCreate, data)
    network = network_service.referenced_network(session=session, network_id=membership_in.network_id)
    target = _membership_target(
        session, network, membership_in.municipality_id, membership_in.organisation_id
    )
    require("create_membership", actor, target)
    membership, _ = network_service.add_membership(session=session, data=membership_in)
    return membership


def delete_membership(*, session: Session, actor: Principal | None, membership_id: int) -> None:
    membership = network_service.get_membership(session=session, membership_id=membership_id)
    network = network_service.get_network(session=session, network_id=membership.network_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_membership",
        record=membership,
        target=_membership_target(session, network, membership.municipality_id, membership.organisation_id),
        version=None,
        remove=lambda: network_service.remove_membership(session=session, membership=membership),
    )


# ----------------------------------------------------------------------------- meetings
def create_meeting(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> NetworkMeeting:
    meeting_in = parse(MeetingCreate, data)
    network = network_service.referenced_network(session=session, network_id=meeting_in.network_id)
    require("create_meeting", actor, network_target(session, network, network.id))
    meeting, _ = network_service.add_meeting(session=session, data=meeting_in)
    return meeting


def update_meeting(
    *,
    session: Session,
    actor: Principal | None,
    meeting_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> NetworkMeeting:
    meeting = network_service.get_meeting(session=session, meeting_id=meeting_id)
    require("update_meeting", actor, _network(session, meeting.network_id)[1])
    check_version(meeting, version)
    with stale_is_conflict():
        return network_service.update_meeting(session=session, meeting=meeting, changes=changes)


def delete_meeting(
    *, session: Session, actor: Principal | None, meeting_id: int, version: int | None = None
) -> None:
    meeting = network_service.get_meeting(session=session, meeting_id=meeting_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_meeting",
        record=meeting,
        target=_network(session, meeting.network_id)[1],
        version=version,
        remove=lambda: network_service.delete_meeting(session=session, meeting=meeting),
    )


# ----------------------------------------------------------------------------- awards
AWARDS = Target("award")


def create_award(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Award:
    award_in = parse(AwardCreate, data)
    require("create_award", actor, AWARDS)
    return award_service.create_award(session=session, data=award_in)


def update_award(
    *,
    session: Session,
    actor: Principal | None,
    award_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Award:
    award = award_service.get_award(session=session, award_id=award_id)
    require("update_award", actor, AWARDS)
    check_version(award, version)
    with stale_is_conflict():
        return award_service.update_award(session=session, award=award, changes=changes)


def delete_award(
    *, session: Session, actor: Principal | None, award_id: int, version: int | None = None
) -> None:
    """The award's partners go with it (the service deletes each, audited)."""
    award = award_service.get_award(session=session, award_id=award_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_award",
        record=award,
        target=AWARDS,
        version=version,
        remove=lambda: award_service.delete_award(session=session, award=award),
    )


# ----------------------------------------------------------------------------- bulk imports
def import_cases(*, actor: Principal | None, run: Callable[[], R]) -> R:
    """Run an import of CLAIR case records (`run` calls the importer) once the actor may."""
    require("import_cases", actor, NOTHING)
    return run()


def import_activities(*, actor: Principal | None, run: Callable[[], R]) -> R:
    """Run an import of an activities file (`run` calls the importer) once the actor may."""
    require("import_activities", actor, NOTHING)
    return run()
