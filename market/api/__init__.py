"""JSON API /api/v1 (token-authenticated)."""

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.route("/openapi.json")
def openapi() -> Response:
    return jsonify({"openapi": "3.1.0", "info": {"title": "科创对接 API", "version": "1"}, "paths": {}})
