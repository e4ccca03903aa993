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


def _subs(field: str, *pairs: tuple[str, str, str]) -> tuple[Term, ...]:
    """Sub-field codes are `<field>-<name>`: unique across fields, so a code alone names one."""
    return tuple(Term(f"{field}-{code}", zh, en) for code, zh, en in pairs)


# Sub-fields (细分领域) under each field, in display order: the seed of the admin-editable table
# `subfields` (market.reference). An injection-moulding need belongs to 智能制造 → 注塑成型.
SUBFIELDS: dict[str, tuple[Term, ...]] = {
    "materials": _subs(
        "materials",
        ("polymer", "高分子材料", "Polymers"),
        ("metal", "金属材料", "Metallic materials"),
        ("composite", "复合材料", "Composites"),
        ("ceramic", "无机非金属与陶瓷材料", "Ceramics & inorganic materials"),
        ("nano", "纳米与前沿材料", "Nanomaterials"),
        ("electronic", "电子功能材料", "Electronic & functional materials"),
        ("coating", "涂层与表面处理", "Coatings & surface treatment"),
    ),
    "energy": _subs(
        "energy",
        ("solar", "光伏", "Photovoltaics"),
        ("wind", "风电", "Wind power"),
        ("hydrogen", "氢能与燃料电池", "Hydrogen & fuel cells"),
        ("storage", "储能系统", "Energy storage systems"),
        ("grid", "智能电网", "Smart grid"),
        ("nuclear", "核能", "Nuclear energy"),
    ),
    "ev": _subs(
        "ev",
        ("battery", "动力电池", "Traction batteries"),
        ("bms", "电池管理系统", "Battery management systems"),
        ("motor", "电机电控", "Motors & controllers"),
        ("charging", "充换电", "Charging & battery swapping"),
        ("autonomous", "智能网联与自动驾驶", "Connected & autonomous driving"),
        ("lightweight", "整车轻量化", "Vehicle lightweighting"),
    ),
    "semiconductor": _subs(
        "semiconductor",
        ("design", "芯片设计", "Chip design"),
        ("fab", "晶圆制造工艺", "Wafer fabrication"),
        ("packaging", "封装测试", "Packaging & test"),
        ("equipment", "半导体设备与材料", "Equipment & materials"),
        ("power", "功率半导体", "Power semiconductors"),
        ("optoelectronic", "光电器件", "Optoelectronic devices"),
    ),
    "ai": _subs(
        "ai",
        ("vision", "机器视觉", "Machine vision"),
        ("nlp", "自然语言处理", "Natural language processing"),
        ("bigdata", "大数据分析", "Big-data analytics"),
        ("models", "大模型应用", "Large-model applications"),
        ("iot", "工业互联网与物联网", "Industrial internet & IoT"),
        ("decision", "智能决策与优化", "Decision support & optimisation"),
    ),
    "biomed": _subs(
        "biomed",
        ("drugs", "化学药", "Small-molecule drugs"),
        ("biologics", "生物制品与抗体", "Biologics & antibodies"),
        ("vaccines", "疫苗", "Vaccines"),
        ("cell", "细胞与基因治疗", "Cell & gene therapy"),
        ("diagnostics", "体外诊断", "In-vitro diagnostics"),
        ("synbio", "合成生物", "Synthetic biology"),
    ),
    "meddevice": _subs(
        "meddevice",
        ("imaging", "医学影像设备", "Medical imaging"),
        ("implants", "植介入器械", "Implants & interventional devices"),
        ("rehab", "康复与养老设备", "Rehabilitation & elderly care"),
        ("monitoring", "监护与可穿戴", "Monitoring & wearables"),
        ("surgical", "手术器械与机器人", "Surgical instruments & robots"),
    ),
    "manufacturing": _subs(
        "manufacturing",
        ("injection", "注塑成型", "Injection moulding"),
        ("moulds", "模具设计与制造", "Mould & die making"),
        ("precision", "精密加工", "Precision machining"),
        ("additive", "增材制造（3D 打印）", "Additive manufacturing (3D printing)"),
        ("welding", "焊接与连接", "Welding & joining"),
        ("robots", "工业机器人", "Industrial robots"),
        ("automation", "自动化产线", "Automated production lines"),
        ("inspection", "质量检测与无损检测", "Quality & non-destructive inspection"),
    ),
    "agri": _subs(
        "agri",
        ("breeding", "种业与育种", "Seeds & breeding"),
        ("smartfarm", "智慧农业与农机", "Smart farming & machinery"),
        ("processing", "食品加工", "Food processing"),
        ("safety", "食品安全检测", "Food safety testing"),
        ("livestock", "畜牧与水产养殖", "Livestock & aquaculture"),
    ),
    "environment": _subs(
        "environment",
        ("air", "大气污染治理", "Air pollution control"),
        ("wastewater", "污水处理", "Wastewater treatment"),
        ("solidwaste", "固废处理与资源化", "Solid waste & recycling"),
        ("soil", "土壤修复", "Soil remediation"),
        ("efficiency", "工业节能", "Industrial energy efficiency"),
        ("carbon", "碳减排与碳捕集", "Carbon reduction & capture"),
    ),
    "chemical": _subs(
        "chemical",
        ("fine", "精细化工", "Fine chemicals"),
        ("petro", "石油化工", "Petrochemicals"),
        ("catalysis", "催化技术", "Catalysis"),
        ("process", "化工工艺与安全", "Process engineering & safety"),
        ("coatings", "涂料与助剂", "Paints & additives"),
    ),
    "ict": _subs(
        "ict",
        ("5g", "5G 与无线通信", "5G & wireless"),
        ("optical", "光通信", "Optical communication"),
        ("embedded", "嵌入式系统", "Embedded systems"),
        ("sensors", "传感器", "Sensors"),
        ("pcb", "电子电路与 PCB", "Electronic circuits & PCB"),
        ("security", "网络与信息安全", "Cyber & information security"),
    ),
    "aerospace": _subs(
        "aerospace",
        ("aircraft", "飞行器设计", "Aircraft design"),
        ("engines", "航空发动机", "Aero engines"),
        ("satellites", "卫星与应用", "Satellites & applications"),
        ("uav", "无人机", "Drones"),
        ("avionics", "航电系统", "Avionics"),
    ),
    "marine": _subs(
        "marine",
        ("ships", "船舶设计与制造", "Shipbuilding"),
        ("offshore", "海上平台与海工装备", "Offshore platforms & equipment"),
        ("underwater", "水下机器人与探测", "Underwater robots & sensing"),
        ("resources", "海洋资源开发", "Marine resources"),
    ),
    "construction": _subs(
        "construction",
        ("structures", "结构工程", "Structural engineering"),
        ("geotech", "岩土与地下工程", "Geotechnical & underground works"),
        ("prefab", "装配式建筑", "Prefabricated building"),
        ("bim", "BIM 与智能建造", "BIM & smart construction"),
        ("materials", "绿色建材", "Green building materials"),
        ("roads", "道路与桥梁", "Roads & bridges"),
    ),
    "textile": _subs(
        "textile",
        ("fibres", "纤维材料", "Fibres"),
        ("dyeing", "印染与后整理", "Dyeing & finishing"),
        ("technical", "产业用纺织品", "Technical textiles"),
        ("garment", "服装设计与智能制造", "Garment design & smart production"),
    ),
    "tcm": _subs(
        "tcm",
        ("herbs", "中药材种植", "Herb cultivation"),
        ("formulas", "中药制剂与新药", "TCM preparations & new drugs"),
        ("quality", "中药质量控制", "TCM quality control"),
        ("equipment", "中医诊疗设备", "TCM diagnostic devices"),
    ),
    "water": _subs(
        "water",
        ("supply", "供水与节水", "Water supply & saving"),
        ("flood", "防洪与水文监测", "Flood control & hydrology"),
        ("irrigation", "灌溉", "Irrigation"),
        ("ecology", "水生态修复", "Aquatic ecosystem restoration"),
    ),
    "software": _subs(
        "software",
        ("cad", "CAD/CAE 设计仿真", "CAD/CAE design & simulation"),
        ("mes", "MES 与生产管理", "MES & production management"),
        ("plc", "工业控制与 PLC", "Industrial control & PLC"),
        ("twin", "数字孪生", "Digital twins"),
        ("erp", "ERP 与供应链软件", "ERP & supply-chain software"),
    ),
    "metallurgy": _subs(
        "metallurgy",
        ("steel", "钢铁冶炼", "Iron & steel making"),
        ("nonferrous", "有色金属冶炼", "Non-ferrous metallurgy"),
        ("mining", "采矿工程", "Mining engineering"),
        ("beneficiation", "选矿", "Mineral processing"),
        ("forming", "铸造与压力加工", "Casting & metal forming"),
    ),
}
