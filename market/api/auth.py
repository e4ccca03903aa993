"""Who is calling: the user behind `Authorization: Bearer <token>`, never a browser session.

Session cookies are ignored on purpose: the blueprint is CSRF-exempt, so accepting cookies here
would let any web page act for a logged-in visitor.
"""

from __future__ import annotations

from flask import Response, g, request

from market.api.blueprint import bp
from market.api.errors import Unauthorized
from market.auth.models import User
from market.auth.services import user_for_token
from market.errors_web import error_response
from market.i18n import gettext as _

MAX_TOKEN_LENGTH = 200
_UNSET = object()


def _bearer_token() -> str | None:
    """The token from the Authorization header; None when there is no header at all."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthorized(_("Authorization 请求头格式应为：Bearer 令牌。"))
    return token


def _resolve() -> User | None:
    token = _bearer_token()
    if token is None:
        return None
    user = user_for_token(token)
    if user is None:
        raise Unauthorized(_("API 令牌无效或已撤销。"))
    return user


def optional_user() -> User | None:
    """The calling user, or None for anonymous calls; a token that is sent must be valid (else 401)."""
    cached = g.get("api_user", _UNSET)
    if cached is _UNSET:
        cached = _resolve()
        g.api_user = cached
    return cached  # type: ignore[return-value]


def require_user() -> User:
    user = optional_user()
    if user is None:
        raise Unauthorized(_("请提供 API 令牌：Authorization: Bearer 令牌。"))
    return user


@bp.errorhandler(Unauthorized)
def _unauthorized(error: Unauthorized) -> Response:
    response = error_response(401, error.message, error.field_errors)
    response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
