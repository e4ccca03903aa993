"""Starting orders and moving them on. Services flush only; the request hook or the CLI commits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from market.auth.models import User
from market.db import db
from market.errors import Conflict, Forbidden, NotFound
from market.i18n import gettext as _
from market.needs.models import Need
from market.orders import notify, parsing, transitions
from market.orders import permissions as rules
from market.orders.models import Deal, FollowUp, Order, Review
from market.orders.parties import parties_of
from market.orders.transitions import OPEN, Action, Party
from market.orders.vocab import CONTRACT_TYPES
from market.providers.models import Provider, ServiceItem
from market.taxonomy import codes

MESSAGE_MAX = 2000


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
    what = {"dispatched": "派单", "proposal": "选中了您的答题方案"}.get(origin, "点单")
    notify.notify_order(order, actor, "order_created", f"{actor.name} {what}：{order.title}")
    return order


def order_service(actor: User, service: ServiceItem, values: Mapping[str, Any]) -> Order:
    """点单 from a provider's menu, optionally about one of the enterprise's own approved needs."""
    if not rules.can_order_service(actor, service):
        raise Forbidden(_("只有企业用户可以点单，且服务须在架。"))
    message = parsing.text(values, "message", max_length=MESSAGE_MAX)
    need = _own_need(actor, parsing.optional_int(values, "need_id", high=2**31 - 1))
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
    need = db.session.get(Need, need_id)
    if need is None or not rules.can_invite(actor, need):
        raise parsing.fail("need_id", _("只能关联本企业已公开的需求。"))
    return need


def invite(actor: User, need: Need, provider: Provider, values: Mapping[str, Any]) -> Order:
    """邀请: the enterprise invites a (matched) provider to one of its approved needs."""
    if not rules.can_invite(actor, need, provider):
        raise Forbidden(_("只能邀请已公开的服务方参与本企业已公开的需求。"))
    message = parsing.text(values, "message", max_length=MESSAGE_MAX)
    return open_order(actor, Party.ENTERPRISE, "ordered", provider, need=need, message=message)


def dispatch(actor: User, need: Need, provider_ids: list[int], values: Mapping[str, Any]) -> list[Order]:
    """派单: a broker of the need's province sends it to one or more providers."""
    if not rules.can_dispatch(actor, need):
        raise Forbidden(_("只能向本地区已公开的需求派单。"))
    message = parsing.text(values, "message", max_length=MESSAGE_MAX)
    ids = list(dict.fromkeys(provider_ids))
    if not ids:
        raise parsing.fail("provider_ids", _("请至少选择一个服务方。"))
    providers = list(db.session.scalars(select(Provider).where(Provider.id.in_(ids))))
    if len(providers) != len(ids) or not all(p.is_public for p in providers):
        raise parsing.fail("provider_ids", _("只能派单给已公开的服务方。"))
    return [open_order(actor, Party.BROKER, "dispatched", p, need=need, message=message) for p in providers]


def act(actor: User, order_id: int, action: str, values: Mapping[str, Any]) -> Order:
    """Take one step of the state machine on a locked order (see transitions.TABLE)."""
    order = lock_order(order_id)
    parties = parties_of(actor, order)
    if not parties:
        raise NotFound(_("订单不存在或你无权查看。"))
    _check_version(order, values)
    reason = parsing.text(values, "reason", max_length=transitions.REASON_MAX)
    transitions.check(order, action, parties, reason)
    extra = _extra_for(action, values)
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
    text = f"{actor.name}：{transitions.ACTION_LABELS[Action(action)]} —— {order.title}"
    notify.notify_order(order, actor, f"order_{action}", f"{text}{('（' + reason + '）') if reason else ''}")
    db.session.flush()
    return order


def _check_version(order: Order, values: Mapping[str, Any]) -> None:
    """Optimistic check: a client that says which version it saw loses if someone moved the order since."""
    seen = parsing.optional_int(values, "version", low=1, high=2**31 - 1)
    if seen is not None and seen != order.version:
        raise Conflict(_("订单刚刚被他人更新，请刷新后重试。"))


def _extra_for(action: str, values: Mapping[str, Any]) -> Deal | Review | None:
    if action == Action.SIGN:
        return Deal(
            contract_type=parsing.choice(values, "contract_type", codes(CONTRACT_TYPES)),
            value_wan=parsing.money(values, "value_wan"),
            signed_on=_required_date(values, "signed_on"),
            note=parsing.text(values, "note", max_length=MESSAGE_MAX),
        )
    if action == Action.REVIEW:
        return Review(
            rating=parsing.required_int(values, "rating", low=1, high=5),
            body=parsing.text(values, "body", max_length=MESSAGE_MAX),
        )
    return None


def _required_date(values: Mapping[str, Any], name: str) -> Any:
    value = parsing.optional_date(values, name)
    if value is None:
        raise parsing.fail(name, _("此项必填。"))
    return value


def add_follow_up(actor: User, order: Order, values: Mapping[str, Any]) -> FollowUp:
    """跟进记录 by any party or a broker of the region."""
    if not parties_of(actor, order):
        raise NotFound(_("订单不存在或你无权查看。"))
    body = parsing.text(values, "body", required=True, max_length=MESSAGE_MAX)
    entry = FollowUp(
        order_id=order.id,
        author_id=actor.id,
        kind="note",
        body=body,
        next_follow_up_on=parsing.optional_date(values, "next_follow_up_on"),
    )
    db.session.add(entry)
    db.session.flush()
    notify.notify_order(order, actor, "follow_up", f"{actor.name} 添加了跟进记录：{order.title}")
    return entry
