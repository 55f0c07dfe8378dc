"""`tsunagari bench`: one benchmark run, printed as a table or JSON and written to BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tsunagari.cli.common import console, error_console, handle_errors, print_json
from tsunagari.errors import InvalidInput

REPOSITORY = Path(__file__).resolve().parents[3]
CORPUS_IN_SHARED = Path("..") / "shared" / "data" / "global-twinning" / "twin_cities.csv"


def _repository() -> Path:
    """The checkout this runs from; the working directory when installed elsewhere."""
    return REPOSITORY if (REPOSITORY / "pyproject.toml").exists() else Path.cwd()


def _print_table(figures: dict[str, Any], output: Path) -> None:
    from tsunagari.bench.report import judge

    table = Table(
        title=f"tsunagari bench ({figures['profile']}, {figures['database']}) — {figures['machine']}"
    )
    for column in ("target", "measured", "reference", "ratio", "verdict"):
        table.add_column(column, justify="left" if column in ("target", "reference") else "right")
    for verdict in judge(figures):
        table.add_row(
            verdict.target,
            verdict.measured,
            verdict.reference,
            verdict.ratio,
            "[green]met[/]" if verdict.met else "[bold red]missed[/]",
        )
    console.print(table)
    console.print(f"BENCHMARKS.md written to {output}", markup=False, highlight=False)


@handle_errors
def bench(
    quick: Annotated[
        bool, typer.Option("--quick", help="Small gazetteer and short rounds (about 2 minutes)")
    ] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object of every figure")
    ] = False,
    database: Annotated[
        str | None,
        typer.Option(
            help="A postgresql+psycopg:// server measured beside SQLite (served and imported the same way)"
        ),
    ] = None,
    corpus: Annotated[
        Path | None,
        typer.Option(help="Global pairs CSV (default ../shared/data/global-twinning/twin_cities.csv)"),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Where to write BENCHMARKS.md (default: repo root)")
    ] = None,
) -> None:
    """Measure the API, the import and the analyses on the global corpus beside Datasette,
    sqlite-utils and networkx, in a fresh database, and write the figures to BENCHMARKS.md.
    """
    from tsunagari.bench import report, runner

    root = _repository()
    corpus_path = corpus or (root / CORPUS_IN_SHARED).resolve()
    if not corpus_path.is_file():
        raise InvalidInput(
            "the global corpus is missing: put ../shared beside the checkout or pass --corpus FILE",
            field="--corpus",
            value=str(corpus_path),
        )
    target = output or root / "BENCHMARKS.md"
    with Progress(
        TextColumn("[bold]bench[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=error_console,
        transient=False,
    ) as progress:
        task = progress.add_task("starting", total=None)

        def show(description: str, done: int, total: int) -> None:
            progress.update(task, description=description, completed=done, total=total)

        figures = runner.run(corpus=corpus_path, quick=quick, database_url=database, progress=show)
    target.write_text(report.markdown(figures), encoding="utf-8")
    if json_output:
        print_json(figures)
    else:
        _print_table(figures, target)
