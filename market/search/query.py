"""What people type into a search box, made into what the index is asked.

Full-width characters become half-width and case is folded (NFKC, as the index analyses text),
runs of white space become one space, control characters go, and a query longer than
`MAX_QUERY_CHARS` is cut between two words (the page says so). Latin-script terms the index does
not know are corrected to the closest known term (a small edit distance) unless the reader asked
for the exact words. `%` and `_` are ordinary characters: nothing here builds SQL LIKE patterns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from indexer.analysis import cut_at_word_boundary, query_terms
from indexer.spelling import Vocabulary, is_latin

# What is read from the request at most (a pasted page of a report); the index reads `MAX_QUERY_CHARS`.
MAX_RAW_CHARS = 4000
# A need's title and description as a query fit (the benchmark asks with them); the encoder reads
# its first 512 tokens anyway, and BM25 time grows with the number of terms.
MAX_QUERY_CHARS = 500

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ParsedQuery:
    typed: str  # as typed, cleaned of control characters and cut to MAX_RAW_CHARS
    text: str  # what the index is asked (normalised, cut, corrected)
    cut: bool = False  # the typed text was longer than MAX_QUERY_CHARS
    corrections: dict[str, str] = field(default_factory=dict)  # typed term -> known term
    terms: tuple[str, ...] = ()  # the analysed terms of `text`

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)


def clean(raw: str) -> str:
    """NFKC (full-width "ＡＩ　检测" is "AI 检测"), no control characters, single spaces."""
    text = unicodedata.normalize("NFKC", raw[:MAX_RAW_CHARS])
    return _SPACE.sub(" ", _CONTROL.sub(" ", text)).strip()


def parse(raw: str, vocabulary: Vocabulary | None = None) -> ParsedQuery:
    """The query to search with; `vocabulary` (the index's known terms) enables typo correction."""
    typed = clean(raw)
    text = cut_at_word_boundary(typed, MAX_QUERY_CHARS)
    cut = len(text) < len(typed)
    corrections: dict[str, str] = {}
    if vocabulary is not None:
        for term in query_terms(text):
            if is_latin(term) and (fix := vocabulary.correction(term)):
                corrections[term] = fix
        for typo, fix in corrections.items():
            text = re.sub(rf"(?<![a-z0-9]){re.escape(typo)}(?![a-z0-9])", fix, text, flags=re.IGNORECASE)
    return ParsedQuery(typed, text, cut, corrections, tuple(query_terms(text)))


def has_latin_terms(raw: str) -> bool:
    return any(is_latin(term) for term in query_terms(clean(raw)[:MAX_QUERY_CHARS]))
