"""Seeking profiles on the demo data: the directory both ways, matches that never suggest a partner,
奈義町's English-speaking candidates first, and writes through the permission-checked actions."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role
from tsunagari.audit.models import AuditEntry
from tsunagari.errors import InvalidInput, PermissionDenied
from tsunagari.matching import actions as matching_actions
from tsunagari.matching import candidates as matching_candidates
from tsunagari.matching import service as matching_service
from tsunagari.matching.vocabulary import ENGLISH_SPEAKING
from tsunagari.municipality import service as municipality_service
from tsunagari.partnership.rows import partner_rows

NAGI = "336238"
MUSASHINO = "132039"
CLAIR_WISHES = {"112313", "374067", "205613", "336238", "232190", "414247"}


def jis(session: Session, code: str) -> int:
    found = municipality_service.get_by_jis_code(session=session, jis_code=code)
    assert found is not None
    return found.id


def editor_of(*municipality_ids: int) -> Principal:
    return Principal(1, "editor@example.jp", "editor", Role.editor, frozenset(municipality_ids))


def test_the_directory_is_searchable_both_ways(session: Session) -> None:
    profiles = matching_service.list_profiles(session=session)
    assert len(profiles) == 9
    abroad = matching_service.list_profiles(session=session, direction="abroad")
    assert {p.municipality.jis_code for p in abroad} == CLAIR_WISHES
    japan = matching_service.list_profiles(session=session, direction="japan")
    assert {p.municipality.name_en for p in japan} == {"Battle Creek", "Plzeň", "Muntinlupa"}
    assert all(p.illustrative for p in japan) and not any(p.illustrative for p in abroad)
    # Australia is wished by 山ノ内町 and 奈義町 by name, by まんのう町 through オセアニア.
    australia = matching_service.list_profiles(session=session, country="AU")
    assert {p.municipality.name for p in australia} == {"山ノ内町", "奈義町", "まんのう町", "小牧市"}
    # A foreign profile is found under its own country too, beside 小牧市, which hopes for Europe.
    czech = matching_service.list_profiles(session=session, country="CZ")
    assert {p.municipality.name for p in czech} == {"プルゼニ", "小牧市"}
    assert {
        p.municipality.name for p in matching_service.list_profiles(session=session, field="education")
    } == {
        "奈義町",
        "バトルクリーク",
    }


def test_nagi_gets_english_speaking_candidates_first_with_reasons(session: Session) -> None:
    matches = matching_candidates.matches_for(session=session, municipality_id=jis(session, NAGI))
    assert matches, "the demo has foreign municipalities to suggest"
    english = [m for m in matches if m.candidate.country in ENGLISH_SPEAKING]
    assert len(english) >= 3
    # Every English-speaking candidate ranks above every other one, and says why.
    assert matches[: len(english)] == english
    for match in english:
        assert "wish_country" in {r.kind for r in match.reasons}
        assert match.score == pytest.approx(sum(r.points for r in match.reasons), abs=0.01)
    # Battle Creek's (illustrative) profile hopes for Japan: wishes matched both ways put it first.
    assert matches[0].candidate.name_en == "Battle Creek"
    assert {r.kind for r in matches[0].reasons} >= {"wish_country", "wish_back"}
    assert all(m.candidate.country != "JP" for m in matches)


def test_existing_partners_are_never_suggested(session: Session) -> None:
    musashino = jis(session, MUSASHINO)
    me = municipality_service.get(session=session, municipality_id=musashino)
    partners = {row.partner_id for row in partner_rows(session=session, municipality=me)}
    assert partners
    suggested = {
        m.candidate.id
        for m in matching_candidates.matches_for(session=session, municipality_id=musashino, limit=100)
    }
    assert suggested and not suggested & partners and musashino not in suggested


def test_writes_go_through_the_actions(session: Session) -> None:
    musashino = jis(session, MUSASHINO)
    nagi = jis(session, NAGI)
    data = {
        "municipality_id": musashino,
        "hoped_countries": "オーストラリア、ニュージーランド",
        "fields": "教育・青少年",
    }
    with pytest.raises(PermissionDenied):
        matching_actions.create_seeking_profile(session=session, actor=editor_of(nagi), data=data)
    with pytest.raises(InvalidInput) as refused:
        matching_actions.create_seeking_profile(
            session=session, actor=editor_of(musashino), data={**data, "hoped_countries": "ナルニア"}
        )
    assert refused.value.problems[0].field == "hoped_countries"
    profile = matching_actions.create_seeking_profile(session=session, actor=editor_of(musashino), data=data)
    assert profile.hoped_countries == ["AU", "NZ"] and profile.fields == ["education", "youth"]
    assert matching_service.direction_of(profile) == "abroad"

    matching_actions.update_seeking_profile(
        session=session,
        actor=editor_of(musashino),
        profile_id=profile.id,
        changes={"purpose": "姉妹都市と同じ国で、もう一つの交流を", "fields": ["education", "youth"]},
        version=profile.version,
    )
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.table_name == "seeking_profile").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.action == "update"
    assert entry.after is not None
    # The fields sent unchanged are not rewritten.
    assert set(entry.after) - {"version", "updated_at"} == {"purpose"}
    with pytest.raises(InvalidInput):
        matching_actions.update_seeking_profile(
            session=session,
            actor=editor_of(musashino),
            profile_id=profile.id,
            changes={"population_min": 50_000, "population_max": 10_000},
            version=profile.version,
        )
