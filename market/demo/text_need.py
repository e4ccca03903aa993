"""Enterprise needs written in the plain, symptom-first way firms actually post them."""

from __future__ import annotations

import random

from market.demo.naming import city_short, company_name, person_name, pick, picks, province_name
from market.demo.topics import Topic, fill
from market.demo.vocab_people import CONTACT_ROLES

DESCRIPTION_MIN, DESCRIPTION_MAX = 100, 400

_TITLES = (
    "{ask}，求解决方案",
    "寻求{ask}的技术突破",
    "征集{ask}改进方案",
    "关于{ask}的技术需求",
    "{ask}怎么解决？寻找专家合作",
    "急需解决{ask}问题",
    "{ask}——寻求高校院所合作",
    "求助：{ask}",
    "{ask}技术难题征集",
)
_OPEN_CALL_TITLES = ("揭榜挂帅｜{ask}攻关", "【揭榜挂帅】{ask}", "{ask}揭榜攻关项目")

_INTRO = (
    "我司是一家从事{firm}的企业，{scale}。",
    "公司成立于{2003-2019}年，主营{firm}，{scale}。",
    "我们是{city}一家做{firm}的{type}。",
    "本公司为{type}，主要业务是{firm}。",
    "",
)
_SCALE = (
    "年产值约{1-20}亿元",
    "现有员工{100-2000}人",
    "产品主要销往华东和华南",
    "近三年营收年均增长{10-30}%",
)
_TYPE = ("民营企业", "高新技术企业", "专精特新企业", "中小企业", "上市公司子公司")

_PROBLEM_ONE = ("目前{s1}。", "现在最头疼的是{s1}。", "当前主要问题：{s1}。", "{s1}，已经影响到交付和回款。")
_PROBLEM_TWO = (
    "近{1-3}年来{s1}，同时{s2}。",
    "现在遇到的主要问题：一是{s1}；二是{s2}。",
    "最头疼的是{s1}。另外，{s2}。",
    "{s1}；{s2}。",
)
_TRIED = (
    "之前{tried}。",
    "我们也做过一些尝试：{tried}。",
    "内部技术团队{3-15}人，{tried}，一直没有根本解决。",
    "{tried}，所以想找外部专家。",
)
_HINT = ("听说{method}可能有帮助，不知道是否适用。", "同行有用{method}的，想了解可行性。")
_GOALS_ONE = ("希望实现：{g1}。", "目标是{g1}。", "期望{g1}。")
_GOALS_TWO = ("期望目标：{g1}；{g2}。", "希望通过合作做到{g1}，并且{g2}。", "具体指标：{g1}，{g2}。")
_MODE_ASK: dict[str, tuple[str, ...]] = {
    "develop": ("希望与高校或专家团队合作开发，费用按节点支付。", "委托开发，要求形成可量产的方案。"),
    "transfer": ("如有成熟技术可直接转让，优先考虑有产业化案例的。", "愿意购买成熟技术和专利。"),
    "license": ("可以接受专利许可的方式合作。", "希望获得相关技术的使用许可。"),
    "consult": ("先请专家到现场诊断，出具改进建议。", "需要专家论证技术路线是否可行。"),
    "service": ("需要对方提供检测和驻厂技术服务。", "希望有团队长期提供技术服务。"),
    "joint": ("愿意联合攻关，共同申报科技项目。", "可以共建联合实验室，长期合作。"),
}
_EXTRA = (
    "要求{2-6}个月内拿出阶段性成果。",
    "优先考虑{province}及周边的团队，方便到厂。",
    "有意向的请附上类似案例。",
    "可以提供试验场地和样品。",
    "合作方需签署保密协议。",
    "",
)
_STRUCTURED = "1. 现状：{problem}\n2. 已做工作：{tried}\n3. 目标：{goals}\n4. 合作要求：{coop}"

_SUMMARY = (
    "某{firm}企业面临{ask}问题，寻求{mode}合作，预算{bmin}-{bmax}万元。",
    "{province}一家{firm}企业征集{ask}的解决方案，合作方式为{mode}。",
    "企业需求：{ask}。领域：{topic}。合作方式：{mode}。",
    "寻求{topic}方面的专家或团队，解决{ask}问题，欢迎揭榜。",
)
_CONFIDENTIAL = (
    "该问题每月造成的直接损失约{10-80}万元。",
    "主要客户：{customer}（占营收约{20-45}%）。",
    "现用供应商为{supplier}，年采购额约{200-3000}万元。",
    "内部可接受的改造投入上限约{50-500}万元。",
    "近一年因该问题损失订单约{100-2000}万元。",
)


