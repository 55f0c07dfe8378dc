"""The brochure (交流パンフレット) of one municipality, in the spirit of seed 000: its profile, each partner
with how its exchange runs and the programmes run with it, and maps; read only, built from the records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tsunagari.common.fields import FIELD_LABELS
from tsunagari.dates import fiscal_year_of
from tsunagari.demo.citations import citation
from tsunagari.exchange import programme_service
from tsunagari.exchange.models import Programme
from tsunagari.municipality.models import Municipality
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import NOT_IN_FORCE, PARTNERSHIP_TYPE_LABELS, Partnership
from tsunagari.reference.service import GEONAMES_POPULATION_SOURCE
from tsunagari.reports.charts import data_uri
from tsunagari.reports.maps import Place, partner_map
from tsunagari.reports.output import environment, pdf_from_html


@dataclass(frozen=True)
class BrochureProgramme:
    id: int
    title: str
    description: str | None
    schedule: str | None
    fields: tuple[str, ...]
    activities_recent: int
    """Activities in the last five fiscal years up to the brochure's date."""
    last_activity: dt.date | None


@dataclass(frozen=True)
class BrochurePartner:
    number: int
    name: str
    name_en: str | None
    country: str | None
    region: str | None
    type_label: str
    """Each tie's type with its signing date (提携年月日) as the records give it."""
    how: str | None
    """How the exchange runs: the tie's origin (契機) and notes, in the records' words."""
    fields: tuple[str, ...]
    population: int | None
    area_km2: float | None
    overview: str | None
    programmes: tuple[BrochureProgramme, ...]


@dataclass(frozen=True)
class Brochure:
    municipality_id: int
    name: str
    name_en: str | None
    region: str | None
    population: int | None
    population_as_of: str | None
    area_km2: float | None
    overview: str | None
    domestic: tuple[BrochurePartner, ...]
    international: tuple[BrochurePartner, ...]
    maps: tuple[tuple[str, str], ...]
    """(title, data URI of the SVG) per map: Japan for domestic partners, the world for the others."""
    as_of: dt.date
    population_source: str | None = None
    """出典 of the population, as the municipality page names it (GeoNames, or the document)."""
    area_as_of: str | None = None
    area_source: str | None = None


def _figure_source(text: str | None) -> str | None:
    """A figure's source as the brochure prints it: GeoNames for the figure init took from it (its licence
    is credited on /data), else the record's citation."""
    return "GeoNames" if text == GEONAMES_POPULATION_SOURCE else citation(text)


def _date_text(value: dt.date | None, precision: str | None) -> str | None:
    if value is None:
        return None
    if precision == "year":
        return f"{value.year}年"
    if precision == "month":
        return f"{value.year}年{value.month}月"
    return f"{value.year}年{value.month}月{value.day}日"


def _programme(programme: Programme, today: dt.date) -> BrochureProgramme:
    recent_from = fiscal_year_of(today) - 4
    dated = [a.start_on for a in programme.activities if a.start_on is not None and a.start_on <= today]
    return BrochureProgramme(
        programme.id,
        programme.title,
        programme.description,
        programme.schedule,
        tuple(FIELD_LABELS.get(code, (code, code))[0] for code in programme.fields or []),
        sum(1 for day in dated if fiscal_year_of(day) >= recent_from),
        max(dated, default=None),
    )


def _partner_of(partnership: Partnership, me: int) -> Municipality | None:
    if partnership.home_municipality_id == me:
        return partnership.partner_municipality
    return partnership.home_municipality


