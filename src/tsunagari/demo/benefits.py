"""The demo's citizen benefits (data/benefits.yaml), written through the benefit service under the demo's
one permission check (demo.actions.load_demo_data), as the rest of the demo is; running it twice changes
nothing."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput
from tsunagari.exchange import benefit_service, programme_service
from tsunagari.municipality import service as municipality_service
from tsunagari.partnership import service as partnership_service

BENEFITS_FILE = Path(__file__).parent / "data" / "benefits.yaml"


def _source(entry: Mapping[str, Any]) -> str:
    """ "seed 000; 例示: …": the seed label (shown to citizens as the document's title) and the note."""
    return "; ".join(
        f"seed {part}" if str(part).isdigit() else str(part) for part in entry.get("sources") or []
    )


def _partnership_id(session: Session, municipality_id: int, partner: str | None) -> int | None:
    if not partner:
        return None
    for p in partnership_service.for_municipality(session=session, municipality_id=municipality_id):
        other = p.partner_municipality if p.home_municipality_id == municipality_id else p.home_municipality
        if other is not None and other.name == partner:
            return p.id
    raise InvalidInput("the demo names no such partnership", field="partner", value=partner)


def _programme_id(session: Session, title: str | None) -> int | None:
    if not title:
        return None
    found = [p for p in programme_service.search_programmes(session=session, q=title) if p.title == title]
    if len(found) != 1:
        raise InvalidInput("the demo names no single programme", field="programme", value=title)
    return found[0].id


def load_demo_benefits(*, session: Session) -> int:
    """Add each benefit its municipality does not have yet (same title); returns how many were added."""
    data = yaml.safe_load(BENEFITS_FILE.read_text(encoding="utf-8"))
    added = 0
    for entry in data["benefits"]:
        municipality = municipality_service.get_by_jis_code(
            session=session, jis_code=str(entry["municipality"])
        )
        if municipality is None:
            raise InvalidInput(
                "no such municipality; run `tsunagari init` first",
                field="municipality",
                value=entry["municipality"],
            )
        known = {
            b.title for b in benefit_service.list_benefits(session=session, municipality_id=municipality.id)
        }
        if entry["title"] in known:
            continue
        values = {
            k: v for k, v in entry.items() if k not in ("municipality", "partner", "programme", "sources")
        }
        benefit_service.create_benefit(
            session=session,
            data={
                **values,
                "municipality_id": municipality.id,
                "partnership_id": _partnership_id(session, municipality.id, entry.get("partner")),
                "programme_id": _programme_id(session, entry.get("programme")),
                "source": _source(entry),
            },
        )
        added += 1
    return added
