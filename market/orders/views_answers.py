"""Pages of 科技答题 beyond submitting and judging (views_start): 我的答题, editing and withdrawing one's
answer and its files, a broker's hide, unhide and nudge, an enterprise's blocked providers. Parse, call
one service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from market.attachments.files import Upload, as_download
from market.attachments.services import max_bytes, max_mb
from market.i18n import gettext as _
from market.needs import views as need_pages
from market.orders import forms, proposals
from market.orders.pages import attempt, bp, flash_refusal


def _need_page(need_id: int) -> Callable[[], str]:
    """The need's page, where the answer forms are (they show what was typed; see _need_section.html)."""
    return lambda: need_pages.detail(need_id)


def _to_answers(need_id: int) -> Callable[[object], Response]:
    return lambda _result: redirect(url_for("needs.detail", need_id=need_id) + "#proposals")


@bp.route("/answers")
@login_required
def my_answers() -> str:
    return render_template("orders/my_answers.html", answers=proposals.my_answers(current_user))


def answer_uploads() -> list[Upload]:
    """The files sent with an answer form (part `files`, any number; the service checks each), each
    read up to one byte beyond the limit. Raises RequestEntityTooLarge for a request over the cap."""
    sent = request.files.getlist("files")
    return [Upload(f.filename, f.stream.read(max_bytes() + 1)) for f in sent if f.filename]


def too_large(need_id: int) -> Response:
    """A request over the server's cap cannot be read back into the form: say so on the need's page."""
    flash(_("文件过大：每个附件不能超过 {mb} MB。", mb=max_mb()), "danger")
    return redirect(url_for("needs.detail", need_id=need_id) + "#proposals")


def _removed_files() -> list[int]:
    return [int(v) for v in request.form.getlist("remove_file_ids") if v.isdigit() and len(v) < 10]


@bp.route("/proposals/<int:proposal_id>/edit", methods=["POST"])
@login_required
def edit_proposal(proposal_id: int) -> Response:
    need_id = proposals.lock_own_proposal(current_user, proposal_id).need_id
    try:
        uploads = answer_uploads()
    except RequestEntityTooLarge:
        return too_large(need_id)
    return attempt(
        lambda: proposals.edit(
            current_user,
            proposal_id,
            forms.read(forms.ProposalForm, request.form).terms(),
            uploads,
            _removed_files(),
        ),
        done=_("答题已修改。"),
        then=_to_answers(need_id),
        page=_need_page(need_id),
    )


@bp.route("/proposal-files/<int:answer_file_id>")
@login_required
def proposal_file(answer_file_id: int) -> Response:
    stored = proposals.downloadable_file(current_user, answer_file_id)
    return as_download(stored.data, stored.kind, stored.filename, stored.sha256)


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@login_required
def withdraw_proposal(proposal_id: int) -> Response:
    need_id = proposals.lock_own_proposal(current_user, proposal_id).need_id
    return attempt(
        lambda: proposals.withdraw(current_user, proposal_id),
        done=_("答题已撤回。"),
        then=_to_answers(need_id),
        page=_need_page(need_id),
    )


@bp.route("/proposals/<int:proposal_id>/hide", methods=["POST"])
@login_required
def hide_proposal(proposal_id: int) -> Response:
    return _moderate(proposal_id, forms.HideForm, proposals.hide, _("答题已隐藏。"))


@bp.route("/proposals/<int:proposal_id>/unhide", methods=["POST"])
@login_required
def unhide_proposal(proposal_id: int) -> Response:
    return _moderate(proposal_id, forms.UnhideForm, proposals.unhide, _("答题已恢复显示。"))


def _moderate(proposal_id: int, form_class: Any, act: Callable[..., Any], done: str) -> Response:
    """A broker's hide or unhide of an answer, with the reason its form asks for."""
    need_id = proposals.get_visible_proposal(current_user, proposal_id).need_id

    def work() -> Any:
        reason = forms.text(forms.read(form_class, request.form), "reason")
        return act(current_user, proposal_id, reason=reason)

    return attempt(
        work,
        done=done,
        then=_to_answers(need_id),
        page=_need_page(need_id),
    )


@bp.route("/proposals/<int:proposal_id>/nudge", methods=["POST"])
@login_required
def nudge_proposal(proposal_id: int) -> Response:
    need_id = proposals.get_visible_proposal(current_user, proposal_id).need_id
    return attempt(
        lambda: proposals.nudge(
            current_user,
            proposal_id,
            message=forms.text(forms.read(forms.MessageForm, request.form), "message"),
        ),
        done=_("已提醒企业处理该答题。"),
        then=_to_answers(need_id),
        page=_need_page(need_id),
    )


@bp.route("/blocks")
@login_required
def blocks() -> str:
    return render_template("orders/blocks.html", blocks=proposals.blocked_providers(current_user))


def _back() -> Response:
    """To the page the button was on (a need's answers), or to the list of blocked providers."""
    target = request.form.get("next", "")
    safe = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return redirect(target if safe else url_for("orders.blocks"))


@bp.route("/blocks/<int:provider_id>", methods=["POST"])
@login_required
def block_provider(provider_id: int) -> Response:
    return flash_refusal(
        _back,
        lambda: proposals.block(current_user, provider_id),
        _("已屏蔽该服务方：它不能再对本企业的需求答题。"),
    )


@bp.route("/blocks/<int:provider_id>/remove", methods=["POST"])
@login_required
def unblock_provider(provider_id: int) -> Response:
    return flash_refusal(_back, lambda: proposals.unblock(current_user, provider_id), _("已解除屏蔽。"))
