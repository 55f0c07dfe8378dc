"""`tsunagari init`, `demo` and `serve`: create the database, load reference and demo data, run the portal."""

from __future__ import annotations

from typing import Annotated, cast

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from tsunagari.cli.common import console, handle_errors, session_scope
from tsunagari.config import GazetteerDataset, get_settings
from tsunagari.db import get_engine
from tsunagari.migrations import upgrade
from tsunagari.reference import service as reference_service

# Approximate sizes of the GeoNames lists, for the progress bar only.
GAZETTEER_SIZES = {
    "cities500": 235_000,
    "cities1000": 168_000,
    "cities5000": 69_500,
    "cities15000": 34_000,
}


def initialise(session: Session, gazetteer: GazetteerDataset, reload_gazetteer: bool) -> None:
    countries = reference_service.load_countries(session=session)
    console.print(f"国・地域 / countries: {countries}")
    created, kept = reference_service.load_japanese_municipalities(session=session)
    console.print(f"全国地方公共団体 / Japanese local governments: {created} added, {kept} already present")
    if gazetteer == "none":
        return
    if reference_service.gazetteer_size(session=session) and not reload_gazetteer:
        console.print("地名辞典 / gazetteer: already loaded (use --reload-gazetteer to replace it)")
        return
    dataset = gazetteer
    with Progress(
        TextColumn("地名辞典 / gazetteer"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("gazetteer", total=GAZETTEER_SIZES.get(dataset))
        cities, names = reference_service.load_gazetteer(
            session=session, dataset=dataset, progress=lambda n: progress.advance(task, n)
        )
    console.print(f"地名辞典 / gazetteer ({dataset}): {cities} cities, {names} names")


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
    with session_scope() as session:
        initialise(session, chosen, reload_gazetteer)


@handle_errors
def demo() -> None:
    """Load the demo dataset built from the seed documents (runs `init` first when needed)."""
    from tsunagari.demo.service import load_demo

    engine = get_engine()
    upgrade(engine)
    with session_scope() as session:
        if not reference_service.is_initialised(session=session):
            initialise(session, get_settings().gazetteer, False)
    with session_scope() as session:
        summary = load_demo(session=session)
    console.print(
        f"デモデータ / demo data: municipalities +{summary.municipalities_created} "
        f"(profiles updated {summary.municipalities_updated}), "
        f"organisations +{summary.organisations_created}, partnerships {summary.partnerships}"
    )


def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
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
