"""`tsunagari partners NAME`: who a municipality is partnered with."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tsunagari.cli.common import console, handle_errors, print_json, session_scope
from tsunagari.names import service as names_service
from tsunagari.partnership import rows as partnership_rows


@handle_errors
def partners(
    name: Annotated[str, typer.Argument(help="Municipality name in any script, or its JIS code")],
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 country to narrow homonyms")] = None,
    prefecture: Annotated[str | None, typer.Option(help="Prefecture/region for homonyms (府中市)")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List a municipality's partners: type, signed date (西暦・和暦), status, domestic or international."""
    with session_scope() as session:
        municipality = names_service.pick_municipality(
            session=session,
            text=name,
            prefecture=prefecture,
            country=country,
            numbers="jis_code",
            hint="add --prefecture or --country",
        )
        rows = partnership_rows.partner_rows(session=session, municipality=municipality)
    if json_output:
        print_json([row.model_dump() for row in rows])
        return
    domestic = sum(1 for r in rows if r.domestic)
    table = Table(
        title=f"{municipality.display_name()} の提携先 / partners of "
        f"{municipality.name_en or municipality.name} — 国内 {domestic}・海外 {len(rows) - domestic}"
    )
    for column in ("相手 / partner", "国", "種別 / type", "提携日 / signed", "和暦", "状態"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            f"{row.name}" + (f" ({row.name_en})" if row.name_en else ""),
            row.country or "",
            row.type_label,
            row.signed_on or "—",
            row.signed_on_wareki or "",
            row.status,
        )
    console.print(table)
