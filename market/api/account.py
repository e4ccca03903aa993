"""One's own account through the API: change the details (PATCH /me) and the password.

GET /me is market.api.tokens. Bodies go through the page forms (market.auth.forms); the services
(market.auth.accounts) decide.
"""

from __future__ import annotations

from typing import Any

from market.api import serialize
from market.api.auth import require_user
from market.api.bodies import check_shape, form_schema, json_object, validated
from market.api.spec import Body, operation, ref
from market.auth import accounts
from market.auth.forms import AccountForm, ChangePasswordForm
from market.auth.models import User
from market.providers.services import provider_of

JSON = dict[str, Any]


def account_body() -> JSON:
    return form_schema(AccountForm, partial=True)


def password_body() -> JSON:
    return form_schema(ChangePasswordForm)


def account_values(user: User) -> JSON:
    return {
        "name": user.name,
        "locale": user.locale,
        "phone": user.phone,
        "wechat": user.wechat,
        "share_email": user.share_email,
        "share_phone": user.share_phone,
        "share_wechat": user.share_wechat,
    }


def _me(user: User) -> JSON:
    provider = provider_of(user)
    return serialize.me(user, provider.id if provider else None)


@operation(
    "/me",
    "PATCH",
    summary="Change my name, language, phone, WeChat and which details the other party of an accepted "
    "order sees (fields left out keep their value)",
    tag="tokens",
    body=Body(account_body, "Any AccountForm fields"),
    response=ref("Me"),
)
def update_me() -> JSON:
    actor = require_user()
    payload = json_object()
    check_shape(payload, account_body())
    form = validated(AccountForm, {**account_values(actor), **payload})
    accounts.update_account(actor, form.details())
    return _me(actor)


@operation(
    "/me/password",
    "POST",
    summary="Change my password (the current one is checked, within the login brute-force budget); "
    "every browser login and remember-me token ends, API tokens stay",
    tag="tokens",
    body=Body(password_body, "current_password, password, confirm"),
    status=204,
    errors=(429,),
)
def change_my_password() -> tuple[str, int]:
    actor = require_user()
    payload = json_object()
    check_shape(payload, password_body())
    form = validated(ChangePasswordForm, payload)
    accounts.change_password(actor, form.current_password.data, form.password.data)
    return "", 204
