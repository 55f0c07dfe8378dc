"""`tsunagari import pairs FILE`: the global twin-town pairs (city1,country1,lat1,lng1,city2,…)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from tsunagari.cli.common import acting_scope, console, error_console, handle_errors, print_json
from tsunagari.importers.pairs import Progress as ProgressCallback
from tsunagari.importers.pairs import import_pairs
from tsunagari.importers.pairs_report import PairsRefused, PairsReport, report_format, write_report
from tsunagari.partnership import actions as partnership_actions

STAGE_LABELS = {"cities": "都市の照合 / cities", "partnerships": "提携 / partnerships"}


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A bar per stage on stderr, so stdout stays clean for the report; none when nobody watches."""
    if not enabled or not error_console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(STAGE_LABELS.get(stage, stage), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield advance


def _summary(report: PairsReport) -> Table:
    table = Table(title="取り込み完了 / imported", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in (
        ("読み込んだ行 / rows read", report.rows),
        ("都市 / distinct cities", report.clusters),
        ("新しい自治体 / cities created", report.cities_created),
        ("  地名辞典から / from the gazetteer", report.cities_from_gazetteer),
        ("  ファイルから / from the file itself", report.cities_from_corpus),
        ("登録済みと照合 / cities matched", report.cities_matched),
        ("新しい提携 / partnerships created", report.partnerships_created),
        ("統合した重複 / merged duplicates", report.merged_duplicates),
        ("既存の提携に出典を追加 / sources added to existing", report.updated),
        ("変更なし / unchanged", report.unchanged),
        ("同一都市の組 / self-pairs skipped", report.self_pairs),
        ("要確認 / sent to review", report.review),
    ):
        table.add_row(label, f"{value:,}")
    counts = report.resolution_counts()
    table.add_section()
    for method, label in RESOLUTION_LABELS.items():
        table.add_row(label, f"{counts[method]:,}")
    distance = report.distance_summary()
    if distance is not None and distance["cities"]:
        table.add_row(
            "ファイルの座標との距離 中央値 / median distance from the file", f"{distance['median_km']} km"
        )
        table.add_row("25 km 以内 / within 25 km", f"{distance['within_25km_share']:.1%}")
    return table


RESOLUTION_LABELS = {
    "exact": "照合: 正式名 / resolved: exact name",
    "alias": "照合: 別名 / resolved: alias",
    "fuzzy": "照合: 類似名 / resolved: fuzzy",
    "seat": "所在地の町に配置 / placed at its seat town",
    "parent": "親都市に配置 / placed at its parent city",
    "ambiguous": "候補が複数 / ambiguous (to review)",
    "unresolved": "該当なし / unresolved",
}


@handle_errors
def import_pairs_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: city1,country1,lat1,lng1,city2,country2,lat2,lng2 (lat/lng optional)",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON for scripts.")
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Write the resolution report (one line per city: method, place, distance) to this "
            ".json or .csv file.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Import global twin-town pairs: one municipality per real city, one partnership per pair.

    Spellings of one city merge when their coordinates agree; homonyms stay apart.

    Japanese cities match the JIS registry, others the gazetteer; the rest are created from the file.

    Without lat/lng, each city is placed from the gazetteer by its name: exact, then alias, then
    fuzzy within its country; among places of one name the far most populous, else the review list.

    All rows or none: every invalid row is reported (exit 2). A second import changes nothing.
    """
    if report is not None:
        report_format(report)  # an unusable report path is refused before anything is imported
    try:
        with (
            _progress_bar(enabled=not json_output) as progress,
            acting_scope("import pairs") as (session, actor),
        ):
            summary = partnership_actions.import_pairs(
                actor=actor, run=lambda: import_pairs(session=session, path=file, progress=progress)
            )
    except PairsRefused as refused:
        if json_output:
            print_json(refused.summary.as_json())
        raise
    if report is not None:
        write_report(summary, report, file.name)
    if json_output:
        print_json(summary.as_json())
        return
    console.print(_summary(summary))
    if summary.review:
        console.print("要確認 / to review: `tsunagari review list`", highlight=False)
