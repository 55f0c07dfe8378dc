"""`tsunagari geocode` and `tsunagari review …`: resolve names and work the review list."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tsunagari import importers as _importers  # noqa: F401  (registers the pending actions review resolve carries out)
from tsunagari.cli.common import acting_scope, console, handle_errors, print_json, session_scope
from tsunagari.municipality import service as municipality_service
from tsunagari.names import actions as names_actions
from tsunagari.names import service as names_service
from tsunagari.reference.countries import resolve_country

review_app = typer.Typer(
    help="要確認リスト / The review list of names that could not be resolved with confidence."
)


@handle_errors
def geocode(
    name: Annotated[str, typer.Argument(help="A place name in any script: ブラショフ市, Brașov, 府中市")],
    country: Annotated[
        str, typer.Option("--country", help="Country: ISO alpha-2 or a name (RO, ルーマニア)")
    ],
    region: Annotated[
        str | None, typer.Option(help="Prefecture / state / province to narrow homonyms")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show the best match for a name, its coordinates, confidence and alternatives (writes nothing)."""
    alpha2 = resolve_country(country, field="--country").alpha2
    with session_scope() as session:
        resolution = names_service.resolve(session=session, text=name, country=alpha2, region=region)
        session.rollback()  # read-only by contract
    if json_output:
        print_json(resolution.as_json())
        return
    if resolution.match:
        m = resolution.match
        console.print(
            f"[bold]{m.name}[/] ({m.name_en or ''}, {m.country}) {m.lat}, {m.lng} — "
            f"confidence {resolution.confidence:.2f} [{m.method}, {m.source}]"
        )
    else:
        console.print(f"確定できません / not resolved ({resolution.status})")
    if resolution.alternatives:
        table = Table(title="候補 / alternatives")
        for column in ("source", "id", "name", "name_en", "region", "lat", "lng", "confidence"):
            table.add_column(column)
        for c in resolution.alternatives:
            table.add_row(
                c.source,
                str(c.id),
                c.name,
                c.name_en or "",
                c.region or "",
                str(c.lat),
                str(c.lng),
                f"{c.confidence:.2f}",
            )
        console.print(table)


@review_app.command("list")
@handle_errors
def review_list(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List open review items: the text as written, its country, where it came from, the candidates."""
    with session_scope() as session:
        rows = [names_service.review_row(item) for item in names_service.open_reviews(session=session)]
    if json_output:
        print_json(rows)
        return
    table = Table(title=f"要確認 / to review: {len(rows)}")
    for column in ("id", "text", "country", "source", "candidates"):
        table.add_column(column)
    for row in rows:
        candidates = ", ".join(f"{c['name']} ({c['source'][0]}:{c['id']})" for c in row["candidates"][:4])
        table.add_row(str(row["id"]), row["text"], row["country"] or "", row["source"], candidates)
    console.print(table)


@review_app.command("resolve")
@handle_errors
def review_resolve(
    item_id: Annotated[int, typer.Argument(help="Review item id (see `review list`)")],
    to: Annotated[str, typer.Option("--to", help="Municipality id, g:<geonameid>, or an exact name")],
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Say which municipality a review item means; what waited on it (a partnership) is then created."""
    with acting_scope("review resolve") as (session, actor):
        item = names_actions.resolve_review(session=session, actor=actor, item_id=item_id, target=to)
        assert item.resolved_municipality_id is not None  # set by resolving
        municipality = municipality_service.get(
            session=session, municipality_id=item.resolved_municipality_id
        )
        result = {
            "id": item.id,
            "text": item.text,
            "municipality_id": municipality.id,
            "name": municipality.name,
        }
    if json_output:
        print_json(result)
    else:
        console.print(f"#{result['id']} {result['text']} → {result['name']} (id {result['municipality_id']})")
