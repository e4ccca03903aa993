"""The contract every `SearchBackend` must honour, written once and run against each backend.

`test_backends.py` collects `BackendContract` with the parametrised `make_backend` fixture from
conftest, so a new backend only has to be added to the fixture list.
"""

from __future__ import annotations

from indexer.documents import Document, Passage, Query
from indexer.processes import spawned_pool

PROVIDERS: tuple[Document, ...] = (
    Document(
        id="alloy",
        title="张教授 高温合金团队",
        text="长期从事镍基高温合金、航空发动机涡轮叶片材料与工艺研究。",
        passages=(
            Passage(
                "achievement:1",
                "单晶叶片铸造缺陷控制",
                "解决了单晶涡轮叶片定向凝固中的杂晶和雀斑缺陷，成品率提高三成。",
            ),
            Passage("service:2", "检验检测", "提供高温持久、蠕变和疲劳性能测试服务。"),
        ),
        filters={"field": ("materials", "aerospace"), "province": "44", "kind": "expert"},
    ),
    Document(
        id="battery",
        title="李研究员 动力电池实验室",
        text="研究锂离子电池正极材料、电解液和电池管理系统。",
        passages=(
            Passage(
                "achievement:3",
                "高镍正极包覆改性",
                "通过表面包覆抑制高镍三元正极的容量衰减，循环寿命提升一倍。",
            ),
        ),
        filters={"field": ("energy", "ev"), "province": "32", "kind": "team"},
    ),
    Document(
        id="irrigation",
        title="王博士 智慧农业",
        text="设施农业的智能灌溉、水肥一体化与温室环境控制。",
        filters={"field": "agri", "province": "44", "kind": "expert"},
    ),
    Document(
        id="wastewater",
        title="节能环保服务团",
        text="工业废水处理、印染废水脱色和膜分离回用工艺。",
        passages=(
            Passage("achievement:4", "印染废水深度处理", "开发了臭氧催化氧化加膜分离的印染废水回用工艺。"),
        ),
        filters={"field": ("environment",), "province": "33", "kind": "society"},
    ),
)


def _ids(hits: list) -> list[str]:
    return [hit.id for hit in hits]


def _ranking(hits: list) -> list[tuple[str, float, tuple[str, ...]]]:
    return [(hit.id, round(hit.score, 6), tuple(sorted(hit.matched_terms))) for hit in hits]


