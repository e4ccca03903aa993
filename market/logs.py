"""Structured (JSON-lines) logs for production, one object per line, with the request that caused them."""

from __future__ import annotations

import json
import logging
import time
import uuid

from flask import Flask, Response, g, has_request_context, request


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if has_request_context():
            entry.update(method=request.method, path=request.path, request_id=g.get("request_id"))
        # Structured fields given as `extra={"fields": {...}}` (security events, access lines).
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({key: value for key, value in fields.items() if key not in entry})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(app: Flask) -> None:
    """LOG_FORMAT=json (the default under gunicorn in docker-compose) switches to JSON lines."""
    if app.config["LOG_FORMAT"] == "json":
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(str(app.config["LOG_LEVEL"]))

    @app.before_request
    def _request_id() -> None:
        # Reuse the proxy's id when there is one, so one request can be followed across hosts.
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex[:16]

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response
