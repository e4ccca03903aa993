"""One Python description of every API operation.

`operation` registers a view on the blueprint *and* records what it takes and returns, so the
OpenAPI document (`document()`) is generated from the same declarations the routes come from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from market.api.blueprint import bp
from market.ids import MAX_ID

JSON = dict[str, Any]
View = TypeVar("View", bound=Callable[..., Any])
Auth = Literal["public", "optional", "token"]

ERROR_TEXT: dict[int, str] = {
    400: "Bad request: malformed JSON, a non-JSON body, unknown fields or values of the wrong type",
    401: "Missing, invalid or revoked API token (or wrong credentials)",
    403: "The token's user may not do this",
    404: "Not found, or not visible to this user (drafts of others answer 404)",
    409: "The object's state does not allow this action",
    422: "Validation failed; `fields` holds the messages per field",
    429: "Too many requests",
    503: "A service the request needs is down for the moment; retry after `Retry-After` seconds",
}


@dataclass(frozen=True)
class Param:
    """A query-string parameter."""

    name: str
    description: str
    schema: JSON = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class Body:
    """A JSON request body; `schema` is called when the document is built (choices come from the database)."""

    schema: Callable[[], JSON]
    description: str = ""
    required: bool = True  # False: the body may be left out (an empty body is {})
    media_type: str = "application/json"
    # Further media types the operation also takes, each with its schema (e.g. multipart/form-data
    # for a message that carries a file besides its JSON form).
    also: tuple[tuple[str, Callable[[], JSON]], ...] = ()


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    tag: str
    auth: Auth
    query: tuple[Param, ...]
    body: Body | None
    status: int
    response: JSON | None
    errors: tuple[int, ...]
    media_type: str

    @property
    def path(self) -> str:
        return openapi_path(self.rule)


OPERATIONS: list[Operation] = []


def operation(
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    auth: Auth = "token",
    query: tuple[Param, ...] = (),
    body: Body | None = None,
    status: int = 200,
    response: JSON | None = None,
    errors: tuple[int, ...] = (),
    media_type: str = "application/json",
) -> Callable[[View], View]:
    """Register `view` at `rule` for `method` and describe it for the OpenAPI document."""

    def register(view: View) -> View:
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=view, methods=[method])
        OPERATIONS.append(
            Operation(
                method.lower(),
                rule,
                view.__name__,
                summary,
                tag,
                auth,
                query,
                body,
                status,
                response,
                _all_errors(rule, auth, body, errors),
                media_type,
            )
        )
        return view

    return register


def _all_errors(rule: str, auth: Auth, body: Body | None, errors: tuple[int, ...]) -> tuple[int, ...]:
    implied: set[int] = set(errors)
    if auth != "public":
        implied.add(401)
    if body is not None:
        implied.update((400, 422))
    if "<" in rule:
        implied.add(404)
    return tuple(sorted(implied))


_CONVERTER = re.compile(r"<(?:(?P<conv>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def openapi_path(rule: str) -> str:
    """'/needs/<int(max=9):need_id>' -> '/api/v1/needs/{need_id}'."""
    return (bp.url_prefix or "") + _CONVERTER.sub(lambda m: "{" + m["name"] + "}", rule)


def path_parameters(rule: str) -> list[JSON]:
    params = []
    for match in _CONVERTER.finditer(rule):
        schema: JSON = {"type": "string"}
        if match["conv"] == "int":
            schema = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
        elif match["conv"] == "any":
            schema = {"type": "string", "enum": [a.strip() for a in (match["args"] or "").split(",")]}
        params.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return params


def ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(name: str) -> JSON:
    """The schema of a list response: {items, page, per_page, total}."""
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "additionalProperties": False,
        "properties": {
            "items": {"type": "array", "items": ref(name)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 0},
            "total": {"type": "integer", "minimum": 0},
        },
    }
