"""Deletes never reach records outside the audit trail: a delete the database would cascade is refused,
naming what still depends on the record; a partnership's own source records go with it, each audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagari.audit import service as audit_service
from tsunagari.audit.models import AuditEntry
from tsunagari.auth import actions
from tsunagari.auth.models import Role
from tsunagari.auth.schemas import Principal
from tsunagari.errors import Conflict
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.models import Contact, Organisation
from tsunagari.organisation.schemas import ContactCreate, OrganisationCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import Partnership, PartnershipSourceRecord, PartnershipType
from tsunagari.partnership.schemas import PartnershipCreate

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
        actions.delete_organisation(session=session, actor=ADMIN, organisation_id=organisation.id)
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
        actions.delete_organisation(session=session, actor=ADMIN, organisation_id=organisation.id)
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
        actions.delete_partnership(session=session, actor=ADMIN, partnership_id=partnership.id)
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
    actions.delete_partnership(session=session, actor=ADMIN, partnership_id=partnership.id)
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
