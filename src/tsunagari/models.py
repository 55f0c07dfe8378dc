"""Imports every domain's tables so Base.metadata is complete (for Alembic and for tests)."""

from tsunagari.db import Base
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.names.models import ReviewItem
from tsunagari.organisation.models import Contact, Organisation
from tsunagari.partnership.models import Partnership, PartnershipSourceRecord
from tsunagari.reference.models import Country, GazetteerCity, GazetteerName, Subdivision

__all__ = [
    "Base",
    "Contact",
    "Country",
    "GazetteerCity",
    "GazetteerName",
    "Municipality",
    "MunicipalityName",
    "Organisation",
    "Partnership",
    "PartnershipSourceRecord",
    "ReviewItem",
    "Subdivision",
]
