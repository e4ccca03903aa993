"""Pages that start things: 点单 from a service, inviting a provider, 派单, and 答题 on open calls."""

from __future__ import annotations

from collections.abc import Callable

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from market.db import db
from market.errors import Forbidden, NotFound
from market.i18n import gettext as _
from market.idempotency import create_once
from market.matching import services as matching
from market.needs.models import Need
from market.needs.services import get_visible_need
from market.orders import permissions as rules
from market.orders import proposals, services
from market.orders.models import Order
from market.orders.views import bp, flash_refusal
from market.postings import PostingStatus
from market.providers.models import Provider, ServiceItem
from market.providers.services import get_visible_provider
from market.reference.models import Field

DISPATCH_CHOICES = 200
DISPATCH_RECOMMENDED = 10


def _service(service_id: int) -> ServiceItem:
    service = db.session.get(ServiceItem, service_id)
    if service is None or not service.provider.is_public:
        raise NotFound(_("服务不存在或未公开。"))
    return service


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


@bp.route("/new/service/<int:service_id>", methods=["GET", "POST"])
@login_required
def order_service(service_id: int) -> str | Response:
    service = _service(service_id)
    if not rules.can_order_service(current_user, service):
        raise Forbidden(_("只有企业用户可以点单，且服务须在架。"))
    if request.method == "POST":
        return create_once(
            lambda: _to_new_order(
                lambda: services.order_service(current_user, service, request.form),
                _("已点单，等待服务方接单。"),
            )
        )
    return render_template(
        "orders/new.html", service=service, provider=service.provider, need=None, needs=_own_public_needs()
    )


@bp.route("/new/invite/<int:need_id>/<int:provider_id>", methods=["GET", "POST"])
@login_required
def invite(need_id: int, provider_id: int) -> str | Response:
    need = get_visible_need(current_user, need_id)
    provider = get_visible_provider(current_user, provider_id)
    if not rules.can_invite(current_user, need, provider):
        raise Forbidden(_("只能邀请已公开的服务方参与本企业已公开的需求。"))
    if request.method == "POST":
        return create_once(
            lambda: _to_new_order(
                lambda: services.invite(current_user, need, provider, request.form),
                _("邀请已发出，等待服务方接单。"),
            )
        )
    return render_template("orders/new.html", service=None, provider=provider, need=need, needs=[])


def _to_new_order(start: Callable[[], Order], done: str) -> Response:
    """Start an order and go to it; a refusal comes back as a flash on the form."""
    created: list[int] = []
    back = flash_refusal(lambda: redirect(request.path), lambda: created.append(start().id), done)
    return redirect(url_for("orders.detail", order_id=created[0])) if created else back


def _dispatch_candidates(need: Need) -> list[Provider]:
    """Every public provider to pick from by hand: the need's field first, then its province."""
    same_field = Provider.fields.any(Field.code == need.field_code)
    query = (
        select(Provider)
        .where(Provider.status == PostingStatus.APPROVED.value)
        .order_by(same_field.desc(), (Provider.province == need.province).desc(), Provider.id)
        .limit(DISPATCH_CHOICES)
    )
    return list(db.session.scalars(query))


@bp.route("/dispatch/<int:need_id>", methods=["GET", "POST"])
@login_required
def dispatch(need_id: int) -> str | Response:
    need = get_visible_need(current_user, need_id)
    if not rules.can_dispatch(current_user, need):
        raise Forbidden(_("只能向本地区已公开的需求派单。"))
    if request.method == "POST":
        ids = [int(v) for v in request.form.getlist("provider_ids") if v.isdecimal() and len(v) < 10]
        return create_once(
            lambda: flash_refusal(
                lambda: redirect(url_for("needs.detail", need_id=need.id)),
                lambda: services.dispatch(current_user, need, ids, request.form),
                _("已派单。"),
            )
        )
    # The broker sees the ranking the enterprise sees, with its reasons, above the full list.
    matches = matching.or_notice(
        lambda: matching.providers_for_need(current_user, need, k=DISPATCH_RECOMMENDED)
    )
    return render_template(
        "orders/dispatch.html", need=need, matches=matches, providers=_dispatch_candidates(need)
    )


@bp.route("/proposals/need/<int:need_id>", methods=["POST"])
@login_required
def propose(need_id: int) -> Response:
    need = get_visible_need(current_user, need_id)
    return create_once(
        lambda: flash_refusal(
            lambda: redirect(url_for("needs.detail", need_id=need.id) + "#proposals"),
            lambda: proposals.submit(current_user, need, request.form),
            _("答题方案已提交。"),
        )
    )


@bp.route("/proposals/<int:proposal_id>/<any(shortlist, reject, order):action>", methods=["POST"])
@login_required
def judge_proposal(proposal_id: int, action: str) -> Response:
    proposal = proposals.lock_proposal(current_user, proposal_id)
    need_id = proposal.need_id
    work = {
        "shortlist": lambda: proposals.shortlist(current_user, proposal_id),
        "reject": lambda: proposals.reject(current_user, proposal_id, request.form),
        "order": lambda: proposals.to_order(current_user, proposal_id, request.form),
    }[action]
    done = {
        "shortlist": _("方案已入围。"),
        "reject": _("已婉拒该方案。"),
        "order": _("已转为订单，等待服务方接单。"),
    }
    return flash_refusal(
        lambda: redirect(url_for("needs.detail", need_id=need_id) + "#proposals"), work, done[action]
    )
