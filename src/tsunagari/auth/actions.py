"""The write actions staff can take, shared by the staff pages and the JSON API (CKAN's action layer).

Each action checks `permissions.can_<action>` on the record, checks the client's version (stale → Conflict),
and calls the domain's service. The caller owns the transaction and sets the audit actor.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tsunagari.auth import permissions
from tsunagari.auth.permissions import Target
from tsunagari.auth.schemas import Principal
from tsunagari.errors import Conflict, InvalidInput, Problem
from tsunagari.exchange import service as exchange_service
from tsunagari.exchange.models import Activity, Programme
from tsunagari.exchange.schemas import ActivityCreate, ProgrammeCreate, ProgrammeUpdate, parse
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.models import Contact, Organisation
from tsunagari.organisation.schemas import ContactCreate, OrganisationCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import Partnership
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.policy import service as policy_service
from tsunagari.policy.models import Visit
from tsunagari.policy.schemas import VISIT_FIELDS, VisitCreate

READ_ONLY = frozenset({"id", "version", "created_at", "updated_at"})


# ----------------------------------------------------------------------------- who owns what
def _organisation_municipalities(session: Session, organisation_id: int | None) -> set[int]:
    if organisation_id is None:
        return set()
    organisation = session.get(Organisation, organisation_id)
    return {organisation.municipality_id} if organisation and organisation.municipality_id else set()


def _party_municipalities(
    session: Session, municipality_id: int | None, organisation_id: int | None
) -> set[int]:
    found = {municipality_id} if municipality_id is not None else set()
    return found | _organisation_municipalities(session, organisation_id)


def municipality_target(municipality: Municipality) -> Target:
    return Target("municipality", frozenset({municipality.id}), municipality.country, municipality.id)


def partnership_target(session: Session, partnership: Partnership) -> Target:
    owners = _party_municipalities(
        session, partnership.home_municipality_id, partnership.home_organisation_id
    ) | _party_municipalities(
        session, partnership.partner_municipality_id, partnership.partner_organisation_id
    )
    return Target("partnership", frozenset(owners), record_id=partnership.id)


def organisation_target(organisation: Organisation) -> Target:
    owners = {organisation.municipality_id} if organisation.municipality_id else set()
    return Target("organisation", frozenset(owners), record_id=organisation.id)


def contact_target(session: Session, contact: Contact) -> Target:
    owners = {contact.municipality_id} if contact.municipality_id else set()
    owners |= _organisation_municipalities(session, contact.organisation_id)
    if contact.partnership_id is not None:
        partnership = session.get(Partnership, contact.partnership_id)
        if partnership is not None:
            owners |= partnership_target(session, partnership).municipality_ids
    return Target("contact", frozenset(owners), record_id=contact.id)


def programme_target(
    session: Session, owners: list[tuple[int | None, int | None]], record_id: int | None
) -> Target:
    found: set[int] = set()
    for municipality_id, organisation_id in owners:
        found |= _party_municipalities(session, municipality_id, organisation_id)
    return Target("programme", frozenset(found), record_id=record_id)


def _programme_target(session: Session, programme: Programme) -> Target:
    return programme_target(
        session, [(o.municipality_id, o.organisation_id) for o in programme.owners], programme.id
    )


def activity_target(session: Session, activity: Activity) -> Target:
    programme = exchange_service.get_programme(session=session, programme_id=activity.programme_id)
    return Target("activity", _programme_target(session, programme).municipality_ids, record_id=activity.id)


def visit_target(session: Session, visit: Visit) -> Target:
    # Both the visiting municipality and the programme's owners must be in an editor's scope.
    programme_owners = activity_target(session, visit.activity).municipality_ids
    return Target(
        "visit",
        frozenset({visit.municipality_id}) & programme_owners or frozenset(),
        record_id=visit.activity_id,
    )


# ----------------------------------------------------------------------------- helpers
def _require(action: str, actor: Principal | None, target: Target) -> None:
    permissions.require(action, actor, target)


def check_version(record: Any, version: int | None) -> None:
    """Refuse a write made from an older version than the stored one: nothing is silently overwritten."""
    if version is None:
        raise InvalidInput(
            "version is required (in the body or If-Match) / versionが必要です", field="version"
        )
    if record.version != version:
        raise Conflict(
            f"他の人が先に更新しました。あなたの版 {version}、現在の版 {record.version} / "
            f"stale version: you sent {version}, the record is at {record.version}"
        )


@contextmanager
def stale_is_conflict() -> Iterator[None]:
    """A concurrent write between our read and our UPDATE shows up as StaleDataError: the same 409."""
    try:
        yield
    except StaleDataError:
        raise Conflict("他の人が同時に更新しました / the record was changed concurrently; reload") from None


def _changes(changes: Mapping[str, Any], allowed: Mapping[str, Any]) -> dict[str, Any]:
    unknown = [name for name in changes if name not in allowed or name in READ_ONLY]
    if unknown:
        raise InvalidInput(problems=[Problem("unknown or read-only field", field=name) for name in unknown])
    return dict(changes)


def _validated(
    model: type[BaseModel], current: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The changed fields after validating the whole record as it would be stored."""
    merged = parse(model, {**current, **changes})
    values = merged.model_dump()
    return {name: values[name] for name in changes}


