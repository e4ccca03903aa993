"""Conversation pages (my threads, one thread, posting, hiding, files) and the contact-details form.

Each view parses with a form, calls one service and renders; the services decide. A refused message
(empty, too long, a bad file) shows the thread again with the message, what was typed and status 422.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from market.attachments.files import as_download
from market.attachments.services import max_bytes, max_mb
from market.conversations import contacts, forms, services
from market.conversations.models import Thread
from market.conversations.terms import Upload
from market.errors import NotFound, ValidationFailed
from market.i18n import gettext as _
from market.orders.forms import read
from market.orders.models import Order, Proposal
from market.orders.pages import attempt, refused
from market.pagination import paginate
from market.text import MESSAGE_MAX, REASON_MAX

bp = Blueprint("conversations", __name__)


@bp.route("/conversations/")
@login_required
def inbox() -> str:
    page = paginate(services.my_threads(current_user))
    unread = services.unread_by_thread(current_user, [t.id for t in page.items])
    return render_template("conversations/inbox.html", page=page, unread=unread)


def thread_page(thread_id: int, typed: MultiDict[str, str] | None = None) -> str:
    thread = services.get_visible_thread(current_user, thread_id)
    services.mark_read(current_user, thread)
    return render_template(
        "conversations/thread.html",
        thread=thread,
        side=services.side_of(current_user, thread),
        can_moderate=services.can_moderate(current_user, thread),
        events=services.message_events(current_user, thread),
        typed=typed if typed is not None else MultiDict(),
        limits={"message": MESSAGE_MAX, "reason": REASON_MAX, "mb": max_mb()},
    )


@bp.route("/conversations/<int:thread_id>")
@login_required
def thread(thread_id: int) -> str:
    return thread_page(thread_id)


def _upload() -> Upload | None:
    """The file sent with a message, if any; at most one byte beyond the limit is read."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return None
    return Upload(sent.filename, sent.stream.read(max_bytes() + 1))


@bp.route("/conversations/<int:thread_id>", methods=["POST"])
@login_required
def post(thread_id: int) -> Response:
    services.get_visible_thread(current_user, thread_id)  # outsiders learn nothing more, not even a 422
    try:
        upload = _upload()
    except RequestEntityTooLarge:
        error = ValidationFailed(_("文件过大：每个附件不能超过 {mb} MB。", mb=max_mb()))
        return refused(error, lambda: thread_page(thread_id, MultiDict(request.form)))

    def work() -> Any:
        body = read(forms.PostForm, request.form).text()
        return services.post_message(current_user, thread_id, body, upload)

    return attempt(
        work,
        done=_("消息已发送。"),
        then=lambda message: redirect(url_for("conversations.thread", thread_id=thread_id) + "#latest"),
        page=lambda: thread_page(thread_id, MultiDict(request.form)),
    )


@bp.route("/conversations/messages/<int:message_id>/hide", methods=["POST"])
@login_required
def hide(message_id: int) -> Response:
    return _moderate(message_id, forms.HideForm, services.hide_message, _("消息已隐藏。"))


@bp.route("/conversations/messages/<int:message_id>/unhide", methods=["POST"])
@login_required
def unhide(message_id: int) -> Response:
    return _moderate(message_id, forms.UnhideForm, services.unhide_message, _("消息已恢复显示。"))


def _moderate(message_id: int, form_class: Any, act: Callable[[Any, int, str], Any], done: str) -> Response:
    """A broker's hide or unhide of a message, with the reason its form asks for."""

    def work() -> Any:
        return act(current_user, message_id, read(form_class, request.form).reason.data or "")

    def back(message: Any) -> Response:
        return redirect(url_for("conversations.thread", thread_id=message.thread_id))

    target = services.hideable(current_user, message_id)  # 404 / 403 before the form is read
    return attempt(work, done=done, then=back, page=lambda: thread_page(target.thread_id, MultiDict()))


@bp.route("/conversations/files/<int:file_id>")
@login_required
def download(file_id: int) -> Response:
    stored = services.downloadable_file(current_user, file_id)
    return as_download(stored.data, stored.kind, stored.filename, stored.sha256)


@bp.route("/me/contact", methods=["GET", "POST"])
@login_required
def contact() -> str | Response:
    """联系方式: one's own phone and WeChat and what the other party of an accepted order sees."""
    form = forms.ContactForm(obj=current_user if request.method == "GET" else None)
    if request.method == "POST":
        if form.validate_on_submit():
            contacts.update_contact(current_user, form.terms())
            flash(_("联系方式已保存。"), "success")
            return redirect(url_for("conversations.contact"))
        return Response(render_template("conversations/contact.html", form=form), status=422)
    return render_template("conversations/contact.html", form=form)


# ---- template helpers --------------------------------------------------------------------------------


def conversation_of(engagement: Order | Proposal) -> tuple[Thread, int] | None:
    """templates/conversations/_link.html: the engagement's thread and its unread count for the
    current user, or None when they may not read it."""
    try:
        if isinstance(engagement, Order):
            found = services.thread_for_order(current_user, engagement)
        else:
            found = services.thread_for_proposal(current_user, engagement)
    except NotFound:
        return None
    return found, services.unread_by_thread(current_user, [found.id]).get(found.id, 0)


def _helpers() -> dict[str, Any]:
    return {
        "conversation_of": conversation_of,
        "conversations_unread": lambda: services.unread_total(current_user),
        "unread_messages_by_order": lambda orders: services.unread_by_order(
            current_user, [o.id for o in orders]
        ),
        "unread_messages_by_proposal": lambda proposals: services.unread_by_proposal(
            current_user, [p.id for p in proposals]
        ),
        "thread_side": lambda thread: services.side_of(current_user, thread),
        "message_shown": lambda message: services.shows_text(current_user, message),
        "order_contacts": lambda order: contacts.shared_contacts(current_user, order),
    }


for _name, _helper in _helpers().items():
    bp.add_app_template_global(_helper, _name)
