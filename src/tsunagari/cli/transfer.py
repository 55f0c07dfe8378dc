"""`tsunagari import partnerships FILE` and `tsunagari export partnerships`: the version 1 file format."""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tsunagari.cli.common import (
    acting_scope,
    console,
    error_console,
    handle_errors,
    print_json,
    session_scope,
)
from tsunagari.errors import InvalidInput
from tsunagari.importers.partnerships import (
    ImportRefused,
    ImportReport,
    ProgressCallback,
    import_partnerships,
)
from tsunagari.partnership import actions as partnership_actions
from tsunagari.partnership.export import export_partnerships

import_app = typer.Typer(help="取り込み / Import partnerships, CLAIR case records and global twinning pairs.")
export_app = typer.Typer(help="書き出し / Export the registry.")


class ExportFormat(enum.StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A progress bar on stderr, so that stdout stays clean for the report; none when nobody watches."""
    if not enabled or not error_console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("取り込み / importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
    ) as progress:
        task = progress.add_task("rows", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def _print_report(report: ImportReport) -> None:
    heading = (
        "確認のみ（書き込みなし） / dry run, nothing written" if report.dry_run else "取り込み完了 / imported"
    )
    console.print(
        f"{heading}: {report.rows} rows — created {report.created}, updated {report.updated}, "
        f"unchanged {report.unchanged}, review {report.review}",
        highlight=False,
    )
    if report.municipalities_created:
        console.print(
            f"新しい自治体 / municipalities added: {report.municipalities_created}", highlight=False
        )
    if report.review:
        console.print("要確認 / to review: `tsunagari review list`", highlight=False)


@import_app.command("partnerships")
@handle_errors
def import_partnerships_command(
    file: Annotated[
        Path, typer.Argument(help="CSV (UTF-8 or Shift_JIS), XLSX or JSON in the version 1 columns")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report what would change; write nothing.")
    ] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON for scripts.")
    ] = False,
) -> None:
    """Import partnerships (提携) from a file: all rows or none; every invalid row is reported (exit 2)."""
    try:
        with (
            _progress_bar(enabled=not json_output) as progress,
            acting_scope("import partnerships") as (session, actor),
        ):
            report = partnership_actions.import_partnerships(
                actor=actor,
                run=lambda: import_partnerships(
                    session=session, path=file, dry_run=dry_run, progress=progress
                ),
            )
    except ImportRefused as refused:
        if json_output:
            print_json(refused.summary.as_json())
        raise
    if json_output:
        print_json(report.as_json())
    else:
        _print_report(report)


@export_app.command("partnerships")
@handle_errors
def export_partnerships_command(
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv (UTF-8 with BOM), xlsx or json")
    ] = (ExportFormat.csv),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Export every partnership between municipalities in the version 1 columns (never contacts)."""
    if output is None and format == ExportFormat.xlsx and sys.stdout.isatty():
        raise InvalidInput("an XLSX file is binary: give -o FILE or redirect the output", field="--output")
    with session_scope() as session:
        data = export_partnerships(session=session, format=format.value)
        session.rollback()  # read-only
    if output is not None:
        output.write_bytes(data)
        error_console.print(f"書き出し / written: {output} ({len(data)} bytes)", highlight=False)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
