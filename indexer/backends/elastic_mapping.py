"""What the Elasticsearch backend writes: the index body (settings, mapping, `_meta`) and bulk actions.

Pure functions over plain data, so they are tested without a server (tests/indexer/test_elastic.py).
See docs/elasticsearch.md for the reasoning behind each choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np

from indexer.backends.embedded import BM25_B, BM25_K1
from indexer.documents import Document, Passage, as_values
from indexer.preparation import lexical_text

Analyzer = Literal["ik", "smartcn", "pretokenised"]
Quantisation = Literal["int8_hnsw", "hnsw"]

SCHEMA_VERSION = 1
SIMILARITY = "kechuang_bm25"
# Preference order when the cluster offers a plugin: IK's ik_max_word, like jieba's search mode,
# also emits the sub-words of a compound; smartcn emits one segmentation only.
PLUGIN_OF: dict[str, str] = {"ik": "analysis-ik", "smartcn": "analysis-smartcn"}
PLUGIN_ANALYZER: dict[str, str] = {"ik": "ik_max_word", "smartcn": "smartcn"}
# The field BM25 runs on for each analyzer mode.
LEXICAL_FIELD: dict[str, str] = {"pretokenised": "tokens", "ik": "content", "smartcn": "content"}
# Digits kept for vector components in bulk JSON: cosines move by ~1e-6, the payload halves.
VECTOR_DIGITS = 6


def plugins_on_every_node(nodes_info: Mapping[str, Any]) -> set[str]:
    """Plugins installed on every node, from `GET _nodes/plugins` (`client.nodes.info(metric="plugins")`).

    A plugin present on only some nodes is unusable: a shard on a node without it fails to open."""
    per_node = [
        {plugin.get("name", "") for plugin in node.get("plugins", [])}
        for node in nodes_info.get("nodes", {}).values()
    ]
    if not per_node:
        return set()
    return set.intersection(*per_node)


def choose_analyzer(installed: Iterable[str], wanted: Analyzer | None = None) -> Analyzer:
    """`wanted` if its plugin is installed (ValueError otherwise); with None the best available."""
    installed = set(installed)
    if wanted is not None:
        if wanted != "pretokenised" and PLUGIN_OF[wanted] not in installed:
            raise ValueError(f"analyzer {wanted!r} needs the {PLUGIN_OF[wanted]} plugin on every node")
        return wanted
    for mode in ("ik", "smartcn"):
        if PLUGIN_OF[mode] in installed:
            return mode  # type: ignore[return-value]
    return "pretokenised"


def vector_mapping(dim: int, quantisation: Quantisation, m: int, ef_construction: int) -> dict[str, Any]:
    return {
        "type": "dense_vector",
        "element_type": "float",
        "dims": dim,
        "index": True,
        "similarity": "cosine",
        "index_options": {"type": quantisation, "m": m, "ef_construction": ef_construction},
    }


def _stored_only(kind: str) -> dict[str, Any]:
    """A field kept in `_source` for display, not searchable."""
    if kind == "keyword":
        return {"type": "keyword", "index": False, "doc_values": False}
    return {"type": "text", "index": False}


def mappings(
    dim: int,
    analyzer: Analyzer,
    meta: Mapping[str, Any],
    quantisation: Quantisation = "int8_hnsw",
    m: int = 16,
    ef_construction: int = 100,
) -> dict[str, Any]:
    vector = vector_mapping(dim, quantisation, m, ef_construction)
    properties: dict[str, Any] = {
        "id": {"type": "keyword"},
        "title": _stored_only("text"),
        "text": _stored_only("text"),
        # Our jieba tokens joined by spaces: the BM25 field in pretokenised mode, and in every mode
        # what matched_terms is computed from (the same terms the embedded backend reports).
        "tokens": {"type": "text", "analyzer": "whitespace", "similarity": SIMILARITY}
        if analyzer == "pretokenised"
        else _stored_only("text"),
        "filters": {"type": "object", "dynamic": True},
        "vector": vector,
        "passages": {
            "type": "nested",
            "properties": {
                "key": _stored_only("keyword"),
                "label": _stored_only("text"),
                "text": _stored_only("text"),
                "vector": vector,
            },
        },
        "indexed_at": {"type": "date", "format": "epoch_millis"},
    }
    if analyzer != "pretokenised":
        plugin_analyzer = PLUGIN_ANALYZER[analyzer]
        properties["content"] = {"type": "text", "analyzer": plugin_analyzer, "similarity": SIMILARITY}
    return {
        "dynamic": "strict",
        "_meta": dict(meta),
        # Vectors are indexed (HNSW + raw floats) but not kept in _source: JSON floats would triple
        # the disk use, and a rebuild re-encodes from the database anyway. `content` duplicates text.
        "_source": {"excludes": ["vector", "passages.vector", "content"]},
        "dynamic_templates": [
            {"filters_as_keywords": {"path_match": "filters.*", "mapping": {"type": "keyword"}}}
        ],
        "properties": properties,
    }


def index_settings(shards: int, replicas: int, refresh_interval: str | None = None) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        # Same BM25 parameters as the embedded backend.
        "similarity": {SIMILARITY: {"type": "BM25", "k1": BM25_K1, "b": BM25_B}},
    }
    if refresh_interval is not None:
        settings["refresh_interval"] = refresh_interval
    return {"index": settings}


def index_meta(encoder_name: str, dim: int, analyzer: Analyzer, quantisation: Quantisation) -> dict[str, Any]:
    return {
        "encoder": encoder_name,
        "dim": dim,
        "analyzer": analyzer,
        "quantisation": quantisation,
        "schema": SCHEMA_VERSION,
        "created_by": "indexer.backends.elastic",
    }


def rounded(vector: np.ndarray) -> list[float]:
    return np.round(np.asarray(vector, dtype=np.float64), VECTOR_DIGITS).tolist()


def document_source(
    doc: Document,
    vectors: np.ndarray,
    analyzer: Analyzer,
    indexed_at_ms: int,
    tokens: Sequence[str],
) -> dict[str, Any]:
    """The `_source` of one document; `vectors` row 0 is the whole document, then one per passage
    (`indexer.preparation.encode_documents`); `tokens` are its `indexer.preparation.document_tokens`."""
    if len(vectors) != 1 + len(doc.passages):
        raise ValueError(f"document {doc.id!r}: {len(vectors)} vectors for {len(doc.passages)} passages")
    text = lexical_text(doc)
    source: dict[str, Any] = {
        "id": doc.id,
        "title": doc.title,
        "text": doc.text,
        "tokens": " ".join(tokens),
        "filters": {key: list(as_values(value)) for key, value in doc.filters.items()},
        "vector": rounded(vectors[0]),
        "passages": [
            {"key": p.key, "label": p.label, "text": p.text, "vector": rounded(vector)}
            for p, vector in zip(doc.passages, vectors[1:], strict=True)
        ],
        "indexed_at": indexed_at_ms,
    }
    if analyzer != "pretokenised":
        source["content"] = text
    return source


def index_action(
    index: str,
    doc: Document,
    vectors: np.ndarray,
    analyzer: Analyzer,
    indexed_at_ms: int,
    tokens: Sequence[str],
) -> dict[str, Any]:
    return {
        "_op_type": "index",
        "_index": index,
        "_id": doc.id,
        "_source": document_source(doc, vectors, analyzer, indexed_at_ms, tokens),
    }


def delete_actions(index: str, ids: Sequence[str]) -> list[dict[str, Any]]:
    return [{"_op_type": "delete", "_index": index, "_id": doc_id} for doc_id in ids]


def document_from_source(source: Mapping[str, Any]) -> Document:
    """Back from `_source` (vectors excluded) to a Document, for re-encoding during a rebuild."""
    return Document(
        id=str(source["id"]),
        title=source.get("title", ""),
        text=source.get("text", ""),
        passages=tuple(passage_from_source(p) for p in source.get("passages", ())),
        filters={key: tuple(values) for key, values in source.get("filters", {}).items()},
    )


def passage_from_source(source: Mapping[str, Any]) -> Passage:
    return Passage(source.get("key", ""), source.get("label", ""), source.get("text", ""))
