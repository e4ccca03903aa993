"""Registration, login and token forms."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from market import taxonomy
from market.auth import services
from market.auth.models import EMAIL_MAX, NAME_MAX, PASSWORD_MAX, TOKEN_NAME_MAX
from market.forms import BaseForm, province_choices, term_choices
from market.i18n import gettext as _


class LoginForm(BaseForm):
    email = EmailField(validators=[DataRequired(), Length(max=EMAIL_MAX)])
    password = PasswordField(validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email.label.text = _("邮箱")
        self.password.label.text = _("密码")
        self.remember.label.text = _("记住我")


class RegisterForm(BaseForm):
    role = SelectField(validators=[DataRequired()])
    provider_kind = SelectField()
    name = StringField(validators=[DataRequired(), Length(min=2, max=NAME_MAX)])
    email = EmailField(validators=[DataRequired(), Email(check_deliverability=False), Length(max=EMAIL_MAX)])
    organisation = StringField(validators=[Length(max=120)])
    province = SelectField(validators=[DataRequired()])
    password = PasswordField(validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    confirm = PasswordField(validators=[DataRequired(), EqualTo("password")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.label.text = _("我是")
        self.provider_kind.label.text = _("服务方类型")
        self.name.label.text = _("姓名")
        self.email.label.text = _("邮箱")
        self.organisation.label.text = _("企业 / 机构名称")
        self.province.label.text = _("所在省份")
        self.password.label.text = _("密码（至少 10 位，含字母和数字）")
        self.confirm.label.text = _("确认密码")
        self.role.choices = [
            ("enterprise", _("企业（发布技术需求）")),
            ("provider", _("服务方（专家、学会、服务团、高校院所）")),
        ]
        self.provider_kind.choices = term_choices(taxonomy.PROVIDER_KINDS, _("请选择"))
        self.province.choices = province_choices(_("请选择省份"))
        self.confirm.validators[1].message = _("两次输入的密码不一致。")

    def validate_email(self, field: EmailField) -> None:
        if services.email_taken(field.data):
            raise ValidationError(_("该邮箱已注册。"))

    def validate_password(self, field: PasswordField) -> None:
        if problem := services.password_problem(field.data or ""):
            raise ValidationError(problem)

    def validate_provider_kind(self, field: SelectField) -> None:
        if self.role.data == "provider" and not field.data:
            raise ValidationError(_("请选择服务方类型。"))

    def validate_organisation(self, field: StringField) -> None:
        needs_org = self.role.data == "enterprise" or (
            self.role.data == "provider" and self.provider_kind.data not in ("", "expert", None)
        )
        if needs_org and not field.data:
            raise ValidationError(_("请填写企业或机构名称。"))


class TokenForm(BaseForm):
    name = StringField(validators=[DataRequired(), Length(max=TOKEN_NAME_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name.label.text = _("令牌名称")
