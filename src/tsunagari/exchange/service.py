"""Business logic of networks, programmes, activities and awards: the only module writing their tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagari.dates import FiscalYears, parse_fiscal_years
from tsunagari.errors import Conflict, InvalidInput, NotFound, Problem
from tsunagari.exchange.models import (
    CRITERIA_SETS,
    Activity,
    Award,
    AwardPartner,
    Criterion,
    Network,
    NetworkMeeting,
    NetworkMembership,
    Programme,
    ProgrammeOwner,
    ProgrammePartner,
    party_key,
)
from tsunagari.exchange.schemas import (
    ActivityCreate,
    AwardCreate,
    MeetingCreate,
    MembershipCreate,
    NetworkCreate,
    PartnerIn,
    PartyRef,
    ProgrammeCreate,
    ProgrammeUpdate,
    parse,
)
from tsunagari.municipality.models import Municipality
from tsunagari.organisation.models import Organisation

Outcome = Literal["created", "updated", "unchanged"]
M = TypeVar("M", bound=BaseModel)


def _check_party(
    session: Session, municipality_id: int | None, organisation_id: int | None, field_name: str
) -> None:
    """Refuse a reference to a municipality or organisation that does not exist, naming the field."""
    if municipality_id is not None and session.get(Municipality, municipality_id) is None:
        raise InvalidInput(
            "no such municipality", field=f"{field_name}.municipality_id", value=municipality_id
        )
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise InvalidInput(
            "no such organisation", field=f"{field_name}.organisation_id", value=organisation_id
        )


# ----------------------------------------------------------------------------- networks
T = TypeVar("T")


def _existing(session: Session, model: type[T], record_id: int, what: str) -> T:
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(f"{what} {record_id} does not exist")
    return record


def get_network(*, session: Session, network_id: int) -> Network:
    return _existing(session, Network, network_id, "network")


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
    _check_party(
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
    _check_party(session, membership_in.municipality_id, membership_in.organisation_id, "member")
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
        _check_party(session, meeting_in.host_municipality_id, None, "host")
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


def _assign(record: Any, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)


def update_network(*, session: Session, network: Network, changes: Mapping[str, Any]) -> Network:
    network_in = _revised(NetworkCreate, network, changes)
    _check_party(
        session,
        network_in.secretariat_municipality_id,
        network_in.secretariat_organisation_id,
        "secretariat",
    )
    namesake = find_network(session=session, name=network_in.name)
    if namesake is not None and namesake.id != network.id:
        raise Conflict(f"a network named {network_in.name} already exists")
    _assign(network, _network_values(network_in))
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
    return _existing(session, NetworkMembership, membership_id, "network membership")


def remove_membership(*, session: Session, membership: NetworkMembership) -> None:
    session.delete(membership)
    session.flush()


def get_meeting(*, session: Session, meeting_id: int) -> NetworkMeeting:
    return _existing(session, NetworkMeeting, meeting_id, "network meeting")


def update_meeting(
    *, session: Session, meeting: NetworkMeeting, changes: Mapping[str, Any]
) -> NetworkMeeting:
    meeting_in = _revised(MeetingCreate, meeting, changes, network_id=meeting.network_id)
    if meeting_in.host_municipality_id is not None:
        _check_party(session, meeting_in.host_municipality_id, None, "host")
    _assign(meeting, meeting_in.model_dump())
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


# ----------------------------------------------------------------------------- programmes
def owner_key(owners: Sequence[PartyRef]) -> str:
    """The owners' part of a programme's natural key: the same owners in any order give one key."""
    return ",".join(sorted({party_key(o.municipality_id, o.organisation_id) for o in owners}))


def get_programme(*, session: Session, programme_id: int) -> Programme:
    return _existing(session, Programme, programme_id, "programme")


def referenced_programme(*, session: Session, programme_id: int) -> Programme:
    """The programme an activity names: a missing one is bad input naming the field (422, exit 2),
    not a missing page, because it is the body that is wrong."""
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise InvalidInput(
            "その事業は登録されていません / no programme has this id",
            field="programme_id",
            value=programme_id,
        )
    return programme


def find_programme(
    *, session: Session, owners: Sequence[PartyRef], title: str, format: str
) -> Programme | None:
    return session.scalars(
        select(Programme).where(
            Programme.owner_key == owner_key(owners),
            Programme.title == title.strip(),
            Programme.format == format,
        )
    ).first()


def fiscal_years(programme: Programme) -> FiscalYears:
    """The stored 実施年度 as the dates package's value."""
    return FiscalYears(
        first_fy=programme.first_fy,
        last_fy=programme.last_fy,
        ongoing=programme.ongoing,
        every_n_years=programme.every_n_years,
        series_since_fy=programme.series_since_fy,
        held_fy=tuple(programme.held_fy or ()),
        unknown=programme.fiscal_years_unknown,
    )


