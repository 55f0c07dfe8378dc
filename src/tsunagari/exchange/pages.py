"""Public HTML pages of exchange programmes (/programmes, the /cases directory, a programme's page) and
the view pieces the network and award pages share: thin views over the exchange service, each page's
context a dataclass (no SQL here); contacts are never read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagari.dates import FiscalYears, PartialDate, parse_fiscal_years
from tsunagari.demo.citations import citation
from tsunagari.errors import InvalidInput
from tsunagari.exchange import activity_service, award_service, programme_service
from tsunagari.exchange.models import (
    ACTOR_LABELS,
    DIRECTION_LABELS,
    FIELD_LABELS,
    FORMAT_LABELS,
    Activity,
    Programme,
    ProgrammePartner,
)
from tsunagari.municipality.models import Municipality
from tsunagari.organisation.models import Organisation
from tsunagari.policy import publication_service
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.rendering import (
    Lang,
    country_name,
    format_date,
    label_of,
    lang_of,
    render,
    render_found,
)

router = page_router()


# --------------------------------------------------------------------------- shared view pieces
def fiscal_years_label(years: FiscalYears, lang: Lang) -> str:
    """実施年度 in words: 平成19年度〜平成21年度 in Japanese, FY2007–FY2009 in English."""
    return years.label_ja() if lang == "ja" else years.label_en()


@dataclass(frozen=True)
class PartyLink:
    """A municipality or organisation named on a programme, network or award; `municipality_id` links it."""

    name: str
    name_en: str | None
    municipality_id: int | None
    country_name: str

    def label(self, lang: Lang) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name

    def label_lang(self, lang: Lang) -> str:
        """The language of `label(lang)`: "en" only where an English page has an English name."""
        return "en" if lang == "en" and self.name_en else "ja"


def party_link(m: Municipality | None, o: Organisation | None, lang: Lang) -> PartyLink:
    if m is not None:
        return PartyLink(m.name, m.name_en, m.id, country_name(m.country, lang))
    assert o is not None  # check constraints guarantee one of the two
    return PartyLink(o.name, o.name_en, None, "")


@dataclass(frozen=True)
class ProgrammePartnerView:
    """A partner: the registry's party when resolved, otherwise the source's text, kept and flagged."""

    name: str
    written_name: str
    municipality_id: int | None
    country_name: str
    awaiting_review: bool
    name_lang: str = "ja"


def _programme_partner(partner: ProgrammePartner, lang: Lang) -> ProgrammePartnerView:
    m, o = partner.municipality, partner.organisation
    country: str | None
    english = None
    if m is not None:
        name = (m.name_en or m.name) if lang == "en" else m.name
        country, english = m.country, m.name_en
    elif o is not None:
        name = (o.name_en or o.name) if lang == "en" else o.name
        country, english = partner.country, o.name_en
    else:
        name, country = partner.written_name, partner.country
    return ProgrammePartnerView(
        name=name,
        written_name=partner.written_name,
        municipality_id=m.id if m is not None else None,
        country_name=country_name(country, lang),
        awaiting_review=not partner.resolved,
        name_lang="en" if lang == "en" and english else "ja",
    )


@dataclass(frozen=True)
class ProgrammeLine:
    """One programme as a row of the case directory."""

    id: int
    title: str
    title_note: str | None
    format: str
    format_label: str
    field_labels: list[str]
    owners: list[PartyLink]
    partners: list[ProgrammePartnerView]
    more_partners: int
    """Partners written as text and not yet resolved: shown only as "ほか N 自治体"."""
    fiscal_years: str
    is_case: bool


def public_partners(p: Programme, lang: Lang) -> tuple[list[ProgrammePartnerView], int]:
    """The resolved partners, and how many more are written only as text (never shown as partners)."""
    shown = [_programme_partner(partner, lang) for partner in p.partners if partner.resolved]
    return shown, len(p.partners) - len(shown)


def programme_line(p: Programme, lang: Lang) -> ProgrammeLine:
    return ProgrammeLine(
        id=p.id,
        title=p.title,
        title_note=p.title_note,
        format=p.format,
        format_label=label_of(FORMAT_LABELS, p.format, lang),
        field_labels=[label_of(FIELD_LABELS, code, lang) for code in p.fields or []],
        owners=[party_link(o.municipality, o.organisation, lang) for o in p.owners],
        partners=public_partners(p, lang)[0],
        more_partners=public_partners(p, lang)[1],
        fiscal_years=fiscal_years_label(programme_service.fiscal_years(p), lang)
        if p.fiscal_years_text
        else "",
        is_case=programme_service.is_case_record(p),
    )


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ProgrammeFilters:
    """What the directory's form shows: the values chosen and the choices offered."""

    format: str
    field: str
    country: str
    fiscal_year: str
    q: str
    formats: list[Choice]
    fields: list[Choice]
    countries: list[Choice]


