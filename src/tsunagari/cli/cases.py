"""`tsunagari import cases FILE`: CLAIR case records (seed 001) into programmes, in one call."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tsunagari.cli.common import acting_scope, console, handle_errors, print_json
from tsunagari.exchange import actions as exchange_actions
from tsunagari.importers.cases import CasesRefused, CasesReport, import_cases


def _print_report(report: CasesReport) -> None:
    heading = (
        "確認のみ（書き込みなし） / dry run, nothing written" if report.dry_run else "取り込み完了 / imported"
    )
    console.print(
        f"{heading}: {report.rows} records — created {report.created}, updated {report.updated}, "
        f"unchanged {report.unchanged}, review {report.review}",
        highlight=False,
    )
    for record in report.records:
        label = "会議形式" if record.format == "conference" else "人的交流"
        years = record.fiscal_years.label_ja()
        line = f"  [{label}] {record.title} — {'、'.join(record.owners)} ({years})"
        if record.unresolved:
            line += f" 要確認 {len(record.unresolved)}"
        console.print(line, highlight=False)
    if report.review:
        console.print("要確認 / to review: `tsunagari review list`", highlight=False)


@handle_errors
def import_cases_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="CLAIR case records as text (UTF-8 or Shift_JIS)", exists=True, dir_okay=False, readable=True
        ),
    ],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the report and the imported records as JSON.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and resolve every record; write nothing.")
    ] = False,
) -> None:
    """Import CLAIR case records (事例: 情報提供自治体名 … 詳細情報) as programmes.

    All records or none: a malformed record (a missing label, an impossible 年度) exits 2 naming its
    line. Partners that cannot be resolved are kept as written and put on the review list.
    """
    try:
        with acting_scope("import cases") as (session, actor):
            report = exchange_actions.import_cases(
                actor=actor, run=lambda: import_cases(session=session, path=file, dry_run=dry_run)
            )
    except CasesRefused as refused:
        if json_output:
            print_json(refused.summary.as_json())
        raise
    if json_output:
        print_json(report.as_json())
    else:
        _print_report(report)
