"""Public HTML pages of multilateral networks (/networks and a network's page): thin views over the
exchange service, each page's context a dataclass (no SQL here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagari.dates import PartialDate
from tsunagari.demo.citations import citation
from tsunagari.exchange import network_service, programme_service
from tsunagari.exchange.models import FIELD_LABELS, MEMBERSHIP_ROLE_LABELS, NETWORK_KIND_LABELS
from tsunagari.exchange.pages import PartyLink, ProgrammeLine, party_link, programme_line
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.rendering import Lang, format_date, label_of, lang_of, map_json, render, render_found

router = page_router()


@dataclass(frozen=True)
class NetworkLine:
    id: int
    name: str
    name_en: str | None
    kind_label: str
    members: int
    meetings: int


@dataclass(frozen=True)
class NetworksPage:
    networks: list[NetworkLine]


def networks_page(*, session: Session, lang: Lang) -> NetworksPage:
    return NetworksPage(
        [
            NetworkLine(
                n.id,
                n.name,
                n.name_en,
                label_of(NETWORK_KIND_LABELS, n.kind, lang),
                n.member_count or len(n.memberships),
                len(n.meetings),
            )
            for n in network_service.list_networks(session=session)
        ]
    )


@router.get("/networks", response_class=HTMLResponse)
def networks(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "exchange/networks.html", networks_page(session=session, lang=lang_of(request)))


@dataclass(frozen=True)
class MemberView:
    party: PartyLink
    role_label: str
    joined_fy: int | None
    notes: str | None


@dataclass(frozen=True)
class MeetingView:
    title: str | None
    held: str
    host: PartyLink | None
    place: str | None
    participating: int | None
    notes: str | None


@dataclass(frozen=True)
class MeetingYear:
    year: int | None
    meetings: list[MeetingView]


@dataclass(frozen=True)
class NetworkPage:
    id: int
    name: str
    name_en: str | None
    kind_label: str
    description: str | None
    secretariat: PartyLink | None
    secretariat_text: str | None
    founded: str
    member_count: int | None
    member_count_note: str | None
    rotation: str | None
    field_labels: list[str]
    subcommittees: list[str]
    url: str | None
    members: list[MemberView]
    meetings_by_year: list[MeetingYear]
    programmes: list[ProgrammeLine]
    map_points: str
    source: str | None


def network_page(*, session: Session, network_id: int, lang: Lang) -> NetworkPage:
    n = network_service.get_network(session=session, network_id=network_id)
    founded = (
        (f"{n.founded_fy}年度" if lang == "ja" else f"FY{n.founded_fy}")
        if n.founded_fy
        else format_date(PartialDate.from_parts(n.founded_on, n.founded_on_precision), lang)
    )
    years: dict[int | None, list[MeetingView]] = {}
    for meeting in n.meetings:
        year = meeting.fiscal_year or (meeting.held_on.year if meeting.held_on else None)
        host = meeting.host_municipality
        years.setdefault(year, []).append(
            MeetingView(
                title=meeting.title,
                held=format_date(PartialDate.from_parts(meeting.held_on, meeting.held_on_precision), lang),
                host=party_link(host, None, lang) if host is not None else None,
                place=meeting.place,
                participating=meeting.participating_count,
                notes=meeting.notes,
            )
        )
    points: dict[int, dict[str, Any]] = {}
    for membership in n.memberships:
        m = membership.municipality
        if m is not None and m.lat is not None and m.lng is not None:
            points[m.id] = {"id": m.id, "name": m.name, "lat": m.lat, "lng": m.lng}
    secretariat = (
        party_link(n.secretariat_municipality, n.secretariat_organisation, lang)
        if n.secretariat_municipality or n.secretariat_organisation
        else None
    )
    return NetworkPage(
        id=n.id,
        name=n.name,
        name_en=n.name_en,
        kind_label=label_of(NETWORK_KIND_LABELS, n.kind, lang),
        description=n.description,
        secretariat=secretariat,
        secretariat_text=n.secretariat_text,
        founded=founded,
        member_count=n.member_count,
        member_count_note=n.member_count_note,
        rotation=n.rotation,
        field_labels=[label_of(FIELD_LABELS, code, lang) for code in n.fields or []],
        subcommittees=list(n.subcommittees or []),
        url=n.url,
        members=[
            MemberView(
                party_link(ms.municipality, ms.organisation, lang),
                label_of(MEMBERSHIP_ROLE_LABELS, ms.role, lang),
                ms.joined_fy,
                ms.notes,
            )
            for ms in n.memberships
        ],
        meetings_by_year=[
            MeetingYear(year, views)
            for year, views in sorted(years.items(), key=lambda item: (item[0] is None, item[0] or 0))
        ],
        programmes=[
            programme_line(p, lang)
            for p in programme_service.list_programmes(session=session, network_id=n.id)
        ],
        map_points=map_json(list(points.values())),
        source=citation(n.source),
    )


@router.get("/networks/{network_id}", response_class=HTMLResponse)
def network(request: Request, session: SessionDep, network_id: int) -> HTMLResponse:
    return render_found(
        request,
        "exchange/network.html",
        lambda lang: network_page(session=session, network_id=network_id, lang=lang),
    )
