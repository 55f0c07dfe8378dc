"""Loads the exchange sections of demo.yaml (networks, programmes, activities, awards) through the
exchange service; like the rest of the demo, running it twice changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.dates import PartialDate, parse_date
from tsunagari.errors import InvalidInput
from tsunagari.exchange import activity_service, award_service, network_service, programme_service
from tsunagari.exchange.models import Network, Programme
from tsunagari.exchange.schemas import PartnerIn, PartyRef
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.models import Organisation
from tsunagari.organisation.schemas import OrganisationCreate
from tsunagari.partnership import service as partnership_service

Party = Municipality | Organisation
SourceText = Callable[[Any], str | None]


def _date(text: object, field_name: str) -> PartialDate | None:
    if text is None or str(text).strip() == "":
        return None
    return parse_date(str(text), field=field_name)


class _Loader:
    """Looks up the parties the YAML names: a key of the demo, or {name, region, country} in the registry."""

    def __init__(self, session: Session, by_key: dict[str, Any], source_text: SourceText) -> None:
        self.session = session
        self.by_key: dict[str, Any] = by_key
        self.source_text = source_text
        self.networks: dict[str, Network] = {}
        self.programmes: dict[str, Programme] = {}
        self.counts: Counter[str] = Counter()

    def party(self, ref: object, field_name: str) -> Party:
        if isinstance(ref, str):
            found = self.by_key.get(ref)
            if not isinstance(found, Municipality | Organisation):
                raise InvalidInput("no such key in demo.yaml", field=field_name, value=ref)
            return found
        if isinstance(ref, dict) and ref.get("name"):
            matches = municipality_service.find_by_name(
                session=self.session,
                name=str(ref["name"]),
                country=str(ref.get("country") or "JP"),
                region=ref.get("region"),
            )
            if len(matches) != 1:
                raise InvalidInput(
                    f"{len(matches)} municipalities match; add region", field=field_name, value=ref["name"]
                )
            return matches[0]
        raise InvalidInput("give a key or {name: …}", field=field_name, value=ref)

    @staticmethod
    def ref(party: Party) -> PartyRef:
        if isinstance(party, Municipality):
            return PartyRef(municipality_id=party.id)
        return PartyRef(organisation_id=party.id)

    # ------------------------------------------------------------------ places and bodies
    def municipality(self, entry: dict[str, Any]) -> None:
        country = str(entry["country"]).upper()
        # Same name, same country and (when the entry gives one) same region: the two ニューキャッスル市
        # of seed 001 are two cities, and a Japanese namesake is never a foreign entry's record.
        namesakes = municipality_service.find_by_name(
            session=self.session, name=entry["name"], country=country, region=entry.get("region")
        )
        same = [m for m in namesakes if m.name == entry["name"]]
        if len(same) > 1:
            raise InvalidInput(
                "several municipalities have this name; give the region", field="name", value=entry["name"]
            )
        existing = same[0] if same else None
        if existing is None:
            existing = municipality_service.create(
                session=self.session,
                data=MunicipalityCreate(
                    name=entry["name"],
                    name_en=entry.get("name_en"),
                    local_name=entry.get("local_name"),
                    aliases=list(entry.get("aliases") or []),
                    country=country,
                    region=entry.get("region"),
                    kind=entry.get("kind", "city"),
                    source=self.source_text(entry.get("sources")),
                ),
            )
            self.counts["municipalities"] += 1
        self.by_key[entry["key"]] = existing

    def organisation(self, entry: dict[str, Any]) -> None:
        existing = organisation_service.find_by_name(session=self.session, name=entry["name"])
        if existing is None:
            seat = self.by_key.get(entry.get("municipality") or "")
            existing = organisation_service.create(
                session=self.session,
                data=OrganisationCreate(
                    name=entry["name"],
                    name_en=entry.get("name_en"),
                    kind=entry.get("kind", "other"),
                    municipality_id=seat.id if isinstance(seat, Municipality) else None,
                    overview_ja=entry.get("overview_ja"),
                    source=self.source_text(entry.get("sources")),
                ),
            )
            self.counts["organisations"] += 1
        self.by_key[entry["key"]] = existing

    # ------------------------------------------------------------------ networks
    def network(self, entry: dict[str, Any]) -> None:
        secretariat = self.party(entry["secretariat"], "secretariat") if entry.get("secretariat") else None
        founded = _date(entry.get("founded_on"), "founded_on")
        count = entry.get("member_count") or {}
        as_of = _date(count.get("as_of"), "member_count.as_of")
        network, outcome = network_service.upsert_network(
            session=self.session,
            data={
                "name": entry["name"],
                "name_en": entry.get("name_en"),
                "kind": entry.get("kind", "association"),
                "description": entry.get("description"),
                "secretariat_municipality_id": secretariat.id
                if isinstance(secretariat, Municipality)
                else None,
                "secretariat_organisation_id": secretariat.id
                if isinstance(secretariat, Organisation)
                else None,
                "secretariat_text": entry.get("secretariat_text"),
                "founded_fy": entry.get("founded_fy"),
                "founded_on": founded.value if founded else None,
                "founded_on_precision": founded.precision if founded else None,
                "member_count": count.get("value"),
                "member_count_as_of": as_of.value if as_of else None,
                "member_count_as_of_precision": as_of.precision if as_of else None,
                "member_count_note": count.get("note"),
                "rotation": entry.get("rotation"),
                "fields": entry.get("fields") or [],
                "subcommittees": entry.get("subcommittees") or [],
                "url": entry.get("url"),
                "source": self.source_text(entry.get("sources")),
            },
        )
        self.counts[f"networks_{outcome}"] += 1
        self.networks[entry["key"]] = network
        for member in entry.get("members") or []:
            party = self.party(member["party"], "members.party")
            _, outcome = network_service.add_membership(
                session=self.session,
                data={
                    "network_id": network.id,
                    **self.ref(party).model_dump(),
                    "role": member.get("role", "member"),
                    "joined_fy": member.get("joined_fy"),
                    "notes": member.get("notes"),
                    "source": self.source_text(member.get("sources") or entry.get("sources")),
                },
            )
            self.counts[f"memberships_{outcome}"] += 1
        for meeting in entry.get("meetings") or []:
            held = _date(meeting.get("held_on"), "meetings.held_on")
            host = self.party(meeting["host"], "meetings.host") if meeting.get("host") else None
            _, outcome = network_service.add_meeting(
                session=self.session,
                data={
                    "network_id": network.id,
                    "title": meeting.get("title"),
                    "fiscal_year": meeting.get("fiscal_year"),
                    "held_on": held.value if held else None,
                    "held_on_precision": held.precision if held else None,
                    "host_municipality_id": host.id if isinstance(host, Municipality) else None,
                    "place": meeting.get("place"),
                    "participating_count": meeting.get("participating"),
                    "notes": meeting.get("notes"),
                    "source": self.source_text(meeting.get("sources") or entry.get("sources")),
                },
            )
            self.counts[f"meetings_{outcome}"] += 1

    # ------------------------------------------------------------------ programmes
    def partner(self, item: object) -> PartnerIn:
        if isinstance(item, str) or (isinstance(item, dict) and "name" in item):
            party = self.party(item, "partners")
            return PartnerIn(**self.ref(party).model_dump())
        if not isinstance(item, dict):
            raise InvalidInput("give a key, {party: …, written: …} or {written: …}", field="partners")
        written = item.get("written")
        if item.get("party"):
            party = self.party(item["party"], "partners.party")
            return PartnerIn(**self.ref(party).model_dump(), written_name=written)
        # A partner the source names but the demo does not place: kept as written.
        return PartnerIn(written_name=written, country=item.get("country"), region=item.get("region"))

    def programme(self, entry: dict[str, Any]) -> None:
        owners = [self.party(owner, "owners") for owner in entry["owners"]]
        started = _date(entry.get("started_on"), "started_on")
        partnership_id = None
        if entry.get("partnership"):
            link = entry["partnership"]
            home = self.party(link.get("home") or entry["owners"][0], "partnership.home")
            partner = self.party(link["partner"], "partnership.partner")
            found = partnership_service.find(
                session=self.session,
                home_party=partnership_service.party_key(*self._ids(home)),
                partner_party=partnership_service.party_key(*self._ids(partner)),
                type_=link["type"],
                either_direction=True,
            )
            if found is None:
                raise InvalidInput("no such partnership in the demo", field="partnership", value=entry["key"])
            partnership_id = found.id
        urls = list(entry.get("urls") or ([entry["url"]] if entry.get("url") else []))
        network = self.networks.get(entry.get("network") or "")
        result = programme_service.upsert_programme(
            session=self.session,
            data={
                "title": entry["title"],
                "title_note": entry.get("title_note"),
                "format": entry["format"],
                "owners": [self.ref(owner) for owner in owners],
                "partners": [self.partner(item) for item in entry.get("partners") or []],
                "fields": entry.get("fields") or [],
                "fiscal_years_text": entry.get("fiscal_years"),
                "started_on": started.value if started else None,
                "started_on_precision": started.precision if started else None,
                "schedule": entry.get("schedule"),
                "description": entry.get("description"),
                "results": entry.get("results"),
                "organiser_text": entry.get("organiser"),
                "urls": urls,
                "source_url": urls[0] if urls else None,
                "source": self.source_text(entry.get("sources")),
                "actors": entry.get("actors") or [],
                "network_id": network.id if network else None,
                "partnership_id": partnership_id,
            },
        )
        self.counts[f"programmes_{result.outcome}"] += 1
        self.programmes[entry["key"]] = result.programme

    @staticmethod
    def _ids(party: Party) -> tuple[int | None, int | None]:
        return (party.id, None) if isinstance(party, Municipality) else (None, party.id)

    def activity(self, entry: dict[str, Any]) -> None:
        programme = self.programmes.get(entry["programme"])
        if programme is None:
            raise InvalidInput(
                "no such programme key in demo.yaml", field="programme", value=entry["programme"]
            )
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
        activity_service.record_activity(
            session=self.session,
            data={
                "programme_id": programme.id,
                "title": entry["title"],
                "start_on": start.value if start else None,
                "start_on_precision": start.precision if start else None,
                "end_on": end.value if end else None,
                "end_on_precision": end.precision if end else None,
                "direction": entry.get("direction"),
                "place": entry.get("place"),
                "participants": entry.get("participants") or {},
                "public_cost": entry.get("public_cost"),
                "private_cost": entry.get("private_cost"),
                "official_visit": bool(entry.get("official_visit")),
                "purpose": entry.get("purpose"),
                "outcomes": entry.get("outcomes"),
                "source": self.source_text(entry.get("sources")),
            },
        )
        self.counts["activities_created"] += 1

    def award(self, entry: dict[str, Any]) -> None:
        recipient = self.party(entry["recipient"], "recipient")
        partners = [self.party(key, "partners") for key in entry.get("partners") or []]
        programme = self.programmes.get(entry.get("programme") or "")
        _, outcome = award_service.upsert_award(
            session=self.session,
            data={
                "name": entry["name"],
                "prize": entry.get("prize") or "",
                "edition": entry.get("edition"),
                "fiscal_year": entry.get("fiscal_year"),
                "awarded_by": entry.get("awarded_by"),
                "recipient": self.ref(recipient),
                "partner_municipality_ids": [p.id for p in partners if isinstance(p, Municipality)],
                "programme_id": programme.id if programme else None,
                "citation": entry.get("citation"),
                "evaluation_points": entry.get("evaluation_points") or [],
                "url": entry.get("url"),
                "source": self.source_text(entry.get("sources")),
            },
        )
        self.counts[f"awards_{outcome}"] += 1


def load_exchange_demo(
    *, session: Session, data: dict[str, Any], by_key: dict[str, Any], source_text: SourceText
) -> dict[str, int]:
    """Load the exchange sections; `by_key` holds the municipalities and organisations already loaded
    (by their demo key) and gains the ones these sections add. Returns counts by what happened."""
    loader = _Loader(session, by_key, source_text)
    for entry in data.get("exchange_municipalities") or []:
        loader.municipality(entry)
    for entry in data.get("exchange_organisations") or []:
        loader.organisation(entry)
    for entry in data.get("networks") or []:
        loader.network(entry)
    for entry in data.get("programmes") or []:
        loader.programme(entry)
    for entry in data.get("activities") or []:
        loader.activity(entry)
    for entry in data.get("awards") or []:
        loader.award(entry)
    session.flush()
    return dict(loader.counts)
