"""Provider profile, achievement and service forms (web pages and, with JSON input, the API)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
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
from market.reference import services as reference

MAX_FIELDS = 3
MAX_SUBFIELDS = 8


class ProviderForm(BaseForm):
    name = StringField(validators=[DataRequired(), Length(min=2, max=120)])
    title = StringField(validators=[Optional(), Length(max=120)])
    affiliation = StringField(validators=[Optional(), Length(max=120)])
    province = SelectField(validators=[DataRequired()])
    city = SelectField(validators=[Optional()])
    fields = SelectMultipleField(validators=[DataRequired()])
    subfields = SelectMultipleField(validators=[Optional()])
    expertise = TextAreaField(validators=[DataRequired(), Length(min=20, max=3000)])
    available = BooleanField(default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name.label.text = _("名称 / 姓名")
        self.title.label.text = _("职称或资质")
        self.affiliation.label.text = _("所在单位")
        self.province.label.text = _("省份")
        self.city.label.text = _("城市")
        self.fields.label.text = _("技术领域（最多 3 个）")
        self.subfields.label.text = _("细分领域（选填，最多 8 个，须属于所选领域）")
        self.expertise.label.text = _("专长与能力介绍")
        self.available.label.text = _("当前可接单")
        self.province.choices = province_choices(_("请选择省份"))
        self.city.choices = city_choices()
        self.fields.choices = field_choices()
        # Searchable with JavaScript (static/js/pickers.js), a plain multi-select without it.
        self.fields.render_kw = {
            "data-searchable": "",
            "data-max-items": str(MAX_FIELDS),
            "data-placeholder": _("输入名称搜索"),
            "data-no-results": _("没有符合的选项"),
        }
        self.subfields.choices = subfield_choices()
        self.subfields.render_kw = {
            **self.fields.render_kw,
            "data-max-items": str(MAX_SUBFIELDS),
            # static/js/pickers.js offers only the chosen fields' sub-fields (code -> field).
            "data-narrow-by": "fields",
            "data-parents": json.dumps({sub.code: sub.field_code for sub in reference.subfield_choices()}),
        }

    def validate_city(self, field: SelectField) -> None:
        if not city_in_province(self.province.data, field.data):
            raise ValidationError(_("城市不属于所选省份。"))

    def validate_fields(self, field: SelectMultipleField) -> None:
        if len(field.data or []) > MAX_FIELDS:
            raise ValidationError(_("最多选择 3 个领域。"))

    def validate_subfields(self, field: SelectMultipleField) -> None:
        chosen = field.data or []
        if len(set(chosen)) > MAX_SUBFIELDS:
            raise ValidationError(_("最多选择 8 个细分领域。"))
        if any(not reference.subfield_under(code, self.fields.data or []) for code in chosen):
            raise ValidationError(_("细分领域须属于所选技术领域。"))

    def profile_values(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "title": self.title.data or "",
            "affiliation": self.affiliation.data or "",
            "province": self.province.data,
            "city": self.city.data or None,
            "field_codes": list(dict.fromkeys(self.fields.data or [])),
            "subfield_codes": list(dict.fromkeys(self.subfields.data or [])),
            "expertise": self.expertise.data,
            "available": bool(self.available.data),
        }


class AchievementForm(BaseForm):
    kind = SelectField(validators=[DataRequired()])
    title = StringField(validators=[DataRequired(), Length(min=4, max=200)])
    description = TextAreaField(validators=[Optional(), Length(max=3000)])
    year = IntegerField(validators=[Optional(), NumberRange(min=1950, max=date.today().year + 1)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.label.text = _("成果类型")
        self.title.label.text = _("成果名称")
        self.description.label.text = _("成果简介")
        self.year.label.text = _("年份")
        self.kind.choices = term_choices(taxonomy.ACHIEVEMENT_KINDS, _("请选择类型"))

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.kind.data,
            "title": self.title.data,
            "description": self.description.data or "",
            "year": self.year.data,
        }


class ServiceForm(BaseForm):
    category = SelectField(validators=[DataRequired()])
    title = StringField(validators=[DataRequired(), Length(min=4, max=120)])
    description = TextAreaField(validators=[DataRequired(), Length(min=10, max=3000)])
    delivery_mode = SelectField(validators=[DataRequired()])
    price_note = StringField(validators=[Optional(), Length(max=200)])
    active = BooleanField(default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.label.text = _("服务类别")
        self.title.label.text = _("服务名称")
        self.description.label.text = _("服务内容")
        self.delivery_mode.label.text = _("交付方式")
        self.price_note.label.text = _("价格说明")
        self.active.label.text = _("上架（可被点单）")
        self.category.choices = term_choices(taxonomy.SERVICE_CATEGORIES, _("请选择类别"))
        self.delivery_mode.choices = term_choices(taxonomy.DELIVERY_MODES, _("请选择交付方式"))

    def values(self) -> dict[str, Any]:
        return {
            "category": self.category.data,
            "title": self.title.data,
            "description": self.description.data,
            "delivery_mode": self.delivery_mode.data,
            "price_note": self.price_note.data or "",
            "active": bool(self.active.data),
        }
