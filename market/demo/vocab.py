"""All sub-topics, gathered from the per-group vocabulary modules."""

from __future__ import annotations

from market.demo import (
    vocab_energy,
    vocab_engineering,
    vocab_featured,
    vocab_info,
    vocab_life,
    vocab_materials,
)
from market.demo.topics import Topic

TOPICS: tuple[Topic, ...] = (
    vocab_materials.TOPICS
    + vocab_energy.TOPICS
    + vocab_info.TOPICS
    + vocab_life.TOPICS
    + vocab_engineering.TOPICS
)
TOPICS_BY_KEY: dict[str, Topic] = {t.key: t for t in TOPICS + vocab_featured.FEATURED}


def topics_of(field: str) -> tuple[Topic, ...]:
    return tuple(t for t in TOPICS if t.field == field)


# The other sub-topics of the same field, the source of "nearby" distractors.
SIBLINGS: dict[str, tuple[Topic, ...]] = {
    t.key: tuple(s for s in topics_of(t.field) if s.key != t.key) for t in TOPICS + vocab_featured.FEATURED
}
