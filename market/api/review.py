"""The review queue (审核) for brokers in their regions and admins everywhere."""

from __future__ import annotations

from typing import Any

from market.api import serialize
from market.api.auth import require_user
from market.api.bodies import check_shape, json_object, no_body
from market.api.params import PAGING, text
from market.api.spec import Body, Param, operation, page_of, ref
from market.moderation import services as moderation
from market.pagination import page_number, per_page
from market.postings import KINDS
from market.text import REASON_MAX

JSON = dict[str, Any]
ONE = "/review/<any(need, provider):kind>/<int:posting_id>"
REASON_BODY: JSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reason"],
    "properties": {
        "reason": {
            "type": "string",
            "minLength": 1,
            "maxLength": REASON_MAX,
            "description": "Why it is sent back; shown to the owner",
        }
    },
}


@operation(
    "/review/queue",
    "GET",
    summary="Pending needs and profiles in the caller's regions, oldest first",
    tag="review",
    query=(
        Param("kind", "Only needs or only providers", {"type": "string", "enum": ["need", "provider"]}),
        *PAGING,
    ),
    response=page_of("QueueItem"),
    errors=(403,),
)
def review_queue() -> JSON:
    kinds = [text("kind")] if text("kind") in KINDS else list(KINDS)
    pending = moderation.review_queue(require_user(), kinds)
    pending.sort(key=lambda p: (serialize.timestamp(p.submitted_at) or "", p.id))
    number, size = page_number(), per_page()
    items = [serialize.queue_item(p) for p in pending[(number - 1) * size : number * size]]
    return {"items": items, "page": number, "per_page": size, "total": len(pending)}


@operation(
    f"{ONE}/approve",
    "POST",
    summary="Approve a pending need or profile (it becomes public)",
    tag="review",
    response=ref("QueueItem"),
    errors=(400, 403, 409),
)
def approve(kind: str, posting_id: int) -> JSON:
    actor = require_user()
    no_body()
    return serialize.queue_item(moderation.approve(actor, kind, posting_id))


@operation(
    f"{ONE}/return",
    "POST",
    summary="Send a pending need or profile back with a reason",
    tag="review",
    body=Body(lambda: REASON_BODY, "The reason"),
    response=ref("QueueItem"),
    errors=(403, 409),
)
def send_back(kind: str, posting_id: int) -> JSON:
    actor = require_user()
    payload = json_object()
    check_shape(payload, REASON_BODY)
    return serialize.queue_item(moderation.send_back(actor, kind, posting_id, payload.get("reason", "")))
