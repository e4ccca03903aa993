"""Provider profiles, achievements and services: changes and public look-ups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.exc import IntegrityError

from market import permissions
from market.auth.models import User
from market.db import db
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.i18n import gettext as _
from market.moderation import services as moderation
from market.postings import Action, PostingStatus
from market.providers.models import Achievement, Provider, ServiceItem, provider_fields, provider_subfields
from market.reference import services as reference
from market.reference.models import Field, SubField
from market.text import contains_text

Item = TypeVar("Item", Achievement, ServiceItem)


def provider_of(user: Any) -> Provider | None:
    """The profile the user manages: their own (expert) or their organisation's."""
    if not permissions._user(user):
        return None
    found = db.session.scalar(select(Provider).where(Provider.user_id == user.id))
    if found is None and user.organisation_id is not None:
        found = db.session.scalar(select(Provider).where(Provider.organisation_id == user.organisation_id))
    return found if found is not None and permissions.owns_provider(user, found) else None


def own_provider(actor: Any) -> Provider:
    """The profile the actor manages; 404 for accounts without one."""
    provider = provider_of(actor)
    if provider is None:
        raise NotFound(_("你的账号没有服务方资料。"))
    return provider


def _require_owner(actor: User, provider: Provider) -> None:
    if not permissions.can_edit_provider(actor, provider):
        raise Forbidden(_("只能修改自己的服务方资料。"))


def update_profile(actor: User, provider: Provider, values: dict[str, Any]) -> Provider:
    _require_owner(actor, provider)
    field_codes = values.pop("field_codes")
    subfield_codes = _checked_subfields(provider, field_codes, values.pop("subfield_codes", None))
    for key, value in values.items():
        setattr(provider, key, value)
    provider.fields = list(db.session.scalars(select(Field).where(Field.code.in_(field_codes))))
    provider.fields.sort(key=lambda f: field_codes.index(f.code))
    provider.subfields = list(db.session.scalars(select(SubField).where(SubField.code.in_(subfield_codes))))
    moderation.recheck_if_public(actor, provider)
    db.session.flush()
    return provider


def _checked_subfields(provider: Provider, field_codes: list[str], wanted: list[str] | None) -> list[str]:
    """Sub-fields under the chosen fields. None (not given) keeps the current ones that still fit the
    fields; the ones it already holds may stay after an admin deactivated them."""
    held = set(provider.subfield_codes)
    known = reference.subfields()
    if wanted is None:
        return [c for c in held if c in known and known[c].field_code in field_codes]
    kept = [c for c in wanted if c in held and c in known and known[c].field_code in field_codes]
    return kept + reference.check_subfields(field_codes, [c for c in wanted if c not in kept])


def add_item(actor: User, provider: Provider, model: type[Item], values: dict[str, Any]) -> Item:
    """Add an achievement or a service to the actor's own profile."""
    _require_owner(actor, provider)
    item = model(provider=provider, **values)
    db.session.add(item)
    moderation.recheck_if_public(actor, provider)
    db.session.flush()
    return item


def add_achievement(actor: User, provider: Provider, values: dict[str, Any]) -> Achievement:
    return add_item(actor, provider, Achievement, values)


def add_service(actor: User, provider: Provider, values: dict[str, Any]) -> ServiceItem:
    return add_item(actor, provider, ServiceItem, values)


def update_item(actor: User, item: Item, values: dict[str, Any]) -> Item:
    _require_owner(actor, item.provider)
    for key, value in values.items():
        setattr(item, key, value)
    moderation.recheck_if_public(actor, item.provider)
    db.session.flush()
    return item


def delete_item(actor: User, item: Achievement | ServiceItem) -> None:
    """Delete an achievement or a service. A service that orders refer to is part of their history:
    it cannot be deleted (409), only taken off the menu (`set_service_listed`)."""
    _require_owner(actor, item.provider)
    if isinstance(item, ServiceItem) and service_has_orders(item):
        raise Conflict(service_in_use_message())
    db.session.delete(item)
    try:
        db.session.flush()
    except IntegrityError:
        # An order placed between the check and the delete: the database's foreign key says no.
        # (Whoever catches this rolls back, as every refusal does.)
        raise Conflict(service_in_use_message()) from None


def service_has_orders(service: ServiceItem) -> bool:
    # The orders table by name: orders build on providers, so this package does not import their model.
    orders = db.metadata.tables["orders"]
    return bool(db.session.scalar(select(exists().where(orders.c.service_id == service.id))))


def service_in_use_message() -> str:
    return _("已有订单引用该服务，不能删除；可以下架，订单记录保持不变。")


