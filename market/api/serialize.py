"""Every JSON representation the API returns, next to its JSON Schema.

Fields are listed explicitly: models are never dumped wholesale, so password hashes, token hashes,
session tokens, other organisations' drafts and confidential details cannot leak by accident.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar

from flask_sqlalchemy.pagination import Pagination

from market.auth.models import ApiToken, User
from market.db import utc_iso
from market.moderation import services as moderation
from market.moderation.models import ModerationEvent
from market.needs.models import Need
from market.needs.services import NeedPage
from market.postings import PostingStatus
from market.providers.models import Achievement, Provider, ServiceItem
from market.reference.models import Field, Region, SubField

JSON = dict[str, Any]
T = TypeVar("T")


# ---- helpers -------------------------------------------------------------------------------------------


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC (market.db.utc_iso, which the orders' JSON uses too)."""
    return utc_iso(value)


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def page(pagination: Pagination, item: Callable[[Any], JSON]) -> JSON:
    return {
        "items": [item(obj) for obj in pagination.items],
        "page": pagination.page,
        "per_page": pagination.per_page,
        "total": pagination.total or 0,
    }


def whole_list(objects: Iterable[T], item: Callable[[T], JSON]) -> JSON:
    """A list that is never paged (reference data) in the same shape as paged lists."""
    items = [item(obj) for obj in objects]
    return {"items": items, "page": 1, "per_page": len(items), "total": len(items)}


# ---- serialisers ---------------------------------------------------------------------------------------


def history_event(event: ModerationEvent) -> JSON:
    return {
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "actor_name": event.actor.name,
        "at": timestamp(event.created_at),
    }


def need(seen: NeedPage) -> JSON:
    """A need as its reader may see it (market.needs.services.as_seen_by decides)."""
    obj = seen.need
    data: JSON = {
        "id": obj.id,
        "title": obj.title,
        "description": obj.description,
        "public_summary": obj.public_summary,
        "field_code": obj.field_code,
        "subfield_code": obj.subfield_code,
        "province": obj.province,
        "city": obj.city,
        "budget_min": obj.budget_min,
        "budget_max": obj.budget_max,
        "deadline": day(obj.deadline),
        "cooperation_mode": obj.cooperation_mode,
        "is_open_call": obj.is_open_call,
        "status": obj.status,
        "organisation": {"id": obj.organisation.id, "name": obj.organisation.name},
        "approved_at": timestamp(obj.approved_at),
        # How it left the market; only the owner, brokers and engaged providers see a solved or closed need.
        "solved_at": timestamp(obj.solved_at),
        "closed_at": timestamp(obj.closed_at),
        "solved_how": obj.solved_how,
        "solved_order_id": obj.solved_order_id,
        "outcome_reason": obj.outcome_reason,
    }
    if seen.show_confidential:
        data["confidential_details"] = obj.confidential_details
        data["review_note"] = obj.review_note
        data["submitted_at"] = timestamp(obj.submitted_at)
        data["created_at"] = timestamp(obj.created_at)
        data["updated_at"] = timestamp(obj.updated_at)
        if seen.history is not None:
            data["history"] = [history_event(e) for e in seen.history]
    return data


def achievement(obj: Achievement) -> JSON:
    return {
        "id": obj.id,
        "kind": obj.kind,
        "title": obj.title,
        "description": obj.description,
        "year": obj.year,
    }


def service(obj: ServiceItem) -> JSON:
    return {
        "id": obj.id,
        "category": obj.category,
        "title": obj.title,
        "description": obj.description,
        "delivery_mode": obj.delivery_mode,
        "price_note": obj.price_note,
        "active": obj.active,
    }


def provider_ref(obj: Provider) -> JSON:
    return {"id": obj.id, "name": obj.name, "kind": obj.kind, "province": obj.province}


def listed_service(obj: ServiceItem) -> JSON:
    return {**service(obj), "provider": provider_ref(obj.provider)}


def provider(obj: Provider) -> JSON:
    """The public face of a profile (list items)."""
    return {
        "id": obj.id,
        "kind": obj.kind,
        "name": obj.name,
        "title": obj.title,
        "affiliation": obj.affiliation,
        "province": obj.province,
        "city": obj.city,
        "fields": obj.field_codes,
        "subfields": obj.subfield_codes,
        "expertise": obj.expertise,
        "available": obj.available,
        "status": obj.status,
        "approved_at": timestamp(obj.approved_at),
    }


