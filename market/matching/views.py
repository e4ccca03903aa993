"""Match pages: ranked providers for a need, recommended needs for a provider, feedback."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market import taxonomy
from market.capacity import services as capacity
from market.errors import NotFound
from market.forms import province_choices, term_choices
from market.i18n import gettext as _
from market.match_log import services as match_log
from market.matching import services
from market.needs import services as needs
from market.pagination import arg, flag
from market.providers import services as providers

bp = Blueprint("matching", __name__)


FILTER_ARGS = ("province", "kind", "available", "same_field")


def _filter_args() -> dict[str, str]:
    """The page's own filters, carried through feedback; other query keys (e.g. a stray need_id)
    would collide with the route's arguments."""
    return {key: request.args[key] for key in FILTER_ARGS if key in request.args}


def _rank(value: str) -> int | None:
    # isdecimal(), not isdigit(): "²" is a digit that int() refuses. A rank is a short ASCII number.
    return int(value) if value.isascii() and value.isdecimal() and len(value) <= 4 else None


@bp.route("/needs/<int:need_id>/matches")
@login_required
def need_matches(need_id: int) -> str:
    need = needs.get_visible_need(current_user, need_id)
    filters = services.MatchFilters(
        province=arg("province", 12),
        kind=arg("kind", 20),
        available_only=flag("available"),
        same_field_only=flag("same_field"),
    )
    matches = services.or_notice(lambda: services.providers_for_need(current_user, need, filters))
    match_log.record_view(current_user, need)  # the funnel's 匹配 step (market/broker/funnel.py)
    return render_template(
        "matching/need_matches.html",
        need=need,
        matches=matches,
        filters=filters,
        trouble=matches.notice,
        # Each provider's load, answer record and conflicts with this need (market/capacity).
        standings=capacity.standings(need, [m.provider for m in matches]),
        filter_args=_filter_args(),
        provinces=province_choices(_("全部地区")),
        kinds=term_choices(taxonomy.PROVIDER_KINDS, _("全部类型")),
    )


@bp.route("/needs/<int:need_id>/matches/<int:provider_id>/feedback", methods=["POST"])
@login_required
def feedback(need_id: int, provider_id: int) -> Response:
    need = needs.get_visible_need(current_user, need_id)
    provider = providers.get_visible_provider(current_user, provider_id)
    useful = request.form.get("useful") == "1"
    rank = request.form.get("rank", "")
    services.record_feedback(current_user, need, provider, useful, _rank(rank))
    flash(_("已记录你的评价，谢谢。") if useful else _("已标记为不相关，该服务方将排在后面。"), "info")
    return redirect(url_for("matching.need_matches", need_id=need.id, **_filter_args()))


@bp.route("/me/recommended")
@login_required
def recommended_needs() -> str:
    provider = providers.provider_of(current_user)
    if provider is None:
        raise NotFound(_("你的账号没有服务方资料。"))
    matches = services.or_notice(lambda: services.needs_for_provider(current_user, provider))
    return render_template(
        "matching/recommended.html", provider=provider, matches=matches, trouble=matches.notice
    )
