"""What the assistant reads: the need form's own fields as typed so far (all optional, checked for size)."""

from __future__ import annotations

from typing import Any

from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from market.forms import BaseForm, field_choices
from market.i18n import lazy_gettext
from market.ids import MAX_ID

TITLE_MAX = 120  # the need form's limits: what cannot be saved is not worth ranking either
DESCRIPTION_MAX = 5000
SHORT_MAX = 40


class AssistForm(BaseForm):
    title = StringField(validators=[Optional(), Length(max=TITLE_MAX)])
    description = TextAreaField(validators=[Optional(), Length(max=DESCRIPTION_MAX)])
    field_code = SelectField(validators=[Optional()])
    # Budget and deadline only count as given or not: half-typed values must not stop the suggestions.
    budget_min = StringField(validators=[Optional(), Length(max=SHORT_MAX)])
    budget_max = StringField(validators=[Optional(), Length(max=SHORT_MAX)])
    deadline = StringField(validators=[Optional(), Length(max=SHORT_MAX)])
    need_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title.label.text = lazy_gettext("需求标题")
        self.description.label.text = lazy_gettext("需求描述")
        self.field_code.label.text = lazy_gettext("技术领域")
        self.budget_min.label.text = lazy_gettext("预算下限（万元）")
        self.budget_max.label.text = lazy_gettext("预算上限（万元）")
        self.deadline.label.text = lazy_gettext("截止日期")
        self.need_id.label.text = lazy_gettext("正在修改或审核的需求编号")
        self.field_code.choices = field_choices("")

    def draft_values(self) -> dict[str, Any]:
        return {
            "title": self.title.data or "",
            "description": self.description.data or "",
            "field_code": self.field_code.data or "",
            "has_budget": bool((self.budget_min.data or "").strip() or (self.budget_max.data or "").strip()),
            "has_deadline": bool((self.deadline.data or "").strip()),
            "need_id": self.need_id.data,
        }
