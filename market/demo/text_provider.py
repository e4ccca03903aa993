"""Provider profiles, achievements and services composed from a sub-topic's vocabulary."""

from __future__ import annotations

import random

from market.demo.naming import field_zh, pick, picks, province_name
from market.demo.records import DemoAchievement, DemoService
from market.demo.topics import Topic, fill
from market.demo.vocab import SIBLINGS
from market.demo.vocab_fields import FIELD_WORDS
from market.demo.vocab_people import MACRO_REGION

EXPERTISE_MIN, EXPERTISE_MAX = 80, 250


def slots(rng: random.Random, topic: Topic) -> dict[str, str]:
    """Distinct picks from each vocabulary list, named t1/t2/t3, m1/m2, g1/g2, x1/x2, o1/o2."""
    out: dict[str, str] = {
        "topic": topic.name,
        "field": field_zh(topic.field),
        "industry": pick(rng, FIELD_WORDS[topic.field].industry),
    }
    for prefix, items, k in (
        ("t", topic.terms, 3),
        ("m", topic.methods, 2),
        ("g", topic.gear, 2),
        ("x", topic.metrics, 2),
        ("o", topic.objects, 2),
    ):
        chosen = picks(rng, items, k)
        for i in range(k):
            out[f"{prefix}{i + 1}"] = chosen[i % len(chosen)]
    siblings = SIBLINGS[topic.key]
    if siblings and rng.random() < 0.4:
        # Providers work on products of the whole field, so a product name alone must not give the
        # sub-topic away: sometimes the second object comes from a neighbouring sub-topic.
        out["o2"] = pick(rng, pick(rng, siblings).objects)
    return out


_EXPERT_OPEN = (
    "长期从事{t1}、{t2}与{t3}研究。",
    "主要研究方向为{t1}和{t2}，兼顾{t3}的工程应用。",
    "从事{field}领域科研与工程化工作{12-30}年，聚焦{t1}、{t2}。",
    "研究方向：{t1}；{t2}；{m1}。",
    "围绕{o1}等产品的{t1}问题开展应用基础研究和工程技术开发。",
)
_EXPERT_SKILL = (
    "在{m1}、{m2}等方面形成了较完整的技术体系。",
    "熟悉{g1}、{g2}的选型、调试与工程应用。",
    "围绕{x1}和{x2}的提升做过大量工艺验证与中试。",
    "擅长从{x1}数据出发诊断生产问题，提出可落地的改进方案。",
    "建有{g1}等实验条件，可开展从小试到中试的全流程验证。",
)
_EXPERT_RECORD = (
    "主持国家及省部级科研项目{5-20}项，发表论文{20-120}篇，授权发明专利{5-40}项。",
    "牵头或参与制定标准{1-5}项，相关成果已在{o1}、{o2}中推广应用。",
    "先后为{10-60}家企业提供技术服务，多项成果实现产业化。",
    "获省部级科技奖励{1-4}项，入选省级高层次人才计划。",
    "与多家{industry}企业建立长期合作，共建联合实验室{1-3}个。",
)
_OFFER = (
    "可为企业提供技术攻关、工艺诊断与人才培训等服务。",
    "欢迎有{o1}相关技术难题的企业联系合作。",
    "可到厂开展现场诊断，也可远程评审技术方案。",
    "",
)
_SOCIETY = (
    "由{region}从事{field}相关工作的科技工作者和企业自愿组成，现有个人会员{300-3000}人、单位会员{30-200}家。",
    "下设{topic}专业委员会，定期组织{t1}、{t2}等方向的学术交流和技术对接活动。",
    "组织专家为会员企业开展{m1}、{t3}等方面的咨询论证和技术诊断。",
    "承担团体标准制定、科技成果评价和继续教育培训等工作，编制过{o1}相关团体标准{1-4}项。",
    "每年举办{field}产学研对接会{2-6}场。",
)
_TEAM = (
    "服务团由{8-40}名来自高校、科研院所和龙头企业的专家组成，聚焦{topic}。",
    "重点围绕{t1}、{t2}开展技术攻关和成果转化，服务对象以{industry}领域中小企业为主。",
    "成员擅长{m1}、{m2}，配套{g1}等测试验证条件。",
    "近三年走访企业{50-300}家次，帮助解决{o1}相关技术问题{20-90}项。",
    "采用“专家+技术经理人”模式，接到需求后{3-7}个工作日内给出初步方案。",
)
_INSTITUTION = (
    "建有{topic}方向的省级科研平台，拥有{g1}、{g2}等仪器设备。",
    "研究团队{20-120}人，其中高级职称{10-50}人，主要开展{t1}、{t2}、{t3}研究。",
    "在{m1}、{m2}方面具备从实验室到中试的工程化能力。",
    "与{20-80}家企业共建研发中心，成果覆盖{o1}、{o2}等应用。",
    "可对外提供{x1}、{x2}等检测分析及技术开发服务。",
)


