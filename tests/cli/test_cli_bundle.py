"""`tsunagari export bundle` / `import bundle`: everything a municipality owns moves into an empty database
and exports from there byte for byte; a stored value is never replaced unseen; bad bundles exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.conftest import Databases, release_database, select_database
from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role
from tsunagari.audit.models import AuditEntry
from tsunagari.cli import bundle as bundle_cli
from tsunagari.db import get_engine
from tsunagari.errors import PermissionDenied
from tsunagari.exchange.benefit_models import Benefit
from tsunagari.maintenance import actions as maintenance_actions
from tsunagari.migrations import upgrade
from tsunagari.municipality import service as municipality_service
from tsunagari.organisation.models import Organisation
from tsunagari.partnership.models import Partnership
from tsunagari.session import unit_of_work

runner = CliRunner()
app = typer.Typer()
exports = typer.Typer()
imports = typer.Typer()
exports.command("bundle")(bundle_cli.export_bundle_command)
imports.command("bundle")(bundle_cli.import_bundle_command)
app.add_typer(exports, name="export")
app.add_typer(imports, name="import")


def organisation_ids(session: Session, municipality_id: int) -> list[int]:
    return list(
        session.scalars(select(Organisation.id).where(Organisation.municipality_id == municipality_id))
    )


def export(tmp_path: Path, name: str, *extra: str) -> Path:
    target = tmp_path / f"{name}-{len(list(tmp_path.iterdir()))}.json"
    result = runner.invoke(app, ["export", "bundle", "--municipality", name, "-o", str(target), *extra])
    assert result.exit_code == 0, result.output
    return target


def tables(path: Path) -> dict[str, list[dict[str, object]]]:
    return {t["table"]: t["rows"] for t in json.loads(path.read_text(encoding="utf-8"))["tables"]}


@pytest.mark.parametrize("name", ["武蔵野市", "村山市"])
def test_round_trip_through_an_empty_database_is_byte_identical(
    name: str, cli_database: str, databases: Databases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unit_of_work(get_engine()) as session:
        [me] = municipality_service.find_by_name(session=session, name=name, country="JP")
        own = organisation_ids(session, me.id)
        ties = session.scalar(
            select(func.count())
            .select_from(Partnership)
            .where(
                (Partnership.home_municipality_id == me.id)
                | (Partnership.partner_municipality_id == me.id)
                | Partnership.home_organisation_id.in_(own)
                | Partnership.partner_organisation_id.in_(own)
            )
        )
    first = export(tmp_path, name)
    carried = tables(first)
    assert len(carried["partnership"]) == ties  # every kind, organisations' ties included
    assert "contact" not in carried  # personal data only when asked for
    if name == "武蔵野市":  # its demo activities carry their exchange fields (those of their programmes)
        assert any(row["fields"] for row in carried["activity"])
        # and the benefits it offers residents travel with it
        with unit_of_work(get_engine()) as session:
            offered = session.scalar(
                select(func.count()).select_from(Benefit).where(Benefit.municipality_id == me.id)
            )
        assert offered and len(carried["benefit"]) == offered
    release_database()
    empty = databases.empty()
    select_database(monkeypatch, empty)
    try:
        upgrade(get_engine())  # the schema only: no reference data at all
        imported = runner.invoke(app, ["import", "bundle", str(first)])
        assert imported.exit_code == 0, imported.output
        again = export(tmp_path, name)
        assert again.read_bytes() == first.read_bytes()
        with unit_of_work(get_engine()) as session:
            authors = set(session.scalars(select(AuditEntry.actor_name).distinct()))
        assert authors and all(a.startswith("cli:import bundle") for a in authors)
    finally:
        release_database()
        databases.discard(empty)


def test_村山市_keeps_its_organisation_partnership(cli_database: str, tmp_path: Path) -> None:
    carried = tables(export(tmp_path, "村山市"))
    organisation_keys = {row["@key"] for row in carried.get("organisation", [])}
    assert any(
        row["home_organisation_id"] in organisation_keys
        or row["partner_organisation_id"] in organisation_keys
        for row in carried["partnership"]
    )


def test_contacts_only_when_asked_and_only_for_its_editors(cli_database: str, tmp_path: Path) -> None:
    with_contacts = tables(export(tmp_path, "武蔵野市", "--with-contacts"))
    without = tables(export(tmp_path, "武蔵野市"))
    assert "contact" not in without
    assert set(with_contacts) - set(without) <= {"contact"}
    with unit_of_work(get_engine()) as session:
        [musashino] = municipality_service.find_by_name(session=session, name="武蔵野市", country="JP")
        [takasaki] = municipality_service.find_by_name(session=session, name="高崎市", country="JP")
        stranger = Principal(1, "e@example.jp", "editor", Role.editor, frozenset({takasaki.id}))
        with pytest.raises(PermissionDenied):
            maintenance_actions.export_bundle(session=session, actor=stranger, municipality_id=musashino.id)
        with pytest.raises(PermissionDenied):
            maintenance_actions.import_bundle(session=session, actor=stranger, data=b"{}")


def test_a_stored_value_is_not_replaced_unseen(
    cli_database: str, databases: Databases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = export(tmp_path, "武蔵野市")
    release_database()
    reference_only = databases.copy(
        demo=False
    )  # 武蔵野市 and the former towns exist, from the reference data
    select_database(monkeypatch, reference_only)
    try:
        refused = runner.invoke(app, ["import", "bundle", str(bundle)])
        assert refused.exit_code == 2, refused.output
        assert "--overwrite" in refused.output and "municipality." in refused.output
        with unit_of_work(get_engine()) as session:
            assert session.scalar(select(func.count()).select_from(Partnership)) == 0  # nothing written
        forced = runner.invoke(app, ["import", "bundle", str(bundle), "--overwrite"])
        assert forced.exit_code == 0, forced.output
        with unit_of_work(get_engine()) as session:
            assert session.scalar(select(func.count()).select_from(Partnership)) == len(
                tables(bundle)["partnership"]
            )
        # Importing it twice is refused, naming the clashing row, not a traceback.
        twice = runner.invoke(app, ["import", "bundle", str(bundle), "--overwrite"])
        assert twice.exit_code == 2 and "clashes with a record already here" in twice.output
    finally:
        release_database()
        databases.discard(reference_only)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not json", "not a JSON document"),
        (b'{"format": "something/9", "tables": []}', "not a tsunagari-bundle/1 bundle"),
        (
            b'{"format": "tsunagari-bundle/1", "tables": [{"table": "staff_user", "rows": []}]}',
            "does not carry",
        ),
        (
            b'{"format": "tsunagari-bundle/1", "tables": [{"table": "partnership", "rows": '
            b'[{"@key": "partnership#1", "home_municipality_id": "municipality#9"}]}]}',
            "a link to a row the bundle does not hold",
        ),
        (
            b'{"format": "tsunagari-bundle/1", "tables": [{"table": "organisation", "rows": '
            b'[{"@key": "organisation#1", "password": "x"}]}]}',
            "unknown column",
        ),
    ],
)
def test_bad_bundles_exit_2_and_write_nothing(
    cli_database: str, tmp_path: Path, content: bytes, message: str
) -> None:
    with unit_of_work(get_engine()) as session:
        before = session.scalar(select(func.max(AuditEntry.id)))
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    result = runner.invoke(app, ["import", "bundle", str(path)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    with unit_of_work(get_engine()) as session:
        assert session.scalar(select(func.max(AuditEntry.id))) == before
