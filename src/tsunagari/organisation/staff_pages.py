"""Staff pages of organisations (the edit form); thin: writes through `organisation.actions`."""

from __future__ import annotations

from tsunagari.organisation import actions as organisation_actions
from tsunagari.organisation import service as organisation_service
from tsunagari.web.forms import field
from tsunagari.web.staff_crud import StaffKind, register_kind
from tsunagari.web.staff_pages import staff_router

router = staff_router()

ORGANISATION = StaffKind(
    kind="organisation",
    title="団体 / Organisation",
    fields=(
        field("name", "名称 / Name"),
        field("name_en", "英語名 / English name"),
        field("kind", "種別 / Type"),
        field("municipality_id", "自治体ID / Municipality id", "int"),
        field("members_count", "会員数 / Members", "int"),
        field("overview_ja", "概要 / Overview", "textarea"),
        field("website", "ウェブサイト / Website"),
    ),
    load=lambda s, i: organisation_service.get(session=s, organisation_id=i),
    create=organisation_actions.create_organisation,
    update=organisation_actions.update_organisation,
    delete=organisation_actions.delete_organisation,
    table="organisation",
)
register_kind(router, ORGANISATION)