@dataclass(frozen=True)
class ProgrammeDirectoryPage:
    """/cases (CLAIR's case records) and /programmes (every programme): one template, one context."""

    cases_only: bool
    path: str
    filters: ProgrammeFilters
    total: int
    by_format: list[tuple[str, int]]
    results: list[ProgrammeLine]
    errors: list[str]


def _fiscal_year_param(text: str) -> int | None:
    """The form's 年度: a number such as 2010, or a Japanese year (平成22年度) read the parser's way."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit() and len(text) == 4:
        return int(text)
    parsed = parse_fiscal_years(text, field="fiscal_year")
    if parsed.unknown or not parsed.held_fy:
        raise InvalidInput("not a fiscal year", field="fiscal_year", value=text)
    return parsed.held_fy[0]


def programme_directory_page(
    *,
    session: Session,
    lang: Lang,
    cases_only: bool,
    format: str = "",
    field: str = "",
    country: str = "",
    fiscal_year: str = "",
    q: str = "",
) -> ProgrammeDirectoryPage:
    """Filters a user typed wrongly are reported and left out of the query, never turned into a 500."""
    errors: list[str] = []
    format_code = format if format in FORMAT_LABELS else ""
    if format and not format_code:
        errors.append("format")
    field_code = field if field in FIELD_LABELS else ""
    if field and not field_code:
        errors.append("field")
    country_code = country.strip().upper()
    if country_code and not (len(country_code) == 2 and country_code.isalpha()):
        errors.append("country")
        country_code = ""
    try:
        year = _fiscal_year_param(fiscal_year)
    except InvalidInput:
        errors.append("fiscal_year")
        year = None
    found = programme_service.search_programmes(
        session=session,
        cases_only=cases_only,
        format=format_code or None,
        field=field_code or None,
        country=country_code or None,
        fiscal_year=year,
        q=q or None,
    )
    available = programme_service.partner_countries(session=session, cases_only=cases_only)
    filters = ProgrammeFilters(
        format=format_code,
        field=field_code,
        country=country_code,
        fiscal_year=fiscal_year.strip(),
        q=q,
        formats=[Choice(code, label_of(FORMAT_LABELS, code, lang)) for code in FORMAT_LABELS],
        fields=[Choice(code, label_of(FIELD_LABELS, code, lang)) for code in FIELD_LABELS],
        countries=sorted(
            (Choice(code, country_name(code, lang)) for code in available), key=lambda c: c.label
        ),
    )
    return ProgrammeDirectoryPage(
        cases_only=cases_only,
        path="/cases" if cases_only else "/programmes",
        filters=filters,
        total=len(found),
        by_format=[
            (label_of(FORMAT_LABELS, code, lang), sum(1 for p in found if p.format == code))
            for code in FORMAT_LABELS
        ],
        results=[programme_line(p, lang) for p in found],
        errors=errors,
    )


def _directory(request: Request, session: Session, *, cases_only: bool) -> HTMLResponse:
    params = request.query_params
    page = programme_directory_page(
        session=session,
        lang=lang_of(request),
        cases_only=cases_only,
        format=params.get("format", ""),
        field=params.get("field", ""),
        country=params.get("country", ""),
        fiscal_year=params.get("fiscal_year", ""),
        q=params.get("q", ""),
    )
    # HTMX asks for the results only, swapped in under the form as filters change.
    template = (
        "exchange/_programme_results.html"
        if request.headers.get("HX-Request")
        else "exchange/programmes.html"
    )
    return render(request, template, page)


@router.get("/cases", response_class=HTMLResponse)
def cases(request: Request, session: SessionDep) -> HTMLResponse:
    return _directory(request, session, cases_only=True)


@router.get("/programmes", response_class=HTMLResponse)
def programmes(request: Request, session: SessionDep) -> HTMLResponse:
    return _directory(request, session, cases_only=False)


@dataclass(frozen=True)
class ActivityView:
    title: str
    start: str
    end: str
    direction_label: str
    place: str | None
    participants: int | None
    outcomes: str | None
    purpose: str | None = None
    """A visit's purpose only from its publication date (seed 002); other activities' as kept."""
    public_cost: int | None = None
    official_visit: bool = False
    hidden: bool = False
    """A visit whose purpose and report are both unpublished: not shown to citizens yet."""
    field_labels: tuple[str, ...] = ()
    """交流分野 of the activity, as labels in the page's language."""


@dataclass(frozen=True)
class ActivityYear:
    year: int | None
    activities: list[ActivityView]


@dataclass(frozen=True)
class AwardLine:
    name: str
    prize: str
    edition: int | None
    fiscal_year: int | None


