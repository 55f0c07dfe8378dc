"""The CLI writes through the permission-checked actions as a named system actor (`cli:<command> (<os
user>)`), and the audit trail names that actor as the author of each change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select
from typer.testing import CliRunner

from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role
from tsunagari.audit import service as audit_service
from tsunagari.audit.models import AuditEntry
from tsunagari.cli import common
from tsunagari.cli.main import app
from tsunagari.db import get_engine
from tsunagari.exchange import programme_service
from tsunagari.exchange.models import Activity
from tsunagari.municipality import service as municipality_service
from tsunagari.names.models import ReviewItem
from tsunagari.session import unit_of_work

runner = CliRunner()


def _murayama_programme() -> int:
    with unit_of_work(get_engine()) as session:
        home = municipality_service.find_by_name(session=session, name="村山市", country="JP")[0].id
        return programme_service.create_programme(
            session=session,
            data={"title": "システム実行者の交流", "format": "people", "owners": [{"municipality_id": home}]},
        ).id


def _history(table: str, record_id: int) -> list[AuditEntry]:
    with unit_of_work(get_engine()) as session:
        entries = list(audit_service.history(session=session, table_name=table, record_id=record_id))
        session.expunge_all()
        return entries


def _said(result: Result) -> str:
    """What the command printed, with the console's line wrapping undone."""
    return " ".join(result.output.split())


def _add_activity(programme: int, title: str) -> Result:
    return runner.invoke(
        app, ["activities", "add", "--programme", str(programme), "--title", title, "--json"]
    )


def test_activities_add_is_audited_as_the_cli_system_actor(cli_database: str) -> None:
    result = _add_activity(_murayama_programme(), "システム実行者の派遣")
    assert result.exit_code == 0, result.output
    activity_id = json.loads(result.stdout)["id"]
    [created] = _history("activity", activity_id)
    assert created.action == "create" and created.via == "cli"
    assert created.actor_name.startswith("cli:activities add (")
    assert created.actor_id is None  # a system actor, not a staff account


def test_activities_add_is_permission_checked(cli_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The system actor passes through the action's rule: an actor the rule refuses writes nothing."""
    programme = _murayama_programme()
    viewer = Principal(0, "cli:viewer", "cli:viewer", Role.viewer, via="cli")
    monkeypatch.setattr(common, "system_principal", lambda command: viewer)
    with unit_of_work(get_engine()) as session:
        before = session.scalar(select(func.count()).select_from(Activity))
    result = _add_activity(programme, "許可のない派遣")
    assert result.exit_code == 1
    assert "not allowed: create_activity" in _said(result)
    with unit_of_work(get_engine()) as session:
        assert session.scalar(select(func.count()).select_from(Activity)) == before


def test_review_resolve_is_audited_as_the_cli_system_actor(cli_database: str) -> None:
    with unit_of_work(get_engine()) as session:
        murayama = municipality_service.find_by_name(session=session, name="村山市", country="JP")[0].id
        item = ReviewItem(
            text="ムラヤマ試験市",
            country="JP",
            source="test:system-actor",
            reason="not found / 該当なし",
            candidates=[],
            status="open",
        )
        session.add(item)
        session.flush()
        item_id = item.id
    result = runner.invoke(app, ["review", "resolve", str(item_id), "--to", str(murayama), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["municipality_id"] == murayama
    [*_, resolved] = _history("review_item", item_id)
    assert resolved.action == "update" and resolved.via == "cli"
    assert resolved.actor_name.startswith("cli:review resolve (")
    assert resolved.after is not None and resolved.after["resolved_municipality_id"] == murayama


def test_review_resolve_is_permission_checked(cli_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    editor = Principal(0, "cli:editor", "cli:editor", Role.editor, frozenset({1}), via="cli")
    monkeypatch.setattr(common, "system_principal", lambda command: editor)
    result = runner.invoke(app, ["review", "resolve", "1", "--to", "1"])
    assert result.exit_code == 1
    # Refused at the first step: showing what the resolution would change (its preview) needs the same right.
    assert "not allowed: preview_review" in _said(result) or "not allowed: resolve_review" in _said(result)


def test_an_import_checks_the_system_actors_permission_once(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    viewer = Principal(0, "cli:viewer", "cli:viewer", Role.viewer, via="cli")
    monkeypatch.setattr(common, "system_principal", lambda command: viewer)
    missing = f"{tmp_path}/never-read.csv"
    result = runner.invoke(app, ["import", "partnerships", missing])
    assert result.exit_code == 1, result.output
    assert "not allowed: import_partnerships" in _said(result)