def _fiscal_year_values(text: str | None) -> dict[str, Any]:
    parsed = parse_fiscal_years(text or "", field="fiscal_years_text")
    return {
        "fiscal_years_text": (text or "").strip() or None,
        "first_fy": parsed.first_fy,
        "last_fy": parsed.last_fy,
        "ongoing": parsed.ongoing,
        "every_n_years": parsed.every_n_years,
        "series_since_fy": parsed.series_since_fy,
        "held_fy": list(parsed.held_fy),
        "fiscal_years_unknown": parsed.unknown,
    }


def _check_links(session: Session, network_id: int | None, partnership_id: int | None) -> None:
    from tsunagari.partnership.models import Partnership

    if network_id is not None and session.get(Network, network_id) is None:
        raise InvalidInput("no such network", field="network_id", value=network_id)
    if partnership_id is not None and session.get(Partnership, partnership_id) is None:
        raise InvalidInput("no such partnership", field="partnership_id", value=partnership_id)


# Compared on re-import; None or empty incoming values leave the stored ones alone.
_PROGRAMME_COMPARED = (
    "title_note",
    "fields",
    "fiscal_years_text",
    "started_on",
    "started_on_precision",
    "schedule",
    "description",
    "results",
    "organiser_text",
    "partners_text",
    "details_text",
    "urls",
    "source_url",
    "actors",
    "network_id",
    "partnership_id",
)


@dataclass
class ProgrammeUpsert:
    """What an upsert did; `partners` are the rows for data.partners, in the same order."""

    programme: Programme
    outcome: Outcome
    partners: list[ProgrammePartner] = field(default_factory=list)


def upsert_programme(
    *, session: Session, data: ProgrammeCreate | Mapping[str, Any], update_existing: bool = True
) -> ProgrammeUpsert:
    """Insert by natural key (owners, title, format), or update where a given value differs.

    Partners are merged, never removed: one already there (same written name or same municipality)
    is kept, so re-importing a record changes nothing and a partner linked by a reviewer stays linked.
    """
    programme_in = parse(ProgrammeCreate, data)
    for index, owner in enumerate(programme_in.owners):
        _check_party(session, owner.municipality_id, owner.organisation_id, f"owners.{index}")
    for index, partner in enumerate(programme_in.partners):
        _check_party(session, partner.municipality_id, partner.organisation_id, f"partners.{index}")
    _check_links(session, programme_in.network_id, programme_in.partnership_id)
    values = programme_in.model_dump(exclude={"owners", "partners", "fiscal_years_text"})
    values["format"] = programme_in.format.value
    years = _fiscal_year_values(programme_in.fiscal_years_text)
    existing = find_programme(
        session=session, owners=programme_in.owners, title=programme_in.title, format=values["format"]
    )
    outcome: Outcome
    if existing is None:
        programme = Programme(**values, **years, owner_key=owner_key(programme_in.owners))
        programme.owners = [
            ProgrammeOwner(
                municipality_id=o.municipality_id,
                organisation_id=o.organisation_id,
                party=party_key(o.municipality_id, o.organisation_id),
                position=position,
            )
            for position, o in enumerate(programme_in.owners)
        ]
        session.add(programme)
        session.flush()
        outcome = "created"
    else:
        programme = existing
        incoming = {**values, **years}
        changed = {
            name: incoming[name]
            for name in _PROGRAMME_COMPARED
            if incoming[name] not in (None, [], "") and getattr(programme, name) != incoming[name]
        }
        if "fiscal_years_text" in changed:
            changed.update(years)
        if changed and update_existing:
            for name, value in changed.items():
                setattr(programme, name, value)
            if programme_in.source:
                programme.source = programme_in.source
            session.flush()
            outcome = "updated"
        else:
            outcome = "unchanged"
    rows: list[ProgrammePartner] = []
    partners_changed = False
    for partner_in in programme_in.partners:
        row, changed_partner = merge_partner(session=session, programme=programme, data=partner_in)
        rows.append(row)
        partners_changed = partners_changed or changed_partner
    if partners_changed and outcome == "unchanged":
        outcome = "updated"
    return ProgrammeUpsert(programme, outcome, rows)


