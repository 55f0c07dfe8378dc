"""Public pages of the visit policy (seed 002's 公表): a municipality's publications page with what is due
and overdue, and its Atom feed; thin: reads through `policy.publication_service` and `policy.service`,
never contacts or notes (a visit's view is `municipality.publication_pages`, shared with other pages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.etree import ElementTree

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from tsunagari.errors import NotFound
from tsunagari.municipality.publication_pages import (
    PublicationView,
    day,
    participants_text,
    publication_views,
    yen,
)
from tsunagari.policy import publication_service
from tsunagari.policy import service as policy_service
from tsunagari.policy.publication_service import Publication
from tsunagari.portal import service as portal_service
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.rendering import (
    Lang,
    label_of,
    lang_of,
    not_found,
    render_found,
)

router = page_router()

# What the policy says is due (the codes of policy.service.evaluate that due_list keeps), for citizens.
DUTY_LABELS: dict[str, tuple[str, str]] = {
    "purpose_due": ("訪問の目的の公表(出発前)", "Publish the visit's purpose (before departure)"),
    "purpose_not_published": (
        "訪問の目的が出発前に公表されていない",
        "Purpose not published before departure",
    ),
    "report_due": ("訪問の報告の公表", "Publish the visit's report"),
    "report_overdue": ("報告の公表期限を過ぎている", "Report past its publication deadline"),
    "citizen_meeting_due": (
        "市民・民間交流団体との協議(訪問前)",
        "Meet citizens and exchange groups (before)",
    ),
    "citizen_meeting_missing": ("市民・民間交流団体との協議がない", "No meeting with citizens recorded"),
}
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "due": ("期限前", "Due"),
    "overdue": ("期限切れ", "Overdue"),
    "violation": ("違反", "Broken rule"),
}
ATOM = "http://www.w3.org/2005/Atom"
JST = dt.timezone(dt.timedelta(hours=9))


# --------------------------------------------------------------------------- the 公表 page
@dataclass(frozen=True)
class DutyView:
    activity_id: int
    title: str
    status: str
    status_label: str
    duty: str
    due_on: str


@dataclass(frozen=True)
class RulesView:
    purpose_before_visit: bool
    report_deadline_days: int
    citizen_consultation: bool
    public_money_only_official: bool
    stored: bool


@dataclass(frozen=True)
class PublicationsPage:
    municipality_id: int
    name: str
    name_en: str | None
    rules: RulesView
    duties: list[DutyView]
    publications: list[PublicationView]
    today: str


def publications_page(*, session: Session, municipality_id: int, lang: Lang) -> PublicationsPage:
    m = portal_service.municipality_record(session=session, municipality_id=municipality_id)
    today = dt.date.today()
    rules = policy_service.rules_for(session=session, municipality_id=m.id)
    duties = [
        DutyView(
            activity_id=f.activity_id,
            title=f.title,
            status=f.status,
            status_label=label_of(STATUS_LABELS, f.status, lang),
            duty=label_of(DUTY_LABELS, f.code, lang),
            due_on=day(f.due_on, lang),
        )
        for f in policy_service.due_list(session=session, municipality_id=m.id, today=today)
    ]
    return PublicationsPage(
        municipality_id=m.id,
        name=m.name,
        name_en=m.name_en,
        rules=RulesView(
            purpose_before_visit=rules.require_purpose_before_visit,
            report_deadline_days=rules.report_deadline_days,
            citizen_consultation=rules.require_citizen_consultation,
            public_money_only_official=rules.public_money_only_official_to_sister_friendship,
            stored=rules.id is not None,
        ),
        duties=duties,
        publications=publication_views(session=session, lang=lang, municipality_id=m.id, today=today),
        today=day(today, lang),
    )


@router.get("/municipalities/{municipality_id}/publications", response_class=HTMLResponse)
def publications(request: Request, session: SessionDep, municipality_id: int) -> HTMLResponse:
    return render_found(
        request,
        "policy/publications.html",
        lambda lang: publications_page(session=session, municipality_id=municipality_id, lang=lang),
    )


# --------------------------------------------------------------------------- the Atom feed
# No feed library (feedgen) is installed; Atom is a small, fixed vocabulary, so the standard library's
# ElementTree writes it (escaping included) without adding a dependency.
def _element(parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str) -> None:
    child = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        child.text = text


def _stamp(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(), JST).isoformat()


def atom_feed(*, session: Session, municipality_id: int, lang: Lang, base: str) -> bytes:
    """The municipality's publications as Atom: one entry per purpose and per report published."""
    m = portal_service.municipality_record(session=session, municipality_id=municipality_id)
    found = publication_service.publications(session=session, today=dt.date.today(), municipality_id=m.id)
    name = (m.name_en or m.name) if lang == "en" else m.name
    page_url = f"{base}/municipalities/{m.id}/publications"
    entries: list[tuple[dt.date, str, Publication]] = [(on, kind, p) for p in found for kind, on in p.events]
    entries.sort(key=lambda e: (e[0], e[2].activity_id, e[1]), reverse=True)
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed", {"xml:lang": lang})
    _element(feed, "id", f"{page_url}.atom")
    _element(feed, "title", f"{name}の公表" if lang == "ja" else f"{name}: published visits")
    _element(feed, "updated", _stamp(entries[0][0] if entries else dt.date(2000, 1, 1)))
    _element(feed, "link", rel="self", href=f"{page_url}.atom" + ("?lang=en" if lang == "en" else ""))
    _element(feed, "link", rel="alternate", type="text/html", href=page_url)
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    _element(author, "name", name)
    for on, kind, p in entries:
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        _element(entry, "id", f"{page_url}#visit-{p.activity_id}-{kind}")
        if kind == "purpose":
            title = f"訪問の目的: {p.title}" if lang == "ja" else f"Purpose of a visit: {p.title}"
            text = p.purpose or ""
        else:
            title = f"訪問の報告: {p.title}" if lang == "ja" else f"Report of a visit: {p.title}"
            text = p.outcomes or ""
        _element(entry, "title", title)
        _element(entry, "updated", _stamp(on))
        _element(entry, "link", rel="alternate", type="text/html", href=f"{page_url}#visit-{p.activity_id}")
        details = [text]
        if p.public_cost is not None:
            details.append(("公費: " if lang == "ja" else "Public cost: ") + yen(p.public_cost, lang))
        if p.participants:
            details.append(
                ("参加者: " if lang == "ja" else "Participants: ") + participants_text(p.participants, lang)
            )
        _element(entry, "content", "\n".join(d for d in details if d), type="text")
    return bytes(ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True))


@router.get("/municipalities/{municipality_id}/publications.atom")
def publications_feed(request: Request, session: SessionDep, municipality_id: int) -> Response:
    lang = lang_of(request)
    try:
        body = atom_feed(
            session=session,
            municipality_id=municipality_id,
            lang=lang,
            base=str(request.base_url).rstrip("/"),
        )
    except NotFound as error:
        return not_found(request, str(error))
    return Response(body, media_type="application/atom+xml; charset=utf-8")
