"""The published visits (seed 002's 公表) as the municipality, partnership and 公表 pages show them: one view
of `policy.publication_service`'s records, shared by those pages (no routes, no SQL here).

It lives beside the municipality page, whose block it first was, so that the policy pages may use it
without the municipality and partnership pages importing the policy's routes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tsunagari.dates import PartialDate
from tsunagari.demo.citations import citation
from tsunagari.exchange.models import DIRECTION_LABELS, FIELD_LABELS
from tsunagari.exchange.schemas import PARTICIPANT_CATEGORY_LABELS
from tsunagari.policy import publication_service
from tsunagari.policy.publication_service import Party, Publication
from tsunagari.web.rendering import Lang, format_date, format_number, label_of


@dataclass(frozen=True)
class PublicationView:
    activity_id: int
    programme_id: int
    programme_title: str
    title: str
    dates: str
    direction_label: str
    place: str | None
    visiting: str | None
    visiting_id: int | None
    visiting_lang: str
    destination: str | None
    destination_id: int | None
    destination_lang: str
    official_visit: bool
    purpose: str | None
    purpose_published: str
    outcomes: str | None
    report_published: str
    report_medium: str | None
    public_cost: str
    participants: str
    source: str | None
    field_labels: tuple[str, ...] = ()
    """交流分野 of the visit, as labels in the page's language."""


def _name(party: Party | None, lang: Lang) -> str | None:
    if party is None:
        return None
    return (party.name_en or party.name) if lang == "en" else party.name


def _name_lang(party: Party | None, lang: Lang) -> str:
    """ "en" where an English page shows the party's English name, else "ja"."""
    return "en" if lang == "en" and party is not None and party.name_en else "ja"


def day(value: dt.date | None, lang: Lang) -> str:
    return format_date(PartialDate.from_parts(value, "day"), lang) if value else ""


def participants_text(participants: dict[str, int], lang: Lang) -> str:
    """Participants by category: 中学生 12人、職員 2人 / Junior high school students: 12, Staff: 2."""
    if not participants:
        return ""
    parts = []
    for code, count in participants.items():
        label = label_of(PARTICIPANT_CATEGORY_LABELS, code, lang)
        parts.append(f"{label} {count}人" if lang == "ja" else f"{label}: {count}")
    return ("、" if lang == "ja" else ", ").join(parts)


def yen(amount: int | None, lang: Lang) -> str:
    if amount is None:
        return ""
    return f"{format_number(amount, lang)}円" if lang == "ja" else f"¥{format_number(amount, lang)}"


def publication_view(p: Publication, lang: Lang) -> PublicationView:
    start = format_date(PartialDate.from_parts(p.start_on, p.start_on_precision), lang)
    end = format_date(PartialDate.from_parts(p.end_on, p.end_on_precision), lang)
    return PublicationView(
        activity_id=p.activity_id,
        programme_id=p.programme_id,
        programme_title=p.programme_title,
        title=p.title,
        dates=f"{start} – {end}" if end and end != start else start,
        direction_label=label_of(DIRECTION_LABELS, p.direction, lang) if p.direction else "",
        place=p.place,
        visiting=_name(p.visiting, lang),
        visiting_id=p.visiting.id if p.visiting else None,
        visiting_lang=_name_lang(p.visiting, lang),
        destination=_name(p.destination, lang),
        destination_id=p.destination.id if p.destination else None,
        destination_lang=_name_lang(p.destination, lang),
        official_visit=p.official_visit,
        purpose=p.purpose,
        purpose_published=day(p.purpose_published_on, lang),
        outcomes=p.outcomes,
        report_published=day(p.report_published_on, lang),
        report_medium=p.report_medium,
        public_cost=yen(p.public_cost, lang),
        participants=participants_text(p.participants, lang),
        source=citation(p.source),
        field_labels=tuple(label_of(FIELD_LABELS, code, lang) for code in p.fields),
    )


def publication_views(
    *,
    session: Session,
    lang: Lang,
    municipality_id: int | None = None,
    partnership_id: int | None = None,
    today: dt.date | None = None,
) -> list[PublicationView]:
    """The published visits of a municipality or a partnership, ready for `_publications.html`."""
    found = publication_service.publications(
        session=session,
        today=today or dt.date.today(),
        municipality_id=municipality_id,
        partnership_id=partnership_id,
    )
    return [publication_view(p, lang) for p in found]
