"""The demo's partner-seeking profiles (data/seeking.yaml), written through the matching service under the
demo's one permission check (demo.actions.load_demo_data), as the rest of the demo is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput, parse
from tsunagari.matching import service as matching_service
from tsunagari.matching.schemas import SeekingProfileCreate
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality

SEEKING_FILE = Path(__file__).parent / "data" / "seeking.yaml"


def _municipality(session: Session, entry: dict[str, Any]) -> Municipality:
    if entry.get("jis_code"):
        found = municipality_service.get_by_jis_code(session=session, jis_code=str(entry["jis_code"]))
        if found is None:
            raise InvalidInput(
                "no such municipality; run `tsunagari init` first", field="jis_code", value=entry["jis_code"]
            )
        return found
    candidates = [
        m
        for m in municipality_service.find_by_name(
            session=session, name=entry["name_en"], country=entry["country"]
        )
        if m.name_en == entry["name_en"]
    ]
    if len(candidates) != 1:
        raise InvalidInput("the demo names no single municipality", field="name_en", value=entry["name_en"])
    return candidates[0]


def load_seeking_profiles(*, session: Session) -> int:
    """Add each profile the municipality does not have yet (idempotent); returns how many were added."""
    data = yaml.safe_load(SEEKING_FILE.read_text(encoding="utf-8"))
    added = 0
    for entry in data["profiles"]:
        municipality = _municipality(session, entry)
        if matching_service.profile_of(session=session, municipality_id=municipality.id) is not None:
            continue
        values = {k: v for k, v in entry.items() if k not in ("jis_code", "name_en", "country")}
        matching_service.create_profile(
            session=session, data=parse(SeekingProfileCreate, {"municipality_id": municipality.id, **values})
        )
        added += 1
    return added
