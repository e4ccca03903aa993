"""Sub-topics the demo features on purpose: the examples the search issue types (注塑件翘曲变形).

Kept out of `vocab.TOPICS`, whose shuffles the seed drives: `generate` gives these topics the last
needs and providers, drawn by a random generator of their own, so every other demo posting stays
exactly what the seed made it.
"""

from __future__ import annotations

from market.demo.topics import Topic, topic

MOULDING = topic(
    "manufacturing/moulding",
    "注塑成型与注塑件缺陷控制",
    terms="注塑成型工艺|注塑件翘曲变形控制|模流分析|残余应力与收缩|随形冷却模具",
    methods="Moldflow模流分析|注塑工艺窗口优化|模温均衡与随形冷却|保压曲线优化",
    gear="模流分析软件|模温机|三维扫描仪|注塑机",
    metrics="翘曲变形量|尺寸合格率|成型周期|缩痕深度",
    objects="PP外壳注塑件|汽车内饰注塑件|薄壁电器外壳|连接器塑件",
    firms="注塑件生产|汽车内饰件注塑|家电外壳注塑",
    symptoms="注塑件脱模后翘曲变形{1.0-2.5}mm，装配时卡扣对不上|"
    "薄壁外壳放置一两天后还在继续翘曲，尺寸合格率只有{70-85}%|"
    "长条形注塑件两端翘起，整形工装也压不平|"
    "换了模具厂修模{2-4}次，翘曲变形还是没解决",
    asks="注塑件翘曲变形|薄壁注塑件翘曲变形超差|注塑件翘曲导致尺寸不稳定|长条注塑件两端翘曲",
    goals="翘曲变形控制在{0.3-0.5}mm以内|尺寸合格率提高到{95-98}%|成型周期不增加",
    tried="调过保压时间和模温，翘曲方向反过来了|试过加玻纤的料，表面浮纤又出来了",
    params="材料PP+{10-30}%滑石粉，壁厚{1.2-2.0}mm|注塑机{120-450}吨，模具{4-8}穴",
)

FEATURED: tuple[Topic, ...] = (MOULDING,)
