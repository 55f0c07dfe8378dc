"""姉妹自治体交流表彰の応募資料: one programme in the layout of CLAIR's award sheets (seed 003), rebuilt from
the records: partners with signing dates, the regional overview (population and area with their as-of
dates), the undertaking, its effects and its points against the six award criteria (read only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tsunagari.dates import PartialDate
from tsunagari.errors import InvalidInput
from tsunagari.evaluation import service as evaluation_service
from tsunagari.exchange import activity_service, award_service, programme_service
from tsunagari.exchange.models import ACTOR_LABELS, CLAIR_AWARD_CRITERIA, FIELD_LABELS, Award, Programme
from tsunagari.municipality.models import Municipality
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, Partnership
from tsunagari.reference.countries import country

TITLE = "姉妹自治体交流表彰 応募資料"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass(frozen=True)
class Region:
    """地域の概要 of one party: population and area with the dates they are as of."""

    name: str
    country: str
    population: str
    area: str
    overview: str


@dataclass(frozen=True)
class PartnerLine:
    mark: str
    name: str
    country: str
    type: str
    signed_on: str
    """提携年月日 as recorded (1981年7月1日), or — when the registry holds no tie."""
    signed_wareki: str
    region: Region


@dataclass(frozen=True)
class CriterionPoint:
    code: str
    name_ja: str
    name_en: str
    points: tuple[str, ...]
    """What the judges or reviewers wrote under this criterion."""
    figures: str
    """What the records show for it."""
    score: float | None


@dataclass(frozen=True)
class AwardApplication:
    programme_id: int
    title: str
    applicant: str
    prize: str
    home: Region | None
    partners: tuple[PartnerLine, ...]
    undertaking: str
    schedule: str
    fields: str
    actors: str
    network: str
    effects: tuple[str, ...]
    criteria: tuple[CriterionPoint, ...]
    activities: tuple[str, ...]
    contact: str
    made_on: dt.date
    sources: tuple[str, ...]


def country_name_ja(alpha2: str) -> str:
    try:
        return country(alpha2).name_ja
    except InvalidInput:
        return alpha2


def _trimmed(value: float) -> str:
    """39,519 / 113.1 / 46.7: the area as the sheets write it, without trailing zeros."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _as_of(value: dt.date | None, precision: str | None) -> str:
    written = PartialDate.from_parts(value, precision)
    return f"（{written.seireki()}）" if written else ""


def region(municipality: Municipality) -> Region:
    population = (
        f"{municipality.population:,}人"
        + _as_of(municipality.population_as_of, municipality.population_as_of_precision)
        if municipality.population is not None
        else "—"
    )
    area = (
        f"{_trimmed(municipality.area_km2)}km²"
        + _as_of(municipality.area_as_of, municipality.area_as_of_precision)
        if municipality.area_km2 is not None
        else "—"
    )
    return Region(
        name=municipality.name,
        country=country_name_ja(municipality.country),
        population=population,
        area=area,
        overview=municipality.overview_ja or "",
    )


def _tie(ties: list[Partnership], home_id: int, partner_id: int) -> Partnership | None:
    for tie in ties:
        if {tie.home_municipality_id, tie.partner_municipality_id} == {home_id, partner_id}:
            return tie
    return None


def _award_for(session: Session, programme: Programme) -> Award | None:
    found = [a for a in award_service.list_awards(session=session) if a.programme_id == programme.id]
    return found[-1] if found else None


def build(*, session: Session, programme_id: int, today: dt.date) -> AwardApplication:
    programme = programme_service.get_programme(session=session, programme_id=programme_id)
    home = next((o.municipality for o in programme.owners if o.municipality is not None), None)
    ties = (
        list(partnership_service.for_municipality(session=session, municipality_id=home.id)) if home else []
    )
    partner_municipalities: list[Municipality] = [
        p.municipality for p in programme.partners if p.municipality
    ]
    if programme.partnership is not None and home is not None:
        own = programme.partnership
        other = own.partner_municipality if own.home_municipality_id == home.id else own.home_municipality
        if other is not None and other not in partner_municipalities:
            partner_municipalities.insert(0, other)
    partners: list[PartnerLine] = []
    for index, municipality in enumerate(partner_municipalities):
        tie = _tie(ties, home.id, municipality.id) if home else None
        signed = PartialDate.from_parts(tie.signed_on, tie.signed_on_precision) if tie else None
        partners.append(
            PartnerLine(
                mark=CIRCLED[index] if index < len(CIRCLED) else f"({index + 1})",
                name=municipality.name,
                country=country_name_ja(municipality.country),
                type=PARTNERSHIP_TYPE_LABELS.get(tie.type, (tie.type, tie.type))[0] if tie else "—",
                signed_on=signed.seireki() if signed else "—",
                signed_wareki=signed.wareki() if signed else "",
                region=region(municipality),
            )
        )
    award = _award_for(session, programme)
    card = evaluation_service.scorecard(
        session=session, kind="programme", subject_id=programme.id, today=today
    )
    facts = card.indicators
    activities = activity_service.activities_for_programme(session=session, programme_id=programme.id)
    figures = {
        "continuity": (
            f"記録のある年 {facts.years_with_activity}年、最長連続 {facts.longest_run_years}年"
            + (f"、{facts.first_activity_on.year}年から" if facts and facts.first_activity_on else "")
            if facts
            else ""
        ),
        "activity": (
            f"活動 {facts.activities}件、参加者 {facts.participants:,}人、"
            f"年あたり {facts.activities_per_year or 0}件"
            if facts
            else ""
        ),
        "collaboration": "、".join(ACTOR_LABELS.get(a, (a, a))[0] for a in programme.actors),
        "results": programme.results or "",
    }
    criteria = tuple(
        CriterionPoint(
            code=criterion.code,
            name_ja=criterion.name_ja,
            name_en=criterion.name_en,
            points=tuple(
                [
                    str(p.get("text", ""))
                    for p in (award.evaluation_points if award else [])
                    if p.get("criterion") == criterion.code
                ]
                + [
                    s.comment
                    for row in card.rows
                    if row.criterion.code == criterion.code
                    for s in row.scores
                    if s.comment
                ]
            ),
            figures=figures.get(criterion.code, ""),
            score=next((row.mean for row in card.rows if row.criterion.code == criterion.code), None),
        )
        for criterion in CLAIR_AWARD_CRITERIA
    )
    effects = tuple(e for e in [programme.results, *(a.outcomes for a in activities)] if e)
    sources = {s for s in (programme.source, programme.source_url, award.url if award else None) if s}
    sources.update(a.source for a in activities if a.source)
    applicant = (award.recipient_name if award else None) or "、".join(o.name for o in programme.owners)
    return AwardApplication(
        programme_id=programme.id,
        title=programme.title,
        applicant=applicant,
        prize=(
            f"第{award.edition}回 {award.name}（{award.prize}）"
            if award and award.edition
            else (award.name if award else "")
        ),
        home=region(home) if home else None,
        partners=tuple(partners),
        undertaking=programme.description or "",
        schedule=programme.schedule or "",
        fields="、".join(FIELD_LABELS.get(f, (f, f))[0] for f in programme.fields),
        actors=figures["collaboration"],
        network=programme.network.name if programme.network else "",
        effects=effects,
        criteria=criteria,
        activities=tuple(
            f"{a.title}（{a.start_on.year}年{'、' + a.place if a.place else ''}）" if a.start_on else a.title
            for a in activities
        ),
        contact=(home.website or "") if home else "",
        made_on=today,
        sources=tuple(sorted(sources)),
    )
