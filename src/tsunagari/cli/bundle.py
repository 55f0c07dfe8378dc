"""`tsunagari export bundle` and `tsunagari import bundle`: everything one municipality owns, as one JSON
document that moves between databases without loss (maintenance.bundle)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tsunagari.cli.common import acting_scope, console, error_console, handle_errors
from tsunagari.errors import InvalidInput
from tsunagari.maintenance import actions as maintenance_actions
from tsunagari.names import service as names_service


@handle_errors
def export_bundle_command(
    municipality: Annotated[
        str, typer.Option("--municipality", help="Municipality name in any script, or its id")
    ],
    prefecture: Annotated[
        str | None, typer.Option("--prefecture", help="Prefecture or region, for a name several places share")
    ] = None,
    with_contacts: Annotated[
        bool, typer.Option("--with-contacts", help="Include contacts (personal data: for staff only)")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Export everything a municipality owns as one JSON bundle that imports into another database."""
    with acting_scope("export bundle") as (session, actor):
        me = names_service.pick_municipality(
            session=session, text=municipality, prefecture=prefecture, numbers="id", field="--municipality"
        )
        data = maintenance_actions.export_bundle(
            session=session, actor=actor, municipality_id=me.id, with_contacts=with_contacts
        )
        session.rollback()  # read-only
    if output is not None:
        output.write_bytes(data)
        error_console.print(f"書き出し / written: {output} ({len(data):,} bytes)", highlight=False)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@handle_errors
def import_bundle_command(
    file: Annotated[Path, typer.Argument(help="A bundle written by `tsunagari export bundle`")],
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="Replace stored values of municipalities already here (listed without it)"
        ),
    ] = False,
) -> None:
    """Import a bundle of one municipality's records: all rows or none; bad input is named (exit 2)."""
    if not file.is_file():
        raise InvalidInput("no such file", field="FILE", value=str(file))
    with acting_scope("import bundle") as (session, actor):
        written = maintenance_actions.import_bundle(
            session=session, actor=actor, data=file.read_bytes(), overwrite=overwrite
        )
    summary = ", ".join(f"{table} {count}" for table, count in written.items()) or "nothing new"
    console.print(f"取り込み完了 / imported: {summary}", highlight=False)
