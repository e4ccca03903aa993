"""Needs (技术需求): public browsing, an enterprise's own needs, create, update, submit, withdraw."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for

from market.api import search, serialize
from market.api.auth import optional_user, require_user
from market.api.bodies import check_shape, form_schema, json_object, no_body, validated
from market.api.idempotency import idempotent
from market.api.params import FIELD, PAGING, PROVINCE, SUBFIELD, text
from market.api.spec import Body, Param, operation, page_of, ref
from market.needs import services
from market.needs.forms import NeedForm, OutcomeForm, SolveForm
from market.needs.models import Need
from market.pagination import paginate
from market.postings import PostingStatus
from market.reference import services as reference

JSON = dict[str, Any]
ONE = "/needs/<int:need_id>"


def need_body(partial: bool = False) -> JSON:
    return form_schema(NeedForm, partial=partial)


def stored_values(need: Need) -> JSON:
    """A need as the JSON the form takes, so PATCH can merge changes into it."""
    return {
        "title": need.title,
        "description": need.description,
        "field_code": need.field_code,
        # A sub-field an admin has since deactivated is not offered by the form: a change drops it.
        "subfield_code": need.subfield_code
        if reference.subfield_under(need.subfield_code or "", [need.field_code])
        else None,
        "province": need.province,
        "city": need.city,
        "budget_min": need.budget_min,
        "budget_max": need.budget_max,
        "deadline": need.deadline.isoformat() if need.deadline else None,
        "cooperation_mode": need.cooperation_mode,
        "public_summary": need.public_summary,
        "confidential_details": need.confidential_details,
        "is_open_call": need.is_open_call,
    }


def _detail(need: Need, actor: Any) -> JSON:
    return serialize.need(services.as_seen_by(actor, need))


def _list_item(actor: Any) -> Callable[[Need], JSON]:
    return lambda need: serialize.need(services.as_seen_by(actor, need, with_history=False))


@operation(
    "/needs",
    "GET",
    summary="List public (approved) needs; with q, ranked by relevance (the pages' search)",
    tag="needs",
    auth="optional",
    query=search.list_params(
        search.NEEDS,
        FIELD,
        SUBFIELD,
        PROVINCE,
        Param("mode", "Cooperation mode code"),
        search.BUDGET,
        Param("open_call", "Only open calls (揭榜挂帅) when 1/true", {"type": "boolean"}),
    ),
    response=search.searched_page_of("Need"),
)
def list_needs() -> JSON:
    optional_user()
    # The public list shows every caller the public face; confidential parts only on GET one and /me/needs.
    return search.search_page(
        search.NEEDS, lambda n: serialize.need(services.as_seen_by(None, n, with_history=False))
    )


@operation(
    ONE,
    "GET",
    summary="One need; confidential details only for its enterprise and reviewers",
    tag="needs",
    auth="optional",
    response=ref("Need"),
)
def get_need(need_id: int) -> JSON:
    actor = optional_user()
    return _detail(services.get_visible_need(actor, need_id), actor)


@operation(
    "/needs",
    "POST",
    summary="Create a need (saved as a draft)",
    tag="needs",
    body=Body(need_body, "NeedForm fields"),
    status=201,
    response=ref("Need"),
    errors=(403,),
)
@idempotent
def create_need() -> tuple[JSON, int, dict[str, str]]:
    actor = require_user()
    services.require_author(actor)  # who before what: a provider's malformed body is still a 403
    payload = json_object()
    check_shape(payload, need_body())
    form = validated(NeedForm, payload)
    need = services.create_need(actor, form.need_values())
    return _detail(need, actor), 201, {"Location": url_for("api.get_need", need_id=need.id)}


@operation(
    ONE,
    "PATCH",
    summary="Change a draft, returned or withdrawn need (fields left out keep their value)",
    tag="needs",
    body=Body(lambda: need_body(partial=True), "Any NeedForm fields"),
    response=ref("Need"),
    errors=(403, 409),
)
def update_need(need_id: int) -> JSON:
    actor = require_user()
    need = services.get_editable_need(actor, need_id)
    payload = json_object()
    check_shape(payload, need_body(partial=True))
    form = validated(NeedForm, {**stored_values(need), **payload})
    services.update_need(actor, need, form.need_values())
    return _detail(need, actor)


@operation(
    f"{ONE}/submit",
    "POST",
    summary="Submit a need for review",
    tag="needs",
    response=ref("Need"),
    errors=(400, 403, 409),
)
def submit_need(need_id: int) -> JSON:
    actor = require_user()
    no_body()
    return _detail(services.submit_need(actor, need_id), actor)


@operation(
    f"{ONE}/withdraw",
    "POST",
    summary="Withdraw a pending or public need",
    tag="needs",
    response=ref("Need"),
    errors=(400, 403, 409),
)
def withdraw_need(need_id: int) -> JSON:
    actor = require_user()
    no_body()
    return _detail(services.withdraw_need(actor, need_id), actor)


def _outcome_form(form_class: type[OutcomeForm]) -> OutcomeForm:
    payload = json_object()
    check_shape(payload, form_schema(form_class))
    return validated(form_class, payload)


@operation(
    f"{ONE}/solve",
    "POST",
    summary=(
        "Mark a public need solved, through one of its signed orders (how=platform, order_id) or "
        "elsewhere, with a reason; it leaves public lists, search and matching"
    ),
    tag="needs",
    body=Body(lambda: form_schema(SolveForm), "How it was solved, the order (through this platform) and why"),
    response=ref("Need"),
    errors=(403, 409),
)
def solve_need(need_id: int) -> JSON:
    actor = require_user()
    form = _outcome_form(SolveForm)
    return _detail(services.solve_need(actor, need_id, **form.outcome_values()), actor)


@operation(
    f"{ONE}/close",
    "POST",
    summary="Close a public need that is no longer needed, with a reason; it leaves public lists and search",
    tag="needs",
    body=Body(lambda: form_schema(OutcomeForm), "Why"),
    response=ref("Need"),
    errors=(403, 409),
)
def close_need(need_id: int) -> JSON:
    actor = require_user()
    form = _outcome_form(OutcomeForm)
    return _detail(services.close_need(actor, need_id, **form.outcome_values()), actor)


@operation(
    f"{ONE}/reopen",
    "POST",
    summary="Reopen a solved or closed need, with a reason: public again at once (no new review)",
    tag="needs",
    body=Body(lambda: form_schema(OutcomeForm), "Why"),
    response=ref("Need"),
    errors=(403, 409),
)
def reopen_need(need_id: int) -> JSON:
    actor = require_user()
    form = _outcome_form(OutcomeForm)
    return _detail(services.reopen_need(actor, need_id, **form.outcome_values()), actor)


@operation(
    "/me/needs",
    "GET",
    summary="The needs of the caller's enterprise, any status",
    tag="needs",
    query=(
        Param(
            "status",
            "Only needs in this status",
            {"type": "string", "enum": [status.value for status in PostingStatus]},
        ),
        *PAGING,
    ),
    response=page_of("Need"),
    errors=(403,),
)
def my_needs() -> JSON:
    actor = require_user()
    query = services.organisation_needs_query(actor, text("status", 20))
    return serialize.page(
        paginate(query), lambda n: serialize.need(services.as_seen_by(actor, n, with_history=False))
    )
