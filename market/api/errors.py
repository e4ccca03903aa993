"""Errors only the API raises; market.errors_web turns every DomainError into JSON on /api/ paths."""

from __future__ import annotations

from market.errors import DomainError


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    """No usable token (or wrong credentials). The blueprint adds `WWW-Authenticate: Bearer`."""

    status = 401
