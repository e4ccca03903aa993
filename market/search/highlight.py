"""Matched terms marked in titles and snippets, safely: every piece of stored text is escaped and
only our own <mark> tags are left as markup, so a title such as "<script>" stays text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from markupsafe import Markup, escape

SNIPPET_CHARS = 120
_OPEN, _CLOSE = Markup("<mark>"), Markup("</mark>")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    return _compiled(frozenset(t for t in terms if _worth_marking(t)))


@lru_cache(maxsize=256)
def _compiled(wanted: frozenset[str]) -> re.Pattern[str] | None:
    """One pattern per set of terms (a page marks its rows with the same terms, three times each)."""
    if not wanted:
        return None
    # Longest first, so "碳纤维复合材料" is marked as one piece, not as "碳纤维" and then the rest.
    ordered = sorted(wanted, key=lambda term: (-len(term), term))
    return re.compile("|".join(re.escape(term) for term in ordered), re.IGNORECASE)


def _worth_marking(term: str) -> bool:
    """Single Chinese characters would mark half the page; single Latin letters too."""
    return len(term) > 1


class _FoldTable(dict[int, str]):
    """`str.translate` table: each character's NFKC form when that is one character, else itself;
    filled as characters are first seen (translate looks each one up in C, not a Python loop)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        self[code] = value = folded if len(folded) == 1 else char
        return value


_FOLD = _FoldTable()


def _folded(text: str) -> str:
    """NFKC per character, so the positions found in the folded text are those of the original
    (the index analysed "ＰＬＣ" as "plc"; the page shows what was stored)."""
    return text.translate(_FOLD)


def highlight(text: str, terms: Iterable[str]) -> Markup:
    """`text` escaped, with each occurrence of a term wrapped in <mark>."""
    text = text or ""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    # Every piece escaped, joined once (adding Markup objects piece by piece cost milliseconds a row).
    parts: list[Markup] = []
    last = 0
    for found in pattern.finditer(_folded(text)):
        parts.append(escape(text[last : found.start()]))
        parts += (_OPEN, escape(text[found.start() : found.end()]), _CLOSE)
        last = found.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def snippet(text: str, terms: Iterable[str], width: int = SNIPPET_CHARS) -> Markup:
    """A window of `text` around its first matched term (its start when none matched), marked."""
    text = " ".join((text or "").split())
    terms = list(terms)
    if len(text) <= width:
        return highlight(text, terms)
    pattern = _pattern(terms)
    found = pattern.search(_folded(text)) if pattern else None
    start = 0 if found is None else max(0, min(found.start() - width // 4, len(text) - width))
    window = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return escape(prefix) + highlight(window, terms) + escape(suffix)


def best_text(texts: Iterable[str], terms: Iterable[str]) -> str:
    """The first of `texts` in which a term occurs (the first non-empty one when none has any)."""
    texts = [text for text in texts if text]
    pattern = _pattern(terms)
    if pattern is not None:
        for text in texts:
            if pattern.search(_folded(text)):
                return text
    return texts[0] if texts else ""
