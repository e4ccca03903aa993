from __future__ import annotations

from indexer.analysis import STOPWORDS, display_terms, normalise, query_terms, tokenize


def test_chinese_words_and_their_sub_words() -> None:
    tokens = tokenize("碳纤维复合材料的注塑件出现翘曲")
    assert {"碳纤维", "复合材料", "材料", "翘曲"} <= set(tokens)


def test_stopwords_punctuation_and_numbers_are_dropped() -> None:
    tokens = tokenize("我们的产品，需要 100 个，如何解决？the and")
    assert not set(tokens) & STOPWORDS
    assert "，" not in tokens and "？" not in tokens and "100" not in tokens
    assert "产品" in tokens


def test_english_is_lower_cased_and_full_width_folded() -> None:
    assert normalise("ＡＩ Deep") == "ai deep"
    assert tokenize("Deep Learning for ＡＩ") == ["deep", "learning", "ai"]


def test_query_terms_are_distinct_in_order() -> None:
    assert query_terms("电池 电池 寿命") == ["电池", "寿命"]


def test_deterministic() -> None:
    text = "高镍三元正极材料表面包覆提升循环寿命，降低产气。"
    assert tokenize(text) == tokenize(text)


def test_display_terms_keep_the_longest_form() -> None:
    assert display_terms(["碳纤维", "复合", "碳纤维复合材料", "翘曲", "翘曲"]) == ["碳纤维复合材料", "翘曲"]


def test_empty_text() -> None:
    assert tokenize("") == []


def test_query_terms_leave_out_curated_boilerplate() -> None:
    # 技术 and 要求 are in indexer.stopwords.CURATED: every letter-like need and many distractors
    # share them, so the BM25 query goes without (docs/matching.md, "Ranking II").
    terms = query_terms("注塑 翘曲 技术 要求")
    assert terms == ["注塑", "翘曲"]
    assert {"技术", "要求"} <= set(tokenize("注塑 翘曲 技术 要求"))  # documents keep them


def test_query_of_nothing_but_boilerplate_keeps_its_terms() -> None:
    assert query_terms("技术 服务") == ["技术", "服务"]
