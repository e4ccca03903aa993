"""Near-duplicate needs: the same problem posted twice (by one organisation or by two), shown when a
need is submitted and reviewed, and the brokers' links between them (重复 / 相关), with merging:
linking as a duplicate and closing the copy that is on the market through the need's own close step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from indexer.documents import Query
from market import permissions
from market.assistant.models import LINK_KINDS, NeedLink
from market.assistant.services import NEED_POOL, rank, stored_vectors
from market.auth.models import User
from market.db import db
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.i18n import gettext as _
from market.matching import engine
from market.matching.documents import need_query_text
from market.matching.services import INDEX_ERRORS
from market.needs import services as needs
from market.needs.models import Need
from market.postings import PostingStatus

log = logging.getLogger(__name__)
MAX_PENDING = 200  # the most recent pending needs compared (the queue of one country is far shorter)
# Cosine of the two needs' query vectors (bundled encoder) from which they read as the same need: above
# every pair of distinct demo needs (at most 0.981), below a copy with a sentence added (0.999 or more):
# benchmarks/assistant_bench.py, docs/broker.md "Duplicate needs".
DUPLICATE_COSINE = 0.985
MAX_SHOWN = 5


@dataclass(frozen=True)
class Duplicate:
    need: Need
    similarity: float
    same_organisation: bool
    link: NeedLink | None


def require_reader(actor: Any, need: Need) -> None:
    """The owner (on submitting) and the brokers of the need's region."""
    if not permissions.can_see_matches(actor, need):
        raise NotFound(_("页面或资源不存在。"))


def near_duplicates(actor: Any, need: Need) -> list[Duplicate]:
    """Open needs (public or waiting for review) that read like the same need, most alike first."""
    require_reader(actor, need)
    text = need_query_text(need)
    found: dict[int, float] = {}
    try:
        vector = engine.encoder().encode_queries([text])[0]
        hits = rank(engine.NEEDS, Query(text=text), vector, NEED_POOL)
        candidates = _public_needs([int(hit.id) for hit in hits if hit.id.isdecimal()])
        pending = _pending(need)
        # One scale for all: the query vectors of both texts (stored when each need was indexed or
        # first compared), not the index's passage vectors, whose cosines with a query run lower.
        others = [n for n in candidates + pending if n.id != need.id]
        if others:
            cosines = stored_vectors([need_query_text(n) for n in others]) @ vector
            found = {n.id: float(c) for n, c in zip(others, cosines, strict=True) if c >= DUPLICATE_COSINE}
    except INDEX_ERRORS as error:  # the review page still works; the assistant panel says why
        log.warning("near-duplicates unavailable: %s", error)
        return []
    found.pop(need.id, None)
    rows = db.session.scalars(select(Need).where(Need.id.in_(found), Need.status.in_(_OPEN)))
    links = _links_of(need)
    result = [
        Duplicate(row, found[row.id], row.organisation_id == need.organisation_id, links.get(row.id))
        for row in rows
    ]
    result.sort(key=lambda d: (-d.similarity, d.need.id))
    return result[:MAX_SHOWN]


_OPEN = (PostingStatus.APPROVED, PostingStatus.PENDING)


def on_submit(actor: Any, need: Need) -> list[Duplicate]:
    """What the owner of a need just submitted is told: open needs that read like it (brokers see the
    same on the review page). Nothing for other readers or other states."""
    if need.status != PostingStatus.PENDING or not permissions.owns_need(actor, need):
        return []
    return near_duplicates(actor, need)


def _public_needs(ids: list[int]) -> list[Need]:
    return list(
        db.session.scalars(select(Need).where(Need.id.in_(ids), Need.status == PostingStatus.APPROVED))
    )


def _pending(need: Need) -> list[Need]:
    """Needs waiting for review are not in the index yet: the latest are compared one by one."""
    return list(
        db.session.scalars(
            select(Need)
            .where(Need.status == PostingStatus.PENDING, Need.id != need.id)
            .order_by(Need.id.desc())
            .limit(MAX_PENDING)
        )
    )


def _links_of(need: Need) -> dict[int, NeedLink]:
    rows = db.session.scalars(
        select(NeedLink).where(or_(NeedLink.need_id == need.id, NeedLink.other_need_id == need.id))
    )
    return {(row.other_need_id if row.need_id == need.id else row.need_id): row for row in rows}


def links(actor: Any, need: Need) -> list[tuple[Need, NeedLink]]:
    """The needs linked to `need` that the actor may see, with their links."""
    found = _links_of(need)
    rows = db.session.scalars(select(Need).where(Need.id.in_(found)).order_by(Need.id))
    return [(row, found[row.id]) for row in rows if permissions.can_view_need(actor, row)]


def _require_broker(actor: Any, *pair: Need) -> None:
    """Links are staff work: the actor must be a broker of both needs' regions (or an admin)."""
    if not all(permissions.is_broker_for(actor, need.province) for need in pair):
        raise Forbidden(_("该内容不在你负责的地区。"))


def _pair(actor: Any, need_id: int, other_id: int) -> tuple[Need, Need]:
    if need_id == other_id:
        raise ValidationFailed(
            _("不能把需求和它自己关联。"), field_errors={"other_id": [_("请选择另一条需求。")]}
        )
    need, other = db.session.get(Need, need_id), db.session.get(Need, other_id)
    if need is None or other is None:
        raise NotFound(_("页面或资源不存在。"))
    _require_broker(actor, need, other)
    return need, other


def link(actor: User, need_id: int, other_id: int, kind: str) -> NeedLink:
    """Record that two needs are the same (duplicate) or related; a second call changes the kind."""
    if kind not in LINK_KINDS:
        raise ValidationFailed(_("关联类型不正确。"), field_errors={"kind": [_("请选择重复或相关。")]})
    need, other = _pair(actor, need_id, other_id)
    low, high = sorted((need.id, other.id))
    row = db.session.scalar(select(NeedLink).where(NeedLink.need_id == low, NeedLink.other_need_id == high))
    if row is None:
        row = NeedLink(need_id=low, other_need_id=high, kind=kind, created_by_id=actor.id)
        db.session.add(row)
    row.kind = kind
    db.session.flush()
    return row


def merge(actor: User, keep_id: int, copy_id: int) -> NeedLink:
    """Link as duplicates and take the copy off the market with the close step (its owner is told, its
    history keeps the reason). A copy still waiting for review is returned from the review page instead."""
    keep, copy = _pair(actor, keep_id, copy_id)
    if copy.status != PostingStatus.APPROVED:
        raise Conflict(_("只能合并已公开的需求；待审核的重复需求请退回并说明原因。"))
    row = link(actor, keep.id, copy.id, "duplicate")
    reason = _("与需求「{title}」（#{id}）重复，已由经纪人合并。", title=keep.title, id=keep.id)
    needs.close_need(actor, copy.id, reason=reason)
    return row


def unlink(actor: User, link_id: int) -> None:
    row = db.session.get(NeedLink, link_id)
    if row is None:
        raise NotFound(_("页面或资源不存在。"))
    _require_broker(actor, row.need, row.other_need)
    db.session.delete(row)
    db.session.flush()
