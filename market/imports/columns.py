"""The columns of the import files (and of exports, which use exactly the same layout).

Headers are Chinese; each column also accepts its code name (e.g. `title`) and a few short
aliases, so files from other tools map without renaming. See docs/import.md for the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str  # form field name (or a record's value name)
    header: str  # the Chinese header written in templates and exports
    hint: str  # the hint row of the template
    required: bool = False  # the file must have this column
    aliases: tuple[str, ...] = ()


NEED_COLUMNS: tuple[Column, ...] = (
    Column("organisation", "企业名称", "必填；不存在则新建企业", True, ("企业", "organisation")),
    Column("title", "需求标题", "必填，4–120 字", True, ("标题",)),
    Column("description", "需求描述", "必填，20–5000 字", True, ("描述",)),
    Column("field_code", "技术领域", "必填；代码或名称，如 ev 或 新材料", True, ("领域", "field")),
    Column(
        "subfield_code",
        "细分领域",
        "选填；代码或名称，须属于该领域，如 注塑成型 或 manufacturing-injection",
        False,
        ("subfield",),
    ),
    Column("province", "省份", "必填；代码或名称，如 32 或 江苏省", True, ("省",)),
    Column("city", "城市", "选填；须属于该省，如 3201 或 南京市", False, ("市",)),
    Column("budget_min", "预算下限（万元）", "选填，整数", False, ("预算下限",)),
    Column("budget_max", "预算上限（万元）", "选填，整数，不低于下限", False, ("预算上限",)),
    Column("deadline", "截止日期", "选填，如 2026-12-31，不早于今天", False, ("deadline",)),
    Column("cooperation_mode", "合作方式", "必填；如 技术开发 或 develop", True, ("mode",)),
    Column("public_summary", "公开摘要", "选填，最多 1000 字", False, ("摘要",)),
    Column("confidential_details", "保密细节", "选填，最多 5000 字", False, ("保密",)),
    Column("is_open_call", "揭榜挂帅", "选填：是 / 否", False, ("open_call",)),
)

PROVIDER_COLUMNS: tuple[Column, ...] = (
    Column(
        "record", "记录类型", "服务方 / 成果 / 服务；成果与服务属于其上方最近的服务方", True, ("record_type",)
    ),
    Column("kind", "服务方类型", "服务方行必填：专家 / 学会 / 服务团 / 高校院所", False, ("provider_kind",)),
    Column("name", "名称", "服务方行必填：姓名或机构名称", False, ("姓名",)),
    Column("title", "职称或资质", "选填", False, ("职称",)),
    Column("affiliation", "所在单位", "选填", False, ("单位",)),
    Column("province", "省份", "服务方行必填", False, ("省",)),
    Column("city", "城市", "选填；须属于该省", False, ("市",)),
    Column("fields", "技术领域", "服务方行必填，最多 3 个，用 ；分隔，第一个为主领域", False, ("领域",)),
    Column("subfields", "细分领域", "选填，最多 8 个，用 ；分隔，须属于所填领域", False, ()),
    Column("expertise", "专长与能力介绍", "服务方行必填，20–3000 字", False, ("专长",)),
    Column("available", "当前可接单", "选填：是 / 否（默认 是）", False, ()),
    Column("achievement_kind", "成果类型", "成果行必填：专利 / 论文 / 项目 / 案例 / 产品", False, ()),
    Column("achievement_title", "成果名称", "成果行必填，4–200 字", False, ()),
    Column("achievement_description", "成果简介", "选填", False, ()),
    Column("achievement_year", "成果年份", "选填，如 2023", False, ()),
    Column("service_category", "服务类别", "服务行必填：技术攻关 / 成果转化 / 咨询论证 …", False, ()),
    Column("service_title", "服务名称", "服务行必填，4–120 字", False, ()),
    Column("service_description", "服务内容", "服务行必填，10–3000 字", False, ()),
    Column("service_delivery_mode", "交付方式", "服务行必填：线上 / 线下 / 线上线下结合", False, ()),
    Column("service_price_note", "价格说明", "选填", False, ()),
    Column("service_active", "服务上架", "选填：是 / 否（默认 是）", False, ()),
)

COLUMNS: dict[str, tuple[Column, ...]] = {"needs": NEED_COLUMNS, "providers": PROVIDER_COLUMNS}
KINDS = tuple(COLUMNS)

# Provider file record types; a blank type means 服务方.
RECORD_TYPES = {
    "服务方": "provider",
    "provider": "provider",
    "成果": "achievement",
    "achievement": "achievement",
    "服务": "service",
    "service": "service",
}
RECORD_LABELS = {"need": "需求", "provider": "服务方", "achievement": "成果", "service": "服务"}

_NOISE = re.compile(r"[\s*＊:：]")


def normalise_header(text: str) -> str:
    cleaned = _NOISE.sub("", text.replace("（", "(").replace("）", ")"))
    return cleaned.lower()


def header_map(kind: str) -> dict[str, Column]:
    """Normalised header or alias -> column."""
    mapping: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for name in (column.header, column.key, *column.aliases):
            mapping.setdefault(normalise_header(name), column)
    return mapping


def header_of(kind: str, key: str) -> str:
    for column in COLUMNS[kind]:
        if column.key == key:
            return column.header
    return key