def _fits(text: str) -> bool:
    return DESCRIPTION_MIN <= len(text) <= DESCRIPTION_MAX


def title(rng: random.Random, topic: Topic, focus: int, open_call: bool) -> str:
    """``focus`` indexes the symptom the need is mainly about; asks and symptoms are parallel lists."""
    return fill(pick(rng, _OPEN_CALL_TITLES if open_call else _TITLES), rng, ask=topic.asks[focus])


def description(
    rng: random.Random, topic: Topic, focus: int, firm: str, mode: str, city: str, province: str
) -> str:
    for _ in range(20):
        text = _description_once(rng, topic, focus, firm, mode, city, province).strip()
        if _fits(text):
            return text
    return (
        text[: DESCRIPTION_MAX - 1] + "。" if len(text) > DESCRIPTION_MAX else text + "具体情况可电话沟通。"
    )


def _description_once(
    rng: random.Random, topic: Topic, focus: int, firm: str, mode: str, city: str, province: str
) -> str:
    s1 = topic.symptoms[focus]
    s2 = pick(rng, [s for s in topic.symptoms if s != s1])
    g1, g2 = picks(rng, topic.goals, 2)
    vals = {
        "firm": firm,
        "city": city_short(city),
        "province": province_name(province),
        "scale": fill(pick(rng, _SCALE), rng),
        "type": pick(rng, _TYPE),
        "s1": s1,
        "s2": s2,
        "g1": g1,
        "g2": g2,
        "tried": pick(rng, topic.tried),
        "method": pick(rng, topic.methods),
    }
    problem = fill(pick(rng, _PROBLEM_TWO if rng.random() < 0.55 else _PROBLEM_ONE), rng, **vals)
    tried = fill(pick(rng, _TRIED), rng, **vals)
    goals = fill(pick(rng, _GOALS_TWO if rng.random() < 0.5 else _GOALS_ONE), rng, **vals)
    coop = pick(rng, _MODE_ASK[mode]) + fill(pick(rng, _EXTRA), rng, **vals)
    intro = fill(pick(rng, _INTRO), rng, **vals)
    hint = fill(pick(rng, _HINT), rng, **vals) if rng.random() < 0.3 else ""
    style = rng.random()
    if style < 0.3:
        return (
            intro + "\n" + fill(_STRUCTURED, rng, problem=problem, tried=tried + hint, goals=goals, coop=coop)
        )
    if style < 0.45:
        # Terse posts skip the history and go straight from symptom to target.
        return problem + goals + coop
    parts = [intro, problem, tried, hint, goals, coop]
    if rng.random() < 0.3:
        parts[2], parts[4] = parts[4], parts[2]
    return "".join(parts)


def public_summary(
    rng: random.Random,
    topic: Topic,
    focus: int,
    firm: str,
    mode_zh: str,
    province: str,
    budget: tuple[int, int],
    open_call: bool,
) -> str:
    templates = _SUMMARY if open_call else _SUMMARY[:-1]  # only open calls invite anyone to 揭榜
    return fill(
        pick(rng, templates),
        rng,
        firm=firm,
        ask=topic.asks[focus],
        mode=mode_zh,
        bmin=str(budget[0]),
        bmax=str(budget[1]),
        province=province_name(province),
        topic=topic.name,
    )


def confidential(rng: random.Random, topic: Topic, city: str) -> str:
    customer_city = pick(rng, ("3205", "4403", "3301", "3101", "1101", "4201", "3702", "5101"))
    vals = {
        "customer": company_name(rng, customer_city, topic.field),
        "supplier": company_name(rng, pick(rng, ("3202", "4419", "3302", "3401", "3501")), topic.field),
    }
    lines = [fill(p, rng) for p in picks(rng, topic.params, 2)]
    lines += [fill(s, rng, **vals) for s in picks(rng, _CONFIDENTIAL, rng.randint(1, 3))]
    lines.append(f"联系人：{person_name(rng)}（{pick(rng, CONTACT_ROLES)}），仅对签署保密协议的合作方公开。")
    return "；".join(s.rstrip("。") for s in lines) + "。"
