"""Admin: users and their roles, brokers' regions, the taxonomy (fields, regions) and the audit trail."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from market.admin import access, audit, subfields, taxonomy
from market.admin import users as users_service
from market.admin.models import AdminEvent
from market.auth.models import Role, User
from market.db import db
from market.errors import DomainError, ValidationFailed
from market.forms import province_choices
from market.i18n import gettext as _
from market.pagination import arg, paginate
from market.reference.models import Field, Region, SubField
from market.security import views as security_views
from market.text import contains_text

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_app_request(audit.refresh_if_changed)

ROLE_LABELS = audit.ROLE_LABELS


def _require_admin() -> None:
    access.require_admin(current_user)


def _attempt(change: Callable[[], str], back: str) -> Response:
    """Run a taxonomy change; a refusal (e.g. a field in use) is shown as a message, nothing written."""
    try:
        message = change()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        if message:
            flash(message, "success")
    return redirect(back)


# --- users --------------------------------------------------------------------------------------


@bp.route("/users")
@login_required
def users() -> str:
    _require_admin()
    return _users_page()


def _users_page(error: ValidationFailed | None = None, user_id: int | None = None) -> str:
    query = (
        select(User).options(selectinload(User.regions), selectinload(User.organisation)).order_by(User.id)
    )
    if q := arg("q"):
        query = query.where(or_(contains_text(User.email, q), contains_text(User.name, q)))
    if role := arg("role", 20):
        query = query.where(User.role == role)
    return render_template(
        "admin/users.html",
        page=paginate(query),
        roles=[r.value for r in Role],
        role_labels=ROLE_LABELS,
        provinces=province_choices(),
        error=error,
        error_user=user_id,
        posted=request.form if error is not None else None,
    )


@bp.route("/users/<int:user_id>", methods=["POST"])
@login_required
def update_user(user_id: int) -> Response | tuple[str, int]:
    form = request.form
    try:
        user = users_service.update_user(
            current_user, user_id, form.get("role", ""), form.get("active") == "y", form.getlist("regions")
        )
    except ValidationFailed as error:
        # The list again, with the message at the top and next to the row, and what was chosen kept.
        db.session.rollback()
        return _users_page(error, user_id), 422
    flash(_("用户 {email} 已更新。", email=user.email), "success")
    return redirect(url_for("admin.users", **request.args))


# --- fields -------------------------------------------------------------------------------------


@bp.route("/fields")
@login_required
def fields() -> str:
    _require_admin()
    rows = list(db.session.scalars(select(Field).order_by(Field.position, Field.code)))
    return render_template(
        "admin/fields.html",
        fields=rows,
        usage={f.code: taxonomy.field_usage(f.code) for f in rows},
        subfield_counts=subfields.counts(),
    )


@bp.route("/fields", methods=["POST"])
@login_required
def add_field() -> Response:
    _require_admin()
    form = request.form
    return _attempt(
        lambda: _(
            "已添加领域：{name}。",
            name=taxonomy.add_field(
                current_user, form.get("code", ""), form.get("name_zh", ""), form.get("name_en", "")
            ).name_zh,
        ),
        url_for("admin.fields"),
    )


@bp.route("/fields/<code>", methods=["POST"])
@login_required
def rename_field(code: str) -> Response:
    _require_admin()
    form = request.form
    return _attempt(
        lambda: _(
            "已更新领域：{name}。",
            name=taxonomy.rename_field(
                current_user, code, form.get("name_zh", ""), form.get("name_en", "")
            ).name_zh,
        ),
        url_for("admin.fields"),
    )


@bp.route("/fields/<code>/move", methods=["POST"])
@login_required
def move_field(code: str) -> Response:
    _require_admin()
    direction = 1 if request.form.get("direction") == "down" else -1
    return _attempt(lambda: taxonomy.move_field(current_user, code, direction) or "", url_for("admin.fields"))


@bp.route("/fields/<code>/delete", methods=["POST"])
@login_required
def delete_field(code: str) -> Response:
    _require_admin()
    return _attempt(
        lambda: taxonomy.delete_field(current_user, code) or _("已删除领域 {code}。", code=code),
        url_for("admin.fields"),
    )


# --- sub-fields ---------------------------------------------------------------------------------


@bp.route("/fields/<code>/subfields")
@login_required
def subfields_page(code: str) -> str:
    _require_admin()
    field = db.get_or_404(Field, code)
    rows = list(
        db.session.scalars(
            select(SubField).where(SubField.field_code == code).order_by(SubField.position, SubField.code)
        )
    )
    return render_template("admin/subfields.html", field=field, subfields=rows, usage=subfields.usage(code))


@bp.route("/fields/<code>/subfields", methods=["POST"])
@login_required
def add_subfield(code: str) -> Response:
    _require_admin()
    form = request.form
    return _attempt(
        lambda: _(
            "已添加细分领域：{name}。",
            name=subfields.add_subfield(
                current_user, code, form.get("code", ""), form.get("name_zh", ""), form.get("name_en", "")
            ).name_zh,
        ),
        url_for("admin.subfields_page", code=code),
    )


def _subfield_back(code: str) -> str:
    found = db.session.get(SubField, code)
    return url_for("admin.subfields_page", code=found.field_code) if found else url_for("admin.fields")


@bp.route("/subfields/<code>", methods=["POST"])
@login_required
def rename_subfield(code: str) -> Response:
    _require_admin()
    form = request.form
    return _attempt(
        lambda: _(
            "已更新细分领域：{name}。",
            name=subfields.rename_subfield(
                current_user, code, form.get("name_zh", ""), form.get("name_en", "")
            ).name_zh,
        ),
        _subfield_back(code),
    )


@bp.route("/subfields/<code>/active", methods=["POST"])
@login_required
def set_subfield_active(code: str) -> Response:
    _require_admin()
    active = request.form.get("active") == "y"
    return _attempt(
        lambda: (
            _("已启用：{name}。", name=subfields.set_active(current_user, code, True).name_zh)
            if active
            else _("已停用：{name}。", name=subfields.set_active(current_user, code, False).name_zh)
        ),
        _subfield_back(code),
    )


@bp.route("/subfields/<code>/move", methods=["POST"])
@login_required
def move_subfield(code: str) -> Response:
    _require_admin()
    direction = 1 if request.form.get("direction") == "down" else -1
    return _attempt(
        lambda: subfields.move_subfield(current_user, code, direction) or "", _subfield_back(code)
    )


# --- regions ------------------------------------------------------------------------------------


@bp.route("/regions")
@login_required
def regions() -> str:
    _require_admin()
    provinces = list(
        db.session.scalars(select(Region).where(Region.parent_code.is_(None)).order_by(Region.code))
    )
    chosen = arg("province", 12) or (provinces[0].code if provinces else "")
    cities = list(
        db.session.scalars(select(Region).where(Region.parent_code == chosen).order_by(Region.code))
    )
    return render_template("admin/regions.html", provinces=provinces, chosen=chosen, cities=cities)


@bp.route("/regions/<province>/cities", methods=["POST"])
@login_required
def add_city(province: str) -> Response:
    _require_admin()
    form = request.form
    return _attempt(
        lambda: _(
            "已添加城市：{name}。",
            name=taxonomy.add_city(
                current_user, province, form.get("code", ""), form.get("name_zh", ""), form.get("name_en", "")
            ).name_zh,
        ),
        url_for("admin.regions", province=province),
    )


@bp.route("/regions/<code>", methods=["POST"])
@login_required
def rename_region(code: str) -> Response:
    _require_admin()
    form = request.form
    back = url_for("admin.regions", province=code[:2])
    return _attempt(
        lambda: _(
            "已更新地区：{name}。",
            name=taxonomy.rename_region(
                current_user, code, form.get("name_zh", ""), form.get("name_en", "")
            ).name_zh,
        ),
        back,
    )


# --- audit trail --------------------------------------------------------------------------------


@bp.route("/events")
@login_required
def events() -> str:
    _require_admin()
    query = select(AdminEvent).options(selectinload(AdminEvent.actor)).order_by(AdminEvent.id.desc())
    if action := arg("action", 40):
        query = query.where(AdminEvent.action.startswith(action, autoescape=True))
    return render_template("admin/events.html", page=paginate(query))


@bp.route("/security-events")
@login_required
def security_events() -> str:
    _require_admin()
    return security_views.render_events()
