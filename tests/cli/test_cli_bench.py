"""`tsunagari bench --quick --json`: every promised key with a number, and BENCHMARKS.md naming each target.

No figure is asserted: speed is measured by the bench and written to BENCHMARKS.md, never tested.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.conftest import Databases, shared_path
from tsunagari.bench.http_series import BULK_DOWNLOADS
from tsunagari.bench.report import TARGETS
from tsunagari.cli.bench import bench

ISSUE_KEYS = (
    "detail_rps",
    "detail_p99_ms",
    "datasette_detail_rps",
    "floor_rps",
    "search_p95_ms",
    "search2_p95_ms",
    "import_pairs_s",
    "sqlite_utils_insert_s",
    "triangles_s",
    "networkx_triangles_s",
    "server_rss_mb",
    # Issue 19: the random mix ("cold"), workers, imports, page weight, start-up.
    "detail_cold_rps",
    "datasette_detail_cold_rps",
    "detail_cold_p99_ms",
    "partners_cold_rps",
    "datasette_partners_cold_rps",
    "search_cold_p95_ms",
    "search2_cold_p95_ms",
    "page_cold_rps",
    "datasette_page_rps",
    "page_cold_p99_ms",
    "cache_hit_rate",
    "workers2_detail_cold_rps",
    "import_partnerships_100k_s",
    "home_page_kb",
    "cli_start_s",
    "dates_parse_s",
    "download_first_byte_ms",
    # Issue 16: real ties hidden and ranked back by the match score, beside partners of partners.
    "match_hit10",
    "match_mrr",
    "match_baseline_hit10",
)

# The command as `tsunagari bench` runs it, in a process of its own like the console entry point.
ENTRY_POINT = (
    "import typer; from tsunagari.cli.bench import bench; "
    "app = typer.Typer(add_completion=False); app.command()(bench); app()"
)


BESIDE_SERIES = (
    "postgresql_detail_cold",
    "postgresql_partners_cold",
    "postgresql_search_cold",
    "postgresql_page_cold",
)


def _local_app() -> typer.Typer:
    app = typer.Typer(add_completion=False)
    app.command()(bench)
    return app


@pytest.mark.corpus
def test_quick_json_prints_every_key_and_writes_benchmarks(tmp_path: Path, databases: Databases) -> None:
    corpus = shared_path("data", "global-twinning", "twin_cities.csv")
    output = tmp_path / "BENCHMARKS.md"
    # The timeout only stops a hung run; how long it takes is the bench's business, not a test's.
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            ENTRY_POINT,
            "--quick",
            "--json",
            "--corpus",
            str(corpus),
            "--output",
            str(output),
            # In the postgresql pass the bench runs on the test server (a database of its own).
            *(["--database", databases.server_url] if databases.server_url else []),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    figures = json.loads(completed.stdout)
    for key in ISSUE_KEYS:
        assert isinstance(figures.get(key), int | float) and not isinstance(figures[key], bool), key
    # Served from SQLite (what Datasette and sqlite-utils read); PostgreSQL, when there is a server,
    # measured beside it in the same run: its import and the random mix served from it.
    assert figures["database"] == "sqlite"
    if databases.server_url:
        assert figures["beside_database"] == "postgresql"
        assert figures["postgresql_import_pairs_s"] > 0
        for series in BESIDE_SERIES:
            assert figures[f"{series}_requests"] > 0 and figures[f"{series}_errors"] == 0, series
    else:
        assert "beside_database" not in figures
    assert figures["quick"] is True
    assert figures["triangle_count"] == figures["networkx_triangle_count"]
    # The mix is the one promised: every municipality with partners, 1,000+ distinct search words.
    assert figures["cold_mix"]["municipalities"] > 10_000
    assert figures["cold_mix"]["search_words"] >= 1_000
    assert 0.0 <= figures["cache_hit_rate"] <= 1.0
    assert figures["match_samples"] == 40
    assert 0.0 <= figures["match_baseline_hit10"] <= 1.0 and 0.0 <= figures["match_hit10"] <= 1.0
    assert figures["import_partnerships_report"]["errors"] == 0
    for series in ("detail_cold", "partners_cold", "search_cold", "page_cold", "workers2_detail_cold"):
        assert figures[f"{series}_requests"] > 0 and figures[f"{series}_errors"] == 0, series
    # Each bulk download measured to its first byte, the first request beside the ones after it.
    assert set(figures["downloads"]) == set(BULK_DOWNLOADS)
    for measured in figures["downloads"].values():
        assert 0 < measured["kept_first_byte_ms"] <= measured["kept_whole_s"] * 1000
    written = output.read_text(encoding="utf-8")
    for path in BULK_DOWNLOADS:
        assert f"`{path}`" in written
    # A first request that waited for its build is stated among the misses, never left to the table.
    built = max(measured["first_request_first_byte_ms"] for measured in figures["downloads"].values())
    assert ("builds its download whole before the first byte" in written) == (built > 200)
    for target in TARGETS:
        assert target.name in written
    assert figures["date"] in written
    assert ("PostgreSQL req/s" in written) == bool(databases.server_url)


def test_a_missing_corpus_exits_2_with_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    result = CliRunner().invoke(_local_app(), ["--quick", "--corpus", str(missing)])
    assert result.exit_code == 2
    assert "nowhere.csv" in result.output


def test_only_postgresql_urls_are_accepted_for_database(tmp_path: Path) -> None:
    corpus = tmp_path / "pairs.csv"
    corpus.write_text("city1,country1,city2,country2\nNara,Japan,Xi'an,China\n", encoding="utf-8")
    result = CliRunner().invoke(_local_app(), ["--quick", "--corpus", str(corpus), "--database", "mysql://x"])
    assert result.exit_code == 2
    assert "--database" in result.output