def _compose(rng: random.Random, groups: list[tuple[tuple[str, ...], int]], vals: dict[str, str]) -> str:
    """Pick sentences from each group, then trim or pad so the text lands within the length bounds."""
    chosen: list[str] = []
    for group, k in groups:
        chosen += [fill(s, rng, **vals) for s in picks(rng, group, k)]
    chosen = [s for s in chosen if s]
    while len("".join(chosen)) > EXPERTISE_MAX and len(chosen) > 2:
        chosen.pop(rng.randrange(1, len(chosen)))
    spare = [fill(s, rng, **vals) for g, _ in groups for s in g]
    rng.shuffle(spare)
    while len("".join(chosen)) < EXPERTISE_MIN and spare:
        extra = spare.pop()
        if extra and extra not in chosen and len("".join(chosen)) + len(extra) <= EXPERTISE_MAX:
            chosen.append(extra)
    text = "".join(chosen)
    return text if len(text) <= EXPERTISE_MAX else text[: EXPERTISE_MAX - 1] + "。"


def expertise(rng: random.Random, kind: str, topic: Topic, province: str, sibling: Topic | None) -> str:
    vals = slots(rng, topic) | {
        "region": pick(rng, (province_name(province), MACRO_REGION[province] + "地区"))
    }
    if kind == "expert":
        groups = [
            (_EXPERT_OPEN, 1),
            (_EXPERT_SKILL, rng.randint(1, 2)),
            (_EXPERT_RECORD, rng.randint(1, 2)),
            (_OFFER, 1),
        ]
    elif kind == "society":
        groups = [(_SOCIETY[:1], 1), (_SOCIETY[1:], rng.randint(2, 3))]
    elif kind == "team":
        groups = [(_TEAM[:1], 1), (_TEAM[1:], rng.randint(2, 3)), (_OFFER, 1)]
    else:
        groups = [(_INSTITUTION, rng.randint(3, 4))]
    if sibling is not None:
        # A side interest in a neighbouring sub-topic makes same-field providers harder to tell apart.
        groups.append(((f"近年也涉及{pick(rng, sibling.terms)}方面的工作。",), 1))
    return _compose(rng, groups, vals)


_PATENT = (
    "一种基于{m1}的{o1}{x1}改善方法",
    "一种{o1}的{t1}系统及方法",
    "一种用于{o1}的{g1}",
    "一种{o1}{x1}的在线检测方法及装置",
    "{t1}装置及其控制方法",
)
_PAPER = (
    "{m1}对{o1}{x1}的影响研究",
    "{t1}研究进展与展望",
    "面向{o1}的{t2}方法",
    "基于{m1}的{t1}机理分析",
    "{o1}{t1}关键问题与对策",
)
_PROJECT = ("{o1}{t1}关键技术研究与示范", "{t1}产业化关键技术攻关", "{topic}公共技术服务平台建设")
_CASE = (
    "{region}某{industry}企业{o1}{x1}问题诊断与改进",
    "{industry}企业{t1}技术改造项目",
    "{o1}{x1}优化技术服务",
)
_PRODUCT = ("{t1}成套解决方案", "{o1}专用{g1}", "{t1}系统V{1-3}.0", "{m1}工艺包")

