"""Loads demo.yaml through the domain services; running it twice changes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml
from sqlalchemy.orm import Session

from tsunagari.dates import PartialDate, parse_date
from tsunagari.demo.activities import load_demo_activities
from tsunagari.demo.benefits import load_demo_benefits
from tsunagari.demo.exchange import load_exchange_demo
from tsunagari.demo.seeking import load_seeking_profiles
from tsunagari.errors import InvalidInput
from tsunagari.exchange import programme_service
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.names import service as names_service
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.models import Organisation
from tsunagari.organisation.schemas import OrganisationCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.reference import countries


@dataclass
class DemoSummary:
    municipalities_created: int = 0
    municipalities_updated: int = 0
    organisations_created: int = 0
    partnerships: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0})


def read_demo_data() -> dict[str, Any]:
    text = resources.files("tsunagari.demo").joinpath("data/demo.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise InvalidInput("demo.yaml must be a mapping")
    return data


def _date(text: object, field_name: str) -> PartialDate | None:
    if text is None or str(text).strip() == "":
        return None
    return parse_date(str(text), field=field_name)


def _source_text(sources: dict[str, dict[str, Any]], ids: list[str] | str | None) -> str | None:
    if not ids:
        return None
    id_list = [ids] if isinstance(ids, str) else [str(i) for i in ids]
    parts = []
    for source_id in id_list:
        meta = sources.get(source_id, {})
        title = meta.get("title")
        publisher = meta.get("publisher")
        parts.append(f"seed {source_id}" + (f": {publisher}「{title}」" if title else ""))
    return "; ".join(parts)


def _measure(entry: dict[str, Any], name: str) -> tuple[Any, PartialDate | None, str | None]:
    value = entry.get(name)
    if not isinstance(value, dict):
        return value, None, None
    as_of = _date(value.get("as_of"), f"{name}.as_of")
    source = value.get("source")
    return value.get("value"), as_of, f"seed {source}" if source else None


def _municipality_values(entry: dict[str, Any], source: str | None) -> dict[str, Any]:
    population, population_as_of, population_source = _measure(entry, "population")
    area, area_as_of, area_source = _measure(entry, "area_km2")
    merged_on = _date(entry.get("merged_on"), "merged_on")
    values: dict[str, Any] = {
        "name_en": entry.get("name_en"),
        "kana": entry.get("kana"),
        "local_name": entry.get("local_name"),
        "population": population,
        "population_as_of": population_as_of.value if population_as_of else None,
        "population_as_of_precision": population_as_of.precision if population_as_of else None,
        "population_source": population_source,
        "area_km2": area,
        "area_as_of": area_as_of.value if area_as_of else None,
        "area_as_of_precision": area_as_of.precision if area_as_of else None,
        "area_source": area_source,
        "overview_ja": entry.get("overview_ja"),
        "overview_en": entry.get("overview_en"),
        "website": entry.get("website"),
        "merged_on": merged_on.value if merged_on else None,
        "merged_on_precision": merged_on.precision if merged_on else None,
        "lat": entry.get("lat"),
        "lng": entry.get("lng"),
    }
    if entry.get("status"):
        values["status"] = entry["status"]
    if source:
        values["source"] = source
    return {k: v for k, v in values.items() if v is not None}


def _region(entry: dict[str, Any]) -> tuple[str | None, str | None]:
    """(region as shown, ISO 3166-2 code): an ISO code in the data is shown by its name."""
    region = entry.get("region")
    if not region:
        return None, None
    if re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", str(region)):
        try:
            found = countries.subdivision(str(region))
        except InvalidInput:
            return str(region), None
        return found.name_ja or found.name, found.code
    return str(region), None


def _same_municipality(session: Session, entry: dict[str, Any], region: str | None) -> Municipality | None:
    """The registry record an entry without a JIS code stands for: the same name in the same country and,
    for Japan, the same prefecture (新潟県の旧小国町 is never 山形県小国町); None when there is none yet."""
    found = [
        m
        for m in municipality_service.find_by_name(
            session=session, name=entry["name"], country=str(entry["country"]), region=region
        )
        if m.name == entry["name"]
    ]
    if str(entry["country"]).upper() == "JP" and not found:
        raise InvalidInput(
            "no such municipality in this prefecture in the reference data (a former one belongs in "
            "reference/data/jp_former_municipalities.csv)",
            field="name",
            value=f"{region or ''}{entry['name']}",
        )
    if len(found) > 1:
        raise InvalidInput(
            f"{len(found)} municipalities have this name; give the region", field="name", value=entry["name"]
        )
    return found[0] if found else None


def _place_from_gazetteer(session: Session, municipality: Municipality) -> None:
    """Coordinates for a foreign partner from GeoNames, when its English name matches one place exactly."""
    if municipality.country == "JP" or municipality.lat is not None or municipality.status != "existing":
        return
    for written in (municipality.name_en, municipality.local_name, municipality.name):
        if not written:
            continue
        resolution = names_service.resolve(
            session=session, text=written, country=municipality.country, fuzzy=False, use_registry=False
        )
        match = resolution.match
        if match is not None and match.source == "gazetteer":
            municipality.geonameid = match.id
            municipality.lat, municipality.lng = match.lat, match.lng
            return


def load_demo(*, session: Session) -> DemoSummary:
    data = read_demo_data()
    summary = DemoSummary()
    sources = {str(s["id"]): s for s in data.get("sources", [])}
    by_key: dict[str, Municipality | Organisation] = {}

    for entry in data.get("municipalities", []):
        source = _source_text(sources, entry.get("sources"))
        values = _municipality_values(entry, source)
        region, region_code = _region(entry)
        if region_code:
            values["region_code"] = region_code
        aliases = list(entry.get("aliases") or [])
        municipality: Municipality | None = None
        if entry.get("jis_code"):
            municipality = municipality_service.get_by_jis_code(
                session=session, jis_code=str(entry["jis_code"])
            )
            if municipality is None:
                raise InvalidInput(
                    "no such municipality in the reference data; run `tsunagari init` first",
                    field="jis_code",
                    value=entry["jis_code"],
                )
        else:
            municipality = _same_municipality(session, entry, region)
        if municipality is None:
            municipality = municipality_service.create(
                session=session,
                data=MunicipalityCreate(
                    name=entry["name"],
                    country=entry["country"],
                    kind=entry.get("kind", "city"),
                    region=region,
                    aliases=aliases,
                    **values,
                ),
            )
            _place_from_gazetteer(session, municipality)
            summary.municipalities_created += 1
        else:
            changes = {k: v for k, v in values.items() if getattr(municipality, k) != v}
            if region and not municipality.region:
                changes["region"] = region
            if changes:
                municipality_service.update(session=session, municipality=municipality, changes=changes)
                summary.municipalities_updated += 1
            municipality_service.add_aliases(session=session, municipality=municipality, names=aliases)
        by_key[entry["key"]] = municipality

    for entry in data.get("municipalities", []):
        successor_key = entry.get("merged_into")
        if successor_key:
            former = by_key[entry["key"]]
            successor = by_key[successor_key]
            assert isinstance(former, Municipality) and isinstance(successor, Municipality)
            if former.merged_into_id != successor.id:
                former.merged_into_id = successor.id
                former.status = "merged"

    for entry in data.get("organisations", []):
        existing = organisation_service.find_by_name(session=session, name=entry["name"])
        if existing is not None:
            by_key[entry["key"]] = existing
            continue
        founded = _date(entry.get("founded_on"), "founded_on")
        members, members_as_of, _ = _measure(entry, "members")
        seat = by_key.get(entry.get("municipality") or "")
        organisation = organisation_service.create(
            session=session,
            data=OrganisationCreate(
                name=entry["name"],
                name_en=entry.get("name_en"),
                kind=entry.get("kind", "other"),
                municipality_id=seat.id if isinstance(seat, Municipality) else None,
                founded_on=founded.value if founded else None,
                founded_on_precision=founded.precision if founded else None,
                members_count=members,
                members_approximate=bool(
                    isinstance(entry.get("members"), dict) and entry["members"].get("approximate")
                ),
                members_as_of=members_as_of.value if members_as_of else None,
                members_as_of_precision=members_as_of.precision if members_as_of else None,
                overview_ja=entry.get("overview_ja"),
                overview_en=entry.get("overview_en"),
                website=entry.get("website"),
                source=_source_text(sources, entry.get("sources")),
            ),
        )
        by_key[entry["key"]] = organisation
        summary.organisations_created += 1

    for entry in data.get("partnerships", []):
        home = by_key[entry["home"]]
        partner = by_key[entry["partner"]]
        signed = _date(entry.get("signed_on"), "signed_on")
        via = by_key.get(entry.get("via") or "")
        data_in = PartnershipCreate(
            home_municipality_id=home.id if isinstance(home, Municipality) else None,
            home_organisation_id=home.id if isinstance(home, Organisation) else None,
            partner_municipality_id=partner.id if isinstance(partner, Municipality) else None,
            partner_organisation_id=partner.id if isinstance(partner, Organisation) else None,
            partner_written_name=partner.name,
            type=entry["type"],
            signed_on=signed.value if signed else None,
            signed_on_precision=signed.precision if signed else None,
            status=entry.get("status") or "active",
            origin=entry.get("origin"),
            fields=entry.get("fields") or [],
            notes=entry.get("notes"),
            inherited_through_merger=bool(entry.get("inherited_through_merger")),
            via_municipality_id=via.id if isinstance(via, Municipality) else None,
            source=_source_text(sources, entry.get("sources")),
        )
        _, outcome = partnership_service.upsert(session=session, data=data_in)
        summary.partnerships[outcome] += 1
    load_exchange_demo(
        session=session, data=data, by_key=by_key, source_text=lambda ids: _source_text(sources, ids)
    )
    # A tie has spread to the fields of the programmes its two parties run together (after its own).
    partnership_service.take_up_fields(
        session=session, by_pair=programme_service.fields_by_pair(session=session)
    )
    load_seeking_profiles(session=session)
    load_demo_activities(session=session, by_key=by_key, sources=sources)
    load_demo_benefits(session=session)
    session.flush()
    return summary
