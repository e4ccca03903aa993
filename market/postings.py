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
    SOLVED = "solved"  # a need its owner or broker marked solved (here or elsewhere); off the market
    CLOSED = "closed"  # a need no longer needed; off the market, still visible to its parties


LABELS: dict[str, str] = {
    PostingStatus.DRAFT: N_("草稿"),
    PostingStatus.PENDING: N_("待审核"),
    PostingStatus.APPROVED: N_("已公开"),
    PostingStatus.RETURNED: N_("已退回"),
    PostingStatus.WITHDRAWN: N_("已撤回"),
    PostingStatus.SOLVED: N_("已解决"),
    PostingStatus.CLOSED: N_("已关闭"),
}

# Public and pending postings are what brokers vouch for: the owner withdraws before changing them.
EDITABLE = {PostingStatus.DRAFT, PostingStatus.RETURNED, PostingStatus.WITHDRAWN}
# Needs that have left the market: out of public lists, search and matching, no new answers or orders,
# but their history stays readable by their owner, the region's brokers and the providers engaged on them.
ENDED = {PostingStatus.SOLVED, PostingStatus.CLOSED}


def status_label(status: str) -> str:
    return _(LABELS.get(status, status))


class Action(enum.StrEnum):
    SUBMIT = "submit"  # the owner asks for review
    WITHDRAW = "withdraw"  # the owner takes it down
    APPROVE = "approve"  # a broker of its region makes it public
    RETURN = "return"  # a broker of its region sends it back with a reason
    RECHECK = "recheck"  # the owner changed a public profile: brokers vouch for it again
    IMPORT = "import"  # written by a broker's bulk import, waiting for review
    SOLVE = "solve"  # a public need was solved, through a deal here or elsewhere (with a reason)
    CLOSE = "close"  # a public need is no longer needed (with a reason)
    REOPEN = "reopen"  # a solved or closed need is public again (with a reason)


class Party(enum.StrEnum):
    OWNER = "owner"  # the enterprise of a need, the expert or organisation of a profile
    BROKER = "broker"  # a broker of the posting's province, or an admin


OWNER = frozenset({Party.OWNER})
BROKER = frozenset({Party.BROKER})
OWNER_OR_BROKER = frozenset({Party.OWNER, Party.BROKER})
ALL_KINDS = frozenset(KINDS)
NEEDS_ONLY = frozenset({"need"})


@dataclass(frozen=True)
class Step:
    to: PostingStatus
    parties: frozenset[Party]  # who may take it: any one of them
    kinds: frozenset[str] = ALL_KINDS  # the kinds of posting it applies to (a profile is never "solved")


SUBMITTABLE = (PostingStatus.DRAFT, PostingStatus.RETURNED, PostingStatus.WITHDRAWN)
WITHDRAWABLE = (PostingStatus.PENDING, PostingStatus.APPROVED)
# Reopening needs no new review: a solved or closed need cannot be edited, so it is still what a broker
# approved.
REOPEN_TO_PUBLIC = Step(PostingStatus.APPROVED, OWNER_OR_BROKER, NEEDS_ONLY)

TABLE: dict[tuple[PostingStatus, Action], Step] = {
    **{(s, Action.SUBMIT): Step(PostingStatus.PENDING, OWNER) for s in SUBMITTABLE},
    **{(s, Action.WITHDRAW): Step(PostingStatus.WITHDRAWN, OWNER) for s in WITHDRAWABLE},
    (PostingStatus.PENDING, Action.APPROVE): Step(PostingStatus.APPROVED, BROKER),
    (PostingStatus.PENDING, Action.RETURN): Step(PostingStatus.RETURNED, BROKER),
    (PostingStatus.APPROVED, Action.RECHECK): Step(PostingStatus.PENDING, OWNER),
    (PostingStatus.DRAFT, Action.IMPORT): Step(PostingStatus.PENDING, BROKER),
    (PostingStatus.APPROVED, Action.SOLVE): Step(PostingStatus.SOLVED, OWNER_OR_BROKER, NEEDS_ONLY),
    (PostingStatus.APPROVED, Action.CLOSE): Step(PostingStatus.CLOSED, OWNER_OR_BROKER, NEEDS_ONLY),
    (PostingStatus.SOLVED, Action.REOPEN): REOPEN_TO_PUBLIC,
    (PostingStatus.CLOSED, Action.REOPEN): REOPEN_TO_PUBLIC,
}

ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: N_("提交审核"),
    Action.WITHDRAW: N_("撤回"),
    Action.APPROVE: N_("审核通过"),
    Action.RETURN: N_("退回"),
    Action.RECHECK: N_("修改后重新审核"),
    Action.IMPORT: N_("导入"),
    Action.SOLVE: N_("标记为已解决"),
    Action.CLOSE: N_("关闭需求"),
    Action.REOPEN: N_("重新开放"),
}


def action_label(action: Action) -> str:
    return _(ACTION_LABELS[action])


def step_for(status: str, action: Action, kind: str | None = None) -> Step | None:
    """The step the action takes from the status (for a posting of `kind`, when given), or None."""
    try:
        step = TABLE.get((PostingStatus(status), action))
    except ValueError:  # a status this table does not know: nothing follows from it
        return None
    if step is None or (kind is not None and kind not in step.kinds):
        return None
    return step


def allows(status: str, action: Action, kind: str | None = None) -> bool:
    """Whether the action can follow the status at all (for buttons and permission predicates)."""
    return step_for(status, action, kind) is not None
