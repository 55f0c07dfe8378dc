"""Staff pages of networks, their meetings and awards (the edit forms) and the network picker; thin:
reads through `exchange.network_service` and `exchange.award_service`, writes through `exchange.actions`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagari.errors import Conflict, InvalidInput, Problem
from tsunagari.exchange import actions as exchange_actions
from tsunagari.exchange import award_service, network_service
from tsunagari.exchange.download_staff_pages import NETWORK_MEMBERS as NETWORK_MEMBERS_EXPORT
from tsunagari.exchange.models import (
    CLAIR_AWARD_CRITERIA,
    FIELD_LABELS,
    MEMBERSHIP_ROLE_LABELS,
    NETWORK_KIND_LABELS,
    MembershipRole,
    NetworkKind,
)
from tsunagari.web.forms import (
    PICKERS,
    Option,
    Picker,
    field,
    form_values,
    messages,
    options_of,
    record_json,
    register_picker,
)
from tsunagari.web.i18n import translations
from tsunagari.web.list_export import download_links, wanted_format
from tsunagari.web.rendering import lang_of
from tsunagari.web.security import CurrentUser, FormFields, SessionDep
from tsunagari.web.staff_crud import StaffKind, register_kind
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()

BASIC, DATES, MEMBERS, PUBLISHED = "Basics", "Dates", "Membership", "Published"
FY_HELP = "令和7年度 or FY2025"


def describe_network(network: Any) -> str:
    return f"{network.name}（{network.name_en}）" if network.name_en else str(network.name)


def _search_networks(session: Any, text: str) -> list[tuple[int, str]]:
    wanted = text.strip().casefold()
    found = [
        n
        for n in network_service.list_networks(session=session)
        if wanted in n.name.casefold() or wanted in (n.name_en or "").casefold()
    ]
    return [(n.id, describe_network(n)) for n in found[:10]]


register_picker(
    Picker(
        what="network",
        search=_search_networks,
        load=lambda s, i: network_service.get_network(session=s, network_id=i),
        describe=describe_network,
    )
)

NETWORK = StaffKind(
    kind="network",
    title="Network",
    fields=(
        field("name", "Name", group=BASIC),
        field("name_en", "English name", group=BASIC),
        field("kind", "Kind", "select", options=options_of(NetworkKind, NETWORK_KIND_LABELS), group=BASIC),
        field("description", "Overview", "textarea", group=BASIC),
        field(
            "secretariat_municipality_id",
            "Secretariat municipality",
            "ref",
            pick="municipality",
            group=BASIC,
        ),
        field(
            "secretariat_organisation_id",
            "Secretariat organisation",
            "ref",
            pick="organisation",
            group=BASIC,
        ),
        field("secretariat_text", "Secretariat (if not registered)", group=BASIC),
        field(
            "fields",
            "Fields",
            "checkboxes",
            options=options_of(FIELD_LABELS, FIELD_LABELS),
            group=BASIC,
        ),
        field("founded_fy", "Founded (fiscal year)", "fiscal_year", group=DATES, help=FY_HELP),
        field("member_count", "Members", "int", group=MEMBERS),
        field("member_count_as_of", "Members as of", "date", precision=True, group=MEMBERS),
        field("rotation", "Rotation", "textarea", group=MEMBERS),
        field(
            "subcommittees",
            "Subcommittees (comma-separated)",
            "list",
            group=MEMBERS,
        ),
        field("url", "Website", group=PUBLISHED),
    ),
    load=lambda s, i: network_service.get_network(session=s, network_id=i),
    create=exchange_actions.create_network,
    update=exchange_actions.update_network,
    delete=exchange_actions.delete_network,
    table="network",
    describe=describe_network,
    edit_context=lambda _s, _record, record_id: {"members_url": f"/staff/network/{record_id}/members"},
)
MEETING = StaffKind(
    kind="meeting",
    title="Network meeting",
    fields=(
        field("title", "Meeting title", group=BASIC),
        field("host_municipality_id", "Host municipality", "ref", pick="municipality", group=BASIC),
        field("place", "Place", group=BASIC),
        field("participating_count", "Participating governments", "int", group=BASIC),
        field("fiscal_year", "Fiscal year", "fiscal_year", group=DATES, help=FY_HELP),
        field("held_on", "Held on", "date", precision=True, group=DATES),
        field("notes", "Notes", "textarea", group=PUBLISHED),
    ),
    # Creating a meeting names its network; editing moves it not.
    create_only=(field("network_id", "Network", "ref", pick="network", group=BASIC),),
    load=lambda s, i: network_service.get_meeting(session=s, meeting_id=i),
    create=exchange_actions.create_meeting,
    update=exchange_actions.update_meeting,
    delete=exchange_actions.delete_meeting,
    table="network_meeting",
)


def _recipient(values: dict[str, Any]) -> dict[str, Any]:
    """Form fields → what the service takes: an award's recipient is one party of two columns."""
    if {"recipient_municipality_id", "recipient_organisation_id"} & set(values):
        values["recipient"] = {
            "municipality_id": values.pop("recipient_municipality_id", None),
            "organisation_id": values.pop("recipient_organisation_id", None),
        }
    return values


def _award_values(record: Any) -> dict[str, Any]:
    values = record_json(record)
    values["partner_municipality_ids"] = [partner.municipality_id for partner in record.partners]
    return values


