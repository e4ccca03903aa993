"""The need form, used by the web page and (with JSON input) the API."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from market import taxonomy
from market.forms import (
    BaseForm,
    city_choices,
    city_in_province,
    field_choices,
    province_choices,
    subfield_choices,
    term_choices,
)
from market.i18n import gettext as _
from market.i18n import lazy_gettext
from market.ids import MAX_ID
from market.reference import services as reference
from market.text import REASON_MAX

BUDGET_MAX = 1_000_000  # 万元: a hundred billion yuan is past any real need


class NeedForm(BaseForm):
    title = StringField(validators=[DataRequired(), Length(min=4, max=120)])
    description = TextAreaField(validators=[DataRequired(), Length(min=20, max=5000)])
    field_code = SelectField(validators=[DataRequired()])
    subfield_code = SelectField(validators=[Optional()])
    province = SelectField(validators=[DataRequired()])
    city = SelectField(validators=[Optional()])
    budget_min = IntegerField(validators=[Optional(), NumberRange(min=0, max=BUDGET_MAX)])
    budget_max = IntegerField(validators=[Optional(), NumberRange(min=0, max=BUDGET_MAX)])
    deadline = DateField(validators=[Optional()])
    cooperation_mode = SelectField(validators=[DataRequired()])
    public_summary = TextAreaField(validators=[Optional(), Length(max=1000)])
    confidential_details = TextAreaField(validators=[Optional(), Length(max=5000)])
    is_open_call = BooleanField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title.label.text = _("需求标题")
        self.description.label.text = _("需求描述")
        self.field_code.label.text = _("技术领域")
        self.subfield_code.label.text = _("细分领域（选填）")
        self.province.label.text = _("省份")
        self.city.label.text = _("城市")
        self.budget_min.label.text = _("预算下限（万元）")
        self.budget_max.label.text = _("预算上限（万元）")
        self.deadline.label.text = _("截止日期")
        self.cooperation_mode.label.text = _("合作方式")
        self.public_summary.label.text = _("公开摘要")
        self.confidential_details.label.text = _("保密细节（仅受邀并接单的服务方可见）")
        self.is_open_call.label.text = _("揭榜挂帅：允许任何合格服务方提交方案")
        self.field_code.choices = field_choices(_("请选择领域"))
        self.subfield_code.choices = subfield_choices(_("不细分"))
        # Searchable with JavaScript (static/js/pickers.js), a plain grouped select without it.
        self.subfield_code.render_kw = {
            "data-searchable": "",
            "data-placeholder": _("输入名称搜索，如 注塑"),
            "data-no-results": _("没有符合的选项"),
            # static/js/pickers.js narrows the list to the chosen field's sub-fields (code -> field).
            "data-narrow-by": "field_code",
            "data-parents": json.dumps({sub.code: sub.field_code for sub in reference.subfield_choices()}),
        }
        self.province.choices = province_choices(_("请选择省份"))
        self.city.choices = city_choices()
        self.cooperation_mode.choices = term_choices(taxonomy.COOPERATION_MODES, _("请选择合作方式"))

    def validate_city(self, field: SelectField) -> None:
        if not city_in_province(self.province.data, field.data):
            raise ValidationError(_("城市不属于所选省份。"))

    def validate_subfield_code(self, field: SelectField) -> None:
        if field.data and not reference.subfield_under(field.data, [self.field_code.data or ""]):
            raise ValidationError(_("细分领域须属于所选技术领域。"))

    def validate_budget_max(self, field: IntegerField) -> None:
        if field.data is not None and self.budget_min.data is not None and field.data < self.budget_min.data:
            raise ValidationError(_("预算上限不能低于下限。"))

    def validate_deadline(self, field: DateField) -> None:
        if field.data is not None and field.data < date.today():
            raise ValidationError(_("截止日期不能早于今天。"))

    def need_values(self) -> dict[str, Any]:
        return {
            "title": self.title.data,
            "description": self.description.data,
            "field_code": self.field_code.data,
            "subfield_code": self.subfield_code.data or None,
            "province": self.province.data,
            "city": self.city.data or None,
            "budget_min": self.budget_min.data,
            "budget_max": self.budget_max.data,
            "deadline": self.deadline.data,
            "cooperation_mode": self.cooperation_mode.data,
            "public_summary": self.public_summary.data or "",
            "confidential_details": self.confidential_details.data or "",
            "is_open_call": bool(self.is_open_call.data),
        }


class OutcomeForm(BaseForm):
    """关闭需求 / 重新开放: why (required; shown in the need's history)."""

    reason = TextAreaField(
        validators=[DataRequired(message=lazy_gettext("请填写原因。")), Length(max=REASON_MAX)]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reason.label.text = _("原因")

    def outcome_values(self) -> dict[str, Any]:
        return {"reason": self.reason.data or ""}


class SolveForm(OutcomeForm):
    """标记为已解决: how (through one of the need's signed orders, or elsewhere) and why."""

    how = SelectField(validators=[DataRequired()])
    order_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.how.label.text = _("解决方式")
        self.order_id.label.text = _("促成解决的订单")
        self.how.choices = term_choices(taxonomy.SOLVED_HOWS)

    def outcome_values(self) -> dict[str, Any]:
        return {**super().outcome_values(), "how": self.how.data or "", "order_id": self.order_id.data}
