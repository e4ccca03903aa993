"""Query understanding, spelling and highlighting on their own (no database)."""

from __future__ import annotations

from markupsafe import Markup

from indexer.analysis import cut_at_word_boundary
from indexer.spelling import Vocabulary, closest_terms, edit_distance
from market.search import highlight, query


def test_full_width_text_is_folded_and_spaces_collapse() -> None:
    parsed = query.parse("ＰＬＣ\u3000数据　 采集\x07")
    assert parsed.text == "PLC 数据 采集"
    assert "plc" in parsed.terms and not parsed.cut


def test_a_long_paragraph_is_cut_between_words_and_says_so() -> None:
    paragraph = "我们工厂的注塑件在脱模后出现明显的翘曲变形，" * 40
    parsed = query.parse(paragraph)
    assert parsed.cut and len(parsed.text) <= query.MAX_QUERY_CHARS
    assert query.clean(paragraph).startswith(parsed.text) and parsed.text.endswith("明显")
    # Cut between two jieba words: the next word starts where the cut text ends.
    assert cut_at_word_boundary("锂电池热失控预警", 5) == "锂电池热"
    assert cut_at_word_boundary("锂电池热失控预警", 4) == "锂电池热"
    assert cut_at_word_boundary("短", 10) == "短"


def test_latin_typos_are_corrected_against_known_terms_only() -> None:
    known = Vocabulary.of(["MEMS 传感器封装", "激光雷达 lidar 点云", "PLC 数据采集", "lidar 标定"])
    parsed = query.parse("lidra 点云 MMES", known)
    assert parsed.corrections == {"lidra": "lidar", "mmes": "mems"}
    assert "lidar" in parsed.text and "mems" in parsed.text.lower() and parsed.corrected
    assert query.parse("PLC 采集", known).corrections == {}  # known, and too short to correct anyway
    assert query.parse("xyzzyq", known).corrections == {}  # nothing close enough
    assert query.parse("lidra", None).corrections == {}  # exact: no vocabulary, no correction


def test_edit_distance_counts_a_swap_as_one_edit() -> None:
    assert edit_distance("mems", "mmes", 2) == 1
    assert edit_distance("lidar", "lidra", 2) == 1
    assert edit_distance("kitten", "sitting", 1) == 2  # over the limit: limit + 1


def test_chinese_suggestions_share_characters_with_the_typed_term() -> None:
    known = Vocabulary.of(["封装翘曲控制", "污泥深度脱水", "热失控预警"])
    assert "翘曲" in known.similar("翘区")
    assert closest_terms(known, ["污泥减量"])[0].startswith("污泥")
    assert "翘区" not in closest_terms(known, ["翘区"])


def test_highlight_escapes_stored_text_and_marks_only_terms() -> None:
    marked = highlight.highlight('<script>alert("x")</script> 翘曲 & 变形', ["翘曲", "script"])
    assert isinstance(marked, Markup)
    assert "<script>" not in marked and "&lt;<mark>script</mark>&gt;" in marked
    assert "<mark>翘曲</mark>" in marked and "&amp;" in marked
    # A term that is itself markup stays text inside the mark.
    assert highlight.highlight("a<b>c", ["<b>"]) == Markup("a<mark>&lt;b&gt;</mark>c")


def test_highlight_finds_full_width_text_and_ignores_single_characters() -> None:
    assert highlight.highlight("ＰＬＣ改造", ["plc"]) == Markup("<mark>ＰＬＣ</mark>改造")
    assert "<mark>" not in highlight.highlight("热处理", ["热"])


def test_snippet_is_a_window_around_the_first_match() -> None:
    text = "无关内容。" * 60 + "注塑件翘曲变形严重" + "其他内容。" * 60
    cut = highlight.snippet(text, ["翘曲"], width=60)
    assert "<mark>翘曲</mark>" in cut and cut.startswith("…") and cut.endswith("…")
    assert highlight.best_text(["摘要没有", "描述里有翘曲"], ["翘曲"]) == "描述里有翘曲"


def _similar_by_full_scan(vocabulary: Vocabulary, term: str, n: int = 5) -> list[str]:
    """The definition `similar` must keep for Chinese: every known term scored, none skipped."""
    chars = {ch for ch in term if "\u3400" <= ch <= "\u9fff"}
    uses = {ch: sum(ch in known for known in vocabulary.counts) for ch in chars}
    ranked = []
    for known, count in vocabulary.counts.items():
        shared = chars & set(known)
        if known != term and (
            len(shared) >= 2 or (shared and len(shared) * 2 >= min(len(chars), len(known)))
        ):
            weight = sum(1.0 / (1 + uses[ch]) for ch in shared)
            ranked.append((-len(shared), -weight, abs(len(known) - len(term)), -count, known))
    return [known for *_, known in sorted(ranked)][:n]


def test_chinese_similar_terms_equal_a_full_scan_of_the_vocabulary() -> None:
    texts = [
        "注塑件翘曲变形 模具冷却 注塑工艺参数",
        "污水处理厂污泥减量 污泥脱水 资源化",
        "锂电池热失控预警 电池管理系统 储能电池包",
        "芯片封装翘曲 晶圆 封装材料",
        "农业病虫害识别 无人机植保 地区推广",
        "热处理变形控制 齿轮渗碳 淬火",
    ]
    known = Vocabulary.of(texts)
    for typed in ("翘区", "污泥处理", "电池热管理", "变形", "地区", "封装翘", "淬火变形控制"):
        assert known.similar(typed) == _similar_by_full_scan(known, typed), typed
