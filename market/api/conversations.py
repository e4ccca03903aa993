"""Conversations (沟通消息): my threads with unread counts, one thread, posting a message (JSON, or
multipart with a file), marking read, a message's file, a broker's hide and unhide. The page's forms
(market.conversations.forms) check each body."""

from __future__ import annotations

from typing import Any

from flask import Response

from market.api import serialize
from market.api.auth import require_user
from market.api.bodies import check_shape, form_schema, json_object, no_body, validated
from market.api.errors import BadRequest
from market.api.params import PAGING
from market.api.spec import Body, operation, page_of, ref
from market.api.uploads import MULTIPART, is_multipart, multipart_body, multipart_schema
from market.attachments.files import as_download
from market.conversations import forms, services
from market.conversations.serialize import message_json, thread_detail_json, thread_json
from market.conversations.terms import Upload
from market.i18n import gettext as _
from market.pagination import paginate

JSON = dict[str, Any]
THREAD = "/threads/<int:thread_id>"
MESSAGE = "/thread-messages/<int:message_id>"


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


def post_multipart() -> JSON:
    return multipart_schema(post_body()["properties"], {"file": "An optional file (the attachment rules)"})


@operation(
    f"{THREAD}/messages",
    "POST",
    summary="Post a message: JSON {body}, or multipart/form-data with body and/or one file (checked like "
    "a need's attachment: type by name and content, ATTACHMENT_MAX_BYTES); the other side is notified",
    tag="conversations",
    body=Body(
        post_body,
        "body: the message text; to send a file, use multipart/form-data (body may then be empty)",
        also=((MULTIPART, post_multipart),),
    ),
    status=201,
    response=ref("ThreadMessage"),
)
def post_message(thread_id: int) -> tuple[JSON, int]:
    actor = require_user()
    services.get_visible_thread(actor, thread_id)  # outsiders get the 404 before their body is judged
    upload: Upload | None = None
    if is_multipart():
        payload, files = multipart_body(post_body(), ("file",))
        if len(files["file"]) > 1:
            raise BadRequest(
                _("每条消息只能附一个文件。"), field_errors={"file": [_("每条消息只能附一个文件。")]}
            )
        upload = files["file"][0] if files["file"] else None
    else:
        payload = json_object()
        check_shape(payload, post_body())
    body = validated(forms.PostForm, payload).text()
    return message_json(actor, services.post_message(actor, thread_id, body, upload)), 201


def _moderate(message_id: int, form_class: type[forms.HideForm] | type[forms.UnhideForm]) -> tuple[Any, str]:
    actor = require_user()
    services.hideable(actor, message_id)  # 404 outside the thread, 403 for its parties, before the body
    payload = json_object()
    check_shape(payload, form_schema(form_class))
    return actor, validated(form_class, payload).reason.data or ""


@operation(
    f"{MESSAGE}/hide",
    "POST",
    summary="A broker of the region (or an admin) hides an abusive message, with a reason (logged); "
    "hiding a hidden message changes nothing",
    tag="conversations",
    body=Body(lambda: form_schema(forms.HideForm), "reason"),
    response=ref("ThreadMessage"),
    errors=(403,),
)
def hide_message(message_id: int) -> JSON:
    actor, reason = _moderate(message_id, forms.HideForm)
    return message_json(actor, services.hide_message(actor, message_id, reason))


@operation(
    f"{MESSAGE}/unhide",
    "POST",
    summary="A broker of the region (or an admin) shows a hidden message again, with a reason (logged)",
    tag="conversations",
    body=Body(lambda: form_schema(forms.UnhideForm), "reason"),
    response=ref("ThreadMessage"),
    errors=(403,),
)
def unhide_message(message_id: int) -> JSON:
    actor, reason = _moderate(message_id, forms.UnhideForm)
    return message_json(actor, services.unhide_message(actor, message_id, reason))


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
    return as_download(stored.data, stored.kind, stored.filename, stored.sha256, generic=True)