@dataclass(frozen=True)
class ProgrammePage:
    id: int
    title: str
    title_note: str | None
    format_label: str
    field_labels: list[str]
    actor_labels: list[str]
    owners: list[PartyLink]
    partners: list[ProgrammePartnerView]
    more_partners: int
    member_count: int | None
    members_text: list[str]
    member_countries: list[str]
    fiscal_years: str
    fiscal_years_text: str | None
    started: str
    start_year: int | None
    schedule: str | None
    description: str | None
    results: str | None
    organiser: str | None
    urls: list[str]
    network_id: int | None
    network_name: str | None
    partnership_id: int | None
    activities_by_year: list[ActivityYear]
    awards: list[AwardLine]
    is_case: bool
    source: str | None
    public_cost_total: int | None = None
    """公費 of the activities shown, in yen."""
    participants_total: int | None = None


def _activity(a: Activity, lang: Lang, *, visit: bool = False, today: dt.date | None = None) -> ActivityView:
    today = today or dt.date.today()
    subject = visit or a.official_visit
    return ActivityView(
        title=a.title,
        start=format_date(PartialDate.from_parts(a.start_on, a.start_on_precision), lang),
        end=format_date(PartialDate.from_parts(a.end_on, a.end_on_precision), lang),
        direction_label=label_of(DIRECTION_LABELS, a.direction, lang) if a.direction else "",
        place=a.place,
        participants=a.participant_total() if a.participants else None,
        outcomes=publication_service.public_outcomes(a, subject=subject, today=today),
        purpose=publication_service.public_purpose(a, subject=subject, today=today),
        public_cost=a.public_cost,
        official_visit=a.official_visit,
        hidden=subject and not publication_service.is_public(a, today=today),
        field_labels=tuple(label_of(FIELD_LABELS, code, lang) for code in a.fields or []),
    )


def programme_page(*, session: Session, programme_id: int, lang: Lang) -> ProgrammePage:
    p = programme_service.get_programme(session=session, programme_id=programme_id)
    years: dict[int | None, list[ActivityView]] = {}
    activities = activity_service.activities_for_programme(session=session, programme_id=p.id)
    visits = publication_service.visit_ids(session=session, activity_ids={a.id for a in activities})
    shown: list[ActivityView] = []
    for a in activities:
        view = _activity(a, lang, visit=a.id in visits)
        if not view.hidden:
            shown.append(view)
            years.setdefault(a.start_on.year if a.start_on else None, []).append(view)
    costs = [v.public_cost for v in shown if v.public_cost is not None]
    counts = [v.participants for v in shown if v.participants is not None]
    started = PartialDate.from_parts(p.started_on, p.started_on_precision)
    stated = programme_service.fiscal_years(p)
    awards = [
        AwardLine(a.name, a.prize, a.edition, a.fiscal_year)
        for a in award_service.list_awards(session=session)
        if a.programme_id == p.id
    ]
    return ProgrammePage(
        id=p.id,
        title=p.title,
        title_note=p.title_note,
        format_label=label_of(FORMAT_LABELS, p.format, lang),
        field_labels=[label_of(FIELD_LABELS, code, lang) for code in p.fields or []],
        actor_labels=[label_of(ACTOR_LABELS, code, lang) for code in p.actors or []],
        owners=[party_link(o.municipality, o.organisation, lang) for o in p.owners],
        partners=public_partners(p, lang)[0],
        more_partners=public_partners(p, lang)[1],
        member_count=p.member_count,
        members_text=(p.members_text or "").splitlines(),
        member_countries=[country_name(code, lang) for code in p.member_countries or []],
        fiscal_years=fiscal_years_label(stated, lang) if p.fiscal_years_text else "",
        fiscal_years_text=p.fiscal_years_text,
        started=format_date(started, lang),
        start_year=started.value.year if started else stated.first_fy,
        schedule=p.schedule,
        description=p.description,
        results=p.results,
        organiser=p.organiser_text,
        urls=list(p.urls or []),
        network_id=p.network_id,
        network_name=p.network.name if p.network else None,
        partnership_id=p.partnership_id,
        activities_by_year=[
            ActivityYear(year, views)
            for year, views in sorted(years.items(), key=lambda item: (item[0] is None, item[0] or 0))
        ],
        awards=awards,
        is_case=programme_service.is_case_record(p),
        source=citation(p.source),
        public_cost_total=sum(costs) if costs else None,
        participants_total=sum(counts) if counts else None,
    )


@router.get("/programmes/{programme_id}", response_class=HTMLResponse)
def programme(request: Request, session: SessionDep, programme_id: int) -> HTMLResponse:
    return render_found(
        request,
        "exchange/programme.html",
        lambda lang: programme_page(session=session, programme_id=programme_id, lang=lang),
    )
