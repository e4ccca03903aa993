"""The Elasticsearch 8 backend: same `SearchBackend` contract and the same fusion as the embedded one.

Layout (docs/elasticsearch.md): the name given is an alias over one concrete index `<name>-<stamp>`;
`rebuild()` fills a new concrete index and swaps the alias atomically. Documents carry a whole-document
`dense_vector` and their passages as a `nested` field with one `dense_vector` each. BM25 runs on our own
jieba tokens (whitespace-analysed) unless the cluster has the IK or smartcn plugin. Searches fetch
candidates and their evidence from the server and fuse client-side with `indexer.fusion`.

Connection errors and timeouts raise `BackendUnavailable`, so the web app can fall back to the
embedded index.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from itertools import islice
from typing import Any, Literal

import elastic_transport
from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers

from indexer.analysis import query_terms
from indexer.backends.base import EncoderMismatch, Progress
from indexer.backends.elastic_mapping import (
    Analyzer,
    Quantisation,
    choose_analyzer,
    delete_actions,
    document_from_source,
    index_action,
    index_meta,
    index_settings,
    mappings,
    plugins_on_every_node,
)
from indexer.backends.elastic_query import (
    HIT_SOURCE_FIELDS,
    SearchPlan,
    candidate_searches,
    evidence_searches,
    make_plan,
)
from indexer.backends.elastic_rank import (
    SearchFailed,
    build_hits,
    candidate_ids,
    evidence_from,
    rank,
    sources_from_mget,
)
from indexer.documents import Document, Hit, Query
from indexer.encoders import Encoder
from indexer.fusion import FusionConfig
from indexer.preparation import analysed, document_tokens, encode_documents

__all__ = ["BackendUnavailable", "ElasticIndex"]

Refresh = Literal["wait_for", "true", "false"]
_UNAVAILABLE_STATUS = frozenset({429, 502, 503, 504})
_INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_INITIAL_SUFFIX = "initial"


class BackendUnavailable(RuntimeError):
    """Elasticsearch cannot be reached, timed out or is overloaded; the caller may fall back."""


@contextmanager
def unavailable_on_errors(what: str) -> Iterator[None]:
    """Turn connection errors, timeouts and 429/5xx gateway answers into `BackendUnavailable`."""
    try:
        yield
    except (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout) as error:
        raise BackendUnavailable(f"Elasticsearch unreachable during {what}: {error}") from error
    except ApiError as error:
        if error.status_code in _UNAVAILABLE_STATUS:
            raise BackendUnavailable(f"Elasticsearch unavailable during {what}: {error}") from error
        raise
    except SearchFailed as error:
        if error.status in _UNAVAILABLE_STATUS:
            raise BackendUnavailable(f"Elasticsearch unavailable during {what}: {error}") from error
        raise


def make_client(url: str, request_timeout: float, **options: Any) -> Elasticsearch:
    """A client with a short timeout and one retry; credentials may be in the URL."""
    options.setdefault("max_retries", 1)
    options.setdefault("retry_on_timeout", False)
    return Elasticsearch(url, request_timeout=request_timeout, **options)


def _error_type(error: ApiError) -> str:
    body = error.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("type", ""))
    return str(error.message)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(docs)
    while batch := list(islice(iterator, size)):
        yield batch


class ElasticIndex:
    def __init__(
        self,
        client_or_url: Elasticsearch | str,
        name: str,
        encoder: Encoder,
        fusion: FusionConfig | None = None,
        *,
        shards: int = 1,
        replicas: int = 0,
        quantisation: Quantisation = "int8_hnsw",
        analyzer: Analyzer | None = None,
        hnsw_m: int = 16,
        ef_construction: int = 100,
        num_candidates_factor: float = 2.0,
        request_timeout: float = 3.0,
        bulk_timeout: float = 120.0,
        refresh: Refresh = "wait_for",
        encode_batch: int = 64,
        bulk_docs: int = 256,
        catch_up_margin_s: float = 60.0,
        allow_mismatch: bool = False,
    ) -> None:
        """Open the index behind alias `name`, creating `<name>-initial` when there is none.

        `analyzer=None` picks IK, then smartcn, then pretokenised jieba (plugins from `_nodes/plugins`);
        an existing index keeps the analyzer recorded in its `_meta`. Like `EmbeddedIndex`, an index
        built with another encoder raises `EncoderMismatch` unless `allow_mismatch` is set (then
        `needs_rebuild` is true, searches raise and `rebuild()` converts it).
        """
        if not _INDEX_NAME.match(name) or len(name) > 200:
            raise ValueError(f"invalid Elasticsearch index name {name!r} (lower case, digits, . _ -)")
        self._owns_client = isinstance(client_or_url, str)
        base = (
            make_client(client_or_url, request_timeout) if isinstance(client_or_url, str) else client_or_url
        )
        self.client = base.options(request_timeout=request_timeout)
        self._bulk_client = base.options(request_timeout=bulk_timeout)
        self._base_client = base
        self.name = name
        self.encoder = encoder
        self.fusion = fusion or FusionConfig()
        self.shards = shards
        self.replicas = replicas
        self.quantisation: Quantisation = quantisation
        self.requested_analyzer: Analyzer | None = analyzer
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.num_candidates_factor = num_candidates_factor
        self.refresh = refresh
        self.encode_batch = encode_batch
        self.bulk_docs = bulk_docs
        self.catch_up_margin_s = catch_up_margin_s
        with unavailable_on_errors("open"):
            meta = self._open()
        self.analyzer: Analyzer = meta.get("analyzer", "pretokenised")
        stored = (str(meta.get("encoder", "")), int(meta.get("dim", 0)))
        self.needs_rebuild = stored != (encoder.name, encoder.dim)
        if self.needs_rebuild and not allow_mismatch:
            raise EncoderMismatch(stored[0], stored[1], encoder.name, encoder.dim)

    # -- index lifecycle -----------------------------------------------------------------------

    def index_body(self, analyzer: Analyzer, refresh_interval: str | None = None) -> dict[str, Any]:
        """Settings and mappings of a new concrete index (`indices.create(**body)`)."""
        meta = index_meta(self.encoder.name, self.encoder.dim, analyzer, self.quantisation)
        return {
            "settings": index_settings(self.shards, self.replicas, refresh_interval),
            "mappings": mappings(
                self.encoder.dim, analyzer, meta, self.quantisation, self.hnsw_m, self.ef_construction
            ),
        }

    def detect_analyzer(self) -> Analyzer:
        """The configured analyzer, or the best one the cluster's plugins allow."""
        if self.requested_analyzer == "pretokenised":
            return "pretokenised"
        try:
            installed = plugins_on_every_node(self.client.nodes.info(metric="plugins").body)
        except ApiError as error:  # e.g. no `monitor` privilege: stay with what needs no plugin
            if self.requested_analyzer is not None or error.status_code in _UNAVAILABLE_STATUS:
                raise
            installed = set()
        return choose_analyzer(installed, self.requested_analyzer)

    def _open(self) -> dict[str, Any]:
        """The `_meta` of the index behind the alias, creating the first concrete index if needed."""
        try:
            return self._stored_meta()
        except NotFoundError:
            pass
        analyzer = self.detect_analyzer()
        body = self.index_body(analyzer)
        try:
            self.client.indices.create(
                index=f"{self.name}-{_INITIAL_SUFFIX}", aliases={self.name: {}}, **body
            )
        except ApiError as error:  # another process created it first: use theirs
            if _error_type(error) != "resource_already_exists_exception":
                raise
        return self._stored_meta()

    def _stored_meta(self) -> dict[str, Any]:
        response = self.client.indices.get_mapping(index=self.name)
        metas = [entry.get("mappings", {}).get("_meta", {}) for entry in response.values()]
        return dict(metas[0]) if metas else {}

    def alias_targets(self) -> list[str]:
        """Concrete indices behind the alias; `[name]` for a plain index of that name (pre-alias)."""
        try:
            return sorted(self.client.indices.get_alias(name=self.name).body)
        except NotFoundError:
            pass
        if self.client.indices.exists(index=self.name):
            return [self.name]
        return []

    def swap_alias(self, new_index: str, old_indices: Sequence[str]) -> None:
        """Point the alias at `new_index` in one atomic `_aliases` call, then delete the old indices."""
        actions: list[dict[str, Any]] = [{"add": {"index": new_index, "alias": self.name}}]
        for index in old_indices:
            if index == self.name:  # a plain index where the alias must go: removed in the same call
                actions.append({"remove_index": {"index": index}})
            elif index != new_index:
                actions.append({"remove": {"index": index, "alias": self.name}})
        self.client.indices.update_aliases(actions=actions)
        for index in old_indices:
            if index not in (self.name, new_index):
                self.client.indices.delete(index=index, ignore_unavailable=True)

    def drop(self) -> None:
        """Delete the alias and every index behind it (tests, `market` tooling)."""
        with unavailable_on_errors("drop"):
            for index in self.alias_targets():
                self.client.indices.delete(index=index, ignore_unavailable=True)

    def close(self) -> None:
        if self._owns_client:
            self._base_client.close()

    # -- writing -------------------------------------------------------------------------------

    def _require_current_encoder(self) -> None:
        if self.needs_rebuild:
            meta = self._stored_meta()
            raise EncoderMismatch(
                str(meta.get("encoder", "")), int(meta.get("dim", 0)), self.encoder.name, self.encoder.dim
            )

    def bulk_actions(
        self, index: str, docs: Iterable[Document], analyzer: Analyzer, pool: Executor | None = None
    ) -> Iterator[dict]:
        """Index actions, encoded `encode_batch` documents at a time (lazily, as bulk consumes them);
        with a `pool` the batch's tokens are made there while this process encodes."""
        for batch in _batches(docs, self.encode_batch):
            analysing = analysed(batch, document_tokens, pool)
            vectors = encode_documents(batch, self.encoder)
            tokens = list(analysing)
            now = _now_ms()
            for doc, doc_vectors, doc_tokens in zip(batch, vectors, tokens, strict=True):
                yield index_action(index, doc, doc_vectors, analyzer, now, doc_tokens)

    def _bulk(self, actions: Iterable[dict], progress: Progress | None, **kwargs: Any) -> None:
        """`helpers.streaming_bulk` in chunks of `bulk_docs`; progress once per chunk."""
        pending = 0
        for _ok, _item in helpers.streaming_bulk(
            self._bulk_client, actions, chunk_size=self.bulk_docs, max_retries=2, **kwargs
        ):
            pending += 1
            if pending >= self.bulk_docs:
                if progress:
                    progress(pending)
                pending = 0
        if pending and progress:
            progress(pending)

    def upsert(self, docs: Iterable[Document], progress: Progress | None = None) -> None:
        with unavailable_on_errors("upsert"):
            self._require_current_encoder()
            self._bulk(self.bulk_actions(self.name, docs, self.analyzer), progress, refresh=self.refresh)

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        with unavailable_on_errors("delete"):
            self._bulk(delete_actions(self.name, ids), None, refresh=self.refresh, ignore_status=(404,))

    def rebuild(
        self,
        docs: Iterable[Document],
        total: int | None = None,
        progress: Progress | None = None,
        pool: Executor | None = None,
    ) -> None:
        """Fill `<name>-<stamp>` (refresh off), copy over upserts made meanwhile, swap the alias.

        Searches keep using the old index until the swap. Deletes made while the rebuild runs are not
        carried over (see docs/elasticsearch.md). With a process `pool` the jieba tokens are made there."""
        started_ms = _now_ms()
        new_index = f"{self.name}-{_stamp()}"
        with unavailable_on_errors("rebuild"):
            analyzer = self.detect_analyzer()
            self.client.indices.create(index=new_index, **self.index_body(analyzer, refresh_interval="-1"))
            try:
                self._bulk(self.bulk_actions(new_index, docs, analyzer, pool), progress)
                old = self.alias_targets()
                self._catch_up(old, new_index, analyzer, started_ms)
                self.client.indices.put_settings(
                    index=new_index, settings={"index": {"refresh_interval": None}}
                )
                self.client.indices.refresh(index=new_index)
                self.swap_alias(new_index, old)
            except BaseException:
                self._discard(new_index)
                raise
        self.analyzer = analyzer
        self.needs_rebuild = False

    def _catch_up(self, old: Sequence[str], new_index: str, analyzer: Analyzer, since_ms: int) -> None:
        """Re-encode into the new index what was upserted into the old one since the rebuild began."""
        if not old:
            return
        cutoff = since_ms - int(self.catch_up_margin_s * 1000)
        self.client.indices.refresh(index=",".join(old))
        recent = helpers.scan(
            self.client,
            index=",".join(old),
            query={
                "query": {"range": {"indexed_at": {"gte": cutoff}}},
                "_source": ["id", "title", "text", "passages", "filters"],
            },
        )
        docs = [document_from_source(hit["_source"]) for hit in recent]
        if docs:
            self._bulk(self.bulk_actions(new_index, docs, analyzer), None)

    def _discard(self, index: str) -> None:
        # Best effort: the error that made the rebuild fail matters more.
        with suppress(ApiError, elastic_transport.TransportError):
            self.client.indices.delete(index=index, ignore_unavailable=True)

    # -- reading -------------------------------------------------------------------------------

    def count(self) -> int:
        with unavailable_on_errors("count"):
            return int(self.client.count(index=self.name)["count"])

    def ids(self) -> set[str]:
        with unavailable_on_errors("ids"):
            query = {"query": {"match_all": {}}, "_source": False}
            hits = helpers.scan(self.client, index=self.name, query=query, size=1000)
            return {str(hit["_id"]) for hit in hits}

    def plan(self, query: Query, config: FusionConfig) -> tuple[SearchPlan, list[str]]:
        """The request plan and jieba query terms (the query vector comes from the encoder's cache)."""
        terms = query_terms(query.text)
        vector = self.encoder.encode_queries([query.text])[0]
        plan = make_plan(
            self.name,
            self.analyzer,
            terms,
            query.text,
            vector,
            query.filters,
            config,
            num_candidates_factor=self.num_candidates_factor,
            shards=self.shards,
        )
        return plan, terms

    def search(self, query: Query, k: int = 20, fusion: FusionConfig | None = None) -> list[Hit]:
        """Top `k` documents; `fusion` overrides the index's fusion config for this call."""
        config = fusion or self.fusion
        with unavailable_on_errors("search"):
            self._require_current_encoder()
            if not query.text.strip() or k <= 0:
                return []
            plan, terms = self.plan(query, config)
            return self._search(plan, query, terms, k, config)

    def _search(
        self, plan: SearchPlan, query: Query, terms: list[str], k: int, config: FusionConfig
    ) -> list[Hit]:
        lines = candidate_searches(plan)
        if not lines:
            return []
        ids = candidate_ids(self.client.msearch(searches=lines)["responses"])
        if not ids:
            return []
        responses = self.client.msearch(searches=evidence_searches(plan, ids))["responses"]
        evidence = evidence_from(ids, responses, has_lexical=plan.lexical is not None)
        ranked = rank(evidence, query, k, config)
        top_ids = [evidence.ids[i] for i in ranked.order]
        fetched = self.client.mget(index=self.name, ids=top_ids, source_includes=HIT_SOURCE_FIELDS)
        return build_hits(evidence, ranked, sources_from_mget(fetched.body), terms)