def create_programme(*, session: Session, data: ProgrammeCreate | Mapping[str, Any]) -> Programme:
    programme_in = parse(ProgrammeCreate, data)
    if (
        find_programme(
            session=session,
            owners=programme_in.owners,
            title=programme_in.title,
            format=programme_in.format.value,
        )
        is not None
    ):
        raise Conflict("these owners already have a programme of this title and format")
    return upsert_programme(session=session, data=programme_in).programme


def update_programme(
    *, session: Session, programme: Programme, changes: ProgrammeUpdate | Mapping[str, Any]
) -> Programme:
    """Apply the fields given (explicitly set ones only; None clears an optional field)."""
    update = parse(ProgrammeUpdate, changes)
    given = update.model_dump(exclude_unset=True)
    if "title" in given and not (given["title"] or "").strip():
        raise InvalidInput("the title must not be blank", field="title", value=given["title"])
    _check_links(session, given.get("network_id"), given.get("partnership_id"))
    if "fiscal_years_text" in given:
        given.update(_fiscal_year_values(given["fiscal_years_text"]))
    if "format" in given and given["format"] is not None:
        given["format"] = str(given["format"])
    for name in ("fields", "urls", "actors"):
        if name in given and given[name] is None:
            given[name] = []
    for name, value in given.items():
        setattr(programme, name, value)
    session.flush()
    return programme


def merge_partner(
    *, session: Session, programme: Programme, data: PartnerIn | Mapping[str, Any]
) -> tuple[ProgrammePartner, bool]:
    """The programme's partner for `data`, added when new; True when something was added or linked."""
    partner_in = parse(PartnerIn, data)
    written = (partner_in.written_name or "").strip()
    for existing in programme.partners:
        same_party = (
            partner_in.municipality_id is not None and existing.municipality_id == partner_in.municipality_id
        ) or (
            partner_in.organisation_id is not None and existing.organisation_id == partner_in.organisation_id
        )
        if same_party or (written and existing.written_name == written):
            if not existing.resolved and (partner_in.municipality_id or partner_in.organisation_id):
                _link(session, existing, partner_in.municipality_id, partner_in.organisation_id)
                return existing, True
            return existing, False
    return add_partner(session=session, programme=programme, data=partner_in), True


def add_partner(
    *, session: Session, programme: Programme, data: PartnerIn | Mapping[str, Any]
) -> ProgrammePartner:
    partner_in = parse(PartnerIn, data)
    _check_party(session, partner_in.municipality_id, partner_in.organisation_id, "partner")
    written = (partner_in.written_name or "").strip()
    if not written:
        party = (
            session.get(Municipality, partner_in.municipality_id)
            if partner_in.municipality_id is not None
            else session.get(Organisation, partner_in.organisation_id)
        )
        written = party.name if party is not None else ""
    partner = ProgrammePartner(
        municipality_id=partner_in.municipality_id,
        organisation_id=partner_in.organisation_id,
        written_name=written,
        country=partner_in.country,
        region=partner_in.region,
        notes=partner_in.notes,
        position=len(programme.partners),
    )
    if partner_in.municipality_id is not None and partner.country is None:
        municipality = session.get(Municipality, partner_in.municipality_id)
        partner.country = municipality.country if municipality is not None else None
    programme.partners.append(partner)
    session.flush()
    return partner


def remove_partner(*, session: Session, partner: ProgrammePartner) -> None:
    """Take a partner off its programme; the others keep their order."""
    programme = get_programme(session=session, programme_id=partner.programme_id)
    session.delete(partner)
    session.flush()
    session.expire(programme, ["partners"])
    for position, remaining in enumerate(programme.partners):
        if remaining.position != position:
            remaining.position = position
    session.flush()


def _link(
    session: Session, partner: ProgrammePartner, municipality_id: int | None, organisation_id: int | None
) -> None:
    partner.municipality_id = municipality_id
    partner.organisation_id = organisation_id
    partner.needs_review = False
    if municipality_id is not None:
        municipality = session.get(Municipality, municipality_id)
        if municipality is not None:
            partner.country = municipality.country
    session.flush()
    # The relationship was loaded before the ids changed; show the linked party at once.
    session.refresh(partner)


