"""The OpenAPI document and a plain HTML overview of it."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, render_template_string

from market.api.openapi import document
from market.api.spec import operation

DOCS_TEMPLATE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>科创对接 API</title></head>
<body>
<h1>科创对接 API v1</h1>
<p>{{ description }}</p>
<p>Machine-readable: <a href="{{ url_for('api.openapi') }}">openapi.json</a> (OpenAPI 3.1).</p>
<table border="1" cellpadding="4">
<thead><tr><th>Method</th><th>Path</th><th>Auth</th><th>Summary</th><th>Errors</th></tr></thead>
<tbody>
{% for method, path, auth, summary, errors in operations %}
<tr><td>{{ method | upper }}</td><td><code>{{ path }}</code></td>
<td>{{ auth }}</td><td>{{ summary }}</td><td>{{ errors | join(", ") }}</td></tr>
{% endfor %}</tbody></table>
</body></html>"""


@operation(
    "/openapi.json",
    "GET",
    summary="This OpenAPI 3.1 document",
    tag="meta",
    auth="public",
    response={"type": "object"},
)
def openapi() -> Response:
    return jsonify(document())


@operation(
    "/docs",
    "GET",
    summary="A human-readable list of the endpoints",
    tag="meta",
    auth="public",
    response={"type": "string"},
    media_type="text/html",
)
def docs() -> str:
    spec = document()
    return render_template_string(
        DOCS_TEMPLATE, operations=_rows(spec), description=spec["info"]["description"]
    )


def _rows(spec: dict[str, Any]) -> list[tuple[str, str, str, str, list[str]]]:
    """One row per documented operation, from the same document every client reads."""
    rows = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            auth = "token" if {"bearer": []} in op.get("security", []) else "public"
            errors = sorted(code for code in op["responses"] if not code.startswith("2"))
            rows.append((method, path, auth, op.get("summary", ""), errors))
    return rows
