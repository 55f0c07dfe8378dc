"""The demo's activity records for FY2015–FY2025 and one programme's 事務事業評価 inputs
(data/activities.yaml), written through the exchange and evaluation services after demo.yaml; running
it twice changes nothing.

Every record here is illustrative (作例) built on a seed's facts, and its source says so.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from tsunagari.dates import PartialDate, parse_date
from tsunagari.errors import InvalidInput
from tsunagari.evaluation import sheet_service
from tsunagari.exchange import activity_service, programme_service
from tsunagari.exchange.models import Programme
from tsunagari.exchange.schemas import PartnerIn, PartyRef
from tsunagari.municipality.models import Municipality
from tsunagari.organisation.models import Organisation
from tsunagari.partnership import service as partnership_service
from tsunagari.policy import service as policy_service

DATA_DIR = Path(__file__).parent / "data"
ACTIVITIES_FILE = DATA_DIR / "activities.yaml"
DEMO_FILE = DATA_DIR / "demo.yaml"

Party = Municipality | Organisation


def read_activity_data(path: Path = ACTIVITIES_FILE) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise InvalidInput("activities.yaml must be a mapping", field="activities.yaml")
    return data


def _date(text: object, field_name: str) -> PartialDate | None:
    if text is None or str(text).strip() == "":
        return None
    return parse_date(str(text), field=field_name)


class _ActivityLoader:
    def __init__(self, session: Session, by_key: dict[str, Any], sources: dict[str, dict[str, Any]]) -> None:
        self.session = session
        self.by_key = by_key
        self.sources = sources
        self.programmes: dict[str, Programme] = {}
        self.counts: Counter[str] = Counter()
        self.illustrative = ""

    def source(self, ids: list[str] | None) -> str:
        """例示 first, then the seed(s) the record is built on: a reader never takes it for real data."""
        seeds = []
        for source_id in ids or []:
            meta = self.sources.get(str(source_id), {})
            seeds.append(f"seed {source_id}: {meta.get('publisher', '')}「{meta.get('title', '')}」")
        return f"{self.illustrative}; 基にした資料 / built on: {'; '.join(seeds)}"[:500]

    def party(self, key: object, field_name: str) -> Party:
        found = self.by_key.get(str(key))
        if not isinstance(found, Municipality | Organisation):
            raise InvalidInput("no such key in demo.yaml", field=field_name, value=key)
        return found

    @staticmethod
    def ref(party: Party) -> PartyRef:
        if isinstance(party, Municipality):
            return PartyRef(municipality_id=party.id)
        return PartyRef(organisation_id=party.id)

    @staticmethod
    def key(party: Party) -> str:
        if isinstance(party, Municipality):
            return partnership_service.party_key(party.id, None)
        return partnership_service.party_key(None, party.id)

    def known_programmes(self, entries: list[dict[str, Any]]) -> None:
        """demo.yaml's programmes by their key, as its loader left them."""
        for entry in entries:
            owners = [self.ref(self.party(key, "owners")) for key in entry["owners"]]
            found = programme_service.find_programme(
                session=self.session, owners=owners, title=entry["title"], format=entry["format"]
            )
            if found is not None:
                self.programmes[entry["key"]] = found

    def programme(self, entry: dict[str, Any]) -> None:
        owners = [self.party(key, "owners") for key in entry["owners"]]
        link = entry["partnership"]
        home, partner = owners[0], self.party(link["partner"], "partnership.partner")
        tie = partnership_service.find(
            session=self.session,
            home_party=self.key(home),
            partner_party=self.key(partner),
            type_=link["type"],
            either_direction=True,
        )
        if tie is None:
            raise InvalidInput("no such partnership in the demo", field="partnership", value=entry["key"])
        result = programme_service.upsert_programme(
            session=self.session,
            data={
                "title": entry["title"],
                "format": entry["format"],
                "owners": [self.ref(owner) for owner in owners],
                "partners": [
                    PartnerIn(**self.ref(self.party(key, "partners")).model_dump())
                    for key in entry["partners"]
                ],
                "fields": entry.get("fields") or [],
                "actors": entry.get("actors") or [],
                "description": entry.get("description"),
                "source": self.source(entry.get("sources")),
                "partnership_id": tie.id,
            },
        )
        self.counts[f"programmes_{result.outcome}"] += 1
        self.programmes[entry["key"]] = result.programme

    def activity(self, entry: dict[str, Any]) -> None:
        programme = self.programmes.get(entry["programme"])
        if programme is None:
            raise InvalidInput("no such programme key", field="programme", value=entry["programme"])
        start = _date(entry.get("start_on"), "start_on")
        end = _date(entry.get("end_on"), "end_on")
        if activity_service.find_activity(
            session=self.session,
            programme_id=programme.id,
            title=entry["title"],
            start_on=start.value if start else None,
        ):
            self.counts["activities_unchanged"] += 1
            return
        copied = (
            "direction",
            "place",
            "public_cost",
            "private_cost",
            "purpose",
            "purpose_published_on",
            "report_published_on",
            "report_medium",
            "outcomes",
        )
        data = {
            "programme_id": programme.id,
            "title": entry["title"],
            "start_on": start.value if start else None,
            "start_on_precision": start.precision if start else None,
            "end_on": end.value if end else None,
            "end_on_precision": end.precision if end else None,
            "participants": entry.get("participants") or {},
            # 交流分野: the entry's own, else (None) the programme's.
            "fields": entry.get("fields"),
            "official_visit": bool(entry.get("official_visit")),
            **{name: entry.get(name) for name in copied},
            "source": self.source(entry.get("sources")),
        }
        if entry.get("official_visit"):
            # An official visit is a 訪問計画 under the visiting municipality's policy: the reports' policy
            # compliance (purpose published before, report within the deadline) counts these.
            policy_service.create_visit(session=self.session, data={**data, **self.visit(programme, entry)})
            self.counts["visits_created"] += 1
        else:
            activity_service.record_activity(session=self.session, data=data)
        self.counts["activities_created"] += 1

    def visit(self, programme: Programme, entry: dict[str, Any]) -> dict[str, Any]:
        """Who visits (the programme's first owner) and where (the other side of the programme's tie)."""
        owner = programme.owners[0].municipality_id
        if owner is None:
            raise InvalidInput("an official visit needs a municipality as owner", field="official_visit")
        destination = None
        if programme.partnership_id is not None:
            tie = partnership_service.get(session=self.session, partnership_id=programme.partnership_id)
            sides = (tie.home_municipality_id, tie.partner_municipality_id)
            destination = next((side for side in sides if side is not None and side != owner), None)
        return {
            "municipality_id": owner,
            "destination_municipality_id": destination,
            "destination_text": None if destination else entry.get("place"),
            "citizen_meeting_on": entry.get("citizen_meeting_on"),
        }

    def labour_cost(self, entry: dict[str, Any]) -> None:
        municipality = self.party(entry["municipality"], "municipality")
        if sheet_service.labour_cost_for(session=self.session, municipality_id=municipality.id) is None:
            sheet_service.create_labour_cost(
                session=self.session,
                data={
                    "municipality_id": municipality.id,
                    "yen_per_fte": entry["yen_per_fte"],
                    "note": entry.get("note"),
                },
            )
            self.counts["labour_costs_created"] += 1

    def sheet(self, entry: dict[str, Any]) -> None:
        programme = self.programmes.get(entry["programme"])
        if programme is None:
            raise InvalidInput("no such programme key", field="sheets.programme", value=entry["programme"])
        values = {key: value for key, value in entry.items() if key not in ("programme", "years")}
        if sheet_service.sheet_for(session=self.session, programme_id=programme.id) is None:
            sheet_service.create_sheet(session=self.session, data={"programme_id": programme.id, **values})
            self.counts["sheets_created"] += 1
        entered = {
            year.fiscal_year
            for year in sheet_service.years_for(session=self.session, programme_id=programme.id)
        }
        for year in entry.get("years") or []:
            if year["fiscal_year"] not in entered:
                sheet_service.create_year(session=self.session, data={"programme_id": programme.id, **year})
                self.counts["sheet_years_created"] += 1


def load_demo_activities(
    *, session: Session, by_key: dict[str, Any], sources: dict[str, dict[str, Any]]
) -> dict[str, int]:
    """Load activities.yaml; `by_key` holds demo.yaml's municipalities and organisations by key (as
    load_demo left them) and `sources` its seed list. Returns counts by what happened."""
    data = read_activity_data()
    demo = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    loader = _ActivityLoader(session, by_key, sources)
    loader.illustrative = str(data.get("illustrative") or "例示 / illustrative")
    loader.known_programmes(list(demo.get("programmes") or []))
    for entry in data.get("programmes") or []:
        loader.programme(entry)
    for entry in data.get("activities") or []:
        loader.activity(entry)
    for entry in data.get("labour_costs") or []:
        loader.labour_cost(entry)
    for entry in data.get("sheets") or []:
        loader.sheet(entry)
    session.flush()
    return dict(loader.counts)
