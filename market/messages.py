"""Stored messages: a key and its parameters, put into words in the reader's language when read.

Notifications, the system's follow-ups (跟进记录), the reason of an automatic step, admin events and
queued mail store `message_key` and JSON `message_params` instead of finished text, because the text is
read later by people with different languages: the Chinese an actor's request would have produced is
wrong for an English recipient. Each kind below gives its Chinese source text (marked with N_, so the
translation catalogue holds its English), the label type of each parameter and the page it links to.

`render` translates the text for the reader and turns each parameter into words: "text" stays as
written (names, titles, reasons people typed); a code (an order state, a role, a region …) becomes its
label in the reader's language. Links are built with url_for when read, never stored.

Rows written before keys existed have no key; `shown` keeps showing their stored text.

Label types for a feature's own codes are registered by that feature (`label_type`), so this module
imports no feature package and every feature may import it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_request_context, url_for

from market.i18n import N_, current_language, translate
from market.reference import services as reference

log = logging.getLogger(__name__)

Label = Callable[[Any, str], str]
Params = dict[str, Any]


@dataclass(frozen=True)
class Link:
    """url_for(endpoint, **{argument: params[name] for argument, name in args}) plus an optional #anchor."""

    endpoint: str
    args: Mapping[str, str]
    anchor: str | None = None


@dataclass(frozen=True)
class Kind:
    key: str
    text: str  # Chinese source; placeholders are the parameter names
    params: Mapping[str, str]  # parameter name -> label type (see LABELS and label_type)
    link: Link | None = None


@dataclass(frozen=True)
class Message:
    """A message ready to store: `key` goes into a message_key column, `params` into the JSON beside it."""

    key: str
    params: Params

    def as_param(self) -> Params:
        """This message as the value of another message's "reason" parameter."""
        return {"key": self.key, "params": self.params}


ORDER = Link("orders.detail", {"order_id": "order_id"})
ORDER_FOLLOW_UPS = Link("orders.detail", {"order_id": "order_id"}, anchor="follow-ups")
NEED = Link("needs.detail", {"need_id": "need_id"})
NEED_ANSWERS = Link("needs.detail", {"need_id": "need_id"}, anchor="proposals")
PROFILE = Link("providers.detail", {"provider_id": "provider_id"})
MY_PROFILE = Link("providers.my_profile", {})
THREAD = Link("conversations.thread", {"thread_id": "thread_id"}, anchor="latest")

_BY_ACTOR = {"actor": "text", "title": "text", "order_id": "int"}
_ACTED = {**_BY_ACTOR, "action": "order_action"}
_ON_NEED = {"title": "text", "need_id": "int"}
_TRANSITION = {"action": "order_action", "before": "order_state", "after": "order_state"}
_NAMES = {"zh": "text", "en": "text"}
_PROFILE = {"name": "text", "provider_id": "int"}
_USER_CHANGE = {
    "role_was": "role",
    "role": "role",
    "active_was": "active",
    "active": "active",
    "regions_was": "regions",
    "regions": "regions",
}