def set_service_listed(actor: User, service: ServiceItem, listed: bool) -> ServiceItem:
    """下架 / 重新上架: only listed services of public providers are shown and can be ordered; orders
    that refer to a withdrawn service keep showing it. Brokers reviewed the service already, so this
    does not send the profile back to review."""
    _require_owner(actor, service.provider)
    service.active = listed
    db.session.flush()
    return service


def submit_provider(actor: User) -> Provider:
    """409 when the state does not allow it (whatever the profile holds), then 422 when incomplete."""
    provider = own_provider(actor)
    moderation.require_step(actor, provider, Action.SUBMIT)
    _require_complete(provider)
    moderation.submit(actor, provider)
    return provider


def _require_complete(provider: Provider) -> None:
    problems: dict[str, list[str]] = {}
    if not provider.expertise:
        problems["expertise"] = [_("请填写专长介绍。")]
    if not provider.fields:
        problems["fields"] = [_("请选择技术领域。")]
    if problems:
        raise ValidationFailed(_("请先完善专长介绍和技术领域再提交。"), field_errors=problems)


def withdraw_provider(actor: User) -> Provider:
    provider = own_provider(actor)
    moderation.withdraw(actor, provider)
    return provider


def get_visible_provider(actor: Any, provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if provider is None or not permissions.can_view_provider(actor, provider):
        raise NotFound(_("服务方不存在或未公开。"))
    return provider


def get_own_item(actor: Any, model: type[Item], item_id: int) -> Item:
    item = db.session.get(model, item_id)
    if item is None or not permissions.owns_provider(actor, item.provider):
        raise NotFound(_("条目不存在。"))
    return item


@dataclass(frozen=True)
class ProviderFilters:
    q: str = ""
    field: str = ""
    subfield: str = ""
    province: str = ""
    kind: str = ""
    available: bool = False


def public_providers_query(filters: ProviderFilters) -> Select[tuple[Provider]]:
    query = select(Provider).where(Provider.status == PostingStatus.APPROVED)
    if filters.q:
        query = query.where(
            or_(
                contains_text(Provider.name, filters.q),
                contains_text(Provider.expertise, filters.q),
                contains_text(Provider.affiliation, filters.q),
                exists().where(
                    Achievement.provider_id == Provider.id, contains_text(Achievement.title, filters.q)
                ),
            )
        )
    if filters.field:
        query = query.where(
            exists().where(
                provider_fields.c.provider_id == Provider.id, provider_fields.c.field_code == filters.field
            )
        )
    if filters.subfield:
        query = query.where(
            exists().where(
                provider_subfields.c.provider_id == Provider.id,
                provider_subfields.c.subfield_code == filters.subfield,
            )
        )
    if filters.province:
        query = query.where(Provider.province == filters.province)
    if filters.kind:
        query = query.where(Provider.kind == filters.kind)
    if filters.available:
        query = query.where(Provider.available.is_(True))
    return query.order_by(Provider.approved_at.desc(), Provider.id.desc())


@dataclass(frozen=True)
class ServiceFilters:
    q: str = ""
    category: str = ""
    field: str = ""
    province: str = ""


def public_services_query(filters: ServiceFilters) -> Select[tuple[ServiceItem]]:
    """Listed services of approved providers, newest first.

    The provider's conditions are an EXISTS, not a join: joined, SQLite reads the approved providers
    first and sorts every service of them (320-670 ms at 100,000 providers); with EXISTS it walks
    service_items by id and stops at the page (1 ms; issue 16). The list has no provider columns, so
    a caller that needs one (the region facet, the rating order) joins or correlates on
    ServiceItem.provider_id itself; `correlate_except` keeps the EXISTS on its own providers then."""
    owner = [Provider.id == ServiceItem.provider_id, Provider.status == PostingStatus.APPROVED]
    if filters.province:
        owner.append(Provider.province == filters.province)
    query = select(ServiceItem).where(
        ServiceItem.active.is_(True), exists().where(*owner).correlate_except(Provider)
    )
    if filters.q:
        query = query.where(
            or_(
                contains_text(ServiceItem.title, filters.q), contains_text(ServiceItem.description, filters.q)
            )
        )
    if filters.category:
        query = query.where(ServiceItem.category == filters.category)
    if filters.field:
        query = query.where(
            exists().where(
                provider_fields.c.provider_id == ServiceItem.provider_id,
                provider_fields.c.field_code == filters.field,
            )
        )
    return query.order_by(ServiceItem.id.desc())
