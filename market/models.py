"""Imports every feature's models so metadata (and Alembic) sees all tables."""

from market.admin.models import AdminEvent
from market.assistant.models import NeedLink
from market.attachments.models import NeedAttachment, ProposalAttachment
from market.auth.models import ApiToken, Organisation, RememberToken, User, UserSession, broker_regions
from market.auth.throttle import PasswordAttempt
from market.broker.models import OrganisationClaim
from market.capacity.models import ProviderCapacity
from market.conversations.models import MessageEvent, Thread, ThreadFile, ThreadMessage, ThreadRead
from market.idempotency import IdempotencyKey
from market.imports.models import ImportBatch, ImportRow
from market.mail.models import MailPreference
from market.match_log.models import MatchView
from market.matching.models import MatchFeedback
from market.moderation.models import ModerationEvent
from market.needs.models import Need
from market.orders.models import AuditLog, Deal, EmailOutbox, FollowUp, Notification, Order, Proposal, Review
from market.providers.models import Achievement, Provider, ServiceItem, provider_fields, provider_subfields
from market.reference.models import Field, Region, SubField
from market.saved_searches.models import SavedSearch, SavedSearchAlert
from market.security.models import SecurityEvent

__all__ = [
    "Achievement",
    "AdminEvent",
    "ApiToken",
    "AuditLog",
    "Deal",
    "EmailOutbox",
    "Field",
    "FollowUp",
    "IdempotencyKey",
    "ImportBatch",
    "ImportRow",
    "MailPreference",
    "MatchFeedback",
    "MatchView",
    "MessageEvent",
    "ModerationEvent",
    "Need",
    "NeedAttachment",
    "NeedLink",
    "Notification",
    "Order",
    "Organisation",
    "OrganisationClaim",
    "PasswordAttempt",
    "Proposal",
    "ProposalAttachment",
    "Provider",
    "ProviderCapacity",
    "Region",
    "RememberToken",
    "Review",
    "SavedSearch",
    "SavedSearchAlert",
    "SecurityEvent",
    "ServiceItem",
    "SubField",
    "Thread",
    "ThreadFile",
    "ThreadMessage",
    "ThreadRead",
    "User",
    "UserSession",
    "broker_regions",
    "provider_fields",
    "provider_subfields",
]