def build(*, session: Session, municipality: Municipality, today: dt.date) -> Brochure:
    """The brochure of one municipality as of `today`: ties in force, each with the programmes run under it
    or with the partner among the programme's partners."""
    programmes = programme_service.list_programmes(session=session, municipality_id=municipality.id)
    ties = [
        p
        for p in partnership_service.for_municipality(session=session, municipality_id=municipality.id)
        if p.status not in NOT_IN_FORCE
    ]
    # One card per partner: 村山市 and 厚岸町 are tied twice (友好都市, 相互応援), shown once with both.
    by_partner: dict[str, list[Partnership]] = {}
    for tie in ties:
        other = _partner_of(tie, municipality.id)
        key = f"m{other.id}" if other else f"t{tie.id}"
        by_partner.setdefault(key, []).append(tie)
    domestic: list[BrochurePartner] = []
    international: list[BrochurePartner] = []
    places: dict[str, list[tuple[int, Place]]] = {"domestic": [], "international": []}
    for group_ties in by_partner.values():
        first = group_ties[0]
        other = _partner_of(first, municipality.id)
        name = other.name if other else (first.partner_written_name or "—")
        tie_ids = {tie.id for tie in group_ties}
        run = [
            p
            for p in programmes
            if p.partnership_id in tie_ids
            or (other is not None and any(x.municipality_id == other.id for x in p.partners))
        ]
        side = "domestic" if other is None or other.country == municipality.country else "international"
        group = domestic if side == "domestic" else international
        texts = [text for tie in group_ties for text in (tie.origin, tie.notes) if text]
        how = "。".join(text.rstrip("。") for text in texts) + "。" if texts else None
        signed = [
            f"{PARTNERSHIP_TYPE_LABELS.get(tie.type, (tie.type,))[0]}"
            + (f" {_date_text(tie.signed_on, tie.signed_on_precision)}" if tie.signed_on else "")
            for tie in group_ties
        ]
        fields = dict.fromkeys(code for tie in group_ties for code in tie.fields or [])
        number = len(group) + 1
        group.append(
            BrochurePartner(
                number=number,
                name=name,
                name_en=other.name_en if other else None,
                country=other.country if other else None,
                region=other.region if other else None,
                type_label="・".join(signed),
                how=how,
                fields=tuple(FIELD_LABELS.get(code, (code, code))[0] for code in fields),
                population=other.population if other else None,
                area_km2=other.area_km2 if other else None,
                overview=other.overview_ja if other else None,
                programmes=tuple(_programme(p, today) for p in run),
            )
        )
        if other is not None and other.lat is not None and other.lng is not None:
            places[side].append((number, Place(name, other.lat, other.lng)))
    maps: list[tuple[str, str]] = []
    if municipality.lat is not None and municipality.lng is not None:
        home = Place(municipality.name, municipality.lat, municipality.lng)
        for side, title, span in (("domestic", "国内の交流先", 8.0), ("international", "海外の交流先", 40.0)):
            if places[side]:
                maps.append((title, data_uri(partner_map(home, places[side], title=title, min_span=span))))
    return Brochure(
        municipality_id=municipality.id,
        name=municipality.name,
        name_en=municipality.name_en,
        region=municipality.region,
        population=municipality.population,
        population_as_of=_date_text(municipality.population_as_of, municipality.population_as_of_precision),
        area_km2=municipality.area_km2,
        overview=municipality.overview_ja,
        domestic=tuple(domestic),
        international=tuple(international),
        maps=tuple(maps),
        as_of=today,
        population_source=_figure_source(municipality.population_source) if municipality.population else None,
        area_as_of=_date_text(municipality.area_as_of, municipality.area_as_of_precision),
        area_source=_figure_source(municipality.area_source) if municipality.area_km2 else None,
    )


def brochure_html(brochure: Brochure, *, site: str = "") -> str:
    """The brochure as one HTML document; with `site` (the portal's public address) each programme links to
    its page there."""
    template = environment().get_template("brochure.html")
    return template.render(b=brochure, site=site.rstrip("/"))


def brochure_pdf(brochure: Brochure, *, site: str = "") -> bytes:
    """An A4 PDF (WeasyPrint, Noto CJK) of the brochure."""
    return pdf_from_html(brochure_html(brochure, site=site))
