"""Orders, proposals and notices as JSON (never the need's confidential details)."""

from __future__ import annotations

from typing import Any

from market.orders.models import AuditLog, Deal, FollowUp, Notification, Order, Proposal, Review

JSON = dict[str, Any]


def _when(value: Any) -> str | None:
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
        "body": entry.body,
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
        "reason": entry.reason,
        "version": entry.version,
        "created_at": _when(entry.created_at),
    }


def proposal_json(proposal: Proposal) -> JSON:
    return {
        "id": proposal.id,
        "need_id": proposal.need_id,
        "provider": {"id": proposal.provider_id, "name": proposal.provider.name},
        "approach": proposal.approach,
        "team": proposal.team,
        "timeline": proposal.timeline,
        "price_min": proposal.price_min,
        "price_max": proposal.price_max,
        "status": proposal.status,
        "reject_reason": proposal.reject_reason,
        "created_at": _when(proposal.created_at),
    }


def notification_json(notice: Notification) -> JSON:
    return {
        "id": notice.id,
        "order_id": notice.order_id,
        "kind": notice.kind,
        "text": notice.text,
        "link": notice.link,
        "created_at": _when(notice.created_at),
        "read_at": _when(notice.read_at),
    }
