"""Pages that start things: 点单 from a service, inviting a provider, 派单, and 答题 on open calls.

Who may start what is the services' decision (their look-ups answer 404 or 403 for the page as for
the POST); these views parse the form, call the service and render.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from market.capacity import services as capacity
from market.db import db
from market.i18n import gettext as _
from market.idempotency import create_once
from market.needs import views as need_pages
from market.needs.models import Need
from market.needs.services import get_visible_need
from market.orders import dispatching, forms, proposals, services
from market.orders.models import Order
from market.orders.pages import attempt, bp
from market.orders.views_answers import answer_uploads, too_large
from market.postings import PostingStatus


def _typed() -> MultiDict[str, str]:
    """What the user typed, to show again on a refused form (nothing on a first visit)."""
    return request.form if request.method == "POST" else MultiDict()


def _own_public_needs() -> list[Need]:
    return list(
        db.session.scalars(
            select(Need)
            .where(
                Need.organisation_id == current_user.organisation_id,
                Need.status == PostingStatus.APPROVED.value,
            )
            .order_by(Need.id.desc())
        )
    )


def _to_order(order: Order) -> Response:
    return redirect(url_for("orders.detail", order_id=order.id))


@bp.route("/new/service/<int:service_id>", methods=["GET", "POST"])
@login_required
def order_service(service_id: int) -> str | Response:
    service = services.orderable_service(current_user, service_id)

    def page() -> str:
        return render_template(
            "orders/new.html",
            service=service,
            provider=service.provider,
            need=None,
            needs=_own_public_needs(),
            typed=_typed(),
        )

    if request.method == "GET":
        return page()

    def start() -> Order:
        form = forms.read(forms.ServiceOrderForm, request.form)
        message = forms.text(form, "message")
        return services.order_service(current_user, service, message=message, need_id=form.need_id.data)

    return create_once(lambda: attempt(start, done=_("已点单，等待服务方接单。"), then=_to_order, page=page))


@bp.route("/new/invite/<int:need_id>/<int:provider_id>", methods=["GET", "POST"])
@login_required
def invite(need_id: int, provider_id: int) -> str | Response:
    need, provider = services.invitation(current_user, need_id, provider_id)

    def page() -> str:
        return render_template(
            "orders/new.html",
            service=None,
            provider=provider,
            need=need,
            needs=[],
            typed=_typed(),
            standing=capacity.standings(need, [provider])[provider.id],
        )

    if request.method == "GET":
        return page()

    def start() -> Order:
        form = forms.read(forms.MessageForm, request.form)
        return services.invite(current_user, need, provider, message=forms.text(form, "message"))

    return create_once(
        lambda: attempt(start, done=_("邀请已发出，等待服务方接单。"), then=_to_order, page=page)
    )


@bp.route("/dispatch/<int:need_id>", methods=["GET", "POST"])
@login_required
def dispatch(need_id: int) -> str | Response:
    need = services.dispatchable_need(current_user, need_id)

    def page() -> str:
        # The broker sees the ranking the enterprise sees, spread by capacity, with its reasons and
        # each provider's load and conflicts, above the full list (market/orders/dispatching.py).
        return render_template(
            "orders/dispatch.html", need=need, view=dispatching.page(current_user, need), typed=_typed()
        )

    if request.method == "GET":
        return page()

    def start() -> list[Order]:
        if "top_n" in request.form:  # the "send to the top N" button
            top = forms.read(forms.DispatchTopForm, request.form)
            return dispatching.dispatch_top(
                current_user,
                need,
                top.top_n.data,
                include_unavailable=bool(top.include_full.data),
                message=forms.text(top, "message"),
            )
        form = forms.read(forms.DispatchForm, request.form)
        return services.dispatch(current_user, need, form.picked(), message=forms.text(form, "message"))

    return create_once(
        lambda: attempt(
            start,
            done=_("已派单。"),
            then=lambda _orders: redirect(url_for("needs.detail", need_id=need.id)),
            page=page,
        )
    )


def _need_page(need_id: int) -> Callable[[], str]:
    """The need's page, where the proposal forms are (they show what was typed; see _need_section.html)."""
    return lambda: need_pages.detail(need_id)


def _to_proposals(need_id: int) -> Callable[[object], Response]:
    return lambda _result: redirect(url_for("needs.detail", need_id=need_id) + "#proposals")


@bp.route("/proposals/need/<int:need_id>", methods=["POST"])
@login_required
def propose(need_id: int) -> Response:
    need = get_visible_need(current_user, need_id)
    try:
        uploads = answer_uploads()
    except RequestEntityTooLarge:
        return too_large(need.id)

    def submit() -> object:
        terms = forms.read(forms.ProposalForm, request.form).terms()
        return proposals.submit(current_user, need, terms, uploads)

    return create_once(
        lambda: attempt(
            submit,
            done=_("答题方案已提交。"),
            then=_to_proposals(need.id),
            page=_need_page(need.id),
        )
    )


@bp.route("/proposals/<int:proposal_id>/<any(shortlist, reject, order):action>", methods=["POST"])
@login_required
def judge_proposal(proposal_id: int, action: str) -> Response:
    need_id = proposals.lock_proposal(current_user, proposal_id).need_id
    work: dict[str, Callable[[], object]] = {
        "shortlist": lambda: proposals.shortlist(current_user, proposal_id),
        "reject": lambda: proposals.reject(
            current_user, proposal_id, reason=forms.text(forms.read(forms.RejectForm, request.form), "reason")
        ),
        "order": lambda: proposals.to_order(
            current_user,
            proposal_id,
            message=forms.text(forms.read(forms.MessageForm, request.form), "message"),
        ),
    }
    done = {
        "shortlist": _("方案已入围。"),
        "reject": _("已婉拒该方案。"),
        "order": _("已转为订单，等待服务方接单。"),
    }
    return attempt(work[action], done=done[action], then=_to_proposals(need_id), page=_need_page(need_id))
