"""Building the vocabulary reads the postings in batches: no query per provider (at 100,000 providers a
lazy load of each one's sub-fields was 10-15 % of `market suggest rebuild`'s CPU, docs/search.md)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from market.db import db
from market.postings import PostingStatus
from market.suggest import services
from tests.search.statements import statements


def _providers(make: Any, n: int) -> None:
    for _ in range(n):
        provider_id = make.provider_id_of(make.user("provider"))
        make.service(provider_id)
        make.set_provider_status(provider_id, PostingStatus.APPROVED.value)


def _queries_of_entries(app: Flask, kind: str) -> tuple[int, int]:
    with statements(app) as seen, app.app_context():
        entries = sum(1 for _ in services._all_entries(kind))
        db.session.rollback()
    return entries, len(seen)


def test_the_vocabulary_reads_providers_in_a_fixed_number_of_queries(app: Flask, make: Any) -> None:
    _providers(make, 3)
    for kind in ("providers", "services"):
        _queries_of_entries(app, kind)  # what the process caches once (the taxonomy's names)
    few = {kind: _queries_of_entries(app, kind) for kind in ("providers", "services")}
    _providers(make, 9)
    many = {kind: _queries_of_entries(app, kind) for kind in ("providers", "services")}
    for kind in ("providers", "services"):
        assert (few[kind][0], many[kind][0]) == (3, 12), kind
        assert many[kind][1] == few[kind][1], (kind, few[kind], many[kind])
