"""Starting orders and moving them on. Services flush only; the request hook or the CLI commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from market.auth import accounts
from market.auth.models import User
from market.db import db, utcnow
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.i18n import gettext as _
from market.ids import row_id
from market.messages import Message, build
from market.needs.models import Need
from market.needs.services import get_visible_need, require_on_market
from market.orders import notify, parties, transitions
from market.orders import permissions as rules
from market.orders.models import AuditLog, Deal, FollowUp, Notification, Order, Review
from market.orders.parties import parties_of
from market.orders.terms import StepTerms
from market.orders.transitions import OPEN, Action, Party
from market.providers.models import Provider, ServiceItem
from market.providers.services import get_visible_provider


def invalid(field: str, message: str) -> ValidationFailed:
    """A refusal of one submitted value: the message is shown once, next to (or as) the field's error."""
    return ValidationFailed(message, field_errors={field: [message]})


def lock_order(order_id: int) -> Order:
    """The order row, read fresh and locked (SELECT … FOR UPDATE) until the unit of work ends."""
    order = db.session.scalar(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound(_("订单不存在。"))
    return order


def get_visible_order(actor: Any, order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or not parties_of(actor, order):
        raise NotFound(_("订单不存在或你无权查看。"))
    return order


def _ensure_no_open_order(
    provider: Provider, need: Need | None, service: ServiceItem | None, organisation_id: int
) -> None:
    query = select(Order.id).where(
        Order.provider_id == provider.id, Order.status.in_([s.value for s in OPEN])
    )
    if need is not None:
        query = query.where(Order.need_id == need.id)
    else:
        query = query.where(
            Order.need_id.is_(None),
            Order.organisation_id == organisation_id,
            Order.service_id == (service.id if service else None),
        )
    if db.session.scalar(query.limit(1)) is not None:
        raise Conflict(_("该服务方已有一张进行中的订单，请在原订单中跟进。"))


def open_order(
    actor: User,
    party: Party,
    origin: str,
    provider: Provider,
    *,
    need: Need | None = None,
    service: ServiceItem | None = None,
    message: str = "",
    organisation_id: int | None = None,
    proposal_id: int | None = None,
) -> Order:
    accounts.require_verified(actor)  # every order starts here: an unverified address may not order
    org_id = need.organisation_id if need is not None else organisation_id
    assert org_id is not None
    _ensure_no_open_order(provider, need, service, org_id)
    order = Order(
        origin=origin,
        organisation_id=org_id,
        provider_id=provider.id,
        provider=provider,
        need_id=need.id if need else None,
        service_id=service.id if service else None,
        proposal_id=proposal_id,
        created_by_id=actor.id,
        broker_id=actor.id if party == Party.BROKER else None,
        province=need.province if need is not None else provider.province,
        title=need.title if need is not None else (service.title if service else provider.name),
        message=message,
    )
    transitions.start(order, actor, party)
    key = {
        "dispatched": "order.dispatched",
        "proposal": "order.proposal_picked",
        "invited": "order.invited",
    }.get(origin, "order.ordered")
    notify.notify_order(
        order, actor, "order_created", build(key, actor=actor.name, title=order.title, order_id=order.id)
    )
    return order


def orderable_service(actor: Any, service_id: int) -> ServiceItem:
    """The service behind a 点单 page or request: 404 unless it exists on a public provider's menu,
    403 unless the actor may order it."""
    service = db.session.get(ServiceItem, service_id) if row_id(service_id) else None
    if service is None or not service.provider.is_public:
        raise NotFound(_("服务不存在或未公开。"))
    _check_may_order(actor, service)
    return service


def _check_may_order(actor: Any, service: ServiceItem) -> None:
    if not rules.can_order_service(actor, service):
        raise Forbidden(_("只有企业用户可以点单，且服务须在架。"))


def order_service(
    actor: User, service: ServiceItem, *, message: str = "", need_id: int | None = None
) -> Order:
    """点单 from a provider's menu, optionally about one of the enterprise's own approved needs."""
    _check_may_order(actor, service)
    need = _own_need(actor, need_id)
    return open_order(
        actor,
        Party.ENTERPRISE,
        "ordered",
        service.provider,
        need=need,
        service=service,
        message=message,
        organisation_id=actor.organisation_id,
    )


def _own_need(actor: User, need_id: int | None) -> Need | None:
    if need_id is None:
        return None
    need = db.session.get(Need, need_id) if row_id(need_id) else None
    if need is None or not rules.can_invite(actor, need):
        raise invalid("need_id", _("只能关联本企业已公开的需求。"))
    return need


def invitation(actor: Any, need_id: int, provider_id: int) -> tuple[Need, Provider]:
    """The need and provider of a 邀请 page or request: 404 for what the actor cannot see, 403 unless
    the actor may invite this provider to this need."""
    if not row_id(need_id):
        raise NotFound(_("需求不存在或未公开。"))
    if not row_id(provider_id):
        raise NotFound(_("服务方不存在或未公开。"))
    need = get_visible_need(actor, need_id)
    provider = get_visible_provider(actor, provider_id)
    _check_may_invite(actor, need, provider)
    return need, provider


def _check_may_invite(actor: Any, need: Need, provider: Provider) -> None:
    require_on_market(need)  # a solved or closed need says so (409), not "not public" (403)
    if not rules.can_invite(actor, need, provider):
        raise Forbidden(_("只能邀请已公开的服务方参与本企业已公开的需求。"))


def invite(actor: User, need: Need, provider: Provider, *, message: str = "") -> Order:
    """邀请: the enterprise invites a (matched) provider to one of its approved needs."""
    _check_may_invite(actor, need, provider)
    return open_order(actor, Party.ENTERPRISE, "invited", provider, need=need, message=message)


def dispatchable_need(actor: Any, need_id: int) -> Need:
    """The need of a 派单 page or request: 404 unless the actor sees it, 403 unless they may dispatch it."""
    need = get_visible_need(actor, need_id)
    _check_may_dispatch(actor, need)
    return need


def _check_may_dispatch(actor: Any, need: Need) -> None:
    require_on_market(need)
    if not rules.can_dispatch(actor, need):
        raise Forbidden(_("只能向本地区已公开的需求派单。"))


def dispatch(actor: User, need: Need, provider_ids: list[int], *, message: str = "") -> list[Order]:
    """派单: a broker of the need's province sends it to one or more providers."""
    _check_may_dispatch(actor, need)
    ids = list(dict.fromkeys(provider_ids))
    if not all(row_id(i) for i in ids):
        raise NotFound(_("服务方不存在或未公开。"))
    providers = list(db.session.scalars(select(Provider).where(Provider.id.in_(ids))))
    if len(providers) != len(ids) or not all(p.is_public for p in providers):
        raise invalid("provider_ids", _("只能派单给已公开的服务方。"))
    return [open_order(actor, Party.BROKER, "dispatched", p, need=need, message=message) for p in providers]


def act(actor: User, order_id: int, action: str, step: StepTerms | None = None) -> Order:
    """Take one step of the state machine on a locked order (see transitions.TABLE)."""
    step = step or StepTerms()
    order = lock_order(order_id)
    parties = parties_of(actor, order)
    if not parties:
        raise NotFound(_("订单不存在或你无权查看。"))
    _check_version(order, step.version)
    reason = step.reason.strip()
    transitions.check(order, action, parties, reason)
    extra = _record_of(action, step)
    try:
        transitions.fire(order, action, actor, parties, reason)
    except StaleDataError:
        raise Conflict(_("订单刚刚被他人更新，请刷新后重试。")) from None
    if isinstance(extra, Deal):
        extra.order_id, extra.recorded_by_id = order.id, actor.id
        db.session.add(extra)
    elif isinstance(extra, Review):
        extra.order_id, extra.provider_id, extra.author_id = order.id, order.provider_id, actor.id
        db.session.add(extra)
    notify.notify_order(order, actor, f"order_{action}", _acted(actor, order, action, reason))
    db.session.flush()
    return order


def _acted(actor: User, order: Order, action: str, reason: str) -> Message:
    said = {"actor": actor.name, "title": order.title, "order_id": order.id, "action": action}
    if reason.strip():
        return build("order.acted_with_reason", **said, reason=reason.strip())
    return build("order.acted", **said)


def _check_version(order: Order, seen: int | None) -> None:
    """Optimistic check: a client that says which version it saw loses if someone moved the order since."""
    if seen is not None and seen != order.version:
        raise Conflict(_("订单刚刚被他人更新，请刷新后重试。"))


def _record_of(action: str, step: StepTerms) -> Deal | Review | None:
    """What the step records besides the new state: the contract of 签约, the rating of 评单."""
    if action == Action.SIGN:
        if step.deal is None:
            raise ValidationFailed(_("签约须填写合同信息。"))
        deal = step.deal
        return Deal(
            contract_type=deal.contract_type,
            value_wan=deal.value_wan,
            signed_on=deal.signed_on,
            note=deal.note,
        )
    if action == Action.REVIEW:
        if step.review is None:
            raise ValidationFailed(_("评单须给出评分。"))
        return Review(rating=step.review.rating, body=step.review.body)
    return None


def add_follow_up(actor: User, order: Order, *, body: str, next_follow_up_on: date | None = None) -> FollowUp:
    """跟进记录 by any party or a broker of the region."""
    if not parties_of(actor, order):
        raise NotFound(_("订单不存在或你无权查看。"))
    entry = FollowUp(
        order_id=order.id,
        author_id=actor.id,
        kind="note",
        body=body,
        next_follow_up_on=next_follow_up_on,
    )
    db.session.add(entry)
    db.session.flush()
    notify.notify_order(
        order,
        actor,
        "follow_up",
        build("order.follow_up_added", actor=actor.name, title=order.title, order_id=order.id),
    )
    return entry


def audit_log(actor: Any, order_id: int) -> tuple[Order, list[AuditLog]]:
    """An order's audit log: 404 unless the actor sees the order, 403 unless they may read its log."""
    order = get_visible_order(actor, order_id)
    if not parties.can_read_audit(actor, order):
        raise Forbidden(_("审计记录仅对本地区经纪人和管理员开放。"))
    entries = db.session.scalars(select(AuditLog).where(AuditLog.order_id == order.id).order_by(AuditLog.id))
    return order, list(entries)


def mark_read(actor: User, order_id: int | None = None) -> None:
    """Mark the actor's unread notices read: those about one order (opening it), or all of them."""
    query = update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    if order_id is not None:
        query = query.where(Notification.order_id == order_id)
    db.session.execute(query.values(read_at=utcnow()))
