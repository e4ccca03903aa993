"""JSON API /api/v1 (token-authenticated).

Each module declares its routes with market.api.spec.operation, which also feeds the OpenAPI
document at /api/v1/openapi.json. Importing them here registers the routes on `bp`.
"""

from market.api import answers, auth, conversations, meta, needs, orders, providers, reference, review, tokens
from market.api.blueprint import bp

__all__ = [
    "answers",
    "auth",
    "bp",
    "conversations",
    "meta",
    "needs",
    "orders",
    "providers",
    "reference",
    "review",
    "tokens",
]
