"""Imports every domain's tables so Base.metadata is complete (for Alembic and for tests)."""

from tsunagari.audit.models import AuditEntry
from tsunagari.auth.models import ApiToken, LoginFailure, LoginSession, User, UserMunicipality
from tsunagari.db import Base
from tsunagari.evaluation.models import Evaluation, EvaluationScore
from tsunagari.exchange.benefit_models import Benefit
from tsunagari.exchange.models import (
    Activity,
    Award,
    AwardPartner,
    Network,
    NetworkMeeting,
    NetworkMembership,
    Programme,
    ProgrammeOwner,
    ProgrammePartner,
)
from tsunagari.matching.models import SeekingProfile
from tsunagari.municipality.models import Municipality, MunicipalityName
from tsunagari.names.models import ReviewItem
from tsunagari.organisation.models import Contact, Organisation
from tsunagari.partnership.models import Partnership, PartnershipSourceRecord
from tsunagari.policy.models import PolicyRules, Visit
from tsunagari.reference.models import Country, GazetteerCity, GazetteerName, Subdivision

__all__ = [
    "Activity",
    "ApiToken",
    "AuditEntry",
    "Award",
    "AwardPartner",
    "Base",
    "Benefit",
    "Contact",
    "Country",
    "Evaluation",
    "EvaluationScore",
    "GazetteerCity",
    "GazetteerName",
    "LoginFailure",
    "LoginSession",
    "Municipality",
    "MunicipalityName",
    "Network",
    "NetworkMeeting",
    "NetworkMembership",
    "Organisation",
    "Partnership",
    "PartnershipSourceRecord",
    "PolicyRules",
    "Programme",
    "ProgrammeOwner",
    "ProgrammePartner",
    "ReviewItem",
    "SeekingProfile",
    "Subdivision",
    "User",
    "UserMunicipality",
    "Visit",
]
