"""Building the vocabulary: the postings read in batches, no query per provider (at 100,000 providers a
lazy load of each one's sub-fields was 10-15 % of `market suggest rebuild`'s CPU, docs/search.md)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from indexer.processes import spawned_pool
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


def test_entries_computed_in_processes_are_the_same_in_the_same_order(app: Flask, make: Any) -> None:
    _providers(make, 5)
    make.need(make.user("enterprise"), status=PostingStatus.APPROVED.value)
    with app.app_context(), spawned_pool(2) as pool:
        for kind in services.KINDS:
            alone = list(services._all_entries(kind))
            assert alone, kind
            assert list(services._entries_in(pool, kind)) == alone, kind


def test_the_rebuild_command_takes_processes(app: Flask, make: Any) -> None:
    _providers(make, 2)
    result = app.test_cli_runner().invoke(args=["suggest", "rebuild", "--processes", "2"])
    assert result.exit_code == 0, result.output
    assert "providers: 2 entries" in result.output and "services: 2 entries" in result.output
    with app.app_context():
        assert services.store().entry_count("providers") == 2
    refused = app.test_cli_runner().invoke(args=["suggest", "rebuild", "--processes", "0"])
    assert refused.exit_code != 0 and "--processes" in refused.output
