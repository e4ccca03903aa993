"""The forms of conversations and contact details: the one validation layer for pages and API bodies."""

from __future__ import annotations

from typing import Any

from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from market.auth.forms import ContactFieldsForm
from market.conversations.terms import ContactTerms
from market.forms import BaseForm
from market.i18n import gettext as _
from market.orders.forms import Required, text
from market.text import MESSAGE_MAX, REASON_MAX


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


class UnhideForm(BaseForm):
    """A broker shows a hidden message again: the reason goes into the moderation log."""

    reason = TextAreaField(validators=[Required(), Length(max=REASON_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reason.label.text = _("恢复原因")


class ContactForm(ContactFieldsForm):
    """/me/contact: the contact fields of the account page on their own."""

    def terms(self) -> ContactTerms:
        return ContactTerms(
            phone=text(self, "phone"),
            wechat=text(self, "wechat"),
            share_email=bool(self.share_email.data),
            share_phone=bool(self.share_phone.data),
            share_wechat=bool(self.share_wechat.data),
        )
