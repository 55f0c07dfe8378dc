"""One partner resolution for every importer and form: a written partner name → its registry record,
a new record, or a resolution for a person to settle on the review list. Reads and materialises; never
sends to review itself (the caller knows what waits on the answer)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session

from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.names import service as names_service
from tsunagari.names.service import Resolution
from tsunagari.partnership import service as partnership_service

How = Literal["exact", "matched", "english", "settled", "created", "review"]
"""How the partner was found: an exact registry name, a resolution (registry or gazetteer), the English
name, a name settled earlier for the same home and type, a record made from the row; or not at all."""


@dataclass
class PartnerResolution:
    municipality: Municipality | None
    """None when the name waits on a person (how == "review")."""
    how: How
    resolution: Resolution
    """What names_service.resolve made of the name: the candidates a review item lists."""
    new_to_registry: bool = False
    """The record was made just now (from the gazetteer or from the row)."""


@dataclass
class SettledNames:
    """Partners already linked to a written name, by (home, partnership type, written name, country),
    read in one query for all the homes of an import; what the import links itself is remembered."""

    links: dict[tuple[int, str, str, str], int] = field(default_factory=dict)

    @classmethod
    def load(cls, *, session: Session, home_municipality_ids: Iterable[int]) -> SettledNames:
        settled = cls()
        for home, type_, written, partner, country in partnership_service.written_partner_links(
            session=session, home_municipality_ids=list(home_municipality_ids)
        ):
            settled.links.setdefault((home, type_, written, country), partner)
        return settled

    def get(self, *, home_municipality_id: int, type_: str, written: str, country: str) -> int | None:
        return self.links.get((home_municipality_id, type_, written, country))

    def remember(self, *, home_municipality_id: int, type_: str, written: str, partner: Municipality) -> None:
        self.links.setdefault((home_municipality_id, type_, written, partner.country), partner.id)


def resolve_partner(
    *,
    session: Session,
    name: str,
    country: str | None,
    region: str | None = None,
    name_en: str | None = None,
    settled_partner_id: int | None = None,
    create: Callable[[], MunicipalityCreate] | None = None,
) -> PartnerResolution:
    """The partner a written name means, or why a person has to say.

    In order: an exact registry name (resolve() would also weigh the affix-stripped 長崎 of 長崎県
    against 長崎市); a match of names_service.resolve, made a registry record when it is a gazetteer
    place; the English name, when it picks one of the candidates (or the only place found); the partner
    already linked to this written name (`settled_partner_id`, from SettledNames), so a re-import after
    a review does not ask again; then, for a foreign place that neither name matches in any way, the
    record `create()` makes (given by an importer that makes partners, called only then; every Japanese
    local government is already in the registry). Anything else (several candidates, a near spelling)
    is for a person: how == "review".
    """
    found = municipality_service.find_by_name(session=session, name=name, country=country, region=region)
    unresolved = Resolution(name, country, region, "unresolved", None, 0.0, [])
    if len(found) == 1:
        return PartnerResolution(found[0], "exact", unresolved)
    resolution = names_service.resolve(session=session, text=name, country=country, region=region)
    if resolution.status == "matched" and resolution.match is not None:
        return _materialised(session, resolution.match, name, "matched", resolution)
    english = None
    if name_en:
        english = names_service.resolve(
            session=session, text=name_en, country=country, region=region, fuzzy=False
        )
        match = english.match
        if match is not None and (
            resolution.status == "unresolved"
            or any((c.source, c.id) == (match.source, match.id) for c in resolution.alternatives)
        ):
            return _materialised(session, match, name, "english", resolution)
    if settled_partner_id is not None:
        settled = municipality_service.get(session=session, municipality_id=settled_partner_id)
        return PartnerResolution(settled, "settled", resolution)
    nothing_alike = resolution.status == "unresolved" and (english is None or english.status == "unresolved")
    if create is not None and nothing_alike and country != "JP":
        municipality = municipality_service.create(session=session, data=create())
        return PartnerResolution(municipality, "created", resolution, new_to_registry=True)
    return PartnerResolution(None, "review", resolution)


def _materialised(
    session: Session, candidate: names_service.Candidate, written: str, how: How, resolution: Resolution
) -> PartnerResolution:
    # resolve() offers a gazetteer place only when no registry record stands for it yet.
    municipality = names_service.materialise(session=session, candidate=candidate, written=written)
    return PartnerResolution(municipality, how, resolution, new_to_registry=candidate.source == "gazetteer")
