"""`tsunagari init`, `demo` and `serve`: create the database, load reference and demo data through their
permission-checked actions as the command's system actor, run the portal."""

from __future__ import annotations

from typing import Annotated, cast

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from tsunagari.access.principal import Principal
from tsunagari.cli.common import acting_scope, console, handle_errors, system_principal
from tsunagari.config import GazetteerDataset, get_settings
from tsunagari.db import get_engine
from tsunagari.migrations import upgrade
from tsunagari.reference import actions as reference_actions
from tsunagari.reference import service as reference_service

# Approximate sizes of the GeoNames lists, for the progress bar only.
GAZETTEER_SIZES = {
    "cities500": 235_000,
    "cities1000": 168_000,
    "cities5000": 69_500,
    "cities15000": 34_000,
}


def initialise(
    session: Session, gazetteer: GazetteerDataset, reload_gazetteer: bool, actor: Principal | None = None
) -> None:
    """Load the reference data through its permission-checked action, as `actor` (by default the system
    actor of `tsunagari init`), printing what was loaded."""
    actor = actor or system_principal("init")
    dataset = None if gazetteer == "none" else gazetteer
    if dataset is None or (reference_service.gazetteer_size(session=session) and not reload_gazetteer):
        loaded = reference_actions.load_reference_data(session=session, actor=actor, gazetteer=None)
    else:
        with Progress(
            TextColumn("地名辞典 / gazetteer"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("gazetteer", total=GAZETTEER_SIZES.get(dataset))
            loaded = reference_actions.load_reference_data(
                session=session,
                actor=actor,
                gazetteer=dataset,
                reload_gazetteer=True,
                progress=lambda n: progress.advance(task, n),
            )
    console.print(f"国・地域 / countries: {loaded.countries}")
    console.print(
        f"全国地方公共団体 / Japanese local governments: {loaded.municipalities_added} added, "
        f"{loaded.municipalities_kept} already present"
    )
    console.print(f"人口 / population (GeoNames): {loaded.populations} municipalities filled")
    if loaded.gazetteer is not None:
        cities, names = loaded.gazetteer
        console.print(f"地名辞典 / gazetteer ({gazetteer}): {cities} cities, {names} names")
    elif dataset is not None:
        console.print("地名辞典 / gazetteer: already loaded (use --reload-gazetteer to replace it)")


@handle_errors
def init(
    gazetteer: Annotated[
        str | None,
        typer.Option(help="GeoNames list: cities500 (default), cities1000, cities5000, cities15000, none"),
    ] = None,
    reload_gazetteer: Annotated[bool, typer.Option(help="Replace a gazetteer already loaded")] = False,
) -> None:
    """Create or upgrade the database and load the shipped reference data (idempotent)."""
    settings = get_settings()
    chosen = cast(GazetteerDataset, gazetteer or settings.gazetteer)
    if chosen not in ("cities500", "cities1000", "cities5000", "cities15000", "none"):
        from tsunagari.errors import InvalidInput

        raise InvalidInput("unknown gazetteer", field="--gazetteer", value=gazetteer)
    engine = get_engine()
    upgrade(engine)
    console.print(f"データベース / database: {engine.url.render_as_string(hide_password=True)}")
    with acting_scope("init") as (session, actor):
        initialise(session, chosen, reload_gazetteer, actor)


@handle_errors
def demo() -> None:
    """Load the demo dataset built from the seed documents (runs `init` first when needed)."""
    from tsunagari.demo.actions import load_demo_data

    engine = get_engine()
    upgrade(engine)
    with acting_scope("demo") as (session, actor):
        if not reference_service.is_initialised(session=session):
            initialise(session, get_settings().gazetteer, False, actor)
    with acting_scope("demo") as (session, actor):
        summary = load_demo_data(session=session, actor=actor)
    console.print(
        f"デモデータ / demo data: municipalities +{summary.municipalities_created} "
        f"(profiles updated {summary.municipalities_updated}), "
        f"organisations +{summary.organisations_created}, partnerships {summary.partnerships}"
    )


def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (uvicorn workers)")] = 1,
) -> None:
    """Serve the portal and API (uvicorn)."""
    import uvicorn

    settings = get_settings()
    upgrade(get_engine())
    uvicorn.run(
        "tsunagari.web.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
    )
