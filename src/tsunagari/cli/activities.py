"""`tsunagari activities add|list|import`: 実施記録 (delegations, homestays, secondments) of a programme."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tsunagari.cli.common import acting_scope, console, handle_errors, print_json, session_scope
from tsunagari.exchange import actions as exchange_actions
from tsunagari.exchange import activity_service, programme_service
from tsunagari.exchange.models import DIRECTION_LABELS, Activity
from tsunagari.importers.activities import ActivitiesReport, activity_from_values, import_activities

app = typer.Typer(help="実施記録 / Activities of exchange programmes: add, list, import.")


def _activity_json(activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.id,
        "programme_id": activity.programme_id,
        "title": activity.title,
        "start_on": activity.start_on.isoformat() if activity.start_on else None,
        "start_on_precision": activity.start_on_precision,
        "end_on": activity.end_on.isoformat() if activity.end_on else None,
        "end_on_precision": activity.end_on_precision,
        "direction": activity.direction,
        "place": activity.place,
        "fields": list(activity.fields or []),
        "participants": activity.participants,
        "public_cost": activity.public_cost,
        "private_cost": activity.private_cost,
        "official_visit": activity.official_visit,
        "purpose": activity.purpose,
        "outcomes": activity.outcomes,
        "version": activity.version,
    }


def _line(activity: Activity) -> str:
    start = activity.start_on.isoformat() if activity.start_on else "日付不明"
    direction = DIRECTION_LABELS[activity.direction][0] if activity.direction else ""
    people = sum((activity.participants or {}).values())
    cost = f" 公費 {activity.public_cost:,}円" if activity.public_cost is not None else ""
    return f"{activity.id}\t{start}\t{activity.title}\t{direction}\t{people}人{cost}"


@app.command("add")
@handle_errors
def add(
    programme: Annotated[int, typer.Option("--programme", help="The programme's id.")],
    title: Annotated[str, typer.Option("--title", help="What was done (e.g. 青少年派遣団).")],
    start: Annotated[
        str, typer.Option("--start", help="Start date (2010-08-01, 平成22年8月1日, 2010年8月).")
    ] = "",
    end: Annotated[str, typer.Option("--end", help="End date, in the same forms.")] = "",
    direction: Annotated[
        str,
        typer.Option("--direction", help="outbound (派遣), inbound (受入), both (相互派遣), hosted (開催)."),
    ] = "",
    place: Annotated[str, typer.Option("--place", help="Where it took place.")] = "",
    fields: Annotated[
        str,
        typer.Option(
            "--fields",
            help="Exchange fields (交流分野) as codes or labels: 'education; youth' or 教育、青少年. "
            "Default: the programme's.",
        ),
    ] = "",
    participants: Annotated[
        str, typer.Option("--participants", help="Counts by category: students=12; staff=3.")
    ] = "",
    public_cost: Annotated[str, typer.Option("--public-cost", help="Public money spent, in yen.")] = "",
    private_cost: Annotated[str, typer.Option("--private-cost", help="Private money spent, in yen.")] = "",
    official_visit: Annotated[
        bool, typer.Option("--official-visit", help="An official visit (公式訪問) under the visit policy.")
    ] = False,
    purpose: Annotated[str, typer.Option("--purpose", help="The purpose, as published to citizens.")] = "",
    outcomes: Annotated[str, typer.Option("--outcomes", help="Results of the activity.")] = "",
    json_output: Annotated[bool, typer.Option("--json", help="Print the new activity as JSON.")] = False,
) -> None:
    """Record one activity. Impossible values (an end before the start, negative counts or costs, an
    unknown programme) exit 2 naming the field, and nothing is written."""
    values = {
        "programme_id": str(programme),
        "title": title,
        "start": start,
        "end": end,
        "direction": direction,
        "place": place,
        "fields": fields,
        "participants": participants,
        "public_cost": public_cost,
        "private_cost": private_cost,
        "official_visit": "yes" if official_visit else "no",
        "purpose": purpose,
        "outcomes": outcomes,
    }
    with acting_scope("activities add") as (session, actor):
        activity = exchange_actions.create_activity(
            session=session, actor=actor, data=activity_from_values(session, values)
        )
        result = _activity_json(activity)
        line = _line(activity)
    if json_output:
        print_json(result)
    else:
        console.print(f"登録しました / recorded: {line}", markup=False, highlight=False)


@app.command("list")
@handle_errors
def list_activities(
    programme: Annotated[int, typer.Option("--programme", help="The programme's id.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """A programme's activities, oldest first."""
    with session_scope() as session:
        found = programme_service.get_programme(session=session, programme_id=programme)
        activities = activity_service.activities_for_programme(session=session, programme_id=found.id)
        rows = [_activity_json(a) for a in activities]
        lines = [_line(a) for a in activities]
        heading = f"{found.title}: {len(rows)} 件 / activities"
    if json_output:
        print_json(rows)
        return
    console.print(heading, markup=False, highlight=False)
    for line in lines:
        console.print(line, markup=False, highlight=False)


def _print_report(report: ActivitiesReport) -> None:
    heading = (
        "確認のみ（書き込みなし） / dry run, nothing written" if report.dry_run else "取り込み完了 / imported"
    )
    console.print(
        f"{heading}: {report.rows} rows — created {report.created}, updated {report.updated}, "
        f"unchanged {report.unchanged}",
        highlight=False,
    )


@app.command("import")
@handle_errors
def import_command(
    file: Annotated[
        Path, typer.Argument(help="Activities as CSV, XLSX or JSON (docs/formats.md).", dir_okay=False)
    ],
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row; write nothing.")] = False,
) -> None:
    """Import activities: every row is checked first; any invalid row exits 2 naming its row, field and
    value, and nothing is written. Importing the same file again changes nothing."""
    with acting_scope("activities import") as (session, actor):
        report = exchange_actions.import_activities(
            actor=actor, run=lambda: import_activities(session=session, path=file, dry_run=dry_run)
        )
        if dry_run:
            session.rollback()
    if json_output:
        print_json(report.as_json())
    else:
        _print_report(report)
