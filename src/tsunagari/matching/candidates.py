"""The facts the match score reads, gathered once for every municipality with a partnership or a valid
seeking profile (other domains' through their services), and the ranked candidates of one municipality."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

from sqlalchemy.orm import Session

from tsunagari.analytics.service import load_graph
from tsunagari.config import get_settings
from tsunagari.errors import InvalidInput
from tsunagari.exchange import activity_service, network_service, programme_service
from tsunagari.matching import scoring
from tsunagari.matching import service as matching_service
from tsunagari.matching.models import SeekingProfile
from tsunagari.matching.vocabulary import features_in
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality, MunicipalityStatus
from tsunagari.partnership import service as partnership_service


def weights() -> scoring.Weights:
    """The deployment's weights (TSUNAGARI_MATCH_WEIGHTS over the defaults)."""
    overrides = get_settings().match_weights
    known = {f.name for f in dataclasses.fields(scoring.Weights)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise InvalidInput(
            f"the match score has no part {', '.join(unknown)}; parts: {', '.join(sorted(known))}",
            field="TSUNAGARI_MATCH_WEIGHTS",
        )
    return scoring.Weights(**overrides)


def fields_by_municipality(*, session: Session) -> dict[int, set[str]]:
    """The exchange fields each municipality's ties have spread to: those of the programmes it runs, of
    their activities and of its partnerships (either side), one query each, so that a municipality whose
    ties spread to the environment counts the environment."""
    found: dict[int, set[str]] = {}
    for by_municipality in (
        programme_service.fields_by_owner(session=session),
        activity_service.fields_by_owner(session=session),
        partnership_service.fields_by_municipality(session=session),
    ):
        for municipality_id, codes in by_municipality.items():
            found.setdefault(municipality_id, set()).update(codes)
    return found


def places(*, session: Session, today: dt.date | None = None) -> dict[int, scoring.Place]:
    """Every municipality that has a partnership or a valid seeking profile, as the score sees it."""
    every_tie = load_graph(session=session, active_only=False).neighbours
    active = load_graph(session=session, active_only=True).neighbours
    profiles = {p.municipality_id: p for p in matching_service.list_profiles(session=session, today=today)}
    fields = fields_by_municipality(session=session)
    networks = network_service.network_ids_by_member(session=session)
    ids = set(every_tie) | set(profiles)
    found: dict[int, scoring.Place] = {}
    for municipality in municipality_service.get_many(session=session, ids=ids):
        found[municipality.id] = place_of(
            municipality,
            partners=every_tie.get(municipality.id, set()),
            active_partners=active.get(municipality.id, set()),
            fields=fields.get(municipality.id, set()),
            networks=networks.get(municipality.id, set()),
            profile=profiles.get(municipality.id),
        )
    country_of = {place.id: place.country for place in found.values()}
    for place in found.values():
        counts = Counter(country_of[p] for p in place.active_partners if p in country_of)
        found[place.id] = dataclasses.replace(place, partner_countries=tuple(sorted(counts.items())))
    return found


def place_of(
    municipality: Municipality,
    *,
    partners: set[int],
    active_partners: set[int],
    fields: set[str],
    networks: set[int],
    profile: SeekingProfile | None,
) -> scoring.Place:
    texts = [municipality.overview_ja, municipality.overview_en]
    if profile is not None:
        texts += [profile.purpose, profile.conditions_text]
    return scoring.Place(
        id=municipality.id,
        name=municipality.name,
        name_en=municipality.name_en,
        country=municipality.country,
        population=municipality.population,
        lat=municipality.lat,
        lng=municipality.lng,
        features=features_in(texts),
        fields=frozenset(fields),
        partners=frozenset(partners),
        active_partners=frozenset(active_partners),
        networks=frozenset(networks),
        wishes=matching_service.wishes_of(profile) if profile is not None else None,
        current=municipality.status == MunicipalityStatus.existing,
    )


def matches_for(*, session: Session, municipality_id: int, limit: int = 20) -> list[scoring.Match]:
    """Candidates for a municipality (with its seeking profile's wishes if it has one), best first."""
    municipality = municipality_service.get(session=session, municipality_id=municipality_id)
    known = places(session=session)
    subject = known.get(municipality_id)
    if subject is None:  # no partnership and no profile yet: it still has a size, features, a place
        subject = place_of(
            municipality, partners=set(), active_partners=set(), fields=set(), networks=set(), profile=None
        )
    return scoring.rank(subject, known.values(), weights(), limit=limit)


def match_json(match: scoring.Match) -> dict[str, object]:
    """The stable shape of `tsunagari match --json` and the API."""
    candidate = match.candidate
    return {
        "candidate": {
            "id": candidate.id,
            "name": candidate.name,
            "name_en": candidate.name_en,
            "country": candidate.country,
        },
        "score": match.score,
        "reasons": [reason.as_json() for reason in match.reasons],
    }
