"""Threads and messages as JSON, and their JSON Schemas, which market.api.openapi serves.

A hidden message keeps its place but not its text or file for readers who do not moderate the thread.
"""

from __future__ import annotations

from typing import Any

from market.conversations import services
from market.conversations.models import Thread, ThreadMessage
from market.db import utc_iso

JSON = dict[str, Any]
SIDE_CODES = ["enterprise", "provider", "broker"]


def thread_json(thread: Thread, unread: int) -> JSON:
    return {
        "id": thread.id,
        "order_id": thread.order_id,
        "proposal_id": thread.proposal_id,
        "title": thread.title,
        "organisation": {"id": thread.organisation_id, "name": thread.organisation.name},
        "provider": {"id": thread.provider_id, "name": thread.provider.name},
        "last_message_at": utc_iso(thread.last_message_at),
        "unread": unread,
    }


def message_json(actor: Any, message: ThreadMessage) -> JSON:
    shown = services.shows_text(actor, message)
    stored = message.file if shown else None
    return {
        "id": message.id,
        "author": {"id": message.author_id, "name": message.author.name},
        "side": message.side,
        "body": message.body if shown else "",
        "hidden": message.hidden,
        "file": (
            {"id": stored.id, "filename": stored.filename, "kind": stored.kind, "size": stored.size}
            if stored is not None
            else None
        ),
        "created_at": utc_iso(message.created_at),
    }


def thread_detail_json(actor: Any, thread: Thread, unread: int) -> JSON:
    return {**thread_json(thread, unread), "messages": [message_json(actor, m) for m in thread.messages]}


# ---- schemas -------------------------------------------------------------------------------------------


def _obj(properties: JSON) -> JSON:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


_INT: JSON = {"type": "integer"}
_NULL_INT: JSON = {"type": ["integer", "null"]}
_STR: JSON = {"type": "string"}
_MOMENT: JSON = {"type": "string", "format": "date-time", "description": "UTC"}
_NAMED: JSON = _obj({"id": _INT, "name": _STR})
_THREAD: JSON = {
    "id": _INT,
    "order_id": {**_NULL_INT, "description": "The order this conversation is about (or proposal_id)"},
    "proposal_id": {**_NULL_INT, "description": "The proposal (答题) this conversation is about"},
    "title": _STR,
    "organisation": _NAMED,
    "provider": _NAMED,
    "last_message_at": {"type": ["string", "null"], "format": "date-time", "description": "UTC"},
    "unread": {**_INT, "minimum": 0, "description": "Messages of others I have not read"},
}

SCHEMAS: dict[str, JSON] = {
    "Thread": _obj(_THREAD),
    "ThreadDetail": _obj({**_THREAD, "messages": {"type": "array", "items": _ref("ThreadMessage")}}),
    "ThreadMessage": _obj(
        {
            "id": _INT,
            "author": _NAMED,
            "side": {"type": "string", "enum": SIDE_CODES},
            "body": {**_STR, "description": "Empty when a broker hid the message (hidden is true)"},
            "hidden": {"type": "boolean"},
            "file": {
                "oneOf": [
                    {"type": "null"},
                    _obj({"id": _INT, "filename": _STR, "kind": _STR, "size": {**_INT, "minimum": 0}}),
                ]
            },
            "created_at": _MOMENT,
        }
    ),
}