def get_partner(*, session: Session, partner_id: int) -> ProgrammePartner:
    return _existing(session, ProgrammePartner, partner_id, "programme partner")


def link_partner(
    *,
    session: Session,
    partner_id: int,
    municipality_id: int | None = None,
    organisation_id: int | None = None,
) -> ProgrammePartner:
    """Say which municipality (or organisation) a partner written as text is; clears its review flag."""
    if (municipality_id is None) == (organisation_id is None):
        raise InvalidInput("give exactly one of municipality_id and organisation_id", field="municipality_id")
    _check_party(session, municipality_id, organisation_id, "partner")
    partner = get_partner(session=session, partner_id=partner_id)
    _link(session, partner, municipality_id, organisation_id)
    return partner


def mark_for_review(*, session: Session, partner: ProgrammePartner, review_item_id: int) -> None:
    partner.needs_review = True
    partner.review_item_id = review_item_id
    session.flush()


def partners_needing_review(*, session: Session) -> Sequence[ProgrammePartner]:
    return list(
        session.scalars(
            select(ProgrammePartner)
            .where(ProgrammePartner.needs_review.is_(True))
            .order_by(ProgrammePartner.programme_id, ProgrammePartner.position)
        )
    )


def list_programmes(
    *,
    session: Session,
    format: str | None = None,
    field: str | None = None,
    country: str | None = None,
    fiscal_year: int | None = None,
    municipality_id: int | None = None,
    network_id: int | None = None,
) -> list[Programme]:
    """Programmes filtered as the case directory filters them; `country` is a partner's country,
    `municipality_id` an owner or a partner, `fiscal_year` one the stated schedule includes."""
    statement = select(Programme).order_by(Programme.format, Programme.first_fy, Programme.id)
    if format:
        statement = statement.where(Programme.format == format)
    if network_id is not None:
        statement = statement.where(Programme.network_id == network_id)
    if country:
        statement = statement.where(
            Programme.id.in_(
                select(ProgrammePartner.programme_id)
                .outerjoin(Municipality, Municipality.id == ProgrammePartner.municipality_id)
                .where(
                    or_(ProgrammePartner.country == country.upper(), Municipality.country == country.upper())
                )
            )
        )
    if municipality_id is not None:
        statement = statement.where(
            or_(
                Programme.id.in_(
                    select(ProgrammeOwner.programme_id).where(
                        ProgrammeOwner.municipality_id == municipality_id
                    )
                ),
                Programme.id.in_(
                    select(ProgrammePartner.programme_id).where(
                        ProgrammePartner.municipality_id == municipality_id
                    )
                ),
            )
        )
    programmes = list(session.scalars(statement).unique())
    # JSON lists and the every-N-years rule are checked here, the same way on SQLite and PostgreSQL.
    if field:
        programmes = [p for p in programmes if field in (p.fields or [])]
    if fiscal_year is not None:
        programmes = [p for p in programmes if fiscal_years(p).contains(fiscal_year)]
    return programmes


# ----------------------------------------------------------------------------- activities
def record_activity(*, session: Session, data: ActivityCreate | Mapping[str, Any]) -> Activity:
    """Add one 実施記録 to a programme. InvalidInput names the field: an end before the start,
    a negative participant count or cost, or a programme that does not exist."""
    activity_in = parse(ActivityCreate, data)
    programme = referenced_programme(session=session, programme_id=activity_in.programme_id)
    values = activity_in.model_dump()
    values["direction"] = activity_in.direction.value if activity_in.direction else None
    activity = Activity(**values)
    programme.activities.append(activity)
    session.flush()
    return activity


def get_activity(*, session: Session, activity_id: int) -> Activity:
    return _existing(session, Activity, activity_id, "activity")


def update_activity(*, session: Session, activity: Activity, changes: Mapping[str, Any]) -> Activity:
    """Apply changes, checking the record as a whole again (a new end date against the old start)."""
    unknown = [name for name in changes if name not in ActivityCreate.model_fields]
    if unknown:
        raise InvalidInput(problems=[Problem("unknown or read-only field", field=name) for name in unknown])
    current = {name: getattr(activity, name) for name in ActivityCreate.model_fields}
    activity_in = parse(ActivityCreate, {**current, **changes})
    if activity_in.programme_id != activity.programme_id:
        referenced_programme(session=session, programme_id=activity_in.programme_id)
    values = activity_in.model_dump()
    values["direction"] = activity_in.direction.value if activity_in.direction else None
    for name, value in values.items():
        if getattr(activity, name) != value:
            setattr(activity, name, value)
    session.flush()
    return activity


