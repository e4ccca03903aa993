"""Chinese and English text analysis for BM25 and for the human-readable match reason.

jieba's search mode emits a long word and its dictionary sub-words ("碳纤维复合材料" also yields
"碳纤维", "复合", "材料"), so a need phrased with a shorter word still meets a profile using the
compound. The same function analyses documents and queries, which is what BM25 requires.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

import jieba

_WORD_CHAR = re.compile(r"\w", re.UNICODE)
_PURE_NUMBER = re.compile(r"^[\d.%]+$")

# Function words and generic marketplace filler that would otherwise dominate BM25 on short needs.
_CHINESE_STOPWORDS = """
的 了 和 与 及 或 等 在 对 为 是 将 把 被 从 向 以 于 由 而 并 且 也 都 又 就 还 但 其 之 所 该 此 这 那
这些 那些 一个 一种 一些 我们 你们 他们 它们 我 你 他 她 它 本 各 每 有 没有 无 不 很 非常 可以 能够
能 会 可 要 需要 希望 想 想要 如何 怎么 怎样 什么 哪些 为什么 是否 以及 通过 进行 使用 利用 采用 基于
关于 对于 根据 相关 方面 问题 情况 目前 现在 已经 已 正在 一直 比较 较 更 最 多 少 大 小 上 下 中 内 外
后 前 时 时候 里 个 种 些 年 月 日 次 位 家 其中 之间 同时 并且 因此 所以 如果 虽然 但是 然而 由于
主要 一般 具有 存在 提出 研究 方法 结果 表明 本文 分析 我司 公司 企业 帮忙 帮助 寻求 寻找 找 解决
"""
_ENGLISH_STOPWORDS = """
a an and are as at be by for from has have in into is it its of on or that the their this to was were
will with we our you your they them can not no do does how what which who why
"""
STOPWORDS: frozenset[str] = frozenset((_CHINESE_STOPWORDS + _ENGLISH_STOPWORDS).split())

_tokenizer: jieba.Tokenizer | None = None
_tokenizer_lock = threading.Lock()


def _jieba() -> jieba.Tokenizer:
    """One lazily initialised jieba tokenizer per process, loaded without its INFO log lines."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def load_dictionary() -> None:
    """Load jieba's dictionary now (about 0.5 s, holding the GIL): a server calls this before its
    first request, which would otherwise pay for it while every concurrent request waits."""
    _jieba()


def dictionary_loaded() -> bool:
    return _tokenizer is not None


def normalise(text: str) -> str:
    """Full-width to half-width and lower case, so "ＡＩ" and "ai" are one term."""
    return unicodedata.normalize("NFKC", text).lower()


def _keep(token: str) -> bool:
    if not _WORD_CHAR.search(token):
        return False
    return not (token in STOPWORDS or _PURE_NUMBER.match(token))


def tokenize(text: str) -> list[str]:
    """Terms of `text` with repetitions (term frequency matters for BM25), in text order."""
    if not text:
        return []
    tokens = (token.strip() for token in _jieba().cut_for_search(normalise(text), HMM=True))
    return [token for token in tokens if token and _keep(token)]


def query_terms(text: str) -> list[str]:
    """Distinct terms of a query in first-seen order: repeats in a short query should not count twice.

    The curated marketplace boilerplate of `indexer.stopwords` (公司, 技术, 要求, 周期, region names)
    is left out: a need written as a letter shares those words with every distractor, and leaving
    them out of the BM25 query won on both market-dev sets under cross-validation (docs/matching.md,
    "Ranking II, second round"). Documents keep them (BM25 statistics are unchanged); a query made
    of nothing else keeps all its terms."""
    from indexer.stopwords import CURATED  # here: indexer.stopwords imports this module

    terms = list(dict.fromkeys(tokenize(text)))
    return [term for term in terms if term not in CURATED] or terms


def display_terms(terms: Iterable[str]) -> list[str]:
    """Drop terms that are contained in a longer matched term, so the reason reads "碳纤维复合材料"
    rather than "碳纤维, 复合, 材料, 碳纤维复合材料"."""
    unique = list(dict.fromkeys(terms))
    return [term for term in unique if not any(term != other and term in other for other in unique)]


def cut_at_word_boundary(text: str, limit: int) -> str:
    """The longest start of `text` of at most `limit` characters that ends between two words (jieba's
    words, so Chinese is not cut inside a word); `text` itself when it is short enough."""
    if len(text) <= limit:
        return text
    kept = 0
    for word in _jieba().cut(text, HMM=True):
        if kept + len(word) > limit:
            break
        kept += len(word)
    if kept == 0:  # one "word" longer than the limit (a pasted URL, a long number): cut inside it
        kept = limit
    return text[:kept].rstrip()
