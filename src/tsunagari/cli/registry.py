"""`tsunagari partners NAME`: who a municipality is partnered with."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tsunagari.cli.common import console, handle_errors, print_json, session_scope
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.municipality import service as municipality_service
from tsunagari.partnership import service as partnership_service


@handle_errors
def partners(
    name: Annotated[str, typer.Argument(help="Municipality name in any script, or its JIS code")],
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 country to narrow homonyms")] = None,
    prefecture: Annotated[str | None, typer.Option(help="Prefecture/region for homonyms (府中市)")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List a municipality's partners: type, signed date (西暦・和暦), status, domestic or international."""
    with session_scope() as session:
        if name.strip().isdigit():
            found_one = municipality_service.get_by_jis_code(session=session, jis_code=name.strip())
            found = [found_one] if found_one else []
        else:
            found = list(
                municipality_service.find_by_name(
                    session=session, name=name, country=country, region=prefecture
                )
            )
        if not found:
            raise NotFound(f"no municipality is called {name!r}")
        if len(found) > 1:
            choices = ", ".join(f"{m.display_name()} ({m.country}, id {m.id})" for m in found)
            raise InvalidInput(
                f"{len(found)} municipalities match; add --prefecture or --country: {choices}",
                field="name",
                value=name,
            )
        municipality = found[0]
        rows = partnership_service.partner_rows(session=session, municipality=municipality)
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
