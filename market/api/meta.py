"""The OpenAPI document and a plain HTML overview of it."""

from __future__ import annotations

from flask import Response, jsonify, render_template_string

from market.api.openapi import document
from market.api.spec import OPERATIONS, operation

DOCS_TEMPLATE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>科创对接 API</title></head>
<body>
<h1>科创对接 API v1</h1>
<p>{{ description }}</p>
<p>Machine-readable: <a href="{{ url_for('api.openapi') }}">openapi.json</a> (OpenAPI 3.1).</p>
<table border="1" cellpadding="4">
<thead><tr><th>Method</th><th>Path</th><th>Auth</th><th>Summary</th><th>Errors</th></tr></thead>
<tbody>
{% for op in operations %}<tr><td>{{ op.method | upper }}</td><td><code>{{ op.path }}</code></td>
<td>{{ op.auth }}</td><td>{{ op.summary }}</td><td>{{ op.errors | join(", ") }}</td></tr>
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
    return render_template_string(
        DOCS_TEMPLATE, operations=OPERATIONS, description=document()["info"]["description"]
    )
