"""The forms of conversations and contact details: the one validation layer for pages and API bodies."""

from __future__ import annotations

import re
from typing import Any

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from market.auth.models import PHONE_MAX, WECHAT_MAX
from market.conversations.terms import ContactTerms
from market.forms import BaseForm
from market.i18n import gettext as _
from market.orders.forms import Required, text
from market.text import MESSAGE_MAX, REASON_MAX

# Digits with the usual separators and an optional leading +, e.g. "+86 138-0013-8000".
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()\-]*[0-9]$")
# WeChat ids are letters, digits, _ and -; many people use their phone number instead.
WECHAT_PATTERN = re.compile(r"^[A-Za-z0-9_\-+]+$")


class PostForm(BaseForm):
    """A message. The text may be left empty only when a file is attached (the service decides)."""

    body = TextAreaField(validators=[Optional(), Length(max=MESSAGE_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body.label.text = _("消息内容")

    def text(self) -> str:
        return text(self, "body")


class HideForm(BaseForm):
    """A broker hides an abusive message: the reason goes into the moderation log."""

    reason = TextAreaField(validators=[Required(), Length(max=REASON_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reason.label.text = _("隐藏原因")


class ContactForm(BaseForm):
    """Phone and WeChat (both optional) and which details the other party sees after 接单."""

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
        if field.data and not PHONE_PATTERN.fullmatch(field.data):
            raise ValidationError(_("电话只能包含数字、空格、括号、- 和开头的 +。"))

    def validate_wechat(self, field: StringField) -> None:
        if field.data and not WECHAT_PATTERN.fullmatch(field.data):
            raise ValidationError(_("微信号只能包含字母、数字、_、- 和 +。"))

    def terms(self) -> ContactTerms:
        return ContactTerms(
            phone=text(self, "phone"),
            wechat=text(self, "wechat"),
            share_email=bool(self.share_email.data),
            share_phone=bool(self.share_phone.data),
            share_wechat=bool(self.share_wechat.data),
        )
