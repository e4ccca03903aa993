"""Imports every feature's models so metadata (and Alembic) sees all tables."""

from market.auth.models import ApiToken, Organisation, User, broker_regions
from market.matching.models import MatchFeedback
from market.moderation.models import ModerationEvent
from market.needs.models import Need
from market.providers.models import Achievement, Provider, ServiceItem, provider_fields
from market.reference.models import Field, Region

__all__ = [
    "Achievement",
    "ApiToken",
    "Field",
    "MatchFeedback",
    "ModerationEvent",
    "Need",
    "Organisation",
    "Provider",
    "Region",
    "ServiceItem",
    "User",
    "broker_regions",
    "provider_fields",
]
