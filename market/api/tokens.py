"""API tokens: exchange credentials for a token, list and revoke them; who am I."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from market.api import serialize
from market.api.auth import require_user
from market.api.bodies import check_shape, json_object
from market.api.errors import Unauthorized
from market.api.spec import Body, operation, page_of, ref
from market.auth import services as auth
from market.auth.models import EMAIL_MAX, PASSWORD_MAX, TOKEN_NAME_MAX
from market.errors import NotFound, ValidationFailed
from market.extensions import limiter
from market.i18n import gettext as _
from market.providers.services import provider_of

JSON = dict[str, Any]
DEFAULT_TOKEN_RATE_LIMIT = "20 per hour"
TOKEN_BODY: JSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["email", "password"],
    "properties": {
        "email": {"type": "string", "minLength": 1, "maxLength": EMAIL_MAX},
        "password": {"type": "string", "minLength": 1, "maxLength": PASSWORD_MAX},
        "name": {
            "type": "string",
            "maxLength": TOKEN_NAME_MAX,
            "description": "A label to recognise the token by",
            "default": "api",
        },
    },
}


def _token_rate_limit() -> str:
    return str(current_app.config.get("API_TOKEN_RATE_LIMIT", DEFAULT_TOKEN_RATE_LIMIT))


def _token_was_created(response: Response) -> bool:
    # API_TOKEN_RATE_LIMIT caps new tokens; wrong passwords count against the shared login budget
    # (market.auth.throttle, LOGIN_RATE_LIMIT) inside auth.authenticate.
    return response.status_code == 201


def _require_lengths(payload: JSON) -> None:
    problems: dict[str, list[str]] = {}
    for name, schema in TOKEN_BODY["properties"].items():
        value = payload.get(name, "")
        if name in TOKEN_BODY["required"] and not value:
            problems[name] = [_("此项必填。")]
        elif len(value) > schema["maxLength"]:
            problems[name] = [_("最多 {n} 个字符。", n=schema["maxLength"])]
    if problems:
        raise ValidationFailed(_("提交的数据未通过校验。"), field_errors=problems)


@operation(
    "/tokens",
    "POST",
    summary="Exchange email and password for a new API token (rate-limited)",
    tag="tokens",
    auth="public",
    body=Body(lambda: TOKEN_BODY, "Credentials"),
    status=201,
    response=ref("NewToken"),
    errors=(401, 429, 503),
)
@limiter.limit(_token_rate_limit, deduct_when=_token_was_created)
def create_token() -> tuple[JSON, int]:
    payload = json_object()
    check_shape(payload, TOKEN_BODY)
    _require_lengths(payload)
    user = auth.authenticate(payload["email"], payload["password"])
    if user is None:
        raise Unauthorized(_("邮箱或密码错误，或账号已停用。"))
    secret, record = auth.create_api_token(user, payload.get("name") or "api")
    return serialize.new_token(record, secret), 201


@operation(
    "/tokens",
    "GET",
    summary="The caller's tokens (never the secrets)",
    tag="tokens",
    response=page_of("Token"),
)
def list_tokens() -> JSON:
    return serialize.whole_list(auth.user_tokens(require_user()), serialize.token)


@operation(
    "/tokens/<int:token_id>",
    "DELETE",
    summary="Revoke one of the caller's tokens",
    tag="tokens",
    status=204,
)
def revoke_token(token_id: int) -> tuple[str, int]:
    if not auth.revoke_api_token(require_user(), token_id):
        raise NotFound(_("令牌不存在或已撤销。"))
    return "", 204


@operation("/me", "GET", summary="The user behind the token", tag="tokens", response=ref("Me"))
def me() -> JSON:
    user = require_user()
    provider = provider_of(user)
    return serialize.me(user, provider.id if provider else None)
