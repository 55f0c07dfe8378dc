"""Staff forms of seeking profiles (提携希望): the generic record forms, countries typed as staff write
them (オーストラリア、米国), wishes as checkboxes; thin: writes go through `matching.actions`."""

from __future__ import annotations

from typing import Any

from tsunagari.errors import InvalidInput
from tsunagari.exchange.models import FIELD_CODES, FIELD_LABELS
from tsunagari.matching import actions as matching_actions
from tsunagari.matching import service as matching_service
from tsunagari.matching.models import SeekingProfile
from tsunagari.matching.vocabulary import (
    AREA_CODES,
    AREA_LABELS,
    CONDITION_CODES,
    CONDITION_LABELS,
    LANGUAGE_CODES,
    LANGUAGE_LABELS,
)
from tsunagari.reference.countries import country
from tsunagari.web.forms import field, options_of, record_json
from tsunagari.web.staff_crud import StaffKind, register_kind
from tsunagari.web.staff_pages import staff_router

router = staff_router()

WISHES = "Wishes"
WORDS = "In the municipality's words"
PUBLICATION = "Publication"


def _country_names(codes: list[str]) -> str:
    """Stored codes shown as staff would type them (オーストラリア、米国), so an untouched field stays so."""
    names = []
    for code in codes:
        try:
            names.append(country(code).name_ja)
        except InvalidInput:
            names.append(code)
    return "、".join(names)


def _shown(profile: SeekingProfile) -> dict[str, Any]:
    values = record_json(profile)
    values["hoped_countries"] = _country_names(list(profile.hoped_countries))
    return values


SEEKING_PROFILE = StaffKind(
    kind="seeking_profile",
    title="Seeking profile",
    create_only=(field("municipality_id", "Municipality", "ref", pick="municipality", group=WISHES),),
    fields=(
        field(
            "hoped_countries",
            "Countries hoped for",
            "text",
            group=WISHES,
            help="names, separated by commas",
        ),
        field(
            "hoped_areas",
            "Areas hoped for",
            "checkboxes",
            options=options_of(AREA_CODES, AREA_LABELS),
            group=WISHES,
        ),
        field(
            "fields",
            "Fields",
            "checkboxes",
            options=options_of(FIELD_CODES, FIELD_LABELS),
            group=WISHES,
        ),
        field("population_min", "Population from", "int", group=WISHES),
        field("population_max", "Population up to", "int", group=WISHES),
        field(
            "conditions",
            "Conditions",
            "checkboxes",
            options=options_of(CONDITION_CODES, CONDITION_LABELS),
            group=WISHES,
        ),
        field(
            "languages",
            "Languages",
            "checkboxes",
            options=options_of(LANGUAGE_CODES, LANGUAGE_LABELS),
            group=WISHES,
        ),
        field("purpose", "Purpose", "textarea", group=WORDS),
        field("conditions_text", "Conditions in words", "textarea", group=WORDS),
        field("valid_until", "Valid until", "date", group=PUBLICATION),
        field("illustrative", "Illustrative only", "bool", group=PUBLICATION),
        field("source", "Source", group=PUBLICATION),
    ),
    load=lambda s, i: matching_service.get_profile(session=s, profile_id=i),
    create=matching_actions.create_seeking_profile,
    update=matching_actions.update_seeking_profile,
    delete=matching_actions.delete_seeking_profile,
    table="seeking_profile",
    id_name="profile_id",
    current_values=_shown,
    describe=lambda p: f"{p.municipality.name} の提携希望 / seeking profile of {p.municipality.name}",
)

register_kind(router, SEEKING_PROFILE)
