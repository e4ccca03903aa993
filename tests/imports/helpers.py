"""Building import files in memory: CSV in any encoding and .xlsx, from header -> value dicts."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook

from market.imports.columns import COLUMNS

DEADLINE = (date.today() + timedelta(days=90)).isoformat()


def need_row(**overrides: str) -> dict[str, str]:
    row = {
        "企业名称": "苏州测试精密制造有限公司",
        "需求标题": "高精度数控机床热变形补偿",
        "需求描述": "我司五轴数控机床连续加工四小时后主轴热伸长导致尺寸超差，希望找到实时热误差补偿方案。",
        "技术领域": "智能制造与机器人",
        "省份": "江苏省",
        "城市": "苏州市",
        "预算下限（万元）": "30",
        "预算上限（万元）": "80",
        "截止日期": DEADLINE,
        "合作方式": "技术开发",
        "公开摘要": "机床热误差补偿",
        "保密细节": "机床型号 VMC-850",
        "揭榜挂帅": "否",
    }
    row.update(overrides)
    return row


def provider_rows(name: str = "王建国", province: str = "江苏省") -> list[dict[str, str]]:
    return [
        {
            "记录类型": "服务方",
            "服务方类型": "专家",
            "名称": name,
            "职称或资质": "教授",
            "所在单位": "南京理工大学",
            "省份": province,
            "城市": "南京市",
            "技术领域": "智能制造与机器人；新材料",
            "专长与能力介绍": "长期从事数控机床热误差建模与补偿、精密加工工艺研究。",
            "当前可接单": "是",
        },
        {
            "记录类型": "成果",
            "成果类型": "专利",
            "成果名称": "一种机床主轴热误差实时补偿方法",
            "成果年份": "2022",
        },
        {
            "记录类型": "服务",
            "服务类别": "技术攻关",
            "服务名称": "机床精度提升攻关",
            "服务内容": "现场测量、建模并实施热误差补偿。",
            "交付方式": "线下",
            "价格说明": "面议",
        },
    ]


def header(kind: str) -> list[str]:
    return [c.header for c in COLUMNS[kind]]


def table(kind: str, rows: list[dict[str, str]]) -> list[list[str]]:
    names = header(kind)
    return [names, *[[row.get(name, "") for name in names] for row in rows]]


def csv_bytes(kind: str, rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table(kind, rows))
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(kind: str, rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for values in table(kind, rows):
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
