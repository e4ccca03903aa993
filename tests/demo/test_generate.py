"""The demo data generator: sizes, taxonomy codes, text quality bounds, determinism and BEIR export."""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from market import taxonomy
from market.demo.generate import DemoData, export_beir, generate
from market.demo.topics import fill
from market.demo.vocab import TOPICS, TOPICS_BY_KEY, topics_of

pytestmark = pytest.mark.engine_independent

FIELDS = set(taxonomy.codes(taxonomy.FIELDS))
UNFILLED = re.compile(r"[{}]")


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate()


def test_default_counts_and_unique_keys(data: DemoData) -> None:
    assert len(data.providers) == 320
    assert len(data.needs) == 160
    assert len(data.enterprises) == 60
    for items in (data.providers, data.needs, data.enterprises):
        keys = [item.key for item in items]
        assert len(set(keys)) == len(keys)
    assert len({e.name for e in data.enterprises}) == len(data.enterprises)


def test_vocabulary_has_three_to_five_sub_topics_per_field() -> None:
    assert len({t.key for t in TOPICS}) == len(TOPICS)
    for field in FIELDS:
        assert 3 <= len(topics_of(field)) <= 5, field
    for topic in TOPICS:
        assert topic.field in FIELDS
        # Titles pick asks[i] while the description opens with symptoms[i]: the lists must stay parallel.
        assert len(topic.asks) == len(topic.symptoms) >= 2, topic.key
        for name in ("terms", "methods", "gear", "metrics", "objects", "firms", "goals", "tried", "params"):
            assert getattr(topic, name), (topic.key, name)


def test_every_field_and_sub_topic_is_covered(data: DemoData) -> None:
    assert {p.fields[0] for p in data.providers} == FIELDS
    assert {n.field for n in data.needs} == FIELDS
    assert {e.industry_field for e in data.enterprises} == FIELDS
    assert {p.topic for p in data.providers} == set(TOPICS_BY_KEY)
    kinds = Counter(p.kind for p in data.providers)
    assert set(kinds) == set(taxonomy.codes(taxonomy.PROVIDER_KINDS))
    assert kinds["expert"] > len(data.providers) / 2
    assert len({p.province for p in data.providers}) >= 20


def test_codes_are_valid_against_taxonomy(data: DemoData) -> None:
    kinds = set(taxonomy.codes(taxonomy.PROVIDER_KINDS))
    categories = set(taxonomy.codes(taxonomy.SERVICE_CATEGORIES))
    achievement_kinds = set(taxonomy.codes(taxonomy.ACHIEVEMENT_KINDS))
    delivery = set(taxonomy.codes(taxonomy.DELIVERY_MODES))
    modes = set(taxonomy.codes(taxonomy.COOPERATION_MODES))

    def valid_region(province: str, city: str) -> bool:
        return city in taxonomy.codes(taxonomy.CITIES[province]) and taxonomy.city_province(city) == province

    for e in data.enterprises:
        assert valid_region(e.province, e.city) and e.industry_field in FIELDS
    for p in data.providers:
        assert p.kind in kinds
        assert valid_region(p.province, p.city)
        assert 1 <= len(p.fields) <= 3 and len(set(p.fields)) == len(p.fields) and set(p.fields) <= FIELDS
        assert p.topic in TOPICS_BY_KEY and TOPICS_BY_KEY[p.topic].field == p.fields[0]
        assert all(a.kind in achievement_kinds and 2000 <= a.year <= 2025 for a in p.achievements)
        assert all(s.category in categories and s.delivery_mode in delivery for s in p.services)
    enterprises = {e.key: e for e in data.enterprises}
    for n in data.needs:
        assert n.cooperation_mode in modes
        assert n.topic in TOPICS_BY_KEY and TOPICS_BY_KEY[n.topic].field == n.field
        enterprise = enterprises[n.enterprise_key]
        assert (n.province, n.city) == (enterprise.province, enterprise.city)
        assert 0 < n.budget_min < n.budget_max
        assert n.deadline_days > 0


def test_text_bounds_and_no_unfilled_slots(data: DemoData) -> None:
    for p in data.providers:
        assert 80 <= len(p.expertise) <= 250, p.expertise
        assert 1 <= len(p.achievements) <= 5 and 1 <= len(p.services) <= 4
        assert p.name and p.organisation
        texts = [p.name, p.title, p.organisation, p.expertise]
        texts += [a.title + a.description for a in p.achievements]
        texts += [s.title + s.description + s.price_note for s in p.services]
        assert not any(UNFILLED.search(t) for t in texts), texts
        if p.kind == "expert":
            assert 2 <= len(p.name) <= 4
    for n in data.needs:
        assert 100 <= len(n.description) <= 400, n.description
        assert n.title and n.public_summary and n.confidential_details
        for text in (n.title, n.description, n.public_summary, n.confidential_details):
            assert not UNFILLED.search(text), text


