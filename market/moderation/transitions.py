"""Taking a step of the posting life cycle: the ONLY module that assigns a need's or profile's status.

The steps are the table in market/postings.py. `fire` checks the step, assigns the status, stamps the
posting and writes its ModerationEvent in one go, so the moderation history is complete: every status
a posting ever had is an event. Services work out who the actor is to the posting (`Party`) and call
`fire`; tests/test_posting_status_writers.py fails when any other module assigns a posting's status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from market.db import db, utcnow
from market.errors import Conflict, Forbidden
from market.i18n import gettext as _
from market.moderation.models import ModerationEvent
from market.postings import Action, Party, Posting, Step, action_label, kind_of, status_label, step_for
from market.postings import PostingStatus as State

if TYPE_CHECKING:
    from market.auth.models import User

# Called after every step with (posting, action, actor, reason): features above this one (the owner's
# notices, market.notices.postings) react to steps without moderation importing them.
StepListener = Callable[[Posting, Action, "User", str], None]
_listeners: list[StepListener] = []


def on_step(listener: StepListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def check(posting: Posting, action: Action, parties: set[Party]) -> Step:
    """The step to take, or why not: 409 in a state the action cannot follow, 403 for the wrong party."""
    step = step_for(posting.status, action, kind_of(posting))
    if step is None:
        raise Conflict(
            _(
                "当前状态（{state}）不能{action}。",
                state=status_label(posting.status),
                action=action_label(action),
            )
        )
    if not step.parties & parties:
        if Party.OWNER not in step.parties:
            raise Forbidden(_("该内容不在你负责的地区。"))
        if Party.BROKER in step.parties:
            raise Forbidden(_("只有发布方或该地区的经纪人可以{action}。", action=action_label(action)))
        raise Forbidden(_("只有发布方可以{action}。", action=action_label(action)))
    return step


def fire(
    posting: Posting, action: Action, actor: User, parties: set[Party], reason: str = ""
) -> ModerationEvent:
    """Take the step: assign the status, stamp the posting and write the event (the posting has an id)."""
    step = check(posting, action, parties)
    event = ModerationEvent(
        target_kind=kind_of(posting),
        target_id=posting.id,
        actor_id=actor.id,
        action=action.value,
        from_status=posting.status,
        to_status=step.to.value,
        reason=reason,
    )
    posting.status = step.to.value
    _stamp(posting, action, step.to, reason)
    db.session.add(event)
    for listener in _listeners:
        listener(posting, action, actor, reason)
    return event


def _stamp(posting: Posting, action: Action, to: State, reason: str) -> None:
    """What entering a state means besides the status: when it was asked for, approved, solved or
    closed, and why it was returned, solved or closed."""
    if action == Action.REOPEN:
        _clear_outcome(posting)  # approved_at stays: time to solve counts from the first approval
    elif to == State.PENDING:
        posting.submitted_at = utcnow()
        posting.review_note = ""
    elif to == State.APPROVED:
        posting.approved_at = utcnow()
        posting.review_note = ""
    elif to == State.RETURNED:
        posting.review_note = reason
    elif to == State.SOLVED:
        posting.solved_at = utcnow()  # type: ignore[union-attr]  # solve and close are needs-only steps
        posting.outcome_reason = reason  # type: ignore[union-attr]
    elif to == State.CLOSED:
        posting.closed_at = utcnow()  # type: ignore[union-attr]
        posting.outcome_reason = reason  # type: ignore[union-attr]


def _clear_outcome(posting: Posting) -> None:
    """A reopened need is on the market again: its outcome is history (the events keep it)."""
    posting.solved_at = posting.closed_at = None  # type: ignore[union-attr]
    posting.solved_how = posting.solved_order_id = None  # type: ignore[union-attr]
    posting.outcome_reason = ""  # type: ignore[union-attr]
