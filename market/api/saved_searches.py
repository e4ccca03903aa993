"""Saved searches in the API: my saved searches (and my followed 推荐需求), saving, renaming, deleting.

Bodies go through the page's forms (market.saved_searches.forms); the services decide
(market.saved_searches.services): another person's saved search is 404.
"""

from __future__ import annotations

from typing import Any

from market.api.auth import require_user
from market.api.bodies import check_shape, form_schema, json_object, validated
from market.api.errors import BadRequest
from market.api.spec import Body, operation
from market.i18n import gettext as _
from market.saved_searches import forms, services
from market.saved_searches.serialize import SAVED_SEARCH, SAVED_SEARCHES, search_json

JSON = dict[str, Any]
SEARCHES = "/me/searches"
ONE = "/me/searches/<int:search_id>"
FILTERS_SCHEMA: JSON = {
    "type": "object",
    "additionalProperties": {"type": ["string", "boolean"]},
    "description": "the list's filters by key (needs: field, province, mode, budget, open_call; providers: "
    "field, province, kind, available; services: category, field, province), as the list pages take them",
}


def save_body() -> JSON:
    schema = form_schema(forms.SaveSearchForm, extra={"kind": {"description": "the list, or recommended"}})
    schema["properties"]["filters"] = FILTERS_SCHEMA
    return schema


def _filters(payload: JSON) -> dict[str, Any]:
    """`filters` must be an object of strings (or true/false for the check boxes), or absent."""
    given = payload.pop("filters", None)
    if given is None:
        return {}
    if not isinstance(given, dict) or not all(
        isinstance(k, str) and isinstance(v, str | bool) for k, v in given.items()
    ):
        message = _("类型错误，应为 {expected}。", expected="object")
        raise BadRequest(_("请求体字段类型不正确。"), field_errors={"filters": [message]})
    return {
        key: ("yes" if value is True else "" if value is False else value) for key, value in given.items()
    }


@operation(
    SEARCHES,
    "GET",
    summary="My saved searches (and my followed 推荐需求), newest first",
    tag="search",
    response=SAVED_SEARCHES,
)
def my_searches() -> JSON:
    actor = require_user()
    return {"items": [search_json(s) for s in services.my_searches(actor)], "limit": services.limit()}


@operation(
    SEARCHES,
    "POST",
    summary="Save a search of a list (kind needs, providers or services: q, filters, sort, a name) or, kind "
    "recommended, follow my provider profile's 推荐需求. New public postings among its first results are "
    "notified once a day at most. The same search saved again answers with the one saved before (201 too); "
    "409 beyond SAVED_SEARCHES_PER_USER",
    tag="search",
    body=Body(save_body, "name, kind, q, filters, sort"),
    status=201,
    response=SAVED_SEARCH,
    errors=(409,),
)
def save_search() -> tuple[JSON, int]:
    actor = require_user()
    payload = json_object()
    filters = _filters(payload)
    check_shape(payload, save_body())
    form = validated(forms.SaveSearchForm, payload)
    saved, _new = services.save(actor, form.terms(filters))
    return search_json(saved), 201


@operation(ONE, "GET", summary="One of my saved searches", tag="search", response=SAVED_SEARCH)
def get_search(search_id: int) -> JSON:
    return search_json(services.get_own(require_user(), search_id))


@operation(
    ONE,
    "PATCH",
    summary="Rename one of my saved searches",
    tag="search",
    body=Body(lambda: form_schema(forms.RenameForm), "name"),
    response=SAVED_SEARCH,
)
def rename_search(search_id: int) -> JSON:
    actor = require_user()
    services.get_own(actor, search_id)  # 404 before the body is read
    payload = json_object()
    check_shape(payload, form_schema(forms.RenameForm))
    form = validated(forms.RenameForm, payload)
    return search_json(services.rename(actor, search_id, str(form.name.data or "")))


@operation(ONE, "DELETE", summary="Delete one of my saved searches", tag="search", status=204)
def delete_search(search_id: int) -> tuple[str, int]:
    services.delete(require_user(), search_id)
    return "", 204
