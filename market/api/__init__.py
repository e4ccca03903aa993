"""JSON API /api/v1 (token-authenticated).

Each module declares its routes with market.api.spec.operation, which also feeds the OpenAPI
document at /api/v1/openapi.json. Importing them here registers the routes on `bp`.
"""

from market.api import (
    account,
    answers,
    ask_broker,
    assistant,
    auth,
    conversations,
    matches,
    meta,
    needs,
    orders,
    providers,
    reference,
    review,
    saved_searches,
    suggest,
    tokens,
)
from market.api.blueprint import bp

__all__ = [
    "account",
    "answers",
    "ask_broker",
    "assistant",
    "auth",
    "bp",
    "conversations",
    "matches",
    "meta",
    "needs",
    "orders",
    "providers",
    "reference",
    "review",
    "saved_searches",
    "suggest",
    "tokens",
]
