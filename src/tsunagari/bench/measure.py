"""What every series shares: the profile sets how much is measured; a figure is a median of repetitions."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine

from tsunagari.reference.gazetteer import Dataset as GazetteerDataset
from tsunagari.session import unit_of_work

T = TypeVar("T")

StepProgress = Callable[[str, int, int], None]
"""Called with (what is being done, steps done, steps in all)."""


@dataclass(frozen=True)
class Profile:
    name: str
    gazetteer: GazetteerDataset
    repetitions: int
    """Of every HTTP series and analysis; the figure is their median."""
    import_repetitions: int
    http_seconds: float
    http_max_requests: int
    grace_seconds: float
    """How long requests still in flight at the end of a repetition may take before being abandoned."""
    registry_rows: int
    """Rows of the registry file `import partnerships` is timed on (scaled to 100,000 in the report)."""
    cold_repetitions: int
    """Of every series of the random mix (each draws new requests, so one long round says as much)."""
    cli_repetitions: int = 3
    match_samples: int = 300
    """Real ties hidden and ranked back by the match score."""


QUICK = Profile(
    name="quick",
    gazetteer="cities15000",
    repetitions=3,
    import_repetitions=3,
    http_seconds=0.3,
    http_max_requests=1_500,
    # Waited only while answers are still coming: a restart after abandoned requests costs more.
    grace_seconds=5.0,
    registry_rows=100,
    cold_repetitions=1,
    match_samples=40,
)
FULL = Profile(
    name="full",
    gazetteer="cities500",
    repetitions=5,
    import_repetitions=3,
    http_seconds=3.0,
    http_max_requests=100_000,
    grace_seconds=5.0,
    # Every distinct foreign name the registry holds after the corpus import, near enough: the file
    # needs rows that all resolve, no pair twice.
    registry_rows=15_000,
    cold_repetitions=3,
)


class Steps:
    """Progress through the run's steps, told to the command's progress bar (if any)."""

    def __init__(self, progress: StepProgress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def show(self, description: str) -> None:
        if self.progress is not None:
            self.progress(description, self.done, self.total)

    def advance(self, description: str) -> None:
        self.done += 1
        self.show(description)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def timed(function: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def in_unit_of_work(engine: Engine, work: Callable[[Any], Any]) -> Any:
    with unit_of_work(engine) as session:
        return work(session)
