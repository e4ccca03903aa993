"""Deterministic demo data for 科创对接: enterprises, providers, needs and ranking ground truth.

Everything is composed from hand-written vocabulary (see ``vocab_*.py``); the same seed always gives
the same data, and ``relevant`` doubles as qrels for ranking evaluation (same sub-topic = relevant).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from market import taxonomy
from market.demo import subfields, text_need, text_provider
from market.demo.naming import (
    company_name,
    enterprise_region,
    expert_affiliation,
    institution_name,
    person_name,
    pick,
    provider_region,
    society_name,
    team_name,
)
from market.demo.records import DemoAchievement, DemoData, DemoEnterprise, DemoNeed, DemoProvider, DemoService
from market.demo.topics import Topic
from market.demo.vocab import TOPICS, topics_of
from market.demo.vocab_featured import MOULDING
from market.demo.vocab_fields import FIELD_WORDS
from market.demo.vocab_people import (
    CLINICAL_TITLES,
    EXPERT_TITLES,
    INSTITUTION_TITLES,
    TEAM_TITLES,
)

__all__ = [
    "DemoAchievement",
    "DemoData",
    "DemoEnterprise",
    "DemoNeed",
    "DemoProvider",
    "DemoService",
    "export_beir",
    "generate",
]

_KIND_WEIGHTS = {"expert": 60, "institution": 15, "team": 13, "society": 12}
_CLINICAL_FIELDS = frozenset({"biomed", "meddevice", "tcm"})
_MODE_ZH = {t.code: t.zh for t in taxonomy.COOPERATION_MODES}
# Typical budget floors in 万元: consulting is cheap, joint research and transfers are not.
_BUDGET_FLOOR = {
    "consult": (3, 20),
    "service": (5, 40),
    "license": (20, 150),
    "develop": (30, 200),
    "transfer": (50, 300),
    "joint": (50, 400),
}
_MODE_WEIGHTS = {"develop": 6, "consult": 3, "joint": 3, "service": 3, "transfer": 2, "license": 1}


# The featured topic's postings (vocab_featured: 注塑件翘曲变形, the search issue's example): the last
# providers and needs of a demo of at least FEATURED_FROM (providers, needs) — the default demo and the
# search tests' (120, 80); the smaller demos the history and loading tests use stay as they were.
FEATURED_PROVIDERS, FEATURED_NEEDS = 2, 2
FEATURED_FROM = (120, 80)


def generate(seed: int = 7, n_providers: int = 320, n_needs: int = 160, n_enterprises: int = 60) -> DemoData:
    rng = random.Random(seed)
    enterprises = _enterprises(rng, n_enterprises)
    providers = _providers(rng, n_providers)
    featured = n_providers >= FEATURED_FROM[0] and n_needs >= FEATURED_FROM[1]
    # Their own generator, and the seeded draws made in full first: every other posting stays the same.
    extra = random.Random(f"featured-{seed}")
    if featured:
        providers = providers[: n_providers - FEATURED_PROVIDERS] + [
            _provider(extra, f"prov-{n_providers - FEATURED_PROVIDERS + i + 1:04d}", kind, MOULDING)
            for i, kind in enumerate(("expert", "institution"))
        ]
    by_topic: dict[str, list[str]] = {}
    for p in providers:
        by_topic.setdefault(p.topic, []).append(p.key)
    n_random = n_needs - FEATURED_NEEDS if featured else n_needs
    needs = _needs(rng, n_needs, enterprises, [t for t in TOPICS if t.key in by_topic], keep=n_random)
    if featured:
        needs += _needs(extra, FEATURED_NEEDS, enterprises, [MOULDING], start=n_random)
    relevant = {n.key: tuple(by_topic[n.topic]) for n in needs}
    providers, needs = _with_subfields(seed, providers, needs)
    return DemoData(tuple(enterprises), tuple(providers), tuple(needs), relevant)


def _with_subfields(
    seed: int, providers: list[DemoProvider], needs: list[DemoNeed]
) -> tuple[list[DemoProvider], list[DemoNeed]]:
    """Sub-fields from each posting's sub-topic, added after every seeded draw and with a generator of
    their own, so the texts stay what the seed made (tests/demo/test_subfields.py compares them)."""
    rng = random.Random(f"{seed}-subfields")
    return (
        [replace(p, subfields=subfields.provider_subfields(rng, p.topic, p.fields)) for p in providers],
        [replace(n, subfield=subfields.need_subfield(n.topic, n.field)) for n in needs],
    )


def _spread(rng: random.Random, items: Sequence[Topic], n: int, passes: int) -> list[Topic]:
    """n topics: ``passes`` full rounds over all topics (each shuffled) first, then random picks.

    The rounds guarantee coverage (and, for providers, at least two relevant ones per topic at the
    default size); the random tail keeps the counts uneven, as in real data.
    """
    out: list[Topic] = []
    for _ in range(passes):
        round_ = list(items)
        rng.shuffle(round_)
        out += round_
    out = out[:n]
    return out + [pick(rng, items) for _ in range(n - len(out))]


def _enterprises(rng: random.Random, n: int) -> list[DemoEnterprise]:
    fields = taxonomy.codes(taxonomy.FIELDS)
    out: list[DemoEnterprise] = []
    names: set[str] = set()
    for i in range(n):
        field = fields[i % len(fields)]  # every field gets enterprises before any gets a second one
        province, city = enterprise_region(rng)
        name = company_name(rng, city, field)
        while name in names:
            name = company_name(rng, city, field)
        names.add(name)
        out.append(DemoEnterprise(f"ent-{i + 1:04d}", name, province, city, field))
    return out


def _providers(rng: random.Random, n: int) -> list[DemoProvider]:
    kinds = tuple(_KIND_WEIGHTS)
    out: list[DemoProvider] = []
    for i, topic in enumerate(_spread(rng, TOPICS, n, passes=2)):
        kind = rng.choices(kinds, weights=tuple(_KIND_WEIGHTS.values()))[0]
        out.append(_provider(rng, f"prov-{i + 1:04d}", kind, topic))
    return out


def _provider(rng: random.Random, key: str, kind: str, topic: Topic) -> DemoProvider:
    province, city = provider_region(rng)
    if kind == "expert":
        name = person_name(rng)
        clinical = topic.field in _CLINICAL_FIELDS and rng.random() < 0.3
        title = pick(rng, CLINICAL_TITLES if clinical else EXPERT_TITLES)
        organisation = expert_affiliation(rng, province, topic)
    else:
        if kind == "society":
            name, title = society_name(rng, province, city, topic.field)
        elif kind == "team":
            name, title = team_name(rng, province, city, topic), pick(rng, TEAM_TITLES)
        else:
            name, title = institution_name(rng, province, city, topic), pick(rng, INSTITUTION_TITLES)
        organisation = name
    related = FIELD_WORDS[topic.field].related
    fields = (topic.field, *rng.sample(related, rng.randint(0, min(2, len(related)))))
    siblings = [t for t in topics_of(topic.field) if t.key != topic.key]
    sibling = pick(rng, siblings) if siblings and rng.random() < 0.4 else None
    return DemoProvider(
        key=key,
        kind=kind,
        name=name,
        title=title,
        organisation=organisation,
        province=province,
        city=city,
        fields=fields,
        topic=topic.key,
        expertise=text_provider.expertise(rng, kind, topic, province, sibling),
        achievements=text_provider.achievements(rng, kind, topic, province),
        services=text_provider.services(rng, kind, topic),
    )


def _budget(rng: random.Random, mode: str) -> tuple[int, int]:
    lo, hi = _BUDGET_FLOOR[mode]
    low = rng.randint(lo, hi)
    high = int(low * rng.uniform(1.5, 4.0))
    if low >= 20:  # firms quote round numbers once sums get large
        low, high = low // 5 * 5, max(high // 10 * 10, low // 5 * 5 + 10)
    return low, max(high, low + 1)


def _needs(
    rng: random.Random,
    n: int,
    enterprises: list[DemoEnterprise],
    topics: list[Topic],
    *,
    keep: int | None = None,
    start: int = 0,
) -> list[DemoNeed]:
    """`n` needs spread over `topics`; only the first `keep` are written (the topics of all `n` are
    drawn, so the draws that follow are the same whatever `keep` is); keys count from `start` + 1."""
    by_field: dict[str, list[DemoEnterprise]] = {}
    for e in enterprises:
        by_field.setdefault(e.industry_field, []).append(e)
    modes = tuple(_MODE_WEIGHTS)
    out: list[DemoNeed] = []
    spread = _spread(rng, topics, n, passes=1) if topics else []
    for i, topic in enumerate(spread[:keep]):
        enterprise = pick(rng, by_field.get(topic.field) or enterprises)
        mode = rng.choices(modes, weights=tuple(_MODE_WEIGHTS.values()))[0]
        open_call = rng.random() < 0.2
        budget = _budget(rng, mode)
        focus = rng.randrange(len(topic.asks))
        # The same line of business in the description and the public summary.
        firm = topic.firms[int(enterprise.key.split("-")[1]) % len(topic.firms)]
        if open_call:  # 揭榜挂帅 calls are the big, well-funded ones
            budget = (max(budget[0], 50), max(budget[1], 200))
        out.append(
            DemoNeed(
                key=f"need-{start + i + 1:04d}",
                title=text_need.title(rng, topic, focus, open_call),
                description=text_need.description(
                    rng, topic, focus, firm, mode, enterprise.city, enterprise.province
                ),
                field=topic.field,
                province=enterprise.province,
                city=enterprise.city,
                topic=topic.key,
                budget_min=budget[0],
                budget_max=budget[1],
                deadline_days=rng.choice((30, 45, 60, 90, 90, 120, 180, 180, 270, 365)),
                cooperation_mode=mode,
                public_summary=text_need.public_summary(
                    rng, topic, focus, firm, _MODE_ZH[mode], enterprise.province, budget, open_call
                ),
                confidential_details=text_need.confidential(rng, topic, enterprise.city),
                is_open_call=open_call,
                enterprise_key=enterprise.key,
            )
        )
    return out


def provider_text(p: DemoProvider) -> str:
    """The searchable body of a provider: profile plus its service menu."""
    services = "；".join(f"{s.title}：{s.description}" for s in p.services)
    return f"{p.expertise}\n服务：{services}"


def export_beir(data: DemoData, out_dir: Path) -> None:
    """Write corpus.jsonl (providers), queries.jsonl (needs) and qrels.tsv in the BEIR layout."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for p in data.providers:
            doc = {
                "_id": p.key,
                "title": p.name if p.name == p.organisation else f"{p.name}｜{p.organisation}",
                "text": provider_text(p),
                "achievements": [f"{a.title}：{a.description}" for a in p.achievements],
                "field": p.fields[0],
                "fields": list(p.fields),
                "region": p.province,
                "city": p.city,
                "kind": p.kind,
            }
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    with (out_dir / "queries.jsonl").open("w", encoding="utf-8") as f:
        for n in data.needs:
            doc = {
                "_id": n.key,
                "title": n.title,
                "text": n.description,
                "field": n.field,
                "region": n.province,
            }
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    with (out_dir / "qrels.tsv").open("w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        for need_key, provider_keys in data.relevant.items():
            for provider_key in provider_keys:
                f.write(f"{need_key}\t{provider_key}\t1\n")


if __name__ == "__main__":  # python -m market.demo.generate OUT_DIR [N_PROVIDERS]: a BEIR set for benchmarks
    import sys

    n_providers = int(sys.argv[2]) if len(sys.argv) > 2 else 320
    export_beir(generate(n_providers=n_providers), Path(sys.argv[1]))