_KINDS: tuple[Kind, ...] = (
    # Notifications (and their mail) to the parties of an order.
    Kind("order.ordered", N_("{actor} 点单：{title}"), _BY_ACTOR, ORDER),
    Kind("order.invited", N_("{actor} 邀请您参与需求：{title}"), _BY_ACTOR, ORDER),
    Kind("order.dispatched", N_("{actor} 派单：{title}"), _BY_ACTOR, ORDER),
    Kind("order.proposal_picked", N_("{actor} 选中了您的答题方案：{title}"), _BY_ACTOR, ORDER),
    Kind("order.acted", N_("{actor}：{action} —— {title}"), _ACTED, ORDER),
    Kind(
        "order.acted_with_reason",
        N_("{actor}：{action} —— {title}（{reason}）"),
        {**_ACTED, "reason": "text"},
        ORDER,
    ),
    Kind("order.follow_up_added", N_("{actor} 添加了跟进记录：{title}"), _BY_ACTOR, ORDER_FOLLOW_UPS),
    Kind(
        "order.expired",
        N_("订单已过期（{reason}）：{title}"),
        {"title": "text", "order_id": "int", "reason": "reason"},
        ORDER,
    ),
    Kind("order.reminded", N_("{actor} 提醒您尽快答复订单：{title}"), _BY_ACTOR, ORDER),
    Kind(
        "order.reminded_with_message",
        N_("{actor} 提醒您尽快答复订单：{title}（{message}）"),
        {**_BY_ACTOR, "message": "text"},
        ORDER,
    ),
    Kind(
        "proposal.submitted",
        N_("{provider} 对“{title}”提交了答题方案"),
        {**_ON_NEED, "provider": "text"},
        NEED,
    ),
    Kind("proposal.shortlisted", N_("您对“{title}”的答题方案已入围"), _ON_NEED, NEED),
    Kind(
        "proposal.rejected",
        N_("您对“{title}”的答题方案未入选：{reason}"),
        {**_ON_NEED, "reason": "text"},
        NEED,
    ),
    Kind(
        "conversation.posted",
        N_("{actor} 发来新消息：{title}"),
        {"actor": "text", "title": "text", "thread_id": "int"},
        THREAD,
    ),
    Kind(
        "proposal.nudged",
        N_("{actor} 提醒您处理 {provider} 对“{title}”的答题"),
        {**_ON_NEED, "actor": "text", "provider": "text"},
        NEED_ANSWERS,
    ),
    Kind(
        "proposal.nudged_with_message",
        N_("{actor} 提醒您处理 {provider} 对“{title}”的答题：{message}"),
        {**_ON_NEED, "actor": "text", "provider": "text", "message": "text"},
        NEED_ANSWERS,
    ),
    # To providers with an order or an answer on a need that left the market.
    Kind("need.solved", N_("需求“{title}”已标记为已解决：{reason}"), {**_ON_NEED, "reason": "text"}, NEED),
    Kind("need.closed", N_("需求“{title}”已关闭：{reason}"), {**_ON_NEED, "reason": "text"}, NEED),
    Kind("need.withdrawn", N_("需求“{title}”已被发布企业撤回"), _ON_NEED),  # no link: not visible now
    # To providers the engine recommended the need to (no link: the need is no longer public).
    Kind("recommend.need_gone", N_("推荐给您的需求“{title}”已结束，不再公开，也不再接受答题"), _ON_NEED),
    # To the owner of a need or a provider profile when a broker reviewed it (market.notices).
    Kind("need.approved", N_("您的需求“{title}”已通过审核，现已公开"), _ON_NEED, NEED),
    Kind("need.returned", N_("您的需求“{title}”被退回：{reason}"), {**_ON_NEED, "reason": "text"}, NEED),
    Kind("profile.approved", N_("您的服务方资料“{name}”已通过审核，现已公开"), _PROFILE, PROFILE),
    Kind(
        "profile.returned",
        N_("您的服务方资料“{name}”被退回：{reason}"),
        {**_PROFILE, "reason": "text"},
        MY_PROFILE,
    ),
    # To the owner of a saved search, or of a provider profile following its 推荐需求 (market.saved_searches):
    # new public postings among the first results, at most once a day per search.
    Kind(
        "recommend.saved_search",
        N_("您保存的搜索“{name}”有 {count} 条新结果，如“{title}”"),
        {"name": "text", "count": "int", "title": "text", "search_id": "int"},
        Link("saved_searches.open", {"search_id": "search_id"}),
    ),
    Kind(
        "recommend.followed",
        N_("您关注的推荐需求有 {count} 条新需求，如“{title}”"),
        {"count": "int", "title": "text"},
        Link("matching.recommended_needs", {}),
    ),
    # To the brokers of an enterprise's region when its search found nothing (market.search.ask_broker).
    Kind(
        "search.ask_broker",
        N_("{organisation} 的 {actor} 搜索“{query}”没有找到合适的结果，请经纪人帮忙对接"),
        {"organisation": "text", "actor": "text", "actor_id": "int", "query": "text"},
        Link("providers.browse", {"q": "query"}),
    ),
    # Account mail (market.registration.accounts): each carries a single-use link; the token is a parameter
    # because the link is built when the mail is written out, and it is never shown in the text.
    Kind(
        "account.password_reset",
        N_("重置密码：请在 1 小时内打开下面的链接设置新密码（只能使用一次）。不是您本人申请请忽略本邮件"),
        {"token": "text"},
        Link("account.reset_password", {"token": "token"}),
    ),
    Kind(
        "account.verify_email",
        N_("验证邮箱：请在 1 小时内打开下面的链接，确认 {email} 是您的邮箱"),
        {"email": "text", "token": "text"},
        Link("account.verify_email", {"token": "token"}),
    ),
    # A broker invites a contact to claim an organisation with no account (market.broker.claims).
    Kind(
        "org.claim_invite",
        N_("认领单位：经纪人邀请您注册为“{organisation}”的成员，请在 7 天内打开下面的链接（只能用一次）"),
        {"organisation": "text", "token": "text"},
        Link("broker.claim", {"token": "token"}),
    ),
    # Follow-ups the system writes on an order.
    Kind("follow_up.transition", N_("状态变更：{action}（{before} → {after}）"), _TRANSITION),
    Kind(
        "follow_up.transition_with_reason",
        N_("状态变更：{action}（{before} → {after}） {reason}"),
        {**_TRANSITION, "reason": "reason"},
    ),
    Kind("follow_up.reminded", N_("已提醒服务方答复（通知 {count} 人）"), {"count": "int"}),
    Kind(
        "follow_up.reminded_with_message",
        N_("已提醒服务方答复（通知 {count} 人）：{message}"),
        {"count": "int", "message": "text"},
    ),
    # The reason of a step nobody typed (audit log, closing reason, follow-up).
    Kind("order.expiry_reason", N_("超过 {days} 天未答复，系统自动过期"), {"days": "int"}),
    # Admin events (管理操作记录): what changed.
    Kind("admin.names", N_("{zh} / {en}"), _NAMES),
    Kind(
        "admin.renamed",
        N_("{before_zh} / {before_en} → {zh} / {en}"),
        {"before_zh": "text", "before_en": "text", **_NAMES},
    ),
    Kind("admin.moved_up", N_("上移一位"), {}),
    Kind("admin.moved_down", N_("下移一位"), {}),
    Kind("admin.city_added", N_("{province}：{zh} / {en}"), {"province": "region", **_NAMES}),
    Kind(
        "admin.user_updated",
        N_("角色：{role_was} → {role}；账号：{active_was} → {active}；负责地区：{regions_was} → {regions}"),
        _USER_CHANGE,
    ),
)
KINDS: dict[str, Kind] = {kind.key: kind for kind in _KINDS}


