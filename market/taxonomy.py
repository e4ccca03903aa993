"""Seed taxonomy: technical fields, regions and fixed vocabularies.

The database holds the live taxonomy (admins may edit it); these tuples seed it and
give code names to the fixed enumerations used by forms, the API and demo data.
"""

from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    code: str
    zh: str
    en: str


FIELDS: tuple[Term, ...] = (
    Term("materials", "新材料", "Advanced materials"),
    Term("energy", "新能源与储能", "New energy & storage"),
    Term("ev", "新能源汽车与动力电池", "New-energy vehicles & batteries"),
    Term("semiconductor", "集成电路与半导体", "Semiconductors & ICs"),
    Term("ai", "人工智能与大数据", "AI & big data"),
    Term("biomed", "生物医药", "Biomedicine"),
    Term("meddevice", "医疗器械", "Medical devices"),
    Term("manufacturing", "智能制造与机器人", "Smart manufacturing & robotics"),
    Term("agri", "现代农业与食品", "Agriculture & food"),
    Term("environment", "节能环保", "Energy saving & environment"),
    Term("chemical", "化工", "Chemical engineering"),
    Term("ict", "电子信息与通信", "Electronics & telecom"),
    Term("aerospace", "航空航天", "Aerospace"),
    Term("marine", "海洋工程", "Marine engineering"),
    Term("construction", "建筑与土木工程", "Construction & civil engineering"),
    Term("textile", "纺织服装", "Textiles & apparel"),
    Term("tcm", "中医药", "Traditional Chinese medicine"),
    Term("water", "水利与水资源", "Water resources"),
    Term("software", "工业软件", "Industrial software"),
    Term("metallurgy", "冶金与矿业", "Metallurgy & mining"),
)

# Province code = first two digits of the GB/T 2260 division code.
PROVINCES: tuple[Term, ...] = (
    Term("11", "北京市", "Beijing"),
    Term("12", "天津市", "Tianjin"),
    Term("13", "河北省", "Hebei"),
    Term("14", "山西省", "Shanxi"),
    Term("15", "内蒙古自治区", "Inner Mongolia"),
    Term("21", "辽宁省", "Liaoning"),
    Term("22", "吉林省", "Jilin"),
    Term("23", "黑龙江省", "Heilongjiang"),
    Term("31", "上海市", "Shanghai"),
    Term("32", "江苏省", "Jiangsu"),
    Term("33", "浙江省", "Zhejiang"),
    Term("34", "安徽省", "Anhui"),
    Term("35", "福建省", "Fujian"),
    Term("36", "江西省", "Jiangxi"),
    Term("37", "山东省", "Shandong"),
    Term("41", "河南省", "Henan"),
    Term("42", "湖北省", "Hubei"),
    Term("43", "湖南省", "Hunan"),
    Term("44", "广东省", "Guangdong"),
    Term("45", "广西壮族自治区", "Guangxi"),
    Term("46", "海南省", "Hainan"),
    Term("50", "重庆市", "Chongqing"),
    Term("51", "四川省", "Sichuan"),
    Term("52", "贵州省", "Guizhou"),
    Term("53", "云南省", "Yunnan"),
    Term("54", "西藏自治区", "Tibet"),
    Term("61", "陕西省", "Shaanxi"),
    Term("62", "甘肃省", "Gansu"),
    Term("63", "青海省", "Qinghai"),
    Term("64", "宁夏回族自治区", "Ningxia"),
    Term("65", "新疆维吾尔自治区", "Xinjiang"),
)

