"""What a need still lacks to be answerable: current state, target figures, constraints, budget, deadline.

Plain text rules, no model: a need says where it stands today (现状: 目前/现在 … with a figure), what
figure it wants to reach (目标: 达到/降到/提高到 … with a number and a unit), what limits a solution
(约束: 不能/必须/现有设备 …), and the budget and deadline, which may also come from the form's fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from market.i18n import N_

_NUMBER = r"\d+(?:\.\d+)?"
_UNIT = (
    r"(?:%|％|‰|ppm|mm|μm|um|nm|cm|m|km|kg|g|t|吨|公斤|克|毫米|微米|米|秒|分钟|小时|天|度|℃|°C"
    r"|MPa|kPa|Pa|V|kV|A|W|kW|MW|Hz|元|万|件|台|个|次|倍|遍|批|年|月|周)"
)
CURRENT = re.compile(
    r"(目前|现在|当前|现有|现状|平时|一般|经常|老是|总是|每[天月年批班]|良率|合格率|不良率|废品率).{0,24}?"
    + _NUMBER
    + r"|"
    + _NUMBER
    + r"\s*"
    + _UNIT
    + r".{0,6}?(左右|上下|以上)",
    re.IGNORECASE,
)
TARGET = re.compile(
    r"(达到|提高到|提升到|降低到|降到|减少到|控制在|缩短到|不低于|不高于|不超过|小于|大于|低于|高于|至少|以内|以下|≤|≥|<|>|目标|指标)"
    r".{0,12}?" + _NUMBER,
    re.IGNORECASE,
)
CONSTRAINT = re.compile(
    r"不能|不可|不得|不允许|不改变|不更换|不停产|必须|只能|前提|限制|约束|条件|兼容|现有(设备|产线|生产线|工艺|场地)|环保要求|安全要求|认证|标准"
)
BUDGET = re.compile(r"预算|经费|费用|投入|" + _NUMBER + r"\s*万(元)?")
DEADLINE = re.compile(
    r"(\d+\s*(个)?(月|周|天|年)(内|之内|以内|完成))|(年底|月底|季度|之前|以前|前完成|截止|期限|工期|交付)"
)


@dataclass(frozen=True)
class Item:
    key: str  # current | target | constraints | budget | deadline
    label: str  # a message key (N_), put into words when shown
    hint: str  # a message key: what to add
    done: bool


LABELS: dict[str, tuple[str, str]] = {
    "current": (N_("现状"), N_("写出现在的情况和数字，例如“目前不良率约 8%”。")),
    "target": (N_("目标指标"), N_("写出希望达到的数字，例如“不良率降到 2% 以下”。")),
    "constraints": (N_("约束条件"), N_("写出方案不能改变的条件，例如“不能更换现有注塑机”。")),
    "budget": (N_("预算"), N_("填写预算范围（万元），或在描述中说明。")),
    "deadline": (N_("期限"), N_("填写截止日期，或说明希望多久完成。")),
}


def check(text: str, *, has_budget: bool = False, has_deadline: bool = False) -> list[Item]:
    """Each item of the checklist, done or not, in a fixed order."""
    found = {
        "current": bool(CURRENT.search(text)),
        "target": bool(TARGET.search(text)),
        "constraints": bool(CONSTRAINT.search(text)),
        "budget": has_budget or bool(BUDGET.search(text)),
        "deadline": has_deadline or bool(DEADLINE.search(text)),
    }
    return [Item(key, *LABELS[key], found[key]) for key in LABELS]
