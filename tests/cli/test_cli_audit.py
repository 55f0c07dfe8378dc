"""Writes made through the CLI are attributed to the CLI and its user in the audit trail."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from tsunagari.audit.models import AuditEntry
from tsunagari.cli.main import app
from tsunagari.db import get_engine
from tsunagari.session import unit_of_work

runner = CliRunner()


def test_an_import_through_the_cli_is_audited(cli_database: str, tmp_path: Path) -> None:
    csv = tmp_path / "partners.csv"
    csv.write_text(
        "municipality,municipality_code,partner,partner_country,type,signed_on\n"
        "金沢市,172014,ポルトアレグレ市,BR,姉妹都市,1967年6月12日\n",
        encoding="utf-8",
    )
    with unit_of_work(get_engine()) as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.via == "cli"))
    result = runner.invoke(app, ["import", "partnerships", str(csv), "--json"])
    assert result.exit_code == 0, result.output
    with unit_of_work(get_engine()) as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.via == "cli", AuditEntry.table_name == "partnership")
        ).all()
        total = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.via == "cli"))
    assert total is not None and before is not None and total > before
    assert [r.action for r in rows] == ["create"]
    assert rows[0].after is not None and rows[0].after["signed_on"] == "1967-06-12"
    assert rows[0].actor_name.startswith("cli:")
