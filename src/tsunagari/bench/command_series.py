"""The command line's start-up and the registry-file import (`import partnerships`), timed on the
served database after the HTTP series; the 100,000-row figure is scaled from the rows imported."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from tsunagari.bench.measure import Steps, median
from tsunagari.municipality.models import Municipality
from tsunagari.session import unit_of_work

PARTNERSHIPS_TARGET_ROWS = 100_000
HEADER = ("municipality_code", "partner", "partner_name_en", "partner_country", "type", "signed_on")


DATES_PARSE_TEXT = "平成4年4月21日"


def _timed_runs(arguments: list[str], repetitions: int) -> list[float]:
    """Wall-clock times of `tsunagari <arguments>`, each in a process of its own, as a user types it
    (interpreter start-up included)."""
    beside = Path(sys.executable).with_name("tsunagari")
    command = [str(beside)] if beside.exists() else [sys.executable, "-m", "tsunagari.cli.main"]
    times = []
    for _ in range(repetitions):
        started = time.perf_counter()
        subprocess.run([*command, *arguments], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def measure_cli_start(repetitions: int, steps: Steps) -> dict[str, Any]:
    """`tsunagari --help`, and `tsunagari dates parse 平成4年4月21日` (a command loading its own module)."""
    help_runs = _timed_runs(["--help"], repetitions)
    steps.advance(f"tsunagari --help: {median(help_runs):.2f} s")
    parse_runs = _timed_runs(["dates", "parse", DATES_PARSE_TEXT], repetitions)
    steps.advance(f"tsunagari dates parse: {median(parse_runs):.2f} s")
    return {
        "cli_start_s": median(help_runs),
        "cli_start_runs_s": help_runs,
        "dates_parse_s": median(parse_runs),
        "dates_parse_runs_s": parse_runs,
    }


def write_registry_file(engine: Engine, path: Path, rows: int) -> int:
    """A valid version-1 registry file: Japanese municipalities by code, each with foreign partners
    from the gazetteer (names the registry knows, so every row resolves), no pair twice."""
    draw = random.Random(7)
    with engine.connect() as connection:
        homes = list(
            connection.scalars(
                select(Municipality.jis_code)
                .where(Municipality.country == "JP", Municipality.jis_code.is_not(None))
                .order_by(Municipality.id)
            )
        )
        partners = connection.execute(
            select(Municipality.name_en, Municipality.country)
            .where(Municipality.country != "JP", Municipality.name_en.is_not(None))
            .order_by(Municipality.id)
        ).all()
    unique: dict[tuple[str, str], tuple[str, str]] = {}
    for name, country in partners:
        if name:
            unique.setdefault((name.casefold(), country), (name, country))
    chosen = draw.sample(sorted(unique.values()), min(len(unique), rows))
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for index, (name, country) in enumerate(chosen):
            year = 1960 + index % 60
            writer.writerow([homes[index % len(homes)], name, name, country, "sister_city", f"{year}-04-01"])
            written += 1
    return written


def measure_import_partnerships(engine: Engine, workdir: Path, rows: int, steps: Steps) -> dict[str, Any]:
    """`import partnerships` (the library call the command makes, to its commit) of `rows` rows; the
    100,000-row figure is this time scaled linearly, stated as such in BENCHMARKS.md."""
    from tsunagari.importers.partnerships import import_partnerships

    path = workdir / "registry.csv"
    written = write_registry_file(engine, path, rows)
    steps.show(f"import partnerships: {written:,} rows")
    started = time.perf_counter()
    with unit_of_work(engine) as session:
        report = import_partnerships(session=session, path=path)
    elapsed = time.perf_counter() - started
    steps.advance(f"import partnerships: {written:,} rows in {elapsed:.1f} s")
    return {
        "import_partnerships_rows": written,
        "import_partnerships_s": elapsed,
        "import_partnerships_report": report.as_json() | {"errors": len(report.errors)},
        "import_partnerships_100k_s": elapsed / max(written, 1) * PARTNERSHIPS_TARGET_ROWS,
    }