class BackendContract:
    """Test methods shared by all backends; `make_backend(path=tmp_path)` opens one."""

    def test_empty_index_returns_nothing(self, make_backend) -> None:
        backend = make_backend()
        assert backend.count() == 0
        assert backend.ids() == set()
        assert backend.search(Query("电池")) == []

    def test_finds_the_relevant_provider_first(self, make_backend) -> None:
        backend = make_backend()
        backend.upsert(PROVIDERS)
        assert backend.count() == len(PROVIDERS)
        assert _ids(backend.search(Query("我们的电动车电池用了一年容量就掉得很厉害")))[0] == "battery"
        assert _ids(backend.search(Query("印染厂排出的废水颜色很深，达不到排放标准")))[0] == "wastewater"

    def test_hit_explains_itself(self, make_backend) -> None:
        backend = make_backend()
        backend.upsert(PROVIDERS)
        hit = backend.search(Query("涡轮叶片铸造时出现杂晶缺陷"), k=1)[0]
        assert hit.id == "alloy"
        assert hit.best_passage is not None and hit.best_passage.key == "achievement:1"
        assert hit.best_passage_key == "achievement:1"  # known without reading the passage
        assert 0.0 < hit.best_passage_score <= 1.0
        assert "杂晶" in hit.matched_terms and "叶片" in "".join(hit.matched_terms)
        assert hit.lexical > 0 and hit.dense > 0 and hit.score > 0
        assert hit.boosts == {}

    def test_provider_without_passages_has_no_best_passage(self, make_backend) -> None:
        backend = make_backend()
        backend.upsert(PROVIDERS)
        hit = backend.search(Query("温室大棚浇水施肥自动化"), k=1)[0]
        assert hit.id == "irrigation"
        assert hit.best_passage is None and hit.best_passage_key == ""

    def test_hard_filters_and_across_keys_or_within(self, make_backend) -> None:
        backend = make_backend()
        backend.upsert(PROVIDERS)
        in_guangdong = backend.search(Query("材料", filters={"province": ("44",)}))
        assert set(_ids(in_guangdong)) == {"alloy", "irrigation"}
        either = backend.search(Query("材料", filters={"province": ("32", "33")}))
        assert set(_ids(either)) == {"battery", "wastewater"}
        both = backend.search(
            Query("材料", filters={"province": ("44",), "kind": ("expert",), "field": ("agri",)})
        )
        assert _ids(both) == ["irrigation"]
        assert backend.search(Query("材料", filters={"province": ("99",)})) == []

    def test_soft_boosts_are_reported_and_lift(self, make_backend) -> None:
        backend = make_backend()
        backend.upsert(PROVIDERS)
        query_text = "产品质量问题需要技术攻关"
        plain = {hit.id: hit for hit in backend.search(Query(query_text))}
        boosted = {hit.id: hit for hit in backend.search(Query(query_text, boosts={"field": ("agri", "xx")}))}
        assert boosted["irrigation"].boosts == {"field": boosted["irrigation"].boosts["field"]}
        assert boosted["irrigation"].boosts["field"] > 0
        assert boosted["irrigation"].score > plain["irrigation"].score
        assert boosted["battery"].boosts == {}

    def test_upsert_replaces_a_document(self, make_backend) -> None:
        backend = make_backend()
        backend.upsert(PROVIDERS)
        backend.upsert(
            [Document("irrigation", "王博士", "水下机器人与海洋观测浮标", filters={"province": "44"})]
        )
        assert backend.count() == len(PROVIDERS)
        assert _ids(backend.search(Query("海洋观测浮标"), k=1)) == ["irrigation"]
        assert _ids(backend.search(Query("灌溉", filters={"field": ("agri",)}))) == []

    def test_delete_removes(self, make_backend) -> None:
        backend = make_backend()
        backend.upsert(PROVIDERS)
        backend.delete(["battery", "not-there"])
        assert backend.count() == len(PROVIDERS) - 1
        assert "battery" not in backend.ids()
        assert "battery" not in _ids(backend.search(Query("锂电池正极材料")))

    def test_rebuild_replaces_everything(self, make_backend) -> None:
        backend = make_backend()
        backend.upsert(PROVIDERS)
        progress: list[int] = []
        backend.rebuild(PROVIDERS[:2], total=2, progress=progress.append)
        assert sum(progress) == 2
        assert backend.ids() == {"alloy", "battery"}
        assert backend.count() == 2

    def test_rebuild_analysing_in_a_process_pool_ranks_the_same(self, make_backend) -> None:
        queries = [
            Query("单晶叶片杂晶缺陷"),
            Query("印染废水回用"),
            Query("锂电池正极", filters={"province": ("32", "44")}),
        ]
        backend = make_backend()
        backend.rebuild(PROVIDERS)
        alone = [_ranking(backend.search(query)) for query in queries]
        with spawned_pool(1) as pool:
            progress: list[int] = []
            backend.rebuild(reversed(PROVIDERS), total=len(PROVIDERS), progress=progress.append, pool=pool)
        assert sum(progress) == len(PROVIDERS)
        pooled = [_ranking(backend.search(query)) for query in queries]
        assert all(alone) and [sorted(r) for r in pooled] == [sorted(r) for r in alone]

    def test_k_limits_results(self, make_backend) -> None:
        backend = make_backend()
        backend.upsert(PROVIDERS)
        assert len(backend.search(Query("技术"), k=2)) == 2
        hits = backend.search(Query("技术"), k=10)
        assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)

    def test_reopen_keeps_content(self, make_backend) -> None:
        backend = make_backend()
        backend.upsert(PROVIDERS)
        backend.delete(["irrigation"])
        backend.close()
        reopened = make_backend()
        assert reopened.ids() == {"alloy", "battery", "wastewater"}
        assert _ids(reopened.search(Query("印染废水"), k=1)) == ["wastewater"]
