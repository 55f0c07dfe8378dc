"""Issues 7 and 19's targets judged against one run's figures, and BENCHMARKS.md written from them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tsunagari.bench.match_series import matching_section
from tsunagari.bench.report_cold import (
    COLD_TARGETS,
    Target,
    backends_section,
    cold_section,
    commands_section,
    misses_section,
)

CORPUS_ATTRIBUTION = (
    "Global corpus: `twin_cities.csv` from the public repository Hekman/twincities (MIT License, "
    "Copyright (c) 2026 Erik Hekman), scraped from Wikipedia's lists of twin towns and sister cities."
)


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    reference: str
    ratio: str
    met: bool


def _rps(value: float) -> str:
    return f"{value:,.0f} req/s"


def _ms(value: float) -> str:
    return f"{value:,.1f} ms"


def _s(value: float) -> str:
    return f"{value:,.3f} s" if value < 1 else f"{value:,.2f} s"


def _times(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def _at_most(limit: float, unit: Callable[[float], str]) -> Callable[[float], str]:
    return lambda _: f"limit {unit(limit)}"


def _throughput_targets(endpoint: str, key: str) -> list[Target]:
    return [
        Target(
            f"{endpoint}: at least 2× Datasette's requests/s on the equivalent query",
            lambda f: (f[f"{key}_rps"], f[f"datasette_{key}_rps"]),
            lambda ours, theirs: ours >= 2 * theirs,
            _rps,
            lambda theirs: f"Datasette {_rps(theirs)}",
            _times,
        ),
        Target(
            f"{endpoint}: at least half the fixed-JSON floor",
            lambda f: (f[f"{key}_rps"], f["floor_rps"]),
            lambda ours, floor: ours >= floor / 2,
            _rps,
            lambda floor: f"floor {_rps(floor)}",
            _times,
        ),
        Target(
            f"{endpoint}: p99 ≤ 25 ms at 32 connections",
            lambda f: (f[f"{key}_p99_ms"], 25.0),
            lambda ours, limit: ours <= limit,
            _ms,
            _at_most(25.0, _ms),
            _times,
        ),
    ]


TARGETS: list[Target] = [
    *COLD_TARGETS,
    *_throughput_targets("Municipality detail (a few requests repeated)", "detail"),
    *_throughput_targets("Partner list (a few requests repeated)", "partners"),
    Target(
        "Search p95 ≤ 30 ms (a Latin and a Japanese name, repeated)",
        lambda f: (f["search_p95_ms"], 30.0),
        lambda ours, limit: ours <= limit,
        _ms,
        _at_most(30.0, _ms),
        _times,
    ),
    Target(
        "Search p95 ≤ 30 ms for 2-character Japanese words (花火, 温泉, repeated)",
        lambda f: (f["search2_p95_ms"], 30.0),
        lambda ours, limit: ours <= limit,
        _ms,
        _at_most(30.0, _ms),
        _times,
    ),
    Target(
        "Search with full recall",
        lambda f: (f["search_recall"], 1.0),
        lambda ours, full: ours >= full,
        lambda recall: f"recall {recall:.3f}",
        lambda _: "substring scan of every name and profile",
        _times,
    ),
    Target(
        "Import of the global corpus with resolution ≤ 10 s",
        lambda f: (f["import_pairs_s"], 10.0),
        lambda ours, limit: ours <= limit,
        _s,
        _at_most(10.0, _s),
        _times,
    ),
    Target(
        "Import at most 5× the raw sqlite-utils insert",
        lambda f: (f["import_pairs_s"], f["sqlite_utils_insert_s"]),
        lambda ours, raw: ours <= 5 * raw,
        _s,
        lambda raw: f"sqlite-utils {_s(raw)}",
        _times,
    ),
    Target(
        "Triangles over the global corpus ≤ 1 s (read, list, name: the analysis as run)",
        lambda f: (f["triangles_service_s"], 1.0),
        lambda ours, limit: ours <= limit,
        _s,
        _at_most(1.0, _s),
        _times,
    ),
    Target(
        "Triangles no slower than networkx (listing every triangle, graph in memory)",
        lambda f: (f["triangles_s"], f["networkx_triangles_s"]),
        lambda ours, theirs: ours <= theirs,
        _s,
        lambda theirs: f"networkx {_s(theirs)}",
        _times,
    ),
    Target(
        "Server resident memory ≤ 300 MB with the corpus loaded",
        lambda f: (f["server_rss_mb"], 300.0),
        lambda ours, limit: ours <= limit,
        lambda mb: f"{mb:,.0f} MB",
        lambda _: "limit 300 MB",
        _times,
    ),
]


def judge(figures: dict[str, Any]) -> list[Verdict]:
    verdicts = []
    for target in TARGETS:
        ours, reference = target.measure(figures)
        verdicts.append(
            Verdict(
                target=target.name,
                measured=target.measured(ours),
                reference=target.reference(reference),
                ratio=target.ratio(ours, reference),
                met=target.met(ours, reference),
            )
        )
    return verdicts


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _http_table(figures: dict[str, Any]) -> list[str]:
    endpoints = [
        ("Municipality detail", "detail"),
        ("Partner list", "partners"),
        ("Search: Latin and Japanese names", "search"),
        ("Search: 花火, 温泉", "search2"),
        ("Statistics by country", "stats"),
    ]
    lines = [
        _row(
            [
                "endpoint",
                "ours req/s",
                "p50",
                "p95",
                "p99",
                "Datasette req/s",
                "p50",
                "p95",
                "p99",
                "ours ÷ Datasette",
            ]
        ),
        _row(["---"] + ["---:"] * 9),
    ]
    for label, key in endpoints:
        ds = f"datasette_{key}"
        lines.append(
            _row(
                [
                    label,
                    _rps(figures[f"{key}_rps"]),
                    _ms(figures[f"{key}_p50_ms"]),
                    _ms(figures[f"{key}_p95_ms"]),
                    _ms(figures[f"{key}_p99_ms"]),
                    _rps(figures[f"{ds}_rps"]),
                    _ms(figures[f"{ds}_p50_ms"]),
                    _ms(figures[f"{ds}_p95_ms"]),
                    _ms(figures[f"{ds}_p99_ms"]),
                    _times(figures[f"{key}_rps"], figures[f"{ds}_rps"]),
                ]
            )
        )
    for label, key in [
        ("Municipality detail, response cache off", "detail_uncached"),
        ("Partner list, response cache off", "partners_uncached"),
        ("Search: Latin and Japanese names, cache off", "search_uncached"),
        ("Search: 花火, 温泉, cache off", "search2_uncached"),
        ("Floor: fixed JSON, same stack", "floor"),
        ("Floor through httpx (client check)", "floor_httpx"),
    ]:
        lines.append(
            _row(
                [
                    label,
                    _rps(figures[f"{key}_rps"]),
                    _ms(figures[f"{key}_p50_ms"]),
                    _ms(figures[f"{key}_p95_ms"]),
                    _ms(figures[f"{key}_p99_ms"]),
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
        )
    return lines


def _uncached_summary(figures: dict[str, Any]) -> str:
    """What the HTTP targets above would read without the response cache, said beside them."""
    return (
        "Issue 7's series below repeat a few requests, so our app answers them from a warm response "
        "cache. With the cache off, building every answer: detail "
        f"{_rps(figures['detail_uncached_rps'])} (p99 {_ms(figures['detail_uncached_p99_ms'])}, "
        f"{_times(figures['detail_uncached_rps'], figures['datasette_detail_rps'])} Datasette), partner list "
        f"{_rps(figures['partners_uncached_rps'])} (p99 {_ms(figures['partners_uncached_p99_ms'])}, "
        f"{_times(figures['partners_uncached_rps'], figures['datasette_partners_rps'])} Datasette), "
        f"search p95 {_ms(figures['search_uncached_p95_ms'])} and {_ms(figures['search2_uncached_p95_ms'])} "
        "for two-character words (details in the table below)."
    )


def _problems(figures: dict[str, Any]) -> list[str]:
    """Anything that makes a figure less than it seems: errors, abandoned requests, disagreements."""
    notes = []
    for key, value in sorted(figures.items()):
        if key.endswith("_errors") and value:
            notes.append(
                f"- `{key.removesuffix('_errors')}`: {value} answers other than 200 or broken connections."
            )
        if key.endswith("_timeouts") and value:
            series = key.removesuffix("_timeouts")
            notes.append(
                f"- `{series}`: {value} requests still unanswered {figures['http_seconds']:g} s + "
                f"{figures['grace_seconds']:g} s grace after their round began were abandoned (their waits "
                "count in the percentiles as lower bounds); the server was restarted before the next series."
            )
    if not figures["triangles_agree"]:
        notes.append(
            f"- Triangles disagree: ours {figures['triangle_count']}, "
            f"networkx {figures['networkx_triangle_count']}."
        )
    if not figures["gatherings_agree"]:
        notes.append("- Gatherings disagree between the analysis and networkx.")
    return notes


def markdown(figures: dict[str, Any]) -> str:
    """BENCHMARKS.md: every number in it comes from `figures`, the run that writes it."""
    verdicts = judge(figures)
    missed = [v for v in verdicts if not v.met]
    busy = figures["busy_municipality"]
    report = figures["import_report"]
    recall = figures["search_recall_by_term"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `tsunagari bench` — do not edit by hand; run it again. "
        "Targets are those of issues 19 (the random mix, first) and 7 (a few requests repeated); they are "
        "benchmark figures, never test assertions.",
        "",
        f"- Date: {figures['date']}",
        f"- Run: {figures['profile']}"
        + (" (`--quick`: fewer requests per round, small gazetteer)" if figures["quick"] else ""),
        f"- Machine: {figures['cpu_model']}, {figures['cores']} cores, {figures['memory_gib']} GiB memory, "
        f"{figures['os']}; load average {figures['load_average_start']} at the start, "
        f"{figures['load_average_end']} at the end (a shared machine: other work runs beside the bench)",
        f"- Python {figures['python_version']}, SQLite {figures['sqlite_version']}, "
        f"served from {figures['database']} {figures['database_version']}"
        + (
            f"; {figures['beside_database']} {figures['beside_database_version']} measured beside it"
            if "beside_database" in figures
            else ""
        ),
        f"- Data: reference data with the GeoNames {figures['gazetteer']} gazetteer, the demo data, and the "
        f"global corpus ({figures['corpus_rows']:,} rows → {report['clusters']:,} cities, "
        f"{report['partnerships_created']:,} partnerships)",
        f"- The run took {figures['run_s'] / 60:.1f} min: "
        + ", ".join(f"{phase} {seconds:,.0f} s" for phase, seconds in figures["phase_s"].items()),
        f"- Each figure is the median of {figures['repetitions']} repetitions "
        f"({figures['cold_repetitions']} for the random mix, {figures['import_repetitions']} for imports); "
        "ratios compare figures measured in this same run.",
        "",
        "## Targets",
        "",
        (
            f"**{len(missed)} of {len(verdicts)} targets missed:** "
            + "; ".join(v.target for v in missed)
            + "."
            if missed
            else f"All {len(verdicts)} targets met."
        ),
        "",
        _row(["target", "measured", "reference", "ratio", "verdict"]),
        _row(["---", "---:", "---:", "---:", "---"]),
        *(
            _row([v.target, v.measured, v.reference, v.ratio, "met" if v.met else "**missed**"])
            for v in verdicts
        ),
        "",
        *cold_section(figures),
        *misses_section(figures),
        "## HTTP at 32 connections: a few requests repeated",
        "",
        _uncached_summary(figures),
        "",
        f"Each round runs every series for {figures['http_seconds']:g} s (at most "
        f"{figures['http_max_requests']:,} requests) at {figures['connections']} concurrent keep-alive "
        f"connections over 127.0.0.1; the rounds interleave ours, Datasette and the floor so drift on the "
        f"machine falls on all of them. Load generator: {figures['client']}; "
        f"httpx.AsyncClient reached {_rps(figures['floor_httpx_rps'])} on the floor against "
        f"{_rps(figures['floor_rps'])} for the raw client"
        + (
            " (httpx would have been the bottleneck, not the server). "
            if figures["floor_httpx_rps"] < figures["floor_rps"]
            else " (either client saturates the server). "
        )
        + "Servers: ours and the floor under `uvicorn --factory`, 1 worker, log level warning; "
        + "Datasette `datasette serve` on the same SQLite file"
        + " (facet suggestions off, SQL time limit 30 s). "
        "The floor is a sync FastAPI handler returning fixed JSON, like our sync endpoints. "
        "Our app keeps public API answers in a response cache checked against the data version on every "
        "request (two index lookups; `src/tsunagari/web/response_cache.py`); each series repeats a few "
        "requests, so ours are measured with the cache warm, and a second instance of ours with the "
        "cache off (`TSUNAGARI_RESPONSE_CACHE_ENTRIES=0`) shows what building each answer costs. "
        "Datasette caches nothing between requests.",
        "",
        f"Busiest municipality (detail and partner list): {busy['name']} ({busy['name_en']}, "
        f"{busy['country']}), id {busy['id']}, {busy['partners']} partners.",
        "",
        *_http_table(figures),
        "",
        "Datasette's equivalents: detail `/<db>/municipality.json?id=ID` (the row); partner list, search and "
        "statistics as SQL through `/<db>.json?sql=…&_shape=array` with the API's filters, order and page "
        "size of 50 (`src/tsunagari/bench/queries.py`).",
        "",
        "Our search looks name keys up through a two-character slice index that database triggers keep "
        "(migration 0007) and checks each candidate's names by substring, so two-character words keep full "
        "recall; profile texts are scanned only where a municipality has one. Datasette runs the plain "
        "substring query above (its full-text search would miss two-character words).",
        "",
        "Search recall against a substring scan of every name, alias and profile text: "
        + ", ".join(f"{term} {r['found']}/{r['expected']} expected found" for term, r in recall.items())
        + ".",
        "",
        "## Import",
        "",
        _row(["step", "median", "runs"]),
        _row(["---", "---:", "---"]),
        _row(
            [
                "`import_pairs` with resolution (to its commit)",
                _s(figures["import_pairs_s"]),
                ", ".join(_s(t) for t in figures["import_pairs_runs_s"]),
            ]
        ),
        _row(
            [
                "`sqlite-utils insert <db> pairs <csv> --csv` (as a command)",
                _s(figures["sqlite_utils_insert_s"]),
                ", ".join(_s(t) for t in figures["sqlite_utils_insert_runs_s"]),
            ]
        ),
        _row(["`sqlite-utils --version` (its start-up alone)", _s(figures["sqlite_utils_startup_s"]), ""]),
        "",
        f"Import report: {report['clusters']:,} cities "
        f"({report['cities_from_gazetteer']:,} from the gazetteer, {report['cities_from_corpus']:,} from the "
        f"corpus, {report['cities_matched']:,} already in the registry), "
        f"{report['partnerships_created']:,} partnerships, {report['merged_duplicates']:,} duplicate rows "
        f"merged, {report['review']:,} cities sent to review.",
        "",
        *commands_section(figures),
        *backends_section(figures),
        "## Analytics over the global graph",
        "",
        f"Graph: {figures['graph_nodes']:,} municipalities, {figures['graph_edges']:,} partnerships; "
        f"{figures['triangle_count']:,} triangles (networkx counts {figures['networkx_triangle_count']:,}; "
        f"the listings {'agree' if figures['triangles_agree'] else 'DISAGREE'}).",
        "",
        _row(["measurement", "ours", "networkx", "ours ÷ networkx"]),
        _row(["---", "---:", "---:", "---:"]),
        _row(
            [
                "List every triangle as sorted triples, graph in memory (networkx: `nx.all_triangles`)",
                _s(figures["triangles_s"]),
                _s(figures["networkx_triangles_s"]),
                _times(figures["triangles_s"], figures["networkx_triangles_s"]),
            ]
        ),
        _row(
            [
                "Count triangles (networkx: `sum(nx.triangles(G).values()) / 3`)",
                "",
                _s(figures["networkx_triangle_count_s"]),
                "",
            ]
        ),
        _row(["Build the graph from the edges", "", _s(figures["networkx_graph_build_s"]), ""]),
        _row(
            [
                "Triangles as the analysis runs them: read the graph, list, name the members",
                _s(figures["triangles_service_s"]),
                "",
                "",
            ]
        ),
        _row(
            [
                f"Gatherings: Japanese municipalities with partners in {figures['gatherings_country']} "
                f"({figures['gatherings_count']:,}; read from the database on both sides)",
                _s(figures["gatherings_s"]),
                _s(figures["networkx_gatherings_s"]),
                _times(figures["gatherings_s"], figures["networkx_gatherings_s"]),
            ]
        ),
        "",
        *matching_section(figures),
        "## Memory",
        "",
        "Resident memory (VmRSS from /proc/<pid>/status) with the corpus loaded, read after every "
        "HTTP series and before any restart; the figure is the largest reading. "
        f"Ours: {figures['server_rss_mb']:,.0f} MB (peak VmHWM {figures['server_rss_peak_mb']:,.0f} MB); "
        f"Datasette {figures['datasette_rss_mb']:,.0f} MB (peak {figures['datasette_rss_peak_mb']:,.0f} MB); "
        f"the floor {figures['floor_rss_mb']:,.0f} MB. By series: "
        + ", ".join(f"{name} {mb:,.0f} MB" for name, mb in figures["rss_by_series_mb"].items())
        + ".",
        "",
    ]
    problems = _problems(figures)
    if problems:
        lines += ["## Caveats of this run", "", *problems, ""]
    lines += [CORPUS_ATTRIBUTION, ""]
    return "\n".join(lines)
