"""The suggestion store on its own: prefix ranges, document frequencies, replacing, damage."""

from __future__ import annotations

from pathlib import Path

from market.suggest.store import Entry, SuggestStore


def _entry(posting_id: int, title: str, *terms: str) -> Entry:
    return Entry(posting_id, title, frozenset(terms), frozenset({title.lower(), *terms}))


def test_prefix_lookup_most_frequent_first(tmp_path: Path) -> None:
    store = SuggestStore(tmp_path / "s.sqlite")
    store.rebuild(
        "needs",
        [
            (1, _entry(1, "污泥脱水", "污泥", "脱水")),
            (2, _entry(2, "污泥干化", "污泥", "干化")),
            (3, _entry(3, "污水管网", "污水", "管网")),
        ],
    )
    assert [(t.key, t.df) for t in store.terms("needs", "污", 10)] == [("污泥", 2), ("污水", 1)]
    assert store.terms("needs", "污泥", 10)[0].key == "污泥"
    assert store.terms("needs", "泥", 10) == []  # a prefix, not a substring
    assert store.terms("providers", "污", 10) == []  # kinds are apart
    assert [t.title for t in store.titles("needs", "脱", 10)] == ["污泥脱水"]
    assert [t.posting_id for t in store.titles("needs", "污", 10)] == [3, 1, 2]  # by the word matched
    assert len(store.titles("needs", "污", 2)) == 2
    assert store.terms("needs", "污", 1) == store.terms("needs", "污", 10)[:1]
    assert [t.key for t in store.terms("needs", "污泥", 10)] == ["污泥"]  # two characters: the head2 index
    assert [t.key for t in store.terms("needs", "污泥脱", 10)] == []  # three: the key range


def test_replacing_an_owner_keeps_frequencies_right(tmp_path: Path) -> None:
    store = SuggestStore(tmp_path / "s.sqlite")
    store.rebuild(
        "services", [(7, _entry(70, "检测服务", "检测")), (7, _entry(71, "检测培训", "检测", "培训"))]
    )
    store.rebuild("needs", [(1, _entry(1, "检测设备", "检测"))])
    assert store.df("services", "检测") == 2 and store.entry_count("services") == 2
    store.replace("services", {7: [_entry(71, "检测培训", "检测", "培训")]})
    assert store.df("services", "检测") == 1 and store.entry_count("services") == 1
    assert [t.title for t in store.titles("services", "检测", 10)] == ["检测培训"]
    store.replace("services", {7: []})  # the provider is no longer public
    assert store.df("services", "检测") == 0 and store.terms("services", "检", 10) == []
    assert store.titles("services", "检", 10) == []
    assert store.df("needs", "检测") == 1  # another kind is untouched


def test_latin_and_the_highest_code_points(tmp_path: Path) -> None:
    store = SuggestStore(tmp_path / "s.sqlite")
    store.rebuild(
        "needs", [(1, _entry(1, "LED 封装", "led", "封装", "ledger")), (2, _entry(2, "𠀀测试", "𠀀"))]
    )
    assert [t.key for t in store.terms("needs", "le", 10)] == ["led", "ledger"]
    assert [t.key for t in store.terms("needs", "𠀀", 10)] == ["𠀀"]  # beyond the BMP


def test_a_damaged_file_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    store = SuggestStore(path)
    assert not store.is_built("needs")
    store.rebuild("needs", [(1, _entry(1, "污泥", "污泥"))])
    assert store.is_built("needs") and store.df("needs", "污泥") == 1
