"""科技答题 beyond submitting and judging: one's own answers (我的答题), reading, editing and withdrawing
an answer, its files, its history, a broker's hide, unhide and nudge, an enterprise's blocked providers.

Bodies go through the page forms (market.orders.forms); the services (market.orders.proposals) decide.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from market.api.auth import require_user
from market.api.bodies import check_shape, form_schema, json_object, no_body, optional_json_object, validated
from market.api.orders import PROPOSAL, proposal_body, proposal_terms
from market.api.spec import Body, operation, ref
from market.api.uploads import MULTIPART, multipart_body, multipart_schema
from market.attachments.files import as_download
from market.orders import forms, proposals
from market.orders.serialize import block_json, proposal_event_json, proposal_json

JSON = dict[str, Any]
BLOCKS = "/me/blocked-providers"


@operation(
    "/me/proposals",
    "GET",
    summary="我的答题: every answer of my provider profile, newest first, with its state, the reason if "
    "declined, whether a broker hid it, the need's state and the order it became",
    tag="proposals",
    response=ref("Proposals"),
    errors=(404,),
)
def my_proposals() -> JSON:
    return {"items": [proposal_json(p) for p in proposals.my_answers(require_user())]}


@operation(
    PROPOSAL,
    "GET",
    summary="One answer (its two parties and the region's brokers)",
    tag="proposals",
    response=ref("Proposal"),
)
def get_proposal(proposal_id: int) -> JSON:
    return proposal_json(proposals.get_visible_proposal(require_user(), proposal_id))


@operation(
    PROPOSAL,
    "PUT",
    summary="Edit my answer (the whole answer) until the enterprise acts on it",
    tag="proposals",
    body=Body(proposal_body, "ProposalForm fields"),
    response=ref("Proposal"),
    errors=(403, 409),
)
def edit_proposal(proposal_id: int) -> JSON:
    actor = require_user()
    proposals.lock_own_proposal(actor, proposal_id)  # 404 or 403 before the body is read, as on the page
    terms = proposal_terms(json_object())
    return proposal_json(proposals.edit(actor, proposal_id, terms))


@operation(
    f"{PROPOSAL}/withdraw",
    "POST",
    summary="Withdraw my answer until the enterprise acts on it (it may be submitted again later)",
    tag="proposals",
    response=ref("Proposal"),
    errors=(400, 403, 409),
)
def withdraw_proposal(proposal_id: int) -> JSON:
    actor = require_user()
    no_body()
    return proposal_json(proposals.withdraw(actor, proposal_id))


@operation(
    f"{PROPOSAL}/events",
    "GET",
    summary="The answer's history: every step and every broker's act, oldest first",
    tag="proposals",
    response=ref("ProposalEvents"),
)
def proposal_events(proposal_id: int) -> JSON:
    return {"items": [proposal_event_json(e) for e in proposals.history(require_user(), proposal_id)]}


@operation(
    f"{PROPOSAL}/hide",
    "POST",
    summary="A broker of the need's region hides an abusive answer from the enterprise (reason required)",
    tag="proposals",
    body=Body(lambda: form_schema(forms.HideForm), "reason"),
    response=ref("Proposal"),
    errors=(403, 409),
)
def hide_proposal(proposal_id: int) -> JSON:
    actor = require_user()
    proposals.get_visible_proposal(actor, proposal_id)  # 404 before the body is read
    payload = json_object()
    check_shape(payload, form_schema(forms.HideForm))
    reason = forms.text(validated(forms.HideForm, payload), "reason")
    return proposal_json(proposals.hide(actor, proposal_id, reason=reason))


@operation(
    f"{PROPOSAL}/unhide",
    "POST",
    summary="A broker of the need's region shows a hidden answer to the enterprise again (reason required, "
    "logged like the hide)",
    tag="proposals",
    body=Body(lambda: form_schema(forms.UnhideForm), "reason"),
    response=ref("Proposal"),
    errors=(403, 409),
)
def unhide_proposal(proposal_id: int) -> JSON:
    actor = require_user()
    proposals.get_visible_proposal(actor, proposal_id)  # 404 before the body is read
    payload = json_object()
    check_shape(payload, form_schema(forms.UnhideForm))
    reason = forms.text(validated(forms.UnhideForm, payload), "reason")
    return proposal_json(proposals.unhide(actor, proposal_id, reason=reason))


def files_body() -> JSON:
    return multipart_schema(
        {}, {"files": f"One or more files (at most {proposals.FILES_PER_ANSWER} on an answer)"}
    )


@operation(
    f"{PROPOSAL}/files",
    "POST",
    summary="Attach files to my answer while it may be edited (multipart/form-data, part `files`, once per "
    "file; checked like a need's attachments: type by name and content, ATTACHMENT_MAX_BYTES each)",
    tag="proposals",
    body=Body(files_body, "files", media_type=MULTIPART),
    status=201,
    response=ref("Proposal"),
    errors=(403, 409),
)
def add_proposal_files(proposal_id: int) -> tuple[JSON, int]:
    actor = require_user()
    proposals.lock_own_proposal(actor, proposal_id)  # 404 or 403 before the body is read
    _fields, files = multipart_body(files_body(), ("files",))
    proposals.add_files(actor, proposal_id, files["files"])
    return proposal_json(proposals.get_visible_proposal(actor, proposal_id)), 201


@operation(
    f"{PROPOSAL}/files/<int:answer_file_id>",
    "DELETE",
    summary="Remove a file from my answer while it may be edited",
    tag="proposals",
    response=ref("Proposal"),
    errors=(403, 409),
)
def remove_proposal_file(proposal_id: int, answer_file_id: int) -> JSON:
    return proposal_json(proposals.remove_file(require_user(), proposal_id, answer_file_id))


@operation(
    "/proposal-files/<int:answer_file_id>",
    "GET",
    summary="Download a file of an answer (its two parties and the region's brokers; always as "
    "application/octet-stream)",
    tag="proposals",
    response={"type": "string", "format": "binary"},
    media_type="application/octet-stream",
)
def download_proposal_file(answer_file_id: int) -> Response:
    stored = proposals.downloadable_file(require_user(), answer_file_id)
    return as_download(stored.data, stored.kind, stored.filename, stored.sha256, generic=True)


@operation(
    f"{PROPOSAL}/nudge",
    "POST",
    summary="A broker of the need's region reminds the enterprise to decide on a waiting answer",
    tag="proposals",
    body=Body(lambda: form_schema(forms.MessageForm), "an optional message", required=False),
    response=ref("Proposal"),
    errors=(403, 409),
)
def nudge_proposal(proposal_id: int) -> JSON:
    actor = require_user()
    proposals.get_visible_proposal(actor, proposal_id)
    payload = optional_json_object()
    check_shape(payload, form_schema(forms.MessageForm))
    message = forms.text(validated(forms.MessageForm, payload), "message")
    return proposal_json(proposals.nudge(actor, proposal_id, message=message))


@operation(
    BLOCKS,
    "GET",
    summary="Providers my enterprise has blocked from answering its needs",
    tag="proposals",
    response=ref("ProviderBlocks"),
    errors=(403,),
)
def list_blocks() -> JSON:
    return {"items": [block_json(b) for b in proposals.blocked_providers(require_user())]}


@operation(
    BLOCKS,
    "POST",
    summary="Block a provider from answering my enterprise's needs (blocking twice is not an error)",
    tag="proposals",
    body=Body(lambda: form_schema(forms.BlockForm), "provider_id"),
    status=201,
    response=ref("ProviderBlock"),
    errors=(403, 404, 409),
)
def block_provider() -> tuple[JSON, int]:
    actor = require_user()
    payload = json_object()
    check_shape(payload, form_schema(forms.BlockForm))
    provider_id = validated(forms.BlockForm, payload).provider_id.data
    return block_json(proposals.block(actor, provider_id)), 201


@operation(
    f"{BLOCKS}/<int:provider_id>",
    "DELETE",
    summary="Unblock a provider (unblocking one that is not blocked is not an error)",
    tag="proposals",
    response=ref("ProviderBlocks"),
    errors=(403,),
)
def unblock_provider(provider_id: int) -> JSON:
    actor = require_user()
    proposals.unblock(actor, provider_id)
    return list_blocks()
