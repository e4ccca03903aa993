"""Per-field words used to name enterprises, colleges, societies and institutes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldWords:
    industry: tuple[str, ...]  # goes into company names: 苏州瑞锋<新能源>科技有限公司
    universities: tuple[str, ...]  # kinds of university that host such work
    colleges: tuple[str, ...]  # schools / institutes inside them
    society: str  # 江苏省<新材料学会>
    related: tuple[str, ...]  # plausible secondary fields of a provider


def _w(industry: str, universities: str, colleges: str, society: str, related: str) -> FieldWords:
    return FieldWords(
        tuple(industry.split()),
        tuple(universities.split()),
        tuple(colleges.split()),
        society,
        tuple(related.split()),
    )


FIELD_WORDS: dict[str, FieldWords] = {
    "materials": _w(
        "新材料 材料 高分子 复材",
        "理工大学 工业大学 科技大学",
        "材料科学与工程学院 高分子研究所",
        "新材料学会",
        "chemical metallurgy textile",
    ),
    "energy": _w(
        "新能源 能源 光电 氢能",
        "电力大学 理工大学 科技大学",
        "能源与动力工程学院 电气工程学院",
        "能源研究会",
        "ev environment materials",
    ),
    "ev": _w(
        "新能源 动力 汽车 电池",
        "理工大学 交通大学 科技大学",
        "车辆工程学院 电化学研究所",
        "汽车工程学会",
        "energy materials chemical",
    ),
    "semiconductor": _w(
        "微电子 半导体 芯片",
        "电子科技大学 理工大学",
        "集成电路学院 微电子研究所",
        "半导体行业协会",
        "ict materials",
    ),
    "ai": _w(
        "智能 数据 信息",
        "信息工程大学 理工大学 师范大学",
        "人工智能学院 计算机学院",
        "人工智能学会",
        "software ict manufacturing",
    ),
    "biomed": _w(
        "生物 医药 药业",
        "医科大学 药科大学 理工大学",
        "药学院 生命科学学院 生物工程研究所",
        "药学会",
        "tcm meddevice chemical",
    ),
    "meddevice": _w(
        "医疗器械 医疗 健康",
        "医科大学 理工大学",
        "生物医学工程学院 附属医院医学工程部",
        "生物医学工程学会",
        "biomed ai ict",
    ),
    "manufacturing": _w(
        "智能装备 机器人 机械 自动化",
        "工业大学 理工大学 科技大学",
        "机械工程学院 机器人研究所 智能制造学院",
        "机械工程学会",
        "software ai metallurgy",
    ),
    "agri": _w(
        "农业 食品 生态农业 农牧",
        "农业大学 农林大学",
        "食品科学与工程学院 植物保护学院 动物科学学院",
        "农学会",
        "water biomed environment",
    ),
    "environment": _w(
        "环保 环境 节能",
        "理工大学 环境科技大学 工业大学",
        "环境科学与工程学院 能源环境研究所",
        "环境科学学会",
        "water chemical energy",
    ),
    "chemical": _w(
        "化工 化学 精细化工",
        "化工大学 理工大学",
        "化学工程学院 化学化工学院",
        "化工学会",
        "materials environment biomed",
    ),
    "ict": _w(
        "电子 通信 光电 物联",
        "邮电大学 电子科技大学",
        "信息与通信工程学院 电子工程学院",
        "电子学会",
        "semiconductor ai software",
    ),
    "aerospace": _w(
        "航空 航天 无人机 精密",
        "航空航天大学 理工大学",
        "航空学院 航天学院 遥感研究所",
        "航空学会",
        "materials manufacturing ict",
    ),
    "marine": _w(
        "海洋 海工 船舶 渔业",
        "海洋大学 理工大学",
        "船舶与海洋工程学院 海洋科学学院",
        "海洋学会",
        "construction energy materials",
    ),
    "construction": _w(
        "建设 建筑 建材 工程",
        "建筑大学 交通大学 理工大学",
        "土木工程学院 建筑材料研究所",
        "土木建筑学会",
        "materials software water",
    ),
    "textile": _w(
        "纺织 服饰 印染 纤维",
        "纺织大学 工程大学 理工大学",
        "纺织科学与工程学院 服装学院",
        "纺织工程学会",
        "materials chemical manufacturing",
    ),
    "tcm": _w(
        "中药 药业 本草 健康", "中医药大学 药科大学", "中药学院 中医药研究院", "中医药学会", "biomed agri"
    ),
    "water": _w(
        "水务 水利 节水 环境",
        "水利水电大学 农业大学 理工大学",
        "水利工程学院 水文水资源研究所",
        "水利学会",
        "environment construction agri",
    ),
    "software": _w(
        "软件 信息 数字 工业互联网",
        "理工大学 工业大学 信息科技大学",
        "软件学院 计算机学院",
        "计算机学会",
        "ai manufacturing ict",
    ),
    "metallurgy": _w(
        "矿业 冶金 金属 合金",
        "冶金大学 矿业大学 科技大学",
        "冶金与生态工程学院 资源与安全工程学院",
        "金属学会",
        "materials environment manufacturing",
    ),
}
