"""`tsunagari init` and `tsunagari demo` write through permission-checked actions as their system actors, and
the audit trail names those actors (SQLite and PostgreSQL for the refusals, the run's backend for the CLI)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role
from tsunagari.audit import service as audit_service
from tsunagari.cli.main import app
from tsunagari.db import get_engine
from tsunagari.demo.actions import load_demo_data
from tsunagari.errors import PermissionDenied
from tsunagari.municipality.models import Municipality
from tsunagari.partnership.models import Partnership
from tsunagari.reference.actions import load_reference_data
from tsunagari.session import unit_of_work

EDITOR = Principal(
    user_id=7,
    email="editor@example.jp",
    display_name="editor",
    role=Role.editor,
    municipality_ids=frozenset({1}),
)


@pytest.mark.parametrize("actor", [None, EDITOR])
def test_only_an_admin_loads_reference_or_demo_data(session: Session, actor: Principal | None) -> None:
    with pytest.raises(PermissionDenied):
        load_reference_data(session=session, actor=actor, gazetteer=None)
    with pytest.raises(PermissionDenied):
        load_demo_data(session=session, actor=actor)


def test_the_demo_command_writes_as_its_system_actor(cli_database: str) -> None:
    with unit_of_work(get_engine()) as session:
        saikai = session.scalars(select(Municipality).where(Municipality.name == "西海市")).one().id
        session.execute(delete(Partnership).where(Partnership.partner_municipality_id == saikai))
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    with unit_of_work(get_engine()) as session:
        again = session.scalars(
            select(Partnership).where(Partnership.partner_municipality_id == saikai)
        ).one()
        assert again.status == "planned"
        history = audit_service.history(session=session, table_name="partnership", record_id=again.id)
        assert [entry.actor_name for entry in history][-1].startswith("cli:demo (")
