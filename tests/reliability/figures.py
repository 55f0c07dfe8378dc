"""Figures the reliability tests measured, written into their section of RELIABILITY.md by the run that
measured them (only when TSUNAGARI_RECORD_FIGURES=1, as `make crash`, `make fuzz` and `make loadtest`
set it), so the bounded runs inside `make test` leave the file alone."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
from pathlib import Path

RELIABILITY = Path(__file__).resolve().parents[2] / "RELIABILITY.md"


def recording() -> bool:
    return os.environ.get("TSUNAGARI_RECORD_FIGURES", "").strip() == "1"


def record(key: str, text: str) -> None:
    """Replace the section between `<!-- figures:key -->` and `<!-- /figures:key -->` with `text` and the
    date of the run, or append the section at the end of the file when it is not there yet."""
    if not recording():
        return
    stamp = dt.date.today().isoformat()
    block = f"<!-- figures:{key} -->\n{text.rstrip()}\n\n_Measured {stamp}._\n<!-- /figures:{key} -->"
    lock = RELIABILITY.parent / ".cache" / "reliability-figures.lock"
    lock.parent.mkdir(exist_ok=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        current = RELIABILITY.read_text(encoding="utf-8") if RELIABILITY.exists() else ""
        pattern = re.compile(
            rf"<!-- figures:{re.escape(key)} -->.*?<!-- /figures:{re.escape(key)} -->", re.DOTALL
        )
        if pattern.search(current):
            updated = pattern.sub(lambda _match: block, current)
        else:
            updated = current.rstrip() + "\n\n" + block + "\n"
        RELIABILITY.write_text(updated, encoding="utf-8")
