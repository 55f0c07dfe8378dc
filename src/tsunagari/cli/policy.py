"""`tsunagari policy check`: the visit policy's findings; exit 1 when anything is overdue (for cron)."""

from __future__ import annotations

import datetime as dt

import typer

from tsunagari.cli.common import EXIT_FAILURE, console, handle_errors, print_json, session_scope
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.names import service as names_service
from tsunagari.policy import service as policy_service

app = typer.Typer(help="交流の方針 / Visit policy checks (seed 002).")

STATUS_JA = {"violation": "方針違反", "due": "期限前", "overdue": "期限超過"}


@app.command("check")
@handle_errors
def check(
    municipality: str | None = typer.Option(None, "--municipality", help="Only this municipality's visits."),
    today: str | None = typer.Option(None, "--today", help="Check as of this date (YYYY-MM-DD)."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """List rule violations and what is due or overdue; exit 1 when anything is overdue."""
    try:
        as_of = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        raise InvalidInput("not a date (YYYY-MM-DD)", field="today", value=today) from None
    with session_scope() as session:
        municipality_id = None
        if municipality:
            try:
                municipality_id = names_service.pick_municipality(
                    session=session, text=municipality, numbers="id", field="municipality", hint="give its id"
                ).id
            except NotFound:
                # Exit 1 means "something is overdue" to cron: a wrong name is invalid input (2).
                raise InvalidInput("no such municipality", field="municipality", value=municipality) from None
        findings = policy_service.check(session=session, municipality_id=municipality_id, today=as_of)
    if json_output:
        print_json([f.model_dump(mode="json") for f in findings])
    else:
        for f in findings:
            due = f" ({f.due_on.isoformat()})" if f.due_on else ""
            console.print(
                f"{STATUS_JA[f.status]}{due}\t{f.municipality}\t{f.title}\t{f.message}",
                markup=False,
                highlight=False,
            )
        if not findings:
            console.print("対応が必要な訪問はありません / nothing due")
    if any(f.status == "overdue" for f in findings):
        raise typer.Exit(EXIT_FAILURE)
