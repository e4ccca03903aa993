"""Self-registration of an enterprise member or a provider (experts and organisations)."""

from __future__ import annotations

from typing import Any

from market.auth.models import Organisation, OrgKind, Role, User
from market.auth.services import PROVIDER_ORG_KIND, create_user
from market.db import db
from market.providers.models import Provider
from market.registration import accounts


def register(values: dict[str, Any]) -> User:
    """The account (unverified until the mailed link is opened), its enterprise or provider
    organisation, and a provider's (draft) profile."""
    user = _create(values)
    accounts.registered(user)
    return user


def _create(values: dict[str, Any]) -> User:
    role = Role(values["role"])
    province = values["province"]
    if role == Role.ENTERPRISE:
        org = Organisation(name=values["organisation"], kind=OrgKind.ENTERPRISE.value, province=province)
        db.session.add(org)
        return create_user(
            email=values["email"],
            name=values["name"],
            password=values["password"],
            role=role,
            organisation=org,
        )
    kind = values["provider_kind"]
    if kind == "expert":
        user = create_user(email=values["email"], name=values["name"], password=values["password"], role=role)
        profile = Provider(
            kind=kind,
            name=user.name,
            user_id=user.id,
            province=province,
            affiliation=values.get("organisation") or "",
        )
    else:
        org = Organisation(name=values["organisation"], kind=PROVIDER_ORG_KIND[kind].value, province=province)
        db.session.add(org)
        user = create_user(
            email=values["email"],
            name=values["name"],
            password=values["password"],
            role=role,
            organisation=org,
        )
        profile = Provider(kind=kind, name=org.name, organisation_id=org.id, province=province)
    db.session.add(profile)
    db.session.flush()
    return user
