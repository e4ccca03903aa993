"""The one form of search pages that writes: 请经纪人帮忙 (the query the enterprise could not find)."""

from __future__ import annotations

from typing import Any

from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from market.forms import BaseForm
from market.i18n import N_
from market.i18n import gettext as _
from market.orders.forms import Required
from market.search import services
from market.search.query import MAX_RAW_CHARS


class AskBrokerForm(BaseForm):
    query = StringField(validators=[Required(N_("请先填写要找的内容。")), Length(max=MAX_RAW_CHARS)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.query.label.text = _("要找的内容")


class AskBrokerApiForm(AskBrokerForm):
    """The API's body: the query and, as on the page, the list that found nothing (default needs)."""

    kind = SelectField(choices=[(kind, kind) for kind in services.KINDS], validators=[Optional()])
