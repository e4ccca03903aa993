"""Who may do what: plain predicates that services apply (and templates ask, to show buttons).

Every function takes the acting user first (None or an anonymous user for visitors) and the
object second, and answers a bool. They never query beyond the object's own relations. A broker's
regions are market.scope's rule; what may follow a posting's state is its transition table's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, false

from market import scope
from market.auth.models import Role, User
from market.postings import EDITABLE, ENDED, Action, allows

if TYPE_CHECKING:
    # Annotations only: the feature packages build on this module, never the other way round.
    from market.attachments.models import NeedAttachment
    from market.needs.models import Need
    from market.providers.models import Provider


def _user(user: Any) -> User | None:
    """The real user behind flask-login's proxy, or None for visitors."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user  # type: ignore[no-any-return]


def is_admin(user: Any) -> bool:
    u = _user(user)
    return u is not None and u.role == Role.ADMIN


def is_broker_for(user: Any, province: str | None) -> bool:
    """Brokers act only in their regions; admins everywhere (the rule lives in market.scope)."""
    return scope.covers(user, province)


def _owns_need(user: User | None, need: Need) -> bool:
    return (
        user is not None
        and user.role == Role.ENTERPRISE
        and user.organisation_id is not None
        and user.organisation_id == need.organisation_id
    )


def owns_need(user: Any, need: Need) -> bool:
    return _owns_need(_user(user), need)


def can_judge_matches(user: Any, need: Need) -> bool:
    """Marking a match useful or not is the enterprise's call, whatever the need's state."""
    return owns_need(user, need)


def can_see_matches(user: Any, need: Need) -> bool:
    """The ranked providers for a need: the owner and brokers of its region, nobody else. Narrower than
    the confidential details: a provider with an accepted order reads those, but not its competitors."""
    u = _user(user)
    return _owns_need(u, need) or is_broker_for(u, need.province)


def can_create_need(user: Any) -> bool:
    u = _user(user)
    return u is not None and u.role == Role.ENTERPRISE and u.organisation_id is not None


def can_view_need(user: Any, need: Need) -> bool:
    """Public needs for everyone; any need for its owner and the region's brokers; a solved or closed
    need also for the providers engaged on it or who answered it (its history is theirs too)."""
    u = _user(user)
    if need.is_public or _owns_need(u, need) or is_broker_for(u, need.province):
        return True
    return need.status in ENDED and (_engaged_on(u, need) or _answered(u, need))


def _answered(u: User | None, need: Need) -> bool:
    """A provider user whose provider answered the need (科技答题), whatever became of the answer."""
    if u is None or u.role != Role.PROVIDER:
        return False
    # need.answers is the read-only relation market.orders.models adds to a need.
    return any(owns_provider(u, answer.provider) for answer in need.answers)  # type: ignore[attr-defined]


def can_view_need_confidential(user: Any, need: Need) -> bool:
    """The owner and brokers of the region; a provider once its invited/dispatched order is accepted."""
    u = _user(user)
    return _owns_need(u, need) or is_broker_for(u, need.province) or _engaged_on(u, need)


def _engaged_on(u: User | None, need: Need) -> bool:
    """A provider user whose order on the need was accepted and has not ended unfinished."""
    if u is None or u.role != Role.PROVIDER:
        return False
    # need.orders is the read-only relation market.orders.models adds to a need.
    return any(order.engaged and owns_provider(u, order.provider) for order in need.orders)  # type: ignore[attr-defined]


def _owner_or_broker(user: Any, need: Need) -> bool:
    u = _user(user)
    return _owns_need(u, need) or is_broker_for(u, need.province)


def can_solve_need(user: Any, need: Need) -> bool:
    return _owner_or_broker(user, need) and allows(need.status, Action.SOLVE, "need")


def can_close_need(user: Any, need: Need) -> bool:
    return _owner_or_broker(user, need) and allows(need.status, Action.CLOSE, "need")


def can_reopen_need(user: Any, need: Need) -> bool:
    return _owner_or_broker(user, need) and allows(need.status, Action.REOPEN, "need")


def can_edit_need(user: Any, need: Need) -> bool:
    return _owns_need(_user(user), need) and need.status in EDITABLE


def can_submit_need(user: Any, need: Need) -> bool:
    return _owns_need(_user(user), need) and allows(need.status, Action.SUBMIT)


def can_withdraw_need(user: Any, need: Need) -> bool:
    return _owns_need(_user(user), need) and allows(need.status, Action.WITHDRAW)


def _provider_owner(u: User | None, provider: Any) -> Any:
    """Who owns a provider profile, written once for both uses: `provider` is a Provider row (the answer
    is a bool) or the Provider class (the answer is a SQL condition; `==`, `&` and `|` build both).

    An expert's own profile belongs to its user; an organisation's profile (学会, 服务团, 高校院所), which
    has no user of its own, to the provider users of that organisation."""
    if u is None or u.role != Role.PROVIDER:
        return false() if isinstance(provider, type) else False
    own = provider.user_id == u.id
    if u.organisation_id is None:
        return own
    # `== None` (not `is None`): on the class it must become SQL's IS NULL.
    unowned = provider.user_id == None  # noqa: E711
    return own | (unowned & (provider.organisation_id == u.organisation_id))


def owns_provider(user: Any, provider: Provider) -> bool:
    return bool(_provider_owner(_user(user), provider))


def owned_providers(user: Any, providers: type[Provider]) -> ColumnElement[bool]:
    """owns_provider as a SQL condition on Provider rows (e.g. the provider side of the order inbox).
    The caller passes the Provider class: this module reads no feature package at run time."""
    return _provider_owner(_user(user), providers)  # type: ignore[no-any-return]


def can_view_provider(user: Any, provider: Provider) -> bool:
    return provider.is_public or owns_provider(user, provider) or is_broker_for(user, provider.province)


def can_edit_provider(user: Any, provider: Provider) -> bool:
    return owns_provider(user, provider)


def can_submit_provider(user: Any, provider: Provider) -> bool:
    return owns_provider(user, provider) and allows(provider.status, Action.SUBMIT)


def can_withdraw_provider(user: Any, provider: Provider) -> bool:
    return owns_provider(user, provider) and allows(provider.status, Action.WITHDRAW)


def can_review(user: Any) -> bool:
    return scope.is_staff(user)


def can_manage_users(user: Any) -> bool:
    return is_admin(user)


def can_attach_to_need(user: Any, need: Need, confidential: bool) -> bool:
    """Public files are part of what brokers review, so they change only while the need is
    editable; confidential files reach only the owner, brokers and engaged providers, so the
    owner may add them until the need is solved or closed (e.g. drawings for a provider who took the
    order)."""
    if not _owns_need(_user(user), need):
        return False
    return need.status in EDITABLE or (confidential and need.status not in ENDED)


def can_remove_attachment(user: Any, attachment: NeedAttachment) -> bool:
    return can_attach_to_need(user, attachment.need, attachment.confidential)


def can_download_attachment(user: Any, attachment: NeedAttachment) -> bool:
    if attachment.confidential:
        return can_view_need_confidential(user, attachment.need)
    return can_view_need(user, attachment.need)