# Cities per province (code = 4-digit prefecture code). Municipalities list districts-free.
CITIES: dict[str, tuple[Term, ...]] = {
    "11": (Term("1101", "北京市", "Beijing"),),
    "12": (Term("1201", "天津市", "Tianjin"),),
    "13": (
        Term("1301", "石家庄市", "Shijiazhuang"),
        Term("1302", "唐山市", "Tangshan"),
        Term("1306", "保定市", "Baoding"),
    ),
    "14": (Term("1401", "太原市", "Taiyuan"), Term("1402", "大同市", "Datong")),
    "15": (Term("1501", "呼和浩特市", "Hohhot"), Term("1502", "包头市", "Baotou")),
    "21": (Term("2101", "沈阳市", "Shenyang"), Term("2102", "大连市", "Dalian")),
    "22": (Term("2201", "长春市", "Changchun"), Term("2202", "吉林市", "Jilin")),
    "23": (Term("2301", "哈尔滨市", "Harbin"), Term("2306", "大庆市", "Daqing")),
    "31": (Term("3101", "上海市", "Shanghai"),),
    "32": (
        Term("3201", "南京市", "Nanjing"),
        Term("3205", "苏州市", "Suzhou"),
        Term("3202", "无锡市", "Wuxi"),
        Term("3204", "常州市", "Changzhou"),
    ),
    "33": (
        Term("3301", "杭州市", "Hangzhou"),
        Term("3302", "宁波市", "Ningbo"),
        Term("3303", "温州市", "Wenzhou"),
    ),
    "34": (Term("3401", "合肥市", "Hefei"), Term("3402", "芜湖市", "Wuhu")),
    "35": (
        Term("3501", "福州市", "Fuzhou"),
        Term("3502", "厦门市", "Xiamen"),
        Term("3505", "泉州市", "Quanzhou"),
    ),
    "36": (Term("3601", "南昌市", "Nanchang"), Term("3609", "宜春市", "Yichun")),
    "37": (
        Term("3701", "济南市", "Jinan"),
        Term("3702", "青岛市", "Qingdao"),
        Term("3706", "烟台市", "Yantai"),
    ),
    "41": (Term("4101", "郑州市", "Zhengzhou"), Term("4103", "洛阳市", "Luoyang")),
    "42": (
        Term("4201", "武汉市", "Wuhan"),
        Term("4205", "宜昌市", "Yichang"),
        Term("4206", "襄阳市", "Xiangyang"),
    ),
    "43": (Term("4301", "长沙市", "Changsha"), Term("4302", "株洲市", "Zhuzhou")),
    "44": (
        Term("4401", "广州市", "Guangzhou"),
        Term("4403", "深圳市", "Shenzhen"),
        Term("4406", "佛山市", "Foshan"),
        Term("4419", "东莞市", "Dongguan"),
    ),
    "45": (Term("4501", "南宁市", "Nanning"), Term("4502", "柳州市", "Liuzhou")),
    "46": (Term("4601", "海口市", "Haikou"), Term("4602", "三亚市", "Sanya")),
    "50": (Term("5001", "重庆市", "Chongqing"),),
    "51": (Term("5101", "成都市", "Chengdu"), Term("5107", "绵阳市", "Mianyang")),
    "52": (Term("5201", "贵阳市", "Guiyang"), Term("5203", "遵义市", "Zunyi")),
    "53": (Term("5301", "昆明市", "Kunming"), Term("5304", "玉溪市", "Yuxi")),
    "54": (Term("5401", "拉萨市", "Lhasa"),),
    "61": (Term("6101", "西安市", "Xi'an"), Term("6103", "宝鸡市", "Baoji")),
    "62": (Term("6201", "兰州市", "Lanzhou"), Term("6203", "金昌市", "Jinchang")),
    "63": (Term("6301", "西宁市", "Xining"),),
    "64": (Term("6401", "银川市", "Yinchuan"),),
    "65": (Term("6501", "乌鲁木齐市", "Urumqi"), Term("6502", "克拉玛依市", "Karamay")),
}

PROVIDER_KINDS: tuple[Term, ...] = (
    Term("expert", "专家", "Expert"),
    Term("society", "学会", "Scientific society"),
    Term("team", "服务团", "Service team"),
    Term("institution", "高校院所", "University / institute"),
)

COOPERATION_MODES: tuple[Term, ...] = (
    Term("develop", "技术开发", "Technology development"),
    Term("transfer", "技术转让", "Technology transfer"),
    Term("license", "技术许可", "Technology licensing"),
    Term("consult", "技术咨询", "Technical consulting"),
    Term("service", "技术服务", "Technical service"),
    Term("joint", "联合攻关", "Joint research"),
)

SERVICE_CATEGORIES: tuple[Term, ...] = (
    Term("breakthrough", "技术攻关", "Technical problem solving"),
    Term("commercialize", "成果转化", "Commercialisation"),
    Term("consulting", "咨询论证", "Consulting & assessment"),
    Term("testing", "检验检测", "Testing & inspection"),
    Term("training", "人才培养", "Training"),
    Term("standards", "标准制定", "Standard setting"),
    Term("ip", "知识产权", "Intellectual property"),
    Term("financing", "融资路演", "Financing & roadshows"),
)

ACHIEVEMENT_KINDS: tuple[Term, ...] = (
    Term("patent", "专利", "Patent"),
    Term("paper", "论文", "Paper"),
    Term("project", "项目", "Project"),
    Term("case", "案例", "Case"),
    Term("product", "产品", "Product"),
)

DELIVERY_MODES: tuple[Term, ...] = (
    Term("online", "线上", "Online"),
    Term("onsite", "线下", "On site"),
    Term("hybrid", "线上线下结合", "Online and on site"),
)


# How a need was solved (market.needs.services.solve_need).
SOLVED_HOWS: tuple[Term, ...] = (
    Term("platform", "通过本平台成交解决", "Solved through a deal on this platform"),
    Term("elsewhere", "通过其他渠道解决", "Solved elsewhere"),
)


def label(terms: tuple[Term, ...], code: str | None, lang: str = "zh") -> str:
    """The display name of a code in one of the vocabularies above (the code itself if unknown)."""
    for term in terms:
        if term.code == code:
            return term.zh if lang == "zh" else term.en
    return code or ""


def codes(terms: tuple[Term, ...]) -> tuple[str, ...]:
    return tuple(term.code for term in terms)


def city_province(city_code: str) -> str:
    return city_code[:2]
