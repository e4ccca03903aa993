"""The pieces of an explanation on their own: the stop list, the 匹配度 mapping, the evidence sentence,
and the page escaping a posting's text around the highlighted terms."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from indexer import calibration
from indexer.documents import Hit, Passage
from indexer.stopwords import CURATED, frequent_terms, informative, stop_list
from market.db import db
from market.matching.reasons import evidence, highlight, telling_terms
from market.needs.models import Need
from market.providers.models import Achievement, Provider
from tests.factories import login


def test_frequent_terms_are_the_ones_in_too_many_documents() -> None:
    texts = [f"激光焊接 样品{i} 交付周期" if i % 2 else f"冷链保鲜 样本 交付周期{i}" for i in range(40)]
    frequent = frequent_terms(texts, max_share=0.6)
    assert "交付" in frequent
    assert "激光焊接" not in frequent and "冷链" not in frequent
    assert frequent_terms(texts[:5]) == frozenset()  # too few documents to say


def test_informative_drops_stop_words_and_single_characters() -> None:
    stop = stop_list()
    assert informative(["华东", "有限", "激光焊接", "钢", "给出", "激光焊接"], stop) == ["激光焊接"]


def test_compounds_of_filler_are_filler() -> None:
    assert telling_terms(["华东地区", "技术服务", "热失控预警"], CURATED) == ("热失控预警",)


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), min_size=4, max_size=4))
def test_degree_is_an_integer_from_0_to_100_for_any_features(values: list[float]) -> None:
    degree = calibration.degree_from_features(values)
    assert isinstance(degree, int) and 0 <= degree <= 100


def _hit(doc: float, passage: float, matched: list[str]) -> Hit:
    return Hit(
        id="1",
        score=0.5,
        lexical=0.5,
        dense=(doc + passage) / 2,
        matched_terms=matched,
        best_passage=Passage("achievement:1", "成果", "成果"),
        best_passage_score=passage,
        boosts={},
        doc_dense=doc,
    )


def test_degree_rises_with_each_kind_of_evidence() -> None:
    terms = calibration.need_terms("注塑件翘曲变形严重，想找人分析模具冷却", CURATED)
    assert terms
    weak = calibration.match_degree(_hit(0.80, 0.80, []), terms, CURATED, False)
    closer = calibration.match_degree(_hit(0.88, 0.90, []), terms, CURATED, False)
    worded = calibration.match_degree(_hit(0.88, 0.90, list(terms)), terms, CURATED, False)
    same_field = calibration.match_degree(_hit(0.88, 0.90, list(terms)), terms, CURATED, True)
    assert weak < closer < worded <= same_field


def test_evidence_is_the_sentence_with_most_matched_terms() -> None:
    texts = ["研究电池包保温。低温自加热和电池热管理的方案，冬季续航提升30%。", "其他工作。"]
    parts = evidence(texts, ["低温", "热管理", "续航"])
    assert "".join(p for p, _ in parts) == "低温自加热和电池热管理的方案，冬季续航提升30%。"
    assert [p for p, marked in parts if marked] == ["低温", "热管理", "续航"]
    assert evidence(["无关的文字。"], ["热管理"]) == (("无关的文字。", False),)


def test_highlight_matches_latin_terms_whatever_their_case() -> None:
    assert highlight("PLC 程序迁移", ["plc"]) == (("PLC", True), (" 程序迁移", False))


def test_a_long_sentence_is_cut_around_its_first_matched_term() -> None:
    sentence = "甲" * 200 + "热失控预警" + "乙" * 200
    text = "".join(p for p, _ in evidence([sentence], ["热失控"]))
    assert "热失控" in text and len(text) <= 122


@pytest.mark.usefixtures("synced")
def test_the_page_escapes_the_evidence_around_the_highlighted_terms(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    provider_id = make.provider_id_of(make.user("provider"))
    with app.app_context():
        provider = db.session.get(Provider, provider_id)
        provider.expertise = "焊接工艺专家，研究高强钢激光焊接变形控制。"
        provider.achievements.append(
            Achievement(kind="patent", title="<script>alert(1)</script>激光焊接变形控制方法", description="")
        )
        provider.status = "approved"
        from market.db import commit

        commit()
    owner = make.user("enterprise")
    need_id = make.need(
        owner, status="pending", title="激光焊接变形大", description="高强钢激光焊接后变形超差。"
    )
    with app.app_context():
        db.session.get(Need, need_id).status = "approved"
        from market.db import commit

        commit()
    page = login(app.test_client(), owner).get(f"/needs/{need_id}/matches").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<mark>激光焊接</mark>" in page or "<mark>激光焊接变形</mark>" in page