# --- label types -----------------------------------------------------------------------------------


def _text(value: Any, _lang: str) -> str:
    return "" if value is None else str(value)


def _yes_no(value: Any, lang: str) -> str:
    return translate(N_("是") if value else N_("否"), lang)


def _regions(value: Any, lang: str) -> str:
    names = [reference.region_name(str(code), lang) for code in value or ()]
    return ("、" if lang == "zh" else ", ").join(names) or "—"


def _reason(value: Any, lang: str) -> str:
    """Typed text, or a message of its own when the system gave the reason (e.g. an expiry)."""
    if isinstance(value, Mapping) and isinstance(value.get("key"), str):
        return render(value["key"], value.get("params"), lang)
    return _text(value, lang)


LABELS: dict[str, Label] = {
    "text": _text,
    "int": _text,
    "bool": _yes_no,
    "field": lambda code, lang: reference.field_name(code, lang),
    "region": lambda code, lang: reference.region_name(code, lang),
    "regions": _regions,
    "reason": _reason,
}


def label_type(name: str, label: Label) -> None:
    """Say how a code of a feature's own vocabulary reads in a language (order states, roles …)."""
    LABELS[name] = label


def code_label(label: str, code: Any, lang: str | None = None) -> str:
    """A code as its label in the reader's language; unknown types and codes read as themselves."""
    return LABELS.get(label, _text)(code, lang or current_language())


# --- writing ---------------------------------------------------------------------------------------


def build(key: str, **params: Any) -> Message:
    """The message to store. Its parameters must be exactly the kind's: a typo fails when written,
    not months later when someone reads it."""
    kind = KINDS[key]
    if set(params) != set(kind.params):
        raise ValueError(f"message {key} takes {sorted(kind.params)}, got {sorted(params)}")
    return Message(key, {name: _stored(value) for name, value in params.items()})


def _stored(value: Any) -> Any:
    if isinstance(value, Message):
        return value.as_param()
    if isinstance(value, str):
        return str(value)  # a StrEnum member as its plain code
    if isinstance(value, list | tuple | set | frozenset):
        return [_stored(v) for v in value]
    return value


# --- reading ---------------------------------------------------------------------------------------


def render(key: str, params: Mapping[str, Any] | None, lang: str | None = None) -> str:
    """The message in `lang` (default: the current reader's language)."""
    lang = lang or current_language()
    kind = KINDS.get(key)
    if kind is None:
        # A kind removed since the row was written: show its key rather than fail the page.
        log.warning("unknown message key %s", key)
        return key
    values = params or {}
    words = {name: code_label(label, values.get(name), lang) for name, label in kind.params.items()}
    return translate(kind.text, lang, **words)


def link(key: str, params: Mapping[str, Any] | None) -> str:
    """The message's link, built by url_for now; "" when its kind has none."""
    kind = KINDS.get(key)
    if kind is None or kind.link is None:
        return ""
    values = params or {}
    args = {argument: values.get(name) for argument, name in kind.link.args.items()}
    if any(value is None for value in args.values()):
        return ""
    if has_request_context():
        return url_for(kind.link.endpoint, _anchor=kind.link.anchor, **args)
    # Mail is rendered by a command, outside any request; url_for needs one to build a path.
    with current_app.test_request_context():
        return url_for(kind.link.endpoint, _anchor=kind.link.anchor, **args)


def shown(
    key: str | None, params: Mapping[str, Any] | None, legacy: str = "", lang: str | None = None
) -> str:
    """What a stored row says: its message, or for a row written before keys existed its stored text."""
    return render(key, params, lang) if key else legacy


def shown_link(key: str | None, params: Mapping[str, Any] | None, legacy: str = "") -> str:
    return link(key, params) if key else legacy
