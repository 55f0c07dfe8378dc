"""`tsunagari backup FILE` and `tsunagari restore FILE [--force]`: a thin shell over maintenance.backup."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tsunagari.cli.common import console, handle_errors
from tsunagari.db import get_engine
from tsunagari.maintenance import backup as backup_service


@handle_errors
def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write (must not exist)")],
) -> None:
    """Back up the whole database while the portal keeps serving (SQLite's online backup; pg_dump)."""
    result = backup_service.backup(get_engine(), file)
    console.print(f"バックアップ / backup: {result.path} ({result.backend}, {result.bytes_written:,} bytes)")


@handle_errors
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `tsunagari backup`")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds data")
    ] = False,
) -> None:
    """Restore a backup into the configured database; refuses a database holding data unless --force."""
    replaced = backup_service.restore(get_engine(), file, force=force)
    note = f" (replaced data in {len(replaced)} tables)" if replaced else ""
    console.print(f"復元しました / restored from {file}{note}")