def test_needs_read_like_firms_not_like_papers(data: DemoData) -> None:
    # A matcher must bridge plain problem talk and research vocabulary; few needs may quote the latter.
    quoting = sum(any(term in n.description for term in TOPICS_BY_KEY[n.topic].terms) for n in data.needs)
    assert quoting < len(data.needs) * 0.3
    assert len({n.title for n in data.needs}) > len(data.needs) * 0.9
    assert len({n.description for n in data.needs}) == len(data.needs)
    openings = Counter(n.description[:4] for n in data.needs)
    assert len(openings) >= 8 and openings.most_common(1)[0][1] < len(data.needs) * 0.4
    assert 0 < sum(n.is_open_call for n in data.needs) < len(data.needs) / 2
    # The contact person in the confidential part never leaks into what anyone may read.
    for n in data.needs:
        contact = n.confidential_details.split("联系人：")[1][:2]
        assert contact not in n.public_summary


def test_relevant_lists_every_provider_of_the_same_sub_topic(data: DemoData) -> None:
    by_topic: dict[str, set[str]] = {}
    for p in data.providers:
        by_topic.setdefault(p.topic, set()).add(p.key)
    assert set(data.relevant) == {n.key for n in data.needs}
    for n in data.needs:
        assert data.relevant[n.key]
        assert set(data.relevant[n.key]) == by_topic[n.topic]


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert generate(seed=3, n_providers=120, n_needs=50, n_enterprises=25) == generate(
        seed=3, n_providers=120, n_needs=50, n_enterprises=25
    )
    assert generate(seed=3, n_providers=120) != generate(seed=4, n_providers=120)


def test_small_sizes_still_give_valid_data() -> None:
    small = generate(n_providers=10, n_needs=5, n_enterprises=3)
    assert len(small.providers) == 10 and len(small.needs) == 5 and len(small.enterprises) == 3
    for n in small.needs:
        assert small.relevant[n.key]


def test_export_beir_files_parse_and_agree(data: DemoData, tmp_path: Path) -> None:
    export_beir(data, tmp_path)
    corpus = [json.loads(line) for line in (tmp_path / "corpus.jsonl").read_text("utf-8").splitlines()]
    queries = [json.loads(line) for line in (tmp_path / "queries.jsonl").read_text("utf-8").splitlines()]
    with (tmp_path / "qrels.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))

    assert [d["_id"] for d in corpus] == [p.key for p in data.providers]
    assert [q["_id"] for q in queries] == [n.key for n in data.needs]
    for doc in corpus:
        assert doc["title"] and doc["text"]
        assert isinstance(doc["achievements"], list) and all(isinstance(a, str) for a in doc["achievements"])
        assert doc["field"] in FIELDS and doc["region"] in taxonomy.CITIES
        assert doc["kind"] in taxonomy.codes(taxonomy.PROVIDER_KINDS)
    assert all(q["title"] and q["text"] for q in queries)
    assert (tmp_path / "qrels.tsv").read_text("utf-8").startswith("query-id\tcorpus-id\tscore\n")
    corpus_ids, query_ids = {d["_id"] for d in corpus}, {q["_id"] for q in queries}
    for row in rows:
        assert row["query-id"] in query_ids and row["corpus-id"] in corpus_ids and row["score"] == "1"
    assert len(rows) == sum(len(v) for v in data.relevant.values())


def test_thousands_of_providers_each_their_own() -> None:
    # No time limit here: speed belongs in benchmarks/, not in an assertion that fails under load.
    big = generate(n_providers=5000, n_needs=400)
    assert len(big.providers) == 5000 and len({p.key for p in big.providers}) == 5000
    # More providers must mean more varied text, not the same few profiles repeated.
    assert len({p.expertise for p in big.providers}) > 4900
    assert all(80 <= len(p.expertise) <= 250 for p in big.providers)


def test_fill_handles_numeric_and_named_slots() -> None:
    rng = random.Random(1)
    text = fill("{a}降到{1-3}%以下，精度{0.60-0.68}", rng, a="含水率{40-60}%")
    assert not UNFILLED.search(text)
    assert re.fullmatch(r"含水率\d+%降到[123]%以下，精度0\.6\d", text)
