"""Home page and each role's dashboard."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from market.auth.models import Role
from market.db import db
from market.main import home
from market.needs import services as needs
from market.needs.models import Need
from market.postings import PostingStatus
from market.providers import services as providers
from market.providers.models import Provider, ServiceItem

bp = Blueprint("main", __name__)


def _count(model: type[Need] | type[Provider]) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(model).where(model.status == PostingStatus.APPROVED)
        )
        or 0
    )


@bp.route("/")
def index() -> str:
    latest = db.session.scalars(needs.public_needs_query(needs.NeedFilters()).limit(6)).all()
    featured = db.session.scalars(
        providers.public_providers_query(providers.ProviderFilters()).limit(6)
    ).all()
    stats = {
        "needs": _count(Need),
        "providers": _count(Provider),
        "services": db.session.scalar(
            select(func.count())
            .select_from(ServiceItem)
            .join(ServiceItem.provider)
            .where(Provider.status == PostingStatus.APPROVED, ServiceItem.active.is_(True))
        )
        or 0,
    }
    return render_template(
        "main/index.html",
        latest=latest,
        featured=featured,
        stats=stats,
        start=home.starting_points(current_user),
    )


@bp.route("/dashboard")
@login_required
def dashboard() -> str | Response:
    role = current_user.role
    if role == Role.ENTERPRISE:
        return redirect(url_for("needs.mine"))
    if role == Role.PROVIDER:
        return redirect(url_for("providers.my_profile"))
    return redirect(url_for("moderation.queue"))
