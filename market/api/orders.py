"""Orders (点单 派单 接单 签约 评单), their follow-ups and audit log, proposals (答题) and notifications.

The same forms as the pages (market.orders.forms) check each body, after its JSON shape has been
checked against the schema made from the form; the services decide.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for

from market.api import serialize
from market.api.auth import require_user
from market.api.bodies import check_shape, form_schema, json_object, no_body, optional_json_object, validated
from market.api.errors import BadRequest
from market.api.idempotency import idempotent
from market.api.params import PAGING, flag, text
from market.api.spec import Body, Param, operation, page_of, ref
from market.i18n import gettext as _
from market.needs.services import get_visible_need
from market.orders import dispatching, forms, proposals, queries, services
from market.orders.serialize import (
    audit_json,
    follow_up_json,
    notification_json,
    order_json,
    proposal_json,
    ranked_proposal_json,
)
from market.orders.terms import ProposalTerms
from market.orders.transitions import Action
from market.orders.vocab import ORDER_STATES, SIDES
from market.pagination import paginate
from market.taxonomy import codes

JSON = dict[str, Any]
ORDER = "/orders/<int:order_id>"
PROPOSAL = "/proposals/<int:proposal_id>"
ID_LIST = {"type": "array", "minItems": 1, "items": {"type": "integer"}}
EVIDENCE_LIST = {"type": ["array", "null"], "maxItems": forms.EVIDENCE_MAX, "items": {"type": "integer"}}


def new_order_body() -> JSON:
    return form_schema(forms.NewOrderForm)


def step_body(form_class: type[forms.StepForm]) -> Callable[[], JSON]:
    # A contract value is a decimal: as a string ("120.50") or a JSON number.
    extra = {"value_wan": {"type": ["string", "number"]}} if form_class is forms.SignForm else {}
    return lambda: form_schema(form_class, extra=extra)


def dispatch_body() -> JSON:
    return form_schema(forms.DispatchForm, extra={"provider_ids": ID_LIST})


def dispatch_top_body() -> JSON:
    return form_schema(forms.DispatchTopForm)


def _created(order_id: int) -> dict[str, str]:
    return {"Location": url_for("api.get_order", order_id=order_id)}


# ---- orders --------------------------------------------------------------------------------------------


@operation(
    "/orders",
    "GET",
    summary="My orders (inbox): as the enterprise, the provider or the broker of the region",
    tag="orders",
    query=(
        Param("state", "Only orders in this state", {"type": "string", "enum": list(codes(ORDER_STATES))}),
        Param("side", "Only orders where I am this side", {"type": "string", "enum": list(codes(SIDES))}),
        *PAGING,
    ),
    response=page_of("Order"),
)
def list_orders() -> JSON:
    actor = require_user()
    # Lenient like every list filter: an unknown state or side is ignored, not refused.
    query = queries.inbox_query(actor, text("state", 20), text("side", 20))
    return serialize.page(paginate(query), order_json)


@operation(
    "/orders",
    "POST",
    summary="点单 (service_id, optionally need_id) or invite a provider to a need (need_id and provider_id)",
    tag="orders",
    body=Body(new_order_body, "service_id for 点单; need_id and provider_id for 邀请; an optional message"),
    status=201,
    response=ref("OrderDetail"),
    errors=(403, 404, 409),
)
@idempotent
def create_order() -> tuple[JSON, int, dict[str, str]]:
    actor = require_user()
    payload = json_object()
    check_shape(payload, new_order_body())
    form = validated(forms.NewOrderForm, payload)
    message = forms.text(form, "message")
    if form.service_id.data is not None:
        service = services.orderable_service(actor, form.service_id.data)
        order = services.order_service(actor, service, message=message, need_id=form.need_id.data)
    elif form.need_id.data is not None and form.provider_id.data is not None:
        need, provider = services.invitation(actor, form.need_id.data, form.provider_id.data)
        order = services.invite(actor, need, provider, message=message)
    else:
        raise BadRequest(_("请提供 service_id（点单），或 need_id 和 provider_id（邀请）。"))
    return order_json(order, full=True), 201, _created(order.id)


@operation(
    ORDER,
    "GET",
    summary="One order with its deal, review and follow-ups",
    tag="orders",
    response=ref("OrderDetail"),
)
def get_order(order_id: int) -> JSON:
    return order_json(services.get_visible_order(require_user(), order_id), full=True)


STEP_SUMMARIES: dict[Action, str] = {
    Action.ACCEPT: "接单: the provider accepts a waiting order",
    Action.DECLINE: "拒单: the provider declines a waiting order (reason required)",
    Action.NEGOTIATE: "Start negotiating (开始洽谈) an accepted order",
    Action.SIGN: "签约: record the contract of an order in negotiation",
    Action.DELIVER: "确认交付: confirm a signed order delivered",
    Action.REVIEW: "评单: the enterprise rates a delivered order (1-5)",
    Action.CANCEL: "Cancel an open order (reason required)",
}


def _step(action: Action) -> None:
    """Declare POST /orders/{order_id}/actions/<action>, with the body that step takes."""
    form_class = forms.STEP_FORMS[action]
    body = step_body(form_class)

    def take_step(order_id: int) -> JSON:
        actor = require_user()
        services.get_visible_order(actor, order_id)  # someone not on the order learns nothing more
        payload = optional_json_object()
        check_shape(payload, body())
        step = validated(form_class, payload).terms()
        return order_json(services.act(actor, order_id, action.value, step), full=True)

    take_step.__name__ = take_step.__qualname__ = f"{action.value}_order"
    operation(
        f"{ORDER}/actions/{action.value}",
        "POST",
        summary=STEP_SUMMARIES[action],
        tag="orders",
        body=Body(body, "`version`: the order version you saw (409 if it moved on since)", required=False),
        response=ref("OrderDetail"),
        errors=(403, 409),
    )(take_step)


for _action in forms.STEP_FORMS:
    _step(_action)


@operation(
    f"{ORDER}/follow-ups",
    "GET",
    summary="Follow-up notes (跟进记录), oldest first",
    tag="orders",
    response=ref("FollowUps"),
)
def list_follow_ups(order_id: int) -> JSON:
    order = services.get_visible_order(require_user(), order_id)
    return {"items": [follow_up_json(f) for f in order.follow_ups]}


@operation(
    f"{ORDER}/follow-ups",
    "POST",
    summary="Add a follow-up note",
    tag="orders",
    body=Body(lambda: form_schema(forms.FollowUpForm), "FollowUpForm fields"),
    status=201,
    response=ref("FollowUp"),
)
def add_follow_up(order_id: int) -> tuple[JSON, int]:
    actor = require_user()
    order = services.get_visible_order(actor, order_id)
    payload = json_object()
    check_shape(payload, form_schema(forms.FollowUpForm))
    form = validated(forms.FollowUpForm, payload)
    entry = services.add_follow_up(
        actor, order, body=forms.text(form, "body"), next_follow_up_on=form.next_follow_up_on.data
    )
    return follow_up_json(entry), 201


@operation(
    f"{ORDER}/audit",
    "GET",
    summary="Audit log of the order's steps (brokers of its region and admins)",
    tag="orders",
    response=ref("AuditLog"),
    errors=(403,),
)
def order_audit(order_id: int) -> JSON:
    _order, entries = services.audit_log(require_user(), order_id)
    return {"items": [audit_json(e) for e in entries]}


@operation(
    "/needs/<int:need_id>/dispatch",
    "POST",
    summary="派单: a broker of the need's region sends it to providers (one order each)",
    tag="orders",
    body=Body(dispatch_body, "provider_ids and an optional message"),
    status=201,
    response=ref("Orders"),
    errors=(403, 409),
)
@idempotent
def dispatch_need(need_id: int) -> tuple[JSON, int]:
    actor = require_user()
    need = services.dispatchable_need(actor, need_id)
    payload = json_object()
    check_shape(payload, dispatch_body())
    # The form reads ids as form data reads them: text.
    ids = [str(i) for i in payload.get("provider_ids") or []]
    form = validated(forms.DispatchForm, {**payload, "provider_ids": ids}, list_fields=("provider_ids",))
    made = services.dispatch(actor, need, form.picked(), message=forms.text(form, "message"))
    return {"items": [order_json(o) for o in made]}, 201


@operation(
    "/needs/<int:need_id>/dispatch/top",
    "POST",
    summary="发给前 N 名: 派单 to the first top_n (1-10) of the 派单 page's suggestions, skipping providers "
    "already engaged on the need and, unless include_full, those at capacity, away or not taking orders",
    tag="orders",
    body=Body(dispatch_top_body, "top_n, optional include_full and message"),
    status=201,
    response=ref("Orders"),
    errors=(403, 409),
)
@idempotent
def dispatch_need_top(need_id: int) -> tuple[JSON, int]:
    actor = require_user()
    need = services.dispatchable_need(actor, need_id)
    payload = json_object()
    check_shape(payload, dispatch_top_body())
    form = validated(forms.DispatchTopForm, payload)
    made = dispatching.dispatch_top(
        actor,
        need,
        form.top_n.data,
        include_unavailable=bool(form.include_full.data),
        message=forms.text(form, "message"),
    )
    return {"items": [order_json(o) for o in made]}, 201


# ---- proposals (答题): submitting and judging; the rest is in market.api.answers ------------------------


def proposal_body() -> JSON:
    return form_schema(forms.ProposalForm, extra={"achievement_ids": EVIDENCE_LIST})


def proposal_terms(payload: JSON) -> ProposalTerms:
    """A proposal body checked by its form; achievement ids are read as form data reads them: text."""
    check_shape(payload, proposal_body())
    ids = [str(i) for i in payload.get("achievement_ids") or []]
    values = {**payload, "achievement_ids": ids}
    return validated(forms.ProposalForm, values, list_fields=("achievement_ids",)).terms()


@operation(
    "/needs/<int:need_id>/proposals",
    "GET",
    summary="Answers on a need: all of them, best-matched provider first with the engine's reason, for "
    "its enterprise (not those a broker hid) and brokers; one's own for a provider",
    tag="proposals",
    query=(
        Param("state", "Only answers in this state", {"type": "string", "enum": list(proposals.LIST_STATES)}),
    ),
    response=ref("RankedProposals"),
)
def list_proposals(need_id: int) -> JSON:
    actor = require_user()
    need = get_visible_need(actor, need_id)
    state = text("state", 20)
    ranking = proposals.answers_on_need(actor, need, state if state in proposals.LIST_STATES else "")
    return {
        "items": [ranked_proposal_json(r.proposal, r.match) for r in ranking.answers],
        "notice": ranking.notice,
    }


@operation(
    "/needs/<int:need_id>/proposals",
    "POST",
    summary="答题: a provider answers a public need (one open answer per provider and need; "
    "ANSWERS_PER_DAY new answers a day)",
    tag="proposals",
    body=Body(proposal_body, "ProposalForm fields; achievement_ids: the provider's own achievements"),
    status=201,
    response=ref("Proposal"),
    errors=(403, 409),
)
@idempotent
def submit_proposal(need_id: int) -> tuple[JSON, int]:
    actor = require_user()
    need = get_visible_need(actor, need_id)
    terms = proposal_terms(json_object())
    return proposal_json(proposals.submit(actor, need, terms)), 201


@operation(
    f"{PROPOSAL}/shortlist",
    "POST",
    summary="Shortlist (入围) an answer",
    tag="proposals",
    response=ref("Proposal"),
    errors=(400, 403, 409),
)
def shortlist_proposal(proposal_id: int) -> JSON:
    actor = require_user()
    no_body()
    return proposal_json(proposals.shortlist(actor, proposal_id))


@operation(
    f"{PROPOSAL}/reject",
    "POST",
    summary="Decline (婉拒) an answer, with a reason the provider reads",
    tag="proposals",
    body=Body(lambda: form_schema(forms.RejectForm), "reason"),
    response=ref("Proposal"),
    errors=(403, 409),
)
def reject_proposal(proposal_id: int) -> JSON:
    actor = require_user()
    proposals.lock_proposal(actor, proposal_id)  # 404 or 403 before the body is read, as on the page
    payload = json_object()
    check_shape(payload, form_schema(forms.RejectForm))
    reason = forms.text(validated(forms.RejectForm, payload), "reason")
    return proposal_json(proposals.reject(actor, proposal_id, reason=reason))


@operation(
    f"{PROPOSAL}/order",
    "POST",
    summary="Turn an answer into an order waiting for the provider's 接单",
    tag="proposals",
    body=Body(lambda: form_schema(forms.MessageForm), "an optional message", required=False),
    status=201,
    response=ref("OrderDetail"),
    errors=(403, 409),
)
def order_proposal(proposal_id: int) -> tuple[JSON, int, dict[str, str]]:
    actor = require_user()
    proposals.lock_proposal(actor, proposal_id)  # 404 or 403 before the body is read, as on the page
    payload = optional_json_object()
    check_shape(payload, form_schema(forms.MessageForm))
    message = forms.text(validated(forms.MessageForm, payload), "message")
    order = proposals.to_order(actor, proposal_id, message=message)
    return order_json(order, full=True), 201, _created(order.id)


# ---- notifications -------------------------------------------------------------------------------------


def notifications_page() -> JSON:
    schema = page_of("Notification")
    schema["properties"]["unread"] = {"type": "integer", "minimum": 0, "description": "All my unread"}
    schema["required"] = [*schema["required"], "unread"]
    return schema


@operation(
    "/notifications",
    "GET",
    summary="My notifications, newest first, with the number unread",
    tag="notifications",
    query=(Param("unread", "Only unread ones when 1/true", {"type": "boolean"}), *PAGING),
    response=notifications_page(),
)
def list_notifications() -> JSON:
    actor = require_user()
    listed = serialize.page(paginate(queries.notifications_query(actor, flag("unread"))), notification_json)
    return {**listed, "unread": queries.unread_count(actor)}


@operation(
    "/notifications/read",
    "POST",
    summary="Mark all my notifications read",
    tag="notifications",
    response=ref("Unread"),
    errors=(400,),
)
def read_notifications() -> JSON:
    actor = require_user()
    no_body()
    services.mark_read(actor)
    return {"unread": 0}
