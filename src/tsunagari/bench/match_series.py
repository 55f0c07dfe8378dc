"""How well partner suggestions rank on the world corpus: real ties hidden one at a time (a fixed, seeded
sample) and ranked back (matching.evaluation), beside partners of partners alone."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine

from tsunagari.bench.measure import Steps
from tsunagari.matching import candidates as matching_candidates
from tsunagari.matching.evaluation import ranking_quality
from tsunagari.session import unit_of_work


def measure_matching(engine: Engine, samples: int, steps: Steps) -> dict[str, Any]:
    started = time.perf_counter()
    with unit_of_work(engine) as session:
        places = matching_candidates.places(session=session)
        session.rollback()
    quality = ranking_quality(places, matching_candidates.weights(), samples=samples)
    steps.advance(f"matching: hit@10 {quality.hit10:.2f} over {quality.samples} hidden ties")
    return {
        "match_samples": quality.samples,
        "match_hit10": round(quality.hit10, 4),
        "match_mrr": round(quality.mrr, 4),
        "match_baseline_hit10": round(quality.baseline_hit10, 4),
        "match_baseline_mrr": round(quality.baseline_mrr, 4),
        "match_s": round(time.perf_counter() - started, 2),
    }


def matching_section(figures: dict[str, Any]) -> list[str]:
    """The BENCHMARKS.md section; says plainly what the figures show."""
    if "match_hit10" not in figures:
        return []
    better = figures["match_hit10"] >= figures["match_baseline_hit10"]
    return [
        "## Partner suggestions: do real ties rank high?",
        "",
        f"{figures['match_samples']:,} real partnerships of the corpus, hidden one at a time "
        "(a seeded sample), each ranked back among every municipality of the graph by the match score "
        "with the deployment's weights (docs/matching.md), beside partners of partners alone ordered by "
        "partners in common.",
        "",
        "| measure | match score | partners of partners |",
        "|---|---:|---:|",
        f"| hit@10 (the real partner among the first ten) | {figures['match_hit10']:.3f} | "
        f"{figures['match_baseline_hit10']:.3f} |",
        f"| mean reciprocal rank (ranks up to 100) | {figures['match_mrr']:.3f} | "
        f"{figures['match_baseline_mrr']:.3f} |",
        "",
        (
            "The score ranks real ties at least as well as partners of partners alone"
            if better
            else "The score ranks real ties worse than partners of partners alone"
        )
        + ". On the corpus only the graph is known (no profiles, fields, features or populations), so "
        "these figures measure the network parts of the score; most real ties have no partner of a "
        f"partner pointing at them, which caps both. ({figures['match_s']:.0f} s)",
        "",
    ]
