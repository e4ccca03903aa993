"""The review queue (审核) for brokers in their regions and admins everywhere."""

from __future__ import annotations

from typing import Any

from market import permissions
from market.api import serialize
from market.api.auth import require_user
from market.api.bodies import check_shape, json_object, no_body
from market.api.params import PAGING, text
from market.api.spec import Body, Param, operation, page_of, ref
from market.auth.models import User
from market.db import db
from market.errors import Forbidden, NotFound
from market.i18n import gettext as _
from market.moderation import services as moderation
from market.moderation.services import REASON_MAX, pending_in_scope
from market.needs.models import Need
from market.pagination import page_number, per_page
from market.providers.models import Provider

JSON = dict[str, Any]
KINDS: dict[str, type[Need] | type[Provider]] = {"need": Need, "provider": Provider}
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


def _reviewer() -> User:
    actor = require_user()
    if not permissions.can_review(actor):
        raise Forbidden(_("只有科协经纪人和管理员可以审核。"))
    return actor


def _posting(kind: str, posting_id: int) -> Need | Provider:
    posting: Need | Provider | None = (
        db.session.get(Need, posting_id) if kind == "need" else db.session.get(Provider, posting_id)
    )
    if posting is None:
        raise NotFound(_("内容不存在。"))
    return posting


def _allowed(actor: User, posting: Need | Provider) -> bool:
    if isinstance(posting, Need):
        return permissions.can_review_need(actor, posting)
    return permissions.can_review_provider(actor, posting)


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
    actor = _reviewer()
    kinds = [text("kind")] if text("kind") in KINDS else list(KINDS)
    pending: list[Need | Provider] = [p for kind in kinds for p in pending_in_scope(KINDS[kind], actor)]
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
    actor = _reviewer()
    posting = _posting(kind, posting_id)
    no_body()
    moderation.approve(actor, posting, _allowed(actor, posting))
    return serialize.queue_item(posting)


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
    actor = _reviewer()
    posting = _posting(kind, posting_id)
    payload = json_object()
    check_shape(payload, REASON_BODY)
    moderation.send_back(actor, posting, payload.get("reason", ""), _allowed(actor, posting))
    return serialize.queue_item(posting)
