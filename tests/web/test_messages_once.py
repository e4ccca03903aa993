"""A refusal is shown once: never a form-level line and a field-level line saying the same thing
("请填写原因。 必须填写原因。"), never one message twice, wherever a page renders it."""

from __future__ import annotations

import re

from flask import Flask, flash, render_template_string
from wtforms import Form, StringField

from market.errors import Conflict, ValidationFailed
from tests.factories import Factory, login


def alerts(html: str) -> list[str]:
    return re.findall(r'class="alert alert-\w+" role="alert">([^<]*)<', html)


def test_a_refusal_naming_fields_shows_each_field_message_once() -> None:
    same = ValidationFailed(
        "提交的数据未通过校验。", field_errors={"reason": ["请填写原因。"], "note": ["请填写原因。"]}
    )
    assert same.shown() == "请填写原因。"
    two = ValidationFailed(
        "提交的数据未通过校验。", field_errors={"a": ["请填写原因。"], "b": ["原因过长。"]}
    )
    assert two.shown() == "请填写原因。；原因过长。"
    assert Conflict("订单当前状态不能执行该操作。").shown() == "订单当前状态不能执行该操作。"


def test_the_form_macro_shows_a_field_message_once(app: Flask) -> None:
    class ReasonForm(Form):
        reason = StringField("原因")

    form = ReasonForm()
    form.reason.errors = ["请填写原因。", "请填写原因。"]  # a validator and a service said the same
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "macros.html" import field %}{{ field(form.reason) }}', form=form
        )
    assert html.count("请填写原因。") == 1


def test_the_same_flash_twice_is_shown_once(app: Flask) -> None:
    with app.test_request_context("/"):
        flash("请填写原因。", "danger")
        flash("请填写原因。", "danger")
        flash("已保存。", "success")
        html = render_template_string('{% extends "base.html" %}')
    assert alerts(html) == ["请填写原因。", "已保存。"]


def test_a_saved_search_refusal_shows_the_field_problem_alone(app: Flask, make: Factory) -> None:
    client = login(app.test_client(), make.user("provider"))
    bad_field = {"saved-kind": "needs", "saved-q": "电池", "filter_field": "no-such-field"}
    page = client.post("/me/searches", data=bad_field, follow_redirects=True)
    shown = [a for a in alerts(page.get_data(as_text=True)) if "欢迎" not in a]
    # The field's problem, without the form-level "提交的数据未通过校验。" in front of it.
    assert shown == ["无法保存搜索：无效的选项。"], shown
