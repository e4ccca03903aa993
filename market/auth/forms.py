"""Registration, login, token and account forms."""

from __future__ import annotations

import re
from typing import Any

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from market import taxonomy
from market.auth import services
from market.auth.accounts import AccountDetails
from market.auth.models import EMAIL_MAX, NAME_MAX, PASSWORD_MAX, PHONE_MAX, TOKEN_NAME_MAX, WECHAT_MAX
from market.forms import BaseForm, province_choices, term_choices
from market.i18n import LANGUAGES
from market.i18n import gettext as _

# Digits with the usual separators and an optional leading +, e.g. "+86 138-0013-8000".
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()\-]*[0-9]$")
# WeChat ids are letters, digits, _ and -; many people use their phone number instead.
WECHAT_PATTERN = re.compile(r"^[A-Za-z0-9_\-+]+$")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def phone_problem(value: str | None) -> str | None:
    """The one check of a phone number (the account page and /me/contact)."""
    if value and not PHONE_PATTERN.fullmatch(value):
        return _("电话只能包含数字、空格、括号、- 和开头的 +。")
    return None


def wechat_problem(value: str | None) -> str | None:
    if value and not WECHAT_PATTERN.fullmatch(value):
        return _("微信号只能包含字母、数字、_、- 和 +。")
    return None


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


def _new_password_problem(form: BaseForm, field: PasswordField) -> None:
    if problem := services.password_problem(field.data or ""):
        raise ValidationError(problem)


class ForgotPasswordForm(BaseForm):
    email = EmailField(validators=[DataRequired(), Email(check_deliverability=False), Length(max=EMAIL_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email.label.text = _("注册时使用的邮箱")


class ResetPasswordForm(BaseForm):
    password = PasswordField(validators=[DataRequired(), Length(max=PASSWORD_MAX), _new_password_problem])
    confirm = PasswordField(validators=[DataRequired(), EqualTo("password")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.password.label.text = _("新密码（至少 10 位，含字母和数字）")
        self.confirm.label.text = _("确认新密码")
        self.confirm.validators[1].message = _("两次输入的密码不一致。")


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(validators=[DataRequired(), Length(max=PASSWORD_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_password.label.text = _("当前密码")


class EmailChangeForm(BaseForm):
    email = EmailField(validators=[DataRequired(), Email(check_deliverability=False), Length(max=EMAIL_MAX)])
    current_password = PasswordField(validators=[DataRequired(), Length(max=PASSWORD_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email.label.text = _("新邮箱")
        self.current_password.label.text = _("当前密码")


class ContactFieldsForm(BaseForm):
    """Phone and WeChat (both optional) and which details the other party sees after 接单: the account
    page and /me/contact share these fields and their checks."""

    phone = StringField(validators=[Optional(), Length(max=PHONE_MAX)])
    wechat = StringField(validators=[Optional(), Length(max=WECHAT_MAX)])
    share_email = BooleanField(default=False)
    share_phone = BooleanField(default=False)
    share_wechat = BooleanField(default=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phone.label.text = _("手机 / 电话")
        self.wechat.label.text = _("微信号")
        self.share_email.label.text = _("接单后向对方显示我的邮箱")
        self.share_phone.label.text = _("接单后向对方显示我的电话")
        self.share_wechat.label.text = _("接单后向对方显示我的微信号")

    def validate_phone(self, field: StringField) -> None:
        if problem := phone_problem(field.data):
            raise ValidationError(problem)

    def validate_wechat(self, field: StringField) -> None:
        if problem := wechat_problem(field.data):
            raise ValidationError(problem)


class AccountForm(ContactFieldsForm):
    """One's own name, language and contact details (the account page, PATCH /api/v1/me)."""

    name = StringField(validators=[DataRequired(), Length(min=2, max=NAME_MAX)])
    locale = SelectField(validators=[DataRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name.label.text = _("姓名")
        self.locale.label.text = _("语言（界面和邮件）")
        self.locale.choices = [(code, LANGUAGE_NAMES.get(code, code)) for code in LANGUAGES]

    def details(self) -> AccountDetails:
        return AccountDetails(
            name=(self.name.data or "").strip(),
            locale=self.locale.data or "zh",
            phone=(self.phone.data or "").strip(),
            wechat=(self.wechat.data or "").strip(),
            share_email=bool(self.share_email.data),
            share_phone=bool(self.share_phone.data),
            share_wechat=bool(self.share_wechat.data),
        )
