"""Staff pages of municipalities (the edit form), the municipality picker every form uses, and the staff
home; thin: reads through services, writes through `municipality.actions`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput
from tsunagari.exchange import network_service, programme_service
from tsunagari.municipality import actions as municipality_actions
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.download_staff_pages import HOME_LISTS
from tsunagari.names import service as names_service
from tsunagari.partnership import service as partnership_service
from tsunagari.portal import service as portal_service
from tsunagari.reference import countries
from tsunagari.web.forms import Picker, field, register_picker
from tsunagari.web.i18n import pair_half
from tsunagari.web.list_export import download_links, wanted_format
from tsunagari.web.rendering import lang_of
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.staff_crud import StaffKind, register_form_helpers, register_kind, staff_kinds
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()
register_form_helpers(router)


def describe_municipality(municipality: Any) -> str:
    """武蔵野市（東京都） / ブラショフ（ルーマニア, Brașov）: the name with its prefecture or country."""
    if municipality.country == "JP":
        where = municipality.region or "日本"
    else:
        try:
            found = countries.country(municipality.country)
            where = found.name_ja or found.name_en
        except InvalidInput:
            where = municipality.country or ""
        if municipality.region:
            where = f"{where}, {municipality.region}"
    return f"{municipality.name}（{where}）" if where else municipality.name


def search_municipalities(session: Session, text: str) -> list[tuple[int, str]]:
    found = portal_service.search_municipalities(session=session, q=text, limit=10).items
    return [(m.id, describe_municipality(m)) for m in found]


def _resolve_municipality(session: Session, text: str) -> Any:
    # The typed name in any script; several matches are refused with each candidate named.
    return names_service.pick_municipality(session=session, text=text, numbers="id", field="name")


register_picker(
    Picker(
        what="municipality",
        search=search_municipalities,
        load=lambda s, i: municipality_service.get(session=s, municipality_id=i),
        describe=describe_municipality,
        resolve=_resolve_municipality,
    )
)

BASIC, FIGURES, PUBLISHED = "Basics", "Figures", "Published"

MUNICIPALITY = StaffKind(
    kind="municipality",
    title="Municipality",
    fields=(
        field("name", "Name", group=BASIC),
        field("name_en", "English name", group=BASIC),
        field("kana", "Kana", group=BASIC),
        field("country", "Country (ISO alpha-2)", group=BASIC, help="e.g. JP, US"),
        field("region", "Prefecture or state", group=BASIC),
        field("population", "Population", "int", group=FIGURES),
        field("population_as_of", "Population as of", "date", group=FIGURES),
        field("area_km2", "Area (km²)", "float", group=FIGURES),
        field("overview_ja", "Overview", "textarea", group=PUBLISHED),
        field("overview_en", "Overview (English)", "textarea", group=PUBLISHED),
        field("website", "Website", group=PUBLISHED),
    ),
    load=lambda s, i: municipality_service.get(session=s, municipality_id=i),
    create=municipality_actions.create_municipality,
    update=municipality_actions.update_municipality,
    delete=municipality_actions.delete_municipality,
    table="municipality",
    describe=describe_municipality,
)
register_kind(router, MUNICIPALITY)


@router.get("", name="staff.home")
def home(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    municipalities = [
        municipality_service.get(session=session, municipality_id=m) for m in sorted(actor.municipality_ids)
    ]
    partnerships = {
        m.id: partnership_service.for_municipality(session=session, municipality_id=m.id)
        for m in municipalities
    }
    # Programmes (with their activities) and networks an editor keeps: where the edit links live.
    programmes = {
        m.id: programme_service.list_programmes(session=session, municipality_id=m.id) for m in municipalities
    }
    networks = {
        m.id: network_service.networks_run_by(session=session, municipality_id=m.id) for m in municipalities
    }
    if wanted_format(request):  # ?list=programmes|activities|networks&format=csv|xlsx: one of the lists below
        name = request.query_params.get("list", "")
        if name not in HOME_LISTS:
            raise InvalidInput(
                "programmes・activities・networks のいずれか / one of programmes, activities, networks",
                field="list",
                value=name,
            )
        rows: list[tuple[Any, Any]] = []
        for m in municipalities:
            if name == "networks":
                rows += [(m, n) for n in networks[m.id]]
            elif name == "programmes":
                rows += [(m, p) for p in programmes[m.id]]
            else:
                rows += [(m, a) for p in programmes[m.id] for a in p.activities]
        return HOME_LISTS[name].response(request, rows)
    lang = lang_of(request)
    return render(
        request,
        "municipality/home.html",
        municipalities=municipalities,
        partnerships=partnerships,
        programmes=programmes,
        networks=networks,
        kinds=staff_kinds(request),
        home_downloads=[
            (pair_half(export.title, lang), download_links(request, list=name))
            for name, export in HOME_LISTS.items()
        ]
        if municipalities
        else [],
    )
