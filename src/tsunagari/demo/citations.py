"""How a citizen sees a source: the document's publisher and title (武蔵野市「つながれば広がる …」), never the
demo's internal label ("seed 003: …"); the stored text keeps the label, for staff and exports to trace."""

from __future__ import annotations

import re
from functools import lru_cache

from tsunagari.demo.service import read_demo_data

_LABEL = re.compile(r"^seed (\d+)(?::\s*(.*))?$", re.DOTALL)


@lru_cache(maxsize=1)
def _documents() -> dict[str, str]:
    """The seed documents of demo.yaml's `sources` section, by id, as 発行者「表題」."""
    found: dict[str, str] = {}
    for entry in read_demo_data().get("sources") or []:
        title, publisher = entry.get("title"), entry.get("publisher")
        if title:
            found[str(entry["id"])] = f"{publisher}「{title}」" if publisher else f"「{title}」"
    return found


def citation(text: str | None) -> str | None:
    """A stored source as shown on public pages: each "seed NNN[: …]" part replaced by its document's
    publisher and title (the text after the label when the id is unknown), duplicates dropped."""
    if not text:
        return None
    shown: list[str] = []
    for part in (p.strip() for p in text.split(";")):
        match = _LABEL.match(part)
        if match:
            part = _documents().get(match.group(1)) or (match.group(2) or "").strip()
        if part and part not in shown:
            shown.append(part)
    return "; ".join(shown) or None