_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "patent": (
        "发明专利，已授权。通过{m1}改善{o1}的{x1}，已在合作企业{1-5}条产线应用。",
        "发明专利，已授权并完成许可。解决了{o2}生产中{t2}控制难的问题。",
        "实用新型专利。结构简单、易于改造现有{g2}，适合中小企业推广。",
    ),
    "paper": (
        "发表于领域核心期刊，系统分析了{t1}的机理，提出了以{m2}为核心的改进思路。",
        "SCI收录论文，通讯作者。实验表明{x1}可改善{10-35}%。",
        "综述论文，梳理了{t2}、{t3}的技术路线和产业化难点。",
    ),
    "project": (
        "省重点研发计划项目，经费{100-800}万元，已通过验收，形成{g1}中试线一条。",
        "国家自然科学基金项目，研究{t1}中的关键科学问题。",
        "市级科技计划项目，联合{2-5}家企业实施，建成示范应用{1-4}处。",
    ),
    "case": (
        "针对企业{o2}{x2}不达标的问题，采用{m1}方案，{x1}改善{15-40}%，年节约成本约{50-500}万元。",
        "驻厂{1-6}个月完成诊断与改造，{x2}达到客户要求，项目已验收。",
        "为企业提供{t1}方面的咨询与工艺优化，帮助其通过下游客户审核。",
    ),
    "product": (
        "面向{o1}，已在{5-60}家客户部署，关键指标{x1}优于同类进口产品。",
        "自主研发，具备小批量供货能力，可按需求定制。",
        "包含{g1}与配套工艺，已完成中试验证，寻求产业化合作。",
    ),
}
_TITLES: dict[str, tuple[str, ...]] = {
    "patent": _PATENT,
    "paper": _PAPER,
    "project": _PROJECT,
    "case": _CASE,
    "product": _PRODUCT,
}
# Experts mostly publish and patent; organisations are better known for projects, cases and products.
_KIND_WEIGHTS: dict[str, tuple[int, int, int, int, int]] = {
    "expert": (5, 4, 3, 2, 1),
    "society": (0, 1, 3, 4, 0),
    "team": (1, 1, 2, 5, 1),
    "institution": (4, 2, 4, 3, 3),
}


def achievements(rng: random.Random, kind: str, topic: Topic, province: str) -> tuple[DemoAchievement, ...]:
    out: list[DemoAchievement] = []
    seen: set[str] = set()
    for _ in range(rng.randint(1, 5)):
        a_kind = rng.choices(tuple(_TITLES), weights=_KIND_WEIGHTS[kind])[0]
        vals = slots(rng, topic) | {"region": MACRO_REGION[province]}
        title = fill(pick(rng, _TITLES[a_kind]), rng, **vals)
        if title in seen:
            continue
        seen.add(title)
        desc = fill(pick(rng, _DESCRIPTIONS[a_kind]), rng, **vals)
        out.append(DemoAchievement(a_kind, title, desc, rng.randint(2012, 2024)))
    return tuple(out)


