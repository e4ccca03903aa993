"""Known terms of an index and the closest of them to a typed term (typo correction, suggestions).

Pure functions over a `Vocabulary` (term -> number of documents using it) that the caller builds
from the documents it indexes, with the same analysis (`indexer.analysis.tokenize`) as the index.
Latin-script terms are corrected by edit distance (Damerau-Levenshtein, a swap of two neighbouring
letters counts as one edit); Chinese terms get suggestions by the characters they share, since a
Chinese typo is usually another character of the same sound, not a near spelling.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from indexer.analysis import normalise, tokenize

LATIN_TERM = re.compile(r"^[a-z][a-z0-9\-+.]*$")
_LATIN_WORDS = re.compile(r"[a-z][a-z0-9\-+]*[a-z0-9+]|[a-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")


def is_latin(term: str) -> bool:
    return bool(LATIN_TERM.match(term))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), or `limit + 1` once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_edits(term: str) -> int:
    """How far a correction may be: none for short terms (PLC, BIM: every neighbour is a real term)."""
    if len(term) < 4:
        return 0
    return 1 if len(term) < 8 else 2


def terms_of(text: str) -> set[str]:
    """The distinct terms a text contributes to a vocabulary: the index's analysis (jieba search mode,
    NFKC, lower case, no stop words or numbers) plus each Latin word ("soc/soh" is one jieba token,
    two words), two or more characters long."""
    terms = set(tokenize(text))
    terms.update(_LATIN_WORDS.findall(normalise(text)))
    return {term for term in terms if len(term) > 1}


@dataclass
class Vocabulary:
    """Terms the index knows, with the number of documents that use each."""

    counts: Counter[str] = field(default_factory=Counter)
    _chars: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)
    _chars_size: int = field(default=-1, repr=False, compare=False)

    @staticmethod
    def of(texts: Iterable[str]) -> Vocabulary:
        vocabulary = Vocabulary()
        for text in texts:
            vocabulary.add(text)
        return vocabulary

    def add(self, text: str) -> None:
        self.counts.update(terms_of(text))

    def __contains__(self, term: object) -> bool:
        return term in self.counts

    def __len__(self) -> int:
        return len(self.counts)

    def correction(self, term: str) -> str | None:
        """The known Latin-script term closest to an unknown one (most used on ties), or None."""
        term = normalise(term)
        limit = allowed_edits(term)
        if not limit or not is_latin(term) or term in self.counts:
            return None
        best: tuple[int, int, str] | None = None
        for known, count in self.counts.items():
            if not is_latin(known) or abs(len(known) - len(term)) > limit:
                continue
            distance = edit_distance(term, known, limit)
            if distance <= limit and (best is None or (distance, -count, known) < best):
                best = (distance, -count, known)
        return best[2] if best else None

    def similar(self, term: str, n: int = 5) -> list[str]:
        """Known terms close to `term`: by edit distance for Latin script, by shared characters for
        Chinese (at least two shared, or half of the shorter term); most used first on ties."""
        term = normalise(term)
        if is_latin(term):
            limit = max(1, allowed_edits(term))
            scored = [
                (edit_distance(term, known, limit), -count, known)
                for known, count in self.counts.items()
                if known != term and is_latin(known) and abs(len(known) - len(term)) <= limit
            ]
            return [known for distance, _, known in sorted(scored) if distance <= limit][:n]
        chars = set(_CJK.findall(term))
        if not chars:
            return []
        # A shared rare character says more than a shared common one: "翘区" is nearer "翘曲" than "地区".
        terms_with = self._terms_by_char()
        rarity = {ch: 1.0 / (1 + len(terms_with.get(ch, ()))) for ch in chars}
        # Only terms that share a character can qualify: look those up instead of scanning them all.
        candidates = {known for ch in chars for known in terms_with.get(ch, ())}
        ranked = []
        for known in candidates:
            if known == term:
                continue
            count = self.counts[known]
            shared = chars & set(known)
            if len(shared) >= 2 or (shared and len(shared) * 2 >= min(len(chars), len(known))):
                weight = sum(rarity[ch] for ch in shared)
                ranked.append((-len(shared), -weight, abs(len(known) - len(term)), -count, known))
        return [known for *_, known in sorted(ranked)][:n]

    def _terms_by_char(self) -> dict[str, list[str]]:
        """The known terms that use each Chinese character (computed once per vocabulary size)."""
        if self._chars is None or self._chars_size != len(self.counts):
            index: dict[str, list[str]] = {}
            for known in self.counts:
                for ch in set(_CJK.findall(known)):
                    index.setdefault(ch, []).append(known)
            self._chars = index
            self._chars_size = len(self.counts)
        return self._chars


def closest_terms(vocabulary: Vocabulary, terms: Iterable[str], n: int = 6) -> list[str]:
    """Suggestions for a query's terms, the closest first, each once, never a term of the query."""
    typed = list(dict.fromkeys(normalise(term) for term in terms))
    found: dict[str, None] = {}
    for term in typed:
        for known in vocabulary.similar(term, n):
            if known not in typed:
                found.setdefault(known)
    return list(found)[:n]


def document_counts(vocabulary: Vocabulary, terms: Iterable[str]) -> Mapping[str, int]:
    return {term: vocabulary.counts.get(normalise(term), 0) for term in terms}
