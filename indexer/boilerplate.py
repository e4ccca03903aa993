"""Business boilerplate in needs, and a function that removes it.

Enterprises write a need as a letter: "我公司……希望能找到专家帮忙……，最好是省内的，有意者请联系".
The request, the self-reference and the location wish say nothing about the technical problem,
yet they pull the query vector towards every other letter-like text and give BM25 words such as
专家 that many profiles contain. `strip_boilerplate` removes those phrases and the clauses left
empty; the problem itself (materials, symptoms, figures, constraints) is kept word for word. The
region a need prefers is a soft boost of the match page, not a word to match.

Measured on market-dev in docs/matching.md ("Ranking II"): it lifts the text-only ranking but not
the match page's order, so the app does not apply it yet; `indexer.evaluate` and the benchmarks
can (`strip=True`, `bench_quality.py --strip`, `ranking_lab.py`).
"""

from __future__ import annotations

import re

# Phrases removed wherever they occur. Each is about who asks or how, never about the problem.
_PHRASES = (
    # who is writing: 我公司 我司 我厂 我们 我们公司 我们厂 本公司 ...; "我们是做…的" keeps "做…的"
    r"我(?:公司|司|厂(?![房区])|单位|院|们(?:公司|厂(?![房区])|单位|企业|这边|这里)?)(?:是一家|是)?的?",
    r"本(?:公司|企业|单位|厂)",
    r"老板让我",
    # what is asked for: 希望能找到 / 想找个懂行的专家来帮我们 / 想请人 / 寻求合作 / 想知道
    r"(?:迫切|急切|非常|十分|特别)?希望(?:能够|能|可以)?(?:找到|找|寻找|寻求|得到|有)?(?:人|专家|机构|团队)?",
    r"想(?:要)?(?:找|请)(?:个|一个|一位|一家|几位|几家)?(?:懂行|靠谱|有经验|专业|中立)?(?:的)?"
    r"(?:人|专家|机构|团队|单位|老师|中立方)?(?:来)?(?:帮(?:我们|忙|着)?|给(?:我们)?)?",
    r"想知道",
    r"(?:寻求|寻找)(?:合作|技术支持|帮助|支持|专家)?",
    r"(?:请|邀请)(?:专家|人)(?:来)?(?:帮(?:忙|我们)?)?",
    r"帮(?:我们|忙)",
    r"帮着(?=改|看|查|分析|解决|把)",
    # how to get in touch
    r"有意(?:者|向的单位|向的)?请(?:与我们)?联系",
    r"欢迎[^，。；;！!？?\n]*?(?:联系|洽谈|合作)",
    r"(?:费用|价格|报酬)(?:可)?面议",
)
# Whole clauses that only state where the helper should be or that one kind of helper is preferred.
_CLAUSES = (
    r"最好是[^，。；;！!？?\n]*(?:的|专家|团队|机构)",
    r"[^，。；;！!？?\n]*(?:的|专家|团队|机构|单位)优先",
    r"离我们近[^，。；;！!？?\n]*",
    r"能常来[^，。；;！!？?\n]*",
)
_PHRASE = re.compile("|".join(f"(?:{p})" for p in _PHRASES))
_CLAUSE = re.compile("|".join(f"(?:{p})" for p in _CLAUSES))
_SPLIT = re.compile(r"([，。；;！!？?\n、,])")
_CONTENT = re.compile(r"\w")
# A need that is nearly all boilerplate keeps its text: an empty query ranks nothing.
_MIN_KEPT = 4


def strip_boilerplate(text: str) -> str:
    """`text` without request, self-reference, contact and location-wish phrases; clauses left
    without content are dropped with their punctuation."""
    if not text:
        return text
    pieces = _SPLIT.split(text)
    kept: list[str] = []
    # pieces alternate clause, separator, clause, ...
    for index in range(0, len(pieces), 2):
        clause = pieces[index]
        separator = pieces[index + 1] if index + 1 < len(pieces) else ""
        if _CLAUSE.fullmatch(clause.strip()):
            continue
        stripped = _PHRASE.sub("", clause)
        if stripped == clause:
            kept.append(clause + separator)
        elif _CONTENT.search(stripped):
            kept.append(stripped.strip() + separator)
    result = "".join(kept).strip().rstrip("，,、；;")
    return result if len(result) >= _MIN_KEPT else text
