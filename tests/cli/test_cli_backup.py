"""`tsunagari backup` and `restore`: a round trip gives back every row of every table; a restore never
replaces a database holding data without --force; a file that is not a backup is refused (exit 2)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import typer
from sqlalchemy import MetaData, create_engine, select, text
from typer.testing import CliRunner

from tests.conftest import Databases, release_database, select_database
from tsunagari.cli import backup as backup_cli
from tsunagari.db import get_engine

runner = CliRunner()
app = typer.Typer()
app.command()(backup_cli.backup)
app.command()(backup_cli.restore)


def fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and a hash of its rows in a stable order."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        prints = {}
        with engine.connect() as connection:
            for name, table in sorted(metadata.tables.items()):
                rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
                prints[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return prints
    finally:
        engine.dispose()


def test_round_trip_into_an_empty_database(
    cli_database: str, databases: Databases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "registry.backup"
    made = runner.invoke(app, ["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert archive.stat().st_size > 0
    original = fingerprint(cli_database)
    assert original["partnership"][0] > 0 and original["audit_entry"][0] >= 0

    release_database()
    empty = databases.empty()
    select_database(monkeypatch, empty)
    try:
        restored = runner.invoke(app, ["restore", str(archive)])
        assert restored.exit_code == 0, restored.output
        release_database()
        assert fingerprint(empty) == original
        if empty.startswith("sqlite"):
            with create_engine(empty).connect() as connection:
                assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                assert connection.execute(text("PRAGMA foreign_key_check")).first() is None
    finally:
        release_database()
        databases.discard(empty)


def test_restore_refuses_a_database_holding_data_unless_forced(cli_database: str, tmp_path: Path) -> None:
    archive = tmp_path / "before.backup"
    assert runner.invoke(app, ["backup", str(archive)]).exit_code == 0
    before = fingerprint(cli_database)
    with get_engine().begin() as connection:
        connection.execute(text("UPDATE partnership SET notes = 'changed after the backup'"))
    changed = fingerprint(cli_database)
    assert changed != before

    refused = runner.invoke(app, ["restore", str(archive)])
    assert refused.exit_code == 2
    assert "--force" in refused.output
    release_database()
    assert fingerprint(cli_database) == changed  # nothing written

    forced = runner.invoke(app, ["restore", str(archive), "--force"])
    assert forced.exit_code == 0, forced.output
    release_database()
    assert fingerprint(cli_database) == before


def test_bad_files_are_refused(cli_database: str, tmp_path: Path) -> None:
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("municipality,partner\n武蔵野市,ラボック\n", encoding="utf-8")
    refused = runner.invoke(app, ["restore", str(not_a_backup), "--force"])
    assert refused.exit_code == 2 and "not a Tsunagari backup" in refused.output

    missing = runner.invoke(app, ["restore", str(tmp_path / "missing.backup")])
    assert missing.exit_code == 2 and "no such backup file" in missing.output

    existing = tmp_path / "taken.backup"
    existing.write_bytes(b"keep me")
    overwrite = runner.invoke(app, ["backup", str(existing)])
    assert overwrite.exit_code == 2 and existing.read_bytes() == b"keep me"

    # A backup of the other backend is named as such, not half-restored.
    other = tmp_path / "other.backup"
    other.write_bytes(
        b"PGDMP\x01" if cli_database.startswith("sqlite") else b"SQLite format 3\x00" + bytes(100)
    )
    mismatched = runner.invoke(app, ["restore", str(other), "--force"])
    assert mismatched.exit_code == 2 and "backup and the database is" in mismatched.output
