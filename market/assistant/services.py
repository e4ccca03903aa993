"""需求凝练: what the assistant shows beside a need while it is written (or reviewed).

For the text typed so far: the suggested field (a vote of the nearest stored postings, fields.py),
similar past needs (solved ones first, with the providers who solved them), how many providers the
engine would rank as able to help (匹配度 not weak, indexer/calibration.py), the technical terms of the
top-matching profiles (terms.py) and what the text still lacks (checklist.py).

The text is encoded once per request and that one vector asks both indexes: the need index (similar
open needs, and the field votes of needs) and the provider index (the count, the terms, the votes of
profiles). Only the start of the text is encoded (ENCODE_CHARS): the bundled encoder's time grows
with the length (about 0.1 s for 40 characters, 0.3 s for 150 on the development machine), while the
lexical side reads the whole text for the cost of a few postings lists.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select

from indexer import calibration
from indexer.analysis import query_terms
from indexer.documents import Hit, Query
from market import permissions
from market.assistant import checklist, fields, terms
from market.assistant.fields import FieldShare
from market.db import db
from market.errors import Forbidden
from market.i18n import gettext as _
from market.matching import engine
from market.matching.documents import need_query_text
from market.matching.reasons import stop_terms
from market.matching.services import INDEX_ERRORS, index_trouble
from market.needs.models import Need
from market.orders.models import Order
from market.postings import PostingStatus
from market.providers.models import Provider

ENCODE_CHARS = 96
MIN_CHARS = 6  # shorter than this, nothing is ranked: the checklist alone is shown
PROVIDER_POOL = 50
NEED_POOL = 20
PROFILES_FOR_TERMS = 8
MAX_SIMILAR = 5
MAX_SOLVED = 200  # the most recent solved needs compared with the text
# Cosines of the typed text's query vector and a need's indexed text sit between 0.8 and 0.95 for any two
# texts of one language; above this one, the need is shown as similar.
SIMILAR_COSINE = 0.86


@dataclass(frozen=True)
class Draft:
    """What is in the form so far."""

    title: str
    description: str
    field_code: str = ""
    has_budget: bool = False
    has_deadline: bool = False
    need_id: int | None = None  # the need being edited or reviewed: never similar to itself

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.description}".strip()


@dataclass(frozen=True)
class PastNeed:
    need: Need
    similarity: float  # cosine of the two texts
    solved: bool
    solvers: tuple[Provider, ...] = ()  # who solved it on the platform (public profiles only)
    visible: bool = True  # whether the reader may open the need's page (a solved need: its parties, brokers)


@dataclass
class Assistance:
    checklist: list[checklist.Item]
    fields: list[FieldShare] = field(default_factory=list)
    suggested_field: FieldShare | None = None
    providers: int = 0  # ranked with a 匹配度 that is not weak
    top_providers: list[Provider] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    similar: list[PastNeed] = field(default_factory=list)
    notice: str = ""


def require_user(actor: Any) -> None:
    """Enterprise members writing needs and the staff reviewing them; nobody else."""
    if not (permissions.can_create_need(actor) or permissions.can_review(actor)):
        raise Forbidden(_("只有企业用户和经纪人可以使用需求助手。"))


def assist(actor: Any, draft: Draft) -> Assistance:
    require_user(actor)
    result = Assistance(
        checklist=checklist.check(draft.text, has_budget=draft.has_budget, has_deadline=draft.has_deadline)
    )
    if len(draft.text) < MIN_CHARS:
        return result
    try:
        text = draft.text
        vector = _vector(text)
        provider_hits = rank(engine.PROVIDERS, Query(text=text), vector, PROVIDER_POOL)
        need_hits = [h for h in rank(engine.NEEDS, Query(text=text), vector, NEED_POOL) if _other(h, draft)]
    except INDEX_ERRORS as error:
        result.notice = index_trouble(error)
        return result
    result.fields = fields.vote(_neighbours(provider_hits, need_hits))
    result.suggested_field = fields.suggestion(result.fields)
    field_code = draft.field_code or (result.suggested_field.code if result.suggested_field else "")
    helpful = _helpful(provider_hits, text, field_code)
    result.providers = len(helpful)
    providers = _public(Provider, [hit.id for hit in helpful[:PROFILES_FOR_TERMS]])
    result.top_providers = list(providers.values())[:3]
    result.terms = terms.expert_terms(
        [_profile_text(p) for p in providers.values()], draft.text, stop_terms()
    )
    result.similar = _solved_similar(actor, vector, draft) + _open_similar(need_hits)
    del result.similar[MAX_SIMILAR:]
    return result


def _vector(text: str) -> np.ndarray:
    # The inner encoder, not the stored one: a text being typed is not worth a row in the query store.
    return engine.encoder().inner.encode_queries([text[:ENCODE_CHARS]])[0]


def stored_vectors(texts: list[str]) -> np.ndarray:
    """Query vectors of postings' texts, as the engine stored them when it indexed them (found in the
    query store instead of being encoded again)."""
    return engine.encoder().encode_queries(texts)


def rank(kind: str, query: Query, vector: np.ndarray, k: int) -> list[Hit]:
    """The index's own ranking for an already encoded query (Elasticsearch encodes it itself)."""
    if engine.elastic_url():
        return engine.search(kind, query, k)[0]
    index = engine.index_for(kind)
    view = index.view()
    if view.n_live == 0:
        return []
    return index.search_vector(view, query, query_terms(query.text), vector, k, index.fusion)


