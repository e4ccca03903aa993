"""Business boilerplate is removed from needs before ranking; the technical content stays."""

from __future__ import annotations

import pytest

from indexer.analysis import query_terms
from indexer.boilerplate import strip_boilerplate

LETTER = (
    "我公司主要生产汽车注塑件，希望能找到专家帮忙解决PP保险杠翘曲变形问题，最好是华南地区的，有意者请联系。"
)


def test_letter_loses_the_request_and_keeps_the_problem() -> None:
    stripped = strip_boilerplate(LETTER)
    for kept in ("汽车注塑件", "PP保险杠翘曲变形"):
        assert kept in stripped
    for gone in ("我公司", "希望", "专家", "帮忙", "华南", "有意者", "联系"):
        assert gone not in stripped, (gone, stripped)


def test_every_technical_term_of_the_need_survives() -> None:
    need = (
        "我们厂的冷却塔和屋顶风机晚上一直转，环保局测过说噪声超了65分贝。"
        "想找懂行的专家来帮我们降噪，省内的专家优先。"
    )
    before = set(query_terms(need))
    after = set(query_terms(strip_boilerplate(need)))
    for term in ("冷却塔", "屋顶", "风机", "噪声", "65", "分贝", "降噪", "环保局"):
        if term in before:
            assert term in after, term
    assert "省内" not in strip_boilerplate(need)


@pytest.mark.parametrize(
    "text",
    [
        "基于卷积神经网络的轴承故障诊断方法",
        "智能交通、多应急车辆、信号优先、多智能体、模糊推理",  # 优先 here is a technical term
        '嘉宾反问:"要哭吗?"',
        "1-氢-3、 5-二(3-吡啶基)-1、 2、 4-三唑",
        "",
    ],
)
def test_texts_without_boilerplate_are_unchanged(text: str) -> None:
    assert strip_boilerplate(text) == text


def test_a_need_that_is_only_boilerplate_keeps_its_text() -> None:
    # An empty query would rank nothing; the original words are better than none.
    assert strip_boilerplate("希望找专家帮忙。") == "希望找专家帮忙。"


def test_compound_words_are_not_cut() -> None:
    # 我们厂 is boilerplate, 厂房 is not: "我们厂房屋顶" keeps 厂房.
    assert strip_boilerplate("我们厂房屋顶有两万多平，想装光伏。").startswith("厂房屋顶")
