"""The order state machine: the ONLY module that assigns Order.status.

TABLE maps (state, action) to the next state and the parties allowed to take that step.
`fire` checks the step, assigns the status and records it (audit log + follow-up) in one go.
Callers lock the row first (market.orders.services.lock_order) so concurrent requests serialise.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from market import messages, taxonomy
from market.auth.models import User
from market.db import db, utcnow
from market.errors import Conflict, Forbidden, ValidationFailed
from market.i18n import N_, translate
from market.i18n import gettext as _
from market.messages import Message
from market.orders.models import AuditLog, FollowUp, Order
from market.orders.vocab import ENGAGED_STATES, INVITED_WAITING, ORDER_STATES, PARTIES


class State(enum.StrEnum):
    ORDERED = "ordered"  # 点单 (or 邀请, or a proposal picked): waiting for the provider
    DISPATCHED = "dispatched"  # 派单 by a broker: waiting for the provider
    ACCEPTED = "accepted"  # 接单
    NEGOTIATING = "negotiating"
    SIGNED = "signed"  # 签约 (a Deal exists)
    DELIVERED = "delivered"
    REVIEWED = "reviewed"  # 评单 (a Review exists)
    DECLINED = "declined"  # 拒单, with a reason
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # no answer within ORDER_EXPIRY_DAYS


class Action(enum.StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    NEGOTIATE = "negotiate"
    SIGN = "sign"
    DELIVER = "deliver"
    REVIEW = "review"
    CANCEL = "cancel"
    EXPIRE = "expire"


class Party(enum.StrEnum):
    ENTERPRISE = "enterprise"  # the need's / ordering organisation
    PROVIDER = "provider"  # the engaged provider
    BROKER = "broker"  # a broker of the order's province, or an admin
    SYSTEM = "system"  # the expiry job


@dataclass(frozen=True)
class Step:
    to: State
    parties: frozenset[Party]


def _step(to: State, *parties: Party) -> Step:
    return Step(to, frozenset(parties))


E, P, B, S = Party.ENTERPRISE, Party.PROVIDER, Party.BROKER, Party.SYSTEM
WAITING = (State.ORDERED, State.DISPATCHED)

TABLE: dict[tuple[State, Action], Step] = {
    **{(s, Action.ACCEPT): _step(State.ACCEPTED, P) for s in WAITING},
    **{(s, Action.DECLINE): _step(State.DECLINED, P) for s in WAITING},
    **{(s, Action.CANCEL): _step(State.CANCELLED, E, B) for s in WAITING},
    **{(s, Action.EXPIRE): _step(State.EXPIRED, S) for s in WAITING},
    (State.ACCEPTED, Action.NEGOTIATE): _step(State.NEGOTIATING, E, P, B),
    (State.ACCEPTED, Action.CANCEL): _step(State.CANCELLED, E, P, B),
    (State.NEGOTIATING, Action.SIGN): _step(State.SIGNED, E, B),
    (State.NEGOTIATING, Action.CANCEL): _step(State.CANCELLED, E, P, B),
    (State.SIGNED, Action.DELIVER): _step(State.DELIVERED, E, P, B),
    (State.DELIVERED, Action.REVIEW): _step(State.REVIEWED, E),
}

REASON_REQUIRED = frozenset({Action.DECLINE, Action.CANCEL})
INITIAL: dict[str, State] = {
    "ordered": State.ORDERED,
    "invited": State.ORDERED,  # 邀请: an enterprise invites a provider to its need
    "proposal": State.ORDERED,
    "dispatched": State.DISPATCHED,
}
# States after the provider said yes: they see the need's confidential details from then on.
ENGAGED = frozenset(State(code) for code in ENGAGED_STATES)
OPEN = frozenset(
    {State.ORDERED, State.DISPATCHED, State.ACCEPTED, State.NEGOTIATING, State.SIGNED, State.DELIVERED}
)
FINAL = frozenset(State) - OPEN

ACTION_LABELS: dict[Action, str] = {
    Action.ACCEPT: N_("接单"),
    Action.DECLINE: N_("拒单"),
    Action.NEGOTIATE: N_("开始洽谈"),
    Action.SIGN: N_("签约"),
    Action.DELIVER: N_("确认交付"),
    Action.REVIEW: N_("评单"),
    Action.CANCEL: N_("取消"),
    Action.EXPIRE: N_("过期"),
}


def action_label(action: str) -> str:
    return messages.code_label("order_action", action)


def _action_in(code: Any, lang: str) -> str:
    """An audit log action in `lang`: a step of the table, or "create" (the order was started)."""
    if code == "create":
        return translate(N_("创建"), lang)
    if code in Action.__members__.values():
        return translate(ACTION_LABELS[Action(code)], lang)
    return str(code or "")


def _state_in(value: Any, lang: str) -> str:
    """An order state in `lang`: a plain code (older notes), or {"state", "origin"} so a waiting
    invitation reads 待接单（邀请） as its badge does, not 待接单（点单）."""
    if isinstance(value, dict):
        code, origin = value.get("state"), value.get("origin")
        if origin == "invited" and code == "ordered":
            return taxonomy.label(INVITED_WAITING, code, lang)
        return taxonomy.label(ORDER_STATES, code, lang)
    return taxonomy.label(ORDER_STATES, value, lang)


def state_param(status: str, origin: str) -> Any:
    """A state as stored in a note: with the origin only where the origin changes its label."""
    if origin == "invited" and status == "ordered":
        return {"state": status, "origin": origin}
    return status


messages.label_type("order_action", _action_in)
messages.label_type("order_state", _state_in)
messages.label_type("party", lambda code, lang: taxonomy.label(PARTIES, code, lang))


def step_for(status: str, action: str) -> Step | None:
    try:
        return TABLE.get((State(status), Action(action)))
    except ValueError:
        return None


def allowed_actions(status: str, parties: set[Party]) -> list[Action]:
    """The actions these parties may take now, in table order (the system's expiry excluded)."""
    return [
        action
        for (state, action), step in TABLE.items()
        if state == status and step.parties & parties and action != Action.EXPIRE
    ]


def initial_status(origin: str) -> str:
    return INITIAL[origin].value


def start(order: Order, actor: User, party: Party) -> AuditLog:
    """Give a new order its first status (by origin) and record its creation."""
    order.status = INITIAL[order.origin].value
    order.status_changed_at = utcnow()
    db.session.add(order)
    db.session.flush()
    entry = AuditLog(
        order_id=order.id,
        actor_id=actor.id,
        party=party.value,
        action="create",
        from_status="",
        to_status=order.status,
        reason="",
        version=order.version,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def check(order: Order, action: str, parties: set[Party], reason: str = "") -> Step:
    """The step to take, or the error that says why not: 409 wrong state, 403 wrong party, 422 no reason."""
    step = step_for(order.status, action)
    if step is None:
        raise Conflict(
            _(
                "订单当前状态（{state}）不能执行“{action}”。",
                state=messages.code_label("order_state", order.status),
                action=action_label(action),
            )
        )
    if not step.parties & parties:
        raise Forbidden(_("你不能对该订单执行“{action}”。", action=action_label(action)))
    if Action(action) in REASON_REQUIRED and not reason.strip():
        # That these steps need a reason is the table's rule; how long one may be is the form's.
        message = _("请填写原因。")
        raise ValidationFailed(message, field_errors={"reason": [message]})
    return step


def fire(
    order: Order, action: str, actor: User | None, parties: set[Party], reason: str | Message = ""
) -> AuditLog:
    """Take the step: assign the status, write the audit entry and the automatic follow-up.

    `reason` is what a person typed, or a stored message when the system gives it (an expiry)."""
    typed = reason.strip() if isinstance(reason, str) else ""
    step = check(order, action, parties, typed)
    party = _acting_party(step, parties)
    before = order.status
    order.status = step.to.value
    order.status_changed_at = utcnow()
    if Action(action) in REASON_REQUIRED:
        order.closing_reason = typed
    db.session.flush()  # bumps order.version; a stale row raises here (see services.lock_order)
    given = reason if isinstance(reason, Message) else None
    entry = AuditLog(
        order_id=order.id,
        actor_id=actor.id if actor else None,
        party=party.value,
        action=action,
        from_status=before,
        to_status=order.status,
        reason=typed,
        reason_key=given.key if given else None,
        reason_params=given.params if given else None,
        version=order.version,
    )
    note = _transition_note(
        action, state_param(before, order.origin), state_param(order.status, order.origin), given or typed
    )
    db.session.add(entry)
    db.session.add(
        FollowUp(
            order_id=order.id,
            author_id=actor.id if actor else None,
            kind="transition",
            message_key=note.key,
            message_params=note.params,
        )
    )
    db.session.flush()
    return entry


def _transition_note(action: str, before: Any, after: Any, reason: str | Message) -> Message:
    if not reason:
        return messages.build("follow_up.transition", action=action, before=before, after=after)
    return messages.build(
        "follow_up.transition_with_reason", action=action, before=before, after=after, reason=reason
    )


def _acting_party(step: Step, parties: set[Party]) -> Party:
    for party in (Party.SYSTEM, Party.PROVIDER, Party.ENTERPRISE, Party.BROKER):
        if party in parties and party in step.parties:
            return party
    raise AssertionError("check() admitted no party")