def provider_detail(obj: Provider) -> JSON:
    """A profile page: its achievements and the services that can be ordered."""
    return {
        **provider(obj),
        "achievements": [achievement(a) for a in obj.achievements],
        "services": [service(s) for s in obj.services if s.active],
    }


def own_provider(obj: Provider) -> JSON:
    """The owner's view: every service (also inactive ones), review state and history."""
    return {
        **provider(obj),
        "achievements": [achievement(a) for a in obj.achievements],
        "services": [service(s) for s in obj.services],
        "review_note": obj.review_note,
        "submitted_at": timestamp(obj.submitted_at),
        "history": [history_event(e) for e in moderation.history(obj)],
    }


def queue_item(obj: Need | Provider) -> JSON:
    is_need = isinstance(obj, Need)
    return {
        "kind": "need" if is_need else "provider",
        "id": obj.id,
        "title": obj.title if is_need else obj.name,
        "province": obj.province,
        "city": obj.city,
        "submitted_at": timestamp(obj.submitted_at),
        "status": obj.status,
    }


def token(obj: ApiToken) -> JSON:
    return {
        "id": obj.id,
        "name": obj.name,
        "prefix": obj.prefix,
        "created_at": timestamp(obj.created_at),
        "last_used_at": timestamp(obj.last_used_at),
        "revoked_at": timestamp(obj.revoked_at),
    }


def new_token(obj: ApiToken, secret: str) -> JSON:
    return {**token(obj), "token": secret}


def me(user: User, provider_id: int | None) -> JSON:
    org = user.organisation
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "organisation": {"id": org.id, "name": org.name, "kind": org.kind} if org else None,
        "regions": sorted(user.region_codes),
        "provider_id": provider_id,
        "email_verified": user.email_verified,
        "pending_email": user.pending_email,
        "locale": user.locale,
        "phone": user.phone,
        "wechat": user.wechat,
        "share_email": user.share_email,
        "share_phone": user.share_phone,
        "share_wechat": user.share_wechat,
    }


def field_item(obj: Field) -> JSON:
    return {"code": obj.code, "name_zh": obj.name_zh, "name_en": obj.name_en}


def subfield_item(obj: SubField) -> JSON:
    return {
        "code": obj.code,
        "field_code": obj.field_code,
        "name_zh": obj.name_zh,
        "name_en": obj.name_en,
        "active": obj.active,
    }


def region_item(obj: Region) -> JSON:
    return {"code": obj.code, "parent_code": obj.parent_code, "name_zh": obj.name_zh, "name_en": obj.name_en}


# ---- schemas (components of the OpenAPI document) ------------------------------------------------------


def _obj(properties: JSON, optional: tuple[str, ...] = ()) -> JSON:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [name for name in properties if name not in optional],
        "properties": properties,
    }


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


STR: JSON = {"type": "string"}
INT: JSON = {"type": "integer"}
BOOL: JSON = {"type": "boolean"}
TIME: JSON = {"type": ["string", "null"], "format": "date-time"}
NULL_STR: JSON = {"type": ["string", "null"]}
NULL_INT: JSON = {"type": ["integer", "null"]}
STATUS: JSON = {"type": "string", "enum": [status.value for status in PostingStatus]}

_PROVIDER: JSON = {
    "id": INT,
    "kind": STR,
    "name": STR,
    "title": STR,
    "affiliation": STR,
    "province": STR,
    "city": NULL_STR,
    "fields": {"type": "array", "items": STR},
    "subfields": {"type": "array", "items": STR, "description": "Sub-field codes (细分领域)"},
    "expertise": STR,
    "available": BOOL,
    "status": STATUS,
    "approved_at": TIME,
}
_SERVICE: JSON = {
    "id": INT,
    "category": STR,
    "title": STR,
    "description": STR,
    "delivery_mode": STR,
    "price_note": STR,
    "active": BOOL,
}
_TOKEN: JSON = {
    "id": INT,
    "name": STR,
    "prefix": STR,
    "created_at": TIME,
    "last_used_at": TIME,
    "revoked_at": TIME,
}
_PRIVATE_NEED = ("confidential_details", "review_note", "submitted_at", "created_at", "updated_at", "history")

