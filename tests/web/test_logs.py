"""JSON log lines carry the request id the response returns."""

from __future__ import annotations

import json
import logging

from market.logs import JsonFormatter


def test_json_formatter_includes_the_request(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/needs/", headers={"X-Request-ID": "abc123"}):
        app.preprocess_request()
        record = logging.LogRecord("market.test", logging.WARNING, __file__, 1, "需求 %s", ("x",), None)
        entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "需求 x"
    assert entry["path"] == "/needs/"
    assert entry["request_id"] == "abc123"


def test_response_echoes_the_request_id(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/", headers={"X-Request-ID": "trace-1"}).headers["X-Request-ID"] == "trace-1"
    assert len(client.get("/").headers["X-Request-ID"]) == 16
