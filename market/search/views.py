"""The public list pages (技术需求, 专家与机构, 服务清单), ranked by the search index when a query is given.

They keep their endpoints (`needs.browse`, `providers.browse`, `providers.services_browse`): the routes
are added to the needs and providers blueprints here, before `create_app` registers them, because the
search service builds on needs, providers and matching and so cannot be imported by them.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from market import taxonomy
from market.errors import ValidationFailed
from market.forms import field_choices, province_choices, subfield_filter_choices, term_choices
from market.i18n import gettext as _
from market.needs.views import bp as needs_bp
from market.orders.forms import read
from market.orders.pages import refusal_message
from market.providers.views import bp as providers_bp
from market.search import ask_broker, services
from market.search.forms import AskBrokerForm
from market.search.params import search_request
from market.search.query import MAX_QUERY_CHARS

LIST_ENDPOINTS = {
    services.NEEDS: "needs.browse",
    services.PROVIDERS: "providers.browse",
    services.SERVICES: "providers.services_browse",
}
LIST_TITLES = {
    services.NEEDS: "技术需求",
    services.PROVIDERS: "专家与机构",
    services.SERVICES: "服务清单",
}


def list_url(list_kind: str, /, **changes: Any) -> str:
    """This list's URL with some arguments changed (None removes one); the page goes back to 1."""
    args: dict[str, Any] = request.args.to_dict()
    args.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(LIST_ENDPOINTS[list_kind], **args)


def _render(list_kind: str, template: str) -> str:
    kind = list_kind
    result = services.search(kind, search_request(kind))
    return render_template(
        template,
        kind=kind,
        result=result,
        page=result.page,
        filters=result.request.filters,
        q=result.request.q,
        list_url=lambda **changes: list_url(list_kind, **changes),
        other_url=lambda other: url_for(LIST_ENDPOINTS[other], q=result.query.text if result.query else ""),
        list_titles=LIST_TITLES,
        can_ask_broker=ask_broker.can_ask(current_user),
        sort_labels=services.SORT_LABELS,
        max_query=MAX_QUERY_CHARS,
        fields=field_choices(_("全部领域")),
        subfields=subfield_filter_choices(result.request.filters.get("field"), _("全部细分领域")),
        provinces=province_choices(_("全部地区")),
        modes=term_choices(taxonomy.COOPERATION_MODES, _("全部方式")),
        kinds=term_choices(taxonomy.PROVIDER_KINDS, _("全部类型")),
        categories=term_choices(taxonomy.SERVICE_CATEGORIES, _("全部类别")),
        budgets=[("", _("全部预算"))] + [(code, _(label)) for code, label, *_rest in services.BUDGET_BUCKETS],
    )


@needs_bp.route("/")
def browse() -> str:
    return _render(services.NEEDS, "needs/browse.html")


@providers_bp.route("/providers/", endpoint="browse")
def browse_providers() -> str:
    return _render(services.PROVIDERS, "providers/browse.html")


@providers_bp.route("/services/", endpoint="services_browse")
def browse_services() -> str:
    return _render(services.SERVICES, "providers/services.html")


@needs_bp.route("/ask-broker", methods=["POST"], endpoint="ask_broker")
@login_required
def ask_broker_view() -> Response:
    """请经纪人帮忙 from a list that found nothing; back to that list with what happened."""
    kind = request.form.get("kind", "")
    kind = kind if kind in services.KINDS else services.NEEDS
    back = redirect(url_for(LIST_ENDPOINTS[kind], q=(request.form.get("query") or "")[:200]))
    try:
        form = read(AskBrokerForm, request.form)
        told = ask_broker.ask_broker(current_user, form.query.data or "")
    except ValidationFailed as error:
        flash(refusal_message(error), "danger")
        return back
    if told:
        flash(_("已通知本地区的技术经理人，他们会尽快与你联系。"), "success")
    else:
        flash(_("今天已就这个内容请过经纪人帮忙，他们会尽快与你联系。"), "info")
    return back