def find_activity(*, session: Session, programme_id: int, title: str, start_on: Any) -> Activity | None:
    """The activity of this programme with this title and start (how the demo loader finds its own)."""
    condition = Activity.start_on.is_(None) if start_on is None else Activity.start_on == start_on
    return session.scalars(
        select(Activity).where(Activity.programme_id == programme_id, Activity.title == title, condition)
    ).first()


def activities_for_programme(*, session: Session, programme_id: int) -> Sequence[Activity]:
    return list(
        session.scalars(
            select(Activity)
            .where(Activity.programme_id == programme_id)
            .order_by(Activity.start_on, Activity.id)
        )
    )


# ----------------------------------------------------------------------------- awards
def criteria(criteria_set: str = "clair") -> tuple[Criterion, ...]:
    """The criteria an award is judged on; "clair" is 先進性・独自性・継続性・活発性・協働性・成果."""
    found = CRITERIA_SETS.get(criteria_set)
    if found is None:
        raise InvalidInput("unknown criteria set", field="criteria_set", value=criteria_set)
    return found


def _check_award_references(session: Session, award_in: AwardCreate) -> None:
    """The recipient, partners and programme an award names must exist (InvalidInput naming the field)."""
    recipient = award_in.recipient
    _check_party(session, recipient.municipality_id, recipient.organisation_id, "recipient")
    for index, municipality_id in enumerate(award_in.partner_municipality_ids):
        if session.get(Municipality, municipality_id) is None:
            raise InvalidInput(
                "no such municipality", field=f"partner_municipality_ids.{index}", value=municipality_id
            )
    if award_in.programme_id is not None:
        referenced_programme(session=session, programme_id=award_in.programme_id)


def upsert_award(*, session: Session, data: AwardCreate | Mapping[str, Any]) -> tuple[Award, Outcome]:
    """Insert by (name, edition, prize, recipient), or update where a given value differs."""
    award_in = parse(AwardCreate, data)
    recipient = award_in.recipient
    _check_award_references(session, award_in)
    party = party_key(recipient.municipality_id, recipient.organisation_id)
    values = award_in.model_dump(exclude={"recipient", "partner_municipality_ids"})
    values["evaluation_points"] = [point.model_dump() for point in award_in.evaluation_points]
    statement = select(Award).where(
        Award.name == award_in.name,
        Award.prize == award_in.prize,
        Award.recipient_party == party,
        Award.edition.is_(None) if award_in.edition is None else Award.edition == award_in.edition,
    )
    existing = session.scalars(statement).first()
    outcome: Outcome
    if existing is None:
        award = Award(
            **values,
            recipient_municipality_id=recipient.municipality_id,
            recipient_organisation_id=recipient.organisation_id,
            recipient_party=party,
        )
        session.add(award)
        session.flush()
        outcome = "created"
    else:
        award = existing
        changed = {
            name: value
            for name, value in values.items()
            if value not in (None, [], "") and getattr(award, name) != value
        }
        for name, value in changed.items():
            setattr(award, name, value)
        outcome = "updated" if changed else "unchanged"
    present = {partner.municipality_id for partner in award.partners}
    for municipality_id in award_in.partner_municipality_ids:
        if municipality_id not in present:
            award.partners.append(AwardPartner(municipality_id=municipality_id))
            present.add(municipality_id)
            if outcome == "unchanged":
                outcome = "updated"
    session.flush()
    return award, outcome


def get_award(*, session: Session, award_id: int) -> Award:
    return _existing(session, Award, award_id, "award")


def create_award(*, session: Session, data: AwardCreate | Mapping[str, Any]) -> Award:
    award, outcome = upsert_award(session=session, data=data)
    if outcome != "created":
        raise Conflict("この表彰は登録済みです / this award (name, edition, prize, recipient) already exists")
    return award


def _award_fields(award: Award) -> dict[str, Any]:
    return {
        "recipient": {
            "municipality_id": award.recipient_municipality_id,
            "organisation_id": award.recipient_organisation_id,
        },
        "partner_municipality_ids": [partner.municipality_id for partner in award.partners],
    }


