"""`tsunagari match NAME`: partner candidates for a municipality, each with every part of its score;
thin over the matching service."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tsunagari.cli.common import console, handle_errors, print_json, session_scope
from tsunagari.matching import candidates as matching_candidates
from tsunagari.names import service as names_service


@handle_errors
def match(
    municipality: Annotated[str, typer.Argument(help="Municipality name in any script, or its id")],
    prefecture: Annotated[
        str | None, typer.Option("--prefecture", help="Prefecture or region, for a name several places share")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many candidates")] = 20,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """提携候補 / Partner candidates for a municipality, best first, with each score's reasons and weights."""
    with session_scope() as session:
        me = names_service.pick_municipality(
            session=session, text=municipality, prefecture=prefecture, numbers="id", field="MUNICIPALITY"
        )
        found = [
            matching_candidates.match_json(m)
            for m in matching_candidates.matches_for(session=session, municipality_id=me.id, limit=limit)
        ]
        session.rollback()  # read-only
    if json_output:
        print_json(found)
        return
    table = Table(title=f"提携候補 / candidates for {me.name}")
    table.add_column("候補 / candidate")
    table.add_column("国 / country")
    table.add_column("点 / score", justify="right")
    table.add_column("理由 / reasons (points / weight)")
    for row in found:
        candidate = row["candidate"]
        assert isinstance(candidate, dict) and isinstance(row["reasons"], list)
        reasons = "\n".join(f"{r['detail']} ({r['points']} / {r['weight']})" for r in row["reasons"])
        table.add_row(str(candidate["name"]), str(candidate["country"]), f"{row['score']:.2f}", reasons)
    console.print(table)
