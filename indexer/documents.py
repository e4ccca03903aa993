"""Plain data types exchanged between the web app and the indexer.

They carry no behaviour beyond small helpers, so a backend can be swapped without the
caller noticing: the web app builds `Document`s, asks with a `Query` and receives `Hit`s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

FilterValue = str | tuple[str, ...]


@dataclass(frozen=True)
class Passage:
    """An achievement (成果) or service item (服务清单) of a provider, scored on its own."""

    key: str
    label: str
    text: str


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str
    passages: tuple[Passage, ...] = ()
    filters: Mapping[str, FilterValue] = field(default_factory=dict)

    def filter_values(self, key: str) -> tuple[str, ...]:
        """The values of one filter key as a tuple, whether it was given as a string or a tuple."""
        return as_values(self.filters.get(key))


@dataclass(frozen=True)
class Query:
    """What to look for.

    `filters` are hard: AND across keys, OR within the values of one key.
    `boosts` are soft: a document whose filter value intersects gets the boost weight for that key.
    """

    text: str
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    boosts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Hit:
    id: str
    score: float
    lexical: float
    dense: float
    matched_terms: list[str]
    best_passage: Passage | None
    best_passage_score: float
    boosts: dict[str, float]
    doc_dense: float = 0.0  # cosine of the query and the whole document (before combining with passages)
    title: str = ""
    # The document's filter values as the index holds them (lists and facets count on these).
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The best passage's key ("service:12"), known without reading the passage (a backend may read
    # `best_passage` only when it is asked for); "" without one.
    best_passage_key: str = ""


def as_values(value: FilterValue | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value)


def document_to_record(doc: Document) -> dict:
    """JSON-serialisable form used by persistent backends."""
    return {
        "id": doc.id,
        "title": doc.title,
        "passages": [[p.key, p.label, p.text] for p in doc.passages],
        "filters": {key: list(as_values(value)) for key, value in doc.filters.items()},
    }


def passages_from_record(record: dict) -> tuple[Passage, ...]:
    return tuple(Passage(key, label, text) for key, label, text in record.get("passages", ()))
