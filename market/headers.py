"""Caching and transport headers added to every response (the CSP and friends sit beside them in
market/__init__.py). See docs/hardening.md, "Headers"."""

from __future__ import annotations

from flask import current_app, request, session
from werkzeug.wrappers import Response

PRIVATE = "private, no-store"
HSTS_ONE_YEAR = "max-age=31536000"


def apply(response: Response) -> Response:
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        # Cookies that travel only over HTTPS mean the site is served over HTTPS: keep browsers there.
        response.headers.setdefault("Strict-Transport-Security", HSTS_ONE_YEAR)
    if must_not_be_stored(response) and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = PRIVATE
    return response


def must_not_be_stored(response: Response) -> bool:
    """One simple rule instead of a list of confidential pages: whatever a signed-in user or a token
    is answered may hold confidential details, deal values or personal data, and so may any download.
    Public pages for visitors and static files stay cacheable."""
    if request.endpoint == "static":
        return False
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        return True
    # The session's user id, not current_user: no database query here, so this hook cannot fail on
    # the error pages of a database outage.
    return "Authorization" in request.headers or "_user_id" in session
