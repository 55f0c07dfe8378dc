"""Deletes never reach records outside the audit trail: a delete the database would cascade is refused,
naming what still depends on the record; a partnership's own source records go with it, each audited;
every kind of delete checks the client's version and the actor's right."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.staff_support import (
    OWN,
    municipality_id,
    new_activity,
    new_contact,
    new_foreign_municipality,
    new_organisation,
    new_partnership,
    new_programme,
    new_visit,
    unique,
)
from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role
from tsunagari.audit import service as audit_service
from tsunagari.audit.models import AuditEntry
from tsunagari.errors import Conflict, PermissionDenied
from tsunagari.exchange import actions as exchange_actions
from tsunagari.exchange import activity_service, award_service, network_service, programme_service
from tsunagari.exchange.models import Activity, Award, Network, NetworkMeeting, NetworkMembership, Programme
from tsunagari.municipality import actions as municipality_actions
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.organisation import actions as organisation_actions
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.models import Contact, Organisation
from tsunagari.organisation.schemas import ContactCreate, OrganisationCreate
from tsunagari.partnership import actions as partnership_actions
from tsunagari.partnership import contact_actions
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import Partnership, PartnershipSourceRecord, PartnershipType
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.policy import actions as policy_actions
from tsunagari.policy.models import Visit

ADMIN = Principal(1, "admin@example.jp", "admin", Role.admin)


def _entries(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _musashino(session: Session) -> int:
    return municipality_service.find_by_name(session=session, name="武蔵野市", country="JP")[0].id


def _partnership(session: Session, home_organisation_id: int | None = None) -> Partnership:
    partner = municipality_service.create(
        session=session, data=MunicipalityCreate(name="テスト削除市", name_en="Deleteville", country="US")
    )
    home = (
        {"home_organisation_id": home_organisation_id}
        if home_organisation_id
        else {"home_municipality_id": _musashino(session)}
    )
    return partnership_service.create(
        session=session,
        data=PartnershipCreate(partner_municipality_id=partner.id, type=PartnershipType.sister_city, **home),
    )


def test_an_organisation_with_contacts_and_partnerships_is_not_deleted(session: Session) -> None:
    organisation = organisation_service.create(
        session=session,
        data=OrganisationCreate(name="削除テスト交流協会", municipality_id=_musashino(session)),
    )
    organisation_service.add_contact(
        session=session, data=ContactCreate(person_name="佐藤 一郎", organisation_id=organisation.id)
    )
    _partnership(session, home_organisation_id=organisation.id)
    before = _entries(session)
    with pytest.raises(Conflict) as refused:
        organisation_actions.delete_organisation(
            session=session, actor=ADMIN, organisation_id=organisation.id
        )
    message = str(refused.value)
    assert "削除できません" in message and "cannot delete this organisation" in message
    assert "連絡先 1件" in message and "提携 1件" in message
    assert "1 contacts" in message and "1 partnerships" in message
    assert _entries(session) == before
    assert session.get(Organisation, organisation.id) is not None


def test_an_organisation_without_dependents_is_deleted_with_one_entry(session: Session) -> None:
    organisation = organisation_service.create(session=session, data=OrganisationCreate(name="単独の会"))
    before = _entries(session)
    with audit_service.acting_as(audit_service.Actor(name="admin@example.jp", via="web", user_id=1)):
        organisation_actions.delete_organisation(
            session=session, actor=ADMIN, organisation_id=organisation.id
        )
    assert _entries(session) == before + 1
    [deleted] = [
        e
        for e in audit_service.history(session=session, table_name="organisation", record_id=organisation.id)
        if e.action == "delete"
    ]
    assert deleted.before is not None and deleted.before["name"] == "単独の会" and deleted.after is None
    assert deleted.actor_name == "admin@example.jp"


def test_a_partnership_with_a_contact_is_not_deleted(session: Session) -> None:
    partnership = _partnership(session)
    contact = organisation_service.add_contact(
        session=session, data=ContactCreate(person_name="山田 花子", partnership_id=partnership.id)
    )
    before = _entries(session)
    with pytest.raises(Conflict, match="連絡先 1件"):
        partnership_actions.delete_partnership(session=session, actor=ADMIN, partnership_id=partnership.id)
    assert _entries(session) == before
    assert session.get(Contact, contact.id) is not None


def test_a_partnerships_sources_are_deleted_with_it_each_audited(session: Session) -> None:
    partnership = _partnership(session)
    partnership_service.add_source(session=session, partnership=partnership, source="seed:000", detail="p.3")
    partnership_service.add_source(
        session=session, partnership=partnership, source="import:x.csv", detail=None
    )
    session.flush()
    sources = session.scalars(
        select(PartnershipSourceRecord.id).where(PartnershipSourceRecord.partnership_id == partnership.id)
    ).all()
    before = _entries(session)
    partnership_actions.delete_partnership(session=session, actor=ADMIN, partnership_id=partnership.id)
    assert _entries(session) == before + 3  # the partnership and its two source records
    for source_id in sources:
        [*_, last] = audit_service.history(
            session=session, table_name="partnership_source_record", record_id=source_id
        )
        assert last.action == "delete" and last.before is not None and last.after is None
    [*_, last] = audit_service.history(session=session, table_name="partnership", record_id=partnership.id)
    assert last.action == "delete" and last.before is not None and last.before["type"] == "sister_city"


def test_dependents_are_counted_through_every_foreign_key(session: Session) -> None:
    organisation = organisation_service.create(session=session, data=OrganisationCreate(name="数える会"))
    for name in ("甲", "乙"):
        organisation_service.add_contact(
            session=session, data=ContactCreate(person_name=name, organisation_id=organisation.id)
        )
    found = {d.table_name: d.count for d in audit_service.dependents(session=session, instance=organisation)}
    assert found == {"contact": 2}


# ----------------------------------------------------------------------------- every kind of delete
# Each kind's delete goes through one helper (auth.action_kit.delete_record): these check that every kind
# still refuses a stale version and an actor without the right, writing nothing, as before.
def _network(session: Session) -> int:
    return network_service.create_network(
        session=session,
        data={
            "name": unique("削除ネットワーク"),
            "secretariat_municipality_id": municipality_id(session, OWN),
        },
    ).id


def _meeting(session: Session) -> int:
    return network_service.add_meeting(
        session=session, data={"network_id": _network(session), "fiscal_year": 2010}
    )[0].id


def _award(session: Session) -> int:
    return award_service.create_award(
        session=session,
        data={"name": unique("削除表彰"), "recipient": {"municipality_id": municipality_id(session, OWN)}},
    ).id


def _version_of(session: Session, model: type[Any], record_id: int) -> int:
    record = session.get(model, record_id)
    assert record is not None
    return int(record.version)


DELETES: dict[str, tuple[Callable[[Session], int], Callable[..., None], str, type[Any]]] = {
    "municipality": (
        new_foreign_municipality,
        municipality_actions.delete_municipality,
        "municipality_id",
        Municipality,
    ),
    "partnership": (new_partnership, partnership_actions.delete_partnership, "partnership_id", Partnership),
    "organisation": (
        new_organisation,
        organisation_actions.delete_organisation,
        "organisation_id",
        Organisation,
    ),
    "contact": (new_contact, contact_actions.delete_contact, "contact_id", Contact),
    "programme": (new_programme, exchange_actions.delete_programme, "programme_id", Programme),
    "activity": (new_activity, exchange_actions.delete_activity, "activity_id", Activity),
    "visit": (
        new_visit,
        policy_actions.delete_visit,
        "activity_id",
        Activity,
    ),  # its version is the activity's
    "network": (_network, exchange_actions.delete_network, "network_id", Network),
    "meeting": (_meeting, exchange_actions.delete_meeting, "meeting_id", NetworkMeeting),
    "award": (_award, exchange_actions.delete_award, "award_id", Award),
}
VIEWER = Principal(2, "viewer@example.jp", "viewer", Role.viewer)


@pytest.mark.parametrize("kind", sorted(DELETES))
def test_every_delete_checks_the_version_and_the_actor(session: Session, kind: str) -> None:
    make, delete, id_name, model = DELETES[kind]
    record_id = make(session)
    version = _version_of(session, model, record_id)
    before = _entries(session)
    with pytest.raises(Conflict, match="stale version"):
        delete(session=session, actor=ADMIN, version=version + 1, **{id_name: record_id})
    with pytest.raises(PermissionDenied):
        delete(session=session, actor=VIEWER, version=version, **{id_name: record_id})
    assert _entries(session) == before
    assert session.get(model, record_id) is not None
    delete(session=session, actor=ADMIN, version=version, **{id_name: record_id})
    assert session.get(model, record_id) is None
    assert _entries(session) > before


def test_a_membership_delete_checks_the_actor(session: Session) -> None:
    network = _network(session)
    membership, _ = network_service.add_membership(
        session=session, data={"network_id": network, "municipality_id": new_foreign_municipality(session)}
    )
    with pytest.raises(PermissionDenied):
        exchange_actions.delete_membership(session=session, actor=VIEWER, membership_id=membership.id)
    exchange_actions.delete_membership(session=session, actor=ADMIN, membership_id=membership.id)
    assert session.get(NetworkMembership, membership.id) is None


def test_a_municipality_with_a_partnership_is_not_deleted(session: Session) -> None:
    partnership = _partnership(session)
    before = _entries(session)
    with pytest.raises(Conflict, match="提携 1件"):
        municipality_actions.delete_municipality(
            session=session, actor=ADMIN, municipality_id=partnership.partner_municipality_id
        )
    assert _entries(session) == before


def test_a_programme_with_activities_and_a_network_with_programmes_are_not_deleted(session: Session) -> None:
    activity = activity_service.get_activity(session=session, activity_id=new_activity(session))
    with pytest.raises(Conflict, match="実施記録"):
        exchange_actions.delete_programme(session=session, actor=ADMIN, programme_id=activity.programme_id)
    network = _network(session)
    programme_service.update_programme(
        session=session,
        programme=programme_service.get_programme(session=session, programme_id=activity.programme_id),
        changes={"network_id": network},
    )
    with pytest.raises(Conflict, match="move them first"):
        exchange_actions.delete_network(session=session, actor=ADMIN, network_id=network)
    assert session.get(Programme, activity.programme_id) is not None
    assert session.get(Network, network) is not None


def test_an_activity_planned_as_a_visit_takes_the_visit_with_it_each_audited(session: Session) -> None:
    activity_id = new_visit(session)
    exchange_actions.delete_activity(session=session, actor=ADMIN, activity_id=activity_id)
    assert session.get(Visit, activity_id) is None and session.get(Activity, activity_id) is None
    for table in ("visit", "activity"):
        [*_, last] = audit_service.history(session=session, table_name=table, record_id=activity_id)
        assert last.action == "delete" and last.before is not None
