"""Stored messages (market.messages): every kind has its English, codes read as labels, links come from
url_for, and rows from before message keys keep their text."""

from __future__ import annotations

import re
from string import Formatter

import pytest
from flask import Flask, url_for

from market import messages
from market.i18n import english

# Chinese characters and Chinese punctuation (，：（）…): text with any of them needs its English.
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in Formatter().parse(text) if name}


def test_every_message_kind_has_its_english_form(app: Flask) -> None:
    table = english()
    for kind in messages.KINDS.values():
        assert set(kind.params) >= placeholders(kind.text), kind.key
        if CHINESE.search(kind.text):
            assert table.get(kind.text), f"{kind.key}: no English for {kind.text!r} in the English catalogue"
            assert placeholders(table[kind.text]) == placeholders(kind.text), kind.key


def test_every_parameter_type_and_link_target_exists(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for kind in messages.KINDS.values():
        unknown = set(kind.params.values()) - set(messages.LABELS)
        assert not unknown, f"{kind.key}: no label type {unknown}"
        if kind.link:
            assert kind.link.endpoint in endpoints, kind.key
            assert set(kind.link.args.values()) <= set(kind.params), kind.key


def test_codes_read_as_labels_in_each_language(app: Flask) -> None:
    note = messages.build("follow_up.transition", action="accept", before="ordered", after="accepted")
    with app.test_request_context():
        assert messages.render(note.key, note.params, "zh") == "状态变更：接单（待接单（点单） → 已接单）"
        assert messages.render(note.key, note.params, "en") == "Status change: Accept (Ordered → Accepted)"
        change = messages.build(
            "admin.user_updated",
            role_was="enterprise",
            role="broker",
            active_was=True,
            active=False,
            regions_was=[],
            regions=["32", "33"],
        )
        english_text = messages.render(change.key, change.params, "en")
        assert "Enterprise → Broker (CAST office)" in english_text and "Jiangsu, Zhejiang" in english_text
        assert "Active → Disabled" in english_text
        assert "江苏省、浙江省" in messages.render(change.key, change.params, "zh")


def test_a_system_reason_is_a_message_inside_a_message(app: Flask) -> None:
    reason = messages.build("order.expiry_reason", days=14)
    notice = messages.build("order.expired", title="低温电池", order_id=3, reason=reason)
    with app.test_request_context():
        assert (
            messages.render(notice.key, notice.params, "zh")
            == "订单已过期（超过 14 天未答复，系统自动过期）：低温电池"
        )
        assert messages.render(notice.key, notice.params, "en") == (
            "Order expired (no answer within 14 days, expired automatically): 低温电池"
        )


def test_the_reader_language_is_the_requests(app: Flask) -> None:
    notice = messages.build("order.ordered", actor="张三", title="低温电池", order_id=1)
    with app.test_request_context("/?lang=en"):
        assert messages.render(notice.key, notice.params) == "张三 placed an order: 低温电池"
    with app.test_request_context("/"):
        assert messages.render(notice.key, notice.params) == "张三 点单：低温电池"


def test_links_are_built_by_url_for_when_read(app: Flask) -> None:
    follow_up = messages.build("order.follow_up_added", actor="张三", title="T", order_id=7)
    proposal = messages.build("proposal.shortlisted", title="T", need_id=9)
    with app.test_request_context():
        expected = url_for("orders.detail", order_id=7, _anchor="follow-ups")
        assert messages.link(follow_up.key, follow_up.params) == expected == "/orders/7#follow-ups"
        assert messages.link(proposal.key, proposal.params) == url_for("needs.detail", need_id=9)
        assert messages.link("follow_up.reminded", {"count": 1}) == ""
    with app.app_context():  # a mail rendered by a command, outside any request
        assert messages.link(follow_up.key, follow_up.params) == "/orders/7#follow-ups"


def test_a_wrong_parameter_fails_when_written(app: Flask) -> None:
    with pytest.raises(ValueError, match="takes"):
        messages.build("order.ordered", actor="张三", title="T")
    with pytest.raises(ValueError, match="takes"):
        messages.build("order.ordered", actor="张三", title="T", order_id=1, extra=1)


def test_rows_without_a_key_keep_their_text(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):
        assert messages.shown(None, None, "旧的通知") == "旧的通知"
        assert messages.shown_link(None, None, "/orders/1") == "/orders/1"
        assert messages.shown("gone.kind", {}, "") == "gone.kind"  # a kind removed since: no error page
