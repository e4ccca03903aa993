"""Conversations (沟通消息): my threads with unread counts, one thread, posting a message, marking read,
a message's file. The page's form (market.conversations.forms.PostForm) checks each body."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, send_file

from market.api import serialize
from market.api.auth import require_user
from market.api.bodies import check_shape, form_schema, json_object, no_body, validated
from market.api.params import PAGING
from market.api.spec import Body, operation, page_of, ref
from market.conversations import forms, services
from market.conversations.serialize import message_json, thread_detail_json, thread_json
from market.pagination import paginate

JSON = dict[str, Any]
THREAD = "/threads/<int:thread_id>"


def threads_page() -> JSON:
    schema = page_of("Thread")
    schema["properties"]["unread"] = {
        "type": "integer",
        "minimum": 0,
        "description": "All my unread messages",
    }
    schema["required"] = [*schema["required"], "unread"]
    return schema


@operation(
    "/threads",
    "GET",
    summary="My conversations (one per proposal and per order I am part of, or of my regions), latest first",
    tag="conversations",
    query=PAGING,
    response=threads_page(),
)
def list_threads() -> JSON:
    actor = require_user()
    page = paginate(services.my_threads(actor))
    unread = services.unread_by_thread(actor, [t.id for t in page.items])
    listed = serialize.page(page, lambda t: thread_json(t, unread.get(t.id, 0)))
    return {**listed, "unread": services.unread_total(actor)}


@operation(
    THREAD,
    "GET",
    summary="One conversation with its messages",
    tag="conversations",
    response=ref("ThreadDetail"),
)
def get_thread(thread_id: int) -> JSON:
    actor = require_user()
    thread = services.get_visible_thread(actor, thread_id)
    unread = services.unread_by_thread(actor, [thread.id]).get(thread.id, 0)
    return thread_detail_json(actor, thread, unread)


def post_body() -> JSON:
    return form_schema(forms.PostForm)


@operation(
    f"{THREAD}/messages",
    "POST",
    summary="Post a message (text; files are sent from the conversation page); the other side is notified",
    tag="conversations",
    body=Body(post_body, "body: the message text (it must not be empty here, as no file comes with it)"),
    status=201,
    response=ref("ThreadMessage"),
)
def post_message(thread_id: int) -> tuple[JSON, int]:
    actor = require_user()
    services.get_visible_thread(actor, thread_id)  # outsiders get the 404 before their body is judged
    payload = json_object()
    check_shape(payload, post_body())
    body = validated(forms.PostForm, payload).text()
    return message_json(actor, services.post_message(actor, thread_id, body)), 201


@operation(
    f"{THREAD}/read",
    "POST",
    summary="Mark a conversation read up to its latest message; answers my unread messages left in all",
    tag="conversations",
    response=ref("Unread"),
    errors=(400,),
)
def read_thread(thread_id: int) -> JSON:
    actor = require_user()
    thread = services.get_visible_thread(actor, thread_id)
    no_body()
    services.mark_read(actor, thread)
    return {"unread": services.unread_total(actor)}


@operation(
    "/thread-files/<int:file_id>",
    "GET",
    summary="Download a message's file (always as application/octet-stream)",
    tag="conversations",
    response={"type": "string", "format": "binary"},
    media_type="application/octet-stream",
)
def download_thread_file(file_id: int) -> Response:
    stored = services.downloadable_file(require_user(), file_id)
    response = send_file(
        io.BytesIO(stored.data),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=stored.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