AWARD = StaffKind(
    kind="award",
    title="Award record",
    fields=(
        field("name", "Award", group=BASIC),
        field("prize", "Prize", group=BASIC),
        field("edition", "Edition", "int", group=BASIC),
        field("fiscal_year", "Fiscal year", "fiscal_year", group=BASIC, help=FY_HELP),
        field("awarded_by", "Awarded by", group=BASIC),
        field(
            "recipient_municipality_id",
            "Recipient municipality",
            "ref",
            pick="municipality",
            group=BASIC,
        ),
        field(
            "recipient_organisation_id",
            "Recipient organisation",
            "ref",
            pick="organisation",
            group=BASIC,
        ),
        field(
            "partner_municipality_ids",
            "Partner municipality ids (comma-separated)",
            "list",
            group=BASIC,
        ),
        field("programme_id", "Programme", "ref", pick="programme", group=BASIC),
        field("citation", "Citation", "textarea", group=PUBLISHED),
        field(
            "evaluation_points",
            "Evaluation points",
            "points",
            options=tuple(Option(c.code, c.name_ja, c.name_en) for c in CLAIR_AWARD_CRITERIA),
            group=PUBLISHED,
            help="One row per criterion",
        ),
        field("url", "Website", group=PUBLISHED),
    ),
    load=lambda s, i: award_service.get_award(session=s, award_id=i),
    create=exchange_actions.create_award,
    update=exchange_actions.update_award,
    delete=exchange_actions.delete_award,
    table="award",
    to_service=_recipient,
    current_values=_award_values,
)
for _spec in (NETWORK, MEETING, AWARD):
    register_kind(router, _spec)


# ----------------------------------------------------------------------------- members
MEMBER_FIELDS = (
    field("municipality_id", "Municipality", "ref", pick="municipality"),
    field(
        "organisation_id",
        "Organisation (if not a municipality)",
        "ref",
        pick="organisation",
    ),
    field("role", "Role", "select", options=options_of(MembershipRole, MEMBERSHIP_ROLE_LABELS)),
    field("joined_fy", "Joined (fiscal year)", "fiscal_year", help=FY_HELP),
    field("notes", "Notes"),
)


def _party_name(membership: Any) -> str:
    """The member as staff recognise it: its name with its prefecture or country."""
    if membership.municipality is not None:
        return PICKERS["municipality"].describe(membership.municipality)
    if membership.organisation is not None:
        return PICKERS["organisation"].describe(membership.organisation)
    return ""


def _members_page(
    request: Request, session: Session, network_id: int, status_code: int = 200, **context: Any
) -> Response:
    network = network_service.get_network(session=session, network_id=network_id)
    lang = lang_of(request)
    _ = translations(lang).gettext
    members = sorted(network.memberships, key=lambda m: (m.role != "secretariat", m.id))
    return render(
        request,
        "exchange/network_members.html",
        status_code,
        title=f"{_('Network members')}: {describe_network(network)}",
        network=network,
        members=[(m, _party_name(m), MEMBERSHIP_ROLE_LABELS.get(m.role, (m.role, m.role))) for m in members],
        fields=MEMBER_FIELDS,
        values=context.pop("values", None) or {"role": MembershipRole.member.value},
        errors=context.pop("errors", []),
        lang=lang,
        downloads=download_links(request, f"/staff/network/{network_id}/members"),
        **context,
    )


@router.get("/network/{record_id}/members", name="staff.network_members")
def network_members(
    request: Request, record_id: int, session: SessionDep, actor: CurrentUser, format: str = ""
) -> Response:
    if wanted_format(request):
        network = network_service.get_network(session=session, network_id=record_id)
        members = sorted(network.memberships, key=lambda m: (m.role != "secretariat", m.id))
        return NETWORK_MEMBERS_EXPORT.response(request, members)
    return _members_page(
        request,
        session,
        record_id,
        saved=request.query_params.get("saved"),
        removed=request.query_params.get("removed"),
    )


@router.post("/network-members/new", name="staff.create_membership")
def create_membership(
    request: Request, session: SessionDep, actor: CurrentUser, form: FormFields
) -> Response:
    """Adds the municipality or organisation picked by name; the network is the page's (a hidden field)."""
    raw_network = (form.get("network_id") or "").strip()
    if not raw_network.isdigit():
        raise InvalidInput("network_id is required", field="network_id", value=raw_network)
    network_id = int(raw_network)
    lang = lang_of(request)
    try:
        values = {
            k: v
            for k, v in form_values(MEMBER_FIELDS, form, session=session, lang=lang).items()
            if v not in (None, "")
        }
        exchange_actions.create_membership(
            session=session, actor=actor, data={**values, "network_id": network_id}
        )
    except (InvalidInput, Conflict) as error:
        session.rollback()
        problems = error.problems if isinstance(error, InvalidInput) else [Problem(str(error))]
        shown = messages(InvalidInput(problems=problems), MEMBER_FIELDS, lang)
        return _members_page(request, session, network_id, 422, values=form, errors=shown)
    return RedirectResponse(f"/staff/network/{network_id}/members?saved=1", status_code=303)


@router.post("/network-membership/{record_id}/remove", name="staff.delete_membership")
def delete_membership(record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    network_id = network_service.get_membership(session=session, membership_id=record_id).network_id
    exchange_actions.delete_membership(session=session, actor=actor, membership_id=record_id)
    return RedirectResponse(f"/staff/network/{network_id}/members?removed=1", status_code=303)
