"""Permission-checked writes of programme partners, networks with their memberships and meetings, and
awards.

A network belongs to its secretariat's municipality: its editors (and admins) keep the network, its
members and its meetings. A municipality's editors may also add or remove their own membership. Awards
are given by national bodies (CLAIR), so only admins record them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.auth.actions import (
    _party_municipalities,
    _programme_target,
    _require,
    check_version,
    stale_is_conflict,
)
from tsunagari.auth.permissions import Target
from tsunagari.auth.schemas import Principal
from tsunagari.errors import Conflict, InvalidInput
from tsunagari.exchange import service as exchange_service
from tsunagari.exchange.models import Award, Network, NetworkMeeting, NetworkMembership, ProgrammePartner
from tsunagari.exchange.schemas import (
    AwardCreate,
    MeetingCreate,
    MembershipCreate,
    NetworkCreate,
    PartnerIn,
    parse,
)


def network_target(session: Session, network: Network | NetworkCreate, record_id: int | None) -> Target:
    owners = _party_municipalities(
        session, network.secretariat_municipality_id, network.secretariat_organisation_id
    )
    return Target("network", frozenset(owners), record_id=record_id)


def _network(session: Session, network_id: int) -> tuple[Network, Target]:
    network = exchange_service.get_network(session=session, network_id=network_id)
    return network, network_target(session, network, network.id)


# ----------------------------------------------------------------------------- programme partners
def add_programme_partner(
    *, session: Session, actor: Principal | None, programme_id: int, data: Mapping[str, Any]
) -> ProgrammePartner:
    """A registered municipality or organisation by id, or a partner kept as written (with its country)."""
    programme = exchange_service.get_programme(session=session, programme_id=programme_id)
    _require("add_programme_partner", actor, _programme_target(session, programme))
    partner_in = parse(PartnerIn, data)
    if not (
        partner_in.municipality_id or partner_in.organisation_id or (partner_in.written_name or "").strip()
    ):
        raise InvalidInput(
            "相手の自治体ID、団体ID、または名称を入力してください / "
            "give a municipality id, an organisation id or the partner's name",
            field="municipality_id",
        )
    partner, added = exchange_service.merge_partner(session=session, programme=programme, data=partner_in)
    if not added:
        raise Conflict("この相手は登録済みです / this partner is already on the programme")
    return partner


def remove_programme_partner(*, session: Session, actor: Principal | None, partner_id: int) -> None:
    partner = exchange_service.get_partner(session=session, partner_id=partner_id)
    programme = exchange_service.get_programme(session=session, programme_id=partner.programme_id)
    _require("remove_programme_partner", actor, _programme_target(session, programme))
    exchange_service.remove_partner(session=session, partner=partner)


# ----------------------------------------------------------------------------- networks
def create_network(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Network:
    network_in = parse(NetworkCreate, data)
    _require("create_network", actor, network_target(session, network_in, None))
    return exchange_service.create_network(session=session, data=network_in)


def update_network(
    *,
    session: Session,
    actor: Principal | None,
    network_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Network:
    network, target = _network(session, network_id)
    _require("update_network", actor, target)
    check_version(network, version)
    if {"secretariat_municipality_id", "secretariat_organisation_id"} & set(changes):
        # Handing the network to another secretariat needs the right over the new one as well.
        revised = parse(NetworkCreate, {**_network_fields(network), **changes})
        _require("update_network", actor, network_target(session, revised, network.id))
    with stale_is_conflict():
        return exchange_service.update_network(session=session, network=network, changes=changes)


def _network_fields(network: Network) -> dict[str, Any]:
    return {name: getattr(network, name) for name in NetworkCreate.model_fields}


def delete_network(
    *, session: Session, actor: Principal | None, network_id: int, version: int | None = None
) -> None:
    network, target = _network(session, network_id)
    _require("delete_network", actor, target)
    if version is not None:
        check_version(network, version)
    with stale_is_conflict():
        exchange_service.delete_network(session=session, network=network)


# ----------------------------------------------------------------------------- memberships
def _membership_target(
    session: Session, network: Network, municipality_id: int | None, org: int | None
) -> Target:
    own = network_target(session, network, network.id).municipality_ids
    return Target(
        "membership", own | _party_municipalities(session, municipality_id, org), record_id=network.id
    )


def create_membership(
    *, session: Session, actor: Principal | None, data: Mapping[str, Any]
) -> NetworkMembership:
    membership_in = parse(MembershipCreate, data)
    network = exchange_service.referenced_network(session=session, network_id=membership_in.network_id)
    target = _membership_target(
        session, network, membership_in.municipality_id, membership_in.organisation_id
    )
    _require("create_membership", actor, target)
    membership, _ = exchange_service.add_membership(session=session, data=membership_in)
    return membership


def delete_membership(*, session: Session, actor: Principal | None, membership_id: int) -> None:
    membership = exchange_service.get_membership(session=session, membership_id=membership_id)
    network = exchange_service.get_network(session=session, network_id=membership.network_id)
    target = _membership_target(session, network, membership.municipality_id, membership.organisation_id)
    _require("delete_membership", actor, target)
    exchange_service.remove_membership(session=session, membership=membership)


# ----------------------------------------------------------------------------- meetings
def create_meeting(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> NetworkMeeting:
    meeting_in = parse(MeetingCreate, data)
    network = exchange_service.referenced_network(session=session, network_id=meeting_in.network_id)
    target = network_target(session, network, network.id)
    _require("create_meeting", actor, target)
    meeting, _ = exchange_service.add_meeting(session=session, data=meeting_in)
    return meeting


def update_meeting(
    *,
    session: Session,
    actor: Principal | None,
    meeting_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> NetworkMeeting:
    meeting = exchange_service.get_meeting(session=session, meeting_id=meeting_id)
    _require("update_meeting", actor, _network(session, meeting.network_id)[1])
    check_version(meeting, version)
    with stale_is_conflict():
        return exchange_service.update_meeting(session=session, meeting=meeting, changes=changes)


def delete_meeting(
    *, session: Session, actor: Principal | None, meeting_id: int, version: int | None = None
) -> None:
    meeting = exchange_service.get_meeting(session=session, meeting_id=meeting_id)
    _require("delete_meeting", actor, _network(session, meeting.network_id)[1])
    if version is not None:
        check_version(meeting, version)
    with stale_is_conflict():
        exchange_service.delete_meeting(session=session, meeting=meeting)


# ----------------------------------------------------------------------------- awards
AWARDS = Target("award")


def create_award(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Award:
    award_in = parse(AwardCreate, data)
    _require("create_award", actor, AWARDS)
    return exchange_service.create_award(session=session, data=award_in)


def update_award(
    *,
    session: Session,
    actor: Principal | None,
    award_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Award:
    award = exchange_service.get_award(session=session, award_id=award_id)
    _require("update_award", actor, AWARDS)
    check_version(award, version)
    with stale_is_conflict():
        return exchange_service.update_award(session=session, award=award, changes=changes)


def delete_award(
    *, session: Session, actor: Principal | None, award_id: int, version: int | None = None
) -> None:
    award = exchange_service.get_award(session=session, award_id=award_id)
    _require("delete_award", actor, AWARDS)
    if version is not None:
        check_version(award, version)
    with stale_is_conflict():
        exchange_service.delete_award(session=session, award=award)