_SERVICE_TITLES: dict[str, tuple[str, ...]] = {
    "breakthrough": ("{t1}技术攻关", "{o1}{x1}优化联合攻关", "{o1}{x1}问题专项攻关"),
    "commercialize": ("{t1}成果转化与中试放大", "{g1}技术许可", "{m1}工艺包转让"),
    "consulting": ("{topic}技术路线咨询", "{o1}问题诊断与方案论证", "{t1}项目可行性论证"),
    "testing": ("{o1}{x1}检测", "{x1}与{x2}测试分析", "{g1}性能评价"),
    "training": ("{t1}工程师培训", "{topic}企业内训", "{m1}实操培训班"),
    "standards": ("{o1}团体标准起草", "{t1}企业标准制定", "{x1}检测方法标准编制"),
    "ip": ("{t1}专利布局分析", "{topic}专利导航", "{o1}专利侵权风险排查"),
    "financing": ("{field}项目融资路演辅导", "{t1}成果路演对接", "{topic}项目投融资对接"),
}
_SERVICE_DESC: dict[str, tuple[str, ...]] = {
    "breakthrough": (
        "针对企业提出的具体问题组建专项小组，交付技术方案和验证报告，周期{2-6}个月。",
        "先现场摸底再定方案，按节点验收付款。",
    ),
    "commercialize": (
        "提供小试到中试的工艺放大、设备选型与量产导入支持。",
        "可采用技术许可、作价入股等多种方式合作。",
    ),
    "consulting": (
        "{3-5}名专家组成评审组，{1-3}周内出具书面意见。",
        "到厂诊断一到两天，给出问题清单和改进建议。",
    ),
    "testing": (
        "依托{g1}等设备，出具检测报告，常规样品{3-10}个工作日完成。",
        "可按企业标准或国家标准开展测试。",
    ),
    "training": ("面向一线工程师和技术骨干，理论与实操结合，{1-5}天。", "可定制课程，到企业内训。"),
    "standards": (
        "协助企业梳理技术指标，组织起草和评审，推动标准立项发布。",
        "提供标准对标分析和条文起草服务。",
    ),
    "ip": ("检索分析国内外相关专利，给出布局建议和风险提示。", "协助撰写和申请发明专利，提供维权咨询。"),
    "financing": (
        "辅导商业计划书和路演材料，对接投资机构和产业资本。",
        "组织专场路演，每场邀请{5-15}家投资机构。",
    ),
}
_SERVICE_WEIGHTS: dict[str, tuple[int, ...]] = {
    # breakthrough, commercialize, consulting, testing, training, standards, ip, financing
    "expert": (6, 3, 5, 1, 2, 1, 1, 0),
    "society": (1, 1, 4, 1, 4, 5, 2, 2),
    "team": (5, 3, 4, 2, 2, 1, 1, 1),
    "institution": (4, 5, 2, 5, 2, 1, 2, 1),
}
# Price notes depend on what is sold: tests are priced per sample, training per person-day.
_PRICES: dict[str, tuple[str, ...]] = {
    "breakthrough": ("面议", "按项目计价，{5-20}-{30-80}万元", "{10-30}万元起"),
    "commercialize": ("面议", "许可费加销售提成", "入门费{10-50}万元起"),
    "consulting": ("面议", "{1-5}万元起", "首次诊断免费，后续按工时计费"),
    "testing": ("{200-800}元/样品", "按检测项目报价", "批量样品优惠"),
    "training": ("{2000-5000}元/人·天", "内训{2-6}万元/期", "会员单位优惠"),
    "standards": ("面议", "{3-10}万元/项", "会员单位优惠"),
    "ip": ("{5000-20000}元/件", "专利分析报告{2-8}万元", "面议"),
    "financing": ("免费", "按融资额收取服务费", "面议"),
}


def services(rng: random.Random, kind: str, topic: Topic) -> tuple[DemoService, ...]:
    categories = picks(
        rng, rng.choices(tuple(_SERVICE_TITLES), weights=_SERVICE_WEIGHTS[kind], k=8), rng.randint(1, 4)
    )
    out: list[DemoService] = []
    for category in dict.fromkeys(categories):
        vals = slots(rng, topic)
        delivery = rng.choices(("online", "onsite", "hybrid"), weights=(2, 3, 4))[0]
        out.append(
            DemoService(
                category=category,
                title=fill(pick(rng, _SERVICE_TITLES[category]), rng, **vals),
                description=fill(pick(rng, _SERVICE_DESC[category]), rng, **vals),
                delivery_mode=delivery,
                price_note=fill(pick(rng, _PRICES[category]), rng),
            )
        )
    return tuple(out)
