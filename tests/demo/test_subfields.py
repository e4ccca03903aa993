"""Sub-fields of the demo postings: added without touching the seeded texts, each under its field."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from typing import Any

import pytest

from market import taxonomy
from market.demo.generate import DemoData, generate
from market.demo.subfields import TOPIC_SUBFIELDS, field_of
from market.demo.vocab import TOPICS_BY_KEY

pytestmark = pytest.mark.engine_independent

# sha256 of every text of generate(seed=7) (providers, needs, enterprises and ground truth), taken
# before sub-fields were added: the search tests and the cache of encoded demo texts rely on them.
SEED_7_TEXTS = "f998cde442664cdf2bbed1c5a84f3130e57ef036bf41c5f6b1f760eab875e2bf"
SUBFIELD_KEYS = ("subfield", "subfields")


def texts_digest(providers: list[dict[str, Any]], needs: list[dict[str, Any]], rest: Any) -> str:
    """The digest of the postings as plain dicts, without their sub-fields."""
    strip = [
        [{k: v for k, v in r.items() if k not in SUBFIELD_KEYS} for r in rows] for rows in (providers, needs)
    ]
    body = json.dumps([*strip, rest], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate(seed=7)


def test_sub_fields_leave_every_seeded_text_as_it_was(data: DemoData) -> None:
    rows = [[dataclasses.asdict(r) for r in items] for items in (data.providers, data.needs)]
    rest = [[dataclasses.asdict(e) for e in data.enterprises], {k: list(v) for k, v in data.relevant.items()}]
    assert texts_digest(*rows, rest) == SEED_7_TEXTS


def test_every_demo_sub_topic_maps_to_seeded_sub_fields() -> None:
    seeded = {t.code for terms in taxonomy.SUBFIELDS.values() for t in terms}
    assert set(TOPIC_SUBFIELDS) == set(TOPICS_BY_KEY)
    for key, codes in TOPIC_SUBFIELDS.items():
        assert codes and set(codes) <= seeded and len(set(codes)) == len(codes), key


def test_sub_fields_of_demo_postings_belong_to_their_fields(data: DemoData) -> None:
    for need in data.needs:
        assert need.subfield is None or field_of(need.subfield) == need.field, need.key
    assert sum(1 for n in data.needs if n.subfield) >= 0.9 * len(data.needs)
    for provider in data.providers:
        assert len(provider.subfields) <= 3 and len(set(provider.subfields)) == len(provider.subfields)
        assert all(field_of(code) in provider.fields for code in provider.subfields), provider.key
    sizes = Counter(len(p.subfields) for p in data.providers)
    assert sizes[0] <= 0.05 * len(data.providers) and sizes[2] and sizes[3], sizes
    # Most needs share a sub-field with the providers of their sub-topic: 细分领域一致 shows on matches.
    by_key = {p.key: p for p in data.providers}
    shared = [n for n in data.needs if any(n.subfield in by_key[k].subfields for k in data.relevant[n.key])]
    assert len(shared) >= 0.9 * len(data.needs)


def test_the_injection_moulding_postings_are_in_that_sub_field(data: DemoData) -> None:
    moulding = [n for n in data.needs if n.topic == "manufacturing/moulding"]
    assert moulding and {n.subfield for n in moulding} == {"manufacturing-injection"}
    experts = [p for p in data.providers if p.topic == "manufacturing/moulding"]
    assert experts and all(p.subfields[0] == "manufacturing-injection" for p in experts)


def test_sub_fields_are_the_same_for_a_seed_and_differ_between_seeds() -> None:
    def picks(seed: int) -> list[tuple[str, ...]]:
        return [p.subfields for p in generate(seed=seed, n_providers=120, n_needs=80).providers]

    assert picks(7) == picks(7) != picks(8)
