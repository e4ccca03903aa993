"""The moderation life cycle shared by needs and provider profiles (审核): its states and its one
transition table.

TABLE maps (state, action) to the next state and the party allowed to take that step, as
market/orders/transitions.py does for orders. It is plain data, so market.permissions (buttons) and
the models can read it; market/moderation/transitions.py is the only code that takes a step (assigns
the status and writes the ModerationEvent).

The posting models declare themselves with `@posting_kind("need")` / `@posting_kind("provider")`, so the
moderation package works on any posting without importing the feature packages that build on it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from market.i18n import N_
from market.i18n import gettext as _

if TYPE_CHECKING:
    from market.needs.models import Need
    from market.providers.models import Provider

Posting: TypeAlias = "Need | Provider"
M = TypeVar("M", bound=type)

# The kinds of posting in the order the review queue lists them: needs, then provider profiles.
KINDS = ("need", "provider")
_MODELS: dict[str, Any] = {}
_KIND_OF: dict[type, str] = {}


def posting_kind(kind: str) -> Callable[[M], M]:
    """Class decorator of a posting model: its kind is ModerationEvent.target_kind and the review URLs'."""

    def declare(model: M) -> M:
        _MODELS[kind] = model
        _KIND_OF[model] = kind
        return model

    return declare


def kind_of(posting: Posting) -> str:
    """`need` or `provider`."""
    return _KIND_OF[type(posting)]


def model_of(kind: str) -> type[Posting] | None:
    """The model of a kind of posting, None for a kind that is not one (e.g. from a URL)."""
    model: type[Posting] | None = _MODELS.get(kind)
    return model


class PostingStatus(enum.StrEnum):
    DRAFT = "draft"  # being written, private to its owner
    PENDING = "pending"  # submitted, waiting for a broker
    APPROVED = "approved"  # public
    RETURNED = "returned"  # sent back by a broker with a reason
    WITHDRAWN = "withdrawn"  # taken down by its owner
    CLOSED = "closed"  # need solved or expired; still visible to its parties


LABELS: dict[str, str] = {
    PostingStatus.DRAFT: N_("草稿"),
    PostingStatus.PENDING: N_("待审核"),
    PostingStatus.APPROVED: N_("已公开"),
    PostingStatus.RETURNED: N_("已退回"),
    PostingStatus.WITHDRAWN: N_("已撤回"),
    PostingStatus.CLOSED: N_("已关闭"),
}

# Public and pending postings are what brokers vouch for: the owner withdraws before changing them.
EDITABLE = {PostingStatus.DRAFT, PostingStatus.RETURNED, PostingStatus.WITHDRAWN}


def status_label(status: str) -> str:
    return _(LABELS.get(status, status))


class Action(enum.StrEnum):
    SUBMIT = "submit"  # the owner asks for review
    WITHDRAW = "withdraw"  # the owner takes it down
    APPROVE = "approve"  # a broker of its region makes it public
    RETURN = "return"  # a broker of its region sends it back with a reason
    RECHECK = "recheck"  # the owner changed a public profile: brokers vouch for it again
    IMPORT = "import"  # written by a broker's bulk import, waiting for review


class Party(enum.StrEnum):
    OWNER = "owner"  # the enterprise of a need, the expert or organisation of a profile
    BROKER = "broker"  # a broker of the posting's province, or an admin


@dataclass(frozen=True)
class Step:
    to: PostingStatus
    party: Party


SUBMITTABLE = (PostingStatus.DRAFT, PostingStatus.RETURNED, PostingStatus.WITHDRAWN)
WITHDRAWABLE = (PostingStatus.PENDING, PostingStatus.APPROVED)

TABLE: dict[tuple[PostingStatus, Action], Step] = {
    **{(s, Action.SUBMIT): Step(PostingStatus.PENDING, Party.OWNER) for s in SUBMITTABLE},
    **{(s, Action.WITHDRAW): Step(PostingStatus.WITHDRAWN, Party.OWNER) for s in WITHDRAWABLE},
    (PostingStatus.PENDING, Action.APPROVE): Step(PostingStatus.APPROVED, Party.BROKER),
    (PostingStatus.PENDING, Action.RETURN): Step(PostingStatus.RETURNED, Party.BROKER),
    (PostingStatus.APPROVED, Action.RECHECK): Step(PostingStatus.PENDING, Party.OWNER),
    (PostingStatus.DRAFT, Action.IMPORT): Step(PostingStatus.PENDING, Party.BROKER),
}

ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: N_("提交审核"),
    Action.WITHDRAW: N_("撤回"),
    Action.APPROVE: N_("审核通过"),
    Action.RETURN: N_("退回"),
    Action.RECHECK: N_("修改后重新审核"),
    Action.IMPORT: N_("导入"),
}


def action_label(action: Action) -> str:
    return _(ACTION_LABELS[action])


def step_for(status: str, action: Action) -> Step | None:
    try:
        return TABLE.get((PostingStatus(status), action))
    except ValueError:  # a status this table does not know (e.g. closed): nothing follows from it
        return None


def allows(status: str, action: Action) -> bool:
    """Whether the action can follow the status at all (for buttons and permission predicates)."""
    return step_for(status, action) is not None
