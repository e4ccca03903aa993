"""Imports every feature's models so metadata (and Alembic) sees all tables."""

from market.admin.models import AdminEvent
from market.attachments.models import NeedAttachment
from market.auth.models import ApiToken, Organisation, User, broker_regions
from market.imports.models import ImportBatch, ImportRow
from market.matching.models import MatchFeedback
from market.moderation.models import ModerationEvent
from market.needs.models import Need
from market.orders.models import AuditLog, Deal, EmailOutbox, FollowUp, Notification, Order, Proposal, Review
from market.providers.models import Achievement, Provider, ServiceItem, provider_fields
from market.reference.models import Field, Region

__all__ = [
    "Achievement",
    "AdminEvent",
    "ApiToken",
    "AuditLog",
    "Deal",
    "EmailOutbox",
    "Field",
    "FollowUp",
    "ImportBatch",
    "ImportRow",
    "MatchFeedback",
    "ModerationEvent",
    "Need",
    "NeedAttachment",
    "Notification",
    "Order",
    "Organisation",
    "Proposal",
    "Provider",
    "Region",
    "Review",
    "ServiceItem",
    "User",
    "broker_regions",
    "provider_fields",
]
