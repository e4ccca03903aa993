"""Words that match without saying anything: the stop list behind the match reasons.

Two parts. A curated list of marketplace boilerplate, business phrasing and region names (a need and
a profile both saying 有限公司, 华东 or 周期 is no reason to put them together), and a part derived
from the corpus itself: terms found in a large share of the postings are poor evidence of a match
whatever their meaning. `analysis.STOPWORDS` (function words) is removed at tokenisation already;
this list applies on top, to what a reader is shown (docs/matching.md, "Explanations").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from indexer.analysis import tokenize

# Business and marketplace boilerplate: how needs and profiles are written, not what they are about.
_BOILERPLATE = """
有限 有限公司 公司 集团 股份 责任 我司 本公司 贵司 单位 企业 工厂 厂家 厂 客户 用户 甲方 乙方 对方
给出 要求 周期 从事 负责 承担 具备 拥有 长期 多年 近年 近年来 以上 左右 之内 以内 约 大约 多个 若干
技术 服务 提供 专家 团队 合作 方式 领域 方案 项目 开展 工作 具体 希望 目标 相关 行业 能力 成果
支持 实现 提升 优化 改进 开发 研发 应用 经验 联系 意向 附上 类似 案例 外部 有意 需求 问题 解决
预算 万元 费用 报价 价格 成本 合同 工期 交付 验收 期限 时间 截止 尽快 尽早 月底 年底 以下 现有
生产 产品 现场 一线 日常 整体 全面 有效 显著 明显 良好 较好 较高 较低 进一步 持续 稳定 主要
欢迎 咨询 对接 洽谈 面议 可以 能否 是否 帮助 协助 指导 咨询 评估 建议 情况 方面 过程 阶段
国内 国外 国际 省内 市内 本地 当地 周边 附近 地区 区域 全国 各地 省 市 县 区
"""
# Regions: a shared place is shown as 同省 by the fit reason, never as a matched word.
_REGIONS = """
华东 华南 华北 华中 华西 西南 西北 东北 东部 西部 南部 北部 中部 沿海 内地 长三角 珠三角 京津冀 大湾区
北京 天津 上海 重庆 河北 山西 内蒙古 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南
广东 广西 海南 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门
"""
CURATED: frozenset[str] = frozenset((_BOILERPLATE + _REGIONS).split())

# A term in more than this share of the documents is filler for the purpose of explaining a match.
MAX_DOCUMENT_SHARE = 0.15
# Below this many documents, shares say little: the corpus-derived part stays empty.
MIN_DOCUMENTS = 30


def frequent_terms(
    texts: Iterable[str], max_share: float = MAX_DOCUMENT_SHARE, min_documents: int = MIN_DOCUMENTS
) -> frozenset[str]:
    """Terms (as `analysis.tokenize` gives them) that appear in more than `max_share` of `texts`,
    each text being one document; empty when there are fewer than `min_documents` texts."""
    document_frequency: Counter[str] = Counter()
    n_documents = 0
    for text in texts:
        n_documents += 1
        document_frequency.update(set(tokenize(text)))
    if n_documents < min_documents:
        return frozenset()
    limit = max_share * n_documents
    return frozenset(term for term, count in document_frequency.items() if count > limit)


def stop_list(texts: Iterable[str] = (), max_share: float = MAX_DOCUMENT_SHARE) -> frozenset[str]:
    """The curated list plus the terms too frequent in `texts` (the postings) to mean anything."""
    return CURATED | frequent_terms(texts, max_share)


def informative(terms: Iterable[str], stop: frozenset[str]) -> list[str]:
    """`terms` in order without stop words, single characters and pure numbers or Latin noise
    shorter than two letters: what a reader can take as a reason."""
    return [term for term in dict.fromkeys(terms) if len(term) > 1 and term not in stop]
