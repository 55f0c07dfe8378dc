"""The audit trail: one entry per write with before and after, append-only on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tsunagari.audit import service as audit_service
from tsunagari.audit.models import AuditEntry
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.schemas import PartnershipCreate


def entries(session: Session, table: str, record_id: int) -> list[AuditEntry]:
    return list(audit_service.history(session=session, table_name=table, record_id=record_id))


def test_create_update_delete_each_write_one_entry_with_before_and_after(session: Session) -> None:
    actor = audit_service.Actor(name="editor:sato", via="web", user_id=7)
    with audit_service.acting_as(actor):
        city = municipality_service.create(
            session=session,
            data=MunicipalityCreate(name="ブラチスラヴァ市", name_en="Bratislava", country="SK"),
        )
        created = entries(session, "municipality", city.id)
        assert [(e.action, e.actor_name, e.via, e.actor_id) for e in created] == [
            ("create", "editor:sato", "web", 7)
        ]
        assert created[0].before is None and created[0].after is not None
        assert created[0].after["name_en"] == "Bratislava"

        municipality_service.update(session=session, municipality=city, changes={"population": 475503})
        updated = entries(session, "municipality", city.id)[-1]
        assert updated.action == "update"
        assert updated.before == {"population": None}
        assert updated.after == {"population": 475503}

        session.delete(city)
        session.flush()
        deleted = entries(session, "municipality", city.id)[-1]
        assert deleted.action == "delete" and deleted.after is None
        assert deleted.before is not None and deleted.before["population"] == 475503
    assert len(entries(session, "municipality", city.id)) == 3


def test_an_unchanged_upsert_writes_no_entry(session: Session) -> None:
    kanazawa = municipality_service.find_by_name(session=session, name="金沢市")[0]
    nancy = municipality_service.find_by_name(session=session, name="ナンシー市", country="FR")[0]
    before = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    _, outcome = partnership_service.upsert(
        session=session,
        data=PartnershipCreate(
            home_municipality_id=kanazawa.id, partner_municipality_id=nancy.id, type="sister_city"
        ),
    )
    assert outcome == "unchanged"
    after = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert before == after


def test_writes_without_a_named_actor_are_attributed_to_the_system(session: Session) -> None:
    city = municipality_service.create(session=session, data=MunicipalityCreate(name="Trnava", country="SK"))
    (entry,) = entries(session, "municipality", city.id)
    assert entry.via == "system" and entry.actor_name.startswith("system:")


@pytest.mark.parametrize("statement", ["UPDATE audit_entry SET actor_name = 'x'", "DELETE FROM audit_entry"])
def test_audit_entries_cannot_be_changed_or_deleted(session: Session, statement: str) -> None:
    municipality_service.create(session=session, data=MunicipalityCreate(name="Nitra", country="SK"))
    with pytest.raises(DBAPIError, match="audit entries cannot be changed"), session.begin_nested():
        session.execute(text(statement))


def test_the_global_log_filters_by_actor_and_table(session: Session) -> None:
    with audit_service.acting_as(audit_service.Actor(name="editor:suzuki", via="api")):
        municipality_service.create(session=session, data=MunicipalityCreate(name="Košice", country="SK"))
    log = audit_service.log(session=session, actor_name="editor:suzuki", table_name="municipality")
    assert [e.after["name"] for e in log if e.after] == ["Košice"]