def _other(hit: Hit, draft: Draft) -> bool:
    return draft.need_id is None or hit.id != str(draft.need_id)


def _cosine(hit: Hit) -> float:
    return max(hit.doc_dense, hit.best_passage_score)


def _neighbours(provider_hits: list[Hit], need_hits: list[Hit]) -> list[fields.Neighbour]:
    return [
        fields.Neighbour(tuple(hit.filters.get("field", ())), _cosine(hit))
        for hit in provider_hits + need_hits
    ]


def _helpful(hits: list[Hit], text: str, field_code: str) -> list[Hit]:
    """The providers whose 匹配度 for this text is not weak, best first (the same measure as match pages)."""
    stop = stop_terms()
    need_terms = calibration.need_terms(text, stop)
    return [
        hit
        for hit in hits
        if not calibration.is_weak(
            calibration.match_degree(hit, need_terms, stop, field_code in hit.filters.get("field", ()))
        )
    ]


def _public(model: type[Provider] | type[Need], ids: list[str]) -> dict[int, Any]:
    """Rows still public, in the order of `ids` (the index may lag behind the database by a moment)."""
    wanted = [int(i) for i in ids if i.isdecimal()]
    found: Any = db.session.scalars(
        select(model).where(model.id.in_(wanted), model.status == PostingStatus.APPROVED)
    )
    rows = {row.id: row for row in found}
    return {i: rows[i] for i in wanted if i in rows}


def _profile_text(provider: Provider) -> str:
    achievements = "；".join(a.title for a in provider.achievements)
    services = "；".join(s.title for s in provider.services if s.active)
    return "\n".join(part for part in (provider.expertise, achievements, services) if part)


def _open_similar(need_hits: list[Hit]) -> list[PastNeed]:
    near = [hit for hit in need_hits if hit.doc_dense >= SIMILAR_COSINE]
    needs = _public(Need, [hit.id for hit in near])
    return [PastNeed(needs[int(h.id)], h.doc_dense, solved=False) for h in near if int(h.id) in needs]


# -- solved needs: out of the index, compared with vectors kept per process ------------------------

_solved_lock = threading.Lock()
_solved_cache: dict[str, tuple[tuple[Any, ...], list[int], np.ndarray]] = {}


def _solved_similar(actor: Any, vector: np.ndarray, draft: Draft) -> list[PastNeed]:
    ids, matrix = _solved_vectors()
    if not ids:
        return []
    cosines = matrix @ vector
    order = [i for i in np.argsort(-cosines) if cosines[i] >= SIMILAR_COSINE and ids[i] != draft.need_id]
    chosen = [(ids[i], float(cosines[i])) for i in order[:MAX_SIMILAR]]
    needs = {n.id: n for n in db.session.scalars(select(Need).where(Need.id.in_([i for i, _c in chosen])))}
    return [
        PastNeed(
            needs[i],
            cosine,
            solved=True,
            solvers=_solvers(needs[i]),
            visible=permissions.can_view_need(actor, needs[i]),
        )
        for i, cosine in chosen
        if i in needs and needs[i].status == PostingStatus.SOLVED
    ]


def _solved_vectors() -> tuple[list[int], np.ndarray]:
    """The vectors of the latest solved needs, from the query store (written when they were indexed):
    rebuilt only when the set of solved needs or one of them changed."""
    rows = db.session.execute(
        select(Need.id, Need.updated_at)
        .where(Need.status == PostingStatus.SOLVED)
        .order_by(Need.id.desc())
        .limit(MAX_SOLVED)
    ).all()
    key = tuple((row.id, str(row.updated_at)) for row in rows)
    cache_key = str(db.engine.url) + str(engine.encoder().store.path)
    with _solved_lock:
        cached = _solved_cache.get(cache_key)
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    needs = list(db.session.scalars(select(Need).where(Need.id.in_([row.id for row in rows]))))
    ids = [need.id for need in needs]
    matrix = (
        stored_vectors([need_query_text(need) for need in needs])
        if needs
        else np.zeros((0, engine.encoder().dim), np.float32)
    )
    with _solved_lock:
        _solved_cache[cache_key] = (key, ids, matrix)
    return ids, matrix


def _solvers(need: Need) -> tuple[Provider, ...]:
    """The public providers whose signed order solved the need on the platform."""
    if need.solved_how != "platform" or need.solved_order_id is None:
        return ()
    order = db.session.get(Order, need.solved_order_id)
    provider = order.provider if order is not None else None
    return (provider,) if provider is not None and provider.status == PostingStatus.APPROVED else ()