def update_award(*, session: Session, award: Award, changes: Mapping[str, Any]) -> Award:
    """Edit an award; `partner_municipality_ids`, when given, is the whole new list of partners."""
    unknown = [name for name in changes if name not in AwardCreate.model_fields]
    if unknown:
        raise InvalidInput(problems=[Problem("unknown or read-only field", field=name) for name in unknown])
    current = {name: getattr(award, name) for name in AwardCreate.model_fields if hasattr(award, name)}
    award_in = parse(AwardCreate, {**current, **_award_fields(award), **changes})
    recipient = award_in.recipient
    _check_award_references(session, award_in)
    values = award_in.model_dump(exclude={"recipient", "partner_municipality_ids"})
    values["evaluation_points"] = [point.model_dump() for point in award_in.evaluation_points]
    values["recipient_municipality_id"] = recipient.municipality_id
    values["recipient_organisation_id"] = recipient.organisation_id
    values["recipient_party"] = party_key(recipient.municipality_id, recipient.organisation_id)
    _assign(award, values)
    wanted = list(dict.fromkeys(award_in.partner_municipality_ids))
    for partner in [p for p in award.partners if p.municipality_id not in wanted]:
        award.partners.remove(partner)
    present = {partner.municipality_id for partner in award.partners}
    award.partners.extend(AwardPartner(municipality_id=m) for m in wanted if m not in present)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            "この表彰は登録済みです / another award has this name, edition, prize and recipient"
        ) from None
    return award


def delete_award(*, session: Session, award: Award) -> None:
    session.flush()
    for partner in session.scalars(select(AwardPartner).where(AwardPartner.award_id == award.id)):
        session.delete(partner)
    session.flush()
    session.expire(award, ["partners"])
    session.delete(award)
    session.flush()


def list_awards(*, session: Session, name: str | None = None) -> Sequence[Award]:
    statement = select(Award).order_by(Award.fiscal_year, Award.edition, Award.id)
    if name:
        statement = statement.where(Award.name == name)
    return list(session.scalars(statement).unique())


def awards_for_municipality(*, session: Session, municipality_id: int) -> Sequence[Award]:
    return list(
        session.scalars(
            select(Award)
            .where(Award.recipient_municipality_id == municipality_id)
            .order_by(Award.fiscal_year, Award.id)
        ).unique()
    )


# ----------------------------------------------------------------------------- public reading
# A programme came from CLAIR's case records (seed 001) when the case importer wrote it ("import:…")
# or the demo cites that page; the directory shows only these, the programme list shows all.
CASE_IMPORT_PREFIX = "import:"
CASE_SEED_TITLE = "3以上の自治体間における交流"


def is_case_record(programme: Programme) -> bool:
    source = programme.source or ""
    return source.startswith(CASE_IMPORT_PREFIX) or CASE_SEED_TITLE in source


def _matches_text(programme: Programme, q: str) -> bool:
    needle = q.strip().casefold()
    texts = [
        programme.title,
        programme.title_note,
        programme.description,
        programme.results,
        programme.organiser_text,
        programme.partners_text,
        *(owner.name for owner in programme.owners),
        *(partner.name for partner in programme.partners),
        *(partner.written_name for partner in programme.partners),
    ]
    return any(needle in text.casefold() for text in texts if text)


def search_programmes(
    *,
    session: Session,
    cases_only: bool = False,
    format: str | None = None,
    field: str | None = None,
    country: str | None = None,
    fiscal_year: int | None = None,
    municipality_id: int | None = None,
    q: str | None = None,
) -> list[Programme]:
    """`list_programmes` narrowed to CLAIR's case records when asked, and to those whose texts,
    owners or partners contain `q`."""
    found = list_programmes(
        session=session,
        format=format,
        field=field,
        country=country,
        fiscal_year=fiscal_year,
        municipality_id=municipality_id,
    )
    if cases_only:
        found = [p for p in found if is_case_record(p)]
    if q and q.strip():
        found = [p for p in found if _matches_text(p, q)]
    return found


def partner_countries(*, session: Session, cases_only: bool = False) -> list[str]:
    """The partners' countries (alpha-2) of all programmes, or of the case records: filter choices."""
    codes: set[str] = set()
    for programme in search_programmes(session=session, cases_only=cases_only):
        for partner in programme.partners:
            code = partner.country or (partner.municipality.country if partner.municipality else None)
            if code:
                codes.add(code)
    return sorted(codes)
