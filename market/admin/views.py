"""Admin: users, their roles and brokers' regions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from market import permissions
from market.auth import services as auth
from market.auth.models import Role, User
from market.db import db
from market.errors import Forbidden, NotFound, ValidationFailed
from market.forms import province_choices
from market.i18n import gettext as _
from market.pagination import arg, paginate

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _require_admin() -> None:
    if not permissions.can_manage_users(current_user):
        raise Forbidden(_("只有管理员可以管理用户。"))


@bp.route("/users")
@login_required
def users() -> str:
    _require_admin()
    query = select(User).order_by(User.id)
    if q := arg("q"):
        query = query.where(or_(User.email.ilike(f"%{q}%"), User.name.ilike(f"%{q}%")))
    if role := arg("role", 20):
        query = query.where(User.role == role)
    return render_template("admin/users.html", page=paginate(query), roles=[r.value for r in Role],
                           provinces=province_choices())


@bp.route("/users/<int:user_id>", methods=["POST"])
@login_required
def update_user(user_id: int) -> Response:
    _require_admin()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("用户不存在。"))
    role = request.form.get("role", user.role)
    if role not in {r.value for r in Role}:
        raise ValidationFailed(_("未知角色。"))
    if user.id == current_user.id and role != Role.ADMIN:
        raise ValidationFailed(_("不能取消自己的管理员身份。"))
    user.role = role
    user.active = request.form.get("active") == "y"
    auth.set_broker_regions(user, request.form.getlist("regions") if role == Role.BROKER else [])
    flash(_("用户 {email} 已更新。", email=user.email), "success")
    return redirect(url_for("admin.users", **request.args))
