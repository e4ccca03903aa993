"""`indexing.documents(kind, ids)`: the public postings among `ids`, in id order, a slice of ids per
statement (PostgreSQL takes at most 65,535 parameters; a 100,000-provider benchmark asked for all)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from market.matching import engine, indexing
from tests.factories import APPROVED


def test_documents_of_many_ids_come_a_slice_at_a_time_in_id_order(
    app: Flask, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = make.user("enterprise")
    public = [make.need(owner, status=APPROVED, title=f"公开需求{n}") for n in range(5)]
    draft = make.need(owner, title="草稿需求")
    monkeypatch.setattr(indexing, "_IDS_PER_QUERY", 2)
    with app.app_context():
        found = [doc.id for doc in indexing.documents(engine.NEEDS, {*public, draft})]
    assert found == [str(need_id) for need_id in sorted(public)]
