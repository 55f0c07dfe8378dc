"""Networks, their memberships and meetings: the only module writing their tables; flushes, never commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagari.errors import Conflict, InvalidInput, Problem
from tsunagari.exchange._common import Outcome, assign, check_party, get_existing
from tsunagari.exchange.models import Network, NetworkMeeting, NetworkMembership, Programme, party_key
from tsunagari.exchange.schemas import MeetingCreate, MembershipCreate, NetworkCreate, parse

M = TypeVar("M", bound=BaseModel)


def get_network(*, session: Session, network_id: int) -> Network:
    return get_existing(session, Network, network_id, "network")


def referenced_network(*, session: Session, network_id: int) -> Network:
    """The network a membership or meeting names: a missing one is bad input naming the field (422)."""
    network = session.get(Network, network_id)
    if network is None:
        raise InvalidInput(
            "そのネットワークは登録されていません / no network has this id",
            field="network_id",
            value=network_id,
        )
    return network


def find_network(*, session: Session, name: str) -> Network | None:
    return session.scalars(select(Network).where(Network.name == name.strip())).first()


def _network_values(data: NetworkCreate) -> dict[str, Any]:
    values = data.model_dump()
    values["kind"] = data.kind.value
    return values


def upsert_network(*, session: Session, data: NetworkCreate | Mapping[str, Any]) -> tuple[Network, Outcome]:
    """Insert by name, or update the stored network where a given (non-empty) value differs."""
    network_in = parse(NetworkCreate, data)
    check_party(
        session,
        network_in.secretariat_municipality_id,
        network_in.secretariat_organisation_id,
        "secretariat",
    )
    values = _network_values(network_in)
    existing = find_network(session=session, name=network_in.name)
    if existing is None:
        network = Network(**values)
        session.add(network)
        session.flush()
        return network, "created"
    changed = {
        name: value
        for name, value in values.items()
        if value not in (None, [], "") and getattr(existing, name) != value
    }
    if not changed:
        return existing, "unchanged"
    for name, value in changed.items():
        setattr(existing, name, value)
    session.flush()
    return existing, "updated"


def create_network(*, session: Session, data: NetworkCreate | Mapping[str, Any]) -> Network:
    network_in = parse(NetworkCreate, data)
    if find_network(session=session, name=network_in.name) is not None:
        raise Conflict(f"a network named {network_in.name} already exists")
    network, _ = upsert_network(session=session, data=network_in)
    return network


def list_networks(*, session: Session, kind: str | None = None) -> Sequence[Network]:
    statement = select(Network).order_by(Network.name)
    if kind:
        statement = statement.where(Network.kind == kind)
    return list(session.scalars(statement))


def add_membership(
    *, session: Session, data: MembershipCreate | Mapping[str, Any]
) -> tuple[NetworkMembership, Outcome]:
    """Add a member in a role; the same party in the same role is one membership (updated if changed)."""
    membership_in = parse(MembershipCreate, data)
    referenced_network(session=session, network_id=membership_in.network_id)
    check_party(session, membership_in.municipality_id, membership_in.organisation_id, "member")
    party = party_key(membership_in.municipality_id, membership_in.organisation_id)
    existing = session.scalars(
        select(NetworkMembership).where(
            NetworkMembership.network_id == membership_in.network_id,
            NetworkMembership.party == party,
            NetworkMembership.role == membership_in.role.value,
        )
    ).first()
    values = membership_in.model_dump()
    values["role"] = membership_in.role.value
    if existing is None:
        membership = NetworkMembership(**values, party=party)
        session.add(membership)
        session.flush()
        return membership, "created"
    changed = {
        name: values[name]
        for name in ("joined_fy", "notes", "source")
        if values[name] is not None and getattr(existing, name) != values[name]
    }
    for name, value in changed.items():
        setattr(existing, name, value)
    session.flush()
    return existing, "updated" if changed else "unchanged"


def add_meeting(
    *, session: Session, data: MeetingCreate | Mapping[str, Any]
) -> tuple[NetworkMeeting, Outcome]:
    """Record a meeting; one with the same network, year, date, host and title is the same meeting."""
    meeting_in = parse(MeetingCreate, data)
    referenced_network(session=session, network_id=meeting_in.network_id)
    if meeting_in.host_municipality_id is not None:
        check_party(session, meeting_in.host_municipality_id, None, "host")
    existing = session.scalars(
        select(NetworkMeeting).where(
            NetworkMeeting.network_id == meeting_in.network_id,
            NetworkMeeting.fiscal_year.is_(None)
            if meeting_in.fiscal_year is None
            else NetworkMeeting.fiscal_year == meeting_in.fiscal_year,
            NetworkMeeting.held_on.is_(None)
            if meeting_in.held_on is None
            else NetworkMeeting.held_on == meeting_in.held_on,
            NetworkMeeting.host_municipality_id.is_(None)
            if meeting_in.host_municipality_id is None
            else NetworkMeeting.host_municipality_id == meeting_in.host_municipality_id,
            NetworkMeeting.title.is_(None)
            if meeting_in.title is None
            else NetworkMeeting.title == meeting_in.title,
        )
    ).first()
    values = meeting_in.model_dump()
    if existing is None:
        meeting = NetworkMeeting(**values)
        session.add(meeting)
        session.flush()
        return meeting, "created"
    changed = {
        name: value
        for name, value in values.items()
        if value is not None and getattr(existing, name) != value
    }
    for name, value in changed.items():
        setattr(existing, name, value)
    session.flush()
    return existing, "updated" if changed else "unchanged"


def _revised(model: type[M], record: Any, changes: Mapping[str, Any], **fixed: Any) -> M:
    """The record with `changes` applied, checked as a whole again (a new end against the old start).
    Fields the model does not know, and `fixed` ones (what a record belongs to), cannot be changed."""
    unknown = [name for name in changes if name not in model.model_fields or name in fixed]
    if unknown:
        raise InvalidInput(problems=[Problem("unknown or read-only field", field=name) for name in unknown])
    current = {name: getattr(record, name) for name in model.model_fields if hasattr(record, name)}
    return parse(model, {**current, **changes, **fixed})


def update_network(*, session: Session, network: Network, changes: Mapping[str, Any]) -> Network:
    network_in = _revised(NetworkCreate, network, changes)
    check_party(
        session,
        network_in.secretariat_municipality_id,
        network_in.secretariat_organisation_id,
        "secretariat",
    )
    namesake = find_network(session=session, name=network_in.name)
    if namesake is not None and namesake.id != network.id:
        raise Conflict(f"a network named {network_in.name} already exists")
    assign(network, _network_values(network_in))
    session.flush()
    return network


def delete_network(*, session: Session, network: Network) -> None:
    """Memberships and meetings go with the network, each deleted through the session so that the
    audit trail has every one; programmes run under it are kept and must be moved first."""
    programmes = session.scalar(
        select(func.count()).select_from(Programme).where(Programme.network_id == network.id)
    )
    if programmes:
        raise Conflict(
            f"このネットワークで実施する交流事業が{programmes}件あります / "
            f"{programmes} programmes are run under this network; move them first"
        )
    # Read from the database, not the relationship: a collection loaded before a member was added
    # through add_membership would miss it, and the database's own cascade would delete it unaudited.
    session.flush()
    for child_type in (NetworkMembership, NetworkMeeting):
        for child in session.scalars(select(child_type).where(child_type.network_id == network.id)):
            session.delete(child)
    session.flush()
    session.expire(network, ["memberships", "meetings"])
    session.delete(network)
    session.flush()


def get_membership(*, session: Session, membership_id: int) -> NetworkMembership:
    return get_existing(session, NetworkMembership, membership_id, "network membership")


def remove_membership(*, session: Session, membership: NetworkMembership) -> None:
    session.delete(membership)
    session.flush()


def get_meeting(*, session: Session, meeting_id: int) -> NetworkMeeting:
    return get_existing(session, NetworkMeeting, meeting_id, "network meeting")


def update_meeting(
    *, session: Session, meeting: NetworkMeeting, changes: Mapping[str, Any]
) -> NetworkMeeting:
    meeting_in = _revised(MeetingCreate, meeting, changes, network_id=meeting.network_id)
    if meeting_in.host_municipality_id is not None:
        check_party(session, meeting_in.host_municipality_id, None, "host")
    assign(meeting, meeting_in.model_dump())
    session.flush()
    return meeting


def delete_meeting(*, session: Session, meeting: NetworkMeeting) -> None:
    session.delete(meeting)
    session.flush()


def networks_run_by(*, session: Session, municipality_id: int) -> Sequence[Network]:
    """Networks whose secretariat is this municipality: the ones its editors keep."""
    statement = select(Network).where(Network.secretariat_municipality_id == municipality_id)
    return list(session.scalars(statement.order_by(Network.name)))


def networks_for_municipality(*, session: Session, municipality_id: int) -> Sequence[Network]:
    return list(
        session.scalars(
            select(Network)
            .where(
                # A subquery, not DISTINCT: PostgreSQL cannot compare the JSON columns.
                Network.id.in_(
                    select(NetworkMembership.network_id).where(
                        NetworkMembership.municipality_id == municipality_id
                    )
                )
            )
            .order_by(Network.name)
        )
    )


def network_ids_by_member(*, session: Session) -> dict[int, set[int]]:
    """Every municipality that belongs to a network, with the networks it belongs to (for matchmaking)."""
    found: dict[int, set[int]] = {}
    statement = select(NetworkMembership.municipality_id, NetworkMembership.network_id).where(
        NetworkMembership.municipality_id.is_not(None)
    )
    for municipality_id, network_id in session.execute(statement):
        if municipality_id is not None:
            found.setdefault(municipality_id, set()).add(network_id)
    return found
