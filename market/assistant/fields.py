"""The suggested field of a need being written: a weighted vote of its nearest stored neighbours.

A k-nearest-neighbour classifier over vectors the index already holds: the postings nearest to the
text (public needs with their field, provider profiles with theirs) vote for their fields, each vote
weighted by how much nearer it is than the rest (a softmax over cosines). No model is trained and
nothing is encoded besides the text itself; held-out accuracy is in docs/matching.md
("需求凝练 assistant"), measured by benchmarks/assistant_fields.py.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The votes of the nearest K neighbours count; cosines of one encoder move over a narrow range (0.8-0.95),
# so a small temperature lets the nearest ones weigh clearly more than the tenth.
K = 15
TEMPERATURE = 0.02
# Below this share of the votes the suggestion is not shown: the text does not point anywhere yet.
MIN_SHARE = 0.3


@dataclass(frozen=True)
class Neighbour:
    fields: tuple[str, ...]  # a provider may work in several fields: its vote is split between them
    cosine: float


@dataclass(frozen=True)
class FieldShare:
    code: str
    share: float  # of the weighted votes, 0-1


def vote(neighbours: Iterable[Neighbour], k: int = K, temperature: float = TEMPERATURE) -> list[FieldShare]:
    """Fields by share of the weighted votes of the `k` nearest neighbours, largest first."""
    nearest = sorted((n for n in neighbours if n.fields), key=lambda n: n.cosine, reverse=True)[:k]
    if not nearest:
        return []
    top = nearest[0].cosine
    totals: dict[str, float] = defaultdict(float)
    for neighbour in nearest:
        weight = math.exp((neighbour.cosine - top) / temperature)
        for code in neighbour.fields:
            totals[code] += weight / len(neighbour.fields)
    whole = sum(totals.values())
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [FieldShare(code, value / whole) for code, value in ranked]


def suggestion(shares: Sequence[FieldShare], min_share: float = MIN_SHARE) -> FieldShare | None:
    """The field to suggest, or None while no field has enough of the votes."""
    return shares[0] if shares and shares[0].share >= min_share else None
