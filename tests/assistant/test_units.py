"""The assistant's pure parts: the checklist's rules, the field vote, the experts' terms."""

from __future__ import annotations

from market.assistant import checklist, fields, terms

VAGUE = "注塑件老是变形\n我们的塑料件做出来变形，想解决一下。"
SPECIFIC = (
    "注塑件翘曲变形\n目前翘曲量约 1.2 mm，不良率 8%，希望降到 0.3 mm 以下；不能更换现有注塑机，"
    "预算 30 万元，3 个月内完成。"
)


def _missing(text: str, **given: bool) -> set[str]:
    return {item.key for item in checklist.check(text, **given) if not item.done}


def test_a_vague_need_misses_every_item_and_a_specific_one_none() -> None:
    assert _missing(VAGUE) == {"current", "target", "constraints", "budget", "deadline"}
    assert _missing(SPECIFIC) == set()


def test_budget_and_deadline_also_count_from_the_form_fields() -> None:
    assert _missing(VAGUE, has_budget=True, has_deadline=True) == {"current", "target", "constraints"}


def test_each_rule_on_its_own() -> None:
    assert _missing("现在每天报废 200 件") == {"target", "constraints", "budget", "deadline"}
    assert "target" not in _missing("希望合格率提高到 99%")
    assert "constraints" not in _missing("必须兼容现有产线")
    assert "deadline" not in _missing("希望年底前完成")


def test_the_nearest_neighbours_decide_the_field() -> None:
    neighbours = [
        fields.Neighbour(("materials",), 0.93),
        fields.Neighbour(("materials", "manufacturing"), 0.92),
        fields.Neighbour(("energy",), 0.86),
        fields.Neighbour(("energy",), 0.85),
        fields.Neighbour(("energy",), 0.85),
    ]
    shares = fields.vote(neighbours)
    assert shares[0].code == "materials"
    assert abs(sum(s.share for s in shares) - 1.0) < 1e-9
    assert fields.suggestion(shares) == shares[0]
    # Three far neighbours do not outvote two near ones, but they would at equal distance.
    even = [fields.Neighbour((code,), 0.9) for code in ("a", "b", "b")]
    assert fields.vote(even)[0].code == "b"


def test_no_field_is_suggested_without_neighbours_or_a_clear_majority() -> None:
    assert fields.vote([]) == []
    assert fields.suggestion([]) is None
    split = fields.vote([fields.Neighbour((code,), 0.9) for code in "abcdef"])
    assert fields.suggestion(split) is None


def test_expert_terms_are_shared_by_profiles_new_to_the_text_and_not_filler() -> None:
    profiles = [
        "注塑模具随形冷却水路设计，翘曲变形仿真分析，聚丙烯材料改性",
        "注塑成型工艺优化与翘曲变形仿真分析，模流分析服务",
        "模流分析与随形冷却水路设计，有限公司技术服务",
        "锂电池热管理",
    ]
    found = terms.expert_terms(profiles, VAGUE, stop=frozenset({"服务", "技术", "有限公司", "有限"}))
    assert {"翘曲", "模流", "冷却"} <= set(found)  # the experts' words for 变形
    assert not any(term in VAGUE for term in found)  # nothing the writer has already used
    assert "锂电池" not in found  # one profile's word only
    assert not {"服务", "技术", "有限公司"} & set(found)
