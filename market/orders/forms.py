"""The forms of the order workflow: the one validation layer for pages and API bodies alike.

Pages validate `request.form` with these classes; the API checks the JSON shape against the schema
made from the same class (market.api.bodies.form_schema) and then runs it through the class. A form
only says whether the input is well-formed (types, lengths, ranges, dates); whether the step is
allowed is the services' decision. `terms()` hands the checked values to the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar

from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation, ValidationError

from market.errors import ValidationFailed
from market.forms import BaseForm, term_choices
from market.i18n import N_
from market.i18n import gettext as _
from market.ids import MAX_ID
from market.orders.terms import DealTerms, ProposalTerms, ReviewTerms, StepTerms
from market.orders.transitions import Action
from market.orders.vocab import CONTRACT_TYPES
from market.text import MESSAGE_MAX, REASON_MAX

APPROACH_MAX = 5000
TEAM_MAX = 2000
TIMELINE_MAX = 200
PRICE_MAX = 10**7  # 万元, a proposal's price range
EVIDENCE_MAX = 20  # achievements one answer may cite
VALUE_LIMIT = Decimal("10000000000")  # 万元: deals.value_wan is NUMERIC(12, 2), below 10^10
CENT = Decimal("0.01")

F = TypeVar("F", bound=BaseForm)


def read(form_class: type[F], values: Mapping[str, Any]) -> F:
    """`values` (a page's form data, or a plain dict of strings) checked by `form_class`, or a 422 with
    one message per field. Pages pass CSRF before they get here (CSRFProtect guards every POST)."""
    formdata = values if isinstance(values, MultiDict) else MultiDict(values)
    form = form_class(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        raise ValidationFailed(_("提交的数据未通过校验。"), field_errors=messages_of(form))
    return form


def messages_of(form: BaseForm) -> dict[str, list[str]]:
    return {name: [str(m) for m in found] for name, found in form.errors.items() if found}


class Required(DataRequired):
    """Required, judged on what was sent: 0 is a value (its range rule says what is wrong with it),
    and a value that could not be read keeps that message instead of a second one saying "required".

    A subclass of DataRequired, so the API schema (market.api.bodies.form_schema) lists the field
    as required. `message` is Chinese source text, translated when the form is validated."""

    def __call__(self, form: Any, field: Field) -> None:
        if field.process_errors:
            raise StopValidation()
        if field.data is None or field.data == "" or field.data == []:
            field.errors[:] = []
            raise StopValidation(
                _(self.message) if self.message else field.gettext("This field is required.")
            )


def _labels(form: BaseForm, **labels: str) -> None:
    """Labels in the reader's language (set per request: the API schema's descriptions come from them)."""
    for name, text in labels.items():
        form[name].label.text = text


def text(form: BaseForm, name: str) -> str:
    value = form[name].data
    return value if isinstance(value, str) else ""


# ---- starting an order ----------------------------------------------------------------------------------


class MessageForm(BaseForm):
    """邀请 a provider to a need, or turn a proposal into an order: an optional message."""

    message = TextAreaField(validators=[Optional(), Length(max=MESSAGE_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, message=_("留言"))


class ServiceOrderForm(MessageForm):
    """点单 from a provider's menu, optionally about one of the enterprise's own public needs."""

    need_id = IntegerField(validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, need_id=_("关联需求（选填）"))


class NewOrderForm(ServiceOrderForm):
    """The API's POST /orders: service_id (点单, need_id optional) or need_id and provider_id (邀请)."""

    service_id = IntegerField(validators=[Optional()])
    provider_id = IntegerField(validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, service_id=_("服务"), provider_id=_("服务方"))


class DispatchForm(MessageForm):
    """派单: a broker sends a need to one or more providers."""

    provider_ids = SelectMultipleField(
        coerce=int, validate_choice=False, validators=[Required(N_("请至少选择一个服务方。"))]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, provider_ids=_("选择服务方（可多选）"), message=_("派单说明"))

    def picked(self) -> list[int]:
        return list(dict.fromkeys(self.provider_ids.data or []))


