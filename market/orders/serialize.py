"""Orders, proposals and notices as JSON (never the need's confidential details), and their JSON
Schemas, which market.api.openapi puts into the served document.

Moments are ISO 8601 in UTC, like everywhere in the API; dates are YYYY-MM-DD.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from market.db import utc_iso
from market.messages import shown, shown_link
from market.orders.models import (
    AuditLog,
    Deal,
    FollowUp,
    Notification,
    Order,
    Proposal,
    ProposalEvent,
    ProviderBlock,
    Review,
)
from market.orders.vocab import ORDER_STATES, ORIGINS, PARTIES, PROPOSAL_STATES
from market.taxonomy import codes

JSON = dict[str, Any]


def _when(value: datetime | date | None) -> str | None:
    if isinstance(value, datetime):
        return utc_iso(value)
    return value.isoformat() if value is not None else None


def order_json(order: Order, *, full: bool = False) -> JSON:
    body: JSON = {
        "id": order.id,
        "origin": order.origin,
        "status": order.status,
        "version": order.version,
        "title": order.title,
        "message": order.message,
        "closing_reason": order.closing_reason,
        "organisation": {"id": order.organisation_id, "name": order.organisation.name},
        "provider": {"id": order.provider_id, "name": order.provider.name},
        "need_id": order.need_id,
        "service_id": order.service_id,
        "proposal_id": order.proposal_id,
        "broker_id": order.broker_id,
        "province": order.province,
        "created_at": _when(order.created_at),
        "status_changed_at": _when(order.status_changed_at),
    }
    if full:
        body["deal"] = deal_json(order.deal) if order.deal else None
        body["review"] = review_json(order.review) if order.review else None
        body["follow_ups"] = [follow_up_json(f) for f in order.follow_ups]
    return body


def deal_json(deal: Deal) -> JSON:
    return {
        "contract_type": deal.contract_type,
        "value_wan": str(deal.value_wan),
        "signed_on": deal.signed_on.isoformat(),
        "note": deal.note,
    }


def review_json(review: Review) -> JSON:
    return {"rating": review.rating, "body": review.body, "created_at": _when(review.created_at)}


def follow_up_json(entry: FollowUp) -> JSON:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "body": shown(entry.message_key, entry.message_params, entry.body),  # in the reader's language
        "author": entry.author.name if entry.author else None,
        "next_follow_up_on": _when(entry.next_follow_up_on),
        "created_at": _when(entry.created_at),
    }


def audit_json(entry: AuditLog) -> JSON:
    return {
        "id": entry.id,
        "actor_id": entry.actor_id,
        "party": entry.party,
        "action": entry.action,
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "reason": shown(entry.reason_key, entry.reason_params, entry.reason),
        "version": entry.version,
        "created_at": _when(entry.created_at),
    }


def proposal_json(proposal: Proposal) -> JSON:
    order = proposal.order
    return {
        "id": proposal.id,
        "need_id": proposal.need_id,
        "need_title": proposal.need.title,
        "need_status": proposal.need.status,
        "provider": {"id": proposal.provider_id, "name": proposal.provider.name},
        "approach": proposal.approach,
        "evidence": [{"id": a.id, "title": a.title} for a in proposal.evidence],
        "files": [
            {"id": f.id, "filename": f.filename, "kind": f.kind, "size": f.size} for f in proposal.files
        ],
        "team": proposal.team,
        "timeline": proposal.timeline,
        "price_min": proposal.price_min,
        "price_max": proposal.price_max,
        "status": proposal.status,
        "reject_reason": proposal.reject_reason,
        "hidden": proposal.hidden,
        "hidden_reason": proposal.hidden_reason,
        "order_id": order.id if order is not None else None,
        "created_at": _when(proposal.created_at),
        "updated_at": _when(proposal.updated_at),
    }


def ranked_proposal_json(proposal: Proposal, match: Any | None) -> JSON:
    """An answer as its need's enterprise or broker lists it: with the engine's score and reason for
    the provider (a matching.ProviderMatch), or null when the provider is not among the top matches."""
    ranked = None
    if match is not None:
        ranked = {"score": round(float(match.hit.score), 4), "reason": match.reason.sentence()}
    return {**proposal_json(proposal), "match": ranked}


def proposal_event_json(event: ProposalEvent) -> JSON:
    return {
        "id": event.id,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "actor": event.actor.name if event.actor else None,
        "created_at": _when(event.created_at),
    }


def block_json(entry: ProviderBlock) -> JSON:
    return {
        "provider": {"id": entry.provider_id, "name": entry.provider.name},
        "created_at": _when(entry.created_at),
    }


def notification_json(notice: Notification) -> JSON:
    return {
        "id": notice.id,
        "order_id": notice.order_id,
        "kind": notice.kind,
        "text": shown(notice.message_key, notice.message_params, notice.text),  # in the reader's language
        "link": shown_link(notice.message_key, notice.message_params, notice.link),
        "created_at": _when(notice.created_at),
        "read_at": _when(notice.read_at),
    }


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


def _enum(names: tuple[str, ...]) -> JSON:
    return {"type": "string", "enum": list(names)}


_STR: JSON = {"type": "string"}
_INT: JSON = {"type": "integer"}
_NULL_INT: JSON = {"type": ["integer", "null"]}
_MOMENT: JSON = {"type": "string", "format": "date-time", "description": "UTC"}
_NULL_MOMENT: JSON = {"type": ["string", "null"], "format": "date-time", "description": "UTC"}
_DAY: JSON = {"type": "string", "format": "date"}
_PARTY_REF: JSON = _obj({"id": _INT, "name": _STR})
_ORDER: JSON = {
    "id": _INT,
    "origin": _enum(codes(ORIGINS)),
    "status": _enum(codes(ORDER_STATES)),
    "version": {**_INT, "description": "Send it back as `version`: a step on a moved-on order is a 409"},
    "title": _STR,
    "message": _STR,
    "closing_reason": _STR,
    "organisation": _PARTY_REF,
    "provider": _PARTY_REF,
    "need_id": _NULL_INT,
    "service_id": _NULL_INT,
    "proposal_id": _NULL_INT,
    "broker_id": _NULL_INT,
    "province": _STR,
    "created_at": _MOMENT,
    "status_changed_at": _MOMENT,
}


_PROPOSAL: JSON = {
    "id": _INT,
    "need_id": _INT,
    "need_title": _STR,
    "need_status": _STR,
    "provider": _PARTY_REF,
    "approach": _STR,
    "evidence": {"type": "array", "items": _obj({"id": _INT, "title": _STR})},
    "files": {
        "type": "array",
        "description": "Files on the answer; download from /api/v1/proposal-files/{id}",
        "items": _obj({"id": _INT, "filename": _STR, "kind": _STR, "size": {**_INT, "minimum": 0}}),
    },
    "team": _STR,
    "timeline": _STR,
    "price_min": _NULL_INT,
    "price_max": _NULL_INT,
    "status": _enum(codes(PROPOSAL_STATES)),
    "reject_reason": {**_STR, "description": "Why the enterprise declined (未入选) it"},
    "hidden": {"type": "boolean", "description": "Hidden by a broker: its enterprise no longer sees it"},
    "hidden_reason": _STR,
    "order_id": _NULL_INT,
    "created_at": _MOMENT,
    "updated_at": _MOMENT,
}


def _items(name: str) -> JSON:
    """A list that is never paged: {items}."""
    return _obj({"items": {"type": "array", "items": _ref(name)}})


SCHEMAS: dict[str, JSON] = {
    "Order": _obj(_ORDER),
    "OrderDetail": _obj(
        {
            **_ORDER,
            "deal": {"oneOf": [{"type": "null"}, _ref("Deal")]},
            "review": {"oneOf": [{"type": "null"}, _ref("OrderReview")]},
            "follow_ups": {"type": "array", "items": _ref("FollowUp")},
        }
    ),
    "Orders": _items("Order"),
    "Deal": _obj(
        {
            "contract_type": _STR,
            "value_wan": {**_STR, "description": "万元, two decimals"},
            "signed_on": _DAY,
            "note": _STR,
        }
    ),
    "OrderReview": _obj(
        {"rating": {**_INT, "minimum": 1, "maximum": 5}, "body": _STR, "created_at": _MOMENT}
    ),
    "FollowUp": _obj(
        {
            "id": _INT,
            "kind": {**_STR, "description": "note (a person's), transition or reminder (written for them)"},
            "body": _STR,
            "author": {"type": ["string", "null"]},
            "next_follow_up_on": {"type": ["string", "null"], "format": "date"},
            "created_at": _MOMENT,
        }
    ),
    "FollowUps": _items("FollowUp"),
    "AuditEntry": _obj(
        {
            "id": _INT,
            "actor_id": _NULL_INT,
            "party": _enum(codes(PARTIES)),
            "action": _STR,
            "from_status": _STR,
            "to_status": _STR,
            "reason": _STR,
            "version": _INT,
            "created_at": _MOMENT,
        }
    ),
    "AuditLog": _items("AuditEntry"),
    "Proposal": _obj(_PROPOSAL),
    "Proposals": _items("Proposal"),
    "RankedProposal": _obj(
        {
            **_PROPOSAL,
            "match": {
                "oneOf": [
                    {"type": "null"},
                    _obj({"score": {"type": "number"}, "reason": _STR}),
                ],
                "description": "The engine's score and reason for the provider; null outside its top matches",
            },
        }
    ),
    "RankedProposals": _obj(
        {
            "items": {"type": "array", "items": _ref("RankedProposal")},
            "notice": {**_STR, "description": "Why the ranking is missing or incomplete, if it is"},
        }
    ),
    "ProposalEvent": _obj(
        {
            "id": _INT,
            "action": _STR,
            "from_status": _STR,
            "to_status": _STR,
            "reason": _STR,
            "actor": {"type": ["string", "null"]},
            "created_at": _MOMENT,
        }
    ),
    "ProposalEvents": _items("ProposalEvent"),
    "ProviderBlock": _obj({"provider": _PARTY_REF, "created_at": _MOMENT}),
    "ProviderBlocks": _items("ProviderBlock"),
    "Notification": _obj(
        {
            "id": _INT,
            "order_id": _NULL_INT,
            "kind": _STR,
            "text": _STR,
            "link": _STR,
            "created_at": _MOMENT,
            "read_at": _NULL_MOMENT,
        }
    ),
    "Unread": _obj({"unread": {**_INT, "minimum": 0}}),
}
