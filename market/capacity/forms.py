"""The provider's capacity settings form (its own page and a section of the profile editor)."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, IntegerField
from wtforms.validators import NumberRange, Optional

from market.forms import BaseForm
from market.i18n import gettext as _

MAX_LIMIT = 999


class CapacityForm(BaseForm):
    max_concurrent = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_LIMIT)])
    away_from = DateField(validators=[Optional()])
    away_until = DateField(validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_concurrent.label.text = _("同时最多承接的项目数")
        self.away_from.label.text = _("休假开始日期")
        self.away_until.label.text = _("休假结束日期")
        self.max_concurrent.render_kw = {"min": 1, "max": MAX_LIMIT, "placeholder": _("不限")}
        self.away_from.render_kw = {"type": "date"}
        self.away_until.render_kw = {"type": "date"}