SCHEMAS: dict[str, JSON] = {
    "Error": _obj(
        {
            "error": STR,
            "status": INT,
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": STR}},
            "retry_after": {**INT, "description": "429 only: seconds to wait (also the Retry-After header)"},
        },
        optional=("fields", "retry_after"),
    ),
    "HistoryEvent": _obj(
        {"action": STR, "from_status": STR, "to_status": STR, "reason": STR, "actor_name": STR, "at": TIME}
    ),
    "Need": _obj(
        {
            "id": INT,
            "title": STR,
            "description": STR,
            "public_summary": STR,
            "field_code": STR,
            "subfield_code": {**NULL_STR, "description": "Sub-field code (细分领域), if chosen"},
            "province": STR,
            "city": NULL_STR,
            "budget_min": NULL_INT,
            "budget_max": NULL_INT,
            "deadline": {"type": ["string", "null"], "format": "date"},
            "cooperation_mode": STR,
            "is_open_call": BOOL,
            "status": STATUS,
            "organisation": _obj({"id": INT, "name": STR}),
            "approved_at": TIME,
            "solved_at": TIME,
            "closed_at": TIME,
            "solved_how": {"type": ["string", "null"], "enum": ["platform", "elsewhere", None]},
            "solved_order_id": {**NULL_INT, "description": "The signed order whose deal solved the need"},
            "outcome_reason": {**STR, "description": "Why it was solved or closed (empty while open)"},
            "confidential_details": {
                **STR,
                "description": "Only for the owning enterprise and its reviewers",
            },
            "review_note": STR,
            "submitted_at": TIME,
            "created_at": TIME,
            "updated_at": TIME,
            "history": {
                "type": "array",
                "items": _ref("HistoryEvent"),
                "description": "Single-need responses",
            },
        },
        optional=_PRIVATE_NEED,
    ),
    "Achievement": _obj({"id": INT, "kind": STR, "title": STR, "description": STR, "year": NULL_INT}),
    "Service": _obj(_SERVICE),
    "ListedService": _obj(
        {**_SERVICE, "provider": _obj({"id": INT, "name": STR, "kind": STR, "province": STR})}
    ),
    "Provider": _obj(_PROVIDER),
    "ProviderDetail": _obj(
        {
            **_PROVIDER,
            "achievements": {"type": "array", "items": _ref("Achievement")},
            "services": {"type": "array", "items": _ref("Service")},
        }
    ),
    "OwnProvider": _obj(
        {
            **_PROVIDER,
            "achievements": {"type": "array", "items": _ref("Achievement")},
            "services": {"type": "array", "items": _ref("Service")},
            "review_note": STR,
            "submitted_at": TIME,
            "history": {"type": "array", "items": _ref("HistoryEvent")},
        }
    ),
    "QueueItem": _obj(
        {
            "kind": {"type": "string", "enum": ["need", "provider"]},
            "id": INT,
            "title": STR,
            "province": STR,
            "city": NULL_STR,
            "submitted_at": TIME,
            "status": STATUS,
        }
    ),
    "Token": _obj(_TOKEN),
    "NewToken": _obj(
        {**_TOKEN, "token": {**STR, "description": "Shown once; send as `Authorization: Bearer …`"}}
    ),
    "Me": _obj(
        {
            "id": INT,
            "name": STR,
            "email": STR,
            "role": STR,
            "organisation": {"oneOf": [{"type": "null"}, _obj({"id": INT, "name": STR, "kind": STR})]},
            "regions": {"type": "array", "items": STR},
            "provider_id": NULL_INT,
            "email_verified": BOOL,
            "pending_email": NULL_STR,
            "locale": STR,
            "phone": STR,
            "wechat": STR,
            "share_email": BOOL,
            "share_phone": BOOL,
            "share_wechat": BOOL,
        }
    ),
    "Field": _obj({"code": STR, "name_zh": STR, "name_en": STR}),
    "SubField": _obj({"code": STR, "field_code": STR, "name_zh": STR, "name_en": STR, "active": BOOL}),
    "Region": _obj({"code": STR, "parent_code": NULL_STR, "name_zh": STR, "name_en": STR}),
}
