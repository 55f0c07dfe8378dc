"""Loading the shipped reference data, permission-checked: the one way `tsunagari init` writes it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tsunagari.access.permissions import NOTHING, require
from tsunagari.access.principal import Principal
from tsunagari.reference import gazetteer as gazetteer_data
from tsunagari.reference import permissions as _rules  # noqa: F401 - registers this domain's rules
from tsunagari.reference import service as reference_service


@dataclass(frozen=True)
class ReferenceLoaded:
    countries: int
    municipalities_added: int
    municipalities_kept: int
    gazetteer: tuple[int, int] | None
    """(cities, names) loaded just now; None when the gazetteer was left as it was (or not wanted)."""
    populations: int = 0
    """Japanese municipalities that took their population from the gazetteer (GeoNames) just now."""


def load_reference_data(
    *,
    session: Session,
    actor: Principal | None,
    gazetteer: gazetteer_data.Dataset | None,
    reload_gazetteer: bool = False,
    progress: reference_service.Progress | None = None,
) -> ReferenceLoaded:
    """Countries and subdivisions, every Japanese local government (current and former) and, unless
    `gazetteer` is None or one is loaded already (and `reload_gazetteer` is false), a GeoNames list;
    then the municipalities' populations from whatever gazetteer is loaded."""
    require("load_reference_data", actor, NOTHING)
    countries = reference_service.load_countries(session=session)
    added, kept = reference_service.load_japanese_municipalities(session=session)
    loaded = None
    if gazetteer is not None and (reload_gazetteer or not reference_service.gazetteer_size(session=session)):
        loaded = reference_service.load_gazetteer(session=session, dataset=gazetteer, progress=progress)
    populations = reference_service.load_japanese_populations(session=session)
    return ReferenceLoaded(countries, added, kept, loaded, populations)
