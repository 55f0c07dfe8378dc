"""Staff pages of organisations (the edit form) and the organisation picker; thin: reads through
`organisation.service`, writes through `organisation.actions`."""

from __future__ import annotations

from typing import Any

from tsunagari.organisation import actions as organisation_actions
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.models import ORGANISATION_KIND_LABELS_JA, OrganisationKind
from tsunagari.web.forms import Picker, field, options_of, register_picker
from tsunagari.web.staff_crud import StaffKind, register_kind
from tsunagari.web.staff_pages import staff_router

router = staff_router()

KIND_LABELS = {
    code: (ja, code.replace("_", " ").capitalize()) for code, ja in ORGANISATION_KIND_LABELS_JA.items()
}
BASIC, PUBLISHED = "Basics", "Published"


def describe_organisation(organisation: Any) -> str:
    """武蔵野市国際交流協会（Musashino International Association）: the name with its English one."""
    return f"{organisation.name}（{organisation.name_en}）" if organisation.name_en else organisation.name


register_picker(
    Picker(
        what="organisation",
        search=lambda s, text: [
            (o.id, describe_organisation(o))
            for o in organisation_service.search_by_name(session=s, text=text)
        ],
        load=lambda s, i: organisation_service.get(session=s, organisation_id=i),
        describe=describe_organisation,
    )
)

ORGANISATION = StaffKind(
    kind="organisation",
    title="Organisation",
    fields=(
        field("name", "Name", group=BASIC),
        field("name_en", "English name", group=BASIC),
        field("kind", "Type", "select", options=options_of(OrganisationKind, KIND_LABELS), group=BASIC),
        field("municipality_id", "Municipality", "ref", pick="municipality", group=BASIC),
        field("members_count", "Members", "int", group=BASIC),
        field("overview_ja", "Overview", "textarea", group=PUBLISHED),
        field("website", "Website", group=PUBLISHED),
    ),
    load=lambda s, i: organisation_service.get(session=s, organisation_id=i),
    create=organisation_actions.create_organisation,
    update=organisation_actions.update_organisation,
    delete=organisation_actions.delete_organisation,
    table="organisation",
    describe=describe_organisation,
)
register_kind(router, ORGANISATION)
