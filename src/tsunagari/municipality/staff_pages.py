"""Staff pages of municipalities (the edit form) and the staff home; thin: reads through services, writes
through `municipality.actions`."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from tsunagari.exchange import network_service, programme_service
from tsunagari.municipality import actions as municipality_actions
from tsunagari.municipality import service as municipality_service
from tsunagari.partnership import service as partnership_service
from tsunagari.web.forms import field
from tsunagari.web.security import CurrentUser, SessionDep
from tsunagari.web.staff_crud import StaffKind, register_kind, staff_kinds
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()

MUNICIPALITY = StaffKind(
    kind="municipality",
    title="自治体 / Municipality",
    fields=(
        field("name", "名称 / Name"),
        field("name_en", "英語名 / English name"),
        field("kana", "かな / Kana"),
        field("country", "国 (ISO 2文字) / Country (ISO alpha-2)"),
        field("region", "都道府県・州 / Region"),
        field("population", "人口 / Population", "int"),
        field("population_as_of", "人口の時点 / Population as of", "date"),
        field("area_km2", "面積 (km²) / Area (km²)", "float"),
        field("overview_ja", "概要 / Overview", "textarea"),
        field("overview_en", "概要 (英語) / Overview (English)", "textarea"),
        field("website", "ウェブサイト / Website"),
    ),
    load=lambda s, i: municipality_service.get(session=s, municipality_id=i),
    create=municipality_actions.create_municipality,
    update=municipality_actions.update_municipality,
    delete=municipality_actions.delete_municipality,
    table="municipality",
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
    return render(
        request,
        "municipality/home.html",
        municipalities=municipalities,
        partnerships=partnerships,
        programmes=programmes,
        networks=networks,
        kinds=staff_kinds(request),
    )
