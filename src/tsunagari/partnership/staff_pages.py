"""Staff pages of partnerships: the edit form and a municipality's list edited in place (HTMX); thin:
reads through services, writes through `partnership.actions`."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tsunagari.access import permissions
from tsunagari.access.principal import Principal
from tsunagari.common.fields import FIELD_LABELS
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.staff_pages import describe_municipality, search_municipalities
from tsunagari.names import service as names_service
from tsunagari.names.partners import resolve_partner
from tsunagari.partnership import actions as partnership_actions
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.download_staff_pages import PARTNERSHIPS as PARTNERSHIPS_EXPORT
from tsunagari.partnership.models import (
    PARTNERSHIP_TYPE_LABELS,
    STATUS_LABELS,
    PartnershipStatus,
    PartnershipType,
)
from tsunagari.reference.countries import resolve_country
from tsunagari.web.forms import Picker, display, field, options_of, register_picker
from tsunagari.web.list_export import download_links, wanted_format
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.staff_crud import InlineRows, StaffKind, inline_html, register_inline, register_kind
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()

BASIC, DATES, NOTES = "Basics", "Dates", "Background and notes"
DATE_HELP = "Japanese era or western dates (R7.4.1, 2025/4/1, H31.3)"


def _describe(record: Any) -> str:
    home = record.home_municipality or record.home_organisation
    partner = record.partner_municipality or record.partner_organisation
    ja, _en = PARTNERSHIP_TYPE_LABELS.get(record.type, (record.type, record.type))
    home_name = home.name if home is not None else ""
    partner_name = partner.name if partner is not None else (record.partner_written_name or "")
    return f"{home_name} – {partner_name}（{ja}）"


def _search_partnerships(session: Session, text: str) -> list[tuple[int, str]]:
    """Partnerships of the municipalities whose names match the text."""
    found: list[tuple[int, str]] = []
    for municipality in municipality_service.find_by_name(session=session, name=text)[:5]:
        for record in partnership_service.for_municipality(session=session, municipality_id=municipality.id):
            found.append((record.id, _describe(record)))
    return found[:10]


register_picker(
    Picker(
        what="partnership",
        search=_search_partnerships,
        load=lambda s, i: partnership_service.get(session=s, partnership_id=i),
        describe=_describe,
    )
)

_WITH_COUNTRY = (
    re.compile(r"^(?P<name>.+?)\s*[（(]\s*(?P<country>[^（()）]+?)\s*[)）]\s*$"),
    re.compile(r"^(?P<name>.+?)\s*[,、，]\s*(?P<country>[^,、，]+?)\s*$"),
)


def _name_and_place(text: str) -> tuple[str, str | None, str | None]:
    """ブラショフ（ルーマニア）, Brașov, RO, Brașov (Romania) or 府中市（東京都）: the name, and its country
    and prefecture when given."""
    for pattern in _WITH_COUNTRY:
        found = pattern.match(text.strip())
        if found is None:
            continue
        # What the picker echoes is "name（country, region）": the country is the first part.
        written_place = re.split(r"[,、，]", found["country"])[0].strip()
        if written_place.endswith(("都", "道", "府", "県")):
            return found["name"], "JP", written_place
        try:
            return found["name"], resolve_country(written_place).alpha2, None
        except InvalidInput:
            continue
    return text.strip(), None, None


def _resolve_partner_text(session: Session, text: str) -> Municipality:
    """Typed partner text → one municipality, through the one partner resolution the importers use
    (issue #12): a registry name, or a gazetteer place made a registry record; several candidates are
    refused with each named, for the officer to choose (a form never guesses)."""
    name, country, prefecture = _name_and_place(text)
    found = resolve_partner(session=session, name=name, country=country, region=prefecture)
    if found.municipality is not None:
        return found.municipality
    candidates = found.resolution.alternatives
    if not candidates:
        raise NotFound(f"no municipality is called {name!r}")
    named = "、".join(
        f"{c.name}（{c.country}{', ' + c.region if c.region else ''}）" for c in candidates[:10]
    )
    raise InvalidInput(
        f"{len(candidates)}件の候補があります。一覧から選ぶか国名を添えてください: {named} / "
        f"{len(candidates)} candidates; choose one from the list or add the country",
        field="name",
        value=text,
    )


register_picker(
    Picker(
        what="partner",
        search=search_municipalities,
        load=lambda s, i: municipality_service.get(session=s, municipality_id=i),
        describe=describe_municipality,
        resolve=_resolve_partner_text,
    )
)

PARTNERSHIP = StaffKind(
    kind="partnership",
    title="Partnership",
    fields=(
        field("home_municipality_id", "Municipality", "ref", pick="municipality", group=BASIC),
        field(
            "partner_municipality_id",
            "Partner municipality",
            "ref",
            pick="partner",
            group=BASIC,
        ),
        field(
            "partner_organisation_id",
            "Partner organisation (if not a municipality)",
            "ref",
            pick="organisation",
            group=BASIC,
        ),
        field(
            "type",
            "Type",
            "select",
            options=options_of(PartnershipType, PARTNERSHIP_TYPE_LABELS),
            group=BASIC,
        ),
        field(
            "status",
            "Status",
            "select",
            options=options_of(PartnershipStatus, STATUS_LABELS),
            group=BASIC,
        ),
        field("signed_on", "Signed on", "date", precision=True, group=DATES, help=DATE_HELP),
        field("ended_on", "Ended on", "date", precision=True, group=DATES),
        field("origin", "Origin", "textarea", group=NOTES),
        field(
            "fields",
            "Exchange fields",
            "checkboxes",
            options=options_of(FIELD_LABELS, FIELD_LABELS),
            group=NOTES,
        ),
        field("notes", "Notes", "textarea", group=NOTES),
    ),
    load=lambda s, i: partnership_service.get(session=s, partnership_id=i),
    create=partnership_actions.create_partnership,
    update=partnership_actions.update_partnership,
    delete=partnership_actions.delete_partnership,
    table="partnership",
    describe=_describe,
)
register_kind(router, PARTNERSHIP)


def _cells(_session: Session, record: Any) -> list[str]:
    partner = record.partner_municipality or record.partner_organisation
    home = record.home_municipality or record.home_organisation
    label = PARTNERSHIP_TYPE_LABELS.get(record.type, (record.type, record.type))
    return [
        f"#{record.id}",
        home.name if home is not None else "",
        partner.name if partner is not None else (record.partner_written_name or ""),
        f"{label[0]} / {label[1]}",
        display(record.signed_on),
    ]


def _may_update(session: Session, record: Any, principal: Any) -> bool:
    target = partnership_actions.partnership_target(session, record)
    return permissions.allowed("update_partnership", principal, target)


PARTNERSHIP_ROWS = InlineRows(PARTNERSHIP, ("status", "notes"), _cells, _may_update)
register_inline(router, PARTNERSHIP_ROWS)


def municipality_choice(session: Session, actor: Principal, municipality: str | None) -> Any:
    """The municipality a list page is about: the one asked for (id or exact name), else the actor's first."""
    if municipality and municipality.strip():
        return names_service.pick_municipality(
            session=session,
            text=municipality,
            country="JP",
            numbers="id",
            field="municipality",
            hint="IDで指定してください / give the id",
        )
    if actor.municipality_ids:
        return municipality_service.get(session=session, municipality_id=min(actor.municipality_ids))
    return None


@router.get("/partnerships", name="staff.partnerships")
def partnerships_page(
    request: Request, session: SessionDep, actor: CurrentUser, municipality: str | None = None
) -> Response:
    """A municipality's partnerships, whose status and notes can be edited in place; `?format=csv|xlsx`
    downloads the same rows."""
    try:
        chosen = municipality_choice(session, actor, municipality)
        error = None
    except InvalidInput as invalid:
        if wanted_format(request):
            raise
        chosen, error = None, "; ".join(p.describe() for p in invalid.problems)
    records = (
        partnership_service.for_municipality(session=session, municipality_id=chosen.id) if chosen else []
    )
    if wanted_format(request):
        return PARTNERSHIPS_EXPORT.response(request, records)
    rows = [inline_html(request, session, PARTNERSHIP_ROWS, p.id) for p in records]
    return render(
        request,
        "list.html",
        422 if error else 200,
        title="Partnerships",
        heading_cells=["ID", "Municipality", "Partner", "Type", "Signed"],
        fields=PARTNERSHIP_ROWS.fields,
        rows=rows,
        chosen=chosen,
        query=municipality or "",
        error=error,
        action="/staff/partnerships",
        evaluate_kind="partnership",
        ids=[p.id for p in records],
        downloads=download_links(request),
    )
