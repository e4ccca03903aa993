"""Small, readable marketplace data for the walks, built with tests/factories.py (no demo data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from market.auth.models import Organisation, User
from market.db import db
from market.providers.models import Provider, ServiceItem
from market.reference.models import Field
from tests.factories import APPROVED, Factory

EV_TOPICS = (
    (
        "冬季低温下电动物流车续航下降",
        "零下二十度时整车续航下降约百分之四十，希望找到电池热管理或自加热方案。",
    ),
    ("动力电池包热失控早期预警", "现有电池管理系统只能在温度骤升后报警，希望提前十分钟识别热失控风险。"),
    ("电驱系统噪声与振动偏大", "电驱总成在中高速区间啸叫明显，用户投诉较多，需要定位激励源并给出改进方案。"),
    ("快充桩功率模块散热不足", "夏季高温时快充桩频繁降功率，现有风冷方案已到极限，考虑液冷改造。"),
    ("退役动力电池梯次利用检测", "每月回收退役电池约两千包，需要快速分选和剩余寿命评估的方法与设备。"),
    ("电池极片涂布厚度不均", "涂布边缘厚度偏差超过百分之三，影响电芯一致性，希望优化模头和工艺参数。"),
    ("车用电机稀土用量降低", "在保持功率密度的前提下，希望将永磁电机重稀土用量降低一半。"),
    ("换电站电池健康度评估", "换电站需要在三分钟内评估电池健康度，决定是否继续投入运营。"),
)
SECRET = "现用电芯型号 XK-21，客户为某快递公司。"


@dataclass
class Market:
    owner: int
    ev_needs: list[int] = field(default_factory=list)
    agri_needs: list[int] = field(default_factory=list)
    experts: list[int] = field(default_factory=list)
    society: int = 0
    draft_expert: int = 0


def person(make: Factory, role: str, name: str, **options: Any) -> int:
    """A factory user whose name is exactly `name` (the factory appends a sequence number)."""
    user_id = make.user(role, name=name, **options)
    with make.app.app_context():
        db.session.get_one(User, user_id).name = name
        db.session.commit()
    return user_id


def email_of(make: Factory, user_id: int) -> str:
    user = make.get(User, user_id)
    return str(user.email)


def approved_need(
    make: Factory, owner: int, title: str, *, field_code: str, hours_ago: int, **values: Any
) -> int:
    approved_at = datetime.now(UTC) - timedelta(hours=hours_ago)
    return make.need(
        owner,
        status=APPROVED,
        title=title,
        field_code=field_code,
        approved_at=approved_at,
        submitted_at=approved_at,
        confidential_details=SECRET,
        **values,
    )


def rename_organisation(make: Factory, user_id: int, name: str) -> None:
    with make.app.app_context():
        organisation = db.session.get_one(Organisation, make.org_of(user_id))
        organisation.name = name
        db.session.commit()


def shape_provider(
    make: Factory,
    provider_id: int,
    *,
    status: str = APPROVED,
    fields: tuple[str, ...] = ("ev",),
    **values: Any,
) -> None:
    """Give a factory-made profile a real-looking name, title, fields and status."""
    with make.app.app_context():
        provider = db.session.get_one(Provider, provider_id)
        for key, value in values.items():
            setattr(provider, key, value)
        provider.fields = [db.session.get_one(Field, code) for code in fields]
        provider.status = status
        db.session.commit()


def english_market(make: Factory) -> None:
    """A need and a provider written in English: in English mode any Chinese left is interface text."""
    owner = person(make, "enterprise", "Chen Li")
    rename_organisation(make, owner, "Suda Logistics Co., Ltd.")
    approved_need(
        make,
        owner,
        "Battery range loss in winter",
        field_code="ev",
        hours_ago=1,
        city="3205",
        description="Our vans lose 40 percent of their range at minus 20 C; we need battery heating.",
        public_summary="Battery heating for delivery vans",
        budget_min=20,
        budget_max=100,
    )
    expert = make.provider_id_of(person(make, "provider", "Li Minghua"))
    shape_provider(
        make,
        expert,
        name="Li Minghua",
        title="Professor",
        affiliation="Southeast University",
        expertise="Battery thermal management and low-temperature self-heating of traction batteries.",
        fields=("ev", "energy"),
    )
    make.achievement(expert, "Self-heating method for traction batteries")
    with make.app.app_context():
        db.session.add(
            ServiceItem(
                provider_id=expert,
                category="consulting",
                title="Battery thermal consulting",
                description="Review of your battery heating design.",
                delivery_mode="online",
                price_note="",
            )
        )
        db.session.commit()


def marketplace(make: Factory) -> Market:
    """23 public needs in 新能源汽车 (two pages), 3 in 农业, two experts, a society and a draft expert."""
    market = Market(owner=person(make, "enterprise", "陈经理"))
    rename_organisation(make, market.owner, "苏州速达新能源物流有限公司")
    for i in range(23):
        topic, description = EV_TOPICS[i % len(EV_TOPICS)]
        title = f"{topic}（第{i // len(EV_TOPICS) + 1}批）"
        market.ev_needs.append(
            approved_need(
                make,
                market.owner,
                title,
                field_code="ev",
                hours_ago=i + 1,
                description=description,
                budget_min=20 + i,
                budget_max=100 + i,
                public_summary=f"{topic}，寻求技术方案。",
            )
        )
    for i, title in enumerate(("冷链运输中芒果腐损率高", "温室番茄病害早期识别", "茶叶揉捻工序自动化")):
        market.agri_needs.append(
            approved_need(
                make,
                market.owner,
                title,
                field_code="agri",
                hours_ago=30 + i,
                description=f"{title}，希望与高校院所合作找到可落地的解决方案。",
            )
        )

    li = make.provider_id_of(person(make, "provider", "李明华"))
    shape_provider(
        make,
        li,
        name="李明华",
        title="教授",
        affiliation="东南大学能源与环境学院",
        expertise="长期从事动力电池热管理、低温自加热与电池包结构安全研究，主持国家重点研发计划项目两项。",
        fields=("ev", "energy"),
    )
    make.achievement(li, "一种动力电池低温自加热方法")
    make.achievement(li, "电池包液冷板流道优化设计")
    make.service(li, "电池热管理方案咨询")
    make.service(li, "低温续航测试方案设计")
    zhao = make.provider_id_of(person(make, "provider", "赵静"))
    shape_provider(
        make,
        zhao,
        name="赵静",
        title="研究员",
        affiliation="中国科学院苏州纳米所",
        expertise="研究固态电解质与高镍正极材料，擅长电芯失效分析和材料表征。",
        fields=("materials",),
    )
    society = make.provider_id_of(person(make, "provider", "学会秘书", provider_kind="society"))
    shape_provider(
        make,
        society,
        name="江苏省汽车工程学会",
        affiliation="",
        expertise="组织汽车行业专家开展技术诊断、标准制定和人才培训，服务省内整车与零部件企业。",
    )
    make.service(society, "汽车零部件企业技术诊断")
    draft = make.provider_id_of(person(make, "provider", "王草稿"))
    shape_provider(make, draft, status="draft", name="王草稿", expertise="尚未提交审核的专家资料，不应公开。")
    market.experts = [li, zhao]
    market.society = society
    market.draft_expert = draft
    return market
