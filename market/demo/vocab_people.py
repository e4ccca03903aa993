"""Names of people, places and organisations, all invented from common parts."""

from __future__ import annotations

# Common surnames repeated roughly by frequency, so that 王/李/张 dominate as they do in reality.
SURNAMES: tuple[str, ...] = (
    *("王李张刘陈" * 4 + "杨黄赵吴周" * 3 + "徐孙马朱胡郭何高林罗" * 2),
    *"郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦",
    *"付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤",
    "欧阳",
    "司马",
    "上官",
)

GIVEN_CHARS: tuple[str, ...] = tuple(
    "立群伟强敏静丽军磊洋勇艳杰涛明超秀娟华建国文斌宇浩凯鹏辉晓红玲志刚海峰鑫宏亮晨欣怡思远嘉宁婷雪梅晶波"
    "振东永庆春雷毅晖翔彬昊然子豪佳琪雨萱俊成慧颖卫平光荣学良德胜新民正清树林松柏云飞燕琳瑶瑾瑞祥"
    "世杰安邦长江继承兆丰启航致远泽宸若曦文博天佑"
)

PROVINCE_SHORT: dict[str, str] = {
    "11": "北京",
    "12": "天津",
    "13": "河北",
    "14": "山西",
    "15": "内蒙古",
    "21": "辽宁",
    "22": "吉林",
    "23": "黑龙江",
    "31": "上海",
    "32": "江苏",
    "33": "浙江",
    "34": "安徽",
    "35": "福建",
    "36": "江西",
    "37": "山东",
    "41": "河南",
    "42": "湖北",
    "43": "湖南",
    "44": "广东",
    "45": "广西",
    "46": "海南",
    "50": "重庆",
    "51": "四川",
    "52": "贵州",
    "53": "云南",
    "54": "西藏",
    "61": "陕西",
    "62": "甘肃",
    "63": "青海",
    "64": "宁夏",
    "65": "新疆",
}

# Where anonymised affiliations say "华东某大学", the region word follows the province.
MACRO_REGION: dict[str, str] = {
    **dict.fromkeys(("11", "12", "13", "14", "15"), "华北"),
    **dict.fromkeys(("21", "22", "23"), "东北"),
    **dict.fromkeys(("31", "32", "33", "34", "35", "36", "37"), "华东"),
    **dict.fromkeys(("41", "42", "43"), "华中"),
    **dict.fromkeys(("44", "45", "46"), "华南"),
    **dict.fromkeys(("50", "51", "52", "53", "54"), "西南"),
    **dict.fromkeys(("61", "62", "63", "64", "65"), "西北"),
}

# Relative weight of each province as a home of providers / enterprises (science and industry are
# concentrated in the east, but every province should appear).
PROVIDER_WEIGHT: dict[str, int] = {
    "11": 9,
    "31": 7,
    "32": 8,
    "33": 6,
    "44": 7,
    "42": 5,
    "51": 5,
    "61": 5,
    "37": 4,
    "34": 4,
    "21": 3,
    "23": 3,
    "43": 3,
    "12": 3,
    "41": 3,
    "35": 3,
    "50": 3,
    "22": 2,
    "13": 2,
    "36": 2,
}
ENTERPRISE_WEIGHT: dict[str, int] = {
    "32": 8,
    "33": 8,
    "44": 9,
    "37": 6,
    "35": 4,
    "34": 4,
    "42": 3,
    "41": 3,
    "51": 3,
    "31": 3,
    "13": 2,
    "43": 2,
    "36": 2,
    "50": 2,
    "21": 2,
    "45": 2,
}

EXPERT_TITLES: tuple[str, ...] = (
    "教授、博士生导师",
    "教授、博士生导师",
    "教授",
    "研究员",
    "研究员、博士生导师",
    "副教授",
    "副教授、硕士生导师",
    "副研究员",
    "正高级工程师",
    "教授级高级工程师",
    "高级工程师",
    "首席科学家",
    "总工程师",
    "特聘教授",
)
CLINICAL_TITLES: tuple[str, ...] = ("主任医师、教授", "主任药师", "副主任医师", "主任中医师")

TEAM_TITLES: tuple[str, ...] = ("科协科技服务团", "专家服务团", "产业技术服务团队", "")
INSTITUTION_TITLES: tuple[str, ...] = (
    "高校学院",
    "高校学院",
    "新型研发机构",
    "省级工程技术研究中心",
    "科研院所",
    "重点实验室",
)


BRAND_CHARS: str = (
    "瑞锋恒达鑫泰华盛宏源德创新科博远通聚力凯威嘉诚汇丰隆正信合益康宇晟昊峰卓越中天海润丰佳明优"
)
COMPANY_SUFFIXES: tuple[str, ...] = (
    "科技有限公司",
    "科技有限公司",
    "股份有限公司",
    "有限公司",
    "技术有限公司",
    "集团有限公司",
    "科技股份有限公司",
)
CONTACT_ROLES: tuple[str, ...] = ("技术总监", "研发经理", "生产副总", "总工程师", "质量部经理", "总经理助理")
