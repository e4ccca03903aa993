"""Providers (服务方): the public directory and service menu, and a provider's own profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for

from market.api import search, serialize
from market.api.auth import optional_user, require_user
from market.api.bodies import check_shape, form_defaults, form_schema, json_object, no_body, validated
from market.api.idempotency import idempotent
from market.api.params import FIELD, PROVINCE, SUBFIELD
from market.api.spec import Body, Param, operation, ref
from market.auth.models import User
from market.providers import services
from market.providers.forms import MAX_FIELDS, MAX_SUBFIELDS, AchievementForm, ProviderForm, ServiceForm
from market.providers.models import Achievement, Provider, ServiceItem
from market.reference import services as reference

JSON = dict[str, Any]
ACHIEVEMENT = "/me/provider/achievements/<int:item_id>"
SERVICE = "/me/provider/services/<int:item_id>"
LIST_FIELDS = ("fields", "subfields")


def profile_body(partial: bool = True) -> JSON:
    return form_schema(
        ProviderForm,
        partial=partial,
        extra={
            "fields": {"minItems": 1, "maxItems": MAX_FIELDS},
            "subfields": {"maxItems": MAX_SUBFIELDS, "description": "Sub-field codes of the chosen fields"},
        },
    )


def achievement_body(partial: bool = False) -> JSON:
    return form_schema(AchievementForm, partial=partial)


def service_body(partial: bool = False) -> JSON:
    return form_schema(ServiceForm, partial=partial)


def profile_values(provider: Provider) -> JSON:
    return {
        "name": provider.name,
        "title": provider.title,
        "affiliation": provider.affiliation,
        "province": provider.province,
        "city": provider.city,
        "fields": provider.field_codes,
        # Deactivated sub-fields are not offered by the form: a change drops them.
        "subfields": [
            code for code in provider.subfield_codes if reference.subfield_under(code, provider.field_codes)
        ],
        "expertise": provider.expertise,
        "available": provider.available,
    }


def achievement_values(item: Achievement) -> JSON:
    return {"kind": item.kind, "title": item.title, "description": item.description, "year": item.year}


def service_values(item: ServiceItem) -> JSON:
    return {
        "category": item.category,
        "title": item.title,
        "description": item.description,
        "delivery_mode": item.delivery_mode,
        "price_note": item.price_note,
        "active": item.active,
    }


# ---- public --------------------------------------------------------------------------------------------


@operation(
    "/providers",
    "GET",
    summary="List public (approved) providers; with q, ranked by relevance (the pages' search)",
    tag="providers",
    auth="optional",
    query=search.list_params(
        search.PROVIDERS,
        FIELD,
        SUBFIELD,
        PROVINCE,
        Param("kind", "expert, society, team or institution"),
        Param("available", "Only providers taking orders when 1/true", {"type": "boolean"}),
    ),
    response=search.searched_page_of("Provider"),
)
def list_providers() -> JSON:
    optional_user()
    return search.search_page(search.PROVIDERS, serialize.provider)


@operation(
    "/providers/<int:provider_id>",
    "GET",
    summary="One provider with achievements and active services",
    tag="providers",
    auth="optional",
    response=ref("ProviderDetail"),
)
def get_provider(provider_id: int) -> JSON:
    return serialize.provider_detail(services.get_visible_provider(optional_user(), provider_id))


@operation(
    "/services",
    "GET",
    summary="List orderable services of public providers; with q, ranked by relevance (the pages' search)",
    tag="providers",
    auth="optional",
    query=search.list_params(search.SERVICES, Param("category", "Service category code"), FIELD, PROVINCE),
    response=search.searched_page_of("ListedService"),
)
def list_services() -> JSON:
    optional_user()
    return search.search_page(search.SERVICES, serialize.listed_service)


# ---- own profile ---------------------------------------------------------------------------------------


@operation(
    "/me/provider",
    "GET",
    summary="The caller's provider profile, any status",
    tag="my provider",
    response=ref("OwnProvider"),
    errors=(404,),
)
def my_provider() -> JSON:
    return serialize.own_provider(services.own_provider(require_user()))


@operation(
    "/me/provider",
    "PATCH",
    summary="Change the profile (a public profile goes back to review)",
    tag="my provider",
    body=Body(profile_body, "Any ProviderForm fields"),
    response=ref("OwnProvider"),
    errors=(404,),
)
def update_my_provider() -> JSON:
    actor = require_user()
    provider = services.own_provider(actor)
    payload = json_object()
    check_shape(payload, profile_body())
    form = validated(ProviderForm, {**profile_values(provider), **payload}, LIST_FIELDS)
    services.update_profile(actor, provider, form.profile_values())
    return serialize.own_provider(provider)


@operation(
    "/me/provider/submit",
    "POST",
    summary="Submit the profile for review",
    tag="my provider",
    response=ref("OwnProvider"),
    errors=(400, 404, 409, 422),
)
def submit_my_provider() -> JSON:
    actor = require_user()
    no_body()
    return serialize.own_provider(services.submit_provider(actor))


@operation(
    "/me/provider/withdraw",
    "POST",
    summary="Withdraw a pending or public profile",
    tag="my provider",
    response=ref("OwnProvider"),
    errors=(400, 404, 409),
)
def withdraw_my_provider() -> JSON:
    actor = require_user()
    no_body()
    return serialize.own_provider(services.withdraw_provider(actor))


# ---- achievements and services -------------------------------------------------------------------------


def _create(
    form_class: type[AchievementForm] | type[ServiceForm],
    schema: Callable[[], JSON],
    add: Callable[[User, Provider, JSON], Any],
) -> tuple[User, Any]:
    actor = require_user()
    provider = services.own_provider(actor)
    payload = json_object()
    check_shape(payload, schema())
    form = validated(form_class, {**form_defaults(form_class), **payload})
    return actor, add(actor, provider, form.values())


@operation(
    "/me/provider/achievements",
    "POST",
    summary="Add an achievement (成果)",
    tag="my provider",
    body=Body(achievement_body, "AchievementForm fields"),
    status=201,
    response=ref("Achievement"),
    errors=(404,),
)
@idempotent
def create_achievement() -> tuple[JSON, int, dict[str, str]]:
    _actor, item = _create(AchievementForm, achievement_body, services.add_achievement)
    return serialize.achievement(item), 201, {"Location": url_for("api.update_achievement", item_id=item.id)}


@operation(
    ACHIEVEMENT,
    "PATCH",
    summary="Change an achievement",
    tag="my provider",
    body=Body(lambda: achievement_body(partial=True), "Any AchievementForm fields"),
    response=ref("Achievement"),
    errors=(404,),
)
def update_achievement(item_id: int) -> JSON:
    actor = require_user()
    item = services.get_own_item(actor, Achievement, item_id)
    payload = json_object()
    check_shape(payload, achievement_body(partial=True))
    form = validated(AchievementForm, {**achievement_values(item), **payload})
    return serialize.achievement(services.update_item(actor, item, form.values()))


@operation(
    ACHIEVEMENT,
    "DELETE",
    summary="Delete an achievement",
    tag="my provider",
    status=204,
    errors=(404,),
)
def delete_achievement(item_id: int) -> tuple[str, int]:
    actor = require_user()
    services.delete_item(actor, services.get_own_item(actor, Achievement, item_id))
    return "", 204


@operation(
    "/me/provider/services",
    "POST",
    summary="Add a service to the menu (服务清单)",
    tag="my provider",
    body=Body(service_body, "ServiceForm fields"),
    status=201,
    response=ref("Service"),
    errors=(404,),
)
@idempotent
def create_service() -> tuple[JSON, int, dict[str, str]]:
    _actor, item = _create(ServiceForm, service_body, services.add_service)
    return serialize.service(item), 201, {"Location": url_for("api.update_service", item_id=item.id)}


@operation(
    SERVICE,
    "PATCH",
    summary="Change a service",
    tag="my provider",
    body=Body(lambda: service_body(partial=True), "Any ServiceForm fields"),
    response=ref("Service"),
    errors=(404,),
)
def update_service(item_id: int) -> JSON:
    actor = require_user()
    item = services.get_own_item(actor, ServiceItem, item_id)
    payload = json_object()
    check_shape(payload, service_body(partial=True))
    form = validated(ServiceForm, {**service_values(item), **payload})
    return serialize.service(services.update_item(actor, item, form.values()))


@operation(
    SERVICE,
    "DELETE",
    summary="Delete a service (409 when orders refer to it: withdraw it instead)",
    tag="my provider",
    status=204,
    errors=(404, 409),
)
def delete_service(item_id: int) -> tuple[str, int]:
    actor = require_user()
    services.delete_item(actor, services.get_own_item(actor, ServiceItem, item_id))
    return "", 204


@operation(
    SERVICE + "/withdraw",
    "POST",
    summary="下架: take a service off the menu (not shown, not orderable; its orders keep it)",
    tag="my provider",
    response=ref("Service"),
    errors=(400, 404),
)
def withdraw_service(item_id: int) -> JSON:
    return _set_listed(item_id, listed=False)


@operation(
    SERVICE + "/relist",
    "POST",
    summary="重新上架: put a withdrawn service back on the menu",
    tag="my provider",
    response=ref("Service"),
    errors=(400, 404),
)
def relist_service(item_id: int) -> JSON:
    return _set_listed(item_id, listed=True)


def _set_listed(item_id: int, listed: bool) -> JSON:
    actor = require_user()
    service = services.get_own_item(actor, ServiceItem, item_id)
    no_body()
    return serialize.service(services.set_service_listed(actor, service, listed))
