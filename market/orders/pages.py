"""The orders blueprint and how its pages answer a refusal.

A refusal has one status code wherever it is reached from: a wrong state is 409 and bad input 422 on
a page as in the API (403 and 404 go to the error page). The page is shown again with the message
and with what was typed, so nothing is lost; success redirects, so a reload does not repeat it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, make_response
from werkzeug.wrappers import Response

from market.db import db
from market.errors import Conflict, DomainError, ValidationFailed

bp = Blueprint("orders", __name__, url_prefix="/orders")


def refusal_message(error: DomainError) -> str:
    """One message per refusal (`DomainError.shown`)."""
    return error.shown()


def refused(error: DomainError, page: Callable[[], str]) -> Response:
    """The page again, with the refusal as its message and the refusal's status code."""
    db.session.rollback()
    flash(refusal_message(error), "danger" if isinstance(error, ValidationFailed) else "warning")
    return make_response(page(), error.status)


def attempt(
    work: Callable[[], Any], *, done: str, then: Callable[[Any], Response], page: Callable[[], str]
) -> Response:
    """Run `work` (parse, then one service call); on success flash `done` and go to `then(result)`,
    on a wrong state or bad input show `page` again (409 or 422)."""
    try:
        result = work()
    except (Conflict, ValidationFailed) as error:
        return refused(error, page)
    flash(done, "success")
    return then(result)


def flash_refusal(go_back: Callable[[], Response], work: Callable[[], Any], done: str) -> Response:
    """For pages elsewhere (the broker's workspace) that answer every outcome with a redirect: a wrong
    state or bad input comes back as one message on the page it redirects to."""
    try:
        work()
    except (Conflict, ValidationFailed) as error:
        db.session.rollback()
        flash(refusal_message(error), "danger" if isinstance(error, ValidationFailed) else "warning")
        return go_back()
    flash(done, "success")
    return go_back()