class DispatchTopForm(MessageForm):
    """派单 to the top N suggestions (providers at capacity skipped unless `include_full`)."""

    top_n = IntegerField(validators=[Required(), NumberRange(min=1, max=10)])
    include_full = BooleanField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, top_n=_("发给前几名"), include_full=_("包括满额和休假的服务方"), message=_("派单说明"))


# ---- steps of an order ------------------------------------------------------------------------------------


class StepForm(BaseForm):
    """Any step: the order version the caller saw (optional; a stale one is a 409) and a reason, which
    the audit log records. That 拒单 and 取消 need one is the state machine's rule, not the form's."""

    version = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    reason = TextAreaField(validators=[Optional(), Length(max=REASON_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, version=_("订单版本"), reason=_("原因"))

    def terms(self) -> StepTerms:
        return StepTerms(version=self.version.data, reason=text(self, "reason"))


class SignForm(StepForm):
    """签约: the contract."""

    contract_type = SelectField(validators=[Required()])
    value_wan = DecimalField(validators=[Required()])
    signed_on = DateField(validators=[Required()])
    note = TextAreaField(validators=[Optional(), Length(max=MESSAGE_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contract_type.choices = term_choices(CONTRACT_TYPES)
        _labels(
            self,
            contract_type=_("合同类型"),
            value_wan=_("合同金额（万元）"),
            signed_on=_("签约日期"),
            note=_("备注"),
        )

    def validate_value_wan(self, field: DecimalField) -> None:
        # Judged on what is stored: the column keeps cents, so 0.001 would be stored as 0.00 and
        # 9999999999.999 as 10^10. (Huge values are compared before rounding, which would overflow.)
        value = field.data
        ok = value is not None and value.is_finite() and value < VALUE_LIMIT
        if not ok or not 0 < value.quantize(CENT) < VALUE_LIMIT:
            raise ValidationError(_("金额应大于 0，且小于 {limit} 万元。", limit=VALUE_LIMIT))

    def terms(self) -> StepTerms:
        deal = DealTerms(
            contract_type=str(self.contract_type.data),
            value_wan=Decimal(self.value_wan.data).quantize(CENT),
            signed_on=self.signed_on.data,
            note=text(self, "note"),
        )
        return replace(super().terms(), deal=deal)


class ReviewForm(StepForm):
    """评单: a rating from 1 to 5 and what the enterprise says (shown on the provider's page)."""

    rating = IntegerField(validators=[Required(), NumberRange(min=1, max=5)])
    body = TextAreaField(validators=[Optional(), Length(max=MESSAGE_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, rating=_("评分"), body=_("评价内容"))

    def terms(self) -> StepTerms:
        return replace(super().terms(), review=ReviewTerms(rating=self.rating.data, body=text(self, "body")))


def contract_type_default(cooperation_mode: str | None) -> str:
    """The 合同类型 the sign form starts on: the need's cooperation mode when it names a contract type
    (技术服务 → 技术服务), else 技术开发. The person signing may pick another."""
    codes = {t.code for t in CONTRACT_TYPES}
    return cooperation_mode if cooperation_mode in codes else CONTRACT_TYPES[0].code


class DeliverPageForm(StepForm):
    """确认交付 on the order page: the person ticks "我确认已交付" first, so one stray click does not
    deliver (works without JavaScript). The API's deliver step is an explicit call and takes StepForm."""

    confirmed = BooleanField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, confirmed=_("我确认已交付"))

    def validate_confirmed(self, field: BooleanField) -> None:
        if not field.data:
            raise ValidationError(_("请勾选“我确认已交付”后再提交。"))


# What each step takes; expiring is the system's own step and has no form.
STEP_FORMS: dict[Action, type[StepForm]] = {
    Action.ACCEPT: StepForm,
    Action.DECLINE: StepForm,
    Action.NEGOTIATE: StepForm,
    Action.SIGN: SignForm,
    Action.DELIVER: StepForm,
    Action.REVIEW: ReviewForm,
    Action.CANCEL: StepForm,
}

# The order page's forms: as STEP_FORMS, with the confirmation box on 确认交付.
PAGE_STEP_FORMS: dict[Action, type[StepForm]] = {**STEP_FORMS, Action.DELIVER: DeliverPageForm}


class FollowUpForm(BaseForm):
    """跟进记录: a note and, optionally, when to follow up next."""

    body = TextAreaField(validators=[Required(), Length(max=MESSAGE_MAX)])
    next_follow_up_on = DateField(validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, body=_("跟进内容"), next_follow_up_on=_("下次跟进日期"))


# ---- proposals (答题) ----------------------------------------------------------------------------------


class ProposalForm(BaseForm):
    """答题: approach, the provider's own achievements as evidence, team, timeline, price range (万元)."""

    approach = TextAreaField(validators=[Required(), Length(max=APPROACH_MAX)])
    achievement_ids = SelectMultipleField(coerce=int, validate_choice=False, validators=[Optional()])
    team = TextAreaField(validators=[Optional(), Length(max=TEAM_MAX)])
    timeline = StringField(validators=[Optional(), Length(max=TIMELINE_MAX)])
    price_min = IntegerField(validators=[Optional(), NumberRange(min=0, max=PRICE_MAX)])
    price_max = IntegerField(validators=[Optional(), NumberRange(min=0, max=PRICE_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(
            self,
            approach=_("技术方案"),
            achievement_ids=_("相关成果（可多选）"),
            team=_("团队"),
            timeline=_("周期"),
            price_min=_("报价下限（万元）"),
            price_max=_("报价上限（万元）"),
        )

    def validate_approach(self, field: TextAreaField) -> None:
        if not text(self, "approach").strip():
            raise ValidationError(_("请填写技术方案。"))

    def validate_achievement_ids(self, field: SelectMultipleField) -> None:
        if len(field.data or []) > EVIDENCE_MAX:
            raise ValidationError(_("最多引用 {count} 项成果。", count=EVIDENCE_MAX))

    def validate_price_max(self, field: IntegerField) -> None:
        low = self.price_min.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_("最高报价不能低于最低报价。"))

    def terms(self) -> ProposalTerms:
        return ProposalTerms(
            approach=text(self, "approach").strip(),
            team=text(self, "team"),
            timeline=text(self, "timeline"),
            price_min=self.price_min.data,
            price_max=self.price_max.data,
            achievement_ids=tuple(dict.fromkeys(self.achievement_ids.data or [])),
        )


class RejectForm(BaseForm):
    """婉拒 a proposal: the provider reads the reason."""

    reason = TextAreaField(validators=[Required(), Length(max=REASON_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, reason=_("婉拒原因"))


class HideForm(BaseForm):
    """A broker hides an abusive answer: the reason goes into the answer's log."""

    reason = TextAreaField(validators=[Required(), Length(max=REASON_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, reason=_("隐藏原因"))


class UnhideForm(BaseForm):
    """A broker shows a hidden answer again: the reason goes into the answer's log."""

    reason = TextAreaField(validators=[Required(), Length(max=REASON_MAX)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, reason=_("恢复原因"))


class BlockForm(BaseForm):
    """The API's POST /me/blocked-providers: the provider to block."""

    provider_id = IntegerField(validators=[Required(), NumberRange(min=1, max=MAX_ID)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, provider_id=_("服务方"))


class ReminderForm(BaseForm):
    """催办 (from the broker's workspace): an optional message to the provider, and when to look again."""

    message = TextAreaField(validators=[Optional(), Length(max=MESSAGE_MAX)])
    next_follow_up_on = DateField(validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labels(self, message=_("留言"), next_follow_up_on=_("下次跟进日期"))