def _apply(record: Any, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        stored = value.value if hasattr(value, "value") and not isinstance(value, int | str) else value
        if getattr(record, name) != stored:
            setattr(record, name, stored)


def _current(record: Any, model: type[BaseModel]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in model.model_fields if hasattr(record, name)}


# ----------------------------------------------------------------------------- municipalities
def create_municipality(
    *, session: Session, actor: Principal | None, data: Mapping[str, Any]
) -> Municipality:
    municipality_in = parse(MunicipalityCreate, data)
    _require("create_municipality", actor, Target("municipality", country=municipality_in.country))
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
    _require("update_municipality", actor, municipality_target(municipality))
    check_version(municipality, version)
    given = _changes(changes, MunicipalityCreate.model_fields)
    given.pop("aliases", None)
    values = _validated(
        MunicipalityCreate, _current(municipality, MunicipalityCreate) | {"aliases": []}, given
    )
    values = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
    with stale_is_conflict():
        return municipality_service.update(session=session, municipality=municipality, changes=values)


def delete_municipality(
    *, session: Session, actor: Principal | None, municipality_id: int, version: int | None = None
) -> None:
    municipality = municipality_service.get(session=session, municipality_id=municipality_id)
    _require("delete_municipality", actor, municipality_target(municipality))
    if version is not None:
        check_version(municipality, version)
    # Database cascades would remove partnerships and contacts outside the audit trail: refuse instead.
    if (
        partnership_service.for_municipality(session=session, municipality_id=municipality_id)
        or organisation_service.for_municipality(session=session, municipality_id=municipality_id)
        or organisation_service.contacts_for_municipality(session=session, municipality_id=municipality_id)
        or exchange_service.list_programmes(session=session, municipality_id=municipality_id)
        or policy_service.list_visits(session=session, municipality_id=municipality_id)
    ):
        raise Conflict(
            "提携・団体・連絡先・事業が登録されているため削除できません / the municipality still has records"
        )
    with stale_is_conflict():
        session.delete(municipality)
        session.flush()


# ----------------------------------------------------------------------------- partnerships
def _partnership_parties(session: Session, data: PartnershipCreate) -> Target:
    owners = _party_municipalities(session, data.home_municipality_id, data.home_organisation_id)
    owners |= _party_municipalities(session, data.partner_municipality_id, data.partner_organisation_id)
    return Target("partnership", frozenset(owners))


def create_partnership(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Partnership:
    partnership_in = parse(PartnershipCreate, data)
    _require("create_partnership", actor, _partnership_parties(session, partnership_in))
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
    _require("update_partnership", actor, partnership_target(session, partnership))
    check_version(partnership, version)
    given = _changes(changes, PartnershipCreate.model_fields)
    merged = parse(PartnershipCreate, {**_current(partnership, PartnershipCreate), **given})
    # Moving a partnership to other parties needs the editor's scope on the new parties too.
    _require("update_partnership", actor, _partnership_parties(session, merged))
    values = merged.model_dump()
    _apply(partnership, {name: values[name] for name in given})
    partnership.home_party = partnership_service.party_key(
        merged.home_municipality_id, merged.home_organisation_id
    )
    partnership.partner_party = partnership_service.party_key(
        merged.partner_municipality_id, merged.partner_organisation_id
    )
    with stale_is_conflict():
        session.flush()
    return partnership


def delete_partnership(
    *, session: Session, actor: Principal | None, partnership_id: int, version: int | None = None
) -> None:
    partnership = partnership_service.get(session=session, partnership_id=partnership_id)
    _require("delete_partnership", actor, partnership_target(session, partnership))
    if version is not None:
        check_version(partnership, version)
    with stale_is_conflict():
        session.delete(partnership)
        session.flush()


# ----------------------------------------------------------------------------- organisations and contacts
def create_organisation(
    *, session: Session, actor: Principal | None, data: Mapping[str, Any]
) -> Organisation:
    organisation_in = parse(OrganisationCreate, data)
    owners = {organisation_in.municipality_id} if organisation_in.municipality_id else set()
    _require("create_organisation", actor, Target("organisation", frozenset(owners)))
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
    _require("update_organisation", actor, organisation_target(organisation))
    check_version(organisation, version)
    values = _validated(
        OrganisationCreate,
        _current(organisation, OrganisationCreate),
        _changes(changes, OrganisationCreate.model_fields),
    )
    if "municipality_id" in values:
        _require(
            "update_organisation",
            actor,
            Target("organisation", frozenset({values["municipality_id"]} - {None})),
        )
    _apply(organisation, values)
    with stale_is_conflict():
        session.flush()
    return organisation


def delete_organisation(
    *, session: Session, actor: Principal | None, organisation_id: int, version: int | None = None
) -> None:
    organisation = organisation_service.get(session=session, organisation_id=organisation_id)
    _require("delete_organisation", actor, organisation_target(organisation))
    if version is not None:
        check_version(organisation, version)
    with stale_is_conflict():
        session.delete(organisation)
        session.flush()


def _contact_from(session: Session, contact_in: ContactCreate) -> Target:
    return contact_target(session, Contact(**contact_in.model_dump()))


def get_contact(*, session: Session, contact_id: int) -> Contact:
    from tsunagari.errors import NotFound

    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} does not exist")
    return contact


def create_contact(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Contact:
    contact_in = parse(ContactCreate, data)
    _require("create_contact", actor, _contact_from(session, contact_in))
    return organisation_service.add_contact(session=session, data=contact_in)


def update_contact(
    *,
    session: Session,
    actor: Principal | None,
    contact_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Contact:
    contact = get_contact(session=session, contact_id=contact_id)
    _require("update_contact", actor, contact_target(session, contact))
    check_version(contact, version)
    values = _validated(
        ContactCreate, _current(contact, ContactCreate), _changes(changes, ContactCreate.model_fields)
    )
    merged = ContactCreate.model_validate({**_current(contact, ContactCreate), **values})
    _require("update_contact", actor, _contact_from(session, merged))
    _apply(contact, values)
    with stale_is_conflict():
        session.flush()
    return contact


def delete_contact(
    *, session: Session, actor: Principal | None, contact_id: int, version: int | None = None
) -> None:
    contact = get_contact(session=session, contact_id=contact_id)
    _require("delete_contact", actor, contact_target(session, contact))
    if version is not None:
        check_version(contact, version)
    with stale_is_conflict():
        session.delete(contact)
        session.flush()


def list_contacts(
    *, session: Session, actor: Principal | None, municipality_id: int | None = None
) -> list[Contact]:
    _require("view_contacts", actor, Target("contact"))
    from sqlalchemy import select

    statement = select(Contact).order_by(Contact.id)
    if municipality_id is not None:
        statement = statement.where(Contact.municipality_id == municipality_id)
    return list(session.scalars(statement))


# ----------------------------------------------------------------------------- programmes and activities
def create_programme(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Programme:
    programme_in = parse(ProgrammeCreate, data)
    target = programme_target(
        session, [(o.municipality_id, o.organisation_id) for o in programme_in.owners], None
    )
    _require("create_programme", actor, target)
    return exchange_service.create_programme(session=session, data=programme_in)


def update_programme(
    *,
    session: Session,
    actor: Principal | None,
    programme_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Programme:
    programme = exchange_service.get_programme(session=session, programme_id=programme_id)
    _require("update_programme", actor, _programme_target(session, programme))
    check_version(programme, version)
    _changes(changes, ProgrammeUpdate.model_fields)
    with stale_is_conflict():
        return exchange_service.update_programme(session=session, programme=programme, changes=changes)


def delete_programme(
    *, session: Session, actor: Principal | None, programme_id: int, version: int | None = None
) -> None:
    programme = exchange_service.get_programme(session=session, programme_id=programme_id)
    _require("delete_programme", actor, _programme_target(session, programme))
    if version is not None:
        check_version(programme, version)
    if programme.activities:
        raise Conflict("実施記録があるため削除できません / the programme still has activities")
    with stale_is_conflict():
        session.delete(programme)
        session.flush()


def create_activity(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Activity:
    activity_in = parse(ActivityCreate, data)
    programme = exchange_service.get_programme(session=session, programme_id=activity_in.programme_id)
    _require("create_activity", actor, _programme_target(session, programme))
    return exchange_service.record_activity(session=session, data=activity_in)


def update_activity(
    *,
    session: Session,
    actor: Principal | None,
    activity_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Activity:
    activity = exchange_service.get_activity(session=session, activity_id=activity_id)
    _require("update_activity", actor, activity_target(session, activity))
    check_version(activity, version)
    if "programme_id" in changes:
        programme = exchange_service.get_programme(session=session, programme_id=int(changes["programme_id"]))
        _require("update_activity", actor, _programme_target(session, programme))
    with stale_is_conflict():
        return exchange_service.update_activity(session=session, activity=activity, changes=changes)


def delete_activity(
    *, session: Session, actor: Principal | None, activity_id: int, version: int | None = None
) -> None:
    activity = exchange_service.get_activity(session=session, activity_id=activity_id)
    _require("delete_activity", actor, activity_target(session, activity))
    if version is not None:
        check_version(activity, version)
    visit = session.get(Visit, activity_id)
    with stale_is_conflict():
        if visit is not None:  # deleted through the ORM so the audit trail has it too
            session.delete(visit)
            session.flush()
        session.delete(activity)
        session.flush()


# ----------------------------------------------------------------------------- visits
def create_visit(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Visit:
    visit_in = parse(VisitCreate, data)
    programme = exchange_service.get_programme(session=session, programme_id=visit_in.programme_id)
    owners = _programme_target(session, programme).municipality_ids
    _require("create_visit", actor, Target("visit", frozenset({visit_in.municipality_id}) & owners))
    return policy_service.create_visit(session=session, data=visit_in)


def update_visit(
    *,
    session: Session,
    actor: Principal | None,
    activity_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Visit:
    visit = policy_service.get_visit(session=session, activity_id=activity_id)
    _require("update_visit", actor, visit_target(session, visit))
    # The visit's version is the activity's: that is where dates, costs and publication live.
    check_version(visit.activity, version)
    _changes(changes, {**ActivityCreate.model_fields, **dict.fromkeys(VISIT_FIELDS)})
    with stale_is_conflict():
        visit = policy_service.update_visit(session=session, visit=visit, changes=changes)
    _require("update_visit", actor, visit_target(session, visit))
    return visit


def delete_visit(
    *, session: Session, actor: Principal | None, activity_id: int, version: int | None = None
) -> None:
    visit = policy_service.get_visit(session=session, activity_id=activity_id)
    _require("delete_visit", actor, visit_target(session, visit))
    if version is not None:
        check_version(visit.activity, version)
    with stale_is_conflict():
        policy_service.delete_visit(session=session, visit=visit)
